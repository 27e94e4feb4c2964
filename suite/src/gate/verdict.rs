//! Turns loaded results into the rows of the results table (Test, Throughput, Status,
//! Notes) and the rows into the run's verdict: pass, or which benchmarks failed and what
//! to do about it.
//!
//! A benchmark of ours is FAIL (floor) or UNDER (baseline) by its floor check
//! ([`super::floor`]), and REGRESSED when its own slowdown is significant and beyond the
//! single-benchmark margin (only against a baseline comparable cell by cell), or when its
//! group regressed (see [`super::group`]) and it is one of the cells slower than their
//! peers.

use super::decision::{
    ChangeCall, FLOOR_MSGS_PER_SEC, FloorCall, Rules, Status, call_change, status_of,
};
use super::floor::{FloorCheck, floor_check};
use super::group::{GroupCheck, group_checks};
use super::margins::NoiseMargin;
use super::rate::{format_rate, throughput_change};
use super::remeasure::MAX_CASES;
use super::results::{Against, BenchmarkResult, ChangeData};

/// One row of the results table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `group/function/parameter`.
    pub id: String,
    /// Its family, scenario and topology ([`Place`](super::results::Place)), e.g.
    /// `mpmc_thrash/1p1c`.
    pub family: String,
    /// Its burst pattern (empty when the id has none).
    pub pattern: String,
    /// Its capacity (the parameter).
    pub capacity: String,
    /// Its implementation (Criterion's function id), e.g. `ringstress-mpmc`.
    pub implementation: String,
    /// Messages per second, when the benchmark declares its throughput in elements.
    pub msgs_per_sec: Option<f64>,
    /// The gate's status.
    pub status: Status,
    /// The change against the compared baseline, or why there is none.
    pub notes: String,
    /// The baseline whose regressions were gated for this row, if any.
    pub gated_against: Option<String>,
    /// The floor's call, for ours with a throughput in elements.
    pub floor: Option<FloorCall>,
    /// The baseline the floor was judged against, if it had figures for this run.
    pub floor_against: Option<String>,
}

/// The row for one result judged alone: without its group, and with no peers beside it
/// to normalise the floor (see [`rows_for`]).
pub fn row_for(result: &BenchmarkResult, rules: &Rules) -> Row {
    let floor = floor_check(
        result,
        std::slice::from_ref(result),
        rules.logical_cores,
        None,
    );
    row_in_group(result, rules, None, floor.as_ref())
}

/// The row for one result whose group check (if it had one) is `group` and floor check
/// (for ours with a throughput) is `floor`.
fn row_in_group(
    result: &BenchmarkResult,
    rules: &Rules,
    group: Option<&GroupCheck>,
    floor: Option<&FloorCheck>,
) -> Row {
    let msgs_per_sec = result.msgs_per_sec();
    let mut notes = Vec::new();
    if msgs_per_sec.is_none() {
        notes.push("no Throughput::Elements declared".to_owned());
    }
    let mut gated_call = None;
    let mut gated_against = None;
    if let Some(comparison) = &result.comparison {
        match &comparison.change {
            ChangeData::Measured(change) => {
                let gated = comparison.against.is_gated();
                let by_group = gated
                    && group.is_some_and(|check| {
                        check.regressed() && check.slower_cells.iter().any(|id| id == result.id())
                    });
                let (call, described) = if by_group {
                    let text = match group
                        .map(|check| (check.pattern.as_deref(), check.twin.as_deref()))
                    {
                        Some((Some(pattern), Some(twin))) => format!(
                            "slower than {twin}, and its group's {pattern} cells regressed against it"
                        ),
                        Some((Some(pattern), None)) => format!(
                            "slower than its peers, and its group's {pattern} cells regressed"
                        ),
                        _ => "slower than its peers, and its group regressed".to_owned(),
                    };
                    (ChangeCall::Regressed, text)
                } else if gated && !rules.cell_by_cell {
                    // Raw figures from another harness or machine: not judged alone.
                    (
                        ChangeCall::WithinNoise,
                        "not judged cell by cell".to_owned(),
                    )
                } else {
                    let alone = call_change(change, rules.margins.single);
                    (alone, describe_call(alone, rules.margins.single))
                };
                let change_pct = throughput_change(change.median.point_estimate) * 100.0;
                notes.push(format!(
                    "{change_pct:+.1}% vs {} ({described}{})",
                    comparison.against.describe(),
                    if gated { "" } else { "; not gated" },
                ));
                if let Against::Baseline(name) = &comparison.against {
                    gated_call = Some(call);
                    gated_against = Some(name.clone());
                }
            }
            ChangeData::Unavailable(reason) => notes.push(reason.clone()),
        }
    }
    if let Some(floor) = floor {
        notes.extend(floor.notes());
    }
    let floor_call = floor.map(|floor| floor.call);
    let place = result.place();
    Row {
        id: result.id().to_owned(),
        family: place.family.to_owned(),
        pattern: place.pattern.to_owned(),
        capacity: place.capacity.to_owned(),
        implementation: result.record.function_id.clone().unwrap_or_default(),
        msgs_per_sec,
        status: status_of(result.is_ours(), floor_call, gated_call),
        notes: notes.join("; "),
        gated_against,
        floor: floor_call,
        floor_against: floor.and_then(|floor| floor.reference.clone()),
    }
}

