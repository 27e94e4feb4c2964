//! The baselines: which one is current, and the metadata of each, saying which harness on
//! which machine recorded it, so that a baseline from elsewhere is not compared cell by
//! cell.
//!
//! A figure means something only next to the harness and the machine that produced it: a
//! harness that validates more per message, or a CPU with other caches, moves every cell
//! without any ring changing. So a `--save-baseline NAME` run writes
//! `<home>/baselines/NAME.json` ([`BaselineMetadata`]) beside Criterion's own files, and a
//! run comparing with NAME reads it back ([`comparability`]): when the harness version, the
//! CPU model or the logical core count differ (or there is no metadata), the gate judges
//! only our change relative to the peers measured beside us, which both sides of the
//! comparison carry with them.
//!
//! `cargo bench` runs one bench binary per scenario, each saving its own groups; each
//! binary merges its groups and benchmarks into the file, so the file lists every
//! benchmark recorded.
//!
//! **A baseline is whole or says it is not.** A recording run marks the file incomplete
//! before Criterion writes anything ([`start_recording`]) and complete once its results
//! are listed ([`record_baseline`]), so an interrupted `--save-baseline` leaves a file
//! that says so. Before comparing, the gate checks the baseline ([`baseline_damage`]):
//! an incomplete recording, an unreadable or foreign metadata file, or a listed
//! benchmark whose files are missing or not Criterion's JSON is named in one line, and the
//! baseline is not compared at all.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::criterion_json::{BenchmarkRecord, Estimates, read_json};
use super::error::GateError;
use super::hardware::Hardware;
use super::results::BenchmarkResult;

/// The baseline a plain `cargo bench` (no baseline flag) compares with, and the one the
/// floor of a recording run is judged against. Named here only; the README and
/// `criterion-baselines/README.md` say which it is in words.
pub const CURRENT_BASELINE: &str = "v0.5";

/// The version of the stress harness, bumped whenever a change to it (burst tables,
/// validation, thread topology, what an iteration counts) changes what a figure means.
/// Baselines recorded by another version are not compared cell by cell.
pub const HARNESS_VERSION: u32 = 4;

/// The directory, under the Criterion home, holding one metadata file per named baseline.
pub const BASELINE_METADATA_DIR: &str = "baselines";

/// What the gate knows of how a baseline was recorded (`<home>/baselines/NAME.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineMetadata {
    /// [`HARNESS_VERSION`] of the recording.
    pub harness_version: u32,
    /// CPU model name.
    pub cpu: String,
    /// Logical cores, `None` when unknown.
    pub logical_cores: Option<usize>,
    /// Total memory.
    pub memory: String,
    /// Distribution and kernel.
    pub os: String,
    /// `rustc --version`.
    pub rustc: String,
    /// When it was last recorded to (UTC).
    pub date: String,
    /// False from the start of a recording until its results are listed: a file left
    /// incomplete is an interrupted recording.
    pub complete: bool,
    /// The Criterion groups recorded, sorted.
    pub groups: Vec<String>,
    /// The benchmarks recorded (`group/function/parameter`), sorted.
    pub benchmarks: Vec<String>,
}

impl BaselineMetadata {
    /// The metadata of a recording by this harness on `hardware`, with no groups yet.
    pub fn of(hardware: &Hardware) -> Self {
        Self {
            harness_version: HARNESS_VERSION,
            cpu: hardware.cpu.clone(),
            logical_cores: hardware.logical_cores.parse().ok(),
            memory: hardware.memory.clone(),
            os: hardware.os.clone(),
            rustc: hardware.rustc.clone(),
            date: hardware.date.clone(),
            complete: false,
            groups: Vec::new(),
            benchmarks: Vec::new(),
        }
    }

    /// Whether figures recorded as `self` and as `other` can be compared cell by cell: the
    /// same harness version, CPU model and logical core count. Memory, OS and rustc are
    /// recorded for the reader but do not decide; a new rustc is one of the things a
    /// baseline comparison is there to show.
    pub fn comparable_with(&self, other: &Self) -> bool {
        self.harness_version == other.harness_version
            && self.cpu == other.cpu
            && self.logical_cores == other.logical_cores
    }

    /// `harness 3, <cpu>, 2 cores`.
    fn describe(&self) -> String {
        let cores = self
            .logical_cores
            .map_or_else(|| "unknown".to_owned(), |cores| cores.to_string());
        format!(
            "harness {}, {}, {cores} cores",
            self.harness_version, self.cpu
        )
    }
}

