//! The MPMC ring across real threads: every `(producer, seq)` message arrives exactly once
//! (a seen-bitmap per producer, merged across consumers), each consumer sees each producer's
//! sequence numbers strictly increasing, and payload checksums match, through every push/pop
//! API, at capacities small and odd enough to wrap constantly, including 4p4c oversubscribed
//! on a 2-core machine. `try_push`/`try_pop` never fail while room or items are there (a
//! finished pop or push, not one still in flight), and no non-blocking call waits for
//! another handle's unfinished work, not even a `pop_each` callback's; handles disconnect
//! only when the last clone goes; a panicking thread is reported, never waited on forever.
//!
//! Every threaded test runs under a deadline and, when it trips, fails with the per-thread
//! counts so far instead of hanging.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use ringstress::mpmc::{self, Consumer, Producer};
use ringstress::wait::Backoff;
use ringstress::{PopError, PushError, TryPopError, TryPushError};

mod common;
use common::{DEADLINE, await_deadline, join, mix};

/// Messages per producer in the main exactly-once runs.
const PER_PRODUCER: u64 = 200_000;

/// A message is `producer << SEQ_BITS | seq`.
const SEQ_BITS: u32 = 40;

// ---------------------------------------------------------------------------------------
// Harness: progress counters, the deadline, the exactly-once checker.
// ---------------------------------------------------------------------------------------

/// Messages each producer sent and each consumer received so far, each counter written by
/// its own thread only, for the deadline's failure message.
struct Progress {
    sent: Vec<CachePadded<AtomicU64>>,
    received: Vec<CachePadded<AtomicU64>>,
}

impl Progress {
    fn new(producers: usize, consumers: usize) -> Arc<Self> {
        let counters = |n| {
            (0..n)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect()
        };
        Arc::new(Self {
            sent: counters(producers),
            received: counters(consumers),
        })
    }

    fn report(&self) -> String {
        let list = |counters: &[CachePadded<AtomicU64>]| {
            counters
                .iter()
                .map(|c| c.load(Ordering::Relaxed).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "sent per producer [{}], received per consumer [{}]",
            list(&self.sent),
            list(&self.received)
        )
    }
}

fn message(producer: usize, seq: u64) -> u64 {
    ((producer as u64) << SEQ_BITS) | seq
}

/// What one consumer saw: a seen-bitmap and the last seq per producer, and a checksum.
#[derive(Debug, Clone)]
struct Seen {
    /// `bits[p]` has bit `seq` set once `(p, seq)` arrived here.
    bits: Vec<Vec<u64>>,
    /// The last seq from each producer, to check each producer's order at this consumer.
    last: Vec<Option<u64>>,
    /// Seqs at or past this were never sent.
    limit: u64,
    count: u64,
    checksum: u64,
}

impl Seen {
    /// For `producers` producers sending at most `per_producer` messages each.
    fn new(producers: usize, per_producer: u64) -> Self {
        let words = per_producer.div_ceil(64) as usize;
        Self {
            bits: vec![vec![0; words]; producers],
            last: vec![None; producers],
            limit: per_producer,
            count: 0,
            checksum: 0,
        }
    }

