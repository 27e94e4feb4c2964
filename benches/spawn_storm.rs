//! Spawn storm: a storm of short-lived channels, created and dropped continuously, sends and
//! receives interleaved across the live ones in seeded order (see
//! `ringstress_suite::stress::scenario::spawn_storm`).
//!
//! Groups `spawn_storm/single-thread` and `spawn_storm/two-thread`; function = the queue,
//! parameter = `<capacity>/<pattern>`. `iters` = messages in total, so throughput is one
//! element per iteration and the report reads in messages per second.

mod case;
mod peers;

use criterion::{Criterion, Throughput};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{RingMpmc, RingSpsc};
use ringstress_suite::stress::scenario::spawn_storm::{
    Config, MEASUREMENT_TIME, Mode, SAMPLE_SIZE, WARM_UP_TIME,
};

use case::bench_case;
use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

fn spawn_storm(c: &mut Criterion) {
    let grid = Grid::from_env();
    for mode in Mode::ALL {
        let mut group = c.benchmark_group(mode.group());
        group
            .throughput(Throughput::Elements(1))
            .sample_size(SAMPLE_SIZE)
            .warm_up_time(WARM_UP_TIME)
            .measurement_time(MEASUREMENT_TIME);
        // Case by case, every implementation back to back (see `case`).
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

ringstress_suite::bench_main!(spawn_storm);
