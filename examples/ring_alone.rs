//! Times our two rings alone: no stress suite, no validator, no Criterion. Its job is to
//! tell whether a change to `src/spsc.rs` or `src/mpmc.rs` makes the ring itself slower
//! (the patches in `scripts/regressions/` are measured with it), before the suite's
//! benchmarks and gate are asked to see it.
//!
//! For each ring, 10M `u64` items pass through a ring of capacity 1024:
//!
//! - `1-thread/one`: one thread `try_push`es 64 items, then `try_pop`s 64, and again;
//! - `1-thread/batch`: the same with one `push_slice` and one `pop_slice` of 64;
//! - `2-thread/one`: a producer thread `try_push`es, a consumer thread `try_pop`s, each
//!   waiting with [`Backoff`] (spin, then yield) when the ring is full or empty;
//! - `2-thread/batch`: the same with `push_slice` / `pop_slice` of up to 64.
//!
//! Each case prints M msg/s, the best of 5 runs (interference on a shared machine only ever
//! slows a run down), and checks the sum of what was received, so the work is real.
//!
//! ```text
//! cargo run --release --example ring_alone              # every case
//! cargo run --release --example ring_alone -- mpmc      # cases whose name contains "mpmc"
//! ```

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use ringstress::wait::Backoff;
use ringstress::{TryPopError, TryPushError, mpmc, spsc};

/// Items per run.
const ITEMS: u64 = 10_000_000;
/// Ring capacity.
const CAPACITY: usize = 1024;
/// Items per burst (single-thread) and per slice.
const BURST: usize = 64;
/// Runs per case; the fastest is reported.
const RUNS: usize = 5;

/// The two ends of one of our rings, behind one interface. Full and empty are the only
/// failures a case expects; a disconnection would be a bug, so it panics.
trait Ring {
    const NAME: &'static str;
    type P: Send;
    type C: Send;
    fn channel() -> (Self::P, Self::C);
    /// Pushes `value`, or hands it back when the ring is full.
    fn try_push(p: &mut Self::P, value: u64) -> Result<(), u64>;
    fn try_pop(c: &mut Self::C) -> Option<u64>;
    fn push_slice(p: &mut Self::P, items: &[u64]) -> usize;
    fn pop_slice(c: &mut Self::C, out: &mut [u64]) -> usize;
}

struct Spsc;
struct Mpmc;

/// `Ok`, `Err(value)` when full; panics on disconnection.
fn full_or_panic(result: Result<(), TryPushError<u64>>) -> Result<(), u64> {
    match result {
        Ok(()) => Ok(()),
        Err(TryPushError::Full(value)) => Err(value),
        Err(TryPushError::Disconnected(_)) => panic!("consumer gone"),
    }
}

/// `Some(value)`, `None` when empty; panics on disconnection.
fn empty_or_panic(result: Result<u64, TryPopError>) -> Option<u64> {
    match result {
        Ok(value) => Some(value),
        Err(TryPopError::Empty) => None,
        Err(TryPopError::Disconnected) => panic!("producer gone"),
    }
}

/// Implements [`Ring`] for `$ring` over the module `$module` (`spsc` or `mpmc`): both rings
/// have the same method names, so one body serves both.
macro_rules! impl_ring {
    ($ring:ident, $module:ident) => {
        impl Ring for $ring {
            const NAME: &'static str = stringify!($module);
            type P = $module::Producer<u64>;
            type C = $module::Consumer<u64>;
            fn channel() -> (Self::P, Self::C) {
                $module::channel(CAPACITY)
            }
            fn try_push(p: &mut Self::P, value: u64) -> Result<(), u64> {
                full_or_panic(p.try_push(value))
            }
            fn try_pop(c: &mut Self::C) -> Option<u64> {
                empty_or_panic(c.try_pop())
            }
            fn push_slice(p: &mut Self::P, items: &[u64]) -> usize {
                p.push_slice(items)
            }
            fn pop_slice(c: &mut Self::C, out: &mut [u64]) -> usize {
                c.pop_slice(out)
            }
        }
    };
}

impl_ring!(Spsc, spsc);
impl_ring!(Mpmc, mpmc);

/// One thread: push a burst one by one, pop it one by one. Returns the sum popped.
fn one_thread_one<R: Ring>(p: &mut R::P, c: &mut R::C) -> u64 {
    let mut sum = 0;
    for start in (0..ITEMS).step_by(BURST) {
        for value in start..start + BURST as u64 {
            R::try_push(p, value).expect("room for a burst");
        }
        for _ in 0..BURST {
            sum += R::try_pop(c).expect("the burst just pushed");
        }
    }
    sum
}