    fn accept(&mut self, value: u64) -> Result<(), String> {
        let producer = (value >> SEQ_BITS) as usize;
        let seq = value & ((1 << SEQ_BITS) - 1);
        let Some(bits) = self.bits.get_mut(producer) else {
            return Err(format!(
                "message {value:#x} from unknown producer {producer}"
            ));
        };
        if seq >= self.limit {
            return Err(format!("producer {producer} seq {seq} out of range"));
        }
        let word = &mut bits[(seq / 64) as usize];
        if *word & (1 << (seq % 64)) != 0 {
            return Err(format!("producer {producer} seq {seq} arrived twice"));
        }
        *word |= 1 << (seq % 64);
        if let Some(last) = self.last[producer]
            && seq <= last
        {
            return Err(format!(
                "producer {producer}: seq {seq} arrived after seq {last} at one consumer"
            ));
        }
        self.last[producer] = Some(seq);
        self.count += 1;
        self.checksum = self.checksum.wrapping_add(mix(value));
        Ok(())
    }
}

/// Checks that, over all consumers, producer `p`'s seqs `0..sent[p]` each arrived exactly
/// once, nothing else arrived, and the checksums add up.
fn exactly_once(consumers: &[Seen], sent: &[u64]) -> Result<(), String> {
    let mut all = Seen::new(sent.len(), sent.iter().copied().max().unwrap_or(0));
    for seen in consumers {
        for (p, bits) in seen.bits.iter().enumerate() {
            for (w, &word) in bits.iter().enumerate() {
                let overlap = all.bits[p][w] & word;
                if overlap != 0 {
                    let seq = w as u64 * 64 + u64::from(overlap.trailing_zeros());
                    return Err(format!("producer {p} seq {seq} arrived at two consumers"));
                }
                all.bits[p][w] |= word;
            }
        }
        all.count += seen.count;
        all.checksum = all.checksum.wrapping_add(seen.checksum);
    }
    let mut checksum = 0u64;
    for (p, &count) in sent.iter().enumerate() {
        for seq in 0..all.bits[p].len() as u64 * 64 {
            let arrived = all.bits[p][(seq / 64) as usize] & (1 << (seq % 64)) != 0;
            if arrived != (seq < count) {
                let what = if arrived {
                    "was never sent"
                } else {
                    "was lost"
                };
                return Err(format!("producer {p} seq {seq} {what}"));
            }
        }
        checksum = (0..count).fold(checksum, |s, seq| s.wrapping_add(mix(message(p, seq))));
    }
    let total: u64 = sent.iter().sum();
    if all.count != total {
        return Err(format!("{} messages arrived, {total} sent", all.count));
    }
    if all.checksum != checksum {
        return Err(format!(
            "checksum {:#x} differs from the producers' {checksum:#x}",
            all.checksum
        ));
    }
    Ok(())
}

/// How a producer pushes.
#[derive(Debug, Clone, Copy)]
enum Push {
    Blocking,
    Try,
    Slices,
}

/// How a consumer pops.
#[derive(Debug, Clone, Copy)]
enum Pop {
    Blocking,
    Try,
    Slices,
    Each,
}

/// Batch sizes, cycled: smaller than, equal to and larger than the capacities under test.
const BATCHES: [usize; 9] = [1, 2, 3, 5, 7, 13, 64, 250, 1001];

/// Runs one producer thread per entry of `pushes` (each sending `per_producer` messages)
/// and one consumer thread per entry of `pops` on a ring of `capacity`, then checks that
/// every message arrived exactly once and in per-producer order at each consumer.
fn thrash(capacity: usize, per_producer: u64, pushes: &[Push], pops: &[Pop]) {
    let what = format!(
        "{}p{}c at capacity {capacity}, {per_producer} per producer, {pushes:?} / {pops:?}",
        pushes.len(),
        pops.len()
    );
    let (producer, consumer) = mpmc::channel::<u64>(capacity);
    let progress = Progress::new(pushes.len(), pops.len());
    let start = Arc::new(Barrier::new(pushes.len() + pops.len()));
    let senders: Vec<_> = pushes
        .iter()
        .enumerate()
        .map(|(p, &api)| {
            let (producer, progress, start) = (producer.clone(), progress.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                send(&producer, p, per_producer, api, &progress.sent[p])
            })
        })
        .collect();
    drop(producer);
    let receivers: Vec<_> = pops
        .iter()
        .enumerate()
        .map(|(c, &api)| {
            let (consumer, progress, start) = (consumer.clone(), progress.clone(), start.clone());
            let seen = Seen::new(pushes.len(), per_producer);
            thread::spawn(move || {
                start.wait();
                receive(&consumer, seen, api, &progress.received[c])
            })
        })
        .collect();
    drop(consumer);
    await_deadline(
        &what,
        DEADLINE,
        || senders.iter().all(|t| t.is_finished()) && receivers.iter().all(|t| t.is_finished()),
        || progress.report(),
    );
    let sent: Vec<u64> = senders.into_iter().map(join).collect();
    assert!(
        sent.iter().all(|&s| s == per_producer),
        "{what}: sent {sent:?}"
    );
    let seen: Vec<Seen> = receivers
        .into_iter()
        .map(|t| join(t).unwrap_or_else(|err| panic!("{what}: {err}")))
        .collect();
    if let Err(err) = exactly_once(&seen, &sent) {
        panic!("{what}: {err}");
    }
}

/// Producer `p`'s side of [`thrash`]: returns how many messages it sent (all of them unless
/// every consumer is gone).
fn send(producer: &Producer<u64>, p: usize, count: u64, api: Push, sent: &AtomicU64) -> u64 {
    let mut next = 0u64;
    let mut batch = p; // producers start at different batch sizes
    let mut buffer = Vec::new();
    let mut backoff = Backoff::new();
    while next < count {
        let before = next;
        match api {
            Push::Blocking => {
                if producer.push(message(p, next)).is_err() {
                    break;
                }
                next += 1;
            }
            Push::Try => match producer.try_push(message(p, next)) {
                Ok(()) => next += 1,
                Err(TryPushError::Full(back)) => assert_eq!(back, message(p, next)),
                Err(TryPushError::Disconnected(_)) => break,
            },
            Push::Slices => {
                let len = (BATCHES[batch % BATCHES.len()] as u64).min(count - next);
                buffer.clear();
                buffer.extend((next..next + len).map(|seq| message(p, seq)));
                let pushed = producer.push_slice(&buffer) as u64;
                assert!(pushed <= len, "push_slice claims {pushed} of {len}");
                next += pushed;
                batch += 1;
            }
        }
        if next == before {
            if producer.is_abandoned() {
                break;
            }
            backoff.snooze();
        } else {
            backoff.reset();
            sent.store(next, Ordering::Relaxed);
        }
    }
    next
}

