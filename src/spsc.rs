//! A bounded single-producer single-consumer ring.
//!
//! [`channel`] makes a ring of fixed capacity and splits it into a [`Producer`] and a
//! [`Consumer`], each of which may move to its own thread. Pushing to a full ring hands the
//! value back; nothing is ever overwritten. Every non-blocking operation is wait-free: a
//! bounded number of instructions, no locks, no retry loops.
//!
//! ```
//! let (mut producer, mut consumer) = ringstress::spsc::channel::<u64>(1024);
//! let sender = std::thread::spawn(move || {
//!     for i in 0..10_000 {
//!         producer.push(i).unwrap(); // waits while the ring is full
//!     }
//! });
//! let mut sum = 0;
//! while let Ok(value) = consumer.pop() {
//!     // `pop` waits while the ring is empty and fails once the producer is gone
//!     sum += value;
//! }
//! sender.join().unwrap();
//! assert_eq!(sum, (0..10_000).sum::<u64>());
//! ```
//!
//! # The algorithm
//!
//! The ring is an array of `capacity` rounded up to a power of two slots and two
//! *positions*: `tail`, the count of items ever pushed, and `head`, the count of items ever
//! popped. Positions only grow (wrapping at `usize::MAX`, which the arithmetic tolerates);
//! the slot of a position is `position & mask`. The ring holds `tail - head` items, always in
//! `0..=capacity`. Only the producer writes `tail` and only the consumer writes `head`, so
//! neither ever needs a compare-and-swap.
//!
//! - **Publishing.** The producer writes items into slots, then stores the new `tail` with
//!   Release. The consumer loads `tail` with Acquire, so every slot below it is initialised
//!   and visible. Symmetrically the consumer moves items out, then stores `head` with
//!   Release; the producer's Acquire load of `head` orders those moves before it reuses the
//!   slots. A batch is published with one store, however many items it moves.
//! - **Cached positions.** Each side keeps a private copy of the other side's position
//!   (`cached_head` in the producer, `cached_tail` in the consumer) and reloads the shared
//!   one only when the copy says the ring is full (or empty). A stale copy only ever
//!   understates the room (or the items) available, so it is safe, and in steady streaming
//!   the shared line is read once per many items instead of once per item.
//! - **Padding.** `head` and `tail` sit on separate 128-byte-aligned lines (two 64-byte lines,
//!   since x86-64 prefetches pairs), so the two sides do not invalidate each other's line on
//!   every store.
//! - **Disconnection.** Dropping a side sets its `*_gone` flag with Release after its last
//!   position store. The other side checks the flag only when it cannot proceed; seeing the
//!   flag (Acquire), it reloads the position once more, so a consumer always drains every
//!   item pushed before the producer went away.

use std::fmt;
use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use crate::error::{CapacityError, PopError, PushError, TryPopError, TryPushError, alloc_slots};
use crate::sync::{Arc, AtomicBool, AtomicUsize, Cell, Ordering};
use crate::wait::Backoff;

/// One slot of the ring: initialised exactly when its position is in `head..tail`.
type Slot<T> = Cell<MaybeUninit<T>>;

/// The state both sides share.
struct Ring<T> {
    /// The count of items ever popped. Written only by the consumer (Release, after moving
    /// items out); read by the producer (Acquire) when its `cached_head` says "full".
    head: CachePadded<AtomicUsize>,
    /// The count of items ever pushed. Written only by the producer (Release, after writing
    /// items in); read by the consumer (Acquire) when its `cached_tail` says "empty".
    tail: CachePadded<AtomicUsize>,
    /// `slots.len() - 1`; `slots.len()` is a power of two `>= capacity`.
    mask: usize,
    /// The most items the ring holds: `tail - head <= capacity` at all times.
    capacity: usize,
    /// Set (Release) when the producer is dropped, after its last `tail` store.
    producer_gone: AtomicBool,
    /// Set (Release) when the consumer is dropped, after its last `head` store.
    consumer_gone: AtomicBool,
    slots: Box<[Slot<T>]>,
}

