//! HTTP flood: an acceptor sends 64-byte requests to workers, which parse them (a seeded
//! simulated delay) and answer on a response queue the acceptor drains while it sends (see
//! `ringstress_suite::stress::scenario::http_flood`).
//!
//! Groups `http_flood/1-worker/<pattern>` and `http_flood/2-workers/<pattern>`; function =
//! the queue, parameter = the capacity (see `case`). `iters` = requests; a request and its response are two
//! messages delivered, so throughput is two elements per iteration and the report reads in
//! messages per second.

mod case;
mod peers;

use criterion::{Criterion, Throughput};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{RingMpmc, RingSpsc};
use ringstress_suite::stress::scenario::http_flood::{
    Config, MEASUREMENT_TIME, SAMPLE_SIZE, Topology, WARM_UP_TIME,
};

use case::{bench_case, each_pattern, group_name};
use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

fn http_flood(c: &mut Criterion) {
    let grid = Grid::from_env();
    for (topology, pattern) in each_pattern(Topology::ALL, &grid) {
        let name = group_name(topology.group(), pattern);
        let mut group = c.benchmark_group(&name);
        group
            .throughput(Throughput::Elements(2))
            .sample_size(SAMPLE_SIZE)
            .warm_up_time(WARM_UP_TIME)
            .measurement_time(MEASUREMENT_TIME);
        // Case by case, every implementation back to back (see `case`).
        for &capacity in &grid.sizes {
            let config = Config {
                topology,
                capacity,
                pattern,
            };
            if topology.workers == 1 {
                // Both queues single-producer single-consumer: every implementation fits.
                bench_case::<RingSpsc>(&mut group, &name, &config);
                bench_case::<Rtrb>(&mut group, &name, &config);
                bench_case::<RingMpmc>(&mut group, &name, &config);
                bench_case::<ArrayQueue>(&mut group, &name, &config);
                bench_case::<CrossbeamChannel>(&mut group, &name, &config);
                bench_case::<StdMpsc>(&mut group, &name, &config);
            } else {
                // A request queue with several consumers and a response queue with several
                // producers: only queues whose both ends clone.
                bench_case::<RingMpmc>(&mut group, &name, &config);
                bench_case::<ArrayQueue>(&mut group, &name, &config);
                bench_case::<CrossbeamChannel>(&mut group, &name, &config);
            }
        }
        group.finish();
    }
}

ringstress_suite::bench_main!(http_flood);
