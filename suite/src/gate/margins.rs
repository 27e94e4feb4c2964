//! The noise margins of the gate and where they are set: a tight one for a whole group's
//! change relative to its peers ([`super::group`]) and a wide one for a single benchmark
//! ([`super::decision::call_change`]), each overridable per run from the environment. A bad
//! value is an error before any measuring, never a silent default.

use super::error::GateError;

/// The group noise margin used unless `RINGSTRESS_NOISE_MARGIN` says otherwise: a 15%
/// drop of one of our implementations across a group, relative to the peers measured beside
/// it (see [`super::group`]). A starting point, to be tuned: the margin is no longer the
/// only guard against noise, because a group also needs the sign test (most of its cells
/// slower than their peers), which a machine phase landing on a few cells does not pass. In
/// the noise study of the reference machine (`criterion-baselines/README.md`) unchanged code
/// moved groups by up to 31.8% relative to their peers, and our ring made 2x slower dropped
/// them by 50–61%.
pub const DEFAULT_GROUP_MARGIN: f64 = 0.15;
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

/// How far throughput may drop before a significant slowdown is called a regression: a
/// fraction in `(0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseMargin(f64);

impl NoiseMargin {
    /// The margin `fraction` (0.15 = a 15% drop in throughput).
    ///
    /// ```
    /// use ringstress_suite::gate::NoiseMargin;
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
    /// use ringstress_suite::gate::NoiseMargin;
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
