//! The gate's decisions, table and error handling, on real Criterion 0.8 output captured in
//! `tests/fixtures/` (see its README): `unchanged/` is a re-run of unchanged code compared
//! with baseline `v0.1`, `slowed/` a run whose ringstress body did its work twice (about 2×
//! slower) compared with the same baseline. In both, the peer `rtrb` does 100× the work,
//! so it sits far below the floor: it must still never fail the gate.
//!
//! The fixtures carry no baseline metadata (`baselines/v0.1.json`): it names the machine,
//! so tests that need a baseline comparable cell by cell record it for this machine in a
//! scratch copy. Floors and groups with many cells are built from the fixture's records
//! with the figures changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use clap::Parser;
use ringstress_suite::gate::{
    Against, BaselineMetadata, BaselineUse, BenchmarkResult, CURRENT_BASELINE, ChangeCall,
    ChangeData, ChangeEstimates, Comparison, ComparisonSource, CriterionArgs, DEFAULT_GROUP_MARGIN,
    DEFAULT_SINGLE_MARGIN, EXIT_ERROR, Estimates, FLOOR_MSGS_PER_SEC, FloorCall, GateError,
    GateOutcome, GroupCall, GroupCheck, HARNESS_VERSION, Hardware, Margins, NOISE_MARGIN_ENV,
    NoiseMargin, RecheckArgs, Reference, ResultQuery, ResultsReport, Row, Rules,
    SINGLE_NOISE_MARGIN_ENV, Selection, Status, Throughput, Verdict, call_change, call_floor,
    format_rate, gate_run, gate_run_measuring_again, load_results, metadata_path, page_path,
    query_for_run, ratio_table, read_json, read_metadata, recheck, record_baseline, report_path,
    row_for, rows_for, sign_test_p, start_recording, status_of, throughput_change, verdict_page,
    write_report_file,
};

const SPSC_ID: &str = "demo/1p1c/ringstress-spsc/64/steady";
const PEER_ID: &str = "demo/1p1c/rtrb/64/steady";
const SPSC_DIR: &str = "demo_1p1c/ringstress-spsc/64_steady";
const PEER_DIR: &str = "demo_1p1c/rtrb/64_steady";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh copy of a fixture tree (files get new modification times).
fn scratch_copy(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "gate-{}-{}-{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    copy_tree(&fixture(name), &dir);
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every result in `slot` with `comparison`; the floor is judged against the compared
/// baseline, as in a run.
fn query(slot: &str, comparison: ComparisonSource) -> ResultQuery {
    let reference = match &comparison {
        ComparisonSource::Baseline(name) => Some(name.clone()),
        _ => None,
    };
    ResultQuery {
        slot: slot.to_owned(),
        selection: Selection::All,
        comparison,
        reference,
    }
}

fn against_v01(home: &Path) -> Vec<BenchmarkResult> {
    load_results(
        home,
        &query("new", ComparisonSource::Baseline("v0.1".into())),
    )
    .unwrap()
}

fn find<'a>(rows: &'a [ringstress_suite::gate::Row], id: &str) -> &'a ringstress_suite::gate::Row {
    rows.iter().find(|row| row.id == id).unwrap()
}

/// The slowed spsc result with its change replaced by a median time change of `point`
/// with interval `[lower, upper]`.
fn spsc_with_change(point: f64, lower: f64, upper: f64, against: Against) -> BenchmarkResult {
    let mut result = against_v01(&fixture("slowed")).remove(0);
    assert_eq!(result.id(), SPSC_ID);
    let ChangeData::Measured(mut change) = result.comparison.unwrap().change else {
        panic!("the slowed fixture has a comparison with v0.1");
    };
    change.median.point_estimate = point;
    change.median.confidence_interval.lower_bound = lower;
    change.median.confidence_interval.upper_bound = upper;
    result.comparison = Some(Comparison {
        against,
        change: ChangeData::Measured(change),
    });
    result
}

fn v01() -> Against {
    Against::Baseline("v0.1".into())
}

/// Both margins at 10%.
fn margin() -> Margins {
    margins(0.10, 0.10)
}

fn margins(group: f64, single: f64) -> Margins {
    Margins {
        group: NoiseMargin::new(group).unwrap(),
        single: NoiseMargin::new(single).unwrap(),
    }
}

fn fixed_hardware() -> Hardware {
    Hardware {
        cpu: "Example CPU".into(),
        logical_cores: "2".into(),
        memory: "7.7 GiB".into(),
        os: "Example OS, Linux 6.0".into(),
        rustc: "rustc 1.95.0".into(),
        date: "2026-01-01 00:00 UTC".into(),
    }
}

// ---- reading Criterion's files ----

#[test]
fn throughput_is_elements_over_the_slope_estimate() {
    let results =
        load_results(&fixture("unchanged"), &query("new", ComparisonSource::None)).unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r.id()).collect();
    assert_eq!(ids, [SPSC_ID, PEER_ID], "sorted by id");

    let spsc = &results[0];
    assert!(spsc.is_ours());
    assert!(!results[1].is_ours());
    assert_eq!(spsc.record.throughput, Some(Throughput::Elements(64)));
    assert_eq!(spsc.record.group_id, "demo/1p1c");
    assert_eq!(spsc.record.value_str.as_deref(), Some("64/steady"));
    let slope = spsc.estimates.slope.unwrap().point_estimate;
    assert_eq!(spsc.estimates.typical().point_estimate, slope);
    let rate = spsc.msgs_per_sec().unwrap();
    assert!((rate - 64.0 / slope * 1e9).abs() < 1.0);
    assert!(
        rate > 1e9,
        "the fixture's spsc body delivers over 1G/s, got {rate}"
    );
}

#[test]
fn typical_estimate_falls_back_to_the_mean_without_a_slope() {
    let path = fixture("unchanged")
        .join(SPSC_DIR)
        .join("new/estimates.json");
    let mut estimates: Estimates = read_json(&path).unwrap();
    estimates.slope = None;
    assert_eq!(estimates.typical(), &estimates.mean);
}

#[test]
fn change_estimates_are_read_as_criterion_wrote_them() {
    let path = fixture("slowed")
        .join(SPSC_DIR)
        .join("change/estimates.json");
    let change: ChangeEstimates = read_json(&path).unwrap();
    // The body did its work twice: close to +100% time.
    assert!(change.median.point_estimate > 0.8 && change.median.point_estimate < 1.1);
    assert!(change.median.confidence_interval.above_zero());
    assert!((throughput_change(change.median.point_estimate) + 0.49).abs() < 0.05);
}

// ---- the floor ----

#[test]
fn floor_passes_at_exactly_50m_and_fails_just_below() {
    assert_eq!(FLOOR_MSGS_PER_SEC, 50_000_000.0);
    assert_eq!(call_floor(FLOOR_MSGS_PER_SEC, Some(60e6)), FloorCall::Pass);
    assert_eq!(
        call_floor(FLOOR_MSGS_PER_SEC - 1.0, Some(60e6)),
        FloorCall::Fail
    );
    assert_eq!(
        status_of(true, Some(FloorCall::Fail), Some(ChangeCall::Regressed)),
        Status::FailFloor,
        "the floor breach is reported first"
    );
    assert_eq!(status_of(true, None, None), Status::FailNoThroughput);
}

#[test]
fn ours_below_the_floor_fail_and_peers_below_it_do_not() {
    let mut results = against_v01(&fixture("unchanged"));
    // 64 messages in 2 µs = 32M msg/s: under the floor.
    results[0].estimates.slope.as_mut().unwrap().point_estimate = 2_000.0;
    let rows = rows_for(&results, &Rules::new(margin())).0;
    assert_eq!(find(&rows, SPSC_ID).status, Status::FailFloor);
    let peer = find(&rows, PEER_ID);
    assert!(peer.msgs_per_sec.unwrap() < FLOOR_MSGS_PER_SEC);
    assert_eq!(peer.status, Status::Peer);
    assert_eq!(Verdict::of(&rows).exit_code(), 1);
}

#[test]
fn ours_without_an_elements_throughput_fail() {
    let mut result = against_v01(&fixture("unchanged")).remove(0);
    result.record.throughput = Some(Throughput::Bytes(64));
    let row = row_for(&result, &Rules::new(margin()));
    assert_eq!(row.status, Status::FailNoThroughput);
    assert_eq!(row.msgs_per_sec, None);
    assert!(row.notes.contains("Throughput::Elements"));
}

// ---- the floor against the baseline ----

/// A result of `function` in `group` at parameter `cell` (64 messages per iteration)
/// delivering `now` msg/s, and `then` in baseline v0.1; no comparison.
fn rated(function: &str, group: &str, cell: &str, now: f64, then: Option<f64>) -> BenchmarkResult {
    let mut result = against_v01(&fixture("unchanged")).remove(0);
    result.record.group_id = group.to_owned();
    result.record.function_id = Some(function.to_owned());
    result.record.value_str = Some(cell.to_owned());
    result.record.full_id = format!("{group}/{function}/{cell}");
    result.record.throughput = Some(Throughput::Elements(64));
    result.estimates.slope.as_mut().unwrap().point_estimate = 64.0 / now * 1e9;
    result.comparison = None;
    result.reference = Some(Reference {
        baseline: "v0.1".into(),
        msgs_per_sec: then,
        fastest_msgs_per_sec: None,
    });
    result
}

/// The default rules on a 2-core machine.
fn two_cores() -> Rules {
    Rules {
        logical_cores: Some(2),
        ..Rules::new(Margins::default())
    }
}

#[test]
fn falling_under_the_floor_fails() {
    let results = [
        rated(
            "ringstress-spsc",
            "mpmc_thrash/1p1c",
            "1024/steady",
            40e6,
            Some(60e6),
        ),
        rated("rtrb", "mpmc_thrash/1p1c", "1024/steady", 80e6, Some(80e6)),
    ];
    let rows = rows_for(&results, &two_cores()).0;
    let ours = &rows[0];
    assert_eq!(ours.status, Status::FailFloor);
    assert!(
        ours.notes
            .contains("fell under the floor: 60.0M msg/s in v0.1"),
        "{}",
        ours.notes
    );
    assert!(
        ours.notes
            .contains("best peer here: rtrb at 80.0M msg/s, ahead of ours"),
        "{}",
        ours.notes
    );
    let verdict = Verdict::of(&rows);
    assert_eq!(verdict.below_floor.len(), 1);
    assert_eq!(verdict.exit_code(), 1);
    assert_eq!(
        verdict.floor_summary(),
        "1 of 1 of ours under 50.0M msg/s: 1 floor failures (new since v0.1), \
         0 under the floor in v0.1 too"
    );
}

