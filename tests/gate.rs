//! The gate's decisions, table and error handling, on real Criterion 0.8 output captured in
//! `tests/fixtures/` (see its README): `unchanged/` is a re-run of unchanged code compared
//! with baseline `v0.1`, `slowed/` a run whose ringstress body did its work twice (about 2×
//! slower) compared with the same baseline. In both, the peer `rtrb` does 100× the work,
//! so it sits far below the floor: it must still never fail the gate.
#![cfg(feature = "stress")]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use ringstress::gate::{
    Against, BaselineUse, BenchmarkResult, ChangeCall, ChangeData, ChangeEstimates, Comparison,
    ComparisonSource, CriterionArgs, DEFAULT_GROUP_MARGIN, DEFAULT_SINGLE_MARGIN, Estimates,
    FLOOR_MSGS_PER_SEC, GateError, GateOutcome, GroupCall, Hardware, Margins, NOISE_MARGIN_ENV,
    NoiseMargin, RecheckCommand, ResultQuery, ResultsReport, SINGLE_NOISE_MARGIN_ENV, Selection,
    Status, Throughput, Verdict, call_change, format_rate, gate_run, load_results,
    parse_recheck_args, query_for_run, read_json, recheck, row_for, rows_for, status_of,
    throughput_change,
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

fn query(slot: &str, comparison: ComparisonSource) -> ResultQuery {
    ResultQuery {
        slot: slot.to_owned(),
        selection: Selection::All,
        comparison,
    }
}

fn against_v01(home: &Path) -> Vec<BenchmarkResult> {
    load_results(
        home,
        &query("new", ComparisonSource::Baseline("v0.1".into())),
    )
    .unwrap()
}

fn find<'a>(rows: &'a [ringstress::gate::Row], id: &str) -> &'a ringstress::gate::Row {
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
    assert_eq!(
        status_of(true, Some(FLOOR_MSGS_PER_SEC), None),
        Status::Pass
    );
    assert_eq!(
        status_of(true, Some(FLOOR_MSGS_PER_SEC - 1.0), None),
        Status::FailFloor
    );
    assert_eq!(
        status_of(
            true,
            Some(FLOOR_MSGS_PER_SEC - 1.0),
            Some(ChangeCall::Regressed)
        ),
        Status::FailFloor,
        "the floor breach is reported first"
    );
}

#[test]
fn ours_below_the_floor_fail_and_peers_below_it_do_not() {
    let mut results = against_v01(&fixture("unchanged"));
    // 64 messages in 2 µs = 32M msg/s: under the floor.
    results[0].estimates.slope.as_mut().unwrap().point_estimate = 2_000.0;
    let rows = rows_for(&results, margin()).0;
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
    let row = row_for(&result, margin());
    assert_eq!(row.status, Status::FailNoThroughput);
    assert_eq!(row.msgs_per_sec, None);
    assert!(row.notes.contains("Throughput::Elements"));
}

// ---- regressions ----

