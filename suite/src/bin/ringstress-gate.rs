//! `ringstress-gate`: re-checks and re-prints saved Criterion results against the floor
//! (and a baseline) without measuring. Run `ringstress-gate --help` for usage.

use std::process;

use ringstress_suite::gate::{
    EXIT_ERROR, Margins, RECHECK_USAGE, RecheckCommand, parse_recheck_args, recheck,
};

fn main() {
    let args = match parse_recheck_args(std::env::args().skip(1)) {
        Ok(RecheckCommand::Help) => {
            println!("{RECHECK_USAGE}");
            return;
        }
        Ok(RecheckCommand::Check(args)) => args,
        Err(error) => {
            eprintln!("ringstress-gate: {error}\n\n{RECHECK_USAGE}");
            process::exit(EXIT_ERROR);
        }
    };
    let report = Margins::from_env().and_then(|margins| recheck(&args, margins));
    match report {
        Ok(report) => {
            println!("{}", report.to_markdown());
            process::exit(report.verdict().exit_code());
        }
        Err(error) => {
            eprintln!("ringstress-gate: error: {error}");
            process::exit(EXIT_ERROR);
        }
    }
}
