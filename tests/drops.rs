//! Every item that enters a ring is dropped exactly once, whoever ends up owning it: the
//! consumer that pops it, the ring when the last handle goes (whichever side, from whichever
//! thread, normally or by a panic), a producer handed it back, or the unwinding of a panic in
//! a `pop_each` callback or a `push_iter` iterator. Each test counts drops per item id, so a
//! leak (0) and a double drop (2) are both caught, and runs for both rings.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ringstress::{PopError, PushError, TryPopError, TryPushError, mpmc, spsc};

mod common;
use common::{DEADLINE, join};

/// Items one tracker can count.
const MAX_IDS: usize = 1 << 16;

// ---------------------------------------------------------------------------------------
// Drop counting.
// ---------------------------------------------------------------------------------------

/// Counts how often each item it made was dropped. One `static` per test, so tests running
/// in parallel do not share counts.
struct Tracker {
    made: AtomicUsize,
    drops: [AtomicU8; MAX_IDS],
}

/// An item that records its drop in its tracker.
struct Counted {
    id: usize,
    tracker: &'static Tracker,
}

impl std::fmt::Debug for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Counted({})", self.id)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.tracker.drops[self.id].fetch_add(1, Ordering::SeqCst);
    }
}

impl Tracker {
    const fn new() -> Self {
        Self {
            made: AtomicUsize::new(0),
            drops: [const { AtomicU8::new(0) }; MAX_IDS],
        }
    }

    fn item(&'static self) -> Counted {
        let id = self.made.fetch_add(1, Ordering::SeqCst);
        assert!(id < MAX_IDS, "tracker full");
        Counted { id, tracker: self }
    }

    fn made(&self) -> usize {
        self.made.load(Ordering::SeqCst)
    }

    fn drops_of(&self, id: usize) -> u8 {
        self.drops[id].load(Ordering::SeqCst)
    }

    /// Ids dropped so far, and checks that none was dropped twice.
    fn dropped(&self) -> Vec<usize> {
        (0..self.made())
            .filter(|&id| match self.drops_of(id) {
                0 => false,
                1 => true,
                n => panic!("item {id} dropped {n} times"),
            })
            .collect()
    }

