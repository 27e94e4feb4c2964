//! The floor check of one benchmark of ours: its throughput with the machine's phase taken
//! out, the floor's call on it against the baseline ([`call_floor`]), and, when it is under
//! the floor, the reason this run's own figures give.
//!
//! **Normalisation.** On a shared machine a slow phase lowers every figure measured during
//! it, ours and the peers' alike; that is not our ring falling below 50M. The peers measured
//! beside ours in the same cell (same scenario, topology, pattern and capacity) carry the phase with them: the
//! largest drop among them since the baseline (throughput now over then) is the machine's
//! change, since a phase can hit one kind of queue harder than another (two SPSC rings lose
//! 85% while std's channel loses 30%, in one cell of one run of unchanged code). With no peer
//! in the cell that has a baseline figure, the geometric mean over the peers of the whole
//! group stands in; with none at all, the machine is taken as unchanged.
//! Ours is divided by that change only when it is a slowdown: a slow phase excuses a drop,
//! a fast phase of the peers never counts against us.
//! The machine's change and the tolerance are measured by the figure the group check
//! compares ([`Estimator`]): the fastest samples' ratio where the family's threads fit on
//! the machine's cores, the typical figures' ratio where they do not. The fall itself is
//! tested on both figures (below).
//!
//! **Noise.** A cell whose baseline figure sits just above the floor crosses it now and then
//! on unchanged code. Falling under the floor fails only when the normalised figure is also
//! a real drop from the baseline: beyond the larger of the group margin and
//! [`SLICE_NOISE_FACTOR`](crate::gate::SLICE_NOISE_FACTOR) times the group's peer noise
//! (how far one peer moves against the others between the two runs, measured in this run as
//! the group check does). A smaller dip is `UNDER (noise)`, reported, not failed.
//!
//! **Both figures.** A fall is one cell's call, with no other cell to outvote a phase of the
//! machine or a flip of the samples between modes, so it fails only when it shows by the
//! medians *and* by the fastest samples, each against the peers' same figure. A slower ring
//! moves all its samples; a phase or a flip moves some. Seen on unchanged code, once each:
//! - our MPMC ring at 16–19M msg/s in all 10 samples of `spawn_storm/two-thread/steady/64`
//!   (72M in the baseline) while each peer caught 2–6 fast samples (their fastest figures
//!   held, three of the four lost 31–83% by their medians): a fall by the fastest samples
//!   alone;
//! - our MPMC ring at `http_flood/2-workers/avalanche/65536` with 5 samples at 32–38M and 5
//!   at 64–73M (66M in the baseline, fastest 70M), its median 38M: a fall by the median
//!   alone.
//!
//! **Reasons**, for one of ours under the floor, from the data of this run: a topology with
//! more threads than this machine has logical cores is oversubscribed (threads then wait for
//! a core, not for the ring); else the best peer in the same cell tells whether any queue
//! reaches 50M there, or whether ours is behind a peer.
//!
//! ```
//! use ringstress_suite::gate::threads_of;
//!
//! assert_eq!(threads_of("mpmc_thrash/4p4c"), Some(8));
//! assert_eq!(threads_of("http_flood/2-workers"), Some(3)); // the acceptor too
//! assert_eq!(threads_of("harness_overhead/mpmc_thrash"), None);
//! ```

use std::collections::BTreeMap;

use super::decision::{FLOOR_MSGS_PER_SEC, FloorCall, call_floor};
use super::estimator::{Estimator, threads_of};
use super::group::{SLICE_NOISE_FACTOR, peer_noise};
use super::margins::DEFAULT_GROUP_MARGIN;
use super::rate::{format_change, format_rate};
use super::results::{BenchmarkResult, Place};

/// Normalisation shows in the notes when it moves the figure by more than this fraction.
const SHOWN_NORMALISATION: f64 = 0.05;