fn describe_call(call: ChangeCall, margin: NoiseMargin) -> String {
    let margin_pct = margin.fraction() * 100.0;
    match call {
        ChangeCall::Regressed => {
            format!("significant, beyond the {margin_pct:.0}% single-benchmark margin")
        }
        ChangeCall::SlowerNotSignificant | ChangeCall::FasterNotSignificant => {
            "not significant".to_owned()
        }
        ChangeCall::WithinNoise => "within noise".to_owned(),
        ChangeCall::Faster => "faster".to_owned(),
    }
}

/// The rows for many results, in the results' order, with the group checks they were
/// judged with. Each result's floor is normalised by the peers among `results`.
pub fn rows_for(results: &[BenchmarkResult], rules: &Rules) -> (Vec<Row>, Vec<GroupCheck>) {
    let groups = group_checks(results, rules);
    let rows = results
        .iter()
        .map(|result| {
            // The check that regressed with this cell among its slower ones, if any; else
            // its whole group's.
            let covering = |check: &&GroupCheck| {
                check.group == result.place().family
                    && Some(check.implementation.as_str()) == result.record.function_id.as_deref()
            };
            let group = groups
                .iter()
                .filter(covering)
                .find(|check| {
                    check.regressed() && check.slower_cells.iter().any(|id| id == result.id())
                })
                .or_else(|| groups.iter().find(covering));
            let threshold = groups
                .iter()
                .filter(covering)
                .find(|check| check.pattern.is_none())
                .map(|check| check.threshold);
            let floor = floor_check(result, results, rules.logical_cores, threshold);
            row_in_group(result, rules, group, floor.as_ref())
        })
        .collect();
    (rows, groups)
}

/// The outcome of a whole table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// How many of ours were checked.
    pub ours: usize,
    /// How many peers were listed (never gated).
    pub peers: usize,
    /// Ours that fell below the floor (FAIL (floor)).
    pub below_floor: Vec<String>,
    /// Ours under the floor as they were in the baseline too (whatever their status).
    pub under_as_in_baseline: Vec<String>,
    /// Ours under the floor within their group's noise of a baseline figure above it.
    pub under_within_noise: Vec<String>,
    /// The baseline the floor was judged against, if it had figures for this run.
    pub floor_against: Option<String>,
    /// Ours without a throughput in elements.
    pub without_throughput: Vec<String>,
    /// Ours that regressed.
    pub regressed: Vec<String>,
    /// The baseline regressions were gated against, if any row was.
    pub gated_against: Option<String>,
    /// Why the baseline asked for was not compared at all (damaged): an error.
    pub baseline_damage: Option<String>,
}

impl Verdict {
    /// Sums up the rows.
    pub fn of(rows: &[Row]) -> Self {
        let ids_with = |status: Status| -> Vec<String> {
            rows.iter()
                .filter(|row| row.status == status)
                .map(|row| row.id.clone())
                .collect()
        };
        Self {
            ours: rows.iter().filter(|row| row.status != Status::Peer).count(),
            peers: rows.iter().filter(|row| row.status == Status::Peer).count(),
            below_floor: ids_with(Status::FailFloor),
            under_as_in_baseline: rows
                .iter()
                .filter(|row| row.floor == Some(FloorCall::UnderAsInBaseline))
                .map(|row| row.id.clone())
                .collect(),
            under_within_noise: rows
                .iter()
                .filter(|row| row.floor == Some(FloorCall::UnderWithinNoise))
                .map(|row| row.id.clone())
                .collect(),
            floor_against: rows.iter().find_map(|row| row.floor_against.clone()),
            without_throughput: ids_with(Status::FailNoThroughput),
            regressed: ids_with(Status::Regressed),
            gated_against: rows.iter().find_map(|row| row.gated_against.clone()),
            baseline_damage: None,
        }
    }

    /// Whether the gate passes.
    pub fn passed(&self) -> bool {
        self.baseline_damage.is_none()
            && self.below_floor.is_empty()
            && self.without_throughput.is_empty()
            && self.regressed.is_empty()
    }

    /// The process exit code: 0 on a pass, 1 on a failure, 2 when the baseline asked for
    /// could not be compared (damaged).
    pub fn exit_code(&self) -> i32 {
        if self.baseline_damage.is_some() {
            2
        } else if self.passed() {
            0
        } else {
            1
        }
    }

