//! Finds the benchmarks Criterion wrote under its home and loads the ones the gate looks
//! at, each with the comparison that belongs to it and its throughput in the baseline the
//! floor is judged against. Reads only; Criterion's layout is left exactly as written, so
//! critcmp and the HTML report keep working on it.
//!
//! Which results belong to a run is decided by when their files were written, not by
//! parsing the name filter: `cargo bench --bench mpmc_thrash` or a Criterion filter gates
//! exactly what ran.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::criterion_json::{BenchmarkRecord, ChangeEstimates, Estimates, Samples, read_json};
use super::decision;
use super::error::GateError;
use super::estimator::Estimator;
use super::rate;

/// The slot Criterion writes every measurement to.
pub const LATEST_SLOT: &str = "new";

/// The baseline Criterion keeps the previous run in when told to save one without a name
/// (`--save-baseline base`, or Criterion's own default, which this suite's bench files
/// replace with a comparison with the current baseline).
pub const PREVIOUS_RUN_BASELINE: &str = "base";

/// Criterion's home as Criterion finds it: `$CRITERION_HOME` (set by this repository's
/// `.cargo/config.toml`), else `$CARGO_TARGET_DIR/criterion`, else `target/criterion`.
pub fn criterion_home() -> PathBuf {
    criterion_home_from(
        std::env::var_os("CRITERION_HOME"),
        std::env::var_os("CARGO_TARGET_DIR"),
    )
}

/// [`criterion_home`] from the two variables' values.
///
/// ```
/// use std::path::PathBuf;
/// use ringstress_suite::gate::criterion_home_from;
///
/// assert_eq!(criterion_home_from(None, None), PathBuf::from("target/criterion"));
/// assert_eq!(
///     criterion_home_from(Some("/repo/criterion-baselines".into()), Some("/t".into())),
///     PathBuf::from("/repo/criterion-baselines"),
/// );
/// ```
pub fn criterion_home_from(
    criterion_home: Option<OsString>,
    cargo_target_dir: Option<OsString>,
) -> PathBuf {
    match (criterion_home, cargo_target_dir) {
        (Some(home), _) => PathBuf::from(home),
        (None, Some(target)) => PathBuf::from(target).join("criterion"),
        (None, None) => PathBuf::from("target/criterion"),
    }
}

/// Which benchmarks of a slot to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every benchmark with results in the slot.
    All,
    /// Those whose `<slot>/benchmark.json` was written at or after the instant: the
    /// results of a run that started then.
    WrittenSince(SystemTime),
    /// Those whose `change/estimates.json` was written at or after the instant: a run with
    /// `--load-baseline`, which analyses saved samples and writes only the comparison.
    ComparedSince(SystemTime),
}

/// Which comparison to attach to each result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComparisonSource {
    /// None.
    None,
    /// The comparison with a named baseline (gated). `change/estimates.json` is used only
    /// when it provably compares the loaded results with that baseline: its mean change
    /// must equal the ratio of the two `estimates.json` means, as Criterion computes it.
    Baseline(String),
    /// The comparison a recording run made with the baseline it then overwrote
    /// (`--save-baseline NAME`, or `base` without a flag); shown, not gated. Used when
    /// written at or after the instant.
    Overwritten {
        /// The baseline that was overwritten.
        baseline: String,
        /// The start of the recording run.
        since: SystemTime,
    },
}

/// What to load: one slot of every benchmark (or of those a run wrote), plus a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultQuery {
    /// `new` or a baseline name.
    pub slot: String,
    /// Which benchmarks.
    pub selection: Selection,
    /// Which comparison.
    pub comparison: ComparisonSource,
    /// The baseline whose figures the floor is judged against, if any: each result's
    /// throughput in it is loaded as [`BenchmarkResult::reference`].
    pub reference: Option<String>,
}

/// What a benchmark was compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Against {
    /// A named baseline, given with `--baseline` (or `--compare-to`), or the current one by
    /// default: regressions are gated.
    Baseline(String),
    /// The previous contents of a baseline being re-recorded: shown, not gated.
    PreviousContents(String),
    /// The previous run (`base`): shown, not gated.
    PreviousRun,
}

impl Against {
    /// Whether a regression against this fails the gate.
    pub fn is_gated(&self) -> bool {
        matches!(self, Self::Baseline(_))
    }

