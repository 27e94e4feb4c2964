//! The scenario drivers, one per bench file.

pub mod http_flood;
pub mod spawn_storm;
