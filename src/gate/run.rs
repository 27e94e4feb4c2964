//! The gate at the end of a bench binary: from the binary's arguments and start time, load
//! what this run wrote, print the results report, write the report file, and exit non-zero
//! on a failure. [`start_run`] and [`after_benches`] are what
//! [`bench_main!`](crate::bench_main) calls;
//! [`gate_run`] is the same without printing or exiting.

use std::path::Path;
use std::process;
use std::time::SystemTime;

use super::criterion_args::{BaselineUse, CriterionArgs};
use super::decision::Margins;
use super::error::GateError;
use super::hardware::Hardware;
use super::report_file;
use super::results::{
    ComparisonSource, LATEST_SLOT, PREVIOUS_RUN_BASELINE, ResultQuery, Selection, criterion_home,
    load_results,
};
use super::table::ResultsReport;
use super::verdict::rows_for;

/// Exit code when the gate could not reach a verdict (unreadable files, bad settings).
pub const EXIT_ERROR: i32 = 2;

/// What the gate made of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum GateOutcome {
    /// Not a measuring run; the reason says why.
    Skipped(&'static str),
    /// A measuring run, but no benchmark wrote results (a filter that matched nothing).
    NothingWritten,
    /// The report of the results this run wrote.
    Checked(Box<ResultsReport>),
}

/// Records when a bench binary's run starts, for [`after_benches`]. In a measuring run it
/// first checks the gate's settings, so a bad `RINGSTRESS_NOISE_MARGIN` (or `RINGSTRESS_SINGLE_NOISE_MARGIN`) stops the run
/// before minutes of measuring rather than after (exit code 2).
pub fn start_run() -> SystemTime {
    let args = CriterionArgs::parse(std::env::args().skip(1));
    if args.skip_reason().is_none()
        && let Err(error) = Margins::from_env()
    {
        eprintln!("ringstress gate: error: {error}");
        process::exit(EXIT_ERROR);
    }
    SystemTime::now()
}

/// Runs the gate after Criterion's `final_summary`: prints the results report of the
/// benchmarks this run wrote, writes it to `<home>/report/ringstress-results.md`, and
/// exits the process with 1 on a floor breach or regression, 2 when the results cannot be
/// read. Returns (doing nothing) unless this is a measuring `cargo bench` run.
pub fn after_benches(started: SystemTime) {
    let args = CriterionArgs::parse(std::env::args().skip(1));
    let home = criterion_home();
    let outcome = Margins::from_env()
        .and_then(|margins| gate_run(&args, started, &home, margins).map(|o| (o, margins)));
    let (outcome, margins) = match outcome {
        Ok(done) => done,
        Err(error) => {
            eprintln!("ringstress gate: error: {error}");
            process::exit(EXIT_ERROR);
        }
    };
    match outcome {
        GateOutcome::Skipped(reason) => {
            if args.bench {
                eprintln!("ringstress gate: skipped ({reason})");
            }
        }
        GateOutcome::NothingWritten => println!(
            "ringstress gate: no benchmark of this run wrote results under {} \
             (did the filter match nothing?); nothing to gate",
            home.display()
        ),
        GateOutcome::Checked(report) => {
            println!("\n{}", report.to_markdown());
            write_report_file(&args, started, &home, margins, &report);
            let verdict = report.verdict();
            if !verdict.passed() {
                process::exit(verdict.exit_code());
            }
        }
    }
}

/// The gate's decision for a run that started at `started` with `args`, reading the
/// Criterion home `home`, without printing or exiting.
///
/// # Errors
///
/// [`GateError`] when a result this run wrote cannot be read.
pub fn gate_run(
    args: &CriterionArgs,
    started: SystemTime,
    home: &Path,
    margins: Margins,
) -> Result<GateOutcome, GateError> {
    if let Some(reason) = args.skip_reason() {
        return Ok(GateOutcome::Skipped(reason));
    }
    match report_since(args, started, home, margins)? {
        None => Ok(GateOutcome::NothingWritten),
        Some(report) => Ok(GateOutcome::Checked(Box::new(report))),
    }
}

