//! The rules of the gate, each a small pure function: the throughput floor, the noise
//! margins, when a change counts as a regression, and the status of one benchmark.
//!
//! A regression is a slowdown of one of ours, against an explicitly named baseline, that is
//! both larger than a noise margin (measured run-to-run spread on this machine) and
//! significant by Criterion's statistics: the bootstrapped confidence interval of the change
//! lies entirely on the slower side of zero. The change used is that of the *median* time
//! per iteration, which a few descheduled samples on a busy 2-core machine cannot drag the
//! way they drag the mean. There are two margins ([`Margins`]): a tight one for a whole
//! group's combined change (judged in [`super::group`]) and a wide one for a single
//! benchmark (judged here, [`call_change`]).

use super::criterion_json::ChangeEstimates;
use super::error::GateError;

/// The floor every benchmark of ours must reach: 50 million messages delivered per second.
pub const FLOOR_MSGS_PER_SEC: f64 = 50_000_000.0;

/// The group noise margin used unless `RINGSTRESS_NOISE_MARGIN` says otherwise: a 25%
/// drop of one of our implementations across a group, relative to the peers measured beside
/// it (see [`super::group`]). Set from the noise study of the reference machine (shared,
/// 2 cores; `criterion-baselines/README.md`): between two full runs of unchanged code no
/// group with most of its benchmarks significantly slower dropped by more than 17.4%
/// relative to its peers (the worst group drop, 31.8%, had none significant), while our ring
/// made 2x slower dropped by about 40–50%.
pub const DEFAULT_GROUP_MARGIN: f64 = 0.25;
// A 2x slowdown (a 50% drop) must stay beyond the group margin.
const _: () = assert!(DEFAULT_GROUP_MARGIN < 0.5);

/// The single-benchmark noise margin used unless `RINGSTRESS_SINGLE_NOISE_MARGIN` says
/// otherwise: a 90% drop (10x slower) in one benchmark fails the gate even when the rest of
/// its group holds. One benchmark of unchanged code dropped by up to 84% between two runs
/// on the reference machine (and peers by up to 89%), so a single benchmark cannot be held
/// to less; the group check is what catches a 2x slowdown.
pub const DEFAULT_SINGLE_MARGIN: f64 = 0.90;

/// The environment variable that overrides [`DEFAULT_GROUP_MARGIN`], as a fraction.
pub const NOISE_MARGIN_ENV: &str = "RINGSTRESS_NOISE_MARGIN";

/// The environment variable that overrides [`DEFAULT_SINGLE_MARGIN`], as a fraction.
pub const SINGLE_NOISE_MARGIN_ENV: &str = "RINGSTRESS_SINGLE_NOISE_MARGIN";

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
                setting: "the noise margin",
                value: fraction.to_string(),
            })
        }
    }

    /// The margin from the value of the environment variable `variable`, `None` or blank
    /// giving `default`.
    ///
    /// ```
    /// use ringstress::gate::NoiseMargin;
    ///
    /// let margin = NoiseMargin::from_env_value("MY_MARGIN", Some("0.3"), 0.25).unwrap();
    /// assert_eq!(margin.fraction(), 0.3);
    /// let error = NoiseMargin::from_env_value("MY_MARGIN", Some("30%"), 0.25).unwrap_err();
    /// assert!(error.to_string().starts_with("MY_MARGIN must be a fraction"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::BadNoiseMargin`] naming `variable` when the value is not a fraction in
    /// `(0, 1)`.
    pub fn from_env_value(
        variable: &'static str,
        value: Option<&str>,
        default: f64,
    ) -> Result<Self, GateError> {
        let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
            return Self::new(default);
        };
        let bad = || GateError::BadNoiseMargin {
            setting: variable,
            value: text.to_owned(),
        };
        let fraction: f64 = text.parse().map_err(|_| bad())?;
        Self::new(fraction).map_err(|_| bad())
    }

    /// The margin as a fraction.
    pub fn fraction(self) -> f64 {
        self.0
    }
}

/// The two noise margins of the gate: one for a group's combined change, one for a single
/// benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// How far one of our implementations may drop across a group, relative to the peers
    /// measured beside it, before a significant slowdown of the group is a regression.
    pub group: NoiseMargin,
    /// How far one benchmark of ours may drop on its own before a significant slowdown is a
    /// regression.
    pub single: NoiseMargin,
}

impl Margins {
    /// The margins from the environment ([`NOISE_MARGIN_ENV`],
    /// [`SINGLE_NOISE_MARGIN_ENV`]), else the defaults.
    ///
    /// # Errors
    ///
    /// [`GateError::BadNoiseMargin`] when a variable is set to anything but a fraction in
    /// `(0, 1)`.
    pub fn from_env() -> Result<Self, GateError> {
        let read = |variable: &'static str, default: f64| {
            let value = std::env::var_os(variable);
            let text = value.as_ref().map(|value| value.to_string_lossy());
            NoiseMargin::from_env_value(variable, text.as_deref(), default)
        };
        Ok(Self {
            group: read(NOISE_MARGIN_ENV, DEFAULT_GROUP_MARGIN)?,
            single: read(SINGLE_NOISE_MARGIN_ENV, DEFAULT_SINGLE_MARGIN)?,
        })
    }
}

impl Default for Margins {
    fn default() -> Self {
        Self {
            group: NoiseMargin(DEFAULT_GROUP_MARGIN),
            single: NoiseMargin(DEFAULT_SINGLE_MARGIN),
        }
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