    /// The line printed after the results table, always: how many of ours are under the
    /// floor, and of those how many fell under it (failures) and how many were under it in
    /// the baseline too.
    pub fn floor_summary(&self) -> String {
        let floor = format_rate(FLOOR_MSGS_PER_SEC);
        let failures = self.below_floor.len();
        let under = self.under_as_in_baseline.len();
        let within = self.under_within_noise.len();
        let (failures_since, under_in) = match &self.floor_against {
            Some(name) => (format!("new since {name}"), name.as_str()),
            None => ("no baseline to compare with".to_owned(), "a baseline"),
        };
        let within_text = if within > 0 {
            format!(", {within} within the noise of a figure above it in {under_in}")
        } else {
            String::new()
        };
        format!(
            "{} of {} of ours under {floor}: {failures} floor failures ({failures_since}), \
             {under} under the floor in {under_in} too{within_text}",
            failures + under + within,
            self.ours,
        )
    }

    /// The verdict in one short line, counts only: `PASS: …` or `FAIL: 2 below the floor,
    /// 3 regressed vs v0.4`.
    pub fn headline(&self) -> String {
        if self.passed() {
            return self.summary();
        }
        let counts: Vec<String> = self
            .failure_kinds()
            .into_iter()
            .map(|kind| kind.count)
            .collect();
        format!("FAIL: {} (of {} of ours).", counts.join(", "), self.ours)
    }

    /// Each kind of failure in this verdict, in the order the headline and the summary
    /// name them.
    fn failure_kinds(&self) -> Vec<FailureKind> {
        let floor = format_rate(FLOOR_MSGS_PER_SEC);
        let mut kinds = Vec::new();
        if let Some(damage) = &self.baseline_damage {
            kinds.push(FailureKind {
                count: damage.clone(),
                detail: "the baseline is damaged, so nothing was compared with it".to_owned(),
                advice: "see the line naming the damage above the table".to_owned(),
            });
        }
        let with_ids = |count: String, ids: &[String]| FailureKind {
            detail: format!("{count} ({})", ids.join(", ")),
            count,
            advice: String::new(),
        };
        if !self.below_floor.is_empty() {
            kinds.push(FailureKind {
                advice: format!(
                    "for FAIL (floor), see whether it stays under (a comparing run has measured \
                     up to {MAX_CASES} failing cases twice already; else re-run its group, \
                     peers included); if it does, profile the ring on that scenario"
                ),
                ..with_ids(
                    format!("{} below the {floor} floor", self.below_floor.len()),
                    &self.below_floor,
                )
            });
        }
        if !self.without_throughput.is_empty() {
            kinds.push(FailureKind {
                advice: "declare messages per iteration with \
                         group.throughput(Throughput::Elements(n))"
                    .to_owned(),
                ..with_ids(
                    format!(
                        "{} without Throughput::Elements",
                        self.without_throughput.len()
                    ),
                    &self.without_throughput,
                )
            });
        }
        if !self.regressed.is_empty() {
            let name = self.gated_against.as_deref().unwrap_or("the baseline");
            kinds.push(FailureKind {
                advice: "for REGRESSED, confirm by re-running its whole group, peers included, \
                         against the same baseline (the group check needs them); if the \
                         slowdown is intended, record a new baseline with --save-baseline"
                    .to_owned(),
                ..with_ids(
                    format!("{} regressed vs {name}", self.regressed.len()),
                    &self.regressed,
                )
            });
        }
        kinds
    }

    /// The verdict with every failing id and what to do, printed under the full table.
    pub fn summary(&self) -> String {
        let floor = format_rate(FLOOR_MSGS_PER_SEC);
        let peers = match self.peers {
            0 => String::new(),
            1 => " (1 peer, not gated)".to_owned(),
            n => format!(" ({n} peers, not gated)"),
        };
        if self.passed() {
            let regressions = match &self.gated_against {
                Some(name) => format!("none regressed vs {name}"),
                None => "no baseline compared, so regressions were not checked".to_owned(),
            };
            let under = match (self.under_as_in_baseline.len(), &self.floor_against) {
                (0, _) => String::new(),
                (n, Some(name)) => format!(", {n} under it as in {name}"),
                (n, None) => format!(", {n} under it as in the baseline"),
            };
            let within = match self.under_within_noise.len() {
                0 => String::new(),
                n => format!(", {n} under it within noise"),
            };
            let above = self.ours - self.under_as_in_baseline.len() - self.under_within_noise.len();
            return if self.ours == 0 {
                format!("PASS: none of ours ran{peers}.")
            } else {
                format!(
                    "PASS: {above} of ours at or above the {floor} floor{under}{within}; \
                     {regressions}{peers}."
                )
            };
        }
        let kinds = self.failure_kinds();
        let failures: Vec<&str> = kinds.iter().map(|kind| kind.detail.as_str()).collect();
        let advice: Vec<&str> = kinds.iter().map(|kind| kind.advice.as_str()).collect();
        format!(
            "FAIL: {}. To fix: {}.",
            failures.join("; "),
            advice.join("; ")
        )
    }
}

/// One kind of failure, as the verdict's lines name it.
struct FailureKind {
    /// Its count, for the headline: `2 below the 50.0M msg/s floor`.
    count: String,
    /// Its count with the failing ids, for the summary.
    detail: String,
    /// What to do about it.
    advice: String,
}