#[test]
fn a_real_2x_slowdown_is_regressed() {
    let rows = rows_for(&against_v01(&fixture("slowed")), margin()).0;
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
    let rows = rows_for(&against_v01(&fixture("unchanged")), margin()).0;
    let spsc = find(&rows, SPSC_ID);
    assert_eq!(spsc.status, Status::Pass);
    assert!(spsc.notes.contains("within noise"), "notes: {}", spsc.notes);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn significant_slowdown_beyond_the_margin_is_regressed() {
    let result = spsc_with_change(0.25, 0.20, 0.30, v01());
    assert_eq!(row_for(&result, margin()).status, Status::Regressed);
}

#[test]
fn slowdown_beyond_the_margin_with_an_interval_reaching_zero_is_not_regressed() {
    let result = spsc_with_change(0.25, -0.01, 0.50, v01());
    let row = row_for(&result, margin());
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
    let row = row_for(&result, margin());
    assert_eq!(row.status, Status::Pass);
    assert!(row.notes.contains("within noise"), "notes: {}", row.notes);
}

#[test]
fn a_speedup_is_not_regressed() {
    let result = spsc_with_change(-0.5, -0.55, -0.45, v01());
    let row = row_for(&result, margin());
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
    let rows = rows_for(&against_v01(&fixture("slowed")), margins(0.6, 0.6)).0;
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

#[test]
fn a_2x_slowdown_across_a_group_is_regressed_though_each_cell_is_within_the_single_margin() {
    // Every cell at half its throughput (+100% time), peers unchanged.
    let results = group_of(&[(1.0, true); 9], Some(0.0));
    let (rows, groups) = rows_for(&results, Margins::default());
    assert_eq!(groups.len(), 1);
    let check = &groups[0];
    assert_eq!(check.implementation, "ringstress-spsc");
    assert_eq!((check.compared, check.significantly_slower), (9, 9));
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

#[test]
fn a_slowdown_the_peers_beside_it_share_is_the_machine_not_a_regression() {
    // Ours and the peers in every cell both at half their throughput: a busy machine.
    let results = group_of(&[(1.0, true); 9], Some(1.0));
    let (rows, groups) = rows_for(&results, Margins::default());
    assert!((groups[0].change + 0.5).abs() < 1e-9);
    assert!((groups[0].peers_change.unwrap() + 0.5).abs() < 1e-9);
    assert!(groups[0].relative_change.abs() < 1e-9);
    assert_eq!(groups[0].call, GroupCall::WithinNoise);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn without_peers_the_group_is_judged_on_its_own_change() {
    let results = group_of(&[(1.0, true); 9], None);
    let (rows, groups) = rows_for(&results, Margins::default());
    assert_eq!(groups[0].peers_change, None);
    assert_eq!(groups[0].call, GroupCall::Regressed);
    assert_eq!(Verdict::of(&rows).exit_code(), 1);
}

#[test]
fn one_noisy_cell_does_not_fail_its_group() {
    // One cell at a third of its throughput, significant; the other eight unchanged.
    let mut cells = [(0.0, false); 9];
    cells[4] = (2.0, true);
    let (rows, groups) = rows_for(&group_of(&cells, Some(0.0)), Margins::default());
    assert_eq!(groups[0].call, GroupCall::WithinNoise);
    assert!(groups[0].relative_change > -0.25);
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn one_cell_beyond_the_single_margin_fails_alone() {
    // One cell at a twentieth of its throughput (+1900% time), significant.
    let mut cells = [(0.0, false); 9];
    cells[4] = (19.0, true);
    let (rows, groups) = rows_for(&group_of(&cells, Some(0.0)), Margins::default());
    // The group moved (one ninth of a 20x drop), but only one of its cells is significant.
    assert_eq!(groups[0].call, GroupCall::SlowerNotSignificant);
    let verdict = Verdict::of(&rows);
    assert_eq!(verdict.regressed, ["demo/1p1c/ringstress-spsc/4/steady"]);
}

#[test]
fn a_group_drop_needs_most_of_its_cells_significantly_slower() {
    // All nine at half the throughput, but only four significant by Criterion.
    let cells: Vec<(f64, bool)> = (0..9).map(|index| (1.0, index < 4)).collect();
    let (rows, groups) = rows_for(&group_of(&cells, Some(0.0)), Margins::default());
    assert_eq!(groups[0].significantly_slower, 4);
    assert_eq!(groups[0].call, GroupCall::SlowerNotSignificant);
    assert!(Verdict::of(&rows).passed());
    // Five of nine is a majority.
    let cells: Vec<(f64, bool)> = (0..9).map(|index| (1.0, index < 5)).collect();
    let (rows, groups) = rows_for(&group_of(&cells, Some(0.0)), Margins::default());
    assert_eq!(groups[0].call, GroupCall::Regressed);
    // Only the significantly slower cells are marked; the verdict fails.
    assert_eq!(Verdict::of(&rows).regressed.len(), 5);
}

#[test]
fn the_real_2x_slowdown_is_caught_by_the_group_check_with_the_default_margins() {
    let (rows, groups) = rows_for(&against_v01(&fixture("slowed")), Margins::default());
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].call, GroupCall::Regressed, "{groups:?}");
    assert_eq!(find(&rows, SPSC_ID).status, Status::Regressed);
    let (rows, groups) = rows_for(&against_v01(&fixture("unchanged")), Margins::default());
    assert_eq!(groups[0].call, GroupCall::WithinNoise, "{groups:?}");
    assert!(Verdict::of(&rows).passed());
}

#[test]
fn peers_are_never_gated() {
    let mut result = spsc_with_change(1.0, 0.9, 1.1, v01());
    result.record.function_id = Some("crossbeam-queue".into());
    assert_eq!(row_for(&result, margin()).status, Status::Peer);
    result.record.function_id = None;
    assert_eq!(row_for(&result, margin()).status, Status::Peer);
}

#[test]
fn a_slowdown_while_recording_a_baseline_is_shown_not_gated() {
    for against in [
        Against::PreviousContents("v0.1".into()),
        Against::PreviousRun,
    ] {
        let result = spsc_with_change(1.0, 0.9, 1.1, against);
        let row = row_for(&result, margin());
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
    let rows = rows_for(&against_v01(&home), margin()).0;
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
    let rows = rows_for(&results, margin()).0;
    assert_eq!(find(&rows, SPSC_ID).status, Status::Pass);
    assert_eq!(find(&rows, SPSC_ID).notes, "not compared: no v0.2 baseline");
}

#[test]
fn a_saved_baseline_is_rechecked_against_the_floor() {
    let results = load_results(&fixture("slowed"), &query("v0.1", ComparisonSource::None)).unwrap();
    let rows = rows_for(&results, margin()).0;
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
        CriterionArgs::parse(["--bench"]).baseline,
        BaselineUse::PreviousRun
    );
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
    let args = CriterionArgs::parse(["--bench"]);
    let started = SystemTime::now() - Duration::from_secs(60);
    let report = checked(gate_run(&args, started, &home, margin()).unwrap());
    assert_eq!(
        find(&report.rows, SPSC_ID).notes,
        "no previous run to compare with"
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

// ---- the table ----

#[test]
fn the_table_has_hardware_rows_sorted_by_id_and_a_verdict() {
    let (rows, groups) = rows_for(&against_v01(&fixture("slowed")), margins(0.10, 0.20));
    let report = ResultsReport {
        hardware: fixed_hardware(),
        scope: "This run, compared with baseline `v0.1`".into(),
        margins: margins(0.10, 0.20),
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
        lines.iter().any(
            |line| line.starts_with("| demo/1p1c | ringstress-spsc | 1 vs v0.1 |")
                && line.ends_with("| 1 of 1 | REGRESSED |")
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
    let rows = rows_for(&against_v01(&fixture("unchanged")), margin()).0;
    let summary = Verdict::of(&rows).summary();
    assert!(summary.starts_with("PASS: 1 of ours at or above the 50.0M msg/s floor"));
    assert!(summary.contains("none regressed vs v0.1"));
    assert!(summary.contains("1 peer, not gated"));
}

#[test]
fn a_floor_failure_says_what_to_do() {
    let mut results = against_v01(&fixture("unchanged"));
    results[0].estimates.slope.as_mut().unwrap().point_estimate = 2_000.0;
    let summary = Verdict::of(&rows_for(&results, margin()).0).summary();
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
    let RecheckCommand::Check(args) = parse_recheck_args([
        "--home",
        "/nonexistent/criterion-home",
        "--baseline",
        "v0.1",
    ])
    .unwrap() else {
        unreachable!()
    };
    let error = recheck(&args, margin()).unwrap_err();
    assert!(matches!(error, GateError::NoResults { .. }));
    assert!(error.to_string().contains("'v0.1'"), "{error}");
}

// ---- ringstress-gate's arguments ----

#[test]
fn recheck_arguments_are_parsed_and_bad_ones_rejected() {
    let parsed = parse_recheck_args(["--baseline=v0.1", "--compare-to", "v0.0", "--home", "h"]);
    assert_eq!(
        parsed.unwrap(),
        RecheckCommand::Check(ringstress::gate::RecheckArgs {
            slot: "v0.1".into(),
            compare_to: Some("v0.0".into()),
            home: Some("h".into()),
        })
    );
    let RecheckCommand::Check(default) = parse_recheck_args::<[&str; 0], &str>([]).unwrap() else {
        unreachable!()
    };
    assert_eq!(default.slot, "new");
    assert_eq!(parse_recheck_args(["-h"]).unwrap(), RecheckCommand::Help);
    for bad in [
        vec!["--frobnicate"],
        vec!["--baseline"],
        vec!["--baseline", "--new"],
        vec!["--new", "--baseline", "v0.1"],
        vec!["--baseline", "v0.1", "--compare-to", "v0.1"],
        vec!["v0.1"],
    ] {
        let error = parse_recheck_args(&bad).unwrap_err();
        assert!(matches!(error, GateError::Usage(_)), "{bad:?}: {error:?}");
    }
}

#[test]
fn recheck_gates_a_loaded_comparison() {
    let RecheckCommand::Check(args) = parse_recheck_args([
        "--home",
        fixture("slowed").to_str().unwrap(),
        "--new",
        "--compare-to",
        "v0.1",
    ])
    .unwrap() else {
        unreachable!()
    };
    let report = recheck(&args, margin()).unwrap();
    assert_eq!(find(&report.rows, SPSC_ID).status, Status::Regressed);
    assert_eq!(report.verdict().exit_code(), 1);
}