/// A consumer's side of [`thrash`]: checks every message until every producer is gone and
/// the ring is drained.
fn receive(
    consumer: &Consumer<u64>,
    mut seen: Seen,
    api: Pop,
    received: &AtomicU64,
) -> Result<Seen, String> {
    let mut batch = 0usize;
    let mut buffer = vec![0u64; *BATCHES.iter().max().unwrap()];
    let mut backoff = Backoff::new();
    loop {
        let before = seen.count;
        match api {
            Pop::Blocking => match consumer.pop() {
                Ok(value) => seen.accept(value)?,
                Err(PopError) => return Ok(seen),
            },
            Pop::Try => match consumer.try_pop() {
                Ok(value) => seen.accept(value)?,
                Err(TryPopError::Empty) => {}
                Err(TryPopError::Disconnected) => return Ok(seen),
            },
            Pop::Slices => {
                let len = BATCHES[batch % BATCHES.len()];
                let popped = consumer.pop_slice(&mut buffer[..len]);
                if popped > len {
                    return Err(format!("pop_slice claims {popped} of {len}"));
                }
                for &value in &buffer[..popped] {
                    seen.accept(value)?;
                }
                batch += 1;
            }
            Pop::Each => {
                let len = BATCHES[batch % BATCHES.len()];
                let mut error = None;
                let mut calls = 0;
                let popped = consumer.pop_each(len, |value| {
                    calls += 1;
                    if let Err(err) = seen.accept(value) {
                        error.get_or_insert(err);
                    }
                });
                if let Some(err) = error {
                    return Err(err);
                }
                if popped != calls || popped > len {
                    return Err(format!(
                        "pop_each({len}) says {popped}, called {calls} times"
                    ));
                }
                batch += 1;
            }
        }
        if seen.count == before {
            // Batch APIs report an empty ring as 0; once every producer is gone, drain what
            // is left (try_pop looks again after seeing them gone) and end.
            if matches!(api, Pop::Slices | Pop::Each) && consumer.is_abandoned() {
                while let Ok(value) = consumer.try_pop() {
                    seen.accept(value)?;
                }
                return Ok(seen);
            }
            backoff.snooze();
        } else {
            backoff.reset();
            received.store(seen.count, Ordering::Relaxed);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The harness can fail.
// ---------------------------------------------------------------------------------------

#[test]
fn exactly_once_checker_rejects_loss_duplication_reordering_and_strangers() {
    let feed = |values: &[u64]| -> Result<Seen, String> {
        let mut seen = Seen::new(2, 4);
        for &value in values {
            seen.accept(value)?;
        }
        Ok(seen)
    };
    let (a0, a1, b0, b1) = (message(0, 0), message(0, 1), message(1, 0), message(1, 1));
    assert!(
        feed(&[a0, a0]).is_err(),
        "duplicate at one consumer accepted"
    );
    assert!(feed(&[a1, a0]).is_err(), "per-producer reordering accepted");
    assert!(feed(&[message(2, 0)]).is_err(), "unknown producer accepted");
    assert!(feed(&[message(0, 4)]).is_err(), "seq out of range accepted");
    // Interleaving producers is fine; each producer's order is what counts.
    let one = feed(&[b0, a0, b1]).unwrap();
    let other = feed(&[a1]).unwrap();
    assert!(exactly_once(&[one.clone(), other.clone()], &[2, 2]).is_ok());
    assert!(
        exactly_once(std::slice::from_ref(&one), &[2, 2]).is_err(),
        "loss accepted"
    );
    assert!(
        exactly_once(&[one.clone(), other.clone()], &[1, 2]).is_err(),
        "a message never sent accepted"
    );
    let dup = feed(&[a1]).unwrap();
    assert!(
        exactly_once(&[one.clone(), other, dup], &[2, 2]).is_err(),
        "duplicate across consumers accepted"
    );
    let mut corrupt = feed(&[a1]).unwrap();
    corrupt.checksum ^= 1;
    assert!(
        exactly_once(&[one, corrupt], &[2, 2]).is_err(),
        "bad checksum accepted"
    );
}

#[test]
fn deadline_fails_a_stalled_run_with_per_thread_counts() {
    let (producer, consumer) = mpmc::channel::<u64>(4);
    let progress = Progress::new(1, 1);
    producer.try_push(0).unwrap();
    progress.sent[0].store(1, Ordering::Relaxed);
    let receiver = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut received = 0;
            while consumer.pop().is_ok() {
                received += 1;
                progress.received[0].store(received, Ordering::Relaxed);
            }
            received
        })
    };
    let tripped = panic::catch_unwind(AssertUnwindSafe(|| {
        await_deadline(
            "stalled run",
            Duration::from_millis(200),
            || receiver.is_finished(),
            || progress.report(),
        )
    }));
    drop(producer); // lets the consumer see `Disconnected` and end
    let message = *tripped
        .expect_err("the deadline did not trip")
        .downcast::<String>()
        .unwrap();
    assert!(
        message.contains("stalled run")
            && message.contains("sent per producer [1], received per consumer [1]"),
        "{message}"
    );
    assert_eq!(join(receiver), 1);
}

