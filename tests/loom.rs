//! Loom model tests of both rings' atomic protocols: every interleaving (up to a preemption
//! bound where the full space is too large) of small scenarios, with loom checking each slot
//! access for data races and each atomic for the orderings the code claims.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom
//! ```
//!
//! The rings take their atomics, `Arc` and cells from loom under `--cfg loom` (see
//! `src/sync.rs`), so these tests run the real ring code. `LOOM_MAX_PREEMPTIONS` overrides
//! the bounds set here.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use ringstress::{PopError, PushError, TryPopError, TryPushError, mpmc, spsc};

/// Explores `f` with at most `bound` preemptions per execution (unless
/// `LOOM_MAX_PREEMPTIONS` says otherwise); `None` explores every interleaving.
fn explore(bound: Option<usize>, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = bound;
    }
    builder.check(f);
}

// ---------------------------------------------------------------------------------------
// SPSC.
// ---------------------------------------------------------------------------------------

#[test]
fn spsc_items_arrive_in_order_at_capacity_1() {
    explore(None, || {
        let (mut producer, mut consumer) = spsc::channel::<usize>(1);
        let sender = thread::spawn(move || {
            producer.push(1).unwrap();
            producer.push(2).unwrap();
        });
        assert_eq!(consumer.pop(), Ok(1));
        assert_eq!(consumer.pop(), Ok(2));
        sender.join().unwrap();
    });
}

#[test]
fn spsc_items_arrive_in_order_at_capacity_2() {
    explore(None, || {
        let (mut producer, mut consumer) = spsc::channel::<String>(2);
        let sender = thread::spawn(move || {
            for word in ["a", "b", "c"] {
                producer.push(word.to_string()).unwrap();
            }
        });
        for word in ["a", "b", "c"] {
            assert_eq!(consumer.pop().unwrap(), word);
        }
        sender.join().unwrap();
    });
}

#[test]
fn spsc_batch_publish_is_seen_whole_and_in_order() {
    explore(None, || {
        let (mut producer, mut consumer) = spsc::channel::<usize>(2);
        let sender = thread::spawn(move || {
            let items = [1, 2, 3];
            let mut sent = 0;
            while sent < items.len() {
                sent += producer.push_slice(&items[sent..]);
                thread::yield_now();
            }
        });
        let mut got = Vec::new();
        let mut out = [0; 3];
        while got.len() < 3 {
            let n = consumer.pop_slice(&mut out);
            got.extend_from_slice(&out[..n]);
            thread::yield_now();
        }
        assert_eq!(got, [1, 2, 3]);
        sender.join().unwrap();
    });
}

#[test]
fn spsc_push_iter_and_pop_each_move_non_copy_items_in_order() {
    explore(None, || {
        let (mut producer, mut consumer) = spsc::channel::<Box<usize>>(2);
        let sender = thread::spawn(move || {
            let mut items = (1..=3).map(Box::new);
            let mut sent = 0;
            while sent < 3 {
                sent += producer.push_iter(&mut items);
                thread::yield_now();
            }
        });
        let mut got = Vec::new();
        while got.len() < 3 {
            consumer.pop_each(3, |item| got.push(*item));
            thread::yield_now();
        }
        assert_eq!(got, [1, 2, 3]);
        sender.join().unwrap();
    });
}

#[test]
fn spsc_consumer_sees_every_item_then_disconnected() {
    explore(None, || {
        let (mut producer, mut consumer) = spsc::channel::<usize>(2);
        let sender = thread::spawn(move || {
            producer.push(1).unwrap();
            producer.push(2).unwrap();
            // The producer is dropped here, possibly before the consumer looks.
        });
        let mut got = Vec::new();
        while let Ok(value) = consumer.pop() {
            got.push(value);
        }
        assert_eq!(got, [1, 2]);
        assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
        sender.join().unwrap();
    });
}

#[test]
fn spsc_blocked_push_returns_the_value_when_the_consumer_goes() {
    explore(None, || {
        let (mut producer, mut consumer) = spsc::channel::<usize>(1);
        let receiver = thread::spawn(move || {
            assert_eq!(consumer.pop(), Ok(1));
        });
        producer.push(1).unwrap();
        producer.push(2).unwrap(); // fits once the consumer popped 1
        assert_eq!(producer.push(3), Err(PushError(3)));
        receiver.join().unwrap();
    });
}

