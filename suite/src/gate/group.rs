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
//! A slower ring also shows in the *count*: it makes (nearly) every cell slower than the
//! peers beside it, where noise makes about half of them slower and half faster. So the
//! call, per group and implementation of ours, is **regressed** when both
//!
//! 1. the group's change relative to the peers is a drop beyond the group's threshold: the
//!    larger of the group margin and [`SLICE_NOISE_FACTOR`] times its *peer noise* (below),
//!    and
//! 2. a one-sided sign test over its cells says "slower than the peers" (relative change
//!    below zero) is not chance: with `k` of `n` cells slower, the probability of at least
//!    `k` under a fair coin, `sum(C(n, i), i >= k) / 2^n`, is at most [`SIGN_TEST_LEVEL`]
//!    (8 of 9, 7 of 7, 5 of 5; never with 4 cells or fewer).
//!
//! **Pattern slices.** A ring regression often hits one code path only: a slower single-item
//! push shows in the steady cells, a slower batch claim in the uniform and avalanche ones,
//! and the other cells of the group hold, so the whole group's sign test cannot pass. Each
//! group is therefore also judged per burst pattern (its cells across capacities): a slice
//! is **regressed** when every one of its cells is slower than its peers and its median
//! cell's relative change (one cell flipping to a slow mode must not carry it) is a drop
//! beyond the larger of the group margin and
//! [`SLICE_NOISE_FACTOR`] times the group's *peer noise*. The peer noise is measured in the
//! same run, on code that did not change: in every cell with two peers or more, each peer's
//! log ratio relative to the mean of the other peers there; their typical size over the
//! group (the median, scaled to a standard deviation, so one wild peer does not make the
//! group look noisy) says how far one implementation moves against the others between two
//! runs of this machine in this group.
//! A slice of a noisy group thus needs a larger drop; a group with fewer than
//! [`MIN_NOISE_SAMPLES`] such peer figures gets no slice check.
//!
//! **Against a twin.** A peer built on the same algorithm as one of ours moves with it
//! through the machine's phases, where peers of other designs do not: in
//! `mpmc_thrash/1p1c` the SPSC ring and `rtrb` go from 90M to 300M msg/s and back together,
//! while the other peers run 3–10x slower in phases of their own and set the family's peer
//! noise (0.24–0.48, thresholds of 51–76%). So each of ours with a twin ([`TWINS`]) is also
//! judged per pattern slice against the twin alone, where the family's threads fit on the
//! cores: **regressed** when the median cell's change relative to the twin is a drop beyond
//! [`TWIN_MARGIN`] (a fixed margin from a noise study, since one peer gives no noise figure
//! of its own).
//!
//! Either call also needs our own figures to have dropped (their geometric mean against
//! the baseline): when the machine speeds the peers up more than ours, ours is slower than
//! the peers without being any slower than it was, and that is no regression of ours.
//!
//! **Which figure.** A cell's change is its median's (Criterion's comparison) where the
//! family has more threads than the machine has cores, and its fastest sample's where they
//! fit ([`Estimator`]): with a core per thread, interference only
//! slows a sample down, and the fastest one repeats best from run to run.
//!
//! Criterion's own per-cell significance is counted for the table but does not decide: it
//! compares raw figures, so a slow phase of the machine makes it fire on unchanged code,
//! while the sign test counts cells relative to their peers. Only comparisons with a named
//! baseline are judged. When the baseline is not comparable cell by cell (another harness
//! or machine, [`Rules::cell_by_cell`]), a cell counts only if a peer was compared beside
//! it: its raw change alone would compare two machines.
//!
//! ```
//! use ringstress_suite::gate::{GroupCall, call_group, sign_test_p};
//!
//! // 9 benchmarks at half their throughput relative to the peers, 8 of them slower.
//! assert_eq!(call_group(0.5_f64.ln(), 9, 8, 0.15), GroupCall::Regressed);
//! // The same drop, but only 6 of 9 cells slower: a few cells dragged the mean.
//! assert_eq!(call_group(0.5_f64.ln(), 9, 6, 0.15), GroupCall::SlowerNotSignificant);
//! // A 5% drop in every cell: consistent, but within the noise.
//! assert_eq!(call_group(0.95_f64.ln(), 9, 9, 0.15), GroupCall::WithinNoise);
//! assert_eq!(sign_test_p(5, 5), 1.0 / 32.0);
//! ```