// ---------------------------------------------------------------------------------------
// Exactly once across threads.
// ---------------------------------------------------------------------------------------

#[test]
fn every_message_arrives_exactly_once_2p2c() {
    thrash(64, PER_PRODUCER, &[Push::Blocking; 2], &[Pop::Blocking; 2]);
}

#[test]
fn every_message_arrives_exactly_once_4p4c() {
    thrash(64, PER_PRODUCER, &[Push::Blocking; 4], &[Pop::Blocking; 4]);
}

#[test]
fn every_message_arrives_exactly_once_2p2c_slices() {
    for capacity in [3, 1000] {
        thrash(
            capacity,
            PER_PRODUCER,
            &[Push::Slices; 2],
            &[Pop::Slices; 2],
        );
    }
}

#[test]
fn every_message_arrives_exactly_once_4p4c_every_api_mixed() {
    thrash(
        7,
        PER_PRODUCER / 2,
        &[Push::Blocking, Push::Try, Push::Slices, Push::Slices],
        &[Pop::Blocking, Pop::Try, Pop::Slices, Pop::Each],
    );
}

#[test]
fn every_message_arrives_exactly_once_at_small_and_odd_capacities_pop_each() {
    for capacity in [1, 3, 64, 1000] {
        thrash(
            capacity,
            PER_PRODUCER / 4,
            &[Push::Slices, Push::Try],
            &[Pop::Each, Pop::Each],
        );
    }
}

#[test]
fn every_message_arrives_exactly_once_4p1c_and_1p4c() {
    thrash(16, PER_PRODUCER / 4, &[Push::Blocking; 4], &[Pop::Each]);
    thrash(16, PER_PRODUCER / 2, &[Push::Slices], &[Pop::Blocking; 4]);
}

#[test]
fn non_copy_items_arrive_exactly_once_2p2c() {
    const PER: u64 = 20_000;
    let (producer, consumer) = mpmc::channel::<(String, Box<u64>)>(5);
    let progress = Progress::new(2, 2);
    let senders = spawn_n(2, &producer, &progress, move |p, producer, progress| {
        for seq in 0..PER {
            let value = message(p, seq);
            producer
                .push((format!("{value:x}"), Box::new(value)))
                .unwrap();
            progress.sent[p].store(seq + 1, Ordering::Relaxed);
        }
        PER
    });
    drop(producer);
    let receivers = spawn_n(2, &consumer, &progress, move |c, consumer, progress| {
        let mut seen = Seen::new(2, PER);
        while let Ok((text, boxed)) = consumer.pop() {
            assert_eq!(text, format!("{:x}", *boxed), "payload torn");
            seen.accept(*boxed).unwrap();
            progress.received[c].store(seen.count, Ordering::Relaxed);
        }
        seen
    });
    drop(consumer);
    await_deadline(
        "non-Copy 2p2c",
        DEADLINE,
        || all_finished(&senders, &receivers),
        || progress.report(),
    );
    let sent: Vec<u64> = senders.into_iter().map(join).collect();
    let seen: Vec<Seen> = receivers.into_iter().map(join).collect();
    exactly_once(&seen, &sent).unwrap();
}

fn all_finished<A, B>(a: &[JoinHandle<A>], b: &[JoinHandle<B>]) -> bool {
    a.iter().all(|t| t.is_finished()) && b.iter().all(|t| t.is_finished())
}

