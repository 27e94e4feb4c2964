//! Bounded lock-free rings, and a stress suite that keeps them honest.
//!
//! - [`spsc`]: a single-producer single-consumer ring. Wait-free `try_push`/`try_pop`,
//!   batch operations that publish many items with one store, cached positions so each side
//!   rarely touches the other's cache line.
//! - [`mpmc`]: a multi-producer multi-consumer ring with clonable handles, per-slot stamps,
//!   and batch claims that move many items with one compare-and-swap.
//! - [`wait`]: the spin → yield → sleep backoff behind every blocking `push`/`pop`.
//!
//! Both rings hold any `T` (not only `Copy`), hand values back on failure, report a vanished
//! other side as `Disconnected` instead of waiting forever, and drop items left inside
//! exactly once when the last handle goes.
//!
//! ```
//! let (mut producer, mut consumer) = ringstress::spsc::channel(8);
//! producer.try_push(String::from("hello")).unwrap();
//! assert_eq!(consumer.try_pop().unwrap(), "hello");
//!
//! let (producer, consumer) = ringstress::mpmc::channel(8);
//! let other = producer.clone();
//! producer.try_push(1).unwrap();
//! other.try_push(2).unwrap();
//! assert_eq!(consumer.try_pop(), Ok(1));
//! ```
//!
//! With the default `stress` feature the crate also carries the stress engine
//! ([`stress`]: burst patterns, scenario drivers, validation, watchdog) and the [`gate`]
//! that reads Criterion's results, prints the results table and enforces the throughput
//! floor. Without it (`default-features = false`) the only dependency is crossbeam-utils.
#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

mod error;
pub mod mpmc;
pub mod spsc;
mod sync;
pub mod wait;

#[cfg(feature = "stress")]
pub mod gate;
#[cfg(feature = "stress")]
pub mod stress;

pub use error::{CapacityError, PopError, PushError, TryPopError, TryPushError};

/// The README's examples, compiled and run as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