/// The floor check of one benchmark of ours.
#[derive(Debug, Clone, PartialEq)]
pub struct FloorCheck {
    /// Throughput as measured.
    pub msgs_per_sec: f64,
    /// Throughput with a slow phase of the machine taken out: what the floor judges.
    pub normalised: f64,
    /// The peers' change since the reference baseline (geometric mean of their throughput
    /// ratios, minus one), when any peer beside it has a figure there.
    pub peers_change: Option<f64>,
    /// The baseline the floor is judged against, when it has figures for this run.
    pub reference: Option<String>,
    /// This benchmark's throughput in that baseline.
    pub baseline_msgs_per_sec: Option<f64>,
    /// The call.
    pub call: FloorCall,
    /// How far below its baseline figure (a fraction) a cell may fall within its group's
    /// noise: an `UnderWithinNoise` call stayed within it.
    pub tolerance: f64,
    /// Why it is under the floor, from this run's figures; `None` when it is not.
    pub reason: Option<String>,
}

/// The floor check of `result` (one of ours with a throughput in elements; `None`
/// otherwise), with the peers among `beside` (the results of the same run) as the measure
/// of the machine, on a machine with `logical_cores`; a drop within `group_threshold` (the
/// threshold of its group check, if it had one) or else within the group's peer noise
/// measured here is no floor failure.
pub fn floor_check(
    result: &BenchmarkResult,
    beside: &[BenchmarkResult],
    logical_cores: Option<usize>,
    group_threshold: Option<f64>,
) -> Option<FloorCheck> {
    if !result.is_ours() {
        return None;
    }
    let msgs_per_sec = result.msgs_per_sec()?;
    // A baseline that has no figure for any benchmark of the run is no baseline: its name
    // would only make every note claim a comparison that was not made.
    let reference = beside
        .iter()
        .any(|other| other.reference_msgs_per_sec().is_some())
        .then(|| result.reference.as_ref().map(|r| r.baseline.clone()))
        .flatten();
    // The machine's change and the tolerance come from the figure the group check compares
    // (see `estimator`); the fall below is tested on both figures.
    let estimator = Estimator::for_family(result.place().family, logical_cores);
    let peers_change = peers_ratio(result, beside, estimator);
    let machine = peers_change.unwrap_or(1.0).min(1.0);
    let normalised = msgs_per_sec / machine;
    let baseline_msgs_per_sec = result.reference_msgs_per_sec();
    // The same threshold as its group's regression check when there is one, so the floor
    // and the group call agree on what this group's noise allows.
    let tolerance = group_threshold.unwrap_or_else(|| drop_tolerance(result, beside, estimator));
    // Whether ours, by `figure`, dropped no further than the machine beside it did plus the
    // tolerance.
    let within_noise = |figure: Estimator| {
        let machine = peers_ratio(result, beside, figure).unwrap_or(1.0).min(1.0);
        ratio_to_reference(result, figure).is_some_and(|own| own / machine >= 1.0 - tolerance)
    };
    let call = match call_floor(normalised, baseline_msgs_per_sec) {
        // A fall is one cell's call, with no other cell to outvote a phase of the machine or
        // a flip of the samples between modes: it must show in both figures.
        FloorCall::Fail
            if within_noise(Estimator::Median) || within_noise(Estimator::FastestSample) =>
        {
            FloorCall::UnderWithinNoise
        }
        call => call,
    };
    let reason = (call != FloorCall::Pass).then(|| reason_under(result, beside, logical_cores));
    Some(FloorCheck {
        msgs_per_sec,
        normalised,
        peers_change: peers_change.map(|ratio| ratio - 1.0),
        reference,
        baseline_msgs_per_sec,
        call,
        tolerance,
        reason,
    })
}

/// How far (a fraction) a cell of `result`'s group may drop from its baseline figure within
/// the noise: the larger of [`DEFAULT_GROUP_MARGIN`] and
/// [`SLICE_NOISE_FACTOR`](crate::gate::SLICE_NOISE_FACTOR) times the group's peer noise
/// among `beside` (each peer's log ratio, now over the reference, against the mean of the
/// other peers in its cell, see [`peer_noise`]), when it can be measured.
fn drop_tolerance(
    result: &BenchmarkResult,
    beside: &[BenchmarkResult],
    estimator: Estimator,
) -> f64 {
    let family = result.place().family;
    let mut cells: BTreeMap<Place<'_>, Vec<f64>> = BTreeMap::new();
    for peer in beside {
        if peer.is_ours() || peer.place().family != family {
            continue;
        }
        if let Some(ratio) = ratio_to_reference(peer, estimator) {
            cells.entry(peer.place()).or_default().push(ratio.ln());
        }
    }
    let noise = peer_noise(cells.values().map(Vec::as_slice));
    noise.map_or(DEFAULT_GROUP_MARGIN, |noise| {
        DEFAULT_GROUP_MARGIN.max(1.0 - (-SLICE_NOISE_FACTOR * noise).exp())
    })
}