#[test]
fn a_fall_by_the_median_alone_is_no_floor_failure() {
    // Medians: ours fell from 60M to 40M, rtrb held. Fastest samples: ours `fastest_now`
    // (90M before), rtrb 100M before and after.
    let with_samples = |mut result: BenchmarkResult, now: f64, then: f64| {
        result.fastest_msgs_per_sec = Some(now);
        result.reference.as_mut().unwrap().fastest_msgs_per_sec = Some(then);
        result
    };
    let cell = |family: &str, fastest_now: f64| {
        [
            with_samples(
                rated("ringstress-spsc", family, "1024/steady", 40e6, Some(60e6)),
                fastest_now,
                90e6,
            ),
            with_samples(
                rated("rtrb", family, "1024/steady", 80e6, Some(80e6)),
                100e6,
                100e6,
            ),
        ]
    };
    // Ours' fastest sample held (90M): its median caught a slow mode, not a slower ring,
    // whether the threads fit the cores or not (6 threads on 2 cores). Its fastest sample
    // fell as far (60M): a fall by both figures fails.
    for (fastest_now, status) in [(90e6, Status::UnderWithinNoise), (60e6, Status::FailFloor)] {
        for family in ["mpmc_thrash/1p1c", "mpmc_thrash/3p3c"] {
            let rows = rows_for(&cell(family, fastest_now), &two_cores()).0;
            assert_eq!(rows[0].status, status, "{family}: {}", rows[0].notes);
        }
    }
}

#[test]
fn a_fall_by_the_fastest_samples_alone_is_no_floor_failure_when_the_peers_medians_fell_too() {
    // spawn_storm/two-thread fits the 2 cores, so its fastest samples are compared. Ours:
    // 18M in every sample (72M before, fastest 78M); rtrb's fastest sample held (53M, 55M
    // before) while its median was `rtrb_median` (52M before).
    let cell = |rtrb_median: f64| {
        let with_fastest = |mut result: BenchmarkResult, now: f64, then: f64| {
            result.fastest_msgs_per_sec = Some(now);
            result.reference.as_mut().unwrap().fastest_msgs_per_sec = Some(then);
            result
        };
        let family = "spawn_storm/two-thread";
        [
            with_fastest(
                rated("ringstress-mpmc", family, "64/steady", 18e6, Some(72e6)),
                19e6,
                78e6,
            ),
            with_fastest(
                rated("rtrb", family, "64/steady", rtrb_median, Some(52e6)),
                53e6,
                55e6,
            ),
        ]
    };
    // rtrb's median fell as far: a slow phase that ours sat in for all its samples.
    let rows = rows_for(&cell(10e6), &two_cores()).0;
    assert_eq!(
        rows[0].status,
        Status::UnderWithinNoise,
        "{}",
        rows[0].notes
    );
    // rtrb's median held: ours fell by both figures.
    let rows = rows_for(&cell(52e6), &two_cores()).0;
    assert_eq!(rows[0].status, Status::FailFloor, "{}", rows[0].notes);
}

#[test]
fn under_the_floor_as_in_the_baseline_is_reported_not_failed() {
    let results = [
        rated(
            "ringstress-spsc",
            "mpmc_thrash/1p1c",
            "1024/steady",
            40e6,
            Some(45e6),
        ),
        rated("rtrb", "mpmc_thrash/1p1c", "1024/steady", 45e6, Some(45e6)),
        rated(
            "ringstress-mpmc",
            "mpmc_thrash/4p4c",
            "1024/steady",
            20e6,
            Some(22e6),
        ),
        rated(
            "crossbeam-queue",
            "mpmc_thrash/4p4c",
            "1024/steady",
            90e6,
            Some(90e6),
        ),
        rated(
            "ringstress-mpmc",
            "spawn_storm/two-thread",
            "1024/steady",
            30e6,
            Some(31e6),
        ),
        rated(
            "crossbeam-queue",
            "spawn_storm/two-thread",
            "1024/steady",
            60e6,
            Some(60e6),
        ),
    ];
    let rows = rows_for(&results, &two_cores()).0;
    for row in rows.iter().filter(|row| row.status != Status::Peer) {
        assert_eq!(row.status, Status::UnderAsInBaseline, "{row:?}");
        assert_eq!(row.status.label(), "UNDER (baseline)");
        assert!(!row.status.fails());
        assert!(
            row.notes.contains("under the floor in v0.1 too"),
            "{}",
            row.notes
        );
    }
    let notes = |id: &str| find(&rows, id).notes.clone();
    assert!(
        notes("mpmc_thrash/1p1c/ringstress-spsc/1024/steady")
            .ends_with("no queue reaches 50M here: best peer rtrb at 45.0M msg/s"),
        "{}",
        notes("mpmc_thrash/1p1c/ringstress-spsc/1024/steady")
    );
    assert!(
        notes("mpmc_thrash/4p4c/ringstress-mpmc/1024/steady")
            .ends_with("oversubscribed: 8 threads on 2 cores")
    );
    assert!(
        notes("spawn_storm/two-thread/ringstress-mpmc/1024/steady")
            .ends_with("best peer here: crossbeam-queue at 60.0M msg/s, ahead of ours")
    );
    let verdict = Verdict::of(&rows);
    assert!(verdict.below_floor.is_empty());
    assert_eq!(verdict.under_as_in_baseline.len(), 3);
    assert_eq!(verdict.exit_code(), 0);
    assert_eq!(
        verdict.floor_summary(),
        "3 of 3 of ours under 50.0M msg/s: 0 floor failures (new since v0.1), \
         3 under the floor in v0.1 too"
    );
    assert!(
        verdict.summary().starts_with(
            "PASS: 0 of ours at or above the 50.0M msg/s floor, 3 under it as in v0.1"
        ),
        "{}",
        verdict.summary()
    );
}

#[test]
fn under_the_floor_as_in_the_baseline_can_still_regress() {
    let mut result = rated(
        "ringstress-spsc",
        "demo/1p1c",
        "64/steady",
        20e6,
        Some(45e6),
    );
    result.comparison = spsc_with_change(1.25, 1.0, 1.5, v01()).comparison;
    let row = row_for(&result, &Rules::new(margin()));
    assert_eq!(row.floor, Some(FloorCall::UnderAsInBaseline));
    assert_eq!(row.status, Status::Regressed);
    let verdict = Verdict::of(&[row]);
    assert_eq!(verdict.under_as_in_baseline.len(), 1);
    assert_eq!(verdict.exit_code(), 1);
}