use std::collections::BTreeMap;

use super::decision::{Rules, is_ours};
use super::estimator::{Estimator, threads_of};
use super::results::{Against, BenchmarkResult, ChangeData};

/// The sign test's level: a group's cells being slower than their peers counts as a
/// pattern, not chance, when a fair coin would give as many slower cells with at most this
/// probability.
pub const SIGN_TEST_LEVEL: f64 = 0.05;

/// How many times the group's peer noise a pattern slice's drop must exceed.
pub const SLICE_NOISE_FACTOR: f64 = 3.0;

/// Our implementations with a *twin* among the peers: a peer built on the same algorithm,
/// so that on this machine the two move together through its slow and fast phases, and a
/// change of their ratio is a change of ours. `ringstress-spsc` and `rtrb` are both
/// one-producer one-consumer rings over a power-of-two buffer, each side caching the other's
/// index: over 20 rounds of `mpmc_thrash/1p1c/steady` alternating between the machine's
/// phases (both at 90M, then both at 300M), their ratio moved by a standard deviation of
/// 0.06–0.10 (log) at 64 and 1024, while the other 1p1c peers moved by 3–10x. Our MPMC ring
/// has no such twin: against `ArrayQueue` alone, unchanged code moved by up to 36% across
/// a pattern slice (noise study in `criterion-baselines/README.md`).
pub const TWINS: &[(&str, &str)] = &[("ringstress-spsc", "rtrb")];

/// How far one of ours may drop against its twin, in the median cell of a pattern slice,
/// before it is a regression: a 30% drop. Unchanged code moved a slice's median against
/// the twin by at most 21% (log -0.23) in 380 pairings of the 20 rounds above and by 18%
/// in three plain runs against `v0.5`; the margin is 1.5 times that, in logs.
pub const TWIN_MARGIN: f64 = 0.30;

/// The fewest peer figures (peers in cells with another peer) that measure a group's peer
/// noise; below it, no slice check is made.
pub const MIN_NOISE_SAMPLES: usize = 4;

/// A group's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCall {
    /// A drop beyond the margin, with enough cells slower than their peers to pass the sign
    /// test.
    Regressed,
    /// A drop beyond the margin, but too few cells slower than their peers for the sign test.
    SlowerNotSignificant,
    /// No drop beyond the margin.
    WithinNoise,
    /// Slower than the peers beside it, but not slower than its own baseline figures: the
    /// machine sped the peers up more than ours, which is no regression of ours.
    NotSlowerThanBaseline,
}

impl GroupCall {
    /// The text of the Call column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Regressed => "REGRESSED",
            Self::SlowerNotSignificant => "slower, sign test not met",
            Self::WithinNoise => "within noise",
            Self::NotSlowerThanBaseline => "slower than its peers only: its own figures rose",
        }
    }
}

/// The call for a group whose benchmarks' changes relative to their peers have the mean
/// logarithm `mean_log_ratio` (throughput, this run over the baseline), `compared`
/// benchmarks of which `slower` are slower than their peers, against a margin given as a
/// fraction.
pub fn call_group(mean_log_ratio: f64, compared: usize, slower: usize, margin: f64) -> GroupCall {
    let change = mean_log_ratio.exp() - 1.0;
    if change >= -margin {
        GroupCall::WithinNoise
    } else if sign_test_p(compared, slower) <= SIGN_TEST_LEVEL {
        GroupCall::Regressed
    } else {
        GroupCall::SlowerNotSignificant
    }
}

/// The call for a pattern slice whose cells' log throughput ratios relative to their peers
/// are `relative`, against a drop threshold given as a fraction: regressed when every cell
/// is slower and the median cell's drop is beyond the threshold. The median, not the mean,
/// so that one cell flipping to a slow mode on its own (a 3x swing is common here) does not
/// carry the slice.
///
/// ```
/// use ringstress_suite::gate::{GroupCall, call_slice};
///
/// let quarter_slower = 0.75_f64.ln();
/// assert_eq!(call_slice(&[quarter_slower; 3], 0.15), GroupCall::Regressed);
/// assert_eq!(call_slice(&[quarter_slower, quarter_slower, 0.01], 0.15), GroupCall::SlowerNotSignificant);
/// assert_eq!(call_slice(&[quarter_slower; 3], 0.30), GroupCall::WithinNoise);
/// // One cell at a third of its speed carries the mean (-46.4%), not the median (-43%).
/// let cells = [0.33_f64.ln(), 0.82_f64.ln(), 0.57_f64.ln()];
/// assert_eq!(call_slice(&cells, 0.46), GroupCall::WithinNoise);
/// ```
pub fn call_slice(relative: &[f64], threshold: f64) -> GroupCall {
    if relative.is_empty() || median(relative.to_vec()).exp() - 1.0 >= -threshold {
        GroupCall::WithinNoise
    } else if relative.iter().all(|&r| r < 0.0) {
        GroupCall::Regressed
    } else {
        GroupCall::SlowerNotSignificant
    }
}

