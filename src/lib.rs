//! Bounded lock-free rings.
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
//! The crate's only dependency is crossbeam-utils. The stress suite that benchmarks these
//! rings against their peers lives beside it in the repository (`suite/`), unpublished.
#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

mod error;
pub mod mpmc;
pub mod spsc;
mod sync;
pub mod wait;

pub use error::{CapacityError, PopError, PushError, TryPopError, TryPushError};

/// The README's examples, compiled and run as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
