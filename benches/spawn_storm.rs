//! Spawn storm: a storm of short-lived channels, created and dropped continuously, sends and
//! receives interleaved across the live ones in seeded order (see
//! `ringstress_suite::stress::scenario::spawn_storm`).
//!
//! Groups `spawn_storm/single-thread/<pattern>` and `spawn_storm/two-thread/<pattern>`;
//! function = the queue, parameter = the capacity (see `case`). The unit of work is one
//! message; an iteration is `capacity` messages, and the report reads in messages per
//! second.

mod case;
mod peers;

use criterion::Criterion;
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{RingMpmc, RingSpsc};
use ringstress_suite::stress::scenario::spawn_storm::{
    Config, MEASUREMENT_TIME, Mode, SAMPLE_SIZE, WARM_UP_TIME,
};

use case::{bench_case, each_pattern, group_name};
use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

fn spawn_storm(c: &mut Criterion) {
    let grid = Grid::from_env();
    for (mode, pattern) in each_pattern(Mode::ALL, &grid) {
        let name = group_name(mode.group(), pattern);
        let mut group = c.benchmark_group(&name);
        group
            .sample_size(SAMPLE_SIZE)
            .warm_up_time(WARM_UP_TIME)
            .measurement_time(MEASUREMENT_TIME);
        // Case by case, every implementation back to back (see `case`).
        for &capacity in &grid.sizes {
            let config = Config {
                mode,
                capacity,
                pattern,
            };
            // Every implementation fits both modes: each channel has one sender and one
            // receiver.
            bench_case::<RingSpsc>(&mut group, &name, &config);
            bench_case::<Rtrb>(&mut group, &name, &config);
            bench_case::<RingMpmc>(&mut group, &name, &config);
            bench_case::<ArrayQueue>(&mut group, &name, &config);
            bench_case::<CrossbeamChannel>(&mut group, &name, &config);
            bench_case::<StdMpsc>(&mut group, &name, &config);
        }
        group.finish();
    }
}

ringstress_suite::bench_main!(spawn_storm);