/// The one-sided sign test: the probability that a fair coin tossed `n` times shows at
/// least `k` heads, `sum(C(n, i), i >= k) / 2^n`.
///
/// ```
/// use ringstress_suite::gate::sign_test_p;
///
/// assert_eq!(sign_test_p(9, 8), 10.0 / 512.0);
/// assert_eq!(sign_test_p(9, 0), 1.0);
/// assert_eq!(sign_test_p(0, 0), 1.0);
/// ```
pub fn sign_test_p(n: usize, k: usize) -> f64 {
    // C(n, i + 1) = C(n, i) * (n - i) / (i + 1): the product is divisible by i + 1, so the
    // coefficients stay whole numbers, exact in an f64 for any group size the suite has
    // (up to n = 55 or so); the division by 2^n is exact too.
    let mut coefficient = 1.0_f64;
    let mut at_least_k = 0.0;
    for i in 0..=n {
        if i >= k {
            at_least_k += coefficient;
        }
        coefficient = coefficient * (n - i) as f64 / (i + 1) as f64;
    }
    (at_least_k / 2.0_f64.powi(i32::try_from(n).unwrap_or(i32::MAX))).min(1.0)
}

/// One of our implementations across one group, against one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCheck {
    /// The group, e.g. `mpmc_thrash/2p2c`.
    pub group: String,
    /// The burst pattern of a pattern-slice check (its cells across capacities); `None` for
    /// the whole group.
    pub pattern: Option<String>,
    /// The drop (a fraction) beyond which the check calls a regression: the larger of the
    /// group margin and the group's peer noise times [`SLICE_NOISE_FACTOR`] (the margin
    /// alone when the noise cannot be measured).
    pub threshold: f64,
    /// Our implementation, e.g. `ringstress-mpmc`.
    pub implementation: String,
    /// The baseline compared with.
    pub baseline: String,
    /// How many of its benchmarks were compared (and judged).
    pub compared: usize,
    /// How many of those are slower than the peers beside them: what the sign test counts.
    pub slower_than_peers: usize,
    /// The sign test's probability of at least that many slower cells by chance.
    pub sign_test_p: f64,
    /// How many are significantly slower by Criterion's statistics (raw, for the reader).
    pub significantly_slower: usize,
    /// Geometric mean throughput change of its benchmarks (`-0.5`: half the throughput).
    pub change: f64,
    /// Geometric mean throughput change of the peers in the same cells, if any was compared.
    pub peers_change: Option<f64>,
    /// The change relative to the peers that the call is made on: the mean over a whole
    /// group's cells, the median cell's for a pattern slice.
    pub relative_change: f64,
    /// The call.
    pub call: GroupCall,
    /// The twin peer of a twin check (see [`TWINS`]): the peers' figures above are then the
    /// twin's alone. `None` for a check against all the peers.
    pub twin: Option<String>,
    /// The ids of its benchmarks slower than their peers: those a regression of the group
    /// marks REGRESSED.
    pub slower_cells: Vec<String>,
}

impl GroupCheck {
    /// Whether this group fails the gate.
    pub fn regressed(&self) -> bool {
        self.call == GroupCall::Regressed
    }

    /// What the check covers after its group's name: `""` for the whole group against all
    /// its peers, `" (steady cells)"` for a pattern slice, `" (steady cells, vs rtrb)"` for
    /// a slice against a twin.
    pub fn scope(&self) -> String {
        match (&self.pattern, &self.twin) {
            (Some(pattern), Some(twin)) => format!(" ({pattern} cells, vs {twin})"),
            (Some(pattern), None) => format!(" ({pattern} cells)"),
            (None, _) => String::new(),
        }
    }
}

