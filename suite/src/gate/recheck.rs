//! `ringstress-gate`: re-checks and re-prints saved results without measuring. Reads the
//! latest run (`new`) or a named baseline against the floor and, against the baseline
//! `--compare-to` names (for `new`, [`CURRENT_BASELINE`] by default, as plain `cargo bench`
//! compares), the comparison Criterion last wrote if it is between exactly those two.

use std::path::PathBuf;

use clap::Parser;

use super::baseline::CURRENT_BASELINE;
use super::error::GateError;
use super::hardware::Hardware;
use super::margins::Margins;
use super::ratio_table::ratio_table;
use super::results::{
    ComparisonSource, LATEST_SLOT, ResultQuery, Selection, criterion_home, load_results,
};
use super::run::{judged_report, load_checked};
use super::table::ResultsReport;

/// `ringstress-gate`'s command line: which saved results to check, against what.
///
/// ```
/// use clap::Parser;
/// use ringstress_suite::gate::RecheckArgs;
///
/// let args = RecheckArgs::try_parse_from(["ringstress-gate", "--baseline", "v0.1"]).unwrap();
/// assert_eq!(args.slot(), "v0.1");
/// assert!(RecheckArgs::try_parse_from(["ringstress-gate", "--baseline"]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "ringstress-gate",
    long_about = None,
    about = "Re-check saved Criterion results against the 50M msg/s floor (and a baseline) \
             without measuring.",
    after_help = "environment: RINGSTRESS_NOISE_MARGIN=0.15 sets the group noise margin and \
                  RINGSTRESS_SINGLE_NOISE_MARGIN=0.5 the single-benchmark one (fractions).\n\
                  exit code: 0 pass (UNDER (baseline) included), 1 FAIL (floor) or REGRESSED, \
                  2 error.\n\
                  example: cargo run --release --bin ringstress-gate -- --baseline v0.4"
)]
pub struct RecheckArgs {
    /// The latest run (Criterion's `new` results), the default
    #[arg(long, conflicts_with = "baseline")]
    pub new: bool,
    /// A saved baseline, e.g. v0.4 (its floor judged on the raw figures)
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Gate regressions against baseline NAME, using the comparison Criterion wrote (after
    /// `cargo bench -- --load-baseline X --baseline NAME`, or a `cargo bench -- --baseline
    /// NAME` run for --new), and judge the floor against NAME's figures [default for --new:
    /// the current baseline]
    #[arg(long, value_name = "NAME")]
    pub compare_to: Option<String>,
    /// Criterion's home [default: $CRITERION_HOME, else target/criterion]
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Instead of the verdict, print the ratio table (README.md's): every implementation's
    /// msg/s per group and pattern at this capacity, and ours over the best peer
    #[arg(long, value_name = "CAPACITY")]
    pub ratios: Option<usize>,
    /// Also write the verdict page (HTML, as a bench run writes to
    /// `<home>/report/ringstress-verdict.html`) to FILE
    #[arg(long, value_name = "FILE", conflicts_with = "ratios")]
    pub page: Option<PathBuf>,
}

impl RecheckArgs {
    /// The results to check: `new` or a baseline name.
    pub fn slot(&self) -> &str {
        self.baseline.as_deref().unwrap_or(LATEST_SLOT)
    }
}

/// The ratio table ([`ratio_table`]) of the saved results `args` names, at `capacity`.
///
/// # Errors
///
/// As [`recheck`].
pub fn ratios(args: &RecheckArgs, capacity: usize) -> Result<String, GateError> {
    let home = args.home.clone().unwrap_or_else(criterion_home);
    let query = ResultQuery {
        slot: args.slot().to_owned(),
        selection: Selection::All,
        comparison: ComparisonSource::None,
        reference: None,
    };
    let results = load_results(&home, &query)?;
    if results.is_empty() {
        return Err(GateError::NoResults {
            home,
            slot: args.slot().to_owned(),
        });
    }
    Ok(ratio_table(&results, capacity))
}

/// The results report of the saved results `args` names.
///
/// # Errors
///
/// [`GateError::NoResults`] when no benchmark has results in the slot, or a read error
/// naming the file.
pub fn recheck(args: &RecheckArgs, margins: Margins) -> Result<ResultsReport, GateError> {
    if args.compare_to.as_deref() == Some(args.slot()) {
        return Err(GateError::Usage(format!(
            "--compare-to {0} compares '{0}' with itself",
            args.slot()
        )));
    }
    let home = args.home.clone().unwrap_or_else(criterion_home);
    let compare_to = args
        .compare_to
        .clone()
        .or_else(|| (args.slot() == LATEST_SLOT).then(|| CURRENT_BASELINE.to_owned()));
    let query = ResultQuery {
        slot: args.slot().to_owned(),
        selection: Selection::All,
        comparison: compare_to
            .clone()
            .map_or(ComparisonSource::None, ComparisonSource::Baseline),
        reference: compare_to.clone(),
    };
    let loaded = load_checked(&home, &query)?;
    if loaded.results.is_empty() {
        return Err(GateError::NoResults {
            home,
            slot: args.slot().to_owned(),
        });
    }
    let what = if args.slot() == LATEST_SLOT {
        "Latest run (re-checked, not re-measured)".to_owned()
    } else {
        format!(
            "Saved baseline `{}` (re-checked, not re-measured; the machine above is the one \
             re-checking, not necessarily the one that recorded it)",
            args.slot()
        )
    };
    let scope = match &compare_to {
        Some(baseline) => format!("{what}, compared with baseline `{baseline}`"),
        None => what,
    };
    let saved_slot = (args.slot() != LATEST_SLOT).then_some(args.slot());
    judged_report(
        &loaded,
        scope,
        &home,
        compare_to.as_deref(),
        saved_slot,
        margins,
        Hardware::detect(),
    )
}
