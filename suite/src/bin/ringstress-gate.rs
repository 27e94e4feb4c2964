//! `ringstress-gate`: re-checks and re-prints saved Criterion results against the floor
//! (and a baseline) without measuring (with `--page FILE`, also writes their verdict page),
//! or prints their ratio table. Run `ringstress-gate --help` for usage.

use std::fs;
use std::process;

use clap::Parser;
use ringstress_suite::gate::{
    EXIT_ERROR, Margins, RecheckArgs, ResultsReport, ratios, recheck, verdict_page,
};
use ringstress_suite::settings;

fn main() {
    settings::check_or_exit();
    let args = RecheckArgs::parse();
    let output = match args.ratios {
        Some(capacity) => ratios(&args, capacity).map(|table| (table, 0)),
        None => Margins::from_env()
            .and_then(|margins| recheck(&args, margins))
            .map(|report| {
                write_page(&args, &report);
                (report.to_markdown(), report.verdict().exit_code())
            }),
    };
    match output {
        Ok((text, code)) => {
            println!("{text}");
            process::exit(code);
        }
        Err(error) => {
            eprintln!("ringstress-gate: error: {error}");
            process::exit(EXIT_ERROR);
        }
    }
}

/// Writes the verdict page where `--page` says, if it does; exits 2 when it cannot.
fn write_page(args: &RecheckArgs, report: &ResultsReport) {
    let Some(path) = &args.page else {
        return;
    };
    if let Err(error) = fs::write(path, verdict_page(report)) {
        eprintln!(
            "ringstress-gate: error: cannot write {}: {error}",
            path.display()
        );
        process::exit(EXIT_ERROR);
    }
    eprintln!("(verdict page written to {})", path.display());
}