    /// How the Notes column names it: `v0.1`, `previous v0.1`, `previous run`.
    pub fn describe(&self) -> String {
        match self {
            Self::Baseline(name) => name.clone(),
            Self::PreviousContents(name) => format!("previous {name}"),
            Self::PreviousRun => "previous run".to_owned(),
        }
    }
}

/// The change data of a comparison, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeData {
    /// Criterion's `change/estimates.json` for this comparison.
    Measured(ChangeEstimates),
    /// No usable change data; the text says why (for the Notes column).
    Unavailable(String),
}

/// A benchmark's comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What it was compared with.
    pub against: Against,
    /// The change, if any.
    pub change: ChangeData,
}

/// One benchmark's results in the requested slot.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkResult {
    /// Its directory under the Criterion home.
    pub dir: PathBuf,
    /// `benchmark.json`.
    pub record: BenchmarkRecord,
    /// `estimates.json`.
    pub estimates: Estimates,
    /// Messages per second in the fastest sample (`sample.json`), `None` without one.
    pub fastest_msgs_per_sec: Option<f64>,
    /// The comparison, when one was asked for.
    pub comparison: Option<Comparison>,
    /// Its throughput in the baseline the floor is judged against, when one was asked for.
    pub reference: Option<Reference>,
}

/// A benchmark's throughput in the baseline the floor is judged against.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The baseline's name.
    pub baseline: String,
    /// Messages per second in it; `None` when this benchmark has no results there (or no
    /// throughput in elements).
    pub msgs_per_sec: Option<f64>,
    /// Messages per second in its fastest sample there, `None` without one.
    pub fastest_msgs_per_sec: Option<f64>,
}

impl BenchmarkResult {
    /// `group/function/parameter`.
    pub fn id(&self) -> &str {
        &self.record.full_id
    }

    /// Where this benchmark sits in the suite's grid ([`Place`]).
    pub fn place(&self) -> Place<'_> {
        Place::of(
            &self.record.group_id,
            self.record.value_str.as_deref().unwrap_or(""),
        )
    }

    /// Whether this is one of our implementations (gated) rather than a peer.
    pub fn is_ours(&self) -> bool {
        decision::is_ours(self.record.function_id.as_deref())
    }

    /// Messages per second at the typical time per iteration (slope, else mean), or `None`
    /// when the throughput is not counted in elements.
    pub fn msgs_per_sec(&self) -> Option<f64> {
        rate_of(&self.record, &self.estimates)
    }

    /// Messages per second in the reference baseline, if it has a figure.
    pub fn reference_msgs_per_sec(&self) -> Option<f64> {
        self.reference.as_ref()?.msgs_per_sec
    }

    /// Throughput now over throughput in the reference baseline, by `estimator`: the
    /// typical figures' ratio for the median (Criterion's slope, as the table shows it), the
    /// fastest samples' for the fastest sample; `None` when either figure is missing.
    pub fn ratio_to_reference(&self, estimator: Estimator) -> Option<f64> {
        let ratio = match estimator {
            Estimator::Median => self.msgs_per_sec()? / self.reference_msgs_per_sec()?,
            Estimator::FastestSample => {
                self.fastest_msgs_per_sec? / self.reference.as_ref()?.fastest_msgs_per_sec?
            }
        };
        ratio.is_finite().then_some(ratio)
    }
}

/// Where a benchmark sits in the suite's grid. Its Criterion id is
/// `<scenario>/<topology>/<pattern>/<implementation>/<capacity>`: one Criterion group per
/// scenario, topology and burst pattern, so each group's report compares implementations
/// across capacities. The gate judges a *family* (scenario and topology, every pattern)
/// as one group. Baselines recorded before `v0.4` put the pattern in the parameter (group
/// `<scenario>/<topology>`, parameter `<capacity>/<pattern>`); they read the same.
///
/// ```
/// use ringstress_suite::gate::Place;
///
/// let now = Place::of("mpmc_thrash/1p1c/steady", "1024");
/// assert_eq!((now.family, now.pattern, now.capacity), ("mpmc_thrash/1p1c", "steady", "1024"));
/// assert_eq!(Place::of("mpmc_thrash/1p1c", "1024/steady"), now);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place<'a> {
    /// Scenario and topology, e.g. `mpmc_thrash/1p1c`.
    pub family: &'a str,
    /// The burst pattern, e.g. `steady` (empty when the id has none).
    pub pattern: &'a str,
    /// The ring capacity (or whatever other parameter the group has).
    pub capacity: &'a str,
}

