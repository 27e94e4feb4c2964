//! MPMC thrash: producer/consumer contention on one ring, with overflow (see
//! `ringstress_suite::stress::scenario::mpmc_thrash`).
//!
//! Groups `mpmc_thrash/<topology>/<pattern>` for topologies `1p1c`, `2p2c`, `4p4c`, `4p1c`
//! and `1p4c`, plus any `RINGSTRESS_TOPOLOGIES` adds (e.g. `8p8c`); function = the queue,
//! parameter = the capacity (see `case`). The unit of work is one message per producer; an
//! iteration is `capacity` units, and the report reads in messages delivered per second.

mod case;
mod peers;

use criterion::Criterion;
use ringstress_suite::stress::grid::{Grid, topologies};
use ringstress_suite::stress::queue::{RingMpmc, RingSpsc};
use ringstress_suite::stress::scenario::mpmc_thrash::{
    Config, MEASUREMENT_TIME, SAMPLE_SIZE, Topology, WARM_UP_TIME,
};

use case::{bench_case, each_pattern, group_name};
use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

fn mpmc_thrash(c: &mut Criterion) {
    let grid = Grid::from_env();
    for (topology, pattern) in each_pattern(topologies(&Topology::ALL), &grid) {
        let name = group_name(topology.group(), pattern);
        let mut group = c.benchmark_group(&name);
        group
            .sample_size(SAMPLE_SIZE)
            .warm_up_time(WARM_UP_TIME)
            .measurement_time(MEASUREMENT_TIME);
        // Case by case, every implementation back to back (see `case`).
        for &capacity in &grid.sizes {
            let config = Config::new(topology, capacity, pattern);
            if topology == Topology::P1C1 {
                // The SPSC rings only fit here.
                bench_case::<RingSpsc>(&mut group, &name, &config);
                bench_case::<Rtrb>(&mut group, &name, &config);
            }
            bench_case::<RingMpmc>(&mut group, &name, &config);
            bench_case::<ArrayQueue>(&mut group, &name, &config);
            bench_case::<CrossbeamChannel>(&mut group, &name, &config);
            if topology.consumers == 1 {
                // std's receiver does not clone.
                bench_case::<StdMpsc>(&mut group, &name, &config);
            }
        }
        group.finish();
    }
}

ringstress_suite::bench_main!(mpmc_thrash);
