//! Why the gate could not reach a verdict: unreadable or corrupt Criterion files, an
//! unreadable or unwritable baseline metadata file, a bad noise margin, bad command-line
//! arguments. Each message names the file or value at fault
//! and what to do about it.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// The gate could not reach a verdict. Distinct from a verdict of FAIL: these mean the
/// inputs themselves are unusable.
#[derive(Debug)]
pub enum GateError {
    /// A file Criterion should have written could not be read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A file was read but is not the JSON Criterion 0.8 writes there.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A baseline's metadata file (`<home>/baselines/NAME.json`) is not the JSON the gate
    /// writes there.
    BadBaselineMetadata {
        /// The file.
        path: PathBuf,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A file the gate writes (a baseline's metadata) could not be written.
    Unwritable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A noise margin (`RINGSTRESS_NOISE_MARGIN`, `RINGSTRESS_SINGLE_NOISE_MARGIN`, or one
    /// given in code) is not a fraction in `(0, 1)`.
    BadNoiseMargin {
        /// Where it came from: the environment variable, or "the noise margin".
        setting: &'static str,
        /// The value as given.
        value: String,
    },
    /// Command-line arguments of `ringstress-gate` that cannot be understood.
    Usage(String),
    /// No benchmark under the Criterion home has results in the requested slot.
    NoResults {
        /// The Criterion home that was searched.
        home: PathBuf,
        /// The slot that was asked for (`new` or a baseline name).
        slot: String,
    },
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            Self::Corrupt { path, source } => write!(
                f,
                "{} is not the JSON Criterion 0.8 writes ({source}); \
                 re-run the benchmark to rewrite it",
                path.display()
            ),
            Self::BadBaselineMetadata { path, source } => write!(
                f,
                "{} is not a baseline metadata file the gate can read ({source}); delete it \
                 and record the baseline again with --save-baseline to rewrite it",
                path.display()
            ),
            Self::Unwritable { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
            Self::BadNoiseMargin { setting, value } => write!(
                f,
                "{setting} must be a fraction between 0 and 1 (e.g. 0.15 for 15%), got {value:?}"
            ),
            Self::Usage(message) => f.write_str(message),
            Self::NoResults { home, slot } => write!(
                f,
                "no benchmark under {} has results in '{slot}' \
                 (run `cargo bench` first, or check the baseline name and --home)",
                home.display()
            ),
        }
    }
}

impl std::error::Error for GateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreadable { source, .. } => Some(source),
            Self::Corrupt { source, .. } => Some(source),
            Self::BadBaselineMetadata { source, .. } => Some(source),
            Self::Unwritable { source, .. } => Some(source),
            Self::BadNoiseMargin { .. } | Self::Usage(_) | Self::NoResults { .. } => None,
        }
    }
}