/// Spawns `n` threads; thread `i` runs `body(i, handle, progress)` on its own clone of
/// `handle` and `progress`.
fn spawn_n<H, R>(
    n: usize,
    handle: &H,
    progress: &Arc<Progress>,
    body: impl FnOnce(usize, H, &Progress) -> R + Clone + Send + 'static,
) -> Vec<JoinHandle<R>>
where
    H: Clone + Send + 'static,
    R: Send + 'static,
{
    (0..n)
        .map(|i| {
            let (handle, progress, body) = (handle.clone(), progress.clone(), body.clone());
            thread::spawn(move || body(i, handle, &progress))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// No spurious failures.
// ---------------------------------------------------------------------------------------

#[test]
fn try_push_is_full_only_when_full_and_try_pop_empty_only_when_empty() {
    // A fixed pseudo-random walk of pushes and pops (a small LCG), long enough to wrap
    // each ring many times, checked against the exact count of items inside.
    for capacity in [1, 2, 3, 4, 5, 7, 8, 9, 64, 100] {
        let (producer, consumer) = mpmc::channel::<u64>(capacity);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let (mut pushed, mut popped) = (0u64, 0u64);
        for step in 0..(capacity * 40).max(200) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (pushed - popped) as usize;
            // Bias towards pushing while mostly empty and popping while mostly full.
            let push = (state >> 33) % (capacity as u64 + 2) >= len as u64;
            if push {
                match producer.try_push(pushed) {
                    Ok(()) => {
                        assert!(len < capacity, "step {step}: pushed into a full ring");
                        pushed += 1;
                    }
                    Err(TryPushError::Full(back)) => {
                        assert_eq!(back, pushed);
                        assert_eq!(len, capacity, "step {step}: Full with {len}/{capacity}");
                    }
                    Err(err) => panic!("step {step}: {err:?}"),
                }
            } else {
                match consumer.try_pop() {
                    Ok(value) => {
                        assert_eq!(value, popped, "step {step}: FIFO order broken");
                        popped += 1;
                    }
                    Err(TryPopError::Empty) => assert_eq!(len, 0, "step {step}: Empty with {len}"),
                    Err(err) => panic!("step {step}: {err:?}"),
                }
            }
            assert_eq!(producer.len(), (pushed - popped) as usize, "step {step}");
        }
        assert!(
            pushed > 2 * capacity as u64,
            "the walk should wrap the ring"
        );
    }
}

#[test]
fn try_push_and_try_pop_never_fail_while_the_ring_has_room_or_items_1p1c() {
    // The producer counts what it pushed, the consumer what it popped, each published after
    // the operation returns. A count read *before* an operation is a lower bound of what the
    // other side completed by then (it may lag behind), so `Full` with
    // `pushed - popped_before < capacity`, or `Empty` with `pushed_before > popped`, proves a
    // spurious failure.
    for capacity in [1, 2, 3, 7, 64] {
        let count = PER_PRODUCER / 2;
        let (producer, consumer) = mpmc::channel::<u64>(capacity);
        let progress = Progress::new(1, 1);
        let sender = {
            let progress = progress.clone();
            thread::spawn(move || {
                let mut pushed = 0u64;
                while pushed < count {
                    let popped_before = progress.received[0].load(Ordering::Acquire);
                    match producer.try_push(pushed) {
                        Ok(()) => {
                            pushed += 1;
                            progress.sent[0].store(pushed, Ordering::Release);
                        }
                        Err(TryPushError::Full(_)) => {
                            assert!(
                                pushed - popped_before >= capacity as u64,
                                "Full with at most {} of {capacity} items",
                                pushed - popped_before
                            );
                            // Let the consumer run if it shares our core.
                            thread::yield_now();
                        }
                        Err(TryPushError::Disconnected(_)) => panic!("consumer gone"),
                    }
                }
            })
        };
        let receiver = {
            let progress = progress.clone();
            thread::spawn(move || {
                let mut popped = 0u64;
                while popped < count {
                    let pushed_before = progress.sent[0].load(Ordering::Acquire);
                    match consumer.try_pop() {
                        Ok(value) => {
                            assert_eq!(value, popped, "1p1c must keep FIFO order");
                            popped += 1;
                            progress.received[0].store(popped, Ordering::Release);
                        }
                        Err(err) => {
                            assert!(
                                pushed_before <= popped,
                                "{err:?} with at least {} items",
                                pushed_before - popped
                            );
                            thread::yield_now();
                        }
                    }
                }
            })
        };
        await_deadline(
            &format!("try ops 1p1c at capacity {capacity}"),
            DEADLINE,
            || sender.is_finished() && receiver.is_finished(),
            || progress.report(),
        );
        join(sender);
        join(receiver);
    }
}

// ---------------------------------------------------------------------------------------
// Disconnection with clones.
// ---------------------------------------------------------------------------------------

#[test]
fn ring_stays_connected_until_the_last_producer_clone_drops() {
    let (producer, consumer) = mpmc::channel::<u32>(4);
    let second = producer.clone();
    let third = second.clone();
    producer.try_push(1).unwrap();
    drop(producer);
    assert!(!consumer.is_abandoned());
    assert_eq!(consumer.try_pop(), Ok(1));
    assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
    second.try_push(2).unwrap();
    drop(second);
    assert_eq!(consumer.try_pop(), Ok(2));
    assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
    third.push_slice(&[3, 4]);
    drop(third);
    assert!(consumer.is_abandoned());
    // The items pushed before the last producer left are still delivered, to any clone.
    let other = consumer.clone();
    assert_eq!(other.try_pop(), Ok(3));
    assert_eq!(consumer.pop(), Ok(4));
    assert_eq!(other.try_pop(), Err(TryPopError::Disconnected));
    assert_eq!(consumer.pop(), Err(PopError));
}

#[test]
fn ring_stays_connected_until_the_last_consumer_clone_drops() {
    let (producer, consumer) = mpmc::channel::<u32>(2);
    let second = consumer.clone();
    producer.try_push(1).unwrap();
    producer.try_push(2).unwrap();
    drop(consumer);
    assert!(!producer.is_abandoned());
    assert_eq!(producer.try_push(3), Err(TryPushError::Full(3)));
    assert_eq!(second.try_pop(), Ok(1));
    producer.try_push(3).unwrap();
    drop(second);
    assert!(producer.is_abandoned());
    assert_eq!(producer.try_push(4), Err(TryPushError::Disconnected(4)));
    assert_eq!(producer.push(5), Err(PushError(5)));
    // A new producer clone sees the same.
    assert_eq!(producer.clone().push(6), Err(PushError(6)));
}

#[test]
fn consumers_on_threads_see_disconnected_only_after_every_producer_clone_left() {
    const PER: u64 = 10_000;
    let (producer, consumer) = mpmc::channel::<u64>(8);
    let progress = Progress::new(3, 2);
    // Producers leave at different times: the fast ones early, the slow one later.
    let senders = spawn_n(3, &producer, &progress, move |p, producer, progress| {
        for seq in 0..PER {
            producer.push(message(p, seq)).unwrap();
            progress.sent[p].store(seq + 1, Ordering::Relaxed);
            if p == 2 && seq % 1000 == 0 {
                thread::sleep(Duration::from_millis(2));
            }
        }
        PER
    });
    drop(producer);
    let receivers = spawn_n(2, &consumer, &progress, move |c, consumer, progress| {
        let mut seen = Seen::new(3, PER);
        loop {
            match consumer.try_pop() {
                Ok(value) => seen.accept(value).unwrap(),
                Err(TryPopError::Empty) => thread::yield_now(),
                Err(TryPopError::Disconnected) => return seen,
            }
            progress.received[c].store(seen.count, Ordering::Relaxed);
        }
    });
    drop(consumer);
    await_deadline(
        "consumers waiting for staggered producers",
        DEADLINE,
        || all_finished(&senders, &receivers),
        || progress.report(),
    );
    let sent: Vec<u64> = senders.into_iter().map(join).collect();
    let seen: Vec<Seen> = receivers.into_iter().map(join).collect();
    exactly_once(&seen, &sent).unwrap();
}

#[test]
fn panicking_producer_thread_leaves_its_items_then_disconnected() {
    const PER: u64 = 30_000;
    const BEFORE_PANIC: u64 = 12_345;
    let (producer, consumer) = mpmc::channel::<u64>(32);
    let progress = Progress::new(2, 2);
    let senders = spawn_n(2, &producer, &progress, move |p, producer, progress| {
        for seq in 0..PER {
            if p == 1 && seq == BEFORE_PANIC {
                panic!("producer {p} fails on purpose at seq {seq}");
            }
            producer.push(message(p, seq)).unwrap();
            progress.sent[p].store(seq + 1, Ordering::Relaxed);
        }
    });
    drop(producer);
    let receivers = spawn_n(2, &consumer, &progress, move |c, consumer, progress| {
        let mut seen = Seen::new(2, PER);
        while let Ok(value) = consumer.pop() {
            seen.accept(value).unwrap();
            progress.received[c].store(seen.count, Ordering::Relaxed);
        }
        (seen, consumer.try_pop())
    });
    drop(consumer);
    await_deadline(
        "2p2c with a panicking producer",
        DEADLINE,
        || all_finished(&senders, &receivers),
        || progress.report(),
    );
    let outcomes: Vec<bool> = senders.into_iter().map(|t| t.join().is_ok()).collect();
    assert_eq!(
        outcomes,
        [true, false],
        "only producer 1 should have panicked"
    );
    let mut seen = Vec::new();
    for receiver in receivers {
        let (one, after) = join(receiver);
        assert_eq!(after, Err(TryPopError::Disconnected));
        seen.push(one);
    }
    exactly_once(&seen, &[PER, BEFORE_PANIC]).unwrap();
}

#[test]
fn blocked_producers_get_push_error_when_every_consumer_panicked() {
    let (producer, consumer) = mpmc::channel::<u64>(4);
    let progress = Progress::new(2, 2);
    let receivers = spawn_n(2, &consumer, &progress, move |c, consumer, progress| {
        for taken in 1..=100 {
            consumer.pop().unwrap();
            progress.received[c].store(taken, Ordering::Relaxed);
        }
        panic!("consumer {c} fails on purpose after 100 messages");
    });
    drop(consumer);
    let senders = spawn_n(2, &producer, &progress, move |p, producer, progress| {
        let mut seq = 0;
        loop {
            match producer.push(message(p, seq)) {
                Ok(()) => seq += 1,
                Err(PushError(back)) => return (seq, back),
            }
            progress.sent[p].store(seq, Ordering::Relaxed);
        }
    });
    drop(producer);
    await_deadline(
        "producers left with panicked consumers",
        DEADLINE,
        || all_finished(&senders, &receivers),
        || progress.report(),
    );
    assert!(receivers.into_iter().all(|t| t.join().is_err()));
    let mut total = 0;
    for (p, sender) in senders.into_iter().enumerate() {
        let (sent, back) = join(sender);
        assert_eq!(back, message(p, sent), "the refused value is handed back");
        total += sent;
    }
    assert_eq!(total, 200 + 4, "popped plus a full ring");
}

// ---------------------------------------------------------------------------------------
// No waiting on another handle's unfinished work.
// ---------------------------------------------------------------------------------------

/// How long a test's `pop_each` callback sleeps while another call must not wait for it.
const CALLBACK_SLEEP: Duration = Duration::from_millis(500);

/// How long a call that must not wait may take: a fifth of [`CALLBACK_SLEEP`], so a call
/// that waited for the callback fails by a wide margin while a busy machine does not.
const NO_WAIT_BOUND: Duration = Duration::from_millis(100);

/// How long a same-thread scenario may take before it counts as hung.
const HANG_LIMIT: Duration = Duration::from_secs(5);

#[test]
fn try_push_inside_pop_each_on_a_full_ring_returns_instead_of_hanging() {
    // The callback pushes into the ring it pops from, on the same thread: a push that waited
    // for the pop to finish would wait for itself. Run on a thread of its own, so a hang
    // fails the test instead of hanging it.
    let (done, outcome) = mpsc::channel();
    thread::spawn(move || {
        let (producer, consumer) = mpmc::channel::<u32>(2);
        assert_eq!(producer.push_slice(&[1, 2]), 2);
        let mut pushes = Vec::new();
        let popped = consumer.pop_each(2, |value| {
            pushes.push((value, producer.try_push(value + 10)));
            pushes.push((value, producer.try_push(value + 20)));
        });
        let left: Vec<u32> = std::iter::from_fn(|| consumer.try_pop().ok()).collect();
        done.send((popped, pushes, left)).unwrap();
    });
    let (popped, pushes, left) = outcome
        .recv_timeout(HANG_LIMIT)
        .expect("pop_each whose callback try_pushes did not return: the push waits for the pop");
    assert_eq!(popped, 2);
    // Both items left the ring before the callback ran, so the callback's first two pushes
    // find room, and the ring is full again for the next two.
    assert_eq!(
        pushes,
        [
            (1, Ok(())),
            (1, Ok(())),
            (2, Err(TryPushError::Full(12))),
            (2, Err(TryPushError::Full(22))),
        ]
    );
    assert_eq!(left, [11, 21]);
}

#[test]
fn try_push_and_push_slice_do_not_wait_for_a_slow_pop_each_callback_on_another_thread() {
    let (producer, consumer) = mpmc::channel::<u32>(3);
    assert_eq!(producer.push_slice(&[1, 2, 3]), 3);
    let (started, callback_started) = mpsc::channel();
    let slept = Arc::new(AtomicBool::new(false));
    let popper = {
        let slept = slept.clone();
        thread::spawn(move || {
            let mut seen = Vec::new();
            let popped = consumer.pop_each(2, |value| {
                if seen.is_empty() {
                    started.send(()).unwrap();
                    thread::sleep(CALLBACK_SLEEP);
                    slept.store(true, Ordering::SeqCst);
                }
                seen.push(value);
            });
            (consumer, popped, seen)
        })
    };
    callback_started
        .recv_timeout(HANG_LIMIT)
        .expect("the pop_each callback never started");
    // The full ring minus the two items the sleeping `pop_each` took: room for two.
    let start = Instant::now();
    let first = producer.try_push(4);
    let sliced = producer.push_slice(&[5, 6]);
    let refused = producer.try_push(7);
    let elapsed = start.elapsed();
    let callback_done = slept.load(Ordering::SeqCst);
    assert!(
        !callback_done && elapsed < NO_WAIT_BOUND,
        "three non-waiting pushes took {elapsed:?} (callback finished first: {callback_done}) \
         while a pop_each callback slept {CALLBACK_SLEEP:?}"
    );
    assert_eq!(first, Ok(()));
    assert_eq!(sliced, 1, "one slot was left after try_push");
    assert_eq!(refused, Err(TryPushError::Full(7)), "full again");
    let (consumer, popped, seen) = join(popper);
    assert_eq!((popped, seen), (2, vec![1, 2]));
    let left: Vec<u32> = std::iter::from_fn(|| consumer.try_pop().ok()).collect();
    assert_eq!(left, [3, 4, 5]);
}

#[test]
fn try_pop_and_pop_slice_do_not_wait_for_a_slow_pop_each_callback_on_another_thread() {
    // Another consumer takes the items after the sleeping callback's chunk, and sees `Empty`
    // at once when there are none, while the callback still sleeps.
    let (producer, consumer) = mpmc::channel::<u32>(4);
    assert_eq!(producer.push_slice(&[1, 2, 3, 4]), 4);
    let (started, callback_started) = mpsc::channel();
    let slept = Arc::new(AtomicBool::new(false));
    let popper = {
        let (consumer, slept) = (consumer.clone(), slept.clone());
        thread::spawn(move || {
            let mut seen = Vec::new();
            consumer.pop_each(2, |value| {
                if seen.is_empty() {
                    started.send(()).unwrap();
                    thread::sleep(CALLBACK_SLEEP);
                    slept.store(true, Ordering::SeqCst);
                }
                seen.push(value);
            });
            seen
        })
    };
    callback_started
        .recv_timeout(HANG_LIMIT)
        .expect("the pop_each callback never started");
    let start = Instant::now();
    let first = consumer.try_pop();
    let mut out = [0; 4];
    let sliced = consumer.pop_slice(&mut out);
    let empty = consumer.try_pop();
    let refill = producer.push_slice(&[5, 6, 7]);
    let elapsed = start.elapsed();
    let callback_done = slept.load(Ordering::SeqCst);
    assert!(
        !callback_done && elapsed < NO_WAIT_BOUND,
        "non-waiting calls took {elapsed:?} (callback finished first: {callback_done}) \
         while a pop_each callback slept {CALLBACK_SLEEP:?}"
    );
    assert_eq!(first, Ok(3));
    assert_eq!(out[..sliced], [4]);
    assert_eq!(empty, Err(TryPopError::Empty));
    assert_eq!(refill, 3, "every slot is free, the callback's two included");
    assert_eq!(join(popper), [1, 2]);
}

// ---------------------------------------------------------------------------------------
// Size queries and types.
// ---------------------------------------------------------------------------------------

#[test]
fn len_is_empty_is_full_and_capacity_track_contents() {
    for capacity in [1, 2, 3, 4, 5, 1000] {
        let (producer, consumer) = mpmc::channel::<usize>(capacity);
        assert_eq!(
            (producer.capacity(), consumer.capacity()),
            (capacity, capacity)
        );
        // Three rounds of fill-then-drain, so stamps go through several laps; each round
        // starts one item further on, so the fills start at different indices.
        for round in 0..3 {
            producer.try_push(round).unwrap();
            consumer.try_pop().unwrap();
            for len in 0..capacity {
                assert_eq!(
                    (producer.len(), consumer.len()),
                    (len, len),
                    "round {round}"
                );
                assert!(!producer.is_full() && !consumer.is_full());
                assert_eq!(producer.is_empty(), len == 0);
                assert_eq!(consumer.is_empty(), len == 0);
                producer.try_push(len).unwrap();
            }
            assert!(producer.is_full() && consumer.is_full());
            assert_eq!((producer.len(), consumer.len()), (capacity, capacity));
            assert!(matches!(producer.try_push(0), Err(TryPushError::Full(0))));
            for left in (0..capacity).rev() {
                consumer.try_pop().unwrap();
                assert_eq!((producer.len(), consumer.len()), (left, left));
                assert!(!producer.is_full() && !consumer.is_full());
            }
            assert!(producer.is_empty() && consumer.is_empty());
            assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
        }
    }
}

#[test]
fn batches_keep_fifo_order_across_the_lap_boundary_single_thread() {
    let (producer, consumer) = mpmc::channel::<u32>(5);
    let mut next_in = 0u32;
    let mut next_out = 0u32;
    for round in 0..50usize {
        let want = round % 7;
        let items: Vec<u32> = (next_in..next_in + want as u32).collect();
        let room = 5 - producer.len();
        let pushed = producer.push_slice(&items);
        assert_eq!(pushed, want.min(room), "round {round}");
        next_in += pushed as u32;
        let mut out = [0u32; 4];
        let take = (round * 3) % 5;
        let ready = producer.len();
        let popped = if round % 2 == 0 {
            consumer.pop_slice(&mut out[..take])
        } else {
            let mut i = 0;
            consumer.pop_each(take, |v| {
                out[i] = v;
                i += 1;
            })
        };
        assert_eq!(popped, take.min(ready), "round {round}");
        for &value in &out[..popped] {
            assert_eq!(value, next_out, "round {round}");
            next_out += 1;
        }
    }
    assert!(next_out > 10, "the walk should wrap the ring");
}

#[test]
fn handles_are_send_sync_and_clone() {
    fn send_sync_clone<X: Send + Sync + Clone>() {}
    send_sync_clone::<Producer<String>>();
    send_sync_clone::<Consumer<String>>();
}

#[test]
fn debug_output_shows_len_and_capacity() {
    let (producer, consumer) = mpmc::channel::<u8>(3);
    producer.try_push(1).unwrap();
    let text = format!("{producer:?} {consumer:?}");
    assert!(
        text.contains("len: 1") && text.contains("capacity: 3"),
        "{text}"
    );
}