    /// Checks that every item made was dropped exactly once.
    fn assert_each_dropped_once(&self) {
        let made = self.made();
        assert!(made > 0, "the test made no items");
        let bad: Vec<(usize, u8)> = (0..made)
            .map(|id| (id, self.drops_of(id)))
            .filter(|&(_, n)| n != 1)
            .take(10)
            .collect();
        assert!(
            bad.is_empty(),
            "(item, drops) not dropped exactly once: {bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The tracker can fail.
// ---------------------------------------------------------------------------------------

#[test]
fn tracker_catches_a_leak_and_a_double_drop() {
    static TRACKER: Tracker = Tracker::new();
    let leaked = TRACKER.item();
    let kept = TRACKER.item();
    drop(kept);
    std::mem::forget(leaked);
    let leak = panic::catch_unwind(|| TRACKER.assert_each_dropped_once());
    assert!(leak.is_err(), "a leaked item went unnoticed");
    let mut twice = std::mem::ManuallyDrop::new(TRACKER.item());
    // SAFETY: `Counted` holds a `usize` and a `&'static`, so dropping it twice touches no
    // freed memory; it only bumps its counter twice, which is the point.
    unsafe {
        std::mem::ManuallyDrop::drop(&mut twice);
        std::mem::ManuallyDrop::drop(&mut twice);
    }
    assert_eq!(TRACKER.drops_of(2), 2);
    assert!(
        panic::catch_unwind(|| TRACKER.dropped()).is_err(),
        "double drop unnoticed"
    );
}

// ---------------------------------------------------------------------------------------
// Both rings behind one small trait, so each scenario runs for each.
// ---------------------------------------------------------------------------------------

trait Ring {
    type P: Send + 'static;
    type C: Send + 'static;
    fn channel(capacity: usize) -> (Self::P, Self::C);
    fn try_push(p: &mut Self::P, v: Counted) -> Result<(), TryPushError<Counted>>;
    fn push(p: &mut Self::P, v: Counted) -> Result<(), PushError<Counted>>;
    fn try_pop(c: &mut Self::C) -> Result<Counted, TryPopError>;
    fn pop(c: &mut Self::C) -> Result<Counted, PopError>;
    fn pop_each(c: &mut Self::C, max: usize, f: impl FnMut(Counted)) -> usize;
    fn len(c: &Self::C) -> usize;
    /// Whether items a panicking `pop_each` had not reached yet stay in the ring (rather
    /// than being dropped to complete a claim).
    const KEEPS_UNVISITED: bool;
}

struct Spsc;
struct Mpmc;

/// Implements [`Ring`] for `$ring` by forwarding to the handles of ring module `$module`.
macro_rules! impl_ring {
    ($ring:ident, $module:ident, keeps_unvisited: $keeps:literal) => {
        impl Ring for $ring {
            type P = $module::Producer<Counted>;
            type C = $module::Consumer<Counted>;
            const KEEPS_UNVISITED: bool = $keeps;
            fn channel(capacity: usize) -> (Self::P, Self::C) {
                $module::channel(capacity)
            }
            fn try_push(p: &mut Self::P, v: Counted) -> Result<(), TryPushError<Counted>> {
                p.try_push(v)
            }
            fn push(p: &mut Self::P, v: Counted) -> Result<(), PushError<Counted>> {
                p.push(v)
            }
            fn try_pop(c: &mut Self::C) -> Result<Counted, TryPopError> {
                c.try_pop()
            }
            fn pop(c: &mut Self::C) -> Result<Counted, PopError> {
                c.pop()
            }
            fn pop_each(c: &mut Self::C, max: usize, f: impl FnMut(Counted)) -> usize {
                c.pop_each(max, f)
            }
            fn len(c: &Self::C) -> usize {
                c.len()
            }
        }
    };
}

impl_ring!(Spsc, spsc, keeps_unvisited: true);
impl_ring!(Mpmc, mpmc, keeps_unvisited: false);

/// Runs each scenario as a test for each ring, each with its own tracker.
macro_rules! for_both_rings {
    ($($name:ident => $scenario:ident;)*) => {
        mod spsc_ring {
            $(
                #[test]
                fn $name() {
                    static TRACKER: super::Tracker = super::Tracker::new();
                    super::$scenario::<super::Spsc>(&TRACKER);
                }
            )*
        }
        mod mpmc_ring {
            $(
                #[test]
                fn $name() {
                    static TRACKER: super::Tracker = super::Tracker::new();
                    super::$scenario::<super::Mpmc>(&TRACKER);
                }
            )*
        }
    };
}

for_both_rings! {
    items_left_in_ring_are_dropped_once_when_producer_goes_first => producer_goes_first;
    items_left_in_ring_are_dropped_once_when_consumer_goes_first => consumer_goes_first;
    items_left_in_ring_are_dropped_once_when_handles_drop_on_two_threads => racing_drops;
    items_left_in_ring_are_dropped_once_when_threads_panic_holding_handles => panicking_threads;
    pop_each_callback_panic_drops_each_item_exactly_once => pop_each_panics;
    items_are_dropped_once_when_the_consumer_leaves_mid_stream => consumer_leaves_mid_stream;
    refused_values_are_handed_back_not_dropped => refused_values;
}

/// A ring of capacity 5 whose positions have wrapped, holding 5 items, and the ids
/// already popped (and dropped).
fn wrapped_full_ring<R: Ring>(tracker: &'static Tracker) -> (R::P, R::C) {
    let (mut producer, mut consumer) = R::channel(5);
    for _ in 0..3 {
        R::try_push(&mut producer, tracker.item()).unwrap();
    }
    for _ in 0..3 {
        drop(R::try_pop(&mut consumer).unwrap());
    }
    for _ in 0..5 {
        R::try_push(&mut producer, tracker.item()).unwrap();
    }
    assert_eq!(tracker.dropped(), [0, 1, 2]);
    (producer, consumer)
}

fn producer_goes_first<R: Ring>(tracker: &'static Tracker) {
    let (producer, mut consumer) = wrapped_full_ring::<R>(tracker);
    drop(producer);
    assert_eq!(
        tracker.dropped(),
        [0, 1, 2],
        "items dropped while still poppable"
    );
    let popped = R::try_pop(&mut consumer).unwrap();
    assert_eq!(popped.id, 3, "the oldest item comes out first");
    drop(popped);
    drop(consumer);
    tracker.assert_each_dropped_once();
}

fn consumer_goes_first<R: Ring>(tracker: &'static Tracker) {
    let (mut producer, consumer) = wrapped_full_ring::<R>(tracker);
    drop(consumer);
    assert_eq!(
        tracker.dropped(),
        [0, 1, 2],
        "items dropped while the producer lives"
    );
    let refused = R::try_push(&mut producer, tracker.item()).unwrap_err();
    assert!(matches!(refused, TryPushError::Disconnected(_)));
    assert_eq!(
        refused.into_inner().id,
        8,
        "the refused item is handed back"
    );
    assert_eq!(tracker.drops_of(8), 1, "dropped once, by us");
    drop(producer);
    tracker.assert_each_dropped_once();
}

fn racing_drops<R: Ring>(tracker: &'static Tracker) {
    // Many rounds, each dropping the two handles at once on two threads, so either may be
    // the last owner of the ring.
    let start = Instant::now();
    for round in 0..200 {
        let (mut producer, mut consumer) = R::channel(4);
        for _ in 0..(round % 5) {
            R::try_push(&mut producer, tracker.item()).unwrap();
        }
        if round % 3 == 0 {
            drop(R::try_pop(&mut consumer));
        }
        let barrier = Arc::new(Barrier::new(2));
        let b = barrier.clone();
        let one = thread::spawn(move || {
            b.wait();
            drop(producer);
        });
        let b = barrier.clone();
        let other = thread::spawn(move || {
            b.wait();
            drop(consumer);
        });
        await_deadline(&format!("round {round}"), start, || {
            one.is_finished() && other.is_finished()
        });
        join(one);
        join(other);
    }
    tracker.assert_each_dropped_once();
}

fn panicking_threads<R: Ring>(tracker: &'static Tracker) {
    let (mut producer, mut consumer) = R::channel(8);
    let started = Arc::new(Barrier::new(2));
    let s = started.clone();
    let pusher = thread::spawn(move || {
        for _ in 0..6 {
            R::push(&mut producer, tracker.item()).unwrap();
        }
        s.wait();
        panic!("producer fails on purpose holding its handle");
    });
    let s = started.clone();
    let popper = thread::spawn(move || {
        s.wait();
        let first = R::pop(&mut consumer).unwrap();
        assert_eq!(first.id, 0);
        let _kept = R::pop(&mut consumer).unwrap(); // dropped by the unwinding below
        panic!("consumer fails on purpose holding its handle and an item");
    });
    let start = Instant::now();
    await_deadline("panicking threads", start, || {
        pusher.is_finished() && popper.is_finished()
    });
    assert!(pusher.join().is_err() && popper.join().is_err());
    tracker.assert_each_dropped_once();
}

fn pop_each_panics<R: Ring>(tracker: &'static Tracker) {
    // Five items at ring positions that wrap (capacity 5, start index 3), so a batch may
    // be claimed in two runs; the callback panics at each possible item in turn.
    for panic_at in 0..5 {
        let before = tracker.made();
        let (mut producer, mut consumer) = R::channel(5);
        for _ in 0..3 {
            R::try_push(&mut producer, tracker.item()).unwrap();
            drop(R::try_pop(&mut consumer).unwrap());
        }
        let first = tracker.made();
        for _ in 0..5 {
            R::try_push(&mut producer, tracker.item()).unwrap();
        }
        let mut kept = Vec::new();
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            R::pop_each(&mut consumer, 10, |item| {
                if item.id == first + panic_at {
                    panic!("callback fails on purpose at item {}", item.id);
                }
                kept.push(item);
            })
        }));
        assert!(result.is_err(), "the callback's panic should propagate");
        let kept_ids: Vec<usize> = kept.iter().map(|c| c.id).collect();
        assert_eq!(
            kept_ids,
            (first..first + panic_at).collect::<Vec<_>>(),
            "items before the panic reach the callback in order"
        );
        assert_eq!(tracker.drops_of(first + panic_at), 1, "the panicking item");
        for &id in &kept_ids {
            assert_eq!(
                tracker.drops_of(id),
                0,
                "item {id} held by the callback's owner"
            );
        }
        // Every later item is either still in the ring, or was dropped once while its claim
        // was completed, never both (the SPSC ring claims nothing it has not visited).
        let mut later = Vec::new();
        while let Ok(item) = R::try_pop(&mut consumer) {
            later.push(item);
        }
        let later_ids: Vec<usize> = later.iter().map(|c| c.id).collect();
        for id in first + panic_at + 1..first + 5 {
            let poppable = later_ids.contains(&id);
            let dropped = tracker.drops_of(id) == 1;
            assert!(
                poppable != dropped,
                "panic_at {panic_at}: item {id} poppable {poppable}, dropped {dropped}"
            );
            assert!(
                poppable || !R::KEEPS_UNVISITED,
                "item {id} should stay poppable"
            );
        }
        assert!(
            later_ids.windows(2).all(|w| w[0] < w[1]),
            "order {later_ids:?}"
        );
        drop(later);
        // The ring still works after the panic.
        assert_eq!(R::len(&consumer), 0);
        R::try_push(&mut producer, tracker.item()).unwrap();
        assert_eq!(R::try_pop(&mut consumer).unwrap().id, tracker.made() - 1);
        drop(kept);
        drop((producer, consumer));
        for id in before..tracker.made() {
            assert_eq!(tracker.drops_of(id), 1, "panic_at {panic_at}: item {id}");
        }
    }
    tracker.assert_each_dropped_once();
}

