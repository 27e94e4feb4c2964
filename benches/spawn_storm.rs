//! Spawn storm: a storm of short-lived channels, created and dropped continuously, sends and
//! receives interleaved across the live ones in seeded order (see
//! `ringstress::stress::scenario::spawn_storm`).
//!
//! Groups `spawn_storm/single-thread` and `spawn_storm/two-thread`; function = the queue,
//! parameter = `<capacity>/<pattern>`. `iters` = messages in total, so throughput is one
//! element per iteration and the report reads in messages per second.

mod peers;

use criterion::{BenchmarkId, Criterion, Throughput};
use ringstress::stress::grid::{Grid, parameter};
use ringstress::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress::stress::run::measure;
use ringstress::stress::scenario::spawn_storm::{
    Config, MEASUREMENT_TIME, Mode, SAMPLE_SIZE, WARM_UP_TIME, run,
};

use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

/// Bootstrap resamples per benchmark (Criterion's default is 100 000). With 10 samples,
/// 10 000 resamples give the same confidence intervals to within noise, and they cut
/// Criterion's analysis and plotting from about 3 s to under 1 s per benchmark on this
/// machine, which is what keeps the file within its 5-minute budget.
const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// Benchmarks queue `Q` over the whole grid in `mode`'s group.
fn bench_queue<Q: Queue>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    grid: &Grid,
    mode: Mode,
) {
    for (capacity, pattern) in grid.cases() {
        let config = Config {
            mode,
            capacity,
            pattern,
        };
        group.bench_with_input(
            BenchmarkId::new(Q::NAME, parameter(capacity, pattern)),
            &config,
            |b, config| b.iter_custom(|iters| measure(|| run::<Q>(config, iters))),
        );
    }
}

fn spawn_storm(c: &mut Criterion) {
    let grid = Grid::from_env();
    for mode in Mode::ALL {
        let mut group = c.benchmark_group(mode.group());
        group
            .throughput(Throughput::Elements(1))
            .sample_size(SAMPLE_SIZE)
            .warm_up_time(WARM_UP_TIME)
            .measurement_time(MEASUREMENT_TIME)
            .nresamples(BOOTSTRAP_RESAMPLES);
        // Every implementation fits both modes: each channel has one sender and one
        // receiver.
        bench_queue::<RingSpsc>(&mut group, &grid, mode);
        bench_queue::<Rtrb>(&mut group, &grid, mode);
        bench_queue::<RingMpmc>(&mut group, &grid, mode);
        bench_queue::<ArrayQueue>(&mut group, &grid, mode);
        bench_queue::<CrossbeamChannel>(&mut group, &grid, mode);
        bench_queue::<StdMpsc>(&mut group, &grid, mode);
        group.finish();
    }
}

ringstress::bench_main!(spawn_storm);
