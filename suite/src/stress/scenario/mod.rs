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
    /// Messages delivered per unit of `run`'s count (one per producer in the thrash, a
    /// request and its response in the flood, ...).
    fn messages_per_unit(&self) -> u64;
    /// Runs the case once through queue `Q` for `units` of its scenario's work (messages
    /// per producer, requests, ...), validating every message, and returns the time on
    /// the clock.
    fn run<Q: Queue>(&self, units: u64) -> Duration;
}

/// Implements [`Case`] for a scenario's `Config` (fields `capacity` and `pattern`) through
/// its module's `run`, with `$per_unit` messages per unit.
macro_rules! impl_case {
    ($scenario:ident, $config:ident => $per_unit:expr) => {
        impl Case for $scenario::Config {
            fn capacity(&self) -> usize {
                self.capacity
            }
            fn pattern(&self) -> Pattern {
                self.pattern
            }
            fn messages_per_unit(&self) -> u64 {
                let $config = self;
                $per_unit
            }
            fn run<Q: Queue>(&self, units: u64) -> Duration {
                $scenario::run::<Q>(self, units)
            }
        }
    };
}

impl_case!(backpressure_avalanche, config => config.messages_per_unit());
impl_case!(http_flood, _config => 2); // a request and its response
impl_case!(mpmc_thrash, config => config.topology.messages_per_unit());
impl_case!(spawn_storm, _config => 1);
