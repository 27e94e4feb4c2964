//! The SPSC ring across real threads: every message arrives exactly once and in order
//! (checked message by message and by checksum), through every push/pop API and at capacities
//! small and odd enough that positions wrap around the slot array constantly; a vanished or
//! panicking side is reported, never waited on forever.
//!
//! Every threaded test runs under a deadline and, when it trips, fails with the counts of
//! messages sent and received so far instead of hanging.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use ringstress::spsc::{self, Consumer, Producer};
use ringstress::wait::Backoff;
use ringstress::{PopError, PushError, TryPopError, TryPushError};

mod common;
use common::{DEADLINE, await_deadline, join, mix};

/// Messages in the main exactly-once stream (release and debug alike).
const MILLION: u64 = 1_000_000;

/// Messages per stream in the tests that sweep capacities and APIs (at capacity 1 every
/// message is a hand-over between the threads, which is slow on a loaded 2-core machine).
const SWEEP: u64 = 200_000;

// ---------------------------------------------------------------------------------------
// Harness: progress counters, the deadline, the in-order checker.
// ---------------------------------------------------------------------------------------

/// Messages sent and received so far, each written by one side only, for the deadline's
/// failure message.
#[derive(Default)]
struct Progress {
    sent: CachePadded<AtomicU64>,
    received: CachePadded<AtomicU64>,
}

impl Progress {
    fn report(&self) -> String {
        format!(
            "sent {}, received {}",
            self.sent.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed)
        )
    }
}

/// Checks a stream of sequence numbers `0, 1, 2, ...` and sums their checksums.
#[derive(Debug, Default)]
struct InOrder {
    next: u64,
    checksum: u64,
}

impl InOrder {
    fn accept(&mut self, value: u64) -> Result<(), String> {
        if value != self.next {
            return Err(format!("expected message {} but got {value}", self.next));
        }
        self.next += 1;
        self.checksum = self.checksum.wrapping_add(mix(value));
        Ok(())
    }

    /// Compares the whole stream with what the producer says it sent.
    fn finish(&self, sent: u64, sent_checksum: u64) -> Result<(), String> {
        if self.next != sent {
            return Err(format!("received {} of {sent} messages", self.next));
        }
        if self.checksum != sent_checksum {
            return Err(format!(
                "checksum {:#x} differs from the producer's {sent_checksum:#x}",
                self.checksum
            ));
        }
        Ok(())
    }
}

/// How the two threads move messages.
#[derive(Debug, Clone, Copy)]
enum Api {
    /// Blocking `push` / `pop`.
    Blocking,
    /// `try_push` / `try_pop`, waiting with a backoff on `Full` / `Empty`.
    Try,
    /// `push_slice` / `pop_slice` with batch sizes from [`BATCHES`].
    Slices,
    /// `push_iter` / `pop_each` with batch sizes from [`BATCHES`].
    IterEach,
}

/// Batch sizes, cycled: smaller than, equal to and larger than the capacities under test.
const BATCHES: [usize; 10] = [1, 2, 3, 5, 7, 13, 64, 250, 1000, 1001];

/// Streams `count` messages from a producer thread to a consumer thread through a ring of
/// `capacity` using `api`, and checks they arrive exactly once, in order, with the
/// producer's checksum.
fn stream(capacity: usize, count: u64, api: Api) {
    let what = format!("stream of {count} at capacity {capacity} via {api:?}");
    let (producer, consumer) = spsc::channel::<u64>(capacity);
    let progress = Arc::new(Progress::default());
    let sender = {
        let progress = progress.clone();
        thread::spawn(move || send(producer, count, api, &progress))
    };
    let receiver = {
        let progress = progress.clone();
        thread::spawn(move || receive(consumer, api, &progress))
    };
    await_deadline(
        &what,
        DEADLINE,
        || sender.is_finished() && receiver.is_finished(),
        || progress.report(),
    );
    let (sent, sent_checksum) = join(sender);
    let checker = join(receiver).unwrap_or_else(|err| panic!("{what}: {err}"));
    assert_eq!(sent, count, "{what}: producer stopped early");
    if let Err(err) = checker.finish(sent, sent_checksum) {
        panic!("{what}: {err}");
    }
}