/// A benchmark's comparison with a named baseline, if it has one.
struct Compared<'a> {
    id: &'a str,
    /// The family (scenario and topology) the gate judges as one group.
    group: &'a str,
    implementation: &'a str,
    /// `(pattern, capacity)` within the family.
    cell: (&'a str, &'a str),
    baseline: &'a str,
    log_ratio: f64,
    significantly_slower: bool,
}

fn compared<'a>(result: &'a BenchmarkResult, rules: &Rules) -> Option<Compared<'a>> {
    let comparison = result.comparison.as_ref()?;
    let (Against::Baseline(baseline), ChangeData::Measured(change)) =
        (&comparison.against, &comparison.change)
    else {
        return None;
    };
    let place = result.place();
    // The fastest samples' ratio where the family's threads fit on the cores (see
    // `estimator`), if both runs have samples; else Criterion's median change, as a
    // throughput ratio = 1 / (1 + relative change in time).
    let fastest = match (
        Estimator::for_family(place.family, rules.logical_cores),
        &result.reference,
    ) {
        (Estimator::FastestSample, Some(reference)) if reference.baseline == *baseline => {
            result.ratio_to_reference(Estimator::FastestSample)
        }
        _ => None,
    };
    let log_ratio = fastest.map_or_else(|| -(1.0 + change.median.point_estimate).ln(), f64::ln);
    log_ratio.is_finite().then(|| Compared {
        id: result.id(),
        group: place.family,
        implementation: result.record.function_id.as_deref().unwrap_or(""),
        cell: (place.pattern, place.capacity),
        baseline,
        log_ratio,
        significantly_slower: change.significantly_slower(),
    })
}

/// A cell: (family, (pattern, capacity), baseline).
type CellKey<'a> = (&'a str, (&'a str, &'a str), &'a str);
/// A group of ours: (family, implementation, baseline).
type GroupKey<'a> = (&'a str, &'a str, &'a str);

/// One cell of ours in a group check: its comparison and the drift beside it, of all the
/// peers and of its twin (if it has one, compared in the cell).
struct Cell<'a> {
    ours: &'a Compared<'a>,
    drift: Option<f64>,
    twin_drift: Option<f64>,
}

impl Cell<'_> {
    /// Its log throughput ratio relative to the peers (its own, without peers).
    fn relative(&self) -> f64 {
        self.ours.log_ratio - self.drift.unwrap_or(0.0)
    }

    /// The same cell measured against its twin alone.
    fn against_twin(&self) -> Option<Self> {
        self.twin_drift.map(|twin| Self {
            ours: self.ours,
            drift: Some(twin),
            twin_drift: Some(twin),
        })
    }
}

