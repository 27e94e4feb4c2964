//! `ringstress-gate`: re-checks and re-prints saved Criterion results against the floor
//! (and a baseline) without measuring, or prints their ratio table. Run
//! `ringstress-gate --help` for usage.

use std::process;

use clap::Parser;
use ringstress_suite::gate::{EXIT_ERROR, Margins, RecheckArgs, ratios, recheck};
use ringstress_suite::settings;

fn main() {
    settings::check_or_exit();
    let args = RecheckArgs::parse();
    let output = match args.ratios {
        Some(capacity) => ratios(&args, capacity).map(|table| (table, 0)),
        None => Margins::from_env()
            .and_then(|margins| recheck(&args, margins))
            .map(|report| (report.to_markdown(), report.verdict().exit_code())),
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