#[test]
fn spsc_items_left_are_dropped_once_whichever_side_goes_last() {
    explore(None, || {
        let drops = Arc::new(AtomicUsize::new(0));
        let (mut producer, mut consumer) = spsc::channel::<Counted>(2);
        producer.try_push(Counted(drops.clone())).unwrap();
        let second = Counted(drops.clone());
        let sender = thread::spawn(move || {
            producer.try_push(second).unwrap();
            drop(producer);
        });
        // Pops the first item, maybe the second, and leaves; the ring drops what is left
        // on whichever thread lets go last.
        drop(consumer.try_pop());
        drop(consumer.try_pop());
        drop(consumer);
        sender.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------------------
// MPMC.
// ---------------------------------------------------------------------------------------

#[test]
fn mpmc_every_item_arrives_exactly_once_2p2c_capacity_2() {
    // At most one thread may ever be waiting on another here: a loom model in which two
    // threads spin on a third explores their endless alternation (a limit of loom, not of
    // the ring). So the producers never wait (the ring has room for both items), the racing
    // consumer only tries, and the second consumer starts after the producers are done and
    // races the first one.
    explore(Some(2), || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        let senders: Vec<_> = [10, 20]
            .into_iter()
            .map(|value| {
                let producer = producer.clone();
                thread::spawn(move || producer.push(value).unwrap())
            })
            .collect();
        drop(producer);
        let other = consumer.clone();
        let racer = thread::spawn(move || {
            (0..2)
                .filter_map(|_| other.try_pop().ok())
                .collect::<Vec<_>>()
        });
        senders.into_iter().for_each(|t| t.join().unwrap());
        let mut got: Vec<usize> = (0..2).filter_map(|_| consumer.try_pop().ok()).collect();
        got.extend(racer.join().unwrap());
        while let Ok(value) = consumer.try_pop() {
            got.push(value);
        }
        got.sort_unstable();
        assert_eq!(got, [10, 20]);
        assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    });
}

#[test]
fn mpmc_two_producers_race_for_the_last_slot_and_exactly_one_wins() {
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(1);
        // One lap first, so the race happens on second-lap stamps.
        producer.try_push(0).unwrap();
        assert_eq!(consumer.try_pop(), Ok(0));
        let racers: Vec<_> = [10, 20]
            .into_iter()
            .map(|value| {
                let producer = producer.clone();
                thread::spawn(move || producer.try_push(value))
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        let winners: Vec<usize> = [10, 20]
            .into_iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(v, _)| v)
            .collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        let loser = results
            .into_iter()
            .find(|r| r.is_err())
            .unwrap()
            .unwrap_err();
        assert!(matches!(loser, TryPushError::Full(v) if v != winners[0]));
        assert_eq!(consumer.try_pop(), Ok(winners[0]));
        assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
    });
}

#[test]
fn mpmc_stamps_wrap_across_laps_at_capacity_1() {
    explore(Some(6), || {
        let (producer, consumer) = mpmc::channel::<usize>(1);
        let sender = thread::spawn(move || {
            for value in 1..=3 {
                producer.push(value).unwrap();
            }
        });
        for value in 1..=3 {
            assert_eq!(consumer.pop(), Ok(value));
        }
        assert_eq!(consumer.pop(), Err(PopError));
        sender.join().unwrap();
    });
}

#[test]
fn mpmc_batch_claims_deliver_each_item_once_in_producer_order() {
    explore(Some(3), || {
        let (producer, consumer) = mpmc::channel::<usize>(3);
        let batcher = {
            let producer = producer.clone();
            thread::spawn(move || {
                let items = [1, 2];
                let mut sent = 0;
                while sent < items.len() {
                    sent += producer.push_slice(&items[sent..]);
                    thread::yield_now();
                }
            })
        };
        let single = thread::spawn(move || producer.push(10).unwrap());
        let mut got = Vec::new();
        while got.len() < 3 {
            let mut out = [0; 3];
            let n = consumer.pop_slice(&mut out);
            got.extend_from_slice(&out[..n]);
            thread::yield_now();
        }
        batcher.join().unwrap();
        single.join().unwrap();
        let ones: Vec<usize> = got.iter().copied().filter(|&v| v < 10).collect();
        assert_eq!(ones, [1, 2], "one producer's batch keeps its order");
        assert!(got.contains(&10));
    });
}

#[test]
fn mpmc_pop_each_claims_race_without_loss_or_duplication() {
    // Items straddle the end of the lap (indices 2, 3, 0, 1), so each batch claims at most
    // two runs. Producers are done first, so the batches stop only at the end of the items:
    // a batch racing a producer mid-push stops short at the slot not yet written (see
    // `mpmc_try_pop_reports_an_unfinished_push_as_empty_and_loses_nothing`).
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(4);
        assert_eq!(producer.push_slice(&[0, 0]), 2);
        assert_eq!(consumer.pop_slice(&mut [0, 0]), 2);
        assert_eq!(producer.push_slice(&[1, 2, 3, 4]), 4);
        drop(producer);
        let other = consumer.clone();
        let racer = thread::spawn(move || {
            let mut got = Vec::new();
            other.pop_each(3, |v| got.push(v));
            got
        });
        let mut mine = Vec::new();
        consumer.pop_each(2, |v| mine.push(v));
        let theirs = racer.join().unwrap();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "{mine:?}");
        assert!(theirs.windows(2).all(|w| w[0] < w[1]), "{theirs:?}");
        // The two batches together took min(4, 2 + 3) items, whatever the interleaving.
        assert_eq!(mine.len() + theirs.len(), 4, "{mine:?} {theirs:?}");
        let mut all: Vec<usize> = mine.into_iter().chain(theirs).collect();
        all.sort_unstable();
        assert_eq!(all, [1, 2, 3, 4]);
        assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    });
}

