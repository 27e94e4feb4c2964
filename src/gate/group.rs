//! The group check: one regression call per group for each of our implementations, from
//! all of its benchmarks compared in the run, each measured against the peers run beside it.
//!
//! Why not one call per benchmark: on the shared 2-core reference machine one benchmark of
//! unchanged code moves by a median of 12–25% between two runs and by up to 84% (noise
//! studies in `criterion-baselines/README.md`), so a per-benchmark margin wide enough for the
//! noise lets a 2x slowdown through. Two facts shrink the noise without hiding a slower ring:
//!
//! - **Peers are the yardstick.** The bench files run every implementation of a case back
//!   to back, so a neighbour that loads the machine for a while slows the peers measured
//!   beside ours as well. A benchmark's *relative change* is its throughput ratio (this run
//!   over the baseline) divided by the geometric mean ratio of the peers in the same cell
//!   (same group and parameter). With no peer compared in the cell, it is the ratio itself.
//! - **A slower ring is slower everywhere.** Noise lands on a few cells; a regression of the
//!   ring moves every cell of its groups. The group's change is the geometric mean of its
//!   cells' relative changes, whose noise falls roughly with the square root of the cells.
//!
//! The call, per group and implementation of ours: **regressed** when the group's change is
//! a drop beyond the group margin *and* Criterion's statistics call more than half of its
//! benchmarks significantly slower (the confidence interval of the median time change lies
//! above zero). Only comparisons with a named baseline (`--baseline NAME`) are judged.
//!
//! ```
//! use ringstress::gate::{GroupCall, call_group};
//!
//! // 9 benchmarks at half their throughput, peers unchanged, 7 significantly slower.
//! assert_eq!(call_group(0.5_f64.ln(), 9, 7, 0.25), GroupCall::Regressed);
//! // The same drop, but Criterion finds most of the benchmarks' changes not significant.
//! assert_eq!(call_group(0.5_f64.ln(), 9, 4, 0.25), GroupCall::SlowerNotSignificant);
//! // A 10% drop: within the noise.
//! assert_eq!(call_group(0.9_f64.ln(), 9, 9, 0.25), GroupCall::WithinNoise);
//! ```

use std::collections::BTreeMap;

use super::decision::{NoiseMargin, is_ours};
use super::results::{Against, BenchmarkResult, ChangeData};

/// A group's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCall {
    /// A drop beyond the margin, significant in more than half of the benchmarks.
    Regressed,
    /// A drop beyond the margin, but significant in at most half of the benchmarks.
    SlowerNotSignificant,
    /// No drop beyond the margin.
    WithinNoise,
}

impl GroupCall {
    /// The text of the Call column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Regressed => "REGRESSED",
            Self::SlowerNotSignificant => "slower, not significant",
            Self::WithinNoise => "within noise",
        }
    }
}

/// The call for a group whose benchmarks' relative changes have the mean logarithm
/// `mean_log_ratio` (throughput, this run over the baseline), `compared` benchmarks of which
/// `significantly_slower` are slower by Criterion's statistics, against a margin given as a
/// fraction.
pub fn call_group(
    mean_log_ratio: f64,
    compared: usize,
    significantly_slower: usize,
    margin: f64,
) -> GroupCall {
    let change = mean_log_ratio.exp() - 1.0;
    if change >= -margin {
        GroupCall::WithinNoise
    } else if 2 * significantly_slower > compared {
        GroupCall::Regressed
    } else {
        GroupCall::SlowerNotSignificant
    }
}

/// One of our implementations across one group, against one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCheck {
    /// The group, e.g. `mpmc_thrash/2p2c`.
    pub group: String,
    /// Our implementation, e.g. `ringstress-mpmc`.
    pub implementation: String,
    /// The baseline compared with.
    pub baseline: String,
    /// How many of its benchmarks were compared.
    pub compared: usize,
    /// How many of those are significantly slower by Criterion's statistics.
    pub significantly_slower: usize,
    /// Geometric mean throughput change of its benchmarks (`-0.5`: half the throughput).
    pub change: f64,
    /// Geometric mean throughput change of the peers in the same cells, if any was compared.
    pub peers_change: Option<f64>,
    /// The group's change relative to the peers: what the call is made on.
    pub relative_change: f64,
    /// The call.
    pub call: GroupCall,
}

