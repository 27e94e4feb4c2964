//! The gate at the end of a bench binary: from the binary's arguments and start time, load
//! what this run wrote, record a saved baseline's metadata, print the results report, write
//! the report file and its verdict page, and exit non-zero on a failure. [`start_run`] and
//! [`after_benches`] are what [`bench_main!`](crate::bench_main) calls; [`gate_run`] is the
//! same without printing or exiting, and [`write_report_file`] the writing alone. Before a
//! run fails the floor, [`after_benches`] has its caller measure the failing cases again.

use std::path::Path;
use std::process;
use std::time::SystemTime;

use super::baseline::{
    CURRENT_BASELINE, Comparability, baseline_damage, comparability_in, record_baseline,
    start_recording,
};
use super::criterion_args::{BaselineUse, CriterionArgs};
use super::decision::{Rules, Status};
use super::error::GateError;
use super::hardware::Hardware;
use super::margins::Margins;
use super::remeasure::{self, MAX_CASES, cases_filter};
use super::report_file;
use super::results::{
    BenchmarkResult, ComparisonSource, LATEST_SLOT, PREVIOUS_RUN_BASELINE, ResultQuery, Selection,
    criterion_home, load_results,
};
use super::table::ResultsReport;
use super::verdict::rows_for;
use super::verdict_page::verdict_page;

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

/// Records when a bench binary's run starts, for [`after_benches`]. A run recording a named
/// baseline first marks it incomplete until the gate lists what was saved
/// ([`start_recording`]); if that cannot be written, the run stops before measuring
/// (exit code 2).
pub fn start_run() -> SystemTime {
    let started = SystemTime::now();
    let args = CriterionArgs::parse(std::env::args().skip(1));
    if args.skip_reason().is_some() {
        return started;
    }
    if let (BaselineUse::Save(name), None) = (&args.baseline, &args.load_baseline)
        && let Err(error) = start_recording(&criterion_home(), name, &Hardware::detect())
    {
        eprintln!("ringstress gate: error: {error}");
        process::exit(EXIT_ERROR);
    }
    started
}

/// Runs the gate after Criterion's `final_summary`: prints the results report of the
/// benchmarks this run wrote, writes it to `<home>/report/ringstress-results.md` (and its
/// verdict page to `<home>/report/ringstress-verdict.html`), and exits the process with 1
/// on a floor breach or regression, 2 when the results cannot be read. Returns (doing
/// nothing) unless this is a measuring `cargo bench` run.
///
/// Before a comparing run fails the floor it calls `measure_again` with a Criterion filter
/// selecting the failing cases (see `remeasure.rs`), and judges the whole run again once
/// that has saved new figures. The gate never measures: its caller does.
pub fn after_benches(started: SystemTime, measure_again: impl FnOnce(&str) -> Result<(), String>) {
    let args = CriterionArgs::parse(std::env::args().skip(1));
    let home = criterion_home();
    let outcome = Margins::from_env().and_then(|margins| {
        gate_run_measuring_again(&args, started, &home, margins, measure_again)
            .map(|outcome| (outcome, margins))
    });
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
            let path = report_file::report_path(&home);
            println!(
                "\n{}",
                report.to_terminal(Some(&path.display().to_string()))
            );
            write_report_file(&args, started, &home, margins, &report);
            let verdict = report.verdict();
            if !verdict.passed() {
                process::exit(verdict.exit_code());
            }
        }
    }
}

/// [`gate_run`], and when its report fails the floor in a comparing run, the report after
/// `measure_again` measured the failing cases once more (see `remeasure.rs`): it is called
/// with a Criterion filter selecting them, and the whole run is loaded and judged again.
/// Prints a line before and after. If `measure_again` fails, says so and keeps the first
/// report, whose verdict fails the run anyway.
///
/// # Errors
///
/// As [`gate_run`].
pub fn gate_run_measuring_again(
    args: &CriterionArgs,
    started: SystemTime,
    home: &Path,
    margins: Margins,
    measure_again: impl FnOnce(&str) -> Result<(), String>,
) -> Result<GateOutcome, GateError> {
    let report = match gate_run(args, started, home, margins)? {
        GateOutcome::Checked(report) => *report,
        other => return Ok(other),
    };
    let failed: Vec<(&str, &str)> = report
        .rows
        .iter()
        .filter(|row| row.status == Status::FailFloor)
        .map(|row| (row.id.as_str(), row.implementation.as_str()))
        .collect();
    if failed.is_empty() || !remeasure::wanted(args) {
        return Ok(GateOutcome::Checked(Box::new(report)));
    }
    let Some(filter) = cases_filter(failed.iter().copied()) else {
        if failed.len() > MAX_CASES {
            println!(
                "\nringstress gate: {} of ours fell below the floor, in more than the \
                 {MAX_CASES} cases a slow phase could account for: not measured again",
                failed.len()
            );
        }
        return Ok(GateOutcome::Checked(Box::new(report)));
    };
    println!(
        "\nringstress gate: {} of ours fell below the floor ({}); measuring {} again, \
         every implementation back to back, before judging",
        failed.len(),
        failed
            .iter()
            .map(|&(id, _)| id)
            .collect::<Vec<_>>()
            .join(", "),
        if failed.len() == 1 {
            "its case"
        } else {
            "their cases"
        },
    );
    let again = measure_again(&filter).and_then(|()| {
        report_since(args, started, home, margins).map_err(|error| error.to_string())
    });
    let report = match again {
        Ok(Some(again)) => {
            println!("ringstress gate: judged with the figures measured again");
            again
        }
        Ok(None) => report,
        Err(error) => {
            eprintln!(
                "ringstress gate: error: measuring again failed ({error}); judging the first \
                 figures (the cases it finished are saved over them in `new/`)"
            );
            report
        }
    };
    Ok(GateOutcome::Checked(Box::new(report)))
}

