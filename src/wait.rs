//! The wait strategy of every blocking path: spin briefly, then yield the core, then sleep.
//!
//! On a 2-core machine a waiter that only spins while its peer is descheduled burns the
//! whole time slice the peer needs to make progress. [`Backoff`] therefore escalates:
//! a few rounds of exponentially longer `spin_loop` hints (cheap, keeps latency low when
//! the peer is running on the other core), then `yield_now` (lets a descheduled peer run on
//! this core), then short sleeps of growing length (stops an oversubscribed waiter from
//! competing for the cores at all).
//!
//! ```
//! use ringstress::wait::Backoff;
//! use std::sync::atomic::{AtomicBool, Ordering};
//!
//! let ready = AtomicBool::new(true);
//! let mut backoff = Backoff::new();
//! while !ready.load(Ordering::Acquire) {
//!     backoff.snooze();
//! }
//! ```

use std::time::Duration;

/// Rounds of spinning before the first yield; round `k` spins `2^k` times.
const SPIN_ROUNDS: u32 = 6;
/// Rounds (counted from the start) after which a waiter sleeps instead of yielding. Long on
/// purpose: a yield costs about a microsecond when nothing else wants the core, while a
/// sleep costs tens of microseconds at best (timer slack), and two threads that take turns
/// sleeping on a small ring never recover their pace (measured in `http_flood` at capacity
/// 64: 0.4M msg/s with 10 yields before sleeping, 11M msg/s yielding only). Sleeping is
/// kept for waits that last: it stops an oversubscribed waiter competing for the cores.
#[cfg_attr(loom, allow(dead_code))] // loom builds only yield
const YIELD_ROUNDS: u32 = SPIN_ROUNDS + 250;
/// The first sleep; each later round doubles it up to [`MAX_SLEEP`].
#[cfg_attr(loom, allow(dead_code))] // loom builds only yield
const FIRST_SLEEP: Duration = Duration::from_micros(10);
/// The longest sleep, which bounds how late a sleeping waiter notices progress.
#[cfg_attr(loom, allow(dead_code))] // loom builds only yield
const MAX_SLEEP: Duration = Duration::from_micros(100);

/// Escalating wait for one blocked operation: spin, then yield, then sleep.
///
/// Create one per wait (or [`reset`](Backoff::reset) it after progress) and call
/// [`snooze`](Backoff::snooze) each time the operation finds it still cannot proceed.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    round: u32,
}

impl Backoff {
    /// A fresh backoff, starting with the shortest spin.
    pub const fn new() -> Self {
        Self { round: 0 }
    }

    /// Forgets past waiting, after the operation made progress.
    pub fn reset(&mut self) {
        self.round = 0;
    }

    /// True once the backoff has stopped spinning and started yielding or sleeping.
    pub fn is_yielding(&self) -> bool {
        self.round >= SPIN_ROUNDS
    }

    /// Waits once, for longer than the previous call did.
    pub fn snooze(&mut self) {
        #[cfg(loom)]
        {
            // Loom explores interleavings; a yield is the only meaningful wait there.
            crate::sync::yield_now();
        }
        #[cfg(not(loom))]
        {
            if self.round < SPIN_ROUNDS {
                for _ in 0..(1u32 << self.round) {
                    std::hint::spin_loop();
                }
            } else if self.round < YIELD_ROUNDS {
                crate::sync::yield_now();
            } else {
                let doublings = (self.round - YIELD_ROUNDS).min(16);
                let sleep = FIRST_SLEEP.saturating_mul(1 << doublings).min(MAX_SLEEP);
                std::thread::sleep(sleep);
            }
        }
        self.round = self.round.saturating_add(1);
    }

    /// Spins only (never yields or sleeps): for retrying a lost race, which the winner
    /// resolves within a few instructions.
    pub fn spin(&mut self) {
        for _ in 0..(1u32 << self.round.min(SPIN_ROUNDS)) {
            std::hint::spin_loop();
        }
        #[cfg(loom)]
        crate::sync::yield_now();
        if self.round < SPIN_ROUNDS {
            self.round += 1;
        }
    }
}
