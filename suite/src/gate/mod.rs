//! The gate: reads the results Criterion just wrote, prints the results table (with the
//! hardware it ran on), and fails the run when one of our rings fell below the 50M msg/s
//! floor or regressed against the baseline it was compared with.
//!
//! Data flows one way, one job per module:
//!
//! ```text
//! bench args ──> criterion_args ──┐
//!                                 v
//! Criterion home ──> results (criterion_json) ──> verdict ──> table ──> stdout, report_file
//!                                                    ^          │                    ^
//! baselines/NAME.json ──> baseline: comparable? ─────┘          └──> verdict_page ───┘
//!                        (decision, margins, floor, group; hardware, rate)
//! ```
//!
//! - [`bench_main!`](crate::bench_main) is the `main` of every bench file; it calls
//!   [`start_run`] before Criterion measures and [`after_benches`] once it is done. Without
//!   a baseline flag the run is compared with [`CURRENT_BASELINE`].
//! - Before a comparing run fails the floor, the gate has the bench binary measure the
//!   failing cases once more, every implementation back to back, and judges again
//!   (`remeasure.rs`; the binary's [`rerun`](crate::rerun) does the measuring).
//! - `ringstress-gate` ([`recheck`]) re-checks saved results without measuring.
//!
//! Status of a benchmark: ours (function id starting with `ringstress`) are
//!
//! - PASS at or above [`FLOOR_MSGS_PER_SEC`] (after discounting a slowdown the peers beside
//!   it share, [`floor_check`]);
//! - FAIL (floor) under it where the baseline had it at or above (or has no figure);
//! - UNDER (baseline) under it as it was in the baseline too: reported, not failed;
//! - REGRESSED when, against the compared baseline, its own slowdown is significant by
//!   Criterion and beyond the single-benchmark margin (only if the baseline was recorded by
//!   this harness on this kind of machine, [`comparability`]), or its group (all its
//!   benchmarks in one Criterion group, each relative to the peers measured beside it)
//!   dropped beyond the group margin with most cells slower by a sign test ([`group`]).
//!
//! Everything else is a "peer", listed for comparison and never gated.
//!
//! ```
//! use ringstress_suite::gate::{FloorCall, Margins, Status, call_floor, status_of};
//!
//! assert_eq!(call_floor(60e6, Some(70e6)), FloorCall::Pass);
//! assert_eq!(call_floor(40e6, Some(70e6)), FloorCall::Fail);
//! let under = call_floor(40e6, Some(45e6));
//! assert_eq!(status_of(true, Some(under), None), Status::UnderAsInBaseline);
//! assert_eq!(status_of(false, Some(FloorCall::Fail), None), Status::Peer);
//! assert_eq!(Margins::default().group.fraction(), 0.15);
//! ```

mod baseline;
mod criterion_args;
mod criterion_json;
mod decision;
mod error;
mod estimator;
mod floor;
pub mod group;
mod hardware;
mod margins;
mod rate;
mod ratio_table;
mod recheck;
mod remeasure;
mod report_file;
mod results;
mod run;
mod table;
mod verdict;
mod verdict_page;

pub use baseline::{
    BASELINE_METADATA_DIR, BaselineMetadata, CURRENT_BASELINE, Comparability, HARNESS_VERSION,
    baseline_damage, comparability, comparability_in, metadata_path, read_metadata,
    record_baseline, start_recording,
};
pub use criterion_args::{BaselineUse, CriterionArgs, Filter, rerun_args};
pub use criterion_json::{
    BenchmarkRecord, ChangeEstimates, ConfidenceInterval, Estimate, Estimates, Samples, Throughput,
    read_json,
};
pub use decision::{
    ChangeCall, FLOOR_MSGS_PER_SEC, FloorCall, OURS_PREFIX, Rules, Status, call_change, call_floor,
    is_ours, status_of,
};
pub use error::GateError;
pub use estimator::{Estimator, threads_of};
pub use floor::{FloorCheck, floor_check};
pub use group::{
    GroupCall, GroupCheck, MIN_NOISE_SAMPLES, SIGN_TEST_LEVEL, SLICE_NOISE_FACTOR, call_group,
    call_slice, group_checks, sign_test_p,
};
pub use hardware::{
    Hardware, cpu_model, logical_cores, memory_total, memory_total_bytes, os_name, utc_date_time,
};
pub use margins::{
    DEFAULT_GROUP_MARGIN, DEFAULT_SINGLE_MARGIN, Margins, NOISE_MARGIN_ENV, NoiseMargin,
    SINGLE_NOISE_MARGIN_ENV,
};
pub use rate::{format_rate, msgs_per_sec, throughput_change};
pub use ratio_table::ratio_table;
pub use recheck::{RecheckArgs, ratios, recheck};
pub use remeasure::{MAX_CASES, cases_filter};
pub use report_file::{PAGE_FILE, REPORT_FILE, page_path, report_path};
pub use results::{
    Against, BenchmarkResult, ChangeData, Comparison, ComparisonSource, LATEST_SLOT,
    PREVIOUS_RUN_BASELINE, Place, Reference, ResultQuery, Selection, criterion_home,
    criterion_home_from, load_results,
};
pub use run::{
    EXIT_ERROR, GateOutcome, after_benches, gate_run, gate_run_measuring_again, query_for_run,
    start_run, write_report_file,
};
pub use table::ResultsReport;
pub use verdict::{Row, Verdict, row_for, rows_for};
pub use verdict_page::verdict_page;
