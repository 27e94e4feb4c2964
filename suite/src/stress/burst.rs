//! Burst patterns: seeded generators of burst lengths, scaled to the ring's capacity.
//!
//! A *burst* is a run of messages handed to a queue together, which a queue with batch
//! operations may publish at once. Every scenario draws its burst lengths from one of three
//! patterns, seeded with a fixed seed and a *stream* number (the producer's or consumer's
//! index), so every run and every implementation sees exactly the same sequence:
//!
//! - [`Pattern::Steady`]: bursts of 1, message by message — the worst case for cache-line
//!   traffic, since every message is published on its own;
//! - [`Pattern::Uniform`]: lengths uniform in `1..=C`;
//! - [`Pattern::Avalanche`]: heavy-tailed (Pareto) lengths: most bursts are a small fraction
//!   of `C`, a few run past it, up to `10 × C`, so they must wait for room mid-burst.
//!
//! ```
//! use ringstress_suite::stress::burst::{Bursts, Pattern};
//!
//! let lengths: Vec<usize> = Bursts::new(Pattern::Uniform, 64, 0).take(5).collect();
//! assert!(lengths.iter().all(|&len| (1..=64).contains(&len)));
//! // The same pattern, capacity and stream always give the same lengths.
//! assert_eq!(lengths, Bursts::new(Pattern::Uniform, 64, 0).take(5).collect::<Vec<_>>());
//! ```

use std::fmt;
use std::str::FromStr;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The fixed seed all patterns start from; streams are derived from it.
const SEED: u64 = 0x5EED_B057_2026_0001;

/// The first stream number of receiving sides: a scenario's senders draw from streams
/// `0, 1, …` and its receivers from `RECEIVER_STREAMS`, `RECEIVER_STREAMS + 1`, …, so a
/// sender and a receiver never draw the same burst lengths.
pub const RECEIVER_STREAMS: u64 = 1000;

/// The longest avalanche burst, as a multiple of the capacity.
pub const AVALANCHE_MAX_FACTOR: usize = 10;
/// Pareto shape of avalanche lengths: smaller is heavier-tailed.
const AVALANCHE_SHAPE: f64 = 1.2;
/// Pareto scale of avalanche lengths, as a fraction of the capacity.
const AVALANCHE_SCALE: f64 = 1.0 / 16.0;

/// How burst lengths are distributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// Every burst is one message.
    Steady,
    /// Lengths uniform in `1..=capacity`.
    Uniform,
    /// Heavy-tailed lengths up to `10 × capacity`.
    Avalanche,
}

impl Pattern {
    /// All patterns, in the order reports list them.
    pub const ALL: [Pattern; 3] = [Pattern::Steady, Pattern::Uniform, Pattern::Avalanche];

