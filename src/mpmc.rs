//! A bounded multi-producer multi-consumer ring.
//!
//! [`channel`] makes a ring of fixed capacity and returns a [`Producer`] and a [`Consumer`];
//! both are `Clone`, and every clone may live on its own thread. Pushing to a full ring hands
//! the value back; popping never returns an item twice. [`Producer::try_push`] fails only when
//! the ring is full and [`Consumer::try_pop`] only when it is empty: a lost race with another
//! thread is retried inside, never reported as a spurious failure.
//!
//! ```
//! use std::thread;
//!
//! let (producer, consumer) = ringstress::mpmc::channel::<u64>(256);
//! let producers: Vec<_> = (0..2)
//!     .map(|p| {
//!         let producer = producer.clone();
//!         thread::spawn(move || (0..1000).for_each(|i| producer.push(p * 1000 + i).unwrap()))
//!     })
//!     .collect();
//! drop(producer); // only the threads' clones remain; when they finish, pops end
//! let consumers: Vec<_> = (0..2)
//!     .map(|_| {
//!         let consumer = consumer.clone();
//!         thread::spawn(move || std::iter::from_fn(|| consumer.pop().ok()).sum::<u64>())
//!     })
//!     .collect();
//! producers.into_iter().for_each(|t| t.join().unwrap());
//! let total: u64 = consumers.into_iter().map(|t| t.join().unwrap()).sum();
//! assert_eq!(total, (0..2000).sum::<u64>());
//! ```
//!
//! # The algorithm
//!
//! This is Dmitry Vyukov's bounded MPMC queue with each slot carrying a *stamp*, extended
//! with batch claims.
//!
//! A **stamp** packs a *lap* (how many times the ring has been traversed) and a slot
//! *index*: `stamp = lap * one_lap + index`, where `one_lap` is the smallest power of two
//! above `capacity`, so the index is `stamp & (one_lap - 1)` and needs no division. `tail` is
//! the stamp of the next slot to push, `head` the stamp of the next slot to pop. Moving a
//! stamp forward (`Ring::advance`) adds to the index until it reaches `capacity`, then
//! starts the next lap at index 0; the ring holds exactly `capacity` slots.
//!
//! Each **slot's stamp** says what the slot waits for:
//!
//! - `stamp == tail` (for the tail's lap): the slot is empty and waits for that push;
//! - `stamp == tail + 1`: it holds an item, and waits for the pop whose head is `stamp - 1`;
//! - after that pop it becomes `head + one_lap`: empty, waiting for the next lap's push.
//!
//! **To push**, a producer reads `tail` and the stamp of its slot. If the slot waits for this
//! push, the producer claims it by a compare-and-swap of `tail` to the next stamp, writes the
//! item, and stores the slot's stamp `tail + 1` with Release: that store, not the claim,
//! publishes the item. If the slot still holds last lap's item, the ring may be full: the
//! producer checks `head` and reports `Full` only when `head` is exactly one lap behind
//! `tail`. Any other stamp means another producer got there first; it reloads and retries.
//! **To pop**, mirror it with `head` and `head + 1`.
//!
//! **Batch claims.** [`Producer::push_slice`] reads the stamps of up to `n` consecutive
//! slots from `tail` (not crossing the lap's end); if the first `k` all wait for this lap's
//! pushes, one compare-and-swap moves `tail` by `k` and claims them all. This is sound
//! because an empty slot's stamp changes only through the producer that claimed its
//! position, and the successful swap proves nobody did. [`Consumer::pop_each`] claims runs
//! of full slots the same way. Under bursts, one contended swap then moves many items.
//!
//! **Disconnection.** The ring counts live producer and consumer handles. A consumer that
//! finds the ring empty checks the producer count; at zero (Acquire, after the last
//! producer's decrement, which follows its pushes) it looks once more and then reports
//! `Disconnected`. Pushes to a full ring without consumers report `Disconnected` likewise.

use std::fmt;
use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use crate::error::{CapacityError, PopError, PushError, TryPopError, TryPushError, alloc_slots};
use crate::sync::{Arc, AtomicUsize, Cell, Ordering, fence};
use crate::wait::Backoff;

/// One slot: its stamp says whether it is empty or full, and for which lap.
struct Slot<T> {
    /// See the module docs: `== position` empty for that push, `== position + 1` full.
    stamp: AtomicUsize,
    /// Initialised exactly while the stamp says "full".
    value: Cell<MaybeUninit<T>>,
}