fn consumer_leaves_mid_stream<R: Ring>(tracker: &'static Tracker) {
    // A producer thread streams items into a small ring; the consumer thread pops some and
    // leaves. Popped items, items left in the ring and the value refused at the end must
    // each be dropped exactly once.
    for leave_after in [0, 1, 7, 1000, 5000] {
        let (mut producer, mut consumer) = R::channel(7);
        let pusher = thread::spawn(move || {
            let mut sent = 0;
            loop {
                match R::push(&mut producer, tracker.item()) {
                    Ok(()) => sent += 1,
                    Err(PushError(back)) => {
                        drop(back);
                        return sent;
                    }
                }
            }
        });
        let popper = thread::spawn(move || {
            for _ in 0..leave_after {
                drop(R::pop(&mut consumer).unwrap());
            }
        });
        let start = Instant::now();
        await_deadline(&format!("leave after {leave_after}"), start, || {
            pusher.is_finished() && popper.is_finished()
        });
        join(popper);
        assert_eq!(join(pusher), leave_after + 7, "popped plus a full ring");
    }
    tracker.assert_each_dropped_once();
}

fn refused_values<R: Ring>(tracker: &'static Tracker) {
    let (mut producer, mut consumer) = R::channel(1);
    R::try_push(&mut producer, tracker.item()).unwrap();
    let back = R::try_push(&mut producer, tracker.item()).unwrap_err();
    assert!(matches!(back, TryPushError::Full(_)));
    assert_eq!(
        tracker.dropped(),
        [] as [usize; 0],
        "a refused value was dropped"
    );
    let back = back.into_inner();
    assert_eq!(back.id, 1);
    drop(R::try_pop(&mut consumer).unwrap());
    R::try_push(&mut producer, back).unwrap();
    assert_eq!(tracker.dropped(), [0]);
    drop((producer, consumer));
    tracker.assert_each_dropped_once();
}