/// The group checks of `results`: one per group and implementation of ours with at least
/// one benchmark compared with a named baseline, sorted by group, then implementation, each
/// followed by its pattern-slice checks (where the group's peer noise can be measured).
pub fn group_checks(results: &[BenchmarkResult], rules: &Rules) -> Vec<GroupCheck> {
    let all: Vec<Compared<'_>> = results
        .iter()
        .filter_map(|result| compared(result, rules))
        .collect();
    // Per cell: the peers' log ratios, by implementation.
    let mut peers: BTreeMap<CellKey<'_>, Vec<(&str, f64)>> = BTreeMap::new();
    for c in all.iter().filter(|c| !is_ours(Some(c.implementation))) {
        peers
            .entry((c.group, c.cell, c.baseline))
            .or_default()
            .push((c.implementation, c.log_ratio));
    }
    // Per group of ours: its cells.
    let mut ours: BTreeMap<GroupKey<'_>, Vec<Cell<'_>>> = BTreeMap::new();
    for c in all.iter().filter(|c| is_ours(Some(c.implementation))) {
        let beside = peers.get(&(c.group, c.cell, c.baseline));
        let drift = beside.map(|ratios| mean(&ratios.iter().map(|&(_, r)| r).collect::<Vec<_>>()));
        if drift.is_none() && !rules.cell_by_cell {
            continue; // nothing beside it to compare machines with
        }
        let twin_drift = twin_of(c.implementation).and_then(|twin| {
            beside?
                .iter()
                .find(|&&(implementation, _)| implementation == twin)
                .map(|&(_, r)| r)
        });
        ours.entry((c.group, c.implementation, c.baseline))
            .or_default()
            .push(Cell {
                ours: c,
                drift,
                twin_drift,
            });
    }
    let margin = rules.margins.group.fraction();
    let mut checks = Vec::new();
    for ((group, implementation, baseline), cells) in &ours {
        let noise = group_peer_noise(&peers, group, baseline);
        // As a fraction of throughput: exp(-k σ) below 1.
        let threshold = noise.map_or(margin, |noise| {
            margin.max(1.0 - (-SLICE_NOISE_FACTOR * noise).exp())
        });
        let all: Vec<&Cell<'_>> = cells.iter().collect();
        let whole = check_of(
            group,
            implementation,
            baseline,
            &all,
            Scope::Group,
            threshold,
        );
        checks.push(whole);
        // Slices only where the peer noise is known and the threads fit on the cores. Where
        // they outnumber the cores, the scheduler's placement holds our rings in one of two
        // modes 3–4x apart for whole benchmarks (the MPMC ring in `mpmc_thrash/2p2c/uniform`
        // over six plain runs: 55–62M or 211–214M at 64, 111–113M or 374–380M at 1024), far
        // above the peers, whose noise cannot see it; a pattern's three cells then move
        // together by chance. The whole family, nine cells under a sign test, still judges.
        if noise.is_none() || oversubscribed(group, rules.logical_cores) {
            continue;
        }
        for pattern in patterns_of(cells) {
            let slice: Vec<&Cell<'_>> = cells
                .iter()
                .filter(|cell| cell.ours.cell.0 == pattern)
                .collect();
            if slice.len() >= 2 {
                let scope = Scope::Slice(pattern);
                checks.push(check_of(
                    group,
                    implementation,
                    baseline,
                    &slice,
                    scope,
                    threshold,
                ));
            }
        }
    }
    // Against the twin, pattern by pattern, where the fastest samples are compared: the
    // regime the twin margin was measured in.
    for ((group, implementation, baseline), cells) in &ours {
        let Some(twin) = twin_of(implementation) else {
            continue;
        };
        if Estimator::for_family(group, rules.logical_cores) != Estimator::FastestSample {
            continue;
        }
        for pattern in patterns_of(cells) {
            let slice: Vec<Cell<'_>> = cells
                .iter()
                .filter(|cell| cell.ours.cell.0 == pattern)
                .filter_map(Cell::against_twin)
                .collect();
            if slice.len() >= 2 {
                checks.push(check_of(
                    group,
                    implementation,
                    baseline,
                    &slice.iter().collect::<Vec<_>>(),
                    Scope::Twin(pattern, twin),
                    TWIN_MARGIN,
                ));
            }
        }
    }
    checks
}

/// Whether `family` runs more threads than the machine's `logical_cores` (both known).
fn oversubscribed(family: &str, logical_cores: Option<usize>) -> bool {
    matches!((threads_of(family), logical_cores), (Some(threads), Some(cores)) if threads > cores)
}

/// The burst patterns of `cells`, each once, in order.
fn patterns_of<'a>(cells: &[Cell<'a>]) -> Vec<&'a str> {
    let mut patterns: Vec<&str> = cells.iter().map(|cell| cell.ours.cell.0).collect();
    patterns.sort_unstable();
    patterns.dedup();
    patterns
}

/// What one check covers.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    /// A whole group, against all the peers beside it.
    Group,
    /// One burst pattern's cells, against all the peers beside them.
    Slice(&'a str),
    /// One burst pattern's cells, against the twin (the second name) alone.
    Twin(&'a str, &'a str),
}

/// The twin of one of our implementations, if it has one ([`TWINS`]).
fn twin_of(implementation: &str) -> Option<&'static str> {
    TWINS
        .iter()
        .find(|&&(ours, _)| ours == implementation)
        .map(|&(_, twin)| twin)
}

/// The call of a twin check whose median cell's log ratio against the twin is
/// `median_log`: regressed when that is a drop beyond `threshold` ([`TWIN_MARGIN`]).
/// Not "every cell slower" as for a slice, because one cell can flip on its own: at 65536
/// in steady bursts either SPSC ring ran anywhere from 35M to 410M msg/s in the 20 rounds
/// of [`TWINS`].
fn call_against_twin(median_log: f64, threshold: f64) -> GroupCall {
    if median_log.exp() - 1.0 >= -threshold {
        GroupCall::WithinNoise
    } else {
        GroupCall::Regressed
    }
}