// SAFETY: the ring moves `T`s from the producer's thread to the consumer's, so it needs
// `T: Send`. Shared access to a slot is never concurrent: a slot is touched only by the
// producer while its position is outside `head..tail` and only by the consumer while it is
// inside, and the Release/Acquire pairs on `head` and `tail` hand each slot over.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above; `&Ring` gives no access to a `T` except through that protocol.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// Pointer to the slot of `position`.
    #[inline(always)]
    fn slot(&self, position: usize) -> &Slot<T> {
        // The mask keeps the index in bounds, so this never panics.
        &self.slots[position & self.mask]
    }

    /// How many slots from `position` to the end of the array, before indices wrap to 0.
    #[inline(always)]
    fn contiguous_from(&self, position: usize) -> usize {
        self.slots.len() - (position & self.mask)
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // Both handles are gone (this is the last `Arc`), so positions are final and no
        // other thread touches the slots; Arc's drop ordered every earlier access before us.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let mut position = head;
        while position != tail {
            // SAFETY: positions in `head..tail` hold initialised items that nobody popped;
            // each is dropped exactly once here.
            self.slot(position)
                .with_mut(|slot| unsafe { (*slot).assume_init_drop() });
            position = position.wrapping_add(1);
        }
    }
}

/// Makes a ring holding up to `capacity` items and returns its two ends.
///
/// # Panics
///
/// If `capacity` is 0, too large to allocate, or the allocation fails; see
/// [`try_channel`] for the same as a `Result`.
///
/// ```
/// let (mut producer, mut consumer) = ringstress::spsc::channel(2);
/// producer.try_push("a").unwrap();
/// producer.try_push("b").unwrap();
/// assert!(producer.try_push("c").is_err()); // full: "c" is handed back
/// assert_eq!(consumer.try_pop(), Ok("a"));
/// ```
pub fn channel<T>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    match try_channel(capacity) {
        Ok(ends) => ends,
        Err(err) => panic!("ringstress::spsc::channel: {err}"),
    }
}

/// Makes a ring holding up to `capacity` items, or says why it cannot.
///
/// # Errors
///
/// [`CapacityError::Zero`] for a capacity of 0, [`CapacityError::TooLarge`] when the slots
/// would not fit in memory's address range, [`CapacityError::AllocationFailed`] when the
/// allocator refuses. Zero-sized `T` is fine and needs no memory.
///
/// ```
/// use ringstress::CapacityError;
/// assert_eq!(ringstress::spsc::try_channel::<u8>(0).unwrap_err(), CapacityError::Zero);
/// assert!(ringstress::spsc::try_channel::<u64>(usize::MAX / 2).is_err());
/// ```
pub fn try_channel<T>(capacity: usize) -> Result<(Producer<T>, Consumer<T>), CapacityError> {
    if capacity == 0 {
        return Err(CapacityError::Zero);
    }
    let len = capacity
        .checked_next_power_of_two()
        .ok_or(CapacityError::TooLarge {
            requested: capacity,
        })?;
    let slots = if size_of::<Slot<T>>() == 0 {
        zero_sized_slots(len)
    } else {
        alloc_slots(len, capacity, |_| Cell::new(MaybeUninit::uninit()))?
    };
    let ring = Arc::new(Ring {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        mask: len - 1,
        capacity,
        producer_gone: AtomicBool::new(false),
        consumer_gone: AtomicBool::new(false),
        slots,
    });
    let producer = Producer {
        ring: ring.clone(),
        tail: 0,
        cached_head: 0,
    };
    let consumer = Consumer {
        ring,
        head: 0,
        cached_tail: 0,
    };
    Ok((producer, consumer))
}

