//! **backpressure_avalanche**: buffer limits exceeded on purpose, under three overflow
//! policies side by side.
//!
//! What it stresses: two bursty producers (avalanche bursts reach ten times the capacity)
//! against one consumer that is slower than both together — it must take and check twice
//! the messages either producer sends, in bursts of its own seeded lengths — so the ring
//! keeps overflowing. (Until harness version 3 the consumer also spent a few seeded
//! nanoseconds of simulated work on each message; that work cost more than the queue and
//! hid it, and the 2:1 topology keeps the ring full without it.) What a producer does with
//! the part of a burst that does not fit is its [`Overflow`] policy, one benchmark group
//! each:
//!
//! - `backpressure_avalanche/block`: wait for room (with backoff); nothing is shed;
//! - `backpressure_avalanche/shed`: drop newest: the rest of the burst is shed at once;
//! - `backpressure_avalanche/retry`: wait up to [`RETRY_ROUNDS`] backoff rounds per burst,
//!   then shed the rest.
//!
//! Topology: 2 producers, 1 consumer (so our MPMC ring, crossbeam-queue, crossbeam-channel
//! and std's `sync_channel` all fit).
//!
//! What it validates, every run: every message gets the next sequence number of its
//! producer whether it is delivered or shed; the consumer checks that each producer's
//! sequence numbers increase (gapless under `block`); after the run, per producer,
//! conservation holds exactly as checksummed tallies — what the consumer received from it
//! plus what it shed equals everything it attempted — and `block` shed nothing.
//!
//! Criterion: an op is one message *delivered*. `run`'s count is units of work: each
//! producer runs until it has delivered that many messages (attempting that many plus what
//! it shed), so one unit delivers [`PRODUCERS`] messages ([`Config::messages_per_unit`]);
//! the bench runs `capacity` units per iteration (see `benches/case`).

use std::time::Duration;

use crate::stress::burst::Pattern;
use crate::stress::grid::parameter;
use crate::stress::queue::Queue;
use crate::stress::scenario::harness::{self, Plan};

pub use crate::stress::scenario::harness::{Outcome, Overflow, ProducerTotals, RETRY_ROUNDS};

/// The scenario's name: the first part of every benchmark group.
pub const SCENARIO: &str = "backpressure_avalanche";

/// Producer threads in the benchmarks (against one consumer).
pub const PRODUCERS: usize = 2;

/// Criterion samples per benchmark (the bench file sets it; the soak test sizes itself by it).
pub const SAMPLE_SIZE: usize = 10;
/// Criterion warm-up per benchmark.
pub const WARM_UP_TIME: Duration = Duration::from_millis(200);
/// Criterion measurement time per benchmark, sized so the 108 benchmarks (3 policies × 4
/// queues × 9 cases) fit the file's 5-minute budget.
pub const MEASUREMENT_TIME: Duration = Duration::from_millis(800);

/// The benchmark group of a policy, e.g. `backpressure_avalanche/shed`.
pub fn group(overflow: Overflow) -> String {
    format!("{SCENARIO}/{overflow}")
}

/// One benchmark case: policy, producers, ring capacity and burst pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// What producers do when the ring is full.
    pub overflow: Overflow,
    /// Producer threads ([`PRODUCERS`] in the benchmarks; the one consumer stays).
    pub producers: usize,
    /// The ring's capacity.
    pub capacity: usize,
    /// The burst pattern of producers and consumer.
    pub pattern: Pattern,
}

impl Config {
    /// The benchmark case `overflow` × `capacity` × `pattern`, with [`PRODUCERS`] producers.
    pub fn new(overflow: Overflow, capacity: usize, pattern: Pattern) -> Self {
        Self {
            overflow,
            producers: PRODUCERS,
            capacity,
            pattern,
        }
    }

    /// Messages delivered per unit of `run`'s count (one per producer).
    pub fn messages_per_unit(&self) -> u64 {
        self.producers as u64
    }

    fn plan(&self, iters: u64) -> Plan {
        Plan {
            producers: self.producers,
            consumers: 1,
            capacity: self.capacity,
            pattern: self.pattern,
            overflow: self.overflow,
            quota: iters,
        }
    }

    fn label(&self, implementation: &str) -> String {
        format!(
            "{} {implementation} {} ({}p1c)",
            group(self.overflow),
            parameter(self.capacity, self.pattern),
            self.producers
        )
    }
}

/// Runs one validated avalanche through queue `Q` on real threads, each producer running
/// until it has delivered `iters` messages, and returns the time from the start barrier to
/// the last thread's end.
///
/// # Panics
///
/// With the case and what went wrong: conservation broken (a message lost or duplicated),
/// a shed message under `block`, a reordered message, a queue that cannot have several
/// producers, or a stall (no progress for `RINGSTRESS_STALL_SECS`).
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::queue::RingMpmc;
/// use ringstress_suite::stress::scenario::backpressure_avalanche::{self, Config, Overflow};
///
/// let config = Config::new(Overflow::Shed, 64, Pattern::Avalanche);
/// let elapsed = backpressure_avalanche::run::<RingMpmc>(&config, 10_000);
/// assert!(elapsed.as_secs() < 60);
/// ```
pub fn run<Q: Queue>(config: &Config, iters: u64) -> Duration {
    run_with_totals::<Q>(config, iters).elapsed
}

/// [`run`], also returning each producer's attempted, delivered and shed counts.
///
/// # Panics
///
/// As [`run`].
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::queue::RingMpmc;
/// use ringstress_suite::stress::scenario::backpressure_avalanche::{self, Config, Overflow};
///
/// let config = Config::new(Overflow::Block, 16, Pattern::Uniform);
/// let outcome = backpressure_avalanche::run_with_totals::<RingMpmc>(&config, 1000);
/// for producer in &outcome.producers {
///     assert_eq!((producer.delivered, producer.shed), (1000, 0));
/// }
/// ```
pub fn run_with_totals<Q: Queue>(config: &Config, iters: u64) -> Outcome {
    harness::run_threads::<Q>(&config.label(Q::NAME), &config.plan(iters))
}

/// Runs the same producers and consumer, validated the same way, on the calling thread
/// through a plain array ring: what the harness itself costs (burst tables, id generation
/// and validation), without any shared queue.
///
/// # Panics
///
/// If validation fails (which would be a bug in the harness).
pub fn run_alone(config: &Config, iters: u64) -> Duration {
    harness::run_alone(&config.label("harness"), &config.plan(iters)).elapsed
}