#[test]
fn a_machine_wide_slowdown_is_not_a_floor_failure() {
    // Everything at half the throughput of a baseline where ours did 60M.
    let group = "spawn_storm/two-thread";
    let results = [
        rated("ringstress-spsc", group, "64/steady", 30e6, Some(60e6)),
        rated("rtrb", group, "64/steady", 50e6, Some(100e6)),
        rated("crossbeam-queue", group, "64/steady", 35e6, Some(70e6)),
        // No peer in this cell: the group's peers stand in.
        rated("ringstress-spsc", group, "1024/steady", 30e6, Some(60e6)),
    ];
    let rows = rows_for(&results, &two_cores()).0;
    for id in [
        "spawn_storm/two-thread/ringstress-spsc/64/steady",
        "spawn_storm/two-thread/ringstress-spsc/1024/steady",
    ] {
        let row = find(&rows, id);
        assert_eq!(row.status, Status::Pass, "{row:?}");
        assert!(
            row.notes
                .contains("60.0M msg/s normalised for the peers' -50.0% vs v0.1"),
            "{}",
            row.notes
        );
    }
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn a_fast_phase_of_the_peers_never_counts_against_us() {
    let results = [
        rated(
            "ringstress-spsc",
            "demo/1p1c",
            "64/steady",
            55e6,
            Some(60e6),
        ),
        rated("rtrb", "demo/1p1c", "64/steady", 200e6, Some(100e6)),
    ];
    let rows = rows_for(&results, &two_cores()).0;
    assert_eq!(rows[0].status, Status::Pass, "{:?}", rows[0]);
    assert_eq!(rows[0].notes, "");
}

#[test]
fn without_a_baseline_the_floor_is_raw() {
    let mut results = [
        rated("ringstress-spsc", "demo/1p1c", "64/steady", 40e6, None),
        rated("rtrb", "demo/1p1c", "64/steady", 20e6, None),
    ];
    // A baseline named but with no figure for anything in the run is no baseline...
    let rows = rows_for(&results, &two_cores()).0;
    assert_eq!(rows[0].status, Status::FailFloor);
    assert!(
        rows[0]
            .notes
            .starts_with("under the floor, and no baseline to compare with"),
        "{}",
        rows[0].notes
    );
    // ...and neither is none at all.
    for result in &mut results {
        result.reference = None;
    }
    let rows = rows_for(&results, &two_cores()).0;
    assert_eq!(rows[0].status, Status::FailFloor);
    let verdict = Verdict::of(&rows);
    assert_eq!(verdict.exit_code(), 1);
    assert_eq!(
        verdict.floor_summary(),
        "1 of 1 of ours under 50.0M msg/s: 1 floor failures (no baseline to compare with), \
         0 under the floor in a baseline too"
    );
}

#[test]
fn a_cell_missing_from_the_baseline_fails_under_the_floor() {
    let results = [
        rated("ringstress-spsc", "demo/1p1c", "64/steady", 40e6, None),
        rated(
            "ringstress-spsc",
            "demo/1p1c",
            "1024/steady",
            70e6,
            Some(70e6),
        ),
    ];
    let rows = rows_for(&results, &two_cores()).0;
    let row = find(&rows, "demo/1p1c/ringstress-spsc/64/steady");
    assert_eq!(row.status, Status::FailFloor);
    assert!(
        row.notes
            .starts_with("under the floor, and no v0.1 figure for it; no peer measured beside it"),
        "{}",
        row.notes
    );
}

// ---- regressions ----

#[test]
fn a_real_2x_slowdown_is_regressed() {
    let rows = rows_for(&against_v01(&fixture("slowed")), &Rules::new(margin())).0;
    let spsc = find(&rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Regressed);
    assert!(spsc.notes.starts_with("-4"), "notes: {}", spsc.notes);
    assert!(spsc.notes.contains("vs v0.1"));
    assert_eq!(find(&rows, PEER_ID).status, Status::Peer);
    let verdict = Verdict::of(&rows);
    assert_eq!(verdict.regressed, [SPSC_ID]);
    assert_eq!(verdict.exit_code(), 1);
}

#[test]
fn a_real_rerun_of_unchanged_code_passes() {
    let rows = rows_for(&against_v01(&fixture("unchanged")), &Rules::new(margin())).0;
    let spsc = find(&rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Pass);
    assert!(spsc.notes.contains("within noise"), "notes: {}", spsc.notes);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn significant_slowdown_beyond_the_margin_is_regressed() {
    let result = spsc_with_change(0.25, 0.20, 0.30, v01());
    assert_eq!(
        row_for(&result, &Rules::new(margin())).status,
        Status::Regressed
    );
}

#[test]
fn slowdown_beyond_the_margin_with_an_interval_reaching_zero_is_not_regressed() {
    let result = spsc_with_change(0.25, -0.01, 0.50, v01());
    let row = row_for(&result, &Rules::new(margin()));
    assert_eq!(row.status, Status::Pass);
    assert!(
        row.notes.contains("not significant"),
        "notes: {}",
        row.notes
    );
}

#[test]
fn significant_slowdown_within_the_margin_is_not_regressed() {
    // +8% time = -7.4% throughput, under a 10% margin, however significant.
    let result = spsc_with_change(0.08, 0.07, 0.09, v01());
    let row = row_for(&result, &Rules::new(margin()));
    assert_eq!(row.status, Status::Pass);
    assert!(row.notes.contains("within noise"), "notes: {}", row.notes);
}

#[test]
fn a_speedup_is_not_regressed() {
    let result = spsc_with_change(-0.5, -0.55, -0.45, v01());
    let row = row_for(&result, &Rules::new(margin()));
    assert_eq!(row.status, Status::Pass);
    assert!(
        row.notes.starts_with("+100.0% vs v0.1 (faster)"),
        "notes: {}",
        row.notes
    );
}

#[test]
fn margin_is_on_throughput_not_time() {
    // +12% time is only a 10.7% drop in throughput: just beyond a 10% margin.
    let change = spsc_with_change(0.12, 0.11, 0.13, v01());
    let Some(Comparison {
        change: ChangeData::Measured(change),
        ..
    }) = change.comparison
    else {
        unreachable!()
    };
    assert_eq!(call_change(&change, margin().single), ChangeCall::Regressed);
    assert_eq!(
        call_change(&change, NoiseMargin::new(0.11).unwrap()),
        ChangeCall::WithinNoise
    );
}

#[test]
fn a_wide_margin_lets_a_2x_slowdown_through() {
    let rows = rows_for(
        &against_v01(&fixture("slowed")),
        &Rules::new(margins(0.6, 0.6)),
    )
    .0;
    assert_eq!(find(&rows, SPSC_ID).status, Status::Pass);
}

// ---- the group check ----

/// A result of ours (or a peer's) in `group` at parameter `cell`, its median time changed
/// by `point` against v0.1; significant (interval above zero) or reaching zero.
fn cell_result(function: &str, cell: &str, point: f64, significant: bool) -> BenchmarkResult {
    let lower = if significant { point * 0.5 } else { -0.05 };
    let mut result = spsc_with_change(point, lower, point * 1.5 + 0.1, v01());
    result.record.function_id = Some(function.to_owned());
    result.record.value_str = Some(cell.to_owned());
    result.record.full_id = format!("demo/1p1c/{function}/{cell}");
    result
}

/// Nine cells of ours (and optionally a peer in each), time changes from `ours`.
fn group_of(ours: &[(f64, bool)], peer: Option<f64>) -> Vec<BenchmarkResult> {
    let mut results = Vec::new();
    for (index, &(point, significant)) in ours.iter().enumerate() {
        let cell = format!("{index}/steady");
        results.push(cell_result("ringstress-spsc", &cell, point, significant));
        if let Some(peer_point) = peer {
            results.push(cell_result("rtrb", &cell, peer_point, true));
        }
    }
    results
}

/// The median time change that gives a throughput ratio (now over the baseline) of `ratio`.
fn time_change_for(ratio: f64) -> f64 {
    1.0 / ratio - 1.0
}

#[test]
fn a_2x_slowdown_across_a_group_is_regressed_though_each_cell_is_within_the_single_margin() {
    // Every cell at half its throughput (+100% time), peers unchanged.
    let results = group_of(&[(1.0, true); 9], Some(0.0));
    let (rows, groups) = rows_for(&results, &Rules::new(Margins::default()));
    assert_eq!(groups.len(), 1);
    let check = &groups[0];
    assert_eq!(check.implementation, "ringstress-spsc");
    assert_eq!((check.compared, check.slower_than_peers), (9, 9));
    assert_eq!(check.significantly_slower, 9);
    assert!((check.relative_change + 0.5).abs() < 1e-9);
    assert_eq!(check.call, GroupCall::Regressed);
    let ours: Vec<_> = rows
        .iter()
        .filter(|row| row.status != Status::Peer)
        .collect();
    assert_eq!(ours.len(), 9);
    for row in ours {
        assert_eq!(row.status, Status::Regressed, "{row:?}");
        assert!(row.notes.contains("its group regressed"), "{}", row.notes);
    }
    assert_eq!(Verdict::of(&rows).exit_code(), 1);
}

/// `results` moved to family `family`, each with fastest samples of `fastest(function)`
/// msg/s now and 100M in the baseline (v0.1, the compared one).
fn with_fastest(
    mut results: Vec<BenchmarkResult>,
    family: &str,
    fastest: impl Fn(&str) -> f64,
) -> Vec<BenchmarkResult> {
    for result in &mut results {
        let function = result.record.function_id.clone().unwrap();
        let cell = result.record.value_str.clone().unwrap();
        result.record.group_id = family.to_owned();
        result.record.full_id = format!("{family}/{function}/{cell}");
        result.fastest_msgs_per_sec = Some(fastest(&function));
        result.reference = Some(Reference {
            baseline: "v0.1".into(),
            msgs_per_sec: Some(100e6),
            fastest_msgs_per_sec: Some(100e6),
        });
    }
    results
}

#[test]
fn where_the_threads_fit_the_cores_the_fastest_samples_are_compared() {
    // Medians unchanged everywhere; the fastest samples say ours is at half its speed.
    let half_on_fastest = |function: &str| {
        if function.starts_with("ringstress") {
            50e6
        } else {
            100e6
        }
    };
    let results = with_fastest(
        group_of(&[(0.0, false); 9], Some(0.0)),
        "mpmc_thrash/1p1c",
        half_on_fastest,
    );
    let (_, groups) = rows_for(&results, &two_cores());
    assert_eq!(groups[0].call, GroupCall::Regressed, "{:?}", groups[0]);
    assert!((groups[0].relative_change + 0.5).abs() < 1e-9);

    // The same figures in an oversubscribed family (6 threads on 2 cores): the medians,
    // unchanged, are compared.
    let results = with_fastest(
        group_of(&[(0.0, false); 9], Some(0.0)),
        "mpmc_thrash/3p3c",
        half_on_fastest,
    );
    let (_, groups) = rows_for(&results, &two_cores());
    assert_eq!(groups[0].call, GroupCall::WithinNoise, "{:?}", groups[0]);

    // And the other way round: medians at half (a slow sample mode), fastest unchanged.
    let results = with_fastest(
        group_of(&[(1.0, true); 9], Some(0.0)),
        "mpmc_thrash/1p1c",
        |_| 100e6,
    );
    let (_, groups) = rows_for(&results, &two_cores());
    assert_eq!(groups[0].call, GroupCall::WithinNoise, "{:?}", groups[0]);
}

/// Three steady cells of `mpmc_thrash/1p1c` (fastest samples compared on two cores, all at
/// 100M in the baseline): our SPSC ring at `spsc` M msg/s now, `rtrb` at 100M, a wild
/// `crossbeam-queue` at 300M, 33M, 300M (so the group's peer noise is huge) and our MPMC
/// ring at `mpmc`.
fn against_twin(spsc: [f64; 3], mpmc: f64) -> (Vec<Row>, Vec<GroupCheck>) {
    let mut results = Vec::new();
    let mut now = Vec::new();
    for (cell, spsc) in spsc.into_iter().enumerate() {
        let wild = if cell == 1 { 33.0 } else { 300.0 };
        for (function, fastest) in [
            ("ringstress-spsc", spsc),
            ("ringstress-mpmc", mpmc),
            ("rtrb", 100.0),
            ("crossbeam-queue", wild),
        ] {
            results.push(cell_result(function, &format!("{cell}/steady"), 0.0, false));
            now.push(fastest * 1e6);
        }
    }
    let mut results = with_fastest(results, "mpmc_thrash/1p1c", |_| 100e6);
    for (result, fastest) in results.iter_mut().zip(now) {
        result.fastest_msgs_per_sec = Some(fastest);
    }
    rows_for(&results, &two_cores())
}

#[test]
fn the_spsc_ring_is_judged_against_its_twin_where_the_other_peers_are_too_noisy() {
    let twin_check = |groups: &[GroupCheck], implementation: &str| {
        groups
            .iter()
            .find(|check| check.implementation == implementation && check.twin.is_some())
            .cloned()
    };
    // 40% slower than rtrb in every cell: the group's noise hides it, the twin does not.
    let (rows, groups) = against_twin([60.0; 3], 60.0);
    let whole = groups
        .iter()
        .find(|check| check.implementation == "ringstress-spsc" && check.pattern.is_none())
        .unwrap();
    assert_ne!(whole.call, GroupCall::Regressed, "{whole:?}");
    let twin = twin_check(&groups, "ringstress-spsc").unwrap();
    assert_eq!(twin.twin.as_deref(), Some("rtrb"));
    assert_eq!(twin.call, GroupCall::Regressed, "{twin:?}");
    assert!((twin.relative_change + 0.4).abs() < 1e-9);
    let spsc_rows: Vec<&Row> = rows
        .iter()
        .filter(|row| row.implementation == "ringstress-spsc")
        .collect();
    assert_eq!(spsc_rows.len(), 3);
    for row in spsc_rows {
        assert_eq!(row.status, Status::Regressed, "{row:?}");
        assert!(row.notes.contains("slower than rtrb"), "{}", row.notes);
    }
    // Our MPMC ring has no twin: the same drop is judged against all the peers only.
    assert_eq!(twin_check(&groups, "ringstress-mpmc"), None);
    assert_eq!(Verdict::of(&rows).exit_code(), 1);

    // The median cell decides: one cell flipping up does not hide the drop ...
    let (_, groups) = against_twin([60.0, 60.0, 150.0], 100.0);
    let twin = twin_check(&groups, "ringstress-spsc").unwrap();
    assert_eq!(twin.call, GroupCall::Regressed, "{twin:?}");
    // ... and one cell flipping down (a third of its speed) is not a regression.
    let (rows, groups) = against_twin([33.0, 100.0, 100.0], 100.0);
    let twin = twin_check(&groups, "ringstress-spsc").unwrap();
    assert_eq!(twin.call, GroupCall::WithinNoise, "{twin:?}");
    assert!(Verdict::of(&rows).passed());
    // A drop within the twin margin (20%) passes.
    let (_, groups) = against_twin([80.0; 3], 100.0);
    let twin = twin_check(&groups, "ringstress-spsc").unwrap();
    assert_eq!(twin.call, GroupCall::WithinNoise, "{twin:?}");
}

#[test]
fn a_slowdown_the_peers_beside_it_share_is_the_machine_not_a_regression() {
    // Ours and the peers in every cell both at half their throughput: a busy machine.
    let results = group_of(&[(1.0, true); 9], Some(1.0));
    let (rows, groups) = rows_for(&results, &Rules::new(Margins::default()));
    assert!((groups[0].change + 0.5).abs() < 1e-9);
    assert!((groups[0].peers_change.unwrap() + 0.5).abs() < 1e-9);
    assert!(groups[0].relative_change.abs() < 1e-9);
    assert_eq!(groups[0].call, GroupCall::WithinNoise);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn without_peers_the_group_is_judged_on_its_own_change() {
    let results = group_of(&[(1.0, true); 9], None);
    let (rows, groups) = rows_for(&results, &Rules::new(Margins::default()));
    assert_eq!(groups[0].peers_change, None);
    assert_eq!(groups[0].call, GroupCall::Regressed);
    assert_eq!(Verdict::of(&rows).exit_code(), 1);
}

#[test]
fn one_noisy_cell_does_not_fail_its_group() {
    // One cell at a third of its throughput, significant; the other eight unchanged.
    let mut cells = [(0.0, false); 9];
    cells[4] = (2.0, true);
    let (rows, groups) = rows_for(
        &group_of(&cells, Some(0.0)),
        &Rules::new(Margins::default()),
    );
    assert_eq!(groups[0].call, GroupCall::WithinNoise);
    assert!(groups[0].relative_change > -0.15);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn one_cell_beyond_the_single_margin_fails_alone() {
    // One cell at a twentieth of its throughput (+1900% time), significant.
    let mut cells = [(0.0, false); 9];
    cells[4] = (19.0, true);
    let (rows, groups) = rows_for(
        &group_of(&cells, Some(0.0)),
        &Rules::new(Margins::default()),
    );
    // The group moved (one ninth of a 20x drop), but only one of its cells is slower.
    assert_eq!(groups[0].slower_than_peers, 1);
    assert_eq!(groups[0].call, GroupCall::SlowerNotSignificant);
    let verdict = Verdict::of(&rows);
    assert_eq!(verdict.regressed, ["demo/1p1c/ringstress-spsc/4/steady"]);
}

#[test]
fn sign_test_probabilities_are_the_binomial_tail() {
    assert_eq!(sign_test_p(9, 8), 10.0 / 512.0);
    assert_eq!(sign_test_p(7, 7), 1.0 / 128.0);
    assert_eq!(sign_test_p(5, 5), 1.0 / 32.0);
    assert_eq!(sign_test_p(9, 6), 130.0 / 512.0);
    assert_eq!(
        sign_test_p(4, 4),
        1.0 / 16.0,
        "four cells can never pass at 0.05"
    );
    assert_eq!(sign_test_p(9, 0), 1.0);
}

#[test]
fn a_30_percent_drop_in_8_of_9_cells_is_regressed() {
    // Eight cells slower and one unchanged, the group at -30% relative to its peers. None
    // significantly slower by Criterion: its per-cell statistics do not decide.
    let slower = time_change_for(0.7_f64.powf(9.0 / 8.0));
    let mut cells = [(slower, false); 9];
    cells[8] = (0.0, false);
    let (rows, groups) = rows_for(
        &group_of(&cells, Some(0.0)),
        &Rules::new(Margins::default()),
    );
    let check = &groups[0];
    assert!((check.relative_change + 0.3).abs() < 1e-9, "{check:?}");
    assert_eq!(
        (check.slower_than_peers, check.significantly_slower),
        (8, 0)
    );
    assert_eq!(check.call, GroupCall::Regressed);
    // The eight slower cells are marked, the unchanged one is not.
    let verdict = Verdict::of(&rows);
    assert_eq!(verdict.regressed.len(), 8);
    assert!(!verdict.regressed.iter().any(|id| id.contains("/8/")));
    assert_eq!(verdict.exit_code(), 1);
}

#[test]
fn a_30_percent_drop_in_6_of_9_cells_is_not_regressed() {
    // Six cells carry the whole drop, all significantly slower by Criterion: a machine
    // phase on part of the group looks exactly like this.
    let slower = time_change_for(0.7_f64.powf(9.0 / 6.0));
    let cells: Vec<(f64, bool)> = (0..9)
        .map(|index| {
            if index < 6 {
                (slower, true)
            } else {
                (0.0, false)
            }
        })
        .collect();
    let (rows, groups) = rows_for(
        &group_of(&cells, Some(0.0)),
        &Rules::new(Margins::default()),
    );
    let check = &groups[0];
    assert!((check.relative_change + 0.3).abs() < 1e-9, "{check:?}");
    assert_eq!(
        (check.slower_than_peers, check.significantly_slower),
        (6, 6)
    );
    assert_eq!(check.call, GroupCall::SlowerNotSignificant);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn a_5_percent_drop_in_every_cell_is_within_the_margin() {
    let cells = [(time_change_for(0.95), true); 9];
    let (rows, groups) = rows_for(
        &group_of(&cells, Some(0.0)),
        &Rules::new(Margins::default()),
    );
    assert_eq!(groups[0].slower_than_peers, 9);
    assert_eq!(groups[0].call, GroupCall::WithinNoise);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn a_one_cell_group_cannot_pass_the_sign_test() {
    // The real 2x slowdown is one cell: a coin shows "slower" half the time, so its group
    // cannot regress; with the default margins the single-benchmark check lets 2x through.
    let (rows, groups) = rows_for(
        &against_v01(&fixture("slowed")),
        &Rules::new(Margins::default()),
    );
    assert_eq!(groups.len(), 1);
    assert!(groups[0].relative_change < -0.4, "{groups:?}");
    assert_eq!(groups[0].sign_test_p, 0.5);
    assert_eq!(groups[0].call, GroupCall::SlowerNotSignificant);
    assert_eq!(find(&rows, SPSC_ID).status, Status::Pass);
    let (rows, groups) = rows_for(
        &against_v01(&fixture("unchanged")),
        &Rules::new(Margins::default()),
    );
    assert_eq!(groups[0].call, GroupCall::WithinNoise, "{groups:?}");
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn without_cell_by_cell_comparison_only_cells_beside_peers_are_judged() {
    let peers_only = Rules {
        cell_by_cell: false,
        ..Rules::new(Margins::default())
    };
    // Beside peers, a 2x slowdown of the group is still caught...
    let (rows, groups) = rows_for(&group_of(&[(1.0, true); 9], Some(0.0)), &peers_only);
    assert_eq!(groups[0].call, GroupCall::Regressed);
    assert_eq!(Verdict::of(&rows).exit_code(), 1);
    // ...but with no peer to compare machines with, nothing is judged.
    let (rows, groups) = rows_for(&group_of(&[(1.0, true); 9], None), &peers_only);
    assert!(groups.is_empty(), "{groups:?}");
    assert!(Verdict::of(&rows).passed());
    // And no single benchmark is judged on its raw change, however far it fell.
    let result = spsc_with_change(19.0, 18.0, 20.0, v01());
    let row = row_for(&result, &peers_only);
    assert_eq!(row.status, Status::Pass);
    assert!(
        row.notes.contains("not judged cell by cell"),
        "{}",
        row.notes
    );
}

#[test]
fn peers_are_never_gated() {
    let mut result = spsc_with_change(1.0, 0.9, 1.1, v01());
    result.record.function_id = Some("crossbeam-queue".into());
    assert_eq!(row_for(&result, &Rules::new(margin())).status, Status::Peer);
    result.record.function_id = None;
    assert_eq!(row_for(&result, &Rules::new(margin())).status, Status::Peer);
}

#[test]
fn a_slowdown_while_recording_a_baseline_is_shown_not_gated() {
    for against in [
        Against::PreviousContents("v0.1".into()),
        Against::PreviousRun,
    ] {
        let result = spsc_with_change(1.0, 0.9, 1.1, against);
        let row = row_for(&result, &Rules::new(margin()));
        assert_eq!(row.status, Status::Pass);
        assert!(row.notes.contains("not gated"), "notes: {}", row.notes);
        assert!(row.notes.contains("vs previous"), "notes: {}", row.notes);
    }
}

#[test]
fn change_from_another_comparison_is_not_used() {
    // The unchanged run's results next to the slowed run's change/: they do not belong together.
    let home = scratch_copy("unchanged");
    fs::copy(
        fixture("slowed")
            .join(SPSC_DIR)
            .join("change/estimates.json"),
        home.join(SPSC_DIR).join("change/estimates.json"),
    )
    .unwrap();
    let rows = rows_for(&against_v01(&home), &Rules::new(margin())).0;
    let spsc = find(&rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Pass);
    assert!(
        spsc.notes.contains("another comparison"),
        "notes: {}",
        spsc.notes
    );
}

#[test]
fn a_missing_baseline_is_noted_not_failed() {
    let results = load_results(
        &fixture("slowed"),
        &query("new", ComparisonSource::Baseline("v0.2".into())),
    )
    .unwrap();
    let rows = rows_for(&results, &Rules::new(margin())).0;
    assert_eq!(find(&rows, SPSC_ID).status, Status::Pass);
    assert_eq!(find(&rows, SPSC_ID).notes, "not compared: no v0.2 baseline");
}

#[test]
fn a_saved_baseline_is_rechecked_against_the_floor() {
    let results = load_results(&fixture("slowed"), &query("v0.1", ComparisonSource::None)).unwrap();
    let rows = rows_for(&results, &Rules::new(margin())).0;
    assert_eq!(find(&rows, SPSC_ID).status, Status::Pass);
    assert_eq!(find(&rows, SPSC_ID).notes, "");
}

// ---- the noise margin setting ----

#[test]
fn noise_margin_comes_from_the_environment_value() {
    let defaults = Margins::default();
    assert_eq!(defaults.group.fraction(), DEFAULT_GROUP_MARGIN);
    assert_eq!(defaults.single.fraction(), DEFAULT_SINGLE_MARGIN);
    assert_eq!(
        NoiseMargin::from_env_value(NOISE_MARGIN_ENV, None, 0.3)
            .unwrap()
            .fraction(),
        0.3
    );
    assert_eq!(
        NoiseMargin::from_env_value(NOISE_MARGIN_ENV, Some("  "), 0.3)
            .unwrap()
            .fraction(),
        0.3
    );
    assert_eq!(
        NoiseMargin::from_env_value(SINGLE_NOISE_MARGIN_ENV, Some("0.15"), 0.3)
            .unwrap()
            .fraction(),
        0.15
    );
    for bad in ["15%", "15", "1", "0", "-0.1", "NaN", "inf", "ten"] {
        let error =
            NoiseMargin::from_env_value(SINGLE_NOISE_MARGIN_ENV, Some(bad), 0.3).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("RINGSTRESS_SINGLE_NOISE_MARGIN must be"),
            "{message}"
        );
        assert!(message.contains(bad), "{message}");
    }
}

// ---- Criterion's arguments ----

#[test]
fn cargo_bench_compare_run_is_measured_and_gated() {
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);
    assert_eq!(args.skip_reason(), None);
    assert_eq!(args.baseline, BaselineUse::Compare("v0.1".into()));
    let lenient = CriterionArgs::parse(["--baseline-lenient=v0.1", "--bench"]);
    assert_eq!(lenient.baseline, BaselineUse::Compare("v0.1".into()));
}

#[test]
fn non_measuring_runs_are_skipped() {
    for args in [
        vec![],                          // cargo test --benches
        vec!["--save-baseline", "v0.1"], // no --bench either
        vec!["--bench", "--test"],       // cargo bench -- --test
        vec!["--bench", "--list"],
        vec!["--bench", "--profile-time", "5"],
        vec!["--bench", "--profile-time=5"],
        vec!["--bench", "--discard-baseline"],
    ] {
        let parsed = CriterionArgs::parse(&args);
        assert!(parsed.skip_reason().is_some(), "{args:?} should skip");
    }
}

#[test]
fn save_baseline_is_read_in_every_spelling() {
    for args in [
        vec!["--bench", "--save-baseline", "v0.1"],
        vec!["--bench", "--save-baseline=v0.1"],
        vec!["--bench", "-s", "v0.1"],
        vec!["--bench", "-sv0.1"],
        vec!["--bench", "-s=v0.1"],
        vec!["--bench", "-ns", "v0.1"], // -n (noplot) clustered with -s
    ] {
        assert_eq!(
            CriterionArgs::parse(&args).baseline,
            BaselineUse::Save("v0.1".into()),
            "{args:?}"
        );
    }
    assert_eq!(
        CriterionArgs::parse(["--bench", "--save-baseline", "base"]).baseline,
        BaselineUse::PreviousRun
    );
}

#[test]
fn option_values_and_filters_are_not_mistaken_for_flags() {
    let args = CriterionArgs::parse([
        "--sample-size",
        "10",
        "--measurement-time",
        "2",
        "mpmc_thrash/1p1c/ringstress-spsc/1024/uniform",
        "--bench",
        "-b",
        "v0.1",
    ]);
    assert!(args.bench);
    assert_eq!(args.baseline, BaselineUse::Compare("v0.1".into()));
    // A filter that happens to be called `list` is not --list.
    assert!(!CriterionArgs::parse(["--bench", "list"]).list);
}

#[test]
fn baseline_flags_follow_criterions_precedence() {
    let args = CriterionArgs::parse(["--bench", "--save-baseline", "a", "--baseline", "b"]);
    assert_eq!(args.baseline, BaselineUse::Compare("b".into()));
    let args = CriterionArgs::parse(["--bench", "--save-baseline", "a", "--discard-baseline"]);
    assert_eq!(args.baseline, BaselineUse::Discard);
}

#[test]
fn load_baseline_runs_read_the_loaded_results_and_the_fresh_comparison() {
    let started = SystemTime::now();
    let args = CriterionArgs::parse(["--bench", "--load-baseline", "cand", "--baseline", "v0.1"]);
    let query = query_for_run(&args, started);
    assert_eq!(query.slot, "cand");
    assert_eq!(query.selection, Selection::ComparedSince(started));
    assert_eq!(query.comparison, ComparisonSource::Baseline("v0.1".into()));
}

// ---- which results belong to a run ----

/// Records metadata for baseline `name` under `home` saying this harness on this machine
/// recorded it, so it is compared cell by cell.
fn record_here(home: &Path, name: &str) {
    record_baseline(home, name, &Hardware::detect(), &[]).unwrap();
}

fn checked(outcome: GateOutcome) -> ResultsReport {
    match outcome {
        GateOutcome::Checked(report) => *report,
        other => panic!("expected a report, got {other:?}"),
    }
}

#[test]
fn only_results_written_since_the_run_started_are_gated() {
    let home = scratch_copy("slowed");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(home.join(PEER_DIR).join("new/benchmark.json"))
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    record_here(&home, "v0.1");
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);

    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    let ids: Vec<&str> = report.rows.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(ids, [SPSC_ID], "the peer's result is from an earlier run");
    assert_eq!(report.verdict().exit_code(), 1);

    let later = SystemTime::now() + Duration::from_secs(60);
    assert_eq!(
        gate_run(&args, later, &home, margin()).unwrap(),
        GateOutcome::NothingWritten
    );
}

#[test]
fn a_recording_run_shows_its_fresh_change_and_passes_a_slowdown() {
    let home = scratch_copy("slowed");
    let args = CriterionArgs::parse(["--bench", "--save-baseline", "v0.1"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    let spsc = find(&report.rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Pass);
    assert!(
        spsc.notes.contains("vs previous v0.1"),
        "notes: {}",
        spsc.notes
    );
    assert!(report.verdict().passed());
}

#[test]
fn a_stale_change_is_not_shown_as_this_runs() {
    let home = scratch_copy("slowed");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(home.join(SPSC_DIR).join("change/estimates.json"))
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let args = CriterionArgs::parse(["--bench", "--save-baseline", "base"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    assert_eq!(
        find(&report.rows, SPSC_ID).notes,
        "no previous run to compare with"
    );
    assert!(
        !metadata_path(&home, "base").exists(),
        "`base` is Criterion's scratch, not a named baseline"
    );
}

#[test]
fn skipped_runs_read_nothing() {
    let args = CriterionArgs::parse(["--test"]);
    let missing = Path::new("/nonexistent/criterion-home");
    assert!(matches!(
        gate_run(&args, SystemTime::now(), missing, margin()).unwrap(),
        GateOutcome::Skipped(_)
    ));
}

// ---- baselines: the current one, and their metadata ----

/// Renames every `v0.1` directory under `home` to `name`.
fn rename_baseline(home: &Path, name: &str) {
    for entry in fs::read_dir(home).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().unwrap() == "v0.1" {
                fs::rename(&path, path.with_file_name(name)).unwrap();
            } else {
                rename_baseline(&path, name);
            }
        }
    }
}

/// Sets the modification time of `dir`'s `new/benchmark.json`.
fn set_written(dir: &Path, when: SystemTime) {
    fs::File::options()
        .write(true)
        .open(dir.join("new/benchmark.json"))
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn without_a_baseline_flag_the_current_baseline_is_compared() {
    let args = CriterionArgs::parse(["--bench"]);
    assert_eq!(args.skip_reason(), None);
    assert_eq!(args.baseline, BaselineUse::Compare(CURRENT_BASELINE.into()));
    let query = query_for_run(&args, SystemTime::now());
    assert_eq!(
        query.comparison,
        ComparisonSource::Baseline(CURRENT_BASELINE.into())
    );
    assert_eq!(query.reference.as_deref(), Some(CURRENT_BASELINE));

    // The slowed fixture, as if v0.1 were the current baseline: gated with no flag.
    let home = scratch_copy("slowed");
    rename_baseline(&home, CURRENT_BASELINE);
    record_here(&home, CURRENT_BASELINE);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    assert!(
        report.scope.contains("current baseline"),
        "{}",
        report.scope
    );
    let spsc = find(&report.rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Regressed);
    assert!(
        spsc.notes.contains(&format!("vs {CURRENT_BASELINE}")),
        "{}",
        spsc.notes
    );
    assert_eq!(report.verdict().exit_code(), 1);
}

#[test]
fn a_recording_run_judges_its_floor_against_the_current_baseline() {
    let since = SystemTime::now();
    let other = CriterionArgs::parse(["--bench", "--save-baseline", "v9.9"]);
    assert_eq!(
        query_for_run(&other, since).reference.as_deref(),
        Some(CURRENT_BASELINE)
    );
    // Re-recording the current baseline overwrites the figures it would be judged against.
    let current = CriterionArgs::parse(["--bench", "--save-baseline", CURRENT_BASELINE]);
    assert_eq!(query_for_run(&current, since).reference, None);
}

#[test]
fn a_baseline_from_another_harness_is_judged_only_against_the_peers() {
    let home = scratch_copy("slowed");
    let mut older = BaselineMetadata::of(&Hardware::detect());
    older.harness_version = HARNESS_VERSION - 1;
    older.complete = true;
    fs::create_dir_all(metadata_path(&home, "v0.1").parent().unwrap()).unwrap();
    fs::write(
        metadata_path(&home, "v0.1"),
        serde_json::to_string(&older).unwrap(),
    )
    .unwrap();
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());

    let note = report.baseline_note.clone().expect("the one line");
    assert!(!note.contains('\n'), "{note}");
    assert!(
        note.starts_with(&format!(
            "ringstress gate: baseline v0.1 was recorded by harness {} on ",
            HARNESS_VERSION - 1
        )),
        "{note}"
    );
    assert!(
        note.contains(&format!("(this run: harness {HARNESS_VERSION}, ")),
        "{note}"
    );
    assert!(
        note.ends_with(
            "not compared cell by cell; judging only our change relative to the peers \
             measured beside us"
        ),
        "{note}"
    );
    assert_eq!(report.to_markdown().matches(note.as_str()).count(), 1);
    assert!(!report.rules.cell_by_cell);
    // The 2x slowdown is one cell: with the single-benchmark check off, only the group
    // check (which one cell cannot fail) and the floor are left, and both pass.
    let spsc = find(&report.rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Pass);
    assert!(
        spsc.notes.contains("not judged cell by cell"),
        "{}",
        spsc.notes
    );
    assert!(report.verdict().passed());

    // The same run against the same baseline recorded here is judged cell by cell.
    record_here(&home, "v0.1");
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    assert_eq!(report.baseline_note, None);
    assert_eq!(find(&report.rows, SPSC_ID).status, Status::Regressed);
}

#[test]
fn a_baseline_from_another_cpu_or_without_metadata_is_not_compared_cell_by_cell() {
    let home = scratch_copy("slowed");
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    let note = report.baseline_note.unwrap();
    assert!(
        note.starts_with("ringstress gate: baseline v0.1 has no metadata"),
        "{note}"
    );
    assert_eq!(find(&report.rows, SPSC_ID).status, Status::Pass);

    let mut elsewhere = BaselineMetadata::of(&Hardware::detect());
    elsewhere.cpu = "Some Other CPU".into();
    elsewhere.complete = true;
    fs::create_dir_all(metadata_path(&home, "v0.1").parent().unwrap()).unwrap();
    fs::write(
        metadata_path(&home, "v0.1"),
        serde_json::to_string(&elsewhere).unwrap(),
    )
    .unwrap();
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    let note = report.baseline_note.unwrap();
    assert!(note.contains("on Some Other CPU, "), "{note}");
    assert_eq!(find(&report.rows, SPSC_ID).status, Status::Pass);
}

/// The slowed fixture compared with v0.1 as `cargo bench -- --baseline v0.1` would, with
/// v0.1's metadata listing both benchmarks, after `damage` was done to the home.
fn compared_after(damage: impl FnOnce(&Path)) -> ResultsReport {
    let home = scratch_copy("slowed");
    let all = ResultQuery {
        slot: "v0.1".into(),
        selection: Selection::All,
        comparison: ComparisonSource::None,
        reference: None,
    };
    record_baseline(
        &home,
        "v0.1",
        &Hardware::detect(),
        &load_results(&home, &all).unwrap(),
    )
    .unwrap();
    damage(&home);
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    checked(gate_run(&args, started, &home, margin()).unwrap())
}

/// The report compared nothing with the baseline, names the damage in one line containing
/// `what`, and exits 2.
fn assert_damaged(report: &ResultsReport, what: &str) {
    let line = report.baseline_damage.as_deref().expect("damage named");
    assert!(!line.contains('\n'), "one line: {line}");
    assert!(
        line.contains("baseline v0.1 is damaged") && line.contains(what),
        "{line}"
    );
    assert!(report.rows.iter().all(|row| row.gated_against.is_none()));
    assert_eq!(report.verdict().exit_code(), 2);
    assert!(report.to_markdown().contains(line));
}

#[test]
fn a_whole_baseline_is_compared() {
    let report = compared_after(|_| {});
    assert_eq!(report.baseline_damage, None);
    assert_eq!(find(&report.rows, SPSC_ID).status, Status::Regressed);
}

#[test]
fn unreadable_metadata_is_named_in_one_line_and_not_compared() {
    let report = compared_after(|home| {
        fs::write(metadata_path(home, "v0.1"), "{\"harness_version\": ").unwrap();
    });
    assert_damaged(&report, "baselines/v0.1.json");
}

#[test]
fn metadata_of_another_suite_version_is_named_and_not_compared() {
    let report = compared_after(|home| {
        let path = metadata_path(home, "v0.1");
        let mut metadata: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        metadata.as_object_mut().unwrap().remove("benchmarks");
        fs::write(&path, metadata.to_string()).unwrap();
    });
    assert_damaged(&report, "benchmarks");
}

#[test]
fn a_truncated_baseline_file_is_named_and_not_compared() {
    let report = compared_after(|home| {
        let path = home.join(SPSC_DIR).join("v0.1/estimates.json");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, &text[..text.len() / 2]).unwrap();
    });
    assert_damaged(&report, &format!("{SPSC_DIR}/v0.1/estimates.json"));
}

#[test]
fn a_baseline_with_cells_removed_is_named_and_not_compared() {
    let report = compared_after(|home| {
        fs::remove_dir_all(home.join(PEER_DIR).join("v0.1")).unwrap();
    });
    assert_damaged(
        &report,
        &format!("1 of the 2 benchmarks of this run it lists have no files (first: {PEER_ID})"),
    );
}

#[test]
fn an_interrupted_recording_is_named_and_not_compared() {
    let report = compared_after(|home| {
        start_recording(home, "v0.1", &Hardware::detect()).unwrap();
    });
    assert_damaged(&report, "did not finish");
}

#[test]
fn cells_a_baseline_never_recorded_are_not_damage() {
    // v0.1 recorded only the peer: ours is new, measured and not compared.
    let report = compared_after(|home| {
        let path = metadata_path(home, "v0.1");
        let mut metadata = read_metadata(home, "v0.1").unwrap().unwrap();
        metadata.benchmarks.retain(|id| id == PEER_ID);
        fs::write(&path, serde_json::to_string(&metadata).unwrap()).unwrap();
        fs::remove_dir_all(home.join(SPSC_DIR).join("v0.1")).unwrap();
    });
    assert_eq!(report.baseline_damage, None);
    assert!(
        find(&report.rows, SPSC_ID)
            .notes
            .contains("no v0.1 baseline")
    );
}

#[test]
fn saving_a_baseline_records_its_metadata_and_merges_each_binarys_groups() {
    // Two "bench binaries" of one `cargo bench`: the first wrote demo/1p1c, the second
    // demo/other (the peer's record, moved to another group).
    let home = scratch_copy("unchanged");
    let peer_record = home.join(PEER_DIR).join("new/benchmark.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&peer_record).unwrap()).unwrap();
    record["group_id"] = "demo/other".into();
    fs::write(&peer_record, record.to_string()).unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let args = CriterionArgs::parse(["--bench", "--save-baseline", "v9.9"]);
    let hardware = Hardware::detect();

    set_written(&home.join(PEER_DIR), an_hour_ago);
    let started = SystemTime::now() - Duration::from_secs(60);
    checked(gate_run(&args, started, &home, margin()).unwrap());
    let first = read_metadata(&home, "v9.9").unwrap().expect("written");
    assert_eq!(first.groups, ["demo/1p1c"]);
    assert_eq!(first.benchmarks, [SPSC_ID]);
    assert!(first.complete);
    assert_eq!(first.harness_version, HARNESS_VERSION);
    assert_eq!(first.cpu, hardware.cpu);
    assert_eq!(first.logical_cores, hardware.logical_cores.parse().ok());
    assert_eq!(first.rustc, hardware.rustc);
    assert!(first.date.ends_with(" UTC"));

    set_written(&home.join(SPSC_DIR), an_hour_ago);
    set_written(&home.join(PEER_DIR), SystemTime::now());
    checked(gate_run(&args, started, &home, margin()).unwrap());
    let second = read_metadata(&home, "v9.9").unwrap().unwrap();
    assert_eq!(second.groups, ["demo/1p1c", "demo/other"]);
    assert_eq!(second.benchmarks.len(), 2);

    // Metadata from another harness no longer describes what v9.9 holds: replaced.
    let mut older = second.clone();
    older.harness_version = HARNESS_VERSION + 1;
    older.groups = vec!["stale/group".into()];
    fs::write(
        metadata_path(&home, "v9.9"),
        serde_json::to_string(&older).unwrap(),
    )
    .unwrap();
    checked(gate_run(&args, started, &home, margin()).unwrap());
    let replaced = read_metadata(&home, "v9.9").unwrap().unwrap();
    assert_eq!(replaced.groups, ["demo/other"]);
    assert_eq!(replaced.harness_version, HARNESS_VERSION);
}

// ---- the table ----

#[test]
fn the_table_has_hardware_rows_sorted_by_id_and_a_verdict() {
    let rules = Rules::new(margins(0.10, 0.20));
    let (rows, groups) = rows_for(&against_v01(&fixture("slowed")), &rules);
    let report = ResultsReport {
        hardware: fixed_hardware(),
        scope: "This run, compared with baseline `v0.1`".into(),
        rules,
        baseline_damage: None,
        baseline_note: None,
        rows,
        groups,
    };
    let text = report.to_markdown();
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|line| *line == "| Test | Throughput | Status | Notes |")
        .expect("table header");
    assert!(
        lines[..header].contains(&"- CPU: Example CPU"),
        "hardware comes first"
    );
    assert!(lines[..header].contains(&"- Logical cores: 2"));
    assert!(
        lines[..header]
            .iter()
            .any(|line| line.contains("20% single-benchmark margin")
                && line.contains("10% group margin"))
    );
    assert_eq!(lines[header + 1], "|---|---|---|---|");
    assert!(lines[header + 2].starts_with(&format!("| {SPSC_ID} | ")));
    assert!(lines[header + 2].contains("M msg/s | REGRESSED | -4"));
    assert!(lines[header + 3].starts_with(&format!("| {PEER_ID} | ")));
    assert!(lines[header + 3].contains("M msg/s | peer |"));
    assert!(
        lines.contains(
            &"0 of 1 of ours under 50.0M msg/s: 0 floor failures (new since v0.1), \
              0 under the floor in v0.1 too"
        ),
        "the floor's count follows the table:\n{text}"
    );
    assert!(
        lines.iter().any(
            |line| line.starts_with("| demo/1p1c | ringstress-spsc | 1 vs v0.1 |")
                && line.ends_with(
                    "| 1 of 1 (p = 0.500) | 1 of 1 | -10% | slower, sign test not met |"
                )
        ),
        "the group check is listed:\n{text}"
    );
    let verdict = lines.last().unwrap();
    assert!(
        verdict.starts_with("FAIL: 1 regressed vs v0.1"),
        "{verdict}"
    );
    assert!(verdict.contains(SPSC_ID) && verdict.contains("--save-baseline"));
}

#[test]
fn a_passing_verdict_counts_ours_and_peers() {
    let rows = rows_for(&against_v01(&fixture("unchanged")), &Rules::new(margin())).0;
    let summary = Verdict::of(&rows).summary();
    assert!(summary.starts_with("PASS: 1 of ours at or above the 50.0M msg/s floor"));
    assert!(summary.contains("none regressed vs v0.1"));
    assert!(summary.contains("1 peer, not gated"));
}

#[test]
fn a_floor_failure_says_what_to_do() {
    let mut results = against_v01(&fixture("unchanged"));
    results[0].estimates.slope.as_mut().unwrap().point_estimate = 2_000.0;
    let summary = Verdict::of(&rows_for(&results, &Rules::new(margin())).0).summary();
    assert!(
        summary.starts_with("FAIL: 1 below the 50.0M msg/s floor"),
        "{summary}"
    );
    assert!(summary.contains("profile"), "{summary}");
}

#[test]
fn rates_read_in_k_m_and_g() {
    assert_eq!(format_rate(50_000_000.0), "50.0M msg/s");
    assert_eq!(format_rate(999_999.0), "1.0M msg/s");
    assert_eq!(format_rate(999.0), "999 msg/s");
    assert_eq!(format_rate(2.5e9), "2.50G msg/s");
    assert_eq!(format_rate(0.0), "0 msg/s");
}

#[test]
fn hardware_detection_fills_every_field() {
    let hardware = Hardware::detect();
    let block = hardware.to_markdown();
    for label in [
        "- CPU: ",
        "- Logical cores: ",
        "- Memory: ",
        "- OS: ",
        "- rustc: ",
        "- Date: ",
    ] {
        assert!(block.contains(label), "{block}");
    }
    assert!(!hardware.date.is_empty());
}

// ---- errors ----

#[test]
fn corrupt_estimates_give_an_error_naming_the_file() {
    let home = scratch_copy("unchanged");
    let path = home.join(SPSC_DIR).join("new/estimates.json");
    fs::write(&path, "{\"mean\": ").unwrap();
    let error = load_results(&home, &query("new", ComparisonSource::None)).unwrap_err();
    assert!(matches!(error, GateError::Corrupt { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("Criterion"), "{message}");
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn missing_estimates_give_an_error_naming_the_file() {
    let home = scratch_copy("unchanged");
    let path = home.join(SPSC_DIR).join("new/estimates.json");
    fs::remove_file(&path).unwrap();
    let error = load_results(&home, &query("new", ComparisonSource::None)).unwrap_err();
    assert!(matches!(error, GateError::Unreadable { .. }), "{error:?}");
    assert!(error.to_string().contains(&path.display().to_string()));
}

#[test]
fn a_corrupt_change_file_is_an_error_not_a_pass() {
    let home = scratch_copy("slowed");
    fs::write(home.join(SPSC_DIR).join("change/estimates.json"), "[]").unwrap();
    let error = load_results(
        &home,
        &query("new", ComparisonSource::Baseline("v0.1".into())),
    )
    .unwrap_err();
    assert!(matches!(error, GateError::Corrupt { .. }), "{error:?}");
}

#[test]
fn a_missing_home_has_no_results_and_recheck_says_so() {
    let missing = PathBuf::from("/nonexistent/criterion-home");
    assert!(
        load_results(&missing, &query("new", ComparisonSource::None))
            .unwrap()
            .is_empty()
    );
    let args = recheck_args(&[
        "--home",
        "/nonexistent/criterion-home",
        "--baseline",
        "v0.1",
    ])
    .unwrap();
    let error = recheck(&args, margin()).unwrap_err();
    assert!(matches!(error, GateError::NoResults { .. }));
    assert!(error.to_string().contains("'v0.1'"), "{error}");
}

// ---- ringstress-gate's arguments ----

/// `ringstress-gate`'s arguments parsed as its `main` parses them.
fn recheck_args(args: &[&str]) -> Result<RecheckArgs, clap::Error> {
    RecheckArgs::try_parse_from(std::iter::once("ringstress-gate").chain(args.iter().copied()))
}

#[test]
fn recheck_arguments_are_parsed_and_bad_ones_rejected() {
    let parsed = recheck_args(&["--baseline=v0.1", "--compare-to", "v0.0", "--home", "h"]);
    assert_eq!(
        parsed.unwrap(),
        RecheckArgs {
            new: false,
            baseline: Some("v0.1".into()),
            compare_to: Some("v0.0".into()),
            home: Some("h".into()),
            ratios: None,
            page: None,
        }
    );
    assert_eq!(recheck_args(&[]).unwrap().slot(), "new");
    assert_eq!(recheck_args(&["--ratios", "64"]).unwrap().ratios, Some(64));
    let page = recheck_args(&["--page", "v.html"]).unwrap().page;
    assert_eq!(page, Some("v.html".into()));
    assert!(recheck_args(&["--page", "v.html", "--ratios", "64"]).is_err());
    let help = recheck_args(&["-h"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("--compare-to <NAME>"), "{help}");
    for bad in [
        vec!["--frobnicate"],
        vec!["--baseline"],
        vec!["--baseline", "--new"],
        vec!["--new", "--baseline", "v0.1"],
        vec!["--ratios", "many"],
        vec!["v0.1"],
    ] {
        let error = recheck_args(&bad).unwrap_err();
        assert_eq!(error.exit_code(), EXIT_ERROR, "{bad:?}: {error}");
    }
    // Comparing a slot with itself is refused when the check runs.
    let itself = recheck_args(&["--baseline", "v0.1", "--compare-to", "v0.1"]).unwrap();
    let error = recheck(&itself, margin()).unwrap_err();
    assert!(matches!(error, GateError::Usage(_)), "{error:?}");
}

#[test]
fn recheck_gates_a_loaded_comparison() {
    let home = scratch_copy("slowed");
    record_here(&home, "v0.1");
    let args = recheck_args(&[
        "--home",
        home.to_str().unwrap(),
        "--new",
        "--compare-to",
        "v0.1",
    ])
    .unwrap();
    let report = recheck(&args, margin()).unwrap();
    assert_eq!(find(&report.rows, SPSC_ID).status, Status::Regressed);
    assert_eq!(report.verdict().exit_code(), 1);
}

#[test]
fn ratio_table_lists_every_implementation_per_cell_and_ours_over_the_best_peer() {
    let group = "mpmc_thrash/1p1c";
    let results = [
        rated("ringstress-spsc", group, "1024/avalanche", 300e6, None),
        rated("rtrb", group, "1024/avalanche", 200e6, None),
        rated("std-mpsc", group, "1024/avalanche", 100e6, None),
        rated("ringstress-spsc", group, "1024/steady", 1.5e9, None),
        rated("rtrb", group, "1024/steady", 2e9, None),
        rated("ringstress-spsc", group, "64/steady", 1e6, None), // another capacity
        rated(
            "harness",
            "harness_overhead/mpmc_thrash",
            "1024/steady",
            7e8,
            None,
        ),
    ];
    let table = ratio_table(&results, 1024);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines,
        [
            "| group | pattern | ringstress-spsc | harness | rtrb | std-mpsc | ours / best peer |",
            "|---|---|---|---|---|---|---|",
            "| harness_overhead/mpmc_thrash | steady | – | 700.0M | – | – | – |",
            "| mpmc_thrash/1p1c | steady | 1.50G | – | 2.00G | – | 0.75x |",
            "| mpmc_thrash/1p1c | avalanche | 300.0M | – | 200.0M | 100.0M | 1.50x |",
        ]
    );
}

#[test]
fn the_committed_current_baseline_is_whole() {
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("../criterion-baselines");
    let all = ResultQuery {
        slot: CURRENT_BASELINE.into(),
        selection: Selection::All,
        comparison: ComparisonSource::None,
        reference: None,
    };
    let results = load_results(&home, &all).unwrap();
    let metadata = read_metadata(&home, CURRENT_BASELINE).unwrap().unwrap();
    assert!(metadata.complete);
    assert_eq!(metadata.harness_version, HARNESS_VERSION);
    assert_eq!(results.len(), metadata.benchmarks.len());
    assert_eq!(
        ringstress_suite::gate::baseline_damage(&home, CURRENT_BASELINE, &results),
        None
    );
}

/// `results` in the id layout of `v0.4` on: the burst pattern moves from the parameter
/// (`<capacity>/<pattern>`) to the group (`<scenario>/<topology>/<pattern>`).
fn in_pattern_groups(mut results: Vec<BenchmarkResult>) -> Vec<BenchmarkResult> {
    for result in &mut results {
        let record = &mut result.record;
        let (capacity, pattern) = record
            .value_str
            .as_deref()
            .unwrap()
            .split_once('/')
            .unwrap();
        let (capacity, pattern) = (capacity.to_owned(), pattern.to_owned());
        record.group_id = format!("{}/{pattern}", record.group_id);
        record.full_id = format!(
            "{}/{}/{capacity}",
            record.group_id,
            record.function_id.as_deref().unwrap()
        );
        record.value_str = Some(capacity);
    }
    results
}

#[test]
fn pattern_groups_are_judged_as_one_family_like_pattern_parameters() {
    // Nine cells over three patterns, eight of them 30% slower than the peers beside them.
    let slower = time_change_for(0.7_f64.powf(9.0 / 8.0));
    let mut results = Vec::new();
    for (index, pattern) in ["steady", "uniform", "avalanche"].iter().enumerate() {
        for capacity in [64, 1024, 65536] {
            let cell = format!("{capacity}/{pattern}");
            let change = if index == 2 && capacity == 65536 {
                0.0
            } else {
                slower
            };
            results.push(cell_result("ringstress-spsc", &cell, change, false));
            results.push(cell_result("rtrb", &cell, 0.0, true));
        }
    }
    let rules = Rules::new(Margins::default());
    let (old_rows, old_groups) = rows_for(&results, &rules);
    let (new_rows, new_groups) = rows_for(&in_pattern_groups(results), &rules);
    assert_eq!(new_groups.len(), old_groups.len());
    for (old, new) in old_groups.iter().zip(&new_groups) {
        assert_eq!(
            new.group, old.group,
            "judged per family, not per Criterion group"
        );
        assert_eq!(
            (new.pattern.as_deref(), new.call),
            (old.pattern.as_deref(), old.call)
        );
        assert_eq!(new.compared, old.compared);
    }
    assert_eq!(new_groups[0].call, GroupCall::Regressed);
    let statuses = |rows: &[ringstress_suite::gate::Row]| -> Vec<Status> {
        rows.iter().map(|row| row.status).collect()
    };
    assert_eq!(statuses(&new_rows), statuses(&old_rows));
}

// ---- the verdict page ----

/// Asserts `page` is well-formed XML as far as the verdict page goes: the doctype, then
/// elements closed in the order they opened (or self-closed), attribute values quoted,
/// and every `&` the start of an entity.
fn assert_well_formed(page: &str) {
    for (at, _) in page.match_indices('&') {
        let entity = &page[at + 1..page[at..].find(';').map_or(at + 1, |end| at + end)];
        let numeric = entity
            .strip_prefix('#')
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            numeric || ["amp", "lt", "gt", "quot"].contains(&entity),
            "bare & at byte {at}: {}",
            &page[at..(at + 20).min(page.len())]
        );
    }
    let mut rest = page
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("the page opens with its doctype");
    let mut open: Vec<&str> = Vec::new();
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("every tag ends");
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a `<` inside tag <{tag}>");
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "</{name}> closes the wrong element");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().expect("a tag name");
            open.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

#[test]
fn the_well_formedness_check_catches_broken_markup() {
    assert_well_formed("<!DOCTYPE html>\n<p a=\"x &amp; y\">a<br/>b &#39;</p>");
    for broken in [
        "<p>unclosed",
        "<p><b>crossed</p></b>",
        "<p>a & b</p>",
        "<p title=\"a<b\">x</p>",
        "<p title=\"open>x</p>",
    ] {
        let page = format!("<!DOCTYPE html>\n{broken}");
        let caught = std::panic::catch_unwind(|| assert_well_formed(&page));
        assert!(caught.is_err(), "{broken} passed");
    }
}

/// The part of `page` that shows `family`: from its heading to the end of its section.
fn section<'a>(page: &'a str, family: &str) -> &'a str {
    let heading = format!("<h2>{family}</h2>");
    let start = page
        .find(&heading)
        .unwrap_or_else(|| panic!("no section for {family}"));
    let end = start + page[start..].find("</section>").expect("sections close");
    &page[start..end]
}

/// A report of `results` (sorted by id, as loaded) on the fixed machine.
fn report_of(mut results: Vec<BenchmarkResult>, rules: Rules) -> ResultsReport {
    results.sort_by(|a, b| a.id().cmp(b.id()));
    let (rows, groups) = rows_for(&results, &rules);
    ResultsReport {
        hardware: fixed_hardware(),
        scope: "This run, compared with baseline `v0.1`".into(),
        rules,
        baseline_damage: None,
        baseline_note: None,
        rows,
        groups,
    }
}

#[test]
fn the_verdict_page_charts_every_family_with_parity_floor_and_regression_calls() {
    // demo/1p1c: nine cells at half their throughput, the peer unchanged: regressed.
    let mut results = group_of(&[(1.0, true); 9], Some(0.0));
    // mpmc_thrash/1p1c: two rings of ours and two peers over three cells, one of ours
    // under the floor.
    let family = "mpmc_thrash/1p1c";
    for (cell, spsc, mpmc, rtrb, crossbeam) in [
        ("64/steady", 40e6, 120e6, 80e6, 30e6),
        ("1024/steady", 1.5e9, 300e6, 2e9, 90e6),
        ("1024/avalanche", 600e6, 400e6, 200e6, 100e6),
    ] {
        results.push(rated("ringstress-spsc", family, cell, spsc, None));
        results.push(rated("ringstress-mpmc", family, cell, mpmc, None));
        results.push(rated("rtrb", family, cell, rtrb, None));
        results.push(rated("crossbeam-queue", family, cell, crossbeam, None));
    }
    // A family with no ring of ours.
    results.push(rated(
        "harness",
        "harness_overhead/mpmc_thrash",
        "1024/steady",
        7e8,
        None,
    ));
    let report = report_of(results, Rules::new(Margins::default()));
    let page = verdict_page(&report);
    assert_well_formed(&page);
    for forbidden in ["<script", "<link", "src=", "href=\"http", "url("] {
        assert!(!page.contains(forbidden), "not self-contained: {forbidden}");
    }

    assert!(page.contains("<p class=\"verdict fail\">FAIL: 1 below the 50.0M msg/s floor"));
    assert!(page.contains("9 regressed vs v0.1"));
    assert!(page.contains("<li>CPU: Example CPU</li>"));
    assert!(page.contains("This run, compared with baseline <code>v0.1</code>"));

    let demo = section(&page, "demo/1p1c");
    let call = "<li class=\"regressed\">ringstress-spsc vs v0.1: REGRESSED. Change relative \
                to the peers -50.0% (threshold -15%)";
    assert!(demo.contains(call), "{demo}");
    assert!(demo.contains("9 of 9 cells slower than their peers"));
    assert_eq!(demo.matches("class=\"mark s-regressed\"").count(), 9);
    assert!(demo.contains("<line class=\"parity\""));
    assert!(demo.contains(">1×</text>"), "the 1.0 line is labelled");

    let mpmc = section(&page, family);
    assert!(
        mpmc.contains("Group check: none"),
        "no baseline compared here"
    );
    assert!(mpmc.contains("<line class=\"parity\""));
    assert!(mpmc.contains("● ringstress-mpmc, ■ ringstress-spsc"));
    // One mark per ring of ours per cell, and the floor in every cell.
    assert_eq!(mpmc.matches("class=\"mark ").count(), 6);
    assert_eq!(mpmc.matches("<line class=\"floor\"").count(), 3);
    assert!(mpmc.contains("Floor: 50.0M msg/s for ours"));
    assert!(mpmc.contains("<td class=\"num under\">40.0M msg/s</td>"));
    assert!(mpmc.contains(
        "ringstress-spsc at steady/64: 40.0M msg/s vs best peer rtrb at 80.0M msg/s: \
         0.50× (FAIL (floor))"
    ));
    assert!(
        mpmc.contains("<td class=\"num\">3.00×</td>"),
        "600M over rtrb's 200M"
    );
    // Cells in pattern order, capacities by size.
    let steady_64 = mpmc.find(">64</td>").unwrap();
    let steady_1024 = mpmc.find(">1024</td>").unwrap();
    let avalanche = mpmc.find("<td>avalanche</td>").unwrap();
    assert!(steady_64 < steady_1024 && steady_1024 < avalanche);

    let harness = section(&page, "harness_overhead/mpmc_thrash");
    assert!(harness.contains("No ring of ours in this family"));
    assert!(!harness.contains("<svg"));
}

#[test]
fn ids_with_markup_characters_are_escaped_on_the_verdict_page() {
    let family = "odd<scenario>&co/1p1c";
    let results = vec![
        rated("ringstress-<spsc>", family, "64/st&ady", 60e6, None),
        rated("peer\"&<b>", family, "64/st&ady", 30e6, None),
    ];
    let page = verdict_page(&report_of(results, Rules::new(Margins::default())));
    assert_well_formed(&page);
    assert!(!page.contains("<scenario>") && !page.contains("<spsc>") && !page.contains("<b>"));
    assert!(page.contains("<h2>odd&lt;scenario&gt;&amp;co/1p1c</h2>"));
    assert!(page.contains("<td>ringstress-&lt;spsc&gt;</td>"));
    assert!(page.contains("<td>peer&quot;&amp;&lt;b&gt;</td>"));
    assert!(page.contains("<td>st&amp;ady</td>"));
}

#[test]
fn a_gate_run_writes_the_verdict_page_beside_the_report() {
    let home = scratch_copy("slowed");
    record_here(&home, "v0.1");
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    write_report_file(&args, started, &home, margin(), &report);

    assert!(report_path(&home).is_file());
    let page = fs::read_to_string(page_path(&home)).unwrap();
    assert_eq!(
        page_path(&home),
        home.join("report/ringstress-verdict.html")
    );
    assert_well_formed(&page);
    assert_eq!(page, verdict_page(&report), "the page of the same report");
    let demo = section(&page, "demo/1p1c");
    assert!(demo.contains("class=\"mark s-regressed\""), "{demo}");
    let leftovers: Vec<_> = fs::read_dir(home.join("report"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_terminal_leads_with_the_verdict_and_lists_only_cells_that_need_attention() {
    let rules = Rules::new(margins(0.10, 0.20));
    let mut results = against_v01(&fixture("slowed"));
    // A second of ours that passes: the terminal leaves it out, the report file keeps it.
    let mut passing = results[0].clone();
    passing.record.full_id = "demo/1p1c/ringstress-mpmc/64/steady".into();
    passing.record.function_id = Some("ringstress-mpmc".into());
    passing.comparison = None;
    results.push(passing);
    let (rows, groups) = rows_for(&results, &rules);
    let report = ResultsReport {
        hardware: fixed_hardware(),
        scope: "This run, compared with baseline `v0.1`".into(),
        rules,
        baseline_damage: None,
        baseline_note: None,
        rows,
        groups,
    };
    let text = report.to_terminal(Some("criterion-baselines/report/ringstress-results.md"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0], "ringstress verdict: FAIL: 1 regressed vs v0.1 (of 2 of ours).",
        "{text}"
    );
    assert!(
        lines[2].contains("(Example CPU, 2 logical cores)"),
        "{text}"
    );
    assert!(
        text.contains("Cells that need attention (1 of 3):"),
        "{text}"
    );
    assert!(text.contains(&format!("| {SPSC_ID} | ")), "{text}");
    assert!(
        !text.contains("ringstress-mpmc/64"),
        "a passing cell: {text}"
    );
    assert!(!text.contains(&format!("| {PEER_ID} | ")), "a peer: {text}");
    assert!(
        lines
            .last()
            .unwrap()
            .ends_with("criterion-baselines/report/ringstress-results.md")
    );
    // The report file keeps every row.
    let full = report.to_markdown();
    assert!(full.contains("ringstress-mpmc/64") && full.contains(PEER_ID));
}

/// Multiplies every time in our SPSC ring's latest estimates in `home` by `factor`.
fn scale_spsc_times(home: &Path, factor: f64) {
    let path = home.join(SPSC_DIR).join("new/estimates.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for estimate in json.as_object_mut().unwrap().values_mut() {
        let Some(estimate) = estimate.as_object_mut() else {
            continue;
        };
        for (key, value) in estimate.iter_mut() {
            if key == "confidence_interval" {
                for bound in ["lower_bound", "upper_bound"] {
                    value[bound] = (value[bound].as_f64().unwrap() * factor).into();
                }
            } else if let Some(number) = value.as_f64() {
                *value = (number * factor).into();
            }
        }
    }
    fs::write(&path, json.to_string()).unwrap();
}

/// The `unchanged` run with our SPSC ring 40x slower (about 31M msg/s, 1.2G in `v0.1`, the
/// peer unchanged beside it): a floor failure in a run comparing with `v0.1`.
fn a_fall_below_the_floor() -> (PathBuf, CriterionArgs, SystemTime) {
    let home = scratch_copy("unchanged");
    scale_spsc_times(&home, 40.0);
    record_here(&home, "v0.1");
    let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let first = checked(gate_run(&args, started, &home, margin()).unwrap());
    assert_eq!(first.verdict().below_floor, [SPSC_ID]);
    (home, args, started)
}

#[test]
fn a_floor_failure_is_measured_again_and_judged_by_the_second_figures() {
    let (home, args, started) = a_fall_below_the_floor();
    let mut filters = Vec::new();
    let second = gate_run_measuring_again(&args, started, &home, margin(), |filter| {
        filters.push(filter.to_owned());
        scale_spsc_times(&home, 1.0 / 40.0); // the second measurement: back to normal
        Ok(())
    })
    .unwrap();
    assert_eq!(filters, [r"^(?:demo/1p1c/[^/]+/64/steady)$"]);
    let verdict = checked(second).verdict();
    assert!(verdict.passed(), "{}", verdict.summary());
}

#[test]
fn a_ring_still_under_the_floor_when_measured_again_fails() {
    let (home, args, started) = a_fall_below_the_floor();
    let mut calls = 0;
    let second = gate_run_measuring_again(&args, started, &home, margin(), |_| {
        calls += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(calls, 1);
    assert_eq!(checked(second).verdict().below_floor, [SPSC_ID]);
}

#[test]
fn a_second_run_that_fails_leaves_the_first_verdict() {
    let (home, args, started) = a_fall_below_the_floor();
    let second = gate_run_measuring_again(&args, started, &home, margin(), |_| {
        Err("the second run ended with exit status: 101".to_owned())
    })
    .unwrap();
    assert_eq!(checked(second).verdict().below_floor, [SPSC_ID]);
}

#[test]
fn runs_that_record_or_only_reanalyse_are_never_measured_again() {
    let (home, _, started) = a_fall_below_the_floor();
    for args in [
        ["--bench", "--save-baseline", "v0.2"].as_slice(),
        ["--bench", "--load-baseline", "new", "--baseline", "v0.1"].as_slice(),
    ] {
        let args = CriterionArgs::parse(args);
        gate_run_measuring_again(&args, started, &home, margin(), |filter| {
            panic!("{args:?} measured {filter} again")
        })
        .unwrap();
    }
}

/// The group checks when our MPMC ring is 60% slower in the three uniform cells of
/// `family` and unchanged in its three steady ones, beside two peers that hold (by both
/// figures), on two cores.
fn uniform_cells_slower(family: &str) -> Vec<GroupCheck> {
    let mut results = Vec::new();
    let mut fastest = Vec::new();
    for pattern in ["steady", "uniform"] {
        for cell in 0..3 {
            let ours = if pattern == "uniform" { 0.4 } else { 1.0 };
            let wobble = [0.97, 1.0, 1.03][cell];
            for (function, ratio) in [
                ("ringstress-mpmc", ours),
                ("crossbeam-queue", 1.0),
                ("crossbeam-channel", wobble),
            ] {
                let cell = format!("{cell}/{pattern}");
                results.push(cell_result(
                    function,
                    &cell,
                    time_change_for(ratio),
                    ratio < 1.0,
                ));
                fastest.push(ratio * 100e6);
            }
        }
    }
    let mut results = with_fastest(results, family, |_| 100e6);
    for (result, fastest) in results.iter_mut().zip(fastest) {
        result.fastest_msgs_per_sec = Some(fastest);
    }
    rows_for(&results, &two_cores()).1
}

#[test]
fn pattern_slices_are_judged_only_where_the_threads_fit_the_cores() {
    let uniform_slice = |checks: Vec<GroupCheck>| {
        checks.into_iter().find(|check| {
            check.implementation == "ringstress-mpmc" && check.pattern.as_deref() == Some("uniform")
        })
    };
    // Two threads on two cores: the uniform slice is judged, and caught.
    let slice = uniform_slice(uniform_cells_slower("mpmc_thrash/1p1c")).unwrap();
    assert_eq!(slice.call, GroupCall::Regressed, "{slice:?}");
    // Four threads on two cores: placement modes move a slice's cells together, so only the
    // whole family is judged.
    assert_eq!(
        uniform_slice(uniform_cells_slower("mpmc_thrash/2p2c")),
        None
    );
}