/// `len` slots for a zero-sized `T`, made in constant time. Building them one by one (as
/// `alloc_slots` does) costs a step per slot, which for a huge capacity of a zero-sized type
/// (legal: it needs no memory) would hang `channel` for minutes or centuries.
fn zero_sized_slots<T>(len: usize) -> Box<[Slot<T>]> {
    debug_assert_eq!(size_of::<Slot<T>>(), 0);
    #[cfg(not(loom))]
    {
        // SAFETY: a `Slot<T>` is a `repr(transparent)` `UnsafeCell<MaybeUninit<T>>`, for
        // which every bit pattern, uninitialised included, is a valid value; and being
        // zero-sized it has no bytes at all, so the slice needs no allocation.
        unsafe { Box::<[Slot<T>]>::new_uninit_slice(len).assume_init() }
    }
    // Loom's cell carries tracking state, so it is never zero-sized and we never get here.
    #[cfg(loom)]
    unreachable!("loom slots are never zero-sized (len {len})")
}

/// The pushing end of an SPSC ring. Move it to the producing thread.
pub struct Producer<T> {
    ring: Arc<Ring<T>>,
    /// The producer's own copy of `ring.tail`; always equal to it (only we write it).
    tail: usize,
    /// A copy of `ring.head`, possibly stale (behind), so `tail - cached_head` may overstate
    /// how full the ring is but never understates it. Reloaded only when it says "full".
    cached_head: usize,
}

/// The popping end of an SPSC ring. Move it to the consuming thread.
pub struct Consumer<T> {
    ring: Arc<Ring<T>>,
    /// The consumer's own copy of `ring.head`; always equal to it (only we write it).
    head: usize,
    /// A copy of `ring.tail`, possibly stale (behind), so `cached_tail - head` may understate
    /// how many items wait but never overstates it. Reloaded only when it says "empty".
    cached_tail: usize,
}

impl<T> Producer<T> {
    /// Free slots, reloading `head` only when the cached copy shows fewer than `wanted`.
    #[inline(always)]
    fn free_slots(&mut self, wanted: usize) -> usize {
        let free = self.ring.capacity - self.tail.wrapping_sub(self.cached_head);
        if free >= wanted {
            return free;
        }
        // Acquire: pairs with the consumer's Release store of `head`, so its moves out of
        // the slots we are about to reuse happen before our writes.
        self.cached_head = self.ring.head.load(Ordering::Acquire);
        self.ring.capacity - self.tail.wrapping_sub(self.cached_head)
    }

    /// Makes `count` written slots visible to the consumer.
    #[inline(always)]
    fn publish(&mut self, count: usize) {
        self.tail = self.tail.wrapping_add(count);
        // Release: the slot writes before this store are visible to the consumer's Acquire
        // load of `tail`.
        self.ring.tail.store(self.tail, Ordering::Release);
    }

    /// Pushes `value` if there is room, without waiting.
    ///
    /// # Errors
    ///
    /// Hands `value` back in [`TryPushError::Full`] when the ring is full, or
    /// [`TryPushError::Disconnected`] when it is full and the consumer is gone. While there is
    /// room the push succeeds even without a consumer; such items are dropped with the ring.
    ///
    /// ```
    /// use ringstress::TryPushError;
    /// let (mut producer, _consumer) = ringstress::spsc::channel(1);
    /// assert_eq!(producer.try_push(1), Ok(()));
    /// assert_eq!(producer.try_push(2), Err(TryPushError::Full(2)));
    /// ```
    #[inline]
    pub fn try_push(&mut self, value: T) -> Result<(), TryPushError<T>> {
        if self.free_slots(1) == 0 {
            // Acquire: pairs with the Release store in the consumer's drop, which follows its
            // last `head` store, so the reload below sees every slot it freed. Without it, a
            // consumer that pops and leaves between our `head` load and this flag load would
            // make a ring with room look full and disconnected.
            if !self.ring.consumer_gone.load(Ordering::Acquire) {
                return Err(TryPushError::Full(value));
            }
            if self.free_slots(1) == 0 {
                return Err(TryPushError::Disconnected(value));
            }
        }
        // SAFETY: `tail` is outside `head..tail` (there is a free slot), so the consumer does
        // not touch this slot until we publish it; only this producer writes slots.
        self.ring
            .slot(self.tail)
            .with_mut(|slot| unsafe { (*slot).write(value) });
        self.publish(1);
        Ok(())
    }