/// The state every handle shares.
struct Ring<T> {
    /// Stamp of the next slot to pop. Claimed by consumers with compare-and-swap.
    head: CachePadded<AtomicUsize>,
    /// Stamp of the next slot to push. Claimed by producers with compare-and-swap.
    tail: CachePadded<AtomicUsize>,
    /// Live [`Producer`] handles; 0 means nothing more will be pushed.
    producers: CachePadded<AtomicUsize>,
    /// Live [`Consumer`] handles; 0 means nothing more will be popped.
    consumers: AtomicUsize,
    /// The number of slots, exactly what the caller asked for.
    capacity: usize,
    /// The smallest power of two above `capacity`: the stamp distance of one full lap.
    one_lap: usize,
    slots: Box<[Slot<T>]>,
}

// SAFETY: items move between threads, so `T: Send` is required. A slot's value is accessed
// only by the one thread whose compare-and-swap claimed its position, between the Acquire
// load of the stamp that showed it ready and the Release store that hands it on, so no two
// threads ever access a value concurrently.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above; shared references reach values only through that protocol.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// The slot index of a stamp.
    #[inline(always)]
    fn index(&self, stamp: usize) -> usize {
        stamp & (self.one_lap - 1)
    }

    /// The stamp `count` positions after `stamp`. Precondition: the move stays within the
    /// lap or ends exactly at its end (`index + count <= capacity`).
    #[inline(always)]
    fn advance(&self, stamp: usize, count: usize) -> usize {
        let index = self.index(stamp);
        debug_assert!(index + count <= self.capacity);
        if index + count < self.capacity {
            stamp.wrapping_add(count)
        } else {
            // Next lap, index 0.
            (stamp & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// How many slots from `stamp`'s index to the end of the lap.
    #[inline(always)]
    fn left_in_lap(&self, stamp: usize) -> usize {
        self.capacity - self.index(stamp)
    }

    /// Claims up to `max` consecutive slots from the current `tail` for pushing, not
    /// crossing the lap's end. Returns the first claimed stamp and the count, or `None` when
    /// the ring is full. Retries lost races internally.
    #[inline]
    fn claim_push(&self, max: usize) -> Option<(usize, usize)> {
        let mut backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            let index = self.index(tail);
            // Acquire: pairs with the Release stamp store of the consumer that emptied the
            // slot, so its read of the old value happens before our write.
            let stamp = self.slots[index].stamp.load(Ordering::Acquire);
            if stamp == tail {
                // The slot waits for this push; see how many after it do too.
                let limit = max.min(self.left_in_lap(tail));
                let mut count = 1;
                while count < limit
                    && self.slots[index + count].stamp.load(Ordering::Acquire)
                        == tail.wrapping_add(count)
                {
                    count += 1;
                }
                let next = self.advance(tail, count);
                match self.tail.compare_exchange_weak(
                    tail,
                    next,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Some((tail, count)),
                    Err(current) => {
                        tail = current;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) == tail.wrapping_add(1) {
                // The slot still holds last lap's item. SeqCst fence: order our stamp load
                // before the head load, so a head that shows a full ring is not older than
                // the stamp we saw.
                fence(Ordering::SeqCst);
                let head = self.head.load(Ordering::Relaxed);
                if head.wrapping_add(self.one_lap) == tail {
                    return None;
                }
                // A consumer has claimed the slot but not yet freed it, or tail moved on.
                // Waiting on another thread's unfinished pop: escalate to yielding, since on
                // an oversubscribed machine that thread may be descheduled mid-pop.
                backoff.snooze();
                tail = self.tail.load(Ordering::Relaxed);
            } else {
                // Another producer claimed this position first.
                backoff.spin();
                tail = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    /// Claims up to `max` consecutive full slots from the current `head` for popping, not
    /// crossing the lap's end. Returns the first claimed stamp and the count, or `None` when
    /// the ring is empty. Retries lost races internally.
    #[inline]
    fn claim_pop(&self, max: usize) -> Option<(usize, usize)> {
        let mut backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let index = self.index(head);
            // Acquire: pairs with the producer's Release stamp store, so its write of the
            // value is visible before we read it.
            let stamp = self.slots[index].stamp.load(Ordering::Acquire);
            if stamp == head.wrapping_add(1) {
                let limit = max.min(self.left_in_lap(head));
                let mut count = 1;
                while count < limit
                    && self.slots[index + count].stamp.load(Ordering::Acquire)
                        == head.wrapping_add(count + 1)
                {
                    count += 1;
                }
                let next = self.advance(head, count);
                match self.head.compare_exchange_weak(
                    head,
                    next,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Some((head, count)),
                    Err(current) => {
                        head = current;
                        backoff.spin();
                    }
                }
            } else if stamp == head {
                // The slot waits for a push: the ring may be empty. SeqCst fence as in
                // `claim_push`, pairing stamp and tail.
                fence(Ordering::SeqCst);
                let tail = self.tail.load(Ordering::Relaxed);
                if tail == head {
                    return None;
                }
                // A producer has claimed the slot but not yet filled it, or head moved on.
                // Waiting on another thread's unfinished push: escalate to yielding (see
                // `claim_push`).
                backoff.snooze();
                head = self.head.load(Ordering::Relaxed);
            } else {
                // Another consumer claimed this position first.
                backoff.spin();
                head = self.head.load(Ordering::Relaxed);
            }
        }
    }

    /// Writes `value` into the claimed slot of `stamp` and marks it full.
    ///
    /// # Safety
    ///
    /// `stamp` must have been claimed by the caller with [`Ring::claim_push`] and not yet
    /// filled.
    #[inline(always)]
    unsafe fn fill(&self, stamp: usize, value: T) {
        let slot = &self.slots[self.index(stamp)];
        // SAFETY: the caller's claim gives it exclusive access to this empty slot.
        slot.value.with_mut(|v| unsafe { (*v).write(value) });
        // Release: publishes the value write to the consumer's Acquire load of the stamp.
        slot.stamp.store(stamp.wrapping_add(1), Ordering::Release);
    }

    /// Moves the value out of the claimed slot of `stamp` and marks it empty for next lap.
    ///
    /// # Safety
    ///
    /// `stamp` must have been claimed by the caller with [`Ring::claim_pop`] and not yet
    /// emptied.
    #[inline(always)]
    unsafe fn empty(&self, stamp: usize) -> T {
        let slot = &self.slots[self.index(stamp)];
        // SAFETY: the caller's claim gives it exclusive access to this full slot, whose value
        // is initialised; it is moved out exactly once.
        let value = slot.value.with_mut(|v| unsafe { (*v).assume_init_read() });
        // Release: our read happens before the next lap's producer (Acquire) overwrites.
        slot.stamp
            .store(stamp.wrapping_add(self.one_lap), Ordering::Release);
        value
    }

    fn len(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);
            // A consistent pair: tail did not move while head was read.
            if self.tail.load(Ordering::SeqCst) == tail {
                let (hix, tix) = (self.index(head), self.index(tail));
                return if hix < tix {
                    tix - hix
                } else if hix > tix {
                    self.capacity - hix + tix
                } else if tail == head {
                    0
                } else {
                    self.capacity
                };
            }
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // Every handle is gone, so no claim is in flight and each position in `head..tail`
        // holds an item; Arc's drop ordered all earlier accesses before this. The walk is
        // bounded by the item count `len` computes, so even a corrupted pair of positions
        // could not make it run past the slots.
        let mut stamp = self.head.load(Ordering::Relaxed);
        let items = self.len();
        for _ in 0..items {
            let slot = &self.slots[self.index(stamp)];
            // SAFETY: a full slot (see above), dropped exactly once.
            slot.value.with_mut(|v| unsafe { (*v).assume_init_drop() });
            stamp = self.advance(stamp, 1);
        }
        debug_assert_eq!(
            stamp,
            self.tail.load(Ordering::Relaxed),
            "ring positions corrupted"
        );
    }
}

/// Makes a ring holding up to `capacity` items and returns a first producer and consumer.
///
/// # Panics
///
/// If `capacity` is 0, too large to allocate, or the allocation fails; see
/// [`try_channel`] for the same as a `Result`.
///
/// ```
/// let (producer, consumer) = ringstress::mpmc::channel(2);
/// let second = producer.clone();
/// producer.try_push(1).unwrap();
/// second.try_push(2).unwrap();
/// assert!(producer.try_push(3).is_err()); // full
/// assert_eq!(consumer.try_pop(), Ok(1));
/// ```
pub fn channel<T>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    match try_channel(capacity) {
        Ok(ends) => ends,
        Err(err) => panic!("ringstress::mpmc::channel: {err}"),
    }
}

/// Makes a ring holding up to `capacity` items, or says why it cannot.
///
/// # Errors
///
/// [`CapacityError::Zero`] for a capacity of 0, [`CapacityError::TooLarge`] when the slots
/// would not fit in memory's address range (or stamps would not fit a `usize`),
/// [`CapacityError::AllocationFailed`] when the allocator refuses.
///
/// ```
/// use ringstress::CapacityError;
/// assert_eq!(ringstress::mpmc::try_channel::<u8>(0).unwrap_err(), CapacityError::Zero);
/// assert!(ringstress::mpmc::try_channel::<String>(usize::MAX).is_err());
/// ```
pub fn try_channel<T>(capacity: usize) -> Result<(Producer<T>, Consumer<T>), CapacityError> {
    if capacity == 0 {
        return Err(CapacityError::Zero);
    }
    let too_large = CapacityError::TooLarge {
        requested: capacity,
    };
    let one_lap = capacity
        .checked_add(1)
        .and_then(usize::checked_next_power_of_two)
        .ok_or(too_large)?;
    // Stamps need at least a few laps of room before they wrap, so laps stay distinct.
    if one_lap > usize::MAX / 4 {
        return Err(too_large);
    }
    let slots = alloc_slots(capacity, capacity, |index| Slot {
        stamp: AtomicUsize::new(index),
        value: Cell::new(MaybeUninit::uninit()),
    })?;
    let ring = Arc::new(Ring {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        producers: CachePadded::new(AtomicUsize::new(1)),
        consumers: AtomicUsize::new(1),
        capacity,
        one_lap,
        slots,
    });
    Ok((Producer { ring: ring.clone() }, Consumer { ring }))
}

/// A pushing handle of an MPMC ring. Clone it for each producing thread.
pub struct Producer<T> {
    ring: Arc<Ring<T>>,
}

/// A popping handle of an MPMC ring. Clone it for each consuming thread.
pub struct Consumer<T> {
    ring: Arc<Ring<T>>,
}

impl<T> Producer<T> {
    /// Pushes `value` if there is room, without waiting.
    ///
    /// # Errors
    ///
    /// Hands `value` back in [`TryPushError::Full`] when the ring is full, or
    /// [`TryPushError::Disconnected`] when it is full and every consumer is gone. While there
    /// is room the push succeeds even without consumers; such items are dropped with the
    /// ring.
    ///
    /// ```
    /// use ringstress::TryPushError;
    /// let (producer, _consumer) = ringstress::mpmc::channel(1);
    /// assert_eq!(producer.try_push('x'), Ok(()));
    /// assert_eq!(producer.try_push('y'), Err(TryPushError::Full('y')));
    /// ```
    #[inline]
    pub fn try_push(&self, value: T) -> Result<(), TryPushError<T>> {
        let stamp = match self.ring.claim_push(1) {
            Some((stamp, _)) => stamp,
            None if !self.is_abandoned() => return Err(TryPushError::Full(value)),
            // Every consumer is gone. The Acquire load in `is_abandoned` pairs with the last
            // consumer's AcqRel decrement, which follows all their pops, so look once more: a
            // slot freed just before the last consumer left is room, not a disconnection.
            None => match self.ring.claim_push(1) {
                Some((stamp, _)) => stamp,
                None => return Err(TryPushError::Disconnected(value)),
            },
        };
        // SAFETY: we just claimed `stamp`.
        unsafe { self.ring.fill(stamp, value) };
        Ok(())
    }

    /// Pushes `value`, waiting (spin, yield, then sleep) while the ring is full.
    ///
    /// # Errors
    ///
    /// Hands `value` back in [`PushError`] when the ring is full and every consumer is gone.
    ///
    /// ```
    /// let (producer, consumer) = ringstress::mpmc::channel(1);
    /// let worker = std::thread::spawn(move || consumer.pop().unwrap());
    /// producer.push(1).unwrap();
    /// assert_eq!(worker.join().unwrap(), 1);
    /// ```
    pub fn push(&self, mut value: T) -> Result<(), PushError<T>> {
        let mut backoff = Backoff::new();
        loop {
            match self.try_push(value) {
                Ok(()) => return Ok(()),
                Err(TryPushError::Full(back)) => value = back,
                Err(TryPushError::Disconnected(back)) => return Err(PushError(back)),
            }
            backoff.snooze();
        }
    }

    /// The number of items in the ring: exact at one instant during the call.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// True if the ring holds no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True if the ring holds `capacity` items.
    pub fn is_full(&self) -> bool {
        self.len() == self.ring.capacity
    }

    /// The most items the ring holds (exactly what [`channel`] was given).
    pub fn capacity(&self) -> usize {
        self.ring.capacity
    }

    /// True once every consumer handle has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.ring.consumers.load(Ordering::Acquire) == 0
    }
}

impl<T: Copy> Producer<T> {
    /// Pushes as many leading items of `items` as fit, claiming runs of slots with one
    /// compare-and-swap each; returns how many were pushed (0 when the ring is full).
    ///
    /// ```
    /// let (producer, consumer) = ringstress::mpmc::channel(4);
    /// assert_eq!(producer.push_slice(&[1, 2, 3, 4, 5]), 4);
    /// let mut out = [0; 4];
    /// assert_eq!(consumer.pop_slice(&mut out), 4);
    /// assert_eq!(out, [1, 2, 3, 4]);
    /// ```
    pub fn push_slice(&self, items: &[T]) -> usize {
        let mut pushed = 0;
        while pushed < items.len() {
            let Some((first, count)) = self.ring.claim_push(items.len() - pushed) else {
                break;
            };
            for (offset, item) in items[pushed..pushed + count].iter().enumerate() {
                // SAFETY: `claim_push` claimed `count` consecutive stamps within one lap.
                unsafe { self.ring.fill(first.wrapping_add(offset), *item) };
            }
            pushed += count;
        }
        pushed
    }
}

impl<T> Consumer<T> {
    /// Pops the oldest available item, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryPopError::Empty`] when the ring is empty; [`TryPopError::Disconnected`] when it is
    /// empty and every producer is gone (items they pushed first are still popped).
    ///
    /// ```
    /// use ringstress::TryPopError;
    /// let (producer, consumer) = ringstress::mpmc::channel(2);
    /// producer.try_push(1).unwrap();
    /// drop(producer);
    /// assert_eq!(consumer.try_pop(), Ok(1));
    /// assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    /// ```
    #[inline]
    pub fn try_pop(&self) -> Result<T, TryPopError> {
        if let Some((stamp, _)) = self.ring.claim_pop(1) {
            // SAFETY: we just claimed `stamp`.
            return Ok(unsafe { self.ring.empty(stamp) });
        }
        // Acquire: the last producer's decrement follows all pushes (each producer's
        // AcqRel decrement carries its own pushes along the count's release sequence).
        if self.ring.producers.load(Ordering::Acquire) != 0 {
            return Err(TryPopError::Empty);
        }
        // Look once more: an item pushed just before the last producer left.
        match self.ring.claim_pop(1) {
            // SAFETY: we just claimed `stamp`.
            Some((stamp, _)) => Ok(unsafe { self.ring.empty(stamp) }),
            None => Err(TryPopError::Disconnected),
        }
    }

    /// Pops the oldest available item, waiting (spin, yield, then sleep) while the ring is
    /// empty.
    ///
    /// # Errors
    ///
    /// [`PopError`] once the ring is empty and every producer is gone.
    ///
    /// ```
    /// let (producer, consumer) = ringstress::mpmc::channel(2);
    /// producer.push(3).unwrap();
    /// drop(producer);
    /// assert_eq!(consumer.pop(), Ok(3));
    /// assert!(consumer.pop().is_err());
    /// ```
    pub fn pop(&self) -> Result<T, PopError> {
        let mut backoff = Backoff::new();
        loop {
            match self.try_pop() {
                Ok(value) => return Ok(value),
                Err(TryPopError::Empty) => backoff.snooze(),
                Err(TryPopError::Disconnected) => return Err(PopError),
            }
        }
    }

    /// Pops up to `max` items, handing each to `f` in ring order, claiming runs of slots
    /// with one compare-and-swap each; returns how many were popped (0 when empty).
    ///
    /// ```
    /// let (producer, consumer) = ringstress::mpmc::channel(8);
    /// for word in ["a", "b", "c"] {
    ///     producer.push(word.to_string()).unwrap();
    /// }
    /// let mut seen = Vec::new();
    /// assert_eq!(consumer.pop_each(8, |s| seen.push(s)), 3);
    /// assert_eq!(seen, ["a", "b", "c"]);
    /// ```
    pub fn pop_each(&self, max: usize, mut f: impl FnMut(T)) -> usize {
        let mut popped = 0;
        while popped < max {
            let Some((first, count)) = self.ring.claim_pop(max - popped) else {
                break;
            };
            // The run empties every slot it claimed even if `f` panics (its drop takes the
            // rest), so no claimed slot is left full and stalls the other threads.
            for value in ClaimedRun::new(&self.ring, first, count) {
                f(value);
            }
            popped += count;
        }
        popped
    }

    /// The number of items in the ring: exact at one instant during the call.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// True if the ring holds no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True if the ring holds `capacity` items.
    pub fn is_full(&self) -> bool {
        self.len() == self.ring.capacity
    }

    /// The most items the ring holds (exactly what [`channel`] was given).
    pub fn capacity(&self) -> usize {
        self.ring.capacity
    }

    /// True once every producer handle has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.ring.producers.load(Ordering::Acquire) == 0
    }
}

impl<T: Copy> Consumer<T> {
    /// Copies up to `out.len()` of the oldest available items into `out`; returns how many
    /// were copied (0 when the ring is empty).
    ///
    /// ```
    /// let (producer, consumer) = ringstress::mpmc::channel(4);
    /// producer.push_slice(&[7u8, 8]);
    /// let mut out = [0u8; 4];
    /// assert_eq!(consumer.pop_slice(&mut out), 2);
    /// assert_eq!(out[..2], [7, 8]);
    /// ```
    pub fn pop_slice(&self, out: &mut [T]) -> usize {
        let mut popped = 0;
        while popped < out.len() {
            let Some((first, count)) = self.ring.claim_pop(out.len() - popped) else {
                break;
            };
            for (offset, item) in out[popped..popped + count].iter_mut().enumerate() {
                // SAFETY: `claim_pop` claimed `count` consecutive full stamps within one lap.
                *item = unsafe { self.ring.empty(first.wrapping_add(offset)) };
            }
            popped += count;
        }
        popped
    }
}

/// A run of slots claimed for popping, emptied one by one as it is iterated. Slots not yet
/// emptied when it is dropped (because the caller's callback panicked) are emptied then and
/// their values dropped, so a claim is always completed.
struct ClaimedRun<'a, T> {
    ring: &'a Ring<T>,
    /// The stamp of the next slot to empty.
    next: usize,
    /// Claimed slots not yet emptied.
    left: usize,
}

