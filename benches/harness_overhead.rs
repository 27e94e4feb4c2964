//! Harness overhead: what the stress harness itself costs, so every other figure can be read
//! against it. Function `harness` in every group (never gated: it is not a queue).
//!
//! - `harness_overhead/mpmc_thrash`: the thrash's producer and consumer logic (burst
//!   tables, ids by counting, chunk fill, the order check and tallies over each received
//!   slice) for 1p1c, run on one thread through a plain non-shared array ring instead of a
//!   shared one, each side looping as its thread would; groups
//!   `harness_overhead/mpmc_thrash/<pattern>`, parameter = the capacity, `capacity` messages
//!   per iteration as in the scenario benches (throughput in messages per second).
//! - `harness_overhead/backpressure_avalanche/<pattern>`: the same for the avalanche's two producers
//!   and its consumer under `block` (two streams interleaved at the consumer); `capacity`
//!   messages per producer per iteration.
//! - `harness_overhead/run`: the fixed cost of one run on the clock (thread start after the
//!   barrier to the last thread's end) with no messages at all, per topology: what each
//!   `iter_custom` call pays once, whatever its message count. Time per run, no throughput.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::RingMpmc;
use ringstress_suite::stress::scenario::backpressure_avalanche::{self, Overflow};
use ringstress_suite::stress::scenario::mpmc_thrash::{self, Topology};

/// The function id of every benchmark here.
const HARNESS: &str = "harness";

fn harness_overhead(c: &mut Criterion) {
    let grid = Grid::from_env();

    for &pattern in &grid.patterns {
        let mut group = c.benchmark_group(format!("harness_overhead/mpmc_thrash/{pattern}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500));
        for &capacity in &grid.sizes {
            let config = mpmc_thrash::Config::new(Topology::P1C1, capacity, pattern);
            // As in every scenario bench: one iteration is `capacity` messages per producer.
            let units = capacity as u64;
            group.throughput(Throughput::Elements(
                units * Topology::P1C1.messages_per_unit(),
            ));
            group.bench_with_input(BenchmarkId::new(HARNESS, capacity), &config, |b, config| {
                b.iter_custom(|iters| mpmc_thrash::run_alone(config, iters * units))
            });
        }
        group.finish();
    }

    for &pattern in &grid.patterns {
        let mut group =
            c.benchmark_group(format!("harness_overhead/backpressure_avalanche/{pattern}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500));
        for &capacity in &grid.sizes {
            let config = backpressure_avalanche::Config::new(Overflow::Block, capacity, pattern);
            let units = capacity as u64;
            group.throughput(Throughput::Elements(units * config.messages_per_unit()));
            group.bench_with_input(BenchmarkId::new(HARNESS, capacity), &config, |b, config| {
                b.iter_custom(|iters| backpressure_avalanche::run_alone(config, iters * units))
            });
        }
        group.finish();
    }

    // Each run spawns its threads (off the clock), so wall time is many times the measured
    // time here: keep the windows short.
    let mut group = c.benchmark_group("harness_overhead/run");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(50))
        .measurement_time(Duration::from_millis(200));
    for topology in [Topology::P1C1, Topology::P2C2, Topology::P4C4] {
        let config = mpmc_thrash::Config::new(topology, 64, Pattern::Steady);
        group.bench_with_input(BenchmarkId::new(HARNESS, topology), &config, |b, config| {
            b.iter_custom(|runs| {
                (0..runs)
                    .map(|_| mpmc_thrash::run::<RingMpmc>(config, 0))
                    .sum()
            })
        });
    }
    group.finish();
}

ringstress_suite::bench_main!(harness_overhead);
