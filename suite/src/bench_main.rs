//! [`bench_main!`](crate::bench_main): the `main` of every bench file, so the settings are
//! checked before anything runs and the gate runs as part of every `cargo bench` without
//! the user remembering a second step. It sits on top of the stress engine's settings and
//! the gate, which know nothing of each other.

/// Defines `fn main()` for a Criterion bench file (`harness = false`) that checks every
/// `RINGSTRESS_*` setting ([`settings::check_or_exit`](crate::settings::check_or_exit):
/// one line and exit code 2 for a bad one), records the start
/// ([`gate::start_run`](crate::gate::start_run)), runs the given benchmark functions,
/// prints Criterion's summary, then runs the gate
/// ([`rerun::gate_this_run`](crate::rerun::gate_this_run)): the results table of what this
/// run measured (with any floor failure measured a second time first), and a non-zero exit
/// on a floor breach or regression.
///
/// Without a baseline flag Criterion compares with
/// [`gate::CURRENT_BASELINE`](crate::gate::CURRENT_BASELINE), leniently: a benchmark that
/// baseline does not have is measured and simply not compared. `--baseline NAME`,
/// `--baseline-lenient NAME`, `--save-baseline NAME` and `--discard-baseline` replace that
/// choice, as Criterion's `configure_from_args` applies them after it.
///
/// Each argument is a function taking `&mut criterion::Criterion` (the suite's Criterion,
/// re-exported so the expansion needs nothing else in scope). Outside a measuring run (`cargo test --benches`, `--list`, `--test`,
/// `--profile-time`) the gate does nothing.
///
/// ```ignore
/// use criterion::Criterion;
///
/// fn mpmc_thrash(c: &mut Criterion) {
///     let mut group = c.benchmark_group("mpmc_thrash/2p2c");
///     // ...
///     group.finish();
/// }
///
/// ringstress_suite::bench_main!(mpmc_thrash);
/// ```
#[macro_export]
macro_rules! bench_main {
    ($($benchmark:path),+ $(,)?) => {
        fn main() {
            $crate::settings::check_or_exit();
            let started = $crate::gate::start_run();
            // 10,000 bootstrap resamples instead of 100,000: Criterion spends seconds per
            // benchmark on resampling and density plots at the default, which alone would
            // break the suite's 15-minute budget on 2 cores; 10,000 still gives stable
            // confidence intervals. Command-line flags can override it, and the baseline.
            let mut criterion = $crate::criterion::Criterion::default()
                .nresamples(10_000)
                .configure_from_args();
            // With no baseline flag Criterion saves the run as `base` and compares with the
            // previous run (its `--save-baseline` defaults to "base", which undoes any
            // baseline set before `configure_from_args`): compare with the current baseline,
            // leniently, leaving it untouched.
            if !$crate::gate::CriterionArgs::parse(::std::env::args().skip(1)).explicit_baseline {
                criterion = criterion
                    .retain_baseline($crate::gate::CURRENT_BASELINE.to_string(), false);
            }
            $( $benchmark(&mut criterion); )+
            criterion.final_summary();
            $crate::rerun::gate_this_run(started);
        }
    };
}
