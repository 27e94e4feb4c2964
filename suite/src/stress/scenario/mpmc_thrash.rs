//! **mpmc_thrash**: producer/consumer contention on one ring, with overflow.
//!
//! What it stresses: `P` producer threads and `C` consumer threads hammer the two ends of
//! one queue. Producers send in bursts drawn from the burst pattern; avalanche bursts run
//! past the capacity, so producers wait for room mid-burst while consumers pull bursts of
//! their own seeded lengths. Nothing is ever shed (every producer blocks when full).
//!
//! Topologies ([`Topology::ALL`]): `1p1c` (the SPSC ring and the MPMC ring, and the SPSC
//! peers), `2p2c`, `4p4c` (eight threads on the 2-core reference machine: oversubscribed on
//! purpose), `4p1c` and `1p4c`. Benchmark group `mpmc_thrash/<topology>`.
//!
//! What it validates, every run: each producer `p` sends `MessageId::new(p, 0..iters)`;
//! each consumer checks that every producer's sequence numbers increase in what it receives
//! (and run `0, 1, 2, …` without a gap when it is the only consumer); after the run, the
//! consumers' merged per-producer tallies (count and checksums) must equal the closed-form
//! tally of `0..iters` for every producer: exactly once per (producer, seq). Consumers stop
//! without a sentinel (see [`super::harness`]), so a lost message fails the count
//! instead of hanging the run.
//!
//! Criterion: `run`'s count is units of work, one message *per producer* each, so one unit
//! delivers `P` messages ([`Topology::messages_per_unit`]); the bench runs `capacity` units
//! per iteration (see `benches/case`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::stress::burst::Pattern;
use crate::stress::grid::parameter;
use crate::stress::queue::Queue;
use crate::stress::scenario::harness::{self, Overflow, Plan};

/// The scenario's name: the first part of every benchmark group.
pub const SCENARIO: &str = "mpmc_thrash";

/// Criterion samples per benchmark (the bench file sets it; the soak test sizes itself by it).
pub const SAMPLE_SIZE: usize = 10;
/// Criterion warm-up per benchmark.
pub const WARM_UP_TIME: Duration = Duration::from_millis(150);
/// Criterion measurement time per benchmark: short, so that the 171 benchmarks (19
/// implementation × topology pairs over the 9-case grid) fit the file's 5-minute budget.
pub const MEASUREMENT_TIME: Duration = Duration::from_millis(600);

/// How many producer and consumer threads share the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Topology {
    /// Producer threads.
    pub producers: usize,
    /// Consumer threads.
    pub consumers: usize,
}

impl Topology {
    /// One producer, one consumer: the SPSC rings' topology.
    pub const P1C1: Topology = Topology::new(1, 1);
    /// Two of each: one thread per core on the reference machine, plus as many again.
    pub const P2C2: Topology = Topology::new(2, 2);
    /// Four of each: eight threads on two cores.
    pub const P4C4: Topology = Topology::new(4, 4);
    /// Fan-in: four producers, one consumer.
    pub const P4C1: Topology = Topology::new(4, 1);
    /// Fan-out: one producer, four consumers.
    pub const P1C4: Topology = Topology::new(1, 4);
    /// Every topology the bench runs, in report order.
    pub const ALL: [Topology; 5] = [
        Topology::P1C1,
        Topology::P2C2,
        Topology::P4C4,
        Topology::P4C1,
        Topology::P1C4,
    ];

    /// `producers` producer threads and `consumers` consumer threads.
    pub const fn new(producers: usize, consumers: usize) -> Self {
        Self {
            producers,
            consumers,
        }
    }

    /// The benchmark group of this topology, e.g. `mpmc_thrash/2p2c`.
    pub fn group(self) -> String {
        format!("{SCENARIO}/{self}")
    }

    /// Messages delivered per unit of `run`'s count (one per producer).
    pub fn messages_per_unit(self) -> u64 {
        self.producers as u64
    }
}

/// Reads `2p2c`: producers, then consumers.
impl fmt::Display for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}p{}c", self.producers, self.consumers)
    }
}

/// The most threads of one kind a topology may ask for.
pub const MAX_THREADS: usize = 1024;

/// Reads `2p2c`: producers, then consumers, each from 1 to [`MAX_THREADS`].
impl FromStr for Topology {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let count = |digits: &str| {
            digits
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_THREADS).contains(n))
        };
        text.trim()
            .strip_suffix('c')
            .and_then(|rest| rest.split_once('p'))
            .and_then(|(producers, consumers)| {
                Some(Topology::new(count(producers)?, count(consumers)?))
            })
            .ok_or_else(|| {
                format!(
                    "{text:?} is not an mpmc_thrash topology (<producers>p<consumers>c, each \
                     1 to {MAX_THREADS}, e.g. 8p8c)"
                )
            })
    }
}

/// One benchmark case: topology, ring capacity and burst pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Producer and consumer threads.
    pub topology: Topology,
    /// The ring's capacity.
    pub capacity: usize,
    /// The burst pattern of producers and consumers.
    pub pattern: Pattern,
}

impl Config {
    /// The case `topology` × `capacity` × `pattern`.
    pub fn new(topology: Topology, capacity: usize, pattern: Pattern) -> Self {
        Self {
            topology,
            capacity,
            pattern,
        }
    }

    fn plan(&self, iters: u64) -> Plan {
        Plan {
            producers: self.topology.producers,
            consumers: self.topology.consumers,
            capacity: self.capacity,
            pattern: self.pattern,
            overflow: Overflow::Block,
            quota: iters,
        }
    }

    fn label(&self, implementation: &str) -> String {
        format!(
            "{} {implementation} {}",
            self.topology.group(),
            parameter(self.capacity, self.pattern)
        )
    }
}

/// Runs one validated thrash through queue `Q` on real threads, each producer sending
/// `iters` messages, and returns the time from the start barrier to the last thread's end.
///
/// # Panics
///
/// With the case and what went wrong: a lost, duplicated or reordered message; a queue that
/// cannot have that many producers or consumers (rtrb, our SPSC ring, std's single
/// consumer); or a stall (no progress for `RINGSTRESS_STALL_SECS`).
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::queue::RingMpmc;
/// use ringstress_suite::stress::scenario::mpmc_thrash::{self, Config, Topology};
///
/// let config = Config::new(Topology::P2C2, 64, Pattern::Avalanche);
/// let elapsed = mpmc_thrash::run::<RingMpmc>(&config, 10_000);
/// assert!(elapsed.as_secs() < 60);
/// ```
pub fn run<Q: Queue>(config: &Config, iters: u64) -> Duration {
    harness::run_threads::<Q>(&config.label(Q::NAME), &config.plan(iters)).elapsed
}

/// Runs the same producers and consumers, validated the same way, on the calling thread
/// through a plain array ring: what the harness itself costs, without any shared queue.
///
/// # Panics
///
/// If validation fails (which would be a bug in the harness).
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::scenario::mpmc_thrash::{self, Config, Topology};
///
/// let config = Config::new(Topology::P1C1, 1024, Pattern::Uniform);
/// assert!(mpmc_thrash::run_alone(&config, 10_000).as_secs() < 60);
/// ```
pub fn run_alone(config: &Config, iters: u64) -> Duration {
    harness::run_alone(&config.label("harness"), &config.plan(iters)).elapsed
}
