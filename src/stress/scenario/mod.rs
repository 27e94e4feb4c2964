//! The scenario drivers, one per bench file.
//!
//! Each driver runs one scenario on real threads through any [`Queue`](super::queue::Queue)
//! and validates every message; the bench file of the same name wires it to Criterion.
//! [`harness`] holds the contention machinery the thrash and backpressure drivers share,
//! and the harness-overhead measurement.

pub mod backpressure_avalanche;
pub mod harness;
pub mod http_flood;
pub mod mpmc_thrash;
pub mod spawn_storm;
