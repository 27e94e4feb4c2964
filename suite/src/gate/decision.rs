//! The rules of the gate, each a small pure function: which benchmarks are ours, the
//! throughput floor, when one benchmark's change counts as a regression, and the status of
//! one benchmark. [`Rules`] gathers what a run is judged with.
//!
//! **The floor** is about regressions below 50M msg/s, not about cells that never reached
//! it: one of ours under the floor fails only when its cell in the baseline was at or above
//! it (or there is no baseline figure to tell). Under the floor now and in the baseline too,
//! it is UNDER (baseline): reported with its reason, not failed. The figure judged is
//! normalised for the machine's phase first ([`super::floor`]).
//!
//! **A single benchmark** regresses when its slowdown is larger than the single-benchmark
//! noise margin and significant by Criterion's statistics: the bootstrapped confidence
//! interval of the change lies entirely on the slower side of zero. The change used is that
//! of the *median* time per iteration, which a few descheduled samples on a busy 2-core
//! machine cannot drag the way they drag the mean. Both figures are raw (this cell now
//! against this cell then), so the check applies only when the baseline was recorded by the
//! same harness on the same kind of machine ([`Rules::cell_by_cell`]). Whole groups are
//! judged in [`super::group`].

use super::criterion_json::ChangeEstimates;
use super::margins::{Margins, NoiseMargin};
use super::rate::throughput_change;

/// The floor every benchmark of ours must reach: 50 million messages delivered per second.
pub const FLOOR_MSGS_PER_SEC: f64 = 50_000_000.0;

/// Benchmarks whose function id starts with this are ours and gated; all others are peers.
pub const OURS_PREFIX: &str = "ringstress";

/// Whether a benchmark is ours (gated) by its Criterion function id.
pub fn is_ours(function_id: Option<&str>) -> bool {
    function_id.is_some_and(|id| id.starts_with(OURS_PREFIX))
}

/// What a run is judged with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// The noise margins.
    pub margins: Margins,
    /// Whether the compared baseline was recorded by this harness on this kind of machine
    /// (same CPU model and logical cores), so a cell's raw change means something. When
    /// not, only checks relative to the peers measured beside ours are made.
    pub cell_by_cell: bool,
    /// This machine's logical cores, to tell an oversubscribed topology in the floor's
    /// notes; `None` when unknown.
    pub logical_cores: Option<usize>,
}

impl Rules {
    /// Judging with `margins` against a baseline comparable cell by cell, cores unknown.
    pub fn new(margins: Margins) -> Self {
        Self {
            margins,
            cell_by_cell: true,
            logical_cores: None,
        }
    }
}

/// What a comparison with a baseline says, by the gate's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeCall {
    /// Throughput dropped by more than the margin and the interval lies above zero (slower).
    Regressed,
    /// Throughput dropped by more than the margin, but the interval reaches zero.
    SlowerNotSignificant,
    /// Throughput moved by no more than the margin, either way.
    WithinNoise,
    /// Throughput rose by more than the margin, but the interval reaches zero.
    FasterNotSignificant,
    /// Throughput rose by more than the margin and the interval lies below zero (faster).
    Faster,
}

/// Judges a change written by Criterion (relative change in median time) against the margin.
pub fn call_change(change: &ChangeEstimates, margin: NoiseMargin) -> ChangeCall {
    let throughput = throughput_change(change.median.point_estimate);
    if throughput < -margin.fraction() {
        if change.significantly_slower() {
            ChangeCall::Regressed
        } else {
            ChangeCall::SlowerNotSignificant
        }
    } else if throughput > margin.fraction() {
        if change.significantly_faster() {
            ChangeCall::Faster
        } else {
            ChangeCall::FasterNotSignificant
        }
    } else {
        ChangeCall::WithinNoise
    }
}

/// What the floor says of one benchmark of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorCall {
    /// At or above the floor.
    Pass,
    /// Under the floor, where the baseline was at or above it, or with no baseline figure.
    Fail,
    /// Under the floor, as it was in the baseline: not a regression below 50M.
    UnderAsInBaseline,
    /// Under the floor where the baseline was at or above it, but by less than the noise of
    /// its group on this machine: not a regression below 50M either (see
    /// [`floor_check`](crate::gate::floor_check)).
    UnderWithinNoise,
}

