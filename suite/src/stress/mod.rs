//! The stress engine: burst patterns, the queue trait, scenario drivers, validation and the
//! watchdog. Bench files wire these to Criterion; `cargo test` runs them at small scale.
//!
//! The path of a message: a [`burst`] pattern decides how many messages a sender hands over
//! at once; a scenario driver ([`scenario`]) runs senders and receivers on real threads
//! ([`run`]: barrier, timing, watchdog) through a [`queue`] — ours or a peer's, behind one
//! trait; receivers check every message ([`validate`]). [`grid`] says which sizes and
//! patterns a run covers. [`latency`] times `http_flood`'s requests, in a pass of its own
//! after Criterion's measurement.

pub mod burst;
pub mod faulty;
pub mod grid;
pub mod latency;
pub mod queue;
pub mod run;
pub mod scenario;
pub mod validate;
