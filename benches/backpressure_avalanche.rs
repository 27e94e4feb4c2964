//! Backpressure avalanche: two bursty producers overflow a ring in front of a slower
//! consumer, under each overflow policy (see
//! `ringstress_suite::stress::scenario::backpressure_avalanche`).
//!
//! Groups `backpressure_avalanche/<policy>/<pattern>` for policies `block`, `shed` and
//! `retry`; function = the queue, parameter = the capacity (see `case`). The unit of work is
//! one message each producer *delivers* (shed ones are not counted), two messages; an
//! iteration is `capacity` units, and the report reads in messages delivered per second.

mod case;
mod peers;

use criterion::Criterion;
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::RingMpmc;
use ringstress_suite::stress::scenario::backpressure_avalanche::{
    self as scenario, Config, Overflow,
};

use case::{bench_case, each_pattern, group_name};
use peers::{ArrayQueue, CrossbeamChannel, StdMpsc};

fn backpressure_avalanche(c: &mut Criterion) {
    let grid = Grid::from_env();
    for (overflow, pattern) in each_pattern(Overflow::ALL, &grid) {
        let name = group_name(scenario::group(overflow), pattern);
        let mut group = c.benchmark_group(&name);
        group
            .sample_size(scenario::SAMPLE_SIZE)
            .warm_up_time(scenario::WARM_UP_TIME)
            .measurement_time(scenario::MEASUREMENT_TIME);
        // Case by case, every implementation back to back (see `case`).
        for &capacity in &grid.sizes {
            let config = Config::new(overflow, capacity, pattern);
            // Two producers, one consumer: every queue with a clonable sending end.
            bench_case::<RingMpmc>(&mut group, &name, &config);
            bench_case::<ArrayQueue>(&mut group, &name, &config);
            bench_case::<CrossbeamChannel>(&mut group, &name, &config);
            bench_case::<StdMpsc>(&mut group, &name, &config);
        }
        group.finish();
    }
}

ringstress_suite::bench_main!(backpressure_avalanche);