/// The floor's call on a throughput (already normalised for the machine's phase, see
/// [`floor_check`](crate::gate::floor_check)) given the same cell's throughput in the baseline, if there is one.
///
/// ```
/// use ringstress_suite::gate::{FloorCall, call_floor};
///
/// assert_eq!(call_floor(50e6, None), FloorCall::Pass); // the floor itself passes
/// assert_eq!(call_floor(40e6, Some(60e6)), FloorCall::Fail); // fell below it
/// assert_eq!(call_floor(40e6, None), FloorCall::Fail); // nothing says it was ever under
/// assert_eq!(call_floor(40e6, Some(45e6)), FloorCall::UnderAsInBaseline);
/// ```
pub fn call_floor(msgs_per_sec: f64, baseline_msgs_per_sec: Option<f64>) -> FloorCall {
    if msgs_per_sec >= FLOOR_MSGS_PER_SEC {
        FloorCall::Pass
    } else if baseline_msgs_per_sec.is_some_and(|then| then < FLOOR_MSGS_PER_SEC) {
        FloorCall::UnderAsInBaseline
    } else {
        FloorCall::Fail
    }
}

/// The Status column of one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Ours, at or above the floor, not regressed.
    Pass,
    /// Ours, fell below the floor (or under it with no baseline figure).
    FailFloor,
    /// Ours, regressed against the compared baseline.
    Regressed,
    /// Ours, under the floor as it was in the baseline too, not regressed: not a failure.
    UnderAsInBaseline,
    /// Ours, under the floor but within its group's noise of a baseline figure at or above
    /// it, not regressed: not a failure.
    UnderWithinNoise,
    /// Ours, but without a throughput in elements: the floor cannot be checked.
    FailNoThroughput,
    /// Someone else's implementation: measured for comparison, never gated.
    Peer,
}

impl Status {
    /// Whether this status fails the gate.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Self::FailFloor | Self::Regressed | Self::FailNoThroughput
        )
    }

    /// The text of the Status column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::FailFloor => "FAIL (floor)",
            Self::Regressed => "REGRESSED",
            Self::UnderAsInBaseline => "UNDER (baseline)",
            Self::UnderWithinNoise => "UNDER (noise)",
            Self::FailNoThroughput => "FAIL (no throughput)",
            Self::Peer => "peer",
        }
    }
}

/// The status of one benchmark from its floor call (`None`: no throughput in elements) and
/// its regression call against a gated comparison. Peers are never gated; for ours a floor
/// failure is reported first, then a regression, then being under the floor as in the
/// baseline.
///
/// ```
/// use ringstress_suite::gate::{ChangeCall, FloorCall, Status, status_of};
///
/// assert_eq!(status_of(true, Some(FloorCall::Pass), None), Status::Pass);
/// assert_eq!(status_of(true, Some(FloorCall::Fail), None), Status::FailFloor);
/// let under = Some(FloorCall::UnderAsInBaseline);
/// assert_eq!(status_of(true, under, None), Status::UnderAsInBaseline);
/// assert_eq!(status_of(true, under, Some(ChangeCall::Regressed)), Status::Regressed);
/// assert_eq!(status_of(false, Some(FloorCall::Fail), Some(ChangeCall::Regressed)), Status::Peer);
/// ```
pub fn status_of(ours: bool, floor: Option<FloorCall>, gated_call: Option<ChangeCall>) -> Status {
    if !ours {
        return Status::Peer;
    }
    let regressed = gated_call == Some(ChangeCall::Regressed);
    match floor {
        None => Status::FailNoThroughput,
        Some(FloorCall::Fail) => Status::FailFloor,
        Some(_) if regressed => Status::Regressed,
        Some(FloorCall::UnderAsInBaseline) => Status::UnderAsInBaseline,
        Some(FloorCall::UnderWithinNoise) => Status::UnderWithinNoise,
        Some(FloorCall::Pass) => Status::Pass,
    }
}