#[test]
fn mpmc_consumers_see_every_item_then_disconnected() {
    explore(Some(3), || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        let senders: Vec<_> = [1, 2]
            .into_iter()
            .map(|value| {
                let producer = producer.clone();
                thread::spawn(move || {
                    producer.push(value).unwrap();
                    // Each clone is dropped right after its push.
                })
            })
            .collect();
        drop(producer);
        let mut got = Vec::new();
        while let Ok(value) = consumer.pop() {
            got.push(value);
        }
        got.sort_unstable();
        assert_eq!(
            got,
            [1, 2],
            "an item pushed before the last producer left was lost"
        );
        senders.into_iter().for_each(|t| t.join().unwrap());
    });
}

#[test]
fn mpmc_blocked_push_returns_the_value_when_the_last_consumer_goes() {
    explore(Some(3), || {
        let (producer, consumer) = mpmc::channel::<usize>(1);
        let other = consumer.clone();
        let receiver = thread::spawn(move || {
            drop(other);
            assert_eq!(consumer.pop(), Ok(1));
        });
        producer.push(1).unwrap();
        producer.push(2).unwrap();
        assert_eq!(producer.push(3), Err(PushError(3)));
        receiver.join().unwrap();
    });
}

#[test]
fn mpmc_try_ops_do_not_fail_spuriously_under_races() {
    // Two items inside and two consumers taking one each: neither may see `Empty`, whatever
    // a racing producer does. Symmetrically, two free slots and two producers: neither may
    // see `Full`, whatever a racing consumer does.
    explore(Some(2), || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        producer.try_push(1).unwrap();
        producer.try_push(2).unwrap();
        let racer = {
            let producer = producer.clone();
            thread::spawn(move || producer.try_push(3).is_ok())
        };
        let other = consumer.clone();
        let taker = thread::spawn(move || other.try_pop());
        let mine = consumer.try_pop();
        let theirs = taker.join().unwrap();
        let pushed = racer.join().unwrap();
        assert!(mine.is_ok() && theirs.is_ok(), "{mine:?} {theirs:?}");
        assert_ne!(mine, theirs);
        assert_eq!(consumer.len(), usize::from(pushed));
    });
    explore(Some(2), || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        let racer = thread::spawn(move || consumer.try_pop().ok());
        let other = producer.clone();
        let pusher = thread::spawn(move || other.try_push(1));
        let mine = producer.try_push(2);
        let theirs = pusher.join().unwrap();
        let popped = racer.join().unwrap();
        assert!(mine.is_ok(), "{mine:?}");
        assert!(theirs.is_ok(), "{theirs:?}");
        assert_eq!(producer.len(), 2 - usize::from(popped.is_some()));
        // A ring that had room must not report it full once the consumer is gone either.
        if popped.is_some() {
            assert_eq!(producer.try_push(9), Ok(()));
        } else {
            assert_eq!(producer.try_push(9), Err(TryPushError::Disconnected(9)));
        }
    });
}