/// The producer side of [`stream`]: returns how many messages it sent and their checksum.
/// Stops early only if the consumer is gone.
fn send(mut producer: Producer<u64>, count: u64, api: Api, progress: &Progress) -> (u64, u64) {
    let mut next = 0u64;
    let mut checksum = 0u64;
    let mut batch = 0usize;
    let mut buffer = Vec::new();
    let mut backoff = Backoff::new();
    while next < count {
        let before = next;
        match api {
            Api::Blocking => {
                if producer.push(next).is_err() {
                    break;
                }
                next += 1;
            }
            Api::Try => match producer.try_push(next) {
                Ok(()) => next += 1,
                Err(TryPushError::Full(back)) => assert_eq!(back, next, "wrong value back"),
                Err(TryPushError::Disconnected(_)) => break,
            },
            Api::Slices => {
                let len = (BATCHES[batch % BATCHES.len()] as u64).min(count - next);
                buffer.clear();
                buffer.extend(next..next + len);
                let pushed = producer.push_slice(&buffer) as u64;
                assert!(pushed <= len, "push_slice claims {pushed} of {len}");
                next += pushed;
                batch += 1;
            }
            Api::IterEach => {
                let len = (BATCHES[batch % BATCHES.len()] as u64).min(count - next);
                let mut items = next..next + len;
                let pushed = producer.push_iter(&mut items) as u64;
                assert_eq!(
                    items.start,
                    next + pushed,
                    "push_iter took more than it pushed"
                );
                next += pushed;
                batch += 1;
            }
        }
        for value in before..next {
            checksum = checksum.wrapping_add(mix(value));
        }
        if next == before {
            if producer.is_abandoned() {
                break;
            }
            backoff.snooze();
        } else {
            backoff.reset();
            progress.sent.store(next, Ordering::Relaxed);
        }
    }
    (next, checksum)
}