    /// The pattern's name in benchmark ids and environment variables.
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Steady => "steady",
            Pattern::Uniform => "uniform",
            Pattern::Avalanche => "avalanche",
        }
    }

    /// The longest burst this pattern produces at `capacity`.
    pub fn max_burst(self, capacity: usize) -> usize {
        match self {
            Pattern::Steady => 1,
            Pattern::Uniform => capacity,
            Pattern::Avalanche => capacity.saturating_mul(AVALANCHE_MAX_FACTOR),
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a [`Pattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPattern(pub String);

impl fmt::Display for UnknownPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown burst pattern {:?} (expected steady, uniform or avalanche)",
            self.0
        )
    }
}

impl std::error::Error for UnknownPattern {}

impl FromStr for Pattern {
    type Err = UnknownPattern;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Pattern::ALL
            .into_iter()
            .find(|pattern| pattern.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownPattern(name.to_string()))
    }
}

/// How many burst lengths a [`BurstTable`] holds (a power of two, so its cursor wraps with a
/// mask).
pub const BURST_TABLE_LEN: usize = 1 << 12;

/// One stream's burst lengths drawn ahead of time: the first [`BURST_TABLE_LEN`] lengths of
/// [`Bursts`], read over and over in a cycle.
///
/// Scenario threads build their tables before the clock starts, so a burst on the clock
/// costs one load instead of a random draw (and, for avalanche, a `powf`). The sequence is
/// as seeded as [`Bursts`]: every run and every implementation gets the same one.
///
/// ```
/// use ringstress_suite::stress::burst::{BURST_TABLE_LEN, BurstTable, Bursts, Pattern};
///
/// let mut table = BurstTable::new(Pattern::Avalanche, 64, 3);
/// let drawn: Vec<usize> = Bursts::new(Pattern::Avalanche, 64, 3).take(10).collect();
/// assert_eq!((0..10).map(|_| table.next_len()).collect::<Vec<_>>(), drawn);
/// // After the last entry it starts over.
/// (10..BURST_TABLE_LEN).for_each(|_| { table.next_len(); });
/// assert_eq!(table.next_len(), drawn[0]);
/// ```
#[derive(Debug, Clone)]
pub struct BurstTable {
    /// The lengths (each ≥ 1; clamped to `u32::MAX`, far past any ring this suite builds).
    lengths: Box<[u32; BURST_TABLE_LEN]>,
    /// Index of the next length to hand out; always `< BURST_TABLE_LEN`.
    cursor: usize,
}

impl BurstTable {
    /// The table of `pattern` at `capacity` for stream `stream` (see [`Bursts::new`]).
    pub fn new(pattern: Pattern, capacity: usize, stream: u64) -> Self {
        let mut lengths = Box::new([1u32; BURST_TABLE_LEN]);
        for (slot, len) in lengths
            .iter_mut()
            .zip(Bursts::new(pattern, capacity, stream))
        {
            *slot = u32::try_from(len).unwrap_or(u32::MAX);
        }
        Self { lengths, cursor: 0 }
    }

    /// The next burst length (≥ 1).
    #[inline(always)]
    pub fn next_len(&mut self) -> usize {
        let len = self.lengths[self.cursor];
        self.cursor = (self.cursor + 1) & (BURST_TABLE_LEN - 1);
        len as usize
    }
}

/// An endless, seeded sequence of burst lengths for one pattern, capacity and stream.
#[derive(Debug, Clone)]
pub struct Bursts {
    pattern: Pattern,
    capacity: usize,
    rng: Xoshiro256PlusPlus,
}

impl Bursts {
    /// The lengths for `pattern` at `capacity` (at least 1), for stream number `stream`.
    pub fn new(pattern: Pattern, capacity: usize, stream: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
        // Each stream is a non-overlapping 2^128-long stretch of the generator.
        for _ in 0..stream {
            rng.long_jump();
        }
        Self {
            pattern,
            capacity: capacity.max(1),
            rng,
        }
    }

    /// The pattern these lengths follow.
    pub fn pattern(&self) -> Pattern {
        self.pattern
    }
}

impl Iterator for Bursts {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        let len = match self.pattern {
            Pattern::Steady => 1,
            Pattern::Uniform => self.rng.random_range(1..=self.capacity),
            Pattern::Avalanche => {
                // Inverse-CDF Pareto draw: scale * u^(-1/shape), u in (0, 1].
                let u: f64 = 1.0 - self.rng.random::<f64>();
                let scale = (self.capacity as f64 * AVALANCHE_SCALE).max(1.0);
                let len = (scale * u.powf(-1.0 / AVALANCHE_SHAPE)).ceil();
                let max = self.pattern.max_burst(self.capacity);
                (len as usize).clamp(1, max)
            }
        };
        Some(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_bursts_are_single_messages() {
        assert!(
            Bursts::new(Pattern::Steady, 1024, 3)
                .take(100)
                .all(|len| len == 1)
        );
    }

    #[test]
    fn uniform_bursts_cover_one_to_capacity() {
        let lengths: Vec<usize> = Bursts::new(Pattern::Uniform, 8, 0).take(10_000).collect();
        assert!(lengths.iter().all(|&len| (1..=8).contains(&len)));
        for want in 1..=8 {
            assert!(lengths.contains(&want), "length {want} never drawn");
        }
    }

    #[test]
    fn avalanche_is_mostly_small_with_bursts_past_capacity() {
        let capacity = 1024;
        let lengths: Vec<usize> = Bursts::new(Pattern::Avalanche, capacity, 0)
            .take(100_000)
            .collect();
        let small = lengths.iter().filter(|&&len| len <= capacity / 4).count();
        let past = lengths.iter().filter(|&&len| len > capacity).count();
        assert!(small > lengths.len() * 3 / 4, "only {small} small bursts");
        assert!(past > 0, "no burst ran past capacity");
        assert!(
            lengths
                .iter()
                .all(|&len| (1..=10 * capacity).contains(&len))
        );
        assert!(
            lengths.contains(&(10 * capacity)),
            "the tail never reached 10 x C"
        );
    }

    #[test]
    fn streams_differ_but_repeat() {
        let a: Vec<usize> = Bursts::new(Pattern::Uniform, 1 << 20, 0).take(8).collect();
        let b: Vec<usize> = Bursts::new(Pattern::Uniform, 1 << 20, 1).take(8).collect();
        assert_ne!(a, b);
        assert_eq!(
            a,
            Bursts::new(Pattern::Uniform, 1 << 20, 0)
                .take(8)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn pattern_names_round_trip_and_bad_names_are_rejected() {
        for pattern in Pattern::ALL {
            assert_eq!(pattern.name().parse::<Pattern>(), Ok(pattern));
        }
        let err = "bursty".parse::<Pattern>().unwrap_err();
        assert!(err.to_string().contains("bursty"));
    }
}