// ---------------------------------------------------------------------------------------
// Ring-specific cases.
// ---------------------------------------------------------------------------------------

#[test]
fn push_iter_panic_publishes_items_taken_and_drops_each_once() {
    static TRACKER: Tracker = Tracker::new();
    let (mut producer, mut consumer) = spsc::channel::<Counted>(8);
    // Wrap first, so the published items straddle the array end.
    for _ in 0..6 {
        producer.try_push(TRACKER.item()).unwrap();
        drop(consumer.try_pop().unwrap());
    }
    let items: Vec<Counted> = (0..5).map(|_| TRACKER.item()).collect();
    let mut source = items.into_iter().inspect(|item| {
        if item.id == 6 + 3 {
            panic!("iterator fails on purpose at item {}", item.id);
        }
    });
    let result = panic::catch_unwind(AssertUnwindSafe(|| producer.push_iter(&mut source)));
    assert!(result.is_err(), "the iterator's panic should propagate");
    assert_eq!(
        TRACKER.drops_of(9),
        1,
        "the item the iterator held when it panicked"
    );
    assert_eq!(
        consumer.len(),
        3,
        "items taken before the panic are published"
    );
    for id in 6..9 {
        let item = consumer.try_pop().unwrap();
        assert_eq!((item.id, TRACKER.drops_of(id)), (id, 0));
    }
    assert_eq!(consumer.try_pop().unwrap_err(), TryPopError::Empty);
    assert_eq!(TRACKER.drops_of(10), 0, "still in the iterator");
    drop(source);
    // The producer still works.
    producer.try_push(TRACKER.item()).unwrap();
    drop((producer, consumer));
    TRACKER.assert_each_dropped_once();
}