/// One thread: push a burst with one slice call, pop it with another.
fn one_thread_batch<R: Ring>(p: &mut R::P, c: &mut R::C) -> u64 {
    let mut sum = 0;
    let mut burst = [0; BURST];
    let mut out = [0; BURST];
    for start in (0..ITEMS).step_by(BURST) {
        for (value, slot) in (start..).zip(&mut burst) {
            *slot = value;
        }
        assert_eq!(R::push_slice(p, &burst), BURST);
        assert_eq!(R::pop_slice(c, &mut out), BURST);
        sum += out.iter().sum::<u64>();
    }
    sum
}

/// Producer thread: every item one by one, waiting while the ring is full.
fn produce_one<R: Ring>(mut p: R::P) {
    let mut backoff = Backoff::new();
    for mut value in 0..ITEMS {
        while let Err(back) = R::try_push(&mut p, value) {
            value = back;
            backoff.snooze();
        }
        backoff.reset();
    }
}

/// Consumer thread: every item one by one, waiting while the ring is empty.
fn consume_one<R: Ring>(mut c: R::C) -> u64 {
    let mut backoff = Backoff::new();
    let mut sum = 0;
    for _ in 0..ITEMS {
        let value = loop {
            match R::try_pop(&mut c) {
                Some(value) => break value,
                None => backoff.snooze(),
            }
        };
        backoff.reset();
        sum += value;
    }
    sum
}

/// Producer thread: slices of up to [`BURST`], waiting while the ring is full.
fn produce_batch<R: Ring>(mut p: R::P) {
    let mut backoff = Backoff::new();
    let mut burst = [0; BURST];
    for start in (0..ITEMS).step_by(BURST) {
        for (value, slot) in (start..).zip(&mut burst) {
            *slot = value;
        }
        let mut sent = 0;
        while sent < BURST {
            match R::push_slice(&mut p, &burst[sent..]) {
                0 => backoff.snooze(),
                pushed => {
                    sent += pushed;
                    backoff.reset();
                }
            }
        }
    }
}

/// Consumer thread: slices of up to [`BURST`], waiting while the ring is empty.
fn consume_batch<R: Ring>(mut c: R::C) -> u64 {
    let mut backoff = Backoff::new();
    let mut out = [0; BURST];
    let (mut sum, mut received) = (0, 0);
    while received < ITEMS {
        match R::pop_slice(&mut c, &mut out) {
            0 => backoff.snooze(),
            popped => {
                sum += out[..popped].iter().sum::<u64>();
                received += popped as u64;
                backoff.reset();
            }
        }
    }
    sum
}

/// One run of a single-thread case: its time and the sum received.
fn run_one_thread<R: Ring>(case: fn(&mut R::P, &mut R::C) -> u64) -> (Duration, u64) {
    let (mut p, mut c) = R::channel();
    let start = Instant::now();
    let sum = case(&mut p, &mut c);
    (start.elapsed(), sum)
}

/// One run of a two-thread case, timed from a barrier both threads pass to their joins.
fn run_two_threads<R: Ring>(produce: fn(R::P), consume: fn(R::C) -> u64) -> (Duration, u64) {
    let (p, c) = R::channel();
    let barrier = Barrier::new(3);
    thread::scope(|scope| {
        let producer = scope.spawn(|| {
            barrier.wait();
            produce(p);
        });
        let consumer = scope.spawn(|| {
            barrier.wait();
            consume(c)
        });
        barrier.wait();
        let start = Instant::now();
        producer.join().expect("producer panicked");
        let sum = consumer.join().expect("consumer panicked");
        (start.elapsed(), sum)
    })
}

/// Runs a case [`RUNS`] times, checks every sum, prints the best rate.
fn report(name: &str, run: impl Fn() -> (Duration, u64)) {
    let expected = ITEMS * (ITEMS - 1) / 2;
    let best = (0..RUNS)
        .map(|_| {
            let (elapsed, sum) = run();
            assert_eq!(sum, expected, "{name}: wrong sum received");
            elapsed
        })
        .min()
        .expect("RUNS > 0");
    let rate = ITEMS as f64 / best.as_secs_f64() / 1e6;
    println!("{name:<22} {rate:>8.1} M msg/s");
}

/// Every case of ring `R` whose name contains one of `filters` (all when none is given).
fn cases<R: Ring>(filters: &[String]) {
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));
    let name = |case: &str| format!("{}/{case}", R::NAME);
    let one = name("1-thread/one");
    if wanted(&one) {
        report(&one, || run_one_thread::<R>(one_thread_one::<R>));
    }
    let batch = name("1-thread/batch");
    if wanted(&batch) {
        report(&batch, || run_one_thread::<R>(one_thread_batch::<R>));
    }
    let two_one = name("2-thread/one");
    if wanted(&two_one) {
        report(&two_one, || {
            run_two_threads::<R>(produce_one::<R>, consume_one::<R>)
        });
    }
    let two_batch = name("2-thread/batch");
    if wanted(&two_batch) {
        report(&two_batch, || {
            run_two_threads::<R>(produce_batch::<R>, consume_batch::<R>)
        });
    }
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    cases::<Spsc>(&filters);
    cases::<Mpmc>(&filters);
}