impl<'a> Place<'a> {
    /// The place of a benchmark in Criterion group `group` with parameter `parameter`.
    pub fn of(group: &'a str, parameter: &'a str) -> Self {
        if let Some((capacity, pattern)) = parameter.split_once('/') {
            return Self {
                family: group,
                pattern,
                capacity,
            };
        }
        let (family, pattern) = group.rsplit_once('/').unwrap_or((group, ""));
        Self {
            family,
            pattern,
            capacity: parameter,
        }
    }
}

/// Display order of the burst patterns: steady, uniform, avalanche; a pattern not listed
/// ranks after them (and sorts by name among them).
pub(super) fn pattern_rank(pattern: &str) -> usize {
    const ORDER: [&str; 3] = ["steady", "uniform", "avalanche"];
    ORDER
        .iter()
        .position(|known| *known == pattern)
        .unwrap_or(ORDER.len())
}

/// Messages per second at the typical time per iteration (slope, else mean), or `None`
/// when the throughput is not counted in elements.
fn rate_of(record: &BenchmarkRecord, estimates: &Estimates) -> Option<f64> {
    let messages = record.throughput?.elements()?;
    rate::msgs_per_sec(messages, estimates.typical().point_estimate)
}

/// Loads the benchmarks `query` selects under `home`, sorted by id. A missing home is no
/// benchmarks.
///
/// # Errors
///
/// [`GateError::Unreadable`] or [`GateError::Corrupt`] naming the file, when a selected
/// benchmark's files cannot be read or are not Criterion's JSON.
pub fn load_results(home: &Path, query: &ResultQuery) -> Result<Vec<BenchmarkResult>, GateError> {
    let mut results = Vec::new();
    for dir in benchmark_dirs(home, &query.slot)? {
        if is_selected(&dir, query)? {
            results.push(load_one(dir, query)?);
        }
    }
    results.sort_by(|a, b| a.id().cmp(b.id()));
    Ok(results)
}

/// Every directory under `home` holding `<slot>/benchmark.json`.
fn benchmark_dirs(home: &Path, slot: &str) -> Result<Vec<PathBuf>, GateError> {
    let mut found = Vec::new();
    let mut pending = vec![home.to_owned()];
    while let Some(dir) = pending.pop() {
        if dir.join(slot).join("benchmark.json").is_file() {
            found.push(dir.clone());
        }
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if dir == home && error.kind() == io::ErrorKind::NotFound => {
                return Ok(Vec::new());
            }
            Err(source) => return Err(GateError::Unreadable { path: dir, source }),
        };
        for entry in entries {
            let unreadable = |source| GateError::Unreadable {
                path: dir.clone(),
                source,
            };
            let entry = entry.map_err(unreadable)?;
            // `file_type` does not follow symlinks: a link cannot make the walk loop.
            if entry.file_type().map_err(unreadable)?.is_dir() {
                pending.push(entry.path());
            }
        }
    }
    Ok(found)
}

fn is_selected(dir: &Path, query: &ResultQuery) -> Result<bool, GateError> {
    match query.selection {
        Selection::All => Ok(true),
        Selection::WrittenSince(since) => {
            written_since(&dir.join(&query.slot).join("benchmark.json"), since)
        }
        Selection::ComparedSince(since) => {
            written_since(&dir.join("change").join("estimates.json"), since)
        }
    }
}

/// Whether `path` exists and was modified at or after `since`.
///
/// File timestamps come from the kernel's coarse clock, which may lag `SystemTime::now()`
/// by a scheduler tick. No slack is added for that: a run writes its first result only
/// after Criterion's warm-up and measurement (or, with `--load-baseline`, its bootstrap),
/// far more than a tick after it started, while the previous bench binary of the same
/// `cargo bench` may have written its last result only milliseconds before this one began.
fn written_since(path: &Path, since: SystemTime) -> Result<bool, GateError> {
    let modified = match fs::metadata(path).and_then(|meta| meta.modified()) {
        Ok(modified) => modified,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(GateError::Unreadable {
                path: path.to_owned(),
                source,
            });
        }
    };
    Ok(modified >= since)
}