/// The report of every result written since `since` by runs with `args`, or `None` if
/// there are none.
fn report_since(
    args: &CriterionArgs,
    since: SystemTime,
    home: &Path,
    margins: Margins,
) -> Result<Option<ResultsReport>, GateError> {
    let results = load_results(home, &query_for_run(args, since))?;
    if results.is_empty() {
        return Ok(None);
    }
    let (rows, groups) = rows_for(&results, margins);
    Ok(Some(ResultsReport {
        hardware: Hardware::detect(),
        scope: scope_of_run(args),
        margins,
        rows,
        groups,
    }))
}

/// What a measuring run started at `since` wrote, and the comparison it made.
pub fn query_for_run(args: &CriterionArgs, since: SystemTime) -> ResultQuery {
    match (&args.baseline, &args.load_baseline) {
        (BaselineUse::Compare(baseline), Some(loaded)) => ResultQuery {
            slot: loaded.clone(),
            selection: Selection::ComparedSince(since),
            comparison: ComparisonSource::Baseline(baseline.clone()),
        },
        (BaselineUse::Compare(baseline), None) => ResultQuery {
            slot: LATEST_SLOT.to_owned(),
            selection: Selection::WrittenSince(since),
            comparison: ComparisonSource::Baseline(baseline.clone()),
        },
        (BaselineUse::Save(baseline), _) => ResultQuery {
            slot: LATEST_SLOT.to_owned(),
            selection: Selection::WrittenSince(since),
            comparison: ComparisonSource::Overwritten {
                baseline: baseline.clone(),
                since,
            },
        },
        (BaselineUse::PreviousRun | BaselineUse::Discard, _) => ResultQuery {
            slot: LATEST_SLOT.to_owned(),
            selection: Selection::WrittenSince(since),
            comparison: ComparisonSource::Overwritten {
                baseline: PREVIOUS_RUN_BASELINE.to_owned(),
                since,
            },
        },
    }
}

fn scope_of_run(args: &CriterionArgs) -> String {
    match (&args.baseline, &args.load_baseline) {
        (BaselineUse::Compare(baseline), Some(loaded)) => {
            format!(
                "Saved results `{loaded}` (not re-measured), compared with baseline `{baseline}`"
            )
        }
        (BaselineUse::Compare(baseline), None) => {
            format!("This run, compared with baseline `{baseline}`")
        }
        (BaselineUse::Save(baseline), _) => format!(
            "This run, recorded as baseline `{baseline}` (change vs its previous contents \
             shown, not gated)"
        ),
        (BaselineUse::PreviousRun | BaselineUse::Discard, _) => {
            "This run (change vs the previous run shown, not gated; compare with \
             `--baseline NAME` to gate regressions)"
                .to_owned()
        }
    }
}

/// Writes the report file, covering every bench binary of this `cargo bench` so far.
/// A failure to write is reported, not fatal: the verdict stands.
fn write_report_file(
    args: &CriterionArgs,
    started: SystemTime,
    home: &Path,
    margins: Margins,
    this_binary: &ResultsReport,
) {
    let since = report_file::invocation_start(home, started);
    let whole_invocation = if since < started {
        report_since(args, since, home, margins)
    } else {
        Ok(None)
    };
    let report = match &whole_invocation {
        Ok(Some(report)) => report,
        Ok(None) => this_binary,
        Err(error) => {
            eprintln!("ringstress gate: warning: report file covers this scenario only: {error}");
            this_binary
        }
    };
    match report_file::write_report(home, since, &report.to_markdown()) {
        Ok(path) => println!("(report written to {})", path.display()),
        Err(error) => eprintln!(
            "ringstress gate: warning: cannot write {}: {error}",
            report_file::report_path(home).display()
        ),
    }
}