/// The gate's decision for a run that started at `started` with `args`, reading the
/// Criterion home `home`, without printing or exiting. A run recording a named baseline
/// (`--save-baseline NAME`) also writes that baseline's metadata
/// (`<home>/baselines/NAME.json`, see [`record_baseline`]).
///
/// # Errors
///
/// [`GateError`] when a result this run wrote cannot be read, or the baseline metadata
/// cannot be read or written.
pub fn gate_run(
    args: &CriterionArgs,
    started: SystemTime,
    home: &Path,
    margins: Margins,
) -> Result<GateOutcome, GateError> {
    if let Some(reason) = args.skip_reason() {
        return Ok(GateOutcome::Skipped(reason));
    }
    let loaded = load_checked(home, &query_for_run(args, started))?;
    if loaded.results.is_empty() {
        return Ok(GateOutcome::NothingWritten);
    }
    let hardware = Hardware::detect();
    // Criterion saves nothing under NAME when it only re-analyses loaded samples, and
    // `base` is its scratch for the previous run, not a named baseline.
    if let (BaselineUse::Save(name), None) = (&args.baseline, &args.load_baseline) {
        record_baseline(home, name, &hardware, &loaded.results)?;
    }
    let report = report_of(args, &loaded, home, margins, hardware)?;
    Ok(GateOutcome::Checked(Box::new(report)))
}

/// The report of every result written since `since` by runs with `args`, or `None` if
/// there are none.
fn report_since(
    args: &CriterionArgs,
    since: SystemTime,
    home: &Path,
    margins: Margins,
) -> Result<Option<ResultsReport>, GateError> {
    let loaded = load_checked(home, &query_for_run(args, since))?;
    if loaded.results.is_empty() {
        return Ok(None);
    }
    report_of(args, &loaded, home, margins, Hardware::detect()).map(Some)
}

/// Loads what `query` selects. When it names a baseline to compare with or judge the floor
/// against, that baseline is checked first ([`baseline_damage`]): a damaged one is left
/// out of the results, and the line naming the damage is returned beside them.
///
/// # Errors
///
/// When a result of the slot itself cannot be read ([`load_results`]).
pub(super) fn load_checked(home: &Path, query: &ResultQuery) -> Result<Loaded, GateError> {
    let whole = |results| Loaded {
        results,
        damage: None,
    };
    let Some(baseline) = &query.reference else {
        return Ok(whole(load_results(home, query)?));
    };
    let bare = ResultQuery {
        comparison: match &query.comparison {
            ComparisonSource::Baseline(_) => ComparisonSource::None,
            other => other.clone(),
        },
        reference: None,
        ..query.clone()
    };
    let results = load_results(home, &bare)?;
    match baseline_damage(home, baseline, &results) {
        Some(line) => Ok(Loaded {
            results,
            damage: Some(line),
        }),
        None => Ok(whole(load_results(home, query)?)),
    }
}

/// Results as [`load_checked`] loaded them.
pub(super) struct Loaded {
    /// The results, with the baseline's figures unless it is damaged.
    pub results: Vec<BenchmarkResult>,
    /// The line naming a damaged baseline, left out of the results.
    pub damage: Option<String>,
}

/// The report of `results`, loaded for a run with `args`.
fn report_of(
    args: &CriterionArgs,
    loaded: &Loaded,
    home: &Path,
    margins: Margins,
    hardware: Hardware,
) -> Result<ResultsReport, GateError> {
    let compared = match &args.baseline {
        BaselineUse::Compare(name) => Some(name.as_str()),
        _ => None,
    };
    judged_report(
        loaded,
        scope_of_run(args),
        home,
        compared,
        args.load_baseline.as_deref(),
        margins,
        hardware,
    )
}