#[test]
fn mpmc_items_left_are_dropped_once_whichever_handle_goes_last() {
    explore(Some(3), || {
        let drops = Arc::new(AtomicUsize::new(0));
        let (producer, consumer) = mpmc::channel::<Counted>(2);
        producer.try_push(Counted(drops.clone())).unwrap();
        let other = consumer.clone();
        let popper = thread::spawn(move || drop(other.try_pop()));
        let second = Counted(drops.clone());
        let pusher = thread::spawn(move || producer.try_push(second).is_ok());
        drop(consumer);
        popper.join().unwrap();
        assert!(
            pusher.join().unwrap(),
            "a ring of 2 holding at most 1 refused a push"
        );
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

// The models below race non-waiting operations against each other's unfinished claims. Each
// side runs on a spawned thread and the model's own thread only joins them: loom 0.7 does
// not explore a spawned thread whose first operation is a load against the spawning
// thread's later operations (tokio-rs/loom#392; the first model explored 1 execution
// instead of 63 with its pushes on the model's thread).

/// `try_push`es each of `values` once on `producer`; returns the ones pushed. Any other
/// outcome than `Ok` or `Full` (with the value handed back) fails the model.
fn try_push_each(producer: &mpmc::Producer<usize>, values: &[usize]) -> Vec<usize> {
    values
        .iter()
        .copied()
        .filter(|&v| match producer.try_push(v) {
            Ok(()) => true,
            Err(TryPushError::Full(back)) => {
                assert_eq!(back, v, "Full hands the value back");
                false
            }
            Err(err) => panic!("{err:?} pushing {v}"),
        })
        .collect()
}

/// `try_pop`s `times` times on `consumer`; returns what it got. Any other outcome than `Ok`
/// or `Empty` fails the model.
fn try_pop_times(consumer: &mpmc::Consumer<usize>, times: usize) -> Vec<usize> {
    (0..times)
        .filter_map(|_| match consumer.try_pop() {
            Ok(v) => Some(v),
            Err(TryPopError::Empty) => None,
            Err(err) => panic!("{err:?}"),
        })
        .collect()
}

#[test]
fn mpmc_pop_each_moves_its_run_out_while_a_producer_try_pushes() {
    // A full ring wrapped once; `pop_each` takes both items while a producer tries two
    // pushes. Each push is `Ok` or `Full` (never a wait for the other thread), the callback
    // sees both items in order, and the ring then holds exactly the pushes that succeeded.
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        producer.try_push(0).unwrap();
        assert_eq!(consumer.try_pop(), Ok(0));
        assert_eq!(producer.push_slice(&[1, 2]), 2);
        let popper = thread::spawn(move || {
            let mut got = Vec::new();
            assert_eq!(consumer.pop_each(2, |v| got.push(v)), 2);
            (consumer, got)
        });
        let pusher = thread::spawn(move || try_push_each(&producer, &[3, 4]));
        let (consumer, got) = popper.join().unwrap();
        let pushed = pusher.join().unwrap();
        assert_eq!(got, [1, 2]);
        let left: Vec<usize> = std::iter::from_fn(|| consumer.try_pop().ok()).collect();
        assert_eq!(left, pushed);
    });
}

#[test]
fn mpmc_pop_each_callback_may_push_into_its_own_ring_while_another_consumer_races() {
    // The callback pushes twice into the ring it pops from while another consumer races for
    // the items. The second push of the first callback targets the slot of the chunk's second
    // item: a push that waited for that claim to finish would wait for itself (the old
    // `pop_each` emptied each slot only as it handed the item over). Here each push is `Ok`,
    // or `Full` when the ring is full or the racer's claim of the next slot is unfinished,
    // and every item, pushed back or not, comes out exactly once.
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        assert_eq!(producer.push_slice(&[1, 2]), 2);
        let other = consumer.clone();
        let racer = thread::spawn(move || try_pop_times(&other, 1));
        let popper = thread::spawn(move || {
            let (mut got, mut pushed) = (Vec::new(), Vec::new());
            consumer.pop_each(2, |v| {
                pushed.extend(try_push_each(&producer, &[v + 10, v + 20]));
                got.push(v);
            });
            (consumer, got, pushed)
        });
        let raced = racer.join().unwrap();
        let (consumer, got, pushed) = popper.join().unwrap();
        let left: Vec<usize> = std::iter::from_fn(|| consumer.try_pop().ok()).collect();
        let mut came_out: Vec<usize> = raced.iter().chain(&got).chain(&left).copied().collect();
        let mut went_in: Vec<usize> = [1, 2].iter().chain(&pushed).copied().collect();
        came_out.sort_unstable();
        went_in.sort_unstable();
        assert_eq!(
            came_out, went_in,
            "raced {raced:?}, callback got {got:?} and pushed {pushed:?}, left {left:?}"
        );
        assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    });
}