/// The metadata file of baseline `name` under `home`.
pub fn metadata_path(home: &Path, name: &str) -> PathBuf {
    home.join(BASELINE_METADATA_DIR)
        .join(format!("{name}.json"))
}

/// The metadata of baseline `name`, `None` when it has none.
///
/// # Errors
///
/// [`GateError::Unreadable`] when the file exists but cannot be read,
/// [`GateError::BadBaselineMetadata`] when it is not the JSON the gate writes.
pub fn read_metadata(home: &Path, name: &str) -> Result<Option<BaselineMetadata>, GateError> {
    let path = metadata_path(home, name);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(GateError::Unreadable { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| GateError::BadBaselineMetadata { path, source })
}

/// Marks baseline `name` as being recorded by this harness on `hardware`: its metadata
/// file says `complete: false` until [`record_baseline`] lists what the run saved. Called
/// before Criterion measures, so an interrupted recording cannot look whole.
///
/// # Errors
///
/// [`GateError::Unwritable`] when the directory or file cannot be written.
pub fn start_recording(
    home: &Path,
    name: &str,
    hardware: &Hardware,
) -> Result<BaselineMetadata, GateError> {
    write_metadata(home, name, hardware, &[], false)
}

/// Records that this harness on `hardware` saved `recorded` as baseline `name`: writes the
/// metadata file as complete, keeping the groups and benchmarks already listed when they
/// were recorded by the same harness on the same kind of machine (an earlier bench binary
/// of the same `cargo bench`, or an earlier partial recording). A file from another harness
/// or machine, or one that cannot be parsed, is replaced: it no longer describes what NAME
/// holds for these groups, and the run is re-recording NAME anyway.
///
/// # Errors
///
/// [`GateError::Unwritable`] when the directory or file cannot be written.
pub fn record_baseline(
    home: &Path,
    name: &str,
    hardware: &Hardware,
    recorded: &[BenchmarkResult],
) -> Result<BaselineMetadata, GateError> {
    write_metadata(home, name, hardware, recorded, true)
}

fn write_metadata(
    home: &Path,
    name: &str,
    hardware: &Hardware,
    recorded: &[BenchmarkResult],
    complete: bool,
) -> Result<BaselineMetadata, GateError> {
    let mut metadata = BaselineMetadata::of(hardware);
    metadata.complete = complete;
    if let Ok(Some(earlier)) = read_metadata(home, name)
        && earlier.comparable_with(&metadata)
    {
        metadata.groups = earlier.groups;
        metadata.benchmarks = earlier.benchmarks;
    }
    for result in recorded {
        metadata.groups.push(result.record.group_id.clone());
        metadata.benchmarks.push(result.id().to_owned());
    }
    for list in [&mut metadata.groups, &mut metadata.benchmarks] {
        list.sort();
        list.dedup();
    }

    let path = metadata_path(home, name);
    let unwritable = |source| GateError::Unwritable {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(unwritable)?;
    }
    let mut text = serde_json::to_string_pretty(&metadata)
        .expect("the metadata is strings and numbers, which always serialize");
    text.push('\n');
    // Write beside the file, then rename over it: an interrupted run leaves the old file
    // whole rather than a truncated one that would stop every later comparison.
    let partial = path.with_extension("json.partial");
    fs::write(&partial, text).map_err(unwritable)?;
    fs::rename(&partial, &path).map_err(unwritable)?;
    Ok(metadata)
}

/// Why baseline `name` (under `home`) cannot be compared with `results` (loaded without
/// it), as one line, or `None` when it is whole: its recording did not finish, its
/// metadata cannot be read or was written by another version of the suite, or a benchmark
/// it lists among `results` has its files missing or not Criterion's JSON. A baseline
/// without metadata is not checked here ([`comparability`] says what that means), nor are
/// benchmarks it never recorded (a new scenario, another grid): those are not compared,
/// cell by cell.
pub fn baseline_damage(home: &Path, name: &str, results: &[BenchmarkResult]) -> Option<String> {
    let damaged = |why: String| {
        Some(format!(
            "ringstress gate: baseline {name} is damaged: {why}; not compared (record it \
             again with `cargo bench -- --save-baseline {name}`, or compare with another)"
        ))
    };
    let metadata = match read_metadata(home, name) {
        Ok(Some(metadata)) => metadata,
        Ok(None) => return None,
        Err(error) => return damaged(error.to_string()),
    };
    if !metadata.complete {
        return damaged(format!(
            "its recording of {} did not finish ({} says complete: false)",
            metadata.date,
            metadata_path(home, name).display()
        ));
    }
    let recorded: HashSet<&str> = metadata.benchmarks.iter().map(String::as_str).collect();
    let listed: Vec<&BenchmarkResult> = results
        .iter()
        .filter(|result| recorded.contains(result.id()))
        .collect();
    let mut missing = Vec::new();
    for result in &listed {
        let dir = result.dir.join(name);
        let (record, estimates) = (dir.join("benchmark.json"), dir.join("estimates.json"));
        if !record.is_file() || !estimates.is_file() {
            missing.push(result.id());
            continue;
        }
        let parsed =
            read_json::<BenchmarkRecord>(&record).and_then(|_| read_json::<Estimates>(&estimates));
        if let Err(error) = parsed {
            return damaged(error.to_string());
        }
    }
    match missing.as_slice() {
        [] => None,
        [first, ..] => damaged(format!(
            "{} of the {} benchmarks of this run it lists have no files (first: {first})",
            missing.len(),
            listed.len()
        )),
    }
}

/// Whether results can be compared with a baseline cell by cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparability {
    /// Same harness, same kind of machine: every check applies.
    CellByCell,
    /// Another harness or machine, or unknown: only checks relative to the peers measured
    /// beside ours apply. The line says why, for the report.
    PeersOnly(String),
}

