//! How every scenario bench file measures one case: Criterion id
//! `<group>/<queue>/<capacity>/<pattern>`, timed with `iter_custom` by the scenario's own
//! clock (threads spawned off the clock, started after a barrier, stopped after the joins).
//!
//! The bench files loop over the cases and run every implementation of a case back to back
//! (not one implementation over the whole grid, then the next): a neighbour that loads the
//! shared machine for a while then slows ours and the peers beside it alike, which is what
//! the gate's group check measures ours against.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use ringstress_suite::stress::queue::Queue;
use ringstress_suite::stress::scenario::Case;

/// Benchmarks queue `Q` on `case` in `group`.
pub fn bench_case<Q: Queue>(group: &mut BenchmarkGroup<'_, WallTime>, case: &impl Case) {
    group.bench_with_input(
        BenchmarkId::new(Q::NAME, case.parameter()),
        case,
        |b, case| b.iter_custom(|iters| case.run::<Q>(iters)),
    );
}