/// The report of `results` compared with the baseline `compared` (if any): judged cell by
/// cell when that baseline's metadata matches the results' (those saved as `saved_slot`,
/// else this run's on `hardware`), else only relative to the peers, with the one line
/// saying so, and the line of a baseline [`load_checked`] left out.
///
/// # Errors
///
/// When a baseline metadata file exists but cannot be read.
pub(super) fn judged_report(
    loaded: &Loaded,
    scope: String,
    home: &Path,
    compared: Option<&str>,
    saved_slot: Option<&str>,
    margins: Margins,
    hardware: Hardware,
) -> Result<ResultsReport, GateError> {
    let mut rules = Rules::new(margins);
    rules.logical_cores = hardware.logical_cores.parse().ok();
    // Said only when the baseline is there to compare with: a baseline not yet recorded
    // shows in every row ("no v0.4 baseline") and needs no line about its machine.
    let results = &loaded.results;
    let has_baseline = results
        .iter()
        .any(|result| result.reference_msgs_per_sec().is_some());
    let mut baseline_note = None;
    if let Some(name) = compared
        && has_baseline
        && let Comparability::PeersOnly(line) = comparability_in(home, name, saved_slot, &hardware)?
    {
        rules.cell_by_cell = false;
        baseline_note = Some(line);
    }
    let (rows, groups) = rows_for(results, &rules);
    Ok(ResultsReport {
        hardware,
        scope,
        rules,
        baseline_damage: loaded.damage.clone(),
        baseline_note,
        rows,
        groups,
    })
}

/// What a measuring run started at `since` wrote, the comparison it made, and the baseline
/// its floor is judged against: the compared one, or for a recording run
/// [`CURRENT_BASELINE`] unless that is the one being overwritten (its figures are then this
/// run's own, and the floor falls back to the raw figures).
pub fn query_for_run(args: &CriterionArgs, since: SystemTime) -> ResultQuery {
    let recorded = |baseline: &str| ResultQuery {
        slot: LATEST_SLOT.to_owned(),
        selection: Selection::WrittenSince(since),
        comparison: ComparisonSource::Overwritten {
            baseline: baseline.to_owned(),
            since,
        },
        reference: (baseline != CURRENT_BASELINE).then(|| CURRENT_BASELINE.to_owned()),
    };
    match (&args.baseline, &args.load_baseline) {
        (BaselineUse::Compare(baseline), Some(loaded)) => ResultQuery {
            slot: loaded.clone(),
            selection: Selection::ComparedSince(since),
            comparison: ComparisonSource::Baseline(baseline.clone()),
            reference: Some(baseline.clone()),
        },
        (BaselineUse::Compare(baseline), None) => ResultQuery {
            slot: LATEST_SLOT.to_owned(),
            selection: Selection::WrittenSince(since),
            comparison: ComparisonSource::Baseline(baseline.clone()),
            reference: Some(baseline.clone()),
        },
        (BaselineUse::Save(baseline), _) => recorded(baseline),
        (BaselineUse::PreviousRun | BaselineUse::Discard, _) => recorded(PREVIOUS_RUN_BASELINE),
    }
}

fn scope_of_run(args: &CriterionArgs) -> String {
    let floor_against = |recorded: &str| {
        if recorded == CURRENT_BASELINE {
            "floor judged on the raw figures".to_owned()
        } else {
            format!("floor judged against `{CURRENT_BASELINE}` where it has figures")
        }
    };
    match (&args.baseline, &args.load_baseline) {
        (BaselineUse::Compare(baseline), Some(loaded)) => {
            format!(
                "Saved results `{loaded}` (not re-measured), compared with baseline `{baseline}`"
            )
        }
        (BaselineUse::Compare(baseline), None) if baseline == CURRENT_BASELINE => format!(
            "This run, compared with the current baseline `{baseline}` (`--baseline NAME` \
             names another)"
        ),
        (BaselineUse::Compare(baseline), None) => {
            format!("This run, compared with baseline `{baseline}`")
        }
        (BaselineUse::Save(baseline), _) => format!(
            "This run, recorded as baseline `{baseline}` (change vs its previous contents \
             shown, not gated; {})",
            floor_against(baseline)
        ),
        (BaselineUse::PreviousRun | BaselineUse::Discard, _) => format!(
            "This run, recorded as Criterion's previous run `{PREVIOUS_RUN_BASELINE}` (change \
             vs the previous run shown, not gated; {})",
            floor_against(PREVIOUS_RUN_BASELINE)
        ),
    }
}

/// Writes the report file and the verdict page, covering every bench binary of this
/// `cargo bench` so far, and prints their paths. A failure to write is reported, not
/// fatal: the verdict stands.
pub fn write_report_file(
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
    match report_file::write_page(home, &verdict_page(report)) {
        Ok(path) => println!("(verdict page written to {})", path.display()),
        Err(error) => eprintln!(
            "ringstress gate: warning: cannot write {}: {error}",
            report_file::page_path(home).display()
        ),
    }
}