impl<'a, T> ClaimedRun<'a, T> {
    /// Precondition: the caller claimed `count` consecutive full stamps from `first`.
    fn new(ring: &'a Ring<T>, first: usize, count: usize) -> Self {
        Self {
            ring,
            next: first,
            left: count,
        }
    }
}

impl<T> Iterator for ClaimedRun<'_, T> {
    type Item = T;
    #[inline(always)]
    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        // SAFETY: `next` is one of the claimed stamps (precondition of `new`), not yet
        // emptied: each is visited once as `next` advances and `left` counts down.
        let value = unsafe { self.ring.empty(self.next) };
        self.next = self.next.wrapping_add(1);
        self.left -= 1;
        Some(value)
    }
}

impl<T> Drop for ClaimedRun<'_, T> {
    fn drop(&mut self) {
        self.for_each(drop);
    }
}

impl<T> Clone for Producer<T> {
    fn clone(&self) -> Self {
        // Relaxed: the new handle comes from a live one, so the count cannot be 0 here.
        self.ring.producers.fetch_add(1, Ordering::Relaxed);
        Self {
            ring: self.ring.clone(),
        }
    }
}

impl<T> Clone for Consumer<T> {
    fn clone(&self) -> Self {
        self.ring.consumers.fetch_add(1, Ordering::Relaxed);
        Self {
            ring: self.ring.clone(),
        }
    }
}

impl<T> Drop for Producer<T> {
    fn drop(&mut self) {
        // AcqRel: releases our pushes and, through the count's read-modify-write chain,
        // those of producers that left before us, to a consumer's Acquire load of 0.
        self.ring.producers.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T> Drop for Consumer<T> {
    fn drop(&mut self) {
        // AcqRel: releases our pops (and, through the count's read-modify-write chain, those
        // of consumers that left before us) to a producer's Acquire load of 0.
        self.ring.consumers.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T> fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpmc::Producer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

impl<T> fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpmc::Consumer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}
