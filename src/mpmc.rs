//! A bounded multi-producer multi-consumer ring.
//!
//! [`channel`] makes a ring of fixed capacity and returns a [`Producer`] and a [`Consumer`];
//! both are `Clone`, and every clone may live on its own thread. Pushing to a full ring hands
//! the value back; popping never returns an item twice. Only the blocking [`Producer::push`]
//! and [`Consumer::pop`] ever wait for another thread. [`Producer::try_push`] fails when the
//! next slot is not free yet (the ring is full, or a consumer has claimed that slot's item
//! and not finished moving it out) and [`Consumer::try_pop`] when the next slot holds no item
//! yet (the ring is empty, or a producer has claimed that slot and not finished writing it);
//! a race lost to another thread is retried inside, never reported as a failure.
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
//! with batch claims, and with no operation but the blocking ones waiting for another's
//! unfinished claim.
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
//! A **claim** is the compare-and-swap that moves `tail` (or `head`) past a slot; it makes
//! the slot the claiming thread's until its stamp store hands the slot on. Between the two
//! the claim is *unfinished*: the position is taken, but the slot is not yet written (or not
//! yet emptied).
//!
//! **To push**, a producer reads `tail` and the stamp of its slot. If the slot waits for this
//! push, the producer claims it by a compare-and-swap of `tail` to the next stamp, writes the
//! item, and stores the slot's stamp `tail + 1` with Release: that store, not the claim,
//! publishes the item. Any other stamp means the slot is not free for this push, and the
//! producer reloads `tail`:
//!
//! - if `tail` moved, another producer claimed the position first: retry at the new `tail`.
//!   Each retry follows another thread's successful claim, so the ring stays lock-free;
//! - if `tail` did not move, the slot still holds an item this push may not overwrite: last
//!   lap's item, not popped yet (the ring is full), or popped by an unfinished claim (a
//!   consumer moved `head` past it and has not moved it out yet). The push reports `Full`
//!   at once instead of waiting for that consumer. An unmoved `tail` is never a stale one:
//!   a stamp ahead of `tail` is seen only through the Acquire stamp load that orders the
//!   claim which moved `tail` past it before our reload.
//!
//! **To pop**, mirror it with `head` and `head + 1`: a slot whose push has been claimed but
//! not written yet makes the pop report `Empty`, even if later slots are already full (items
//! leave in ring order, so a pop cannot skip the unwritten slot).
//!
//! **What `Full` and `Empty` mean**, then: the next slot is not ready yet. The ring is full
//! (empty), or that slot's pop (push) has been claimed but not finished. The second case
//! lasts a few instructions, since no claim is held across user code, unless the claiming
//! thread is descheduled in between. In that window [`Producer::len`] already counts the
//! claimed item as gone (or the claimed push as arrived), so `len() < capacity` does not
//! promise a successful `try_push`, nor `len() > 0` a successful `try_pop`.
//!
//! Why report the window rather than wait it out inside, as Vyukov's queue does: the wait
//! is on another thread, which may be descheduled mid-claim for a whole time slice, and a
//! claim held across user code (as `pop_each` once held its run across its callback) would
//! make `try_push` wait as long as that code runs, or forever when that code is the caller.
//! Reporting it keeps every non-blocking call lock-free, looping only after another
//! thread's claim succeeded, and leaves the waiting to the caller: the blocking `push` and
//! `pop` retry with a [`Backoff`].
//!
//! **Batch claims.** [`Producer::push_slice`] reads the stamps of up to `n` consecutive
//! slots from `tail` (not crossing the lap's end); if the first `k` all wait for this lap's
//! pushes, one compare-and-swap moves `tail` by `k` and claims them all. This is sound
//! because an empty slot's stamp changes only through the producer that claimed its
//! position, and the successful swap proves nobody did. [`Consumer::pop_slice`] claims runs
//! of full slots the same way. Under bursts, one contended swap then moves many items.
//! [`Consumer::pop_each`] claims runs too, but moves each run out of the ring into a small
//! buffer on its stack (up to 32 items, fewer when items are large) and empties every slot
//! before it hands the first item to its callback. So a callback never holds a claim: it may
//! block, push to this very ring, or panic, and no other handle notices.
//!
//! **Disconnection.** The ring counts live producer and consumer handles. A consumer that
//! finds no item checks the producer count; at zero (Acquire, after the last producer's
//! decrement, which follows its pushes) it looks once more and then reports
//! `Disconnected`. Every push has finished by then, so that second look meets no unfinished
//! claim and fails only on an empty ring. Pushes to a full ring without consumers report
//! `Disconnected` likewise.

