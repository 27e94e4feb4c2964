//! How every scenario bench file measures one case: Criterion id
//! `<scenario>/<topology>/<pattern>/<queue>/<capacity>` — one group per scenario, topology
//! and burst pattern, the queue as function and the capacity as (numeric) parameter, so
//! each group's report draws every queue across capacities and each violin compares the
//! queues on one cell. Timed with `iter_custom` by the scenario's own clock (threads
//! spawned off the clock, started after a barrier, stopped after the joins).
//!
//! **One Criterion iteration is `capacity` units of the scenario's work** (messages per
//! producer, requests, ...), and its throughput `capacity × messages per unit` elements.
//! Criterion draws a group's line chart against each benchmark's element count, not its
//! parameter, so this is what puts the capacity on the x axis; msg/s is unchanged.
//!
//! The bench files loop over the cases and run every implementation of a case back to back
//! (not one implementation over the whole grid, then the next): a neighbour that loads the
//! shared machine for a while then slows ours and the peers beside it alike, which is what
//! the gate's group check measures ours against.

use std::sync::OnceLock;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Throughput};
use ringstress_suite::gate::CriterionArgs;
use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::Queue;
use ringstress_suite::stress::scenario::Case;

/// Every (family, pattern) pair: one Criterion group each, families outermost.
pub fn each_pattern<F: Copy>(
    families: impl IntoIterator<Item = F>,
    grid: &Grid,
) -> impl Iterator<Item = (F, Pattern)> {
    let patterns = grid.patterns.clone();
    families
        .into_iter()
        .flat_map(move |family| patterns.clone().into_iter().map(move |p| (family, p)))
}

/// The Criterion group of a scenario family's (e.g. `mpmc_thrash/1p1c`) cases of `pattern`.
pub fn group_name(family: impl std::fmt::Display, pattern: Pattern) -> String {
    format!("{family}/{pattern}")
}

/// This bench binary's command line, as Criterion reads it.
pub fn args() -> &'static CriterionArgs {
    static ARGS: OnceLock<CriterionArgs> = OnceLock::new();
    ARGS.get_or_init(|| CriterionArgs::parse(std::env::args().skip(1)))
}

/// Units of work per Criterion iteration: `capacity` in a measuring run; 1 when Criterion
/// only smoke-tests the benchmark (`cargo test --benches`, a debug build), which checks each
/// case's validation once, not its speed.
fn units_per_iter(capacity: usize) -> u64 {
    if args().measures() {
        capacity as u64
    } else {
        1
    }
}

/// Benchmarks queue `Q` on `case` in `group`, named `name` (by [`group_name`]), if the
/// command line's filter selects it, and says whether it did. One that is not selected is
/// never handed to Criterion, which would otherwise complain, in a filtered run, about every
/// benchmark of the group that has a committed baseline but no new results.
pub fn bench_case<Q: Queue>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    case: &impl Case,
) -> bool {
    if !args().selects(&format!("{name}/{}/{}", Q::NAME, case.capacity())) {
        return false;
    }
    let units = units_per_iter(case.capacity());
    group.throughput(Throughput::Elements(units * case.messages_per_unit()));
    group.bench_with_input(
        BenchmarkId::new(Q::NAME, case.capacity()),
        case,
        |b, case| b.iter_custom(|iters| case.run::<Q>(iters * units)),
    );
    true
}
