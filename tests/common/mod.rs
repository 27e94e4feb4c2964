//! Harness helpers shared by the threaded test files (`mod common;`).
#![allow(dead_code)] // each test crate uses a subset

use std::panic;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a threaded test may run before it fails with its counts.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Waits until `done()`, failing with `what` and `counts()` if that takes longer than
/// `limit`.
pub fn await_deadline(
    what: &str,
    limit: Duration,
    done: impl Fn() -> bool,
    counts: impl Fn() -> String,
) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < limit,
            "{what}: not finished after {limit:?} ({})",
            counts()
        );
        thread::sleep(Duration::from_millis(2));
    }
}

/// Joins a finished thread, re-raising its panic.
pub fn join<R>(handle: JoinHandle<R>) -> R {
    handle.join().unwrap_or_else(|p| panic::resume_unwind(p))
}

/// The payload checksum of one message: a bijective mix, so a lost, duplicated, swapped or
/// corrupted message changes the sum.
pub fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