use std::fmt;
use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use crate::error::{CapacityError, PopError, PushError, TryPopError, TryPushError, alloc_slots};
use crate::sync::{Arc, AtomicUsize, Cell, Ordering};
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

    /// How many consecutive slots from `tail`'s, at most `max` and not crossing the lap's
    /// end, wait for this lap's pushes. Precondition: the first one does (`stamp == tail`).
    #[inline(always)]
    fn free_run(&self, tail: usize, max: usize) -> usize {
        let index = self.index(tail);
        let limit = max.min(self.left_in_lap(tail));
        let mut count = 1;
        // Acquire, as for the first slot's stamp (see `claim_push`).
        while count < limit
            && self.slots[index + count].stamp.load(Ordering::Acquire) == tail.wrapping_add(count)
        {
            count += 1;
        }
        count
    }

    /// How many consecutive slots from `head`'s, at most `max` and not crossing the lap's
    /// end, hold this lap's items. Precondition: the first one does (`stamp == head + 1`).
    #[inline(always)]
    fn full_run(&self, head: usize, max: usize) -> usize {
        let index = self.index(head);
        let limit = max.min(self.left_in_lap(head));
        let mut count = 1;
        // Acquire, as for the first slot's stamp (see `claim_pop`).
        while count < limit
            && self.slots[index + count].stamp.load(Ordering::Acquire)
                == head.wrapping_add(count + 1)
        {
            count += 1;
        }
        count
    }

    /// Claims up to `max` consecutive slots from the current `tail` for pushing, not
    /// crossing the lap's end. Returns the first claimed stamp and the count, or `None` when
    /// the slot at `tail` is not free yet: the ring is full, or that slot's pop has been
    /// claimed but not finished. Retries races lost to other producers; never waits.
    ///
    /// The first attempt is inlined into the callers; everything else (a lost race, a slot
    /// not free) goes to [`Ring::claim_push_again`], kept out of line so the inlined part
    /// stays small.
    #[inline(always)]
    fn claim_push(&self, max: usize) -> Option<(usize, usize)> {
        let tail = self.tail.load(Ordering::Relaxed);
        // Acquire: pairs with the Release stamp store of the consumer that emptied the
        // slot, so its read of the old value happens before our write.
        if self.slots[self.index(tail)].stamp.load(Ordering::Acquire) == tail {
            let count = self.free_run(tail, max);
            let next = self.advance(tail, count);
            if self
                .tail
                .compare_exchange_weak(tail, next, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
            {
                return Some((tail, count));
            }
        }
        self.claim_push_again(max)
    }

    /// [`Ring::claim_push`] without the inlined first attempt: the loop that tells a lost
    /// race (retry) from a slot that is not free (`None`). Called when that attempt failed,
    /// and directly for the rare second look of a `try_push` that found no consumers.
    #[cold]
    #[inline(never)]
    fn claim_push_again(&self, max: usize) -> Option<(usize, usize)> {
        let mut backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            // Acquire: as in `claim_push`.
            let stamp = self.slots[self.index(tail)].stamp.load(Ordering::Acquire);
            if stamp == tail {
                // The slot waits for this push; see how many after it do too.
                let count = self.free_run(tail, max);
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
                continue;
            }
            // The slot is not free for this push. If `tail` moved, another producer claimed
            // this position first: retry there. If not, `tail` is current (a stamp ahead of
            // it would have been stored after the claim that moved it, and our Acquire load
            // of that stamp would make the reload see the move), so the slot still holds
            // last lap's item: not popped (full), or claimed by a pop not finished yet.
            let current = self.tail.load(Ordering::Relaxed);
            if current == tail {
                return None;
            }
            tail = current;
            backoff.spin();
        }
    }

    /// Claims up to `max` consecutive full slots from the current `head` for popping, not
    /// crossing the lap's end. Returns the first claimed stamp and the count, or `None` when
    /// the slot at `head` holds no item yet: the ring is empty, or that slot's push has been
    /// claimed but not finished. Retries races lost to other consumers; never waits. The
    /// first attempt is inlined, the rest is out of line, as in [`Ring::claim_push`].
    #[inline(always)]
    fn claim_pop(&self, max: usize) -> Option<(usize, usize)> {
        let head = self.head.load(Ordering::Relaxed);
        // Acquire: pairs with the producer's Release stamp store, so its write of the
        // value is visible before we read it.
        if self.slots[self.index(head)].stamp.load(Ordering::Acquire) == head.wrapping_add(1) {
            let count = self.full_run(head, max);
            let next = self.advance(head, count);
            if self
                .head
                .compare_exchange_weak(head, next, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
            {
                return Some((head, count));
            }
        }
        self.claim_pop_again(max)
    }

    /// [`Ring::claim_pop`] without the inlined first attempt: the loop that tells a lost race
    /// (retry) from a slot that holds no item yet (`None`). Called when that attempt failed,
    /// and directly for the rare second look of a `try_pop` that found no producers.
    #[cold]
    #[inline(never)]
    fn claim_pop_again(&self, max: usize) -> Option<(usize, usize)> {
        let mut backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // Acquire: as in `claim_pop`.
            let stamp = self.slots[self.index(head)].stamp.load(Ordering::Acquire);
            if stamp == head.wrapping_add(1) {
                let count = self.full_run(head, max);
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
                continue;
            }
            // The slot holds no item for this pop. If `head` moved, another consumer claimed
            // this position first: retry there. If not, `head` is current (as in
            // `claim_push_again`), so the slot waits for its push: not claimed (empty), or
            // claimed by a push not finished yet; or it still holds last lap's item, whose
            // pop is unfinished, which also means nothing was pushed here yet.
            let current = self.head.load(Ordering::Relaxed);
            if current == head {
                return None;
            }
            head = current;
            backoff.spin();
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
    /// Pushes `value` if the next slot is free, without waiting for any other thread.
    ///
    /// # Errors
    ///
    /// Hands `value` back in [`TryPushError::Full`] when the next slot is not free yet: the
    /// ring is full, or a consumer has claimed that slot's item and not finished moving it
    /// out (a window of a few instructions; see the module docs). Hands it back in
    /// [`TryPushError::Disconnected`] when the ring is full and every consumer is gone. While
    /// there is room the push succeeds even without consumers; such items are dropped with
    /// the ring.
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
            // Every pop finished before its handle went, so this look meets no unfinished
            // claim and fails only on a full ring.
            None => match self.ring.claim_push_again(1) {
                Some((stamp, _)) => stamp,
                None => return Err(TryPushError::Disconnected(value)),
            },
        };
        // SAFETY: we just claimed `stamp`.
        unsafe { self.ring.fill(stamp, value) };
        Ok(())
    }

    /// Pushes `value`, waiting (spin, yield, then sleep) while the next slot is not free
    /// (the ring is full, or that slot's pop is unfinished; see [`try_push`](Self::try_push)).
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
    ///
    /// It counts the positions between `head` and `tail`, so an item whose pop has been
    /// claimed but not finished no longer counts, and a push claimed but not finished
    /// already does. In that window `len() < capacity` while `try_push` reports `Full`, or
    /// `len() > 0` while `try_pop` reports `Empty` (see the module docs).
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
    /// compare-and-swap each; returns how many were pushed. Stops at the first slot that is
    /// not free yet, as [`try_push`](Self::try_push) would (0 when the ring is full).
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
    /// Pops the oldest item if it is ready, without waiting for any other thread.
    ///
    /// # Errors
    ///
    /// [`TryPopError::Empty`] when the next slot holds no item yet: the ring is empty, or a
    /// producer has claimed that slot and not finished writing it (even if later slots are
    /// full: items leave in ring order). [`TryPopError::Disconnected`] when the ring is empty
    /// and every producer is gone (items they pushed first are still popped).
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
        // Look once more: an item pushed just before the last producer left. Every push
        // finished before its handle went, so this look meets no unfinished claim and fails
        // only on an empty ring.
        match self.ring.claim_pop_again(1) {
            // SAFETY: we just claimed `stamp`.
            Some((stamp, _)) => Ok(unsafe { self.ring.empty(stamp) }),
            None => Err(TryPopError::Disconnected),
        }
    }

    /// Pops the oldest item, waiting (spin, yield, then sleep) while the next slot holds no
    /// item (the ring is empty, or that slot's push is unfinished; see
    /// [`try_pop`](Self::try_pop)).
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

    /// Pops up to `max` items, handing each to `f` in ring order; returns how many were
    /// popped (fewer when the next slot holds no item yet, as for
    /// [`try_pop`](Self::try_pop); 0 when none does).
    ///
    /// Items leave the ring in chunks of up to 32 (fewer when items are large): each run of
    /// full slots is claimed with one compare-and-swap and moved into a buffer on the stack,
    /// and every slot of the chunk is emptied before `f` sees its first item. So `f` holds no
    /// claim: while it runs, producers may refill those slots (`f` itself too) and no other
    /// handle waits for it.
    ///
    /// # Panics
    ///
    /// If `f` panics, the items of the current chunk not yet handed to it are dropped and the
    /// panic propagates; items not yet moved out stay in the ring. Every item popped is
    /// handed to `f` or dropped exactly once.
    ///
    /// ```
    /// let (producer, consumer) = ringstress::mpmc::channel(8);
    /// for word in ["a", "b", "c"] {
    ///     producer.push(word.to_string()).unwrap();
    /// }
    /// let mut seen = Vec::new();
    /// assert_eq!(consumer.pop_each(8, |s| seen.push(s)), 3);
    /// assert_eq!(seen, ["a", "b", "c"]);
    ///
    /// // A full ring: the callback may push into the slots the chunk has just emptied.
    /// let (producer, consumer) = ringstress::mpmc::channel(2);
    /// producer.push_slice(&[1, 2]);
    /// assert_eq!(consumer.pop_each(2, |v| producer.try_push(v * 10).unwrap()), 2);
    /// assert_eq!(consumer.try_pop(), Ok(10));
    /// ```
    pub fn pop_each(&self, max: usize, mut f: impl FnMut(T)) -> usize {
        // The chunk lives on the stack: 32 items while they take at most 2 KiB, fewer for
        // larger items, so a large `T` cannot overflow a thread's stack. `size_of` is a
        // constant, so only one branch is compiled in.
        if size_of::<T>() <= 64 {
            self.pop_each_by::<32>(max, &mut f)
        } else if size_of::<T>() <= 256 {
            self.pop_each_by::<8>(max, &mut f)
        } else {
            self.pop_each_by::<1>(max, &mut f)
        }
    }

    /// [`pop_each`](Self::pop_each) with chunks of up to `N` items.
    #[inline]
    fn pop_each_by<const N: usize>(&self, max: usize, f: &mut impl FnMut(T)) -> usize {
        let mut popped = 0;
        while popped < max {
            let wanted = N.min(max - popped);
            let mut chunk = Chunk::<T, N>::new();
            let moved = chunk.move_out(&self.ring, wanted);
            popped += moved;
            // Every slot of the chunk is empty again: `f` runs holding no claim. If it
            // panics, dropping `chunk` drops the items it has not been handed.
            for value in &mut chunk {
                f(value);
            }
            if moved < wanted {
                break;
            }
        }
        popped
    }

    /// The number of items in the ring: exact at one instant during the call.
    ///
    /// It counts the positions between `head` and `tail`, so an item whose pop has been
    /// claimed but not finished no longer counts, and a push claimed but not finished
    /// already does. In that window `len() < capacity` while `try_push` reports `Full`, or
    /// `len() > 0` while `try_pop` reports `Empty` (see the module docs).
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
    /// Copies up to `out.len()` of the oldest items into `out`, claiming runs of slots with
    /// one compare-and-swap each; returns how many were copied. Stops at the first slot that
    /// holds no item yet, as [`try_pop`](Self::try_pop) would (0 when the ring is empty).
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

