//! The scenario drivers, one per bench file, and the [`Case`] trait the bench files drive
//! them through.
//!
//! Each driver runs one scenario on real threads through any [`Queue`] and validates every
//! message; the bench file of the same name wires it to Criterion. [`harness`] holds the
//! contention machinery the thrash and backpressure drivers share, and the harness-overhead
//! measurement.

use std::time::Duration;

use super::burst::Pattern;
use super::queue::Queue;

pub mod backpressure_avalanche;
pub mod harness;
pub mod http_flood;
pub mod mpmc_thrash;
pub mod spawn_storm;

/// One benchmark case of a scenario (its `Config`): what a bench file hands to Criterion.
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::queue::RingSpsc;
/// use ringstress_suite::stress::scenario::Case;
/// use ringstress_suite::stress::scenario::mpmc_thrash::{Config, Topology};
///
/// let case = Config::new(Topology::P1C1, 64, Pattern::Steady);
/// assert_eq!((case.capacity(), case.pattern()), (64, Pattern::Steady));
/// assert!(case.run::<RingSpsc>(1_000).as_secs() < 60);
/// ```
pub trait Case {
    /// The ring capacity: the Criterion parameter of the case.
    fn capacity(&self) -> usize;
    /// The burst pattern: the last part of the case's Criterion group name.
    fn pattern(&self) -> Pattern;
    /// Runs the case once through queue `Q` with `iters` as Criterion's iteration count,
    /// validating every message, and returns the time on the clock.
    fn run<Q: Queue>(&self, iters: u64) -> Duration;
}

/// Implements [`Case`] for a scenario's `Config` (fields `capacity` and `pattern`) through
/// its module's `run`.
macro_rules! impl_case {
    ($scenario:ident) => {
        impl Case for $scenario::Config {
            fn capacity(&self) -> usize {
                self.capacity
            }
            fn pattern(&self) -> Pattern {
                self.pattern
            }
            fn run<Q: Queue>(&self, iters: u64) -> Duration {
                $scenario::run::<Q>(self, iters)
            }
        }
    };
}

impl_case!(backpressure_avalanche);
impl_case!(http_flood);
impl_case!(mpmc_thrash);
impl_case!(spawn_storm);
