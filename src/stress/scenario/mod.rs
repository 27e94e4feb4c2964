//! The scenario drivers, one per bench file.

pub mod backpressure_avalanche;
pub mod harness;
pub mod http_flood;
pub mod mpmc_thrash;
pub mod spawn_storm;