    /// Pushes `value`, waiting (spin, yield, then sleep) while the ring is full.
    ///
    /// # Errors
    ///
    /// Hands `value` back in [`PushError`] if the consumer is gone while the ring is full, so
    /// it never waits for a pop that cannot come.
    ///
    /// ```
    /// let (mut producer, mut consumer) = ringstress::spsc::channel(4);
    /// producer.push(7).unwrap();
    /// drop(consumer);
    /// producer.push(8).unwrap(); // room remains, so this still succeeds
    /// ```
    pub fn push(&mut self, mut value: T) -> Result<(), PushError<T>> {
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

    /// Pushes items taken from `items` until the ring is full or `items` ends, publishing all
    /// of them with one store; returns how many were pushed. No item is taken from `items`
    /// unless there is room for it.
    ///
    /// ```
    /// let (mut producer, mut consumer) = ringstress::spsc::channel(3);
    /// let mut words = ["a", "b", "c", "d"].into_iter();
    /// assert_eq!(producer.push_iter(&mut words), 3);
    /// assert_eq!(words.next(), Some("d")); // not taken: the ring was full
    /// assert_eq!(consumer.try_pop(), Ok("a"));
    /// ```
    pub fn push_iter(&mut self, items: &mut impl Iterator<Item = T>) -> usize {
        let free = self.free_slots(self.ring.capacity);
        // If `next()` panics, the guard still publishes what was written, so those items are
        // neither lost nor leaked.
        let mut guard = PublishOnDrop {
            producer: self,
            written: 0,
        };
        while guard.written < free {
            let Some(value) = items.next() else { break };
            let position = guard.producer.tail.wrapping_add(guard.written);
            // SAFETY: fewer than `free` slots past `tail` are written, so this one is outside
            // `head..tail` and unseen by the consumer until published.
            guard
                .producer
                .ring
                .slot(position)
                .with_mut(|slot| unsafe { (*slot).write(value) });
            guard.written += 1;
        }
        guard.written
    }

    /// How many items the ring holds now. Exact from this side's point of view at the time
    /// of the call; the consumer may have popped more since.
    pub fn len(&self) -> usize {
        let head = self.ring.head.load(Ordering::Acquire);
        self.tail.wrapping_sub(head)
    }

    /// True if the ring holds no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True if the ring holds `capacity` items, so a push would fail.
    pub fn is_full(&self) -> bool {
        self.len() == self.ring.capacity
    }

    /// The most items the ring holds (exactly what [`channel`] was given).
    pub fn capacity(&self) -> usize {
        self.ring.capacity
    }

    /// True once the consumer has been dropped: further items can never be popped.
    pub fn is_abandoned(&self) -> bool {
        self.ring.consumer_gone.load(Ordering::Acquire)
    }
}

impl<T: Copy> Producer<T> {
    /// Copies as many leading items of `items` as fit into the ring and publishes them with
    /// one store; returns how many were copied (0 when the ring is full).
    ///
    /// ```
    /// let (mut producer, mut consumer) = ringstress::spsc::channel(4);
    /// assert_eq!(producer.push_slice(&[1, 2, 3, 4, 5, 6]), 4);
    /// let mut out = [0; 8];
    /// assert_eq!(consumer.pop_slice(&mut out), 4);
    /// assert_eq!(out[..4], [1, 2, 3, 4]);
    /// ```
    #[inline]
    pub fn push_slice(&mut self, items: &[T]) -> usize {
        if let [item] = items {
            // One item: a plain slot write beats two `memcpy` calls of unknown length.
            if self.free_slots(1) == 0 {
                return 0;
            }
            // SAFETY: as in `try_push`: the slot at `tail` is free and ours until published.
            self.ring
                .slot(self.tail)
                .with_mut(|slot| unsafe { (*slot).write(*item) });
            self.publish(1);
            return 1;
        }
        self.push_run(items)
    }

