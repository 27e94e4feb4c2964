//! Spawn storm: a storm of short-lived channels, created and dropped continuously, sends and
//! receives interleaved across the live ones in seeded order (see
//! `ringstress::stress::scenario::spawn_storm`).
//!
//! Groups `spawn_storm/single-thread` and `spawn_storm/two-thread`; function = the queue,
//! parameter = `<capacity>/<pattern>`. `iters` = messages in total, so throughput is one
//! element per iteration and the report reads in messages per second.

mod peers;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use ringstress::stress::grid::{Grid, parameter};
use ringstress::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress::stress::run::measure;
use ringstress::stress::scenario::spawn_storm::{
    Config, MEASUREMENT_TIME, Mode, SAMPLE_SIZE, WARM_UP_TIME, run,
};

use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

/// Benchmarks queue `Q` on one case of its mode's group.
fn bench_case<Q: Queue>(group: &mut BenchmarkGroup<'_, WallTime>, config: &Config) {
    group.bench_with_input(
        BenchmarkId::new(Q::NAME, parameter(config.capacity, config.pattern)),
        config,
        |b, config| b.iter_custom(|iters| measure(Q::NAME, || run::<Q>(config, iters))),
    );
}

fn spawn_storm(c: &mut Criterion) {
    let grid = Grid::from_env();
    for mode in Mode::ALL {
        let mut group = c.benchmark_group(mode.group());
        group
            .throughput(Throughput::Elements(1))
            .sample_size(SAMPLE_SIZE)
            .warm_up_time(WARM_UP_TIME)
            .measurement_time(MEASUREMENT_TIME);
        // Every implementation of a case runs back to back: a neighbour that loads the
        // machine for a while slows ours and the peers beside it alike, which is what the
        // gate's group check measures ours against.
        for (capacity, pattern) in grid.cases() {
            let config = Config {
                mode,
                capacity,
                pattern,
            };
            // Every implementation fits both modes: each channel has one sender and one
            // receiver.
            bench_case::<RingSpsc>(&mut group, &config);
            bench_case::<Rtrb>(&mut group, &config);
            bench_case::<RingMpmc>(&mut group, &config);
            bench_case::<ArrayQueue>(&mut group, &config);
            bench_case::<CrossbeamChannel>(&mut group, &config);
            bench_case::<StdMpsc>(&mut group, &config);
        }
        group.finish();
    }
}

ringstress::bench_main!(spawn_storm);