/// The peer noise of `group` against `baseline` (see [`peer_noise`]).
fn group_peer_noise(
    peers: &BTreeMap<CellKey<'_>, Vec<(&str, f64)>>,
    group: &str,
    baseline: &str,
) -> Option<f64> {
    let cells: Vec<Vec<f64>> = peers
        .iter()
        .filter(|((cell_group, _, cell_baseline), _)| {
            *cell_group == group && *cell_baseline == baseline
        })
        .map(|(_, ratios)| ratios.iter().map(|&(_, r)| r).collect())
        .collect();
    peer_noise(cells.iter().map(Vec::as_slice))
}

/// The peer noise of a group from its cells' peer log ratios (this run over the baseline):
/// over the peers in cells with at least one other peer, each one's log ratio minus the mean
/// of the others in its cell; the noise is the median of their sizes scaled to a standard
/// deviation (× 1.4826, exact for normal noise), so one peer thrown about by the machine does
/// not make the whole group look noisy. `None` with fewer than [`MIN_NOISE_SAMPLES`] such
/// figures.
pub(crate) fn peer_noise<'a>(cells: impl Iterator<Item = &'a [f64]>) -> Option<f64> {
    let mut deviations = Vec::new();
    for ratios in cells.filter(|ratios| ratios.len() >= 2) {
        let total: f64 = ratios.iter().sum();
        let others = (ratios.len() - 1) as f64;
        deviations.extend(ratios.iter().map(|r| (r - (total - r) / others).abs()));
    }
    if deviations.len() < MIN_NOISE_SAMPLES {
        return None;
    }
    Some(MAD_TO_SIGMA * median(deviations))
}

/// The median absolute deviation of normal noise times this is its standard deviation.
const MAD_TO_SIGMA: f64 = 1.4826;

/// The check of one of our implementations over `cells` of a group (all of them, or the
/// slice of one pattern, as `scope` says), regressed beyond `threshold`.
fn check_of(
    group: &str,
    implementation: &str,
    baseline: &str,
    cells: &[&Cell<'_>],
    scope: Scope<'_>,
    threshold: f64,
) -> GroupCheck {
    let own: Vec<f64> = cells.iter().map(|cell| cell.ours.log_ratio).collect();
    let drifts: Vec<f64> = cells.iter().filter_map(|cell| cell.drift).collect();
    let relative: Vec<f64> = cells.iter().map(|cell| cell.relative()).collect();
    let slower_cells: Vec<String> = cells
        .iter()
        .filter(|cell| cell.relative() < 0.0)
        .map(|cell| cell.ours.id.to_owned())
        .collect();
    // A whole group's change is the mean over its cells; a slice's, its median cell's.
    let (relative_log, call, pattern, twin) = match scope {
        Scope::Group => {
            let mean = mean(&relative);
            let call = call_group(mean, cells.len(), slower_cells.len(), threshold);
            (mean, call, None, None)
        }
        Scope::Slice(pattern) => (
            median(relative.clone()),
            call_slice(&relative, threshold),
            Some(pattern),
            None,
        ),
        Scope::Twin(pattern, twin) => {
            let median = median(relative.clone());
            (
                median,
                call_against_twin(median, threshold),
                Some(pattern),
                Some(twin),
            )
        }
    };
    // A regression makes our ring slower than it was, not only slower than peers that the
    // machine happened to speed up more (seen on unchanged code: ours +117%, peers +176%).
    let call = if call == GroupCall::Regressed && mean(&own) >= 0.0 {
        GroupCall::NotSlowerThanBaseline
    } else {
        call
    };
    GroupCheck {
        group: group.to_owned(),
        pattern: pattern.map(str::to_owned),
        threshold,
        implementation: implementation.to_owned(),
        baseline: baseline.to_owned(),
        compared: cells.len(),
        slower_than_peers: slower_cells.len(),
        sign_test_p: sign_test_p(cells.len(), slower_cells.len()),
        significantly_slower: cells
            .iter()
            .filter(|cell| cell.ours.significantly_slower)
            .count(),
        change: mean(&own).exp() - 1.0,
        peers_change: (!drifts.is_empty()).then(|| mean(&drifts).exp() - 1.0),
        relative_change: relative_log.exp() - 1.0,
        call,
        twin: twin.map(str::to_owned),
        slower_cells,
    }
}

/// The median of `values` (not empty).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}
