//! The rules of the gate, each a small pure function: the throughput floor, the noise
//! margin, when a change counts as a regression, and the status of one benchmark.
//!
//! A regression is a slowdown of one of ours, against an explicitly named baseline, that is
//! both larger than the noise margin (measured run-to-run spread on this machine) and
//! significant by Criterion's statistics: the bootstrapped confidence interval of the change
//! lies entirely on the slower side of zero. The change used is that of the *median* time
//! per iteration, which a few descheduled samples on a busy 2-core machine cannot drag the
//! way they drag the mean.

use super::criterion_json::ChangeEstimates;
use super::error::GateError;

/// The floor every benchmark of ours must reach: 50 million messages delivered per second.
pub const FLOOR_MSGS_PER_SEC: f64 = 50_000_000.0;

/// The noise margin used unless `RINGSTRESS_NOISE_MARGIN` says otherwise: a 40% drop in
/// throughput. Set from the noise study of the reference machine (shared, 2 cores; see
/// `criterion-baselines/README.md`): unchanged code moved by a median 21% between two runs,
/// so a tighter margin flags noise in most runs, while a 2x slowdown (a 50% drop) must stay
/// above the margin to be caught.
pub const DEFAULT_NOISE_MARGIN: f64 = 0.40;

/// The environment variable that overrides [`DEFAULT_NOISE_MARGIN`], as a fraction.
pub const NOISE_MARGIN_ENV: &str = "RINGSTRESS_NOISE_MARGIN";

/// Benchmarks whose function id starts with this are ours and gated; all others are peers.
pub const OURS_PREFIX: &str = "ringstress";

/// How far throughput may drop before a significant slowdown is called a regression: a
/// fraction in `(0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseMargin(f64);

impl NoiseMargin {
    /// The margin `fraction` (0.15 = a 15% drop in throughput).
    ///
    /// ```
    /// use ringstress::gate::NoiseMargin;
    ///
    /// assert_eq!(NoiseMargin::new(0.15).unwrap().fraction(), 0.15);
    /// assert!(NoiseMargin::new(15.0).is_err()); // a percentage, not a fraction
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::BadNoiseMargin`] unless `0 < fraction < 1`.
    pub fn new(fraction: f64) -> Result<Self, GateError> {
        if fraction > 0.0 && fraction < 1.0 {
            Ok(Self(fraction))
        } else {
            Err(GateError::BadNoiseMargin {
                value: fraction.to_string(),
            })
        }
    }

    /// The margin from the value of [`NOISE_MARGIN_ENV`] (`None` or blank: the default).
    ///
    /// # Errors
    ///
    /// [`GateError::BadNoiseMargin`] when the value is not a fraction in `(0, 1)`.
    pub fn from_env_value(value: Option<&str>) -> Result<Self, GateError> {
        let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
            return Ok(Self(DEFAULT_NOISE_MARGIN));
        };
        let bad = || GateError::BadNoiseMargin {
            value: text.to_owned(),
        };
        let fraction: f64 = text.parse().map_err(|_| bad())?;
        Self::new(fraction).map_err(|_| bad())
    }

    /// The margin from the environment ([`NOISE_MARGIN_ENV`]), else the default.
    ///
    /// # Errors
    ///
    /// [`GateError::BadNoiseMargin`] when the variable is set to anything but a fraction
    /// in `(0, 1)`.
    pub fn from_env() -> Result<Self, GateError> {
        let value = std::env::var_os(NOISE_MARGIN_ENV);
        let text = value.as_ref().map(|value| value.to_string_lossy());
        Self::from_env_value(text.as_deref())
    }

    /// The margin as a fraction.
    pub fn fraction(self) -> f64 {
        self.0
    }
}

impl Default for NoiseMargin {
    fn default() -> Self {
        Self(DEFAULT_NOISE_MARGIN)
    }
}

/// Whether a benchmark is ours (gated) by its Criterion function id.
pub fn is_ours(function_id: Option<&str>) -> bool {
    function_id.is_some_and(|id| id.starts_with(OURS_PREFIX))
}

/// Messages per second from messages per iteration and nanoseconds per iteration, or
/// `None` when the time is not a positive finite number.
///
/// ```
/// // 64 messages in 32 ns: 2 billion per second.
/// assert_eq!(ringstress::gate::msgs_per_sec(64, 32.0), Some(2e9));
/// ```
pub fn msgs_per_sec(messages_per_iteration: u64, ns_per_iteration: f64) -> Option<f64> {
    (ns_per_iteration.is_finite() && ns_per_iteration > 0.0)
        .then(|| messages_per_iteration as f64 / ns_per_iteration * 1e9)
}

/// The relative change in throughput for a relative change in time: twice the time
/// (`+1.0`) is half the throughput (`-0.5`).
///
/// ```
/// assert_eq!(ringstress::gate::throughput_change(1.0), -0.5);
/// ```
pub fn throughput_change(time_change: f64) -> f64 {
    1.0 / (1.0 + time_change) - 1.0
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
    let median = &change.median;
    let throughput = throughput_change(median.point_estimate);
    if throughput < -margin.fraction() {
        if median.confidence_interval.above_zero() {
            ChangeCall::Regressed
        } else {
            ChangeCall::SlowerNotSignificant
        }
    } else if throughput > margin.fraction() {
        if median.confidence_interval.below_zero() {
            ChangeCall::Faster
        } else {
            ChangeCall::FasterNotSignificant
        }
    } else {
        ChangeCall::WithinNoise
    }
}

/// The Status column of one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Ours, at or above the floor, not regressed.
    Pass,
    /// Ours, below the floor.
    FailFloor,
    /// Ours, at or above the floor, regressed against the compared baseline.
    Regressed,
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
            Self::FailNoThroughput => "FAIL (no throughput)",
            Self::Peer => "peer",
        }
    }
}

/// The status of one benchmark: peers are never gated; ours fail below the floor first,
/// then on a regression against a gated comparison.
///
/// ```
/// use ringstress::gate::{ChangeCall, Status, status_of};
///
/// assert_eq!(status_of(true, Some(50e6), None), Status::Pass); // the floor itself passes
/// assert_eq!(status_of(true, Some(49.9e6), None), Status::FailFloor);
/// assert_eq!(status_of(true, Some(80e6), Some(ChangeCall::Regressed)), Status::Regressed);
/// assert_eq!(status_of(false, Some(1.0), Some(ChangeCall::Regressed)), Status::Peer);
/// ```
pub fn status_of(ours: bool, msgs_per_sec: Option<f64>, gated_call: Option<ChangeCall>) -> Status {
    if !ours {
        return Status::Peer;
    }
    match msgs_per_sec {
        None => Status::FailNoThroughput,
        Some(rate) if rate < FLOOR_MSGS_PER_SEC => Status::FailFloor,
        Some(_) if gated_call == Some(ChangeCall::Regressed) => Status::Regressed,
        Some(_) => Status::Pass,
    }
}
