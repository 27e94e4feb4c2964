//! The gate: reads the results Criterion just wrote, prints the results table (with the
//! hardware it ran on), and fails the run when one of our rings is under the 50M msg/s
//! floor or has regressed against the baseline it was compared with.
//!
//! Data flows one way, one job per module:
//!
//! ```text
//! bench args ──> criterion_args ──┐
//!                                 v
//! Criterion home ──> results (criterion_json) ──> verdict (decision, group) ──> table ──> stdout,
//!                                                                          (hardware)  report_file
//! ```
//!
//! - [`bench_main!`](crate::bench_main) is the `main` of every bench file; it calls
//!   [`after_benches`] once Criterion is done.
//! - `ringstress-gate` ([`recheck`]) re-checks saved results without measuring.
//!
//! Status of a benchmark: ours (function id starting with `ringstress`) are PASS,
//! FAIL (floor) below [`FLOOR_MSGS_PER_SEC`], or REGRESSED when, compared with a baseline
//! given by `--baseline NAME`, Criterion's confidence interval of the change excludes zero
//! and the drop is beyond the single-benchmark margin, or its group (all its benchmarks in
//! one Criterion group, each relative to the peers measured beside it) dropped beyond the
//! group margin ([`Margins`], [`group`]). Everything else is a "peer", listed for
//! comparison and never gated.
//!
//! ```
//! use ringstress::gate::{Margins, Status, status_of};
//!
//! assert_eq!(status_of(true, Some(60e6), None), Status::Pass);
//! assert_eq!(status_of(true, Some(40e6), None), Status::FailFloor);
//! assert_eq!(status_of(false, Some(40e6), None), Status::Peer);
//! assert_eq!(Margins::default().group.fraction(), 0.25);
//! ```

mod bench_main;
mod criterion_args;
mod criterion_json;
mod decision;
mod error;
pub mod group;
mod hardware;
mod recheck;
mod report_file;
mod results;
mod run;
mod table;
mod verdict;

pub use criterion_args::{BaselineUse, CriterionArgs};
pub use criterion_json::{
    BenchmarkRecord, ChangeEstimates, ConfidenceInterval, Estimate, Estimates, Throughput,
    read_json,
};
pub use decision::{
    ChangeCall, DEFAULT_GROUP_MARGIN, DEFAULT_SINGLE_MARGIN, FLOOR_MSGS_PER_SEC, Margins,
    NOISE_MARGIN_ENV, NoiseMargin, OURS_PREFIX, SINGLE_NOISE_MARGIN_ENV, Status, call_change,
    is_ours, msgs_per_sec, status_of, throughput_change,
};
pub use error::GateError;
pub use group::{GroupCall, GroupCheck, call_group, group_checks};
pub use hardware::{Hardware, cpu_model, logical_cores, memory_total, os_name, utc_date_time};
pub use recheck::{RECHECK_USAGE, RecheckArgs, RecheckCommand, parse_recheck_args, recheck};
pub use report_file::{REPORT_FILE, report_path};
pub use results::{
    Against, BenchmarkResult, ChangeData, Comparison, ComparisonSource, LATEST_SLOT,
    PREVIOUS_RUN_BASELINE, ResultQuery, Selection, criterion_home, criterion_home_from,
    load_results,
};
pub use run::{EXIT_ERROR, GateOutcome, after_benches, gate_run, query_for_run, start_run};
pub use table::{ResultsReport, format_rate};
pub use verdict::{Row, Verdict, row_for, rows_for};