#[test]
fn spsc_pop_each_panic_leaves_unvisited_items_poppable() {
    static TRACKER: Tracker = Tracker::new();
    let (mut producer, mut consumer) = spsc::channel::<Counted>(4);
    for _ in 0..4 {
        producer.try_push(TRACKER.item()).unwrap();
    }
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        consumer.pop_each(4, |item| {
            if item.id == 1 {
                panic!("callback fails on purpose");
            }
        })
    }));
    assert!(result.is_err());
    assert_eq!(TRACKER.dropped(), [0, 1]);
    assert_eq!(consumer.len(), 2);
    assert_eq!(consumer.try_pop().unwrap().id, 2);
    assert_eq!(
        producer.len(),
        1,
        "the slots read before the panic were freed"
    );
    drop((producer, consumer));
    TRACKER.assert_each_dropped_once();
}

#[test]
fn mpmc_pop_each_panic_drops_its_chunk_once_and_leaves_later_items_poppable() {
    // `pop_each` moves items out in chunks before calling back, so a panic drops the rest of
    // the current chunk and leaves the items it had not moved out in the ring. Whatever the
    // chunk size, the 100 items (wrapping the ring) split into: handed to the callback, the
    // one it panicked on, dropped with the chunk, and still poppable, in that order.
    static TRACKER: Tracker = Tracker::new();
    const ITEMS: usize = 100;
    for panic_at in [0, 1, 31, 32, 33, 70, 99] {
        let (producer, consumer) = mpmc::channel::<Counted>(ITEMS);
        for _ in 0..37 {
            producer.try_push(TRACKER.item()).unwrap();
            drop(consumer.try_pop().unwrap());
        }
        let first = TRACKER.made();
        for _ in 0..ITEMS {
            producer.try_push(TRACKER.item()).unwrap();
        }
        let mut handed = Vec::new();
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            consumer.pop_each(ITEMS, |item| {
                if item.id == first + panic_at {
                    panic!("callback fails on purpose at item {}", item.id);
                }
                handed.push(item);
            })
        }));
        assert!(result.is_err(), "the callback's panic should propagate");
        let handed_ids: Vec<usize> = handed.iter().map(|c| c.id).collect();
        assert_eq!(handed_ids, (first..first + panic_at).collect::<Vec<_>>());
        assert_eq!(TRACKER.drops_of(first + panic_at), 1, "the panicking item");
        // The items after the panicking one: a run dropped with the chunk, then the rest
        // still in the ring, in order; none both.
        let rest = first + panic_at + 1..first + ITEMS;
        let dropped: Vec<usize> = rest
            .clone()
            .filter(|&id| TRACKER.drops_of(id) == 1)
            .collect();
        let poppable: Vec<usize> = std::iter::from_fn(|| consumer.try_pop().ok())
            .map(|item| item.id)
            .collect();
        let in_ring_from = poppable.first().copied().unwrap_or(rest.end);
        assert_eq!(
            (dropped, poppable),
            (
                (rest.start..in_ring_from).collect::<Vec<_>>(),
                (in_ring_from..rest.end).collect::<Vec<_>>()
            ),
            "panic_at {panic_at}: (dropped with the chunk, still in the ring)"
        );
        assert!(
            in_ring_from - first <= panic_at / 32 * 32 + 32,
            "panic_at {panic_at}: items from {in_ring_from} on were moved out, beyond the \
             chunks of at most 32 that pop_each documents"
        );
        // The ring still works, and every slot is free.
        assert_eq!(consumer.len(), 0);
        for _ in 0..ITEMS {
            producer.try_push(TRACKER.item()).unwrap();
        }
        assert_eq!(consumer.pop_each(ITEMS, drop), ITEMS);
        drop(handed);
    }
    TRACKER.assert_each_dropped_once();
}

