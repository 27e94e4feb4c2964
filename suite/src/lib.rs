//! The stress suite that benchmarks the `ringstress` rings: the stress engine the bench files
//! drive through Criterion, and the gate that judges what Criterion measured.
//!
//! - [`stress`]: burst patterns, the queue trait (our rings and the peers behind one
//!   interface), the scenario drivers, validation of every message, the watchdog.
//! - [`gate`]: reads Criterion's results, prints the results table, and fails the run on a
//!   floor breach or a regression against the committed baseline; the `ringstress-gate`
//!   binary re-checks saved results.
//! - [`settings`]: every `RINGSTRESS_*` variable, checked before anything runs.
//! - [`bench_main!`]: the `main` of every bench file: settings, Criterion, then the gate.
//! - [`rerun`]: the bench binary's second run over the cases the gate measures again.
//!
//! The gate reads only Criterion's files, never the stress engine, and the engine knows
//! nothing of the gate: the two meet in [`settings`], [`bench_main!`] and the bench files.
#![deny(missing_docs)]

mod bench_main;
pub mod gate;
pub mod rerun;
pub mod settings;
pub mod stress;

/// Criterion, for [`bench_main!`]'s expansion.
#[doc(hidden)]
pub use criterion;
