//! HTTP flood: an acceptor sends 64-byte requests to workers, which parse them (a seeded
//! simulated delay) and answer on a response queue the acceptor drains while it sends (see
//! `ringstress_suite::stress::scenario::http_flood`).
//!
//! Groups `http_flood/1-worker/<pattern>` and `http_flood/2-workers/<pattern>`; function =
//! the queue, parameter = the capacity (see `case`). The unit of work is a request: it and
//! its response are two messages delivered; an iteration is `capacity` requests, and the
//! report reads in messages per second.

mod case;
mod peers;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use ringstress_suite::gate::criterion_home;
use ringstress_suite::rerun::is_remeasuring;
use ringstress_suite::stress::grid::{Grid, topologies};
use ringstress_suite::stress::latency::{LatencyReport, SAMPLE_EVERY};
use ringstress_suite::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress_suite::stress::scenario::http_flood::{
    self, Config, MEASUREMENT_TIME, SAMPLE_SIZE, Topology, WARM_UP_TIME,
};

use case::{args, bench_case, each_pattern, group_name};
use peers::{ArrayQueue, CrossbeamChannel, Rtrb, StdMpsc};

/// Benchmarks `Q` on `config` (see `case::bench_case`), then, if Criterion measured it and
/// `latency` is kept, runs its latency pass and adds the row.
fn bench<Q: Queue>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    config: &Config,
    latency: &mut Option<LatencyReport>,
) {
    if bench_case::<Q>(group, name, config)
        && let Some(latency) = latency
    {
        let requests = http_flood::latency_requests(config);
        let latencies = http_flood::latency_pass::<Q>(config, requests);
        latency.push(name, Q::NAME, config.capacity, requests, &latencies);
    }
}

fn http_flood(c: &mut Criterion) {
    let grid = Grid::from_env();
    // A second run for the gate (a few cases) keeps the first run's whole latency table.
    let mut latency = (args().measures() && !is_remeasuring())
        .then(|| LatencyReport::new("http_flood", SAMPLE_EVERY));
    for (topology, pattern) in each_pattern(topologies(&Topology::ALL), &grid) {
        let name = group_name(topology.group(), pattern);
        let mut group = c.benchmark_group(&name);
        group
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
                bench::<RingSpsc>(&mut group, &name, &config, &mut latency);
                bench::<Rtrb>(&mut group, &name, &config, &mut latency);
                bench::<RingMpmc>(&mut group, &name, &config, &mut latency);
                bench::<ArrayQueue>(&mut group, &name, &config, &mut latency);
                bench::<CrossbeamChannel>(&mut group, &name, &config, &mut latency);
                bench::<StdMpsc>(&mut group, &name, &config, &mut latency);
            } else {
                // A request queue with several consumers and a response queue with several
                // producers: only queues whose both ends clone.
                bench::<RingMpmc>(&mut group, &name, &config, &mut latency);
                bench::<ArrayQueue>(&mut group, &name, &config, &mut latency);
                bench::<CrossbeamChannel>(&mut group, &name, &config, &mut latency);
            }
        }
        group.finish();
    }
    if let Some(latency) = latency.filter(|latency| !latency.rows.is_empty()) {
        latency.print_and_save(&criterion_home(), &args().saved_slots());
    }
}

ringstress_suite::bench_main!(http_flood);