#[test]
fn mpmc_items_left_are_dropped_once_when_many_clones_drop_on_many_threads() {
    static TRACKER: Tracker = Tracker::new();
    let start = Instant::now();
    for round in 0..100 {
        let (producer, consumer) = mpmc::channel::<Counted>(6);
        for _ in 0..(round % 7) {
            producer.try_push(TRACKER.item()).unwrap();
        }
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<JoinHandle<()>> = (0..4)
            .map(|i| {
                let b = barrier.clone();
                let (p, c) = (producer.clone(), consumer.clone());
                thread::spawn(move || {
                    b.wait();
                    if i == 0 {
                        drop(c.try_pop());
                    }
                    drop((p, c));
                })
            })
            .collect();
        drop((producer, consumer));
        await_deadline(&format!("round {round}"), start, || {
            handles.iter().all(|h| h.is_finished())
        });
        handles.into_iter().for_each(join);
    }
    TRACKER.assert_each_dropped_once();
}

#[test]
fn mpmc_items_are_dropped_once_under_2p2c_churn() {
    static TRACKER: Tracker = Tracker::new();
    const PER: usize = 20_000;
    let (producer, consumer) = mpmc::channel::<Counted>(5);
    let popped = Arc::new(AtomicUsize::new(0));
    let pushers: Vec<_> = (0..2)
        .map(|_| {
            let producer = producer.clone();
            thread::spawn(move || {
                for _ in 0..PER {
                    producer.push(TRACKER.item()).unwrap();
                }
            })
        })
        .collect();
    let poppers: Vec<_> = (0..2)
        .map(|i| {
            let (consumer, popped) = (consumer.clone(), popped.clone());
            thread::spawn(move || {
                // One consumer pops one by one, the other in batches.
                loop {
                    let got = if i == 0 {
                        match consumer.pop() {
                            Ok(item) => {
                                drop(item);
                                1
                            }
                            Err(PopError) => return,
                        }
                    } else {
                        let n = consumer.pop_each(3, drop);
                        if n == 0 {
                            if consumer.is_abandoned() {
                                while let Ok(item) = consumer.try_pop() {
                                    drop(item);
                                    popped.fetch_add(1, Ordering::Relaxed);
                                }
                                return;
                            }
                            thread::yield_now();
                        }
                        n
                    };
                    popped.fetch_add(got, Ordering::Relaxed);
                }
            })
        })
        .collect();
    drop((producer, consumer));
    let start = Instant::now();
    let until =
        || pushers.iter().all(|h| h.is_finished()) && poppers.iter().all(|h| h.is_finished());
    while !until() {
        assert!(
            start.elapsed() < DEADLINE,
            "2p2c churn: made {}, popped {}",
            TRACKER.made(),
            popped.load(Ordering::Relaxed)
        );
        thread::sleep(Duration::from_millis(2));
    }
    pushers.into_iter().for_each(join);
    poppers.into_iter().for_each(join);
    assert_eq!(popped.load(Ordering::Relaxed), 2 * PER);
    TRACKER.assert_each_dropped_once();
}

