//! The JSON files Criterion 0.8 writes for each benchmark, as serde structs, and the one
//! function that reads them. Field names mirror Criterion's own structs so the files
//! deserialize as written; fields the gate does not use are left out (serde skips them).
//!
//! Per benchmark directory `<home>/<group>/<function>/<parameter>/`:
//! - `<slot>/benchmark.json` ([`BenchmarkRecord`]): the id and the throughput per iteration;
//! - `<slot>/estimates.json` ([`Estimates`]): nanoseconds per iteration;
//! - `<slot>/sample.json` ([`Samples`]): each sample's iteration count and total time;
//! - `change/estimates.json` ([`ChangeEstimates`]): the relative change in time of the last
//!   comparison (`+0.10` = 10% slower).
//!
//! `<slot>` is `new` (the latest run), `base` (the previous run) or a named baseline.

use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::GateError;

/// The file naming a benchmark and its throughput (`<slot>/benchmark.json`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BenchmarkRecord {
    /// The group, e.g. `"mpmc_thrash/2p2c"` (scenario / topology or policy).
    pub group_id: String,
    /// The implementation, e.g. `"ringstress-mpmc"` or `"rtrb"`.
    pub function_id: Option<String>,
    /// The parameter, e.g. `"1024/uniform"` (size / burst pattern).
    pub value_str: Option<String>,
    /// Work per iteration, as declared with `group.throughput(..)`.
    pub throughput: Option<Throughput>,
    /// `group/function/parameter`: the id Criterion prints and filters on.
    pub full_id: String,
    /// Where Criterion keeps this benchmark under its home (with `/` in ids made safe).
    pub directory_name: String,
}

/// Criterion's `Throughput`: how much work one iteration does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Throughput {
    /// Bits per iteration.
    Bits(u64),
    /// Bytes per iteration (binary prefixes).
    Bytes(u64),
    /// Bytes per iteration (decimal prefixes).
    BytesDecimal(u64),
    /// Elements per iteration: for this suite, messages delivered.
    Elements(u64),
    /// Elements and bytes per iteration.
    ElementsAndBytes {
        /// Elements per iteration.
        elements: u64,
        /// Bytes per iteration.
        bytes: u64,
    },
}

impl Throughput {
    /// Elements (messages) per iteration, when the throughput is counted in elements.
    pub fn elements(self) -> Option<u64> {
        match self {
            Self::Elements(elements) | Self::ElementsAndBytes { elements, .. } => Some(elements),
            Self::Bits(_) | Self::Bytes(_) | Self::BytesDecimal(_) => None,
        }
    }
}

/// A confidence interval around an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct ConfidenceInterval {
    /// E.g. 0.95.
    pub confidence_level: f64,
    /// Lower end.
    pub lower_bound: f64,
    /// Upper end.
    pub upper_bound: f64,
}

impl ConfidenceInterval {
    /// Whether the whole interval lies above zero.
    pub fn above_zero(&self) -> bool {
        self.lower_bound > 0.0
    }

    /// Whether the whole interval lies below zero.
    pub fn below_zero(&self) -> bool {
        self.upper_bound < 0.0
    }
}

/// One bootstrapped statistic: a point estimate and its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Estimate {
    /// The interval.
    pub confidence_interval: ConfidenceInterval,
    /// The estimate itself.
    pub point_estimate: f64,
    /// Its standard error.
    pub standard_error: f64,
}

/// Time per iteration in nanoseconds (`<slot>/estimates.json`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Estimates {
    /// Mean time per iteration.
    pub mean: Estimate,
    /// Median time per iteration.
    pub median: Estimate,
    /// Median absolute deviation.
    pub median_abs_dev: Estimate,
    /// Slope of the linear regression of time on iterations; present for linear sampling.
    pub slope: Option<Estimate>,
    /// Standard deviation.
    pub std_dev: Estimate,
}

impl Estimates {
    /// The figure Criterion prints as "time": the slope when present, else the mean.
    pub fn typical(&self) -> &Estimate {
        self.slope.as_ref().unwrap_or(&self.mean)
    }
}

/// The raw samples (`<slot>/sample.json`): sample `i` ran `iters[i]` iterations in
/// `times[i]` nanoseconds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Samples {
    /// Iterations per sample.
    pub iters: Vec<f64>,
    /// Nanoseconds per sample.
    pub times: Vec<f64>,
}

impl Samples {
    /// The fastest sample's time per iteration in nanoseconds, `None` without a sample of
    /// positive iterations and time.
    ///
    /// ```
    /// use ringstress_suite::gate::Samples;
    ///
    /// let samples = Samples { iters: vec![10.0, 20.0, 30.0], times: vec![50.0, 80.0, 150.0] };
    /// assert_eq!(samples.fastest_time_per_iter(), Some(4.0));
    /// ```
    pub fn fastest_time_per_iter(&self) -> Option<f64> {
        self.iters
            .iter()
            .zip(&self.times)
            .filter(|(iters, time)| **iters > 0.0 && **time > 0.0)
            .map(|(iters, time)| time / iters)
            .filter(|per_iter| per_iter.is_finite())
            .reduce(f64::min)
    }
}

/// The relative change in time of the last comparison (`change/estimates.json`):
/// `new / baseline - 1`, so positive means slower.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChangeEstimates {
    /// Relative change of the mean time per iteration.
    pub mean: Estimate,
    /// Relative change of the median time per iteration.
    pub median: Estimate,
}

impl ChangeEstimates {
    /// Whether Criterion's statistics call it slower: the confidence interval of the median
    /// time change lies entirely above zero.
    pub fn significantly_slower(&self) -> bool {
        self.median.confidence_interval.above_zero()
    }

    /// Whether Criterion's statistics call it faster: the interval lies entirely below zero.
    pub fn significantly_faster(&self) -> bool {
        self.median.confidence_interval.below_zero()
    }
}

/// Reads one of Criterion's JSON files.
///
/// # Errors
///
/// [`GateError::Unreadable`] when the file cannot be read, [`GateError::Corrupt`] when it
/// is not the JSON expected there; both name the file.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, GateError> {
    let text = fs::read_to_string(path).map_err(|source| GateError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| GateError::Corrupt {
        path: path.to_owned(),
        source,
    })
}