/// Whether results can be compared cell by cell with `baseline` (under `home`): the
/// results saved as `saved_slot` (described by its own metadata, if it has some), or those
/// measured now on `hardware` (`saved_slot` `None`).
///
/// # Errors
///
/// When a metadata file exists but cannot be read ([`read_metadata`]).
pub fn comparability_in(
    home: &Path,
    baseline: &str,
    saved_slot: Option<&str>,
    hardware: &Hardware,
) -> Result<Comparability, GateError> {
    let recorded = read_metadata(home, baseline)?;
    let (this, this_name) = match saved_slot {
        Some(slot) => match read_metadata(home, slot)? {
            Some(metadata) => (metadata, slot.to_owned()),
            None => (BaselineMetadata::of(hardware), "this machine".to_owned()),
        },
        None => (BaselineMetadata::of(hardware), "this run".to_owned()),
    };
    Ok(comparability(
        baseline,
        recorded.as_ref(),
        &this,
        &this_name,
    ))
}

/// Whether results described by `this` (named `this_name` in the message, e.g. "this
/// run") can be compared cell by cell with baseline `name`, whose metadata is `recorded`.
///
/// ```
/// use ringstress_suite::gate::{BaselineMetadata, Comparability, comparability};
///
/// let here = BaselineMetadata {
///     harness_version: 3,
///     cpu: "Example CPU".into(),
///     logical_cores: Some(2),
///     memory: "7.7 GiB".into(),
///     os: "Linux".into(),
///     rustc: "rustc 1.95.0".into(),
///     date: "2026-01-01 00:00 UTC".into(),
///     complete: true,
///     groups: vec![],
///     benchmarks: vec![],
/// };
/// let older = BaselineMetadata { harness_version: 2, ..here.clone() };
/// assert_eq!(comparability("v0.3", Some(&here), &here, "this run"), Comparability::CellByCell);
/// let Comparability::PeersOnly(line) = comparability("v0.2", Some(&older), &here, "this run")
/// else {
///     unreachable!()
/// };
/// assert!(line.starts_with("ringstress gate: baseline v0.2 was recorded by harness 2"));
/// ```
pub fn comparability(
    name: &str,
    recorded: Option<&BaselineMetadata>,
    this: &BaselineMetadata,
    this_name: &str,
) -> Comparability {
    let recorded_by = match recorded {
        Some(recorded) if recorded.comparable_with(this) => return Comparability::CellByCell,
        Some(recorded) => format!(
            "was recorded by harness {} on {}, {} cores",
            recorded.harness_version,
            recorded.cpu,
            recorded
                .logical_cores
                .map_or_else(|| "unknown".to_owned(), |cores| cores.to_string()),
        ),
        None => format!(
            "has no metadata saying which harness and machine recorded it \
             ({BASELINE_METADATA_DIR}/{name}.json)"
        ),
    };
    Comparability::PeersOnly(format!(
        "ringstress gate: baseline {name} {recorded_by} ({this_name}: {}): not compared cell \
         by cell; judging only our change relative to the peers measured beside us",
        this.describe()
    ))
}