impl GroupCheck {
    /// Whether this group fails the gate.
    pub fn regressed(&self) -> bool {
        self.call == GroupCall::Regressed
    }
}

/// A benchmark's comparison with a named baseline, if it has one.
struct Compared<'a> {
    group: &'a str,
    implementation: &'a str,
    cell: &'a str,
    baseline: &'a str,
    log_ratio: f64,
    significantly_slower: bool,
}

fn compared(result: &BenchmarkResult) -> Option<Compared<'_>> {
    let comparison = result.comparison.as_ref()?;
    let (Against::Baseline(baseline), ChangeData::Measured(change)) =
        (&comparison.against, &comparison.change)
    else {
        return None;
    };
    // Throughput ratio = 1 / (1 + relative change in time).
    let log_ratio = -(1.0 + change.median.point_estimate).ln();
    log_ratio.is_finite().then(|| Compared {
        group: &result.record.group_id,
        implementation: result.record.function_id.as_deref().unwrap_or(""),
        cell: result.record.value_str.as_deref().unwrap_or(""),
        baseline,
        log_ratio,
        significantly_slower: change.significantly_slower(),
    })
}

/// A cell (group, parameter, baseline) or a group (group, implementation, baseline).
type Key<'a> = (&'a str, &'a str, &'a str);

/// The group checks of `results`: one per group and implementation of ours with at least
/// one benchmark compared with a named baseline, sorted by group, then implementation.
pub fn group_checks(results: &[BenchmarkResult], margin: NoiseMargin) -> Vec<GroupCheck> {
    let all: Vec<Compared<'_>> = results.iter().filter_map(compared).collect();
    // Per cell (group, parameter, baseline): the peers' log ratios.
    let mut peers: BTreeMap<Key<'_>, Vec<f64>> = BTreeMap::new();
    for c in all.iter().filter(|c| !is_ours(Some(c.implementation))) {
        peers
            .entry((c.group, c.cell, c.baseline))
            .or_default()
            .push(c.log_ratio);
    }
    // Per (group, implementation, baseline) of ours: (own, peers' drift) per cell.
    let mut ours: BTreeMap<Key<'_>, Vec<(&Compared<'_>, Option<f64>)>> = BTreeMap::new();
    for c in all.iter().filter(|c| is_ours(Some(c.implementation))) {
        let drift = peers.get(&(c.group, c.cell, c.baseline)).map(|v| mean(v));
        ours.entry((c.group, c.implementation, c.baseline))
            .or_default()
            .push((c, drift));
    }
    ours.into_iter()
        .map(|((group, implementation, baseline), cells)| {
            let own: Vec<f64> = cells.iter().map(|(c, _)| c.log_ratio).collect();
            let drifts: Vec<f64> = cells.iter().filter_map(|(_, drift)| *drift).collect();
            let relative: Vec<f64> = cells
                .iter()
                .map(|(c, drift)| c.log_ratio - drift.unwrap_or(0.0))
                .collect();
            let significantly_slower = cells.iter().filter(|(c, _)| c.significantly_slower).count();
            let relative_log = mean(&relative);
            GroupCheck {
                group: group.to_owned(),
                implementation: implementation.to_owned(),
                baseline: baseline.to_owned(),
                compared: cells.len(),
                significantly_slower,
                change: mean(&own).exp() - 1.0,
                peers_change: (!drifts.is_empty()).then(|| mean(&drifts).exp() - 1.0),
                relative_change: relative_log.exp() - 1.0,
                call: call_group(
                    relative_log,
                    cells.len(),
                    significantly_slower,
                    margin.fraction(),
                ),
            }
        })
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}