    /// The batch part of [`push_slice`](Self::push_slice), kept out of line so the
    /// single-item path inlines small into its callers.
    #[inline(never)]
    fn push_run(&mut self, items: &[T]) -> usize {
        let count = self.free_slots(items.len()).min(items.len());
        if count == 0 {
            return 0;
        }
        let first = count.min(self.ring.contiguous_from(self.tail));
        // SAFETY: the `count` slots from `tail` are free (outside `head..tail`), so the
        // consumer does not read them until we publish; `first` stops at the array's end
        // and the rest continue from index 0.
        unsafe {
            copy_into_slots(&self.ring, self.tail, &items[..first]);
            copy_into_slots(
                &self.ring,
                self.tail.wrapping_add(first),
                &items[first..count],
            );
        }
        self.publish(count);
        count
    }
}

/// Publishes a partly written batch when dropped (normally or during a panic).
struct PublishOnDrop<'a, T> {
    producer: &'a mut Producer<T>,
    written: usize,
}

impl<T> Drop for PublishOnDrop<'_, T> {
    fn drop(&mut self) {
        if self.written > 0 {
            self.producer.publish(self.written);
        }
    }
}

impl<T> Consumer<T> {
    /// Items ready to pop, reloading `tail` only when the cached copy shows fewer than
    /// `wanted`.
    #[inline(always)]
    fn ready_items(&mut self, wanted: usize) -> usize {
        let ready = self.cached_tail.wrapping_sub(self.head);
        if ready >= wanted {
            return ready;
        }
        // Acquire: pairs with the producer's Release store of `tail`, so the slot writes
        // below it are visible before we read them.
        self.cached_tail = self.ring.tail.load(Ordering::Acquire);
        self.cached_tail.wrapping_sub(self.head)
    }

    /// Frees `count` read slots for the producer.
    #[inline(always)]
    fn release(&mut self, count: usize) {
        self.head = self.head.wrapping_add(count);
        // Release: our moves out of the slots happen before the producer's Acquire load of
        // `head` lets it overwrite them.
        self.ring.head.store(self.head, Ordering::Release);
    }

    /// Pops the oldest item, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryPopError::Empty`] when no item is ready; [`TryPopError::Disconnected`] when the
    /// ring is empty and the producer is gone (items it pushed first are still popped).
    ///
    /// ```
    /// use ringstress::TryPopError;
    /// let (mut producer, mut consumer) = ringstress::spsc::channel::<u8>(2);
    /// assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
    /// producer.try_push(5).unwrap();
    /// drop(producer);
    /// assert_eq!(consumer.try_pop(), Ok(5));
    /// assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    /// ```
    #[inline]
    pub fn try_pop(&mut self) -> Result<T, TryPopError> {
        if self.ready_items(1) == 0 {
            // Acquire: pairs with the Release store in the producer's drop, which follows
            // its last `tail` store, so the reload below sees every item it pushed.
            if !self.ring.producer_gone.load(Ordering::Acquire) {
                return Err(TryPopError::Empty);
            }
            if self.ready_items(1) == 0 {
                return Err(TryPopError::Disconnected);
            }
        }
        // SAFETY: `head < cached_tail <= tail`, so this slot holds an initialised item the
        // producer published and will not touch until we release it; we move it out once.
        let value = self
            .ring
            .slot(self.head)
            .with_mut(|slot| unsafe { (*slot).assume_init_read() });
        self.release(1);
        Ok(value)
    }