// ---------------------------------------------------------------------------------------
// Zero-sized items with a Drop impl.
// ---------------------------------------------------------------------------------------

/// Drop counts of [`Ghost`]s, one counter per test (the const parameter).
static GHOST_DROPS: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

/// A zero-sized item that counts its drops.
struct Ghost<const TEST: usize>;

impl<const TEST: usize> Drop for Ghost<TEST> {
    fn drop(&mut self) {
        GHOST_DROPS[TEST].fetch_add(1, Ordering::SeqCst);
    }
}

fn ghost_drops(test: usize) -> usize {
    GHOST_DROPS[test].load(Ordering::SeqCst)
}

#[test]
fn zero_sized_items_are_dropped_once_spsc() {
    assert_eq!(std::mem::size_of::<Ghost<0>>(), 0);
    for capacity in [1, 3, 1 << 20] {
        let before = ghost_drops(0);
        let (mut producer, mut consumer) = spsc::channel::<Ghost<0>>(capacity);
        let fill = capacity.min(5);
        for _ in 0..fill {
            producer.try_push(Ghost).unwrap();
        }
        assert_eq!(consumer.len(), fill);
        drop(consumer.try_pop().unwrap());
        assert_eq!(consumer.pop_each(1, drop), 1.min(fill - 1));
        let popped = 1 + 1.min(fill - 1);
        producer.push_iter(&mut std::iter::repeat_with(|| Ghost).take(2));
        assert_eq!(ghost_drops(0) - before, popped);
        drop(producer);
        assert_eq!(
            ghost_drops(0) - before,
            popped,
            "left items dropped too early"
        );
        let left = consumer.len();
        drop(consumer);
        assert_eq!(
            ghost_drops(0) - before,
            popped + left,
            "capacity {capacity}"
        );
    }
}

#[test]
fn zero_sized_items_are_dropped_once_mpmc() {
    for capacity in [1, 3, 1000] {
        let before = ghost_drops(1);
        let (producer, consumer) = mpmc::channel::<Ghost<1>>(capacity);
        // Wrap the stamps a few laps, then leave some items inside.
        for _ in 0..3 * capacity {
            producer.try_push(Ghost).unwrap();
            drop(consumer.try_pop().unwrap());
        }
        assert_eq!(ghost_drops(1) - before, 3 * capacity);
        let fill = capacity.min(5);
        for _ in 0..fill {
            producer.try_push(Ghost).unwrap();
        }
        if fill == capacity {
            // Refused and handed back, then dropped by us: one drop.
            assert!(matches!(
                producer.try_push(Ghost),
                Err(TryPushError::Full(_))
            ));
            assert_eq!(ghost_drops(1) - before, 3 * capacity + 1);
        }
        let after_refusal = ghost_drops(1) - before;
        let clone = consumer.clone();
        drop(consumer);
        drop(producer);
        assert_eq!(
            ghost_drops(1) - before,
            after_refusal,
            "left items dropped too early"
        );
        drop(clone);
        assert_eq!(
            ghost_drops(1) - before,
            after_refusal + fill,
            "capacity {capacity}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------

/// Fails with `what` if `done()` is not true by `DEADLINE` after `start`.
fn await_deadline(what: &str, start: Instant, done: impl Fn() -> bool) {
    while !done() {
        assert!(
            start.elapsed() < DEADLINE,
            "{what}: not finished after {DEADLINE:?}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}