impl FloorCheck {
    /// The Notes column's part for the floor: the normalised figure when it differs from
    /// the measured one, and for one under the floor, what the baseline said and why.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let reference = self.reference.as_deref().unwrap_or("the baseline");
        if let Some(change) = self.peers_change
            && (self.normalised / self.msgs_per_sec - 1.0).abs() > SHOWN_NORMALISATION
        {
            notes.push(format!(
                "{} normalised for the peers' {} vs {reference}",
                format_rate(self.normalised),
                format_change(change),
            ));
        }
        let then = self.baseline_msgs_per_sec.map(format_rate);
        let verdict = match (self.call, &self.reference, then) {
            (FloorCall::Pass, ..) => return notes,
            (FloorCall::UnderAsInBaseline, _, Some(then)) => {
                format!("under the floor in {reference} too ({then})")
            }
            (FloorCall::UnderWithinNoise, _, Some(then)) => format!(
                "under the floor, but within this group's noise (-{:.0}%) of {then} in {reference}",
                self.tolerance * 100.0
            ),
            (_, Some(_), Some(then)) => format!("fell under the floor: {then} in {reference}"),
            (_, Some(_), None) => format!("under the floor, and no {reference} figure for it"),
            (_, None, _) => "under the floor, and no baseline to compare with".to_owned(),
        };
        notes.push(verdict);
        notes.extend(self.reason.clone());
        notes
    }
}

/// The machine's change beside `result`, as a throughput ratio (now over the reference):
/// the largest drop among the peers in its cell (a slow phase can hit one queue's pattern of
/// cache-line traffic harder than another's, and a drop that a peer took in the same cell of
/// the same run is not ours), else the geometric mean over the peers in its group; `None`
/// when no peer has a figure in the reference.
fn peers_ratio(
    result: &BenchmarkResult,
    beside: &[BenchmarkResult],
    estimator: Estimator,
) -> Option<f64> {
    let log_ratios = |same_cell: bool| -> Vec<f64> {
        beside
            .iter()
            .filter(|peer| !peer.is_ours() && peer.place().family == result.place().family)
            .filter(|peer| !same_cell || peer.place() == result.place())
            .filter_map(|peer| Some(ratio_to_reference(peer, estimator)?.ln()))
            .collect()
    };
    let in_cell = log_ratios(true);
    if let Some(largest_drop) = in_cell.iter().copied().reduce(f64::min) {
        return Some(largest_drop.exp());
    }
    let logs = log_ratios(false);
    (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
}

/// `result`'s throughput now over its reference figure by `estimator`, by the median when it
/// has no samples to take the fastest of; `None` without a reference figure.
fn ratio_to_reference(result: &BenchmarkResult, estimator: Estimator) -> Option<f64> {
    result
        .ratio_to_reference(estimator)
        .or_else(|| result.ratio_to_reference(Estimator::Median))
        .filter(|ratio| *ratio > 0.0)
}

/// Why `result` is under the floor, from this run's figures.
fn reason_under(
    result: &BenchmarkResult,
    beside: &[BenchmarkResult],
    logical_cores: Option<usize>,
) -> String {
    if let (Some(threads), Some(cores)) = (threads_of(result.place().family), logical_cores)
        && threads > cores
    {
        return format!("oversubscribed: {threads} threads on {cores} cores");
    }
    let best_peer = beside
        .iter()
        .filter(|peer| !peer.is_ours() && peer.place() == result.place())
        .filter_map(|peer| Some((peer.record.function_id.as_deref()?, peer.msgs_per_sec()?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match best_peer {
        None => "no peer measured beside it".to_owned(),
        Some((peer, rate)) if rate < FLOOR_MSGS_PER_SEC => format!(
            "no queue reaches 50M here: best peer {peer} at {}",
            format_rate(rate)
        ),
        Some((peer, rate)) => format!(
            "best peer here: {peer} at {}, ahead of ours",
            format_rate(rate)
        ),
    }
}