    /// Pops the oldest item, waiting (spin, yield, then sleep) while the ring is empty.
    ///
    /// # Errors
    ///
    /// [`PopError`] once the ring is empty and the producer is gone.
    ///
    /// ```
    /// let (mut producer, mut consumer) = ringstress::spsc::channel(4);
    /// std::thread::spawn(move || producer.push(42).unwrap());
    /// assert_eq!(consumer.pop(), Ok(42));
    /// assert!(consumer.pop().is_err()); // the producer finished and was dropped
    /// ```
    pub fn pop(&mut self) -> Result<T, PopError> {
        let mut backoff = Backoff::new();
        loop {
            match self.try_pop() {
                Ok(value) => return Ok(value),
                Err(TryPopError::Empty) => backoff.snooze(),
                Err(TryPopError::Disconnected) => return Err(PopError),
            }
        }
    }

    /// Pops up to `max` items, oldest first, handing each to `f`, and frees their slots with
    /// one store; returns how many were popped (0 when the ring is empty).
    ///
    /// ```
    /// let (mut producer, mut consumer) = ringstress::spsc::channel(8);
    /// producer.push_iter(&mut (1..=5).map(|i| i.to_string()));
    /// let mut seen = Vec::new();
    /// assert_eq!(consumer.pop_each(3, |s| seen.push(s)), 3);
    /// assert_eq!(seen, ["1", "2", "3"]);
    /// ```
    pub fn pop_each(&mut self, max: usize, mut f: impl FnMut(T)) -> usize {
        let count = self.ready_items(max).min(max);
        // If `f` panics, the guard still frees the slots already moved out of, so no item
        // is read (and dropped) twice.
        let mut guard = ReleaseOnDrop {
            consumer: self,
            read: 0,
        };
        while guard.read < count {
            let position = guard.consumer.head.wrapping_add(guard.read);
            // SAFETY: `position` is in `head..cached_tail`, an initialised published item
            // that we move out exactly once (the guard advances `head` past it).
            let value = guard
                .consumer
                .ring
                .slot(position)
                .with_mut(|slot| unsafe { (*slot).assume_init_read() });
            guard.read += 1;
            f(value);
        }
        count
    }

    /// How many items the ring holds now. Exact from this side's point of view at the time
    /// of the call; the producer may have pushed more since.
    pub fn len(&self) -> usize {
        let tail = self.ring.tail.load(Ordering::Acquire);
        tail.wrapping_sub(self.head)
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

    /// True once the producer has been dropped: after the remaining items, nothing arrives.
    pub fn is_abandoned(&self) -> bool {
        self.ring.producer_gone.load(Ordering::Acquire)
    }
}

impl<T: Copy> Consumer<T> {
    /// Copies up to `out.len()` of the oldest items into `out` and frees their slots with one
    /// store; returns how many were copied (0 when the ring is empty).
    ///
    /// ```
    /// let (mut producer, mut consumer) = ringstress::spsc::channel(4);
    /// producer.push_slice(&[1u8, 2, 3]);
    /// let mut out = [0u8; 2];
    /// assert_eq!(consumer.pop_slice(&mut out), 2);
    /// assert_eq!(out, [1, 2]);
    /// ```
    #[inline]
    pub fn pop_slice(&mut self, out: &mut [T]) -> usize {
        if let [item] = out {
            // One item: a plain slot read beats two `memcpy` calls of unknown length.
            if self.ready_items(1) == 0 {
                return 0;
            }
            // SAFETY: as in `try_pop`: the slot at `head` holds a published item that is ours
            // until released; `T: Copy`, so reading it leaves nothing to drop.
            *item = self
                .ring
                .slot(self.head)
                .with_mut(|slot| unsafe { (*slot).assume_init_read() });
            self.release(1);
            return 1;
        }
        self.pop_run(out)
    }