#[test]
fn mpmc_try_pop_reports_an_unfinished_push_as_empty_and_loses_nothing() {
    // `push_slice` claims both slots with one swap and fills them one by one; a consumer
    // racing it may meet a claimed slot not yet written. It reports `Empty` (never
    // `Disconnected`, and without waiting), never skips ahead, and the items all arrive.
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        let pusher = thread::spawn(move || assert_eq!(producer.push_slice(&[1, 2]), 2));
        let taker = thread::spawn(move || {
            let got = try_pop_times(&consumer, 2);
            (consumer, got)
        });
        pusher.join().unwrap();
        let (consumer, mut got) = taker.join().unwrap();
        while let Ok(v) = consumer.try_pop() {
            got.push(v);
        }
        assert_eq!(got, [1, 2]);
        assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    });
}

#[test]
fn mpmc_try_push_reports_an_unfinished_pop_as_full_and_loses_nothing() {
    // `pop_slice` claims both items of a full ring with one swap and empties the slots one by
    // one; a producer racing it may meet a claimed slot not yet emptied. It reports `Full`
    // (without waiting), and what it pushed is exactly what the ring then holds.
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        assert_eq!(producer.push_slice(&[1, 2]), 2);
        let popper = thread::spawn(move || {
            let mut out = [0; 2];
            let n = consumer.pop_slice(&mut out);
            (consumer, out[..n].to_vec())
        });
        let pusher = thread::spawn(move || try_push_each(&producer, &[3, 4]));
        let (consumer, popped) = popper.join().unwrap();
        let pushed = pusher.join().unwrap();
        assert_eq!(popped, [1, 2]);
        let left: Vec<usize> = std::iter::from_fn(|| consumer.try_pop().ok()).collect();
        assert_eq!(left, pushed);
    });
}

#[test]
fn mpmc_disconnected_is_reported_only_when_true_next_to_unfinished_claims() {
    // The last consumer pops both items of a full ring with one claim and leaves, while a
    // producer tries two pushes: each is `Ok` or `Full`, never `Disconnected` (the departing
    // consumer's pops finished before it left, so they freed room). Afterwards a third push
    // is `Ok` if there is room, `Disconnected` if the first two filled the ring.
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        assert_eq!(producer.push_slice(&[1, 2]), 2);
        let popper = thread::spawn(move || {
            let mut out = [0; 2];
            assert_eq!(consumer.pop_slice(&mut out), 2);
        });
        let pusher = thread::spawn(move || {
            let pushed = try_push_each(&producer, &[3, 4]).len();
            (producer, pushed)
        });
        popper.join().unwrap();
        let (producer, pushed) = pusher.join().unwrap();
        match producer.try_push(5) {
            Ok(()) => assert!(pushed < 2, "a push into a ring filled by {pushed}"),
            Err(TryPushError::Disconnected(5)) => assert_eq!(pushed, 2),
            Err(err) => panic!("{err:?} after {pushed} pushes, the consumer gone"),
        }
    });
    // The mirror: the last producer pushes two items with one claim and leaves, while a
    // consumer tries two pops: each is `Ok` or `Empty`, never `Disconnected` (the departing
    // producer's pushes finished before it left). Afterwards the rest drains, then
    // `Disconnected`.
    explore(None, || {
        let (producer, consumer) = mpmc::channel::<usize>(2);
        let pusher = thread::spawn(move || assert_eq!(producer.push_slice(&[1, 2]), 2));
        let taker = thread::spawn(move || {
            let got = try_pop_times(&consumer, 2);
            (consumer, got)
        });
        pusher.join().unwrap();
        let (consumer, mut got) = taker.join().unwrap();
        while let Ok(v) = consumer.try_pop() {
            got.push(v);
        }
        assert_eq!(got, [1, 2]);
        assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    });
}