/// The consumer side of [`stream`]: checks every message until the producer is gone and the
/// ring is drained.
fn receive(mut consumer: Consumer<u64>, api: Api, progress: &Progress) -> Result<InOrder, String> {
    let mut checker = InOrder::default();
    let mut batch = 0usize;
    let mut buffer = vec![0u64; *BATCHES.iter().max().unwrap()];
    let mut backoff = Backoff::new();
    loop {
        let before = checker.next;
        match api {
            Api::Blocking => match consumer.pop() {
                Ok(value) => checker.accept(value)?,
                Err(PopError) => return Ok(checker),
            },
            Api::Try => match consumer.try_pop() {
                Ok(value) => checker.accept(value)?,
                Err(TryPopError::Empty) => {}
                Err(TryPopError::Disconnected) => return Ok(checker),
            },
            Api::Slices => {
                let len = BATCHES[batch % BATCHES.len()];
                let popped = consumer.pop_slice(&mut buffer[..len]);
                if popped > len {
                    return Err(format!("pop_slice claims {popped} of {len}"));
                }
                for &value in &buffer[..popped] {
                    checker.accept(value)?;
                }
                batch += 1;
            }
            Api::IterEach => {
                let len = BATCHES[batch % BATCHES.len()];
                let mut error = None;
                let mut calls = 0;
                let popped = consumer.pop_each(len, |value| {
                    calls += 1;
                    if let Err(err) = checker.accept(value) {
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
        if checker.next == before {
            // Batch APIs report an empty ring as 0; end once the producer is gone and a
            // last look (after seeing it gone) still finds nothing.
            if matches!(api, Api::Slices | Api::IterEach) && consumer.is_abandoned() {
                let mut rest = Vec::new();
                while let Ok(value) = consumer.try_pop() {
                    rest.push(value);
                }
                for value in rest {
                    checker.accept(value)?;
                }
                return Ok(checker);
            }
            backoff.snooze();
        } else {
            backoff.reset();
            progress.received.store(checker.next, Ordering::Relaxed);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The harness can fail.
// ---------------------------------------------------------------------------------------

#[test]
fn in_order_checker_rejects_loss_duplication_reordering_and_corruption() {
    let feed = |values: &[u64]| -> Result<InOrder, String> {
        let mut checker = InOrder::default();
        for &value in values {
            checker.accept(value)?;
        }
        Ok(checker)
    };
    assert!(feed(&[0, 1, 1]).is_err(), "duplicate accepted");
    assert!(feed(&[0, 2]).is_err(), "gap accepted");
    assert!(feed(&[1, 0]).is_err(), "reordering accepted");
    let good = feed(&[0, 1, 2]).unwrap();
    let checksum = [0, 1, 2].iter().fold(0u64, |s, &v| s.wrapping_add(mix(v)));
    assert!(good.finish(3, checksum).is_ok());
    assert!(good.finish(4, checksum).is_err(), "lost tail accepted");
    assert!(
        good.finish(3, checksum ^ 1).is_err(),
        "checksum mismatch accepted"
    );
}

#[test]
fn deadline_fails_a_stalled_stream_with_its_counts() {
    let (mut producer, mut consumer) = spsc::channel::<u64>(4);
    let progress = Arc::new(Progress::default());
    producer.try_push(0).unwrap();
    progress.sent.store(1, Ordering::Relaxed);
    // The producer stays alive and silent after one message, so the consumer waits.
    let receiver = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut received = 0;
            while consumer.pop().is_ok() {
                received += 1;
                progress.received.store(received, Ordering::Relaxed);
            }
            received
        })
    };
    let tripped = panic::catch_unwind(AssertUnwindSafe(|| {
        await_deadline(
            "stalled stream",
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
        message.contains("stalled stream") && message.contains("sent 1, received 1"),
        "{message}"
    );
    assert_eq!(join(receiver), 1);
}

// ---------------------------------------------------------------------------------------
// Exactly once, in order, across threads.
// ---------------------------------------------------------------------------------------

#[test]
fn every_message_arrives_exactly_once_in_order_one_million() {
    stream(1024, MILLION, Api::Blocking);
}

#[test]
fn every_message_arrives_exactly_once_in_order_try_ops_small_capacities() {
    for capacity in [1, 3, 64, 1000] {
        stream(capacity, SWEEP / 4, Api::Try);
    }
}

#[test]
fn every_message_arrives_exactly_once_in_order_slices_wrapping() {
    for capacity in [1, 3, 64, 1000] {
        stream(capacity, SWEEP, Api::Slices);
    }
}

#[test]
fn every_message_arrives_exactly_once_in_order_iter_and_each_wrapping() {
    for capacity in [1, 3, 64, 1000] {
        stream(capacity, SWEEP, Api::IterEach);
    }
}

#[test]
fn non_copy_items_arrive_intact_in_order() {
    const COUNT: u64 = 50_000;
    let (mut producer, mut consumer) = spsc::channel::<(String, Box<u64>)>(7);
    let progress = Arc::new(Progress::default());
    let sender = {
        let progress = progress.clone();
        thread::spawn(move || {
            for i in 0..COUNT {
                producer
                    .push((format!("message {i}"), Box::new(i)))
                    .unwrap();
                progress.sent.store(i + 1, Ordering::Relaxed);
            }
        })
    };
    let receiver = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut next = 0u64;
            while let Ok((text, boxed)) = consumer.pop() {
                assert_eq!((text.as_str(), *boxed), (&*format!("message {next}"), next));
                next += 1;
                progress.received.store(next, Ordering::Relaxed);
            }
            next
        })
    };
    await_deadline(
        "non-Copy stream",
        DEADLINE,
        || sender.is_finished() && receiver.is_finished(),
        || progress.report(),
    );
    join(sender);
    assert_eq!(join(receiver), COUNT);
}

#[test]
fn try_push_and_try_pop_never_fail_while_the_ring_has_room_or_items_1p1c() {
    // The producer counts what it pushed, the consumer what it popped, each published after
    // the operation returns. A count read *before* an operation is a lower bound of what the
    // other side completed by then (it may lag behind), so `Full` with
    // `pushed - popped_before < capacity`, or `Empty` with `pushed_before > popped`, proves a
    // spurious failure.
    for capacity in [1, 2, 3, 5, 64] {
        let count: u64 = SWEEP / 4;
        let (mut producer, mut consumer) = spsc::channel::<u64>(capacity);
        let progress = Arc::new(Progress::default());
        let sender = {
            let progress = progress.clone();
            thread::spawn(move || {
                let mut pushed = 0u64;
                while pushed < count {
                    let popped_before = progress.received.load(Ordering::Acquire);
                    match producer.try_push(pushed) {
                        Ok(()) => {
                            pushed += 1;
                            progress.sent.store(pushed, Ordering::Release);
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
                    let pushed_before = progress.sent.load(Ordering::Acquire);
                    match consumer.try_pop() {
                        Ok(value) => {
                            assert_eq!(value, popped);
                            popped += 1;
                            progress.received.store(popped, Ordering::Release);
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
            &format!("try ops at capacity {capacity}"),
            DEADLINE,
            || sender.is_finished() && receiver.is_finished(),
            || progress.report(),
        );
        join(sender);
        join(receiver);
    }
}

// ---------------------------------------------------------------------------------------
// Disconnection.
// ---------------------------------------------------------------------------------------

#[test]
fn consumer_drains_remaining_items_then_sees_disconnected() {
    let (mut producer, mut consumer) = spsc::channel::<u32>(3);
    // Wrap once so the remaining items straddle the end of the slot array.
    producer.push_slice(&[10, 11]);
    assert_eq!(consumer.pop_slice(&mut [0; 2]), 2);
    producer.push_slice(&[1, 2, 3]);
    assert!(!consumer.is_abandoned());
    assert_eq!(consumer.try_pop(), Ok(1));
    drop(producer);
    assert!(consumer.is_abandoned());
    assert_eq!(consumer.try_pop(), Ok(2));
    assert_eq!(consumer.pop(), Ok(3));
    assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    assert_eq!(consumer.pop(), Err(PopError));
    assert_eq!(consumer.pop_slice(&mut [0; 4]), 0);
    assert_eq!(consumer.pop_each(4, |_| panic!("nothing to pop")), 0);
}

#[test]
fn empty_is_not_disconnected_while_the_producer_lives() {
    let (producer, mut consumer) = spsc::channel::<u32>(2);
    assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
    assert!(!consumer.is_abandoned());
    drop(producer);
    assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
}

#[test]
fn push_hands_the_value_back_once_the_consumer_is_gone_and_the_ring_is_full() {
    let (mut producer, consumer) = spsc::channel::<String>(2);
    producer.try_push("a".into()).unwrap();
    assert_eq!(producer.try_push("b".into()), Ok(()));
    assert_eq!(
        producer.try_push("c".into()),
        Err(TryPushError::Full("c".into()))
    );
    assert!(!producer.is_abandoned());
    drop(consumer);
    assert!(producer.is_abandoned());
    assert_eq!(
        producer.try_push("d".into()),
        Err(TryPushError::Disconnected("d".into()))
    );
    assert_eq!(producer.push("e".into()), Err(PushError("e".into())));
}

#[test]
fn blocked_push_returns_push_error_when_the_consumer_goes() {
    let (mut producer, mut consumer) = spsc::channel::<u64>(3);
    let progress = Arc::new(Progress::default());
    let sender = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut sent = 0u64;
            loop {
                match producer.push(sent) {
                    Ok(()) => sent += 1,
                    Err(PushError(back)) => return (sent, back),
                }
                progress.sent.store(sent, Ordering::Relaxed);
            }
        })
    };
    // Take five, then leave while the producer is (or will be) blocked on a full ring.
    let mut taken = 0;
    let start = Instant::now();
    while taken < 5 {
        assert!(start.elapsed() < DEADLINE, "{}", progress.report());
        if let Ok(value) = consumer.try_pop() {
            assert_eq!(value, taken);
            taken += 1;
            progress.received.store(taken, Ordering::Relaxed);
        }
    }
    drop(consumer);
    await_deadline(
        "producer blocked on a ring without consumer",
        DEADLINE,
        || sender.is_finished(),
        || progress.report(),
    );
    let (sent, back) = join(sender);
    assert_eq!(
        sent,
        5 + 3,
        "the ring should have been refilled to capacity"
    );
    assert_eq!(back, sent, "the refused value is handed back");
}

#[test]
fn blocked_pop_returns_pop_error_when_the_producer_goes() {
    let (mut producer, mut consumer) = spsc::channel::<u64>(8);
    let receiver = thread::spawn(move || {
        let mut seen = Vec::new();
        loop {
            match consumer.pop() {
                Ok(value) => seen.push(value),
                Err(PopError) => return seen,
            }
        }
    });
    producer.push(7).unwrap();
    thread::sleep(Duration::from_millis(20)); // let the consumer block on an empty ring
    producer.push(8).unwrap();
    drop(producer);
    await_deadline(
        "consumer blocked on a ring without producer",
        DEADLINE,
        || receiver.is_finished(),
        String::new,
    );
    assert_eq!(join(receiver), [7, 8]);
}

#[test]
fn producer_panic_mid_stream_leaves_remaining_items_then_disconnected() {
    const BEFORE_PANIC: u64 = 20_000;
    let (mut producer, mut consumer) = spsc::channel::<u64>(100);
    let progress = Arc::new(Progress::default());
    let sender = {
        let progress = progress.clone();
        thread::spawn(move || {
            for i in 0.. {
                if i == BEFORE_PANIC {
                    panic!("producer fails on purpose after {i} messages");
                }
                producer.push(i).unwrap();
                progress.sent.store(i + 1, Ordering::Relaxed);
            }
        })
    };
    let receiver = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut checker = InOrder::default();
            while let Ok(value) = consumer.pop() {
                checker.accept(value).unwrap();
                progress.received.store(checker.next, Ordering::Relaxed);
            }
            let after = consumer.try_pop();
            (checker.next, after)
        })
    };
    await_deadline(
        "stream with a panicking producer",
        DEADLINE,
        || sender.is_finished() && receiver.is_finished(),
        || progress.report(),
    );
    assert!(
        sender.join().is_err(),
        "the producer thread should have panicked"
    );
    assert_eq!(
        join(receiver),
        (BEFORE_PANIC, Err(TryPopError::Disconnected))
    );
}

#[test]
fn consumer_panic_mid_stream_releases_a_blocked_producer() {
    let (mut producer, mut consumer) = spsc::channel::<u64>(16);
    let progress = Arc::new(Progress::default());
    let receiver = thread::spawn(move || {
        for expected in 0..1000 {
            assert_eq!(consumer.pop(), Ok(expected));
        }
        panic!("consumer fails on purpose after 1000 messages");
    });
    let sender = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut sent = 0u64;
            while producer.push(sent).is_ok() {
                sent += 1;
                progress.sent.store(sent, Ordering::Relaxed);
            }
            sent
        })
    };
    await_deadline(
        "stream with a panicking consumer",
        DEADLINE,
        || sender.is_finished() && receiver.is_finished(),
        || progress.report(),
    );
    assert!(
        receiver.join().is_err(),
        "the consumer thread should have panicked"
    );
    assert_eq!(join(sender), 1000 + 16, "popped plus a full ring");
}

// ---------------------------------------------------------------------------------------
// Size queries and types.
// ---------------------------------------------------------------------------------------

#[test]
fn len_is_empty_is_full_and_capacity_track_contents() {
    for capacity in [1, 2, 3, 4, 5, 1000] {
        let (mut producer, mut consumer) = spsc::channel::<usize>(capacity);
        assert_eq!(
            (producer.capacity(), consumer.capacity()),
            (capacity, capacity)
        );
        // Three rounds of fill-then-drain, so positions pass the array end.
        for round in 0..3 {
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
fn capacity_is_exact_not_rounded_to_a_power_of_two() {
    let (mut producer, _consumer) = spsc::channel::<u8>(5);
    assert_eq!(producer.push_slice(&[1; 8]), 5);
    assert_eq!(producer.try_push(9), Err(TryPushError::Full(9)));
    assert_eq!(producer.push_iter(&mut [1u8, 2].into_iter()), 0);
}

#[test]
fn handles_are_send_and_sync_for_send_items() {
    fn send_and_sync<X: Send + Sync>() {}
    send_and_sync::<Producer<String>>();
    send_and_sync::<Consumer<String>>();
    send_and_sync::<Producer<std::cell::Cell<u8>>>();
}

#[test]
fn debug_output_shows_len_and_capacity() {
    let (mut producer, consumer) = spsc::channel::<u8>(3);
    producer.try_push(1).unwrap();
    let text = format!("{producer:?} {consumer:?}");
    assert!(
        text.contains("len: 1") && text.contains("capacity: 3"),
        "{text}"
    );
}