    /// The batch part of [`pop_slice`](Self::pop_slice), kept out of line so the
    /// single-item path inlines small into its callers.
    #[inline(never)]
    fn pop_run(&mut self, out: &mut [T]) -> usize {
        let count = self.ready_items(out.len()).min(out.len());
        if count == 0 {
            return 0;
        }
        let first = count.min(self.ring.contiguous_from(self.head));
        // SAFETY: the `count` slots from `head` are initialised and published (below
        // `cached_tail`); the producer does not touch them until we release them. `T: Copy`,
        // so copying out leaves nothing to drop.
        unsafe {
            copy_from_slots(&self.ring, self.head, &mut out[..first]);
            copy_from_slots(
                &self.ring,
                self.head.wrapping_add(first),
                &mut out[first..count],
            );
        }
        self.release(count);
        count
    }
}

impl<T> Drop for Producer<T> {
    fn drop(&mut self) {
        // Release: follows our last `tail` store, so a consumer that sees the flag (Acquire)
        // and reloads `tail` sees every item we pushed.
        self.ring.producer_gone.store(true, Ordering::Release);
    }
}

impl<T> Drop for Consumer<T> {
    fn drop(&mut self) {
        // Release: follows our last `head` store, so a producer that sees the flag (Acquire)
        // and reloads `head` sees every slot we freed.
        self.ring.consumer_gone.store(true, Ordering::Release);
    }
}

/// Writes `items` into the slots from `position` on, which must not wrap past the array end.
///
/// # Safety
///
/// The slots must be free (outside `head..tail`) and owned by the caller, the producer.
#[inline(always)]
unsafe fn copy_into_slots<T: Copy>(ring: &Ring<T>, position: usize, items: &[T]) {
    #[cfg(not(loom))]
    {
        if items.is_empty() {
            return;
        }
        let start = position & ring.mask;
        debug_assert!(start + items.len() <= ring.slots.len());
        // SAFETY: `Cell` is `repr(transparent)` over `UnsafeCell<MaybeUninit<T>>`, so the
        // slots are laid out as `[T]`; the caller guarantees exclusive access to this range,
        // and it lies inside the array (asserted above). Source and ring never overlap.
        unsafe {
            let dst = ring.slots.as_ptr().add(start) as *mut T;
            std::ptr::copy_nonoverlapping(items.as_ptr(), dst, items.len());
        }
    }
    #[cfg(loom)]
    for (offset, item) in items.iter().enumerate() {
        // SAFETY: as the caller guarantees; loom checks each slot access separately.
        ring.slot(position.wrapping_add(offset))
            .with_mut(|slot| unsafe { (*slot).write(*item) });
    }
}

/// Copies the items in the slots from `position` on into `out`; must not wrap.
///
/// # Safety
///
/// The slots must hold published items (inside `head..tail`) owned by the caller, the
/// consumer.
#[inline(always)]
unsafe fn copy_from_slots<T: Copy>(ring: &Ring<T>, position: usize, out: &mut [T]) {
    #[cfg(not(loom))]
    {
        if out.is_empty() {
            return;
        }
        let start = position & ring.mask;
        debug_assert!(start + out.len() <= ring.slots.len());
        // SAFETY: layout as in `copy_into_slots`; the caller guarantees these slots are
        // initialised and not written concurrently; `out` is a distinct allocation.
        unsafe {
            let src = ring.slots.as_ptr().add(start) as *const T;
            std::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), out.len());
        }
    }
    #[cfg(loom)]
    for (offset, item) in out.iter_mut().enumerate() {
        // SAFETY: as the caller guarantees; loom checks each slot access separately.
        *item = ring
            .slot(position.wrapping_add(offset))
            .with_mut(|slot| unsafe { (*slot).assume_init_read() });
    }
}

/// Frees a partly read batch when dropped (normally or during a panic in the callback).
struct ReleaseOnDrop<'a, T> {
    consumer: &'a mut Consumer<T>,
    read: usize,
}

impl<T> Drop for ReleaseOnDrop<'_, T> {
    fn drop(&mut self) {
        if self.read > 0 {
            self.consumer.release(self.read);
        }
    }
}

impl<T> fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("abandoned", &self.is_abandoned())
            .finish()
    }
}

impl<T> fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("abandoned", &self.is_abandoned())
            .finish()
    }
}