fn load_one(dir: PathBuf, query: &ResultQuery) -> Result<BenchmarkResult, GateError> {
    let slot_dir = dir.join(&query.slot);
    let record: BenchmarkRecord = read_json(&slot_dir.join("benchmark.json"))?;
    let estimates: Estimates = read_json(&slot_dir.join("estimates.json"))?;
    let fastest_msgs_per_sec = fastest_rate(&record, &slot_dir)?;
    let comparison = match &query.comparison {
        ComparisonSource::None => None,
        ComparisonSource::Baseline(name) => Some(Comparison {
            against: Against::Baseline(name.clone()),
            change: change_against_baseline(&dir, &estimates, name)?,
        }),
        ComparisonSource::Overwritten { baseline, since } => Some(Comparison {
            against: if baseline == PREVIOUS_RUN_BASELINE {
                Against::PreviousRun
            } else {
                Against::PreviousContents(baseline.clone())
            },
            change: change_written_since(&dir, baseline, *since)?,
        }),
    };
    let reference = match &query.reference {
        None => None,
        Some(name) => Some(Reference {
            baseline: name.clone(),
            msgs_per_sec: rate_in_slot(&dir, name)?,
            fastest_msgs_per_sec: fastest_rate(&record, &dir.join(name))?,
        }),
    };
    Ok(BenchmarkResult {
        dir,
        record,
        estimates,
        fastest_msgs_per_sec,
        comparison,
        reference,
    })
}

/// The benchmark's throughput in `slot`, `None` when it has no results there.
fn rate_in_slot(dir: &Path, slot: &str) -> Result<Option<f64>, GateError> {
    let slot_dir = dir.join(slot);
    let record_path = slot_dir.join("benchmark.json");
    if !record_path.is_file() {
        return Ok(None);
    }
    let record: BenchmarkRecord = read_json(&record_path)?;
    let estimates: Estimates = read_json(&slot_dir.join("estimates.json"))?;
    Ok(rate_of(&record, &estimates))
}

/// Messages per second in the fastest sample of `slot_dir/sample.json` (at the throughput
/// `record` declares), `None` when there is no such file or no throughput in elements.
fn fastest_rate(record: &BenchmarkRecord, slot_dir: &Path) -> Result<Option<f64>, GateError> {
    let path = slot_dir.join("sample.json");
    if !path.is_file() {
        return Ok(None);
    }
    let samples: Samples = read_json(&path)?;
    Ok(record
        .throughput
        .and_then(|throughput| throughput.elements())
        .zip(samples.fastest_time_per_iter())
        .and_then(|(messages, nanos)| rate::msgs_per_sec(messages, nanos)))
}

/// `change/estimates.json`, if it compares `current` with the baseline `name`.
fn change_against_baseline(
    dir: &Path,
    current: &Estimates,
    name: &str,
) -> Result<ChangeData, GateError> {
    let baseline_path = dir.join(name).join("estimates.json");
    if !baseline_path.is_file() {
        return Ok(ChangeData::Unavailable(format!(
            "not compared: no {name} baseline"
        )));
    }
    let change_path = dir.join("change").join("estimates.json");
    if !change_path.is_file() {
        return Ok(ChangeData::Unavailable(format!(
            "not compared: no comparison with {name} on disk"
        )));
    }
    let baseline: Estimates = read_json(&baseline_path)?;
    let change: ChangeEstimates = read_json(&change_path)?;
    if compares(&change, current, &baseline) {
        Ok(ChangeData::Measured(change))
    } else {
        Ok(ChangeData::Unavailable(format!(
            "not compared: the change on disk is from another comparison \
             (run cargo bench -- --baseline {name})"
        )))
    }
}

/// Whether `change` is Criterion's comparison of `current` with `baseline`: Criterion
/// computes the mean change as `current mean / baseline mean - 1` from the same samples
/// that gave the two means, so the figures agree to rounding.
fn compares(change: &ChangeEstimates, current: &Estimates, baseline: &Estimates) -> bool {
    let expected = current.mean.point_estimate / baseline.mean.point_estimate - 1.0;
    let written = change.mean.point_estimate;
    (expected - written).abs() <= 1e-9 * expected.abs().max(1.0)
}

/// `change/estimates.json`, if written at or after `since` (by the recording of `baseline`).
fn change_written_since(
    dir: &Path,
    baseline: &str,
    since: SystemTime,
) -> Result<ChangeData, GateError> {
    let change_path = dir.join("change").join("estimates.json");
    if written_since(&change_path, since)? {
        Ok(ChangeData::Measured(read_json(&change_path)?))
    } else if baseline == PREVIOUS_RUN_BASELINE {
        Ok(ChangeData::Unavailable(
            "no previous run to compare with".to_owned(),
        ))
    } else {
        Ok(ChangeData::Unavailable(format!(
            "first recording of {baseline}"
        )))
    }
}
