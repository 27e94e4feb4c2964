//! The stress suite that benchmarks the `ringstress` rings: the stress engine the bench files
//! drive through Criterion, and the gate that judges what Criterion measured.
//!
//! - [`stress`]: burst patterns, the queue trait (our rings and the peers behind one
//!   interface), the scenario drivers, validation of every message, the watchdog.
//! - [`gate`]: reads Criterion's results, prints the results table, and fails the run on a
//!   floor breach or a regression against the committed baseline; [`bench_main!`] is the
//!   `main` of every bench file, and the `ringstress-gate` binary re-checks saved results.
//!
//! The gate reads only Criterion's files, never the stress engine: the two meet in the
//! bench files of the ring crate.
#![deny(missing_docs)]

pub mod gate;
pub mod stress;

/// Criterion, for [`bench_main!`]'s expansion.
#[doc(hidden)]
pub use criterion;