/// Items [`Consumer::pop_each`] has moved out of the ring and not yet handed to its
/// callback. Items still inside when it is dropped (because the callback panicked) are
/// dropped then, so each item moved in leaves exactly once.
struct Chunk<T, const N: usize> {
    /// `items[next..len]` are initialised and owned by the chunk; the others are not.
    items: [MaybeUninit<T>; N],
    /// The next item to hand out.
    next: usize,
    /// How many items were moved in: `next <= len <= N`.
    len: usize,
}

impl<T, const N: usize> Chunk<T, N> {
    #[inline(always)]
    fn new() -> Self {
        Self {
            items: [const { MaybeUninit::uninit() }; N],
            next: 0,
            len: 0,
        }
    }

    /// Claims up to `wanted` (at most `N`) items from `ring`'s head, in runs of one
    /// compare-and-swap each, moves them in and empties their slots. Returns how many, fewer
    /// than `wanted` when the ring had no more items ready. Precondition: the chunk is empty.
    #[inline(always)]
    fn move_out(&mut self, ring: &Ring<T>, wanted: usize) -> usize {
        debug_assert!(self.len == 0 && wanted <= N);
        while self.len < wanted {
            let Some((first, count)) = ring.claim_pop(wanted - self.len) else {
                break;
            };
            // `count <= wanted - len`, so the run fits the buffer.
            let run = &mut self.items[self.len..self.len + count];
            for (offset, item) in run.iter_mut().enumerate() {
                // SAFETY: `claim_pop` claimed the `count` consecutive full stamps from
                // `first`, and each is emptied once, here.
                item.write(unsafe { ring.empty(first.wrapping_add(offset)) });
            }
            // Only now are the items the chunk's to drop; nothing above can panic (slot
            // indices are in bounds by construction), and if it did they would leak, never
            // drop twice.
            self.len += count;
        }
        self.len
    }
}

impl<T, const N: usize> Iterator for Chunk<T, N> {
    type Item = T;
    #[inline(always)]
    fn next(&mut self) -> Option<T> {
        if self.next == self.len {
            return None;
        }
        // SAFETY: `next < len <= N`, so `items[next]` is in bounds and initialised, and it
        // is read only once: `next` moves past it.
        let value = unsafe { self.items.get_unchecked(self.next).assume_init_read() };
        self.next += 1;
        Some(value)
    }
}

impl<T, const N: usize> Drop for Chunk<T, N> {
    fn drop(&mut self) {
        // Through `next`, so a panicking item drop leaks the rest instead of dropping any
        // item twice.
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
