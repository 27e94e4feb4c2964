//! `ringstress-gate`: re-checks and re-prints saved results without measuring. Reads the
//! latest run (`new`) or a named baseline against the floor and, against the baseline
//! `--compare-to` names (for `new`, [`CURRENT_BASELINE`] by default, as plain `cargo bench`
//! compares), the comparison Criterion last wrote if it is between exactly those two.

use std::path::PathBuf;

use super::baseline::CURRENT_BASELINE;
use super::error::GateError;
use super::hardware::Hardware;
use super::margins::Margins;
use super::results::{
    ComparisonSource, LATEST_SLOT, ResultQuery, Selection, criterion_home, load_results,
};
use super::run::judged_report;
use super::table::ResultsReport;

/// The usage text of `ringstress-gate`.
pub const RECHECK_USAGE: &str = "\
Re-check saved Criterion results against the 50M msg/s floor (and a baseline) without measuring.

usage: ringstress-gate [--new | --baseline NAME] [--compare-to NAME] [--home DIR]

  --new              the latest run (Criterion's `new` results) [default]
  --baseline NAME    a saved baseline, e.g. v0.2 (its floor judged on the raw figures)
  --compare-to NAME  gate regressions against baseline NAME, using the comparison Criterion
                     wrote (after `cargo bench -- --load-baseline X --baseline NAME`, or a
                     `cargo bench -- --baseline NAME` run for --new), and judge the floor
                     against NAME's figures [default for --new: the current baseline]
  --home DIR         Criterion's home [default: $CRITERION_HOME, else target/criterion]
  -h, --help         this text

environment: RINGSTRESS_NOISE_MARGIN=0.15 sets the group noise margin and
RINGSTRESS_SINGLE_NOISE_MARGIN=0.5 the single-benchmark one (fractions).
exit code: 0 pass (UNDER (baseline) included), 1 FAIL (floor) or REGRESSED, 2 error.
example: cargo run --release --bin ringstress-gate -- --baseline v0.1";

/// What `ringstress-gate` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecheckCommand {
    /// Print [`RECHECK_USAGE`].
    Help,
    /// Check saved results.
    Check(RecheckArgs),
}

/// Which saved results to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckArgs {
    /// `new` or a baseline name.
    pub slot: String,
    /// The baseline to gate regressions and judge the floor against; for `new`, `None`
    /// means [`CURRENT_BASELINE`].
    pub compare_to: Option<String>,
    /// Criterion's home, if not the default.
    pub home: Option<PathBuf>,
}

/// Reads `ringstress-gate`'s arguments (after the program name).
///
/// ```
/// use ringstress_suite::gate::{RecheckCommand, parse_recheck_args};
///
/// let RecheckCommand::Check(args) = parse_recheck_args(["--baseline", "v0.1"]).unwrap() else {
///     unreachable!()
/// };
/// assert_eq!(args.slot, "v0.1");
/// assert!(parse_recheck_args(["--baseline"]).is_err());
/// ```
///
/// # Errors
///
/// [`GateError::Usage`] for an unknown argument, a missing value, or contradicting choices.
pub fn parse_recheck_args<I, S>(args: I) -> Result<RecheckCommand, GateError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut slot: Option<String> = None;
    let mut compare_to = None;
    let mut home = None;
    let mut args = args.into_iter().map(|arg| arg.as_ref().to_owned());
    while let Some(arg) = args.next() {
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value_of = |option: &str| {
            inline_value
                .clone()
                .or_else(|| args.next())
                .filter(|value| !value.is_empty() && !value.starts_with('-'))
                .ok_or_else(|| GateError::Usage(format!("{option} needs a value")))
        };
        let chosen = match name.as_str() {
            "-h" | "--help" => return Ok(RecheckCommand::Help),
            "--new" if inline_value.is_none() => Some(LATEST_SLOT.to_owned()),
            "--baseline" => Some(value_of("--baseline")?),
            "--compare-to" => {
                compare_to = Some(value_of("--compare-to")?);
                None
            }
            "--home" => {
                home = Some(PathBuf::from(value_of("--home")?));
                None
            }
            _ => return Err(GateError::Usage(format!("unexpected argument {arg:?}"))),
        };
        if let Some(chosen) = chosen {
            if slot.as_ref().is_some_and(|earlier| *earlier != chosen) {
                return Err(GateError::Usage(
                    "choose one of --new and --baseline NAME".to_owned(),
                ));
            }
            slot = Some(chosen);
        }
    }
    let slot = slot.unwrap_or_else(|| LATEST_SLOT.to_owned());
    if compare_to.as_deref() == Some(slot.as_str()) {
        return Err(GateError::Usage(format!(
            "--compare-to {slot} compares '{slot}' with itself"
        )));
    }
    Ok(RecheckCommand::Check(RecheckArgs {
        slot,
        compare_to,
        home,
    }))
}

/// The results report of the saved results `args` names.
///
/// # Errors
///
/// [`GateError::NoResults`] when no benchmark has results in the slot, or a read error
/// naming the file.
pub fn recheck(args: &RecheckArgs, margins: Margins) -> Result<ResultsReport, GateError> {
    let home = args.home.clone().unwrap_or_else(criterion_home);
    let compare_to = args
        .compare_to
        .clone()
        .or_else(|| (args.slot == LATEST_SLOT).then(|| CURRENT_BASELINE.to_owned()));
    let query = ResultQuery {
        slot: args.slot.clone(),
        selection: Selection::All,
        comparison: compare_to
            .clone()
            .map_or(ComparisonSource::None, ComparisonSource::Baseline),
        reference: compare_to.clone(),
    };
    let results = load_results(&home, &query)?;
    if results.is_empty() {
        return Err(GateError::NoResults {
            home,
            slot: args.slot.clone(),
        });
    }
    let what = if args.slot == LATEST_SLOT {
        "Latest run (re-checked, not re-measured)".to_owned()
    } else {
        format!(
            "Saved baseline `{}` (re-checked, not re-measured; the machine above is the one \
             re-checking, not necessarily the one that recorded it)",
            args.slot
        )
    };
    let scope = match &compare_to {
        Some(baseline) => format!("{what}, compared with baseline `{baseline}`"),
        None => what,
    };
    let saved_slot = (args.slot != LATEST_SLOT).then_some(args.slot.as_str());
    judged_report(
        &results,
        scope,
        &home,
        compare_to.as_deref(),
        saved_slot,
        margins,
        Hardware::detect(),
    )
}
