//! The peers users would otherwise pick, behind the same queue trait as our rings, so every
//! scenario runs them in the same Criterion group: rtrb (SPSC), crossbeam-queue's
//! `ArrayQueue`, crossbeam-channel's bounded channel and `std::sync::mpsc::sync_channel`.
//!
//! Each peer moves a burst with its best non-blocking API: rtrb with one chunk per burst
//! (one index publish, like our SPSC batch), the others one item at a time, since they offer
//! no batch operation. Waiting is never the peer's own: the drivers wait with the same
//! backoff for everyone.

// Each bench file compiles this module and uses only the peers that fit its topologies.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::mpsc;

use ringstress_suite::stress::queue::{Message, Queue, Receiver, Sender};

/// `rtrb::RingBuffer`: a wait-free SPSC ring, the usual choice for audio and real-time.
pub struct Rtrb;

impl Queue for Rtrb {
    const NAME: &'static str = "rtrb";
    type Sender<T: Message> = RtrbProducer<T>;
    type Receiver<T: Message> = RtrbConsumer<T>;
    fn channel<T: Message>(capacity: usize) -> (RtrbProducer<T>, RtrbConsumer<T>) {
        let (producer, consumer) = rtrb::RingBuffer::new(capacity);
        (RtrbProducer(producer), RtrbConsumer(consumer))
    }
}

// The ends are wrapped because the orphan rule forbids implementing our traits for
// another crate's generic types directly.

/// The sending end of an [`Rtrb`] ring.
pub struct RtrbProducer<T>(rtrb::Producer<T>);

/// The receiving end of an [`Rtrb`] ring.
pub struct RtrbConsumer<T>(rtrb::Consumer<T>);

impl<T: Message> Sender<T> for RtrbProducer<T> {
    #[inline]
    fn try_send(&mut self, message: T) -> bool {
        self.0.push(message).is_ok()
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        if let [single] = burst {
            return usize::from(self.try_send(*single));
        }
        let chunk = match self.0.write_chunk_uninit(burst.len()) {
            Ok(chunk) => chunk,
            Err(rtrb::chunks::ChunkError::TooFewSlots(0)) => return 0,
            Err(rtrb::chunks::ChunkError::TooFewSlots(free)) => self
                .0
                .write_chunk_uninit(free)
                .expect("free slots cannot shrink"),
        };
        chunk.fill_from_iter(burst.iter().copied())
    }
    fn queued(&self) -> Option<usize> {
        Some(self.0.buffer().capacity() - self.0.slots())
    }
}

impl<T: Message> Receiver<T> for RtrbConsumer<T> {
    #[inline]
    fn try_recv(&mut self) -> Option<T> {
        self.0.pop().ok()
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        if let [single] = out {
            return match self.try_recv() {
                Some(value) => {
                    *single = value;
                    1
                }
                None => 0,
            };
        }
        let chunk = match self.0.read_chunk(out.len()) {
            Ok(chunk) => chunk,
            Err(rtrb::chunks::ChunkError::TooFewSlots(0)) => return 0,
            Err(rtrb::chunks::ChunkError::TooFewSlots(ready)) => {
                self.0.read_chunk(ready).expect("ready slots cannot shrink")
            }
        };
        let (first, second) = chunk.as_slices();
        let count = first.len() + second.len();
        out[..first.len()].copy_from_slice(first);
        out[first.len()..count].copy_from_slice(second);
        chunk.commit_all();
        count
    }
    fn queued(&self) -> Option<usize> {
        Some(self.0.slots())
    }
}

/// `crossbeam_queue::ArrayQueue`: a bounded MPMC queue shared through an `Arc`.
pub struct ArrayQueue;

/// One end of an [`ArrayQueue`] (both ends are the same shared queue).
pub struct ArrayQueueEnd<T>(Arc<crossbeam_queue::ArrayQueue<T>>);

impl Queue for ArrayQueue {
    const NAME: &'static str = "crossbeam-queue";
    type Sender<T: Message> = ArrayQueueEnd<T>;
    type Receiver<T: Message> = ArrayQueueEnd<T>;
    fn channel<T: Message>(capacity: usize) -> (ArrayQueueEnd<T>, ArrayQueueEnd<T>) {
        let queue = Arc::new(crossbeam_queue::ArrayQueue::new(capacity));
        (ArrayQueueEnd(queue.clone()), ArrayQueueEnd(queue))
    }
}

impl<T: Message> Sender<T> for ArrayQueueEnd<T> {
    #[inline]
    fn try_send(&mut self, message: T) -> bool {
        self.0.push(message).is_ok()
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        burst
            .iter()
            .take_while(|item| self.try_send(**item))
            .count()
    }
    fn try_clone(&self) -> Option<Self> {
        Some(ArrayQueueEnd(self.0.clone()))
    }
    fn queued(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

impl<T: Message> Receiver<T> for ArrayQueueEnd<T> {
    #[inline]
    fn try_recv(&mut self) -> Option<T> {
        self.0.pop()
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        fill_while(out, || self.try_recv())
    }
    fn try_clone(&self) -> Option<Self> {
        Some(ArrayQueueEnd(self.0.clone()))
    }
    fn queued(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// `crossbeam_channel::bounded`: the general-purpose MPMC channel.
pub struct CrossbeamChannel;

impl Queue for CrossbeamChannel {
    const NAME: &'static str = "crossbeam-channel";
    type Sender<T: Message> = ChannelSender<T>;
    type Receiver<T: Message> = ChannelReceiver<T>;
    fn channel<T: Message>(capacity: usize) -> (ChannelSender<T>, ChannelReceiver<T>) {
        let (sender, receiver) = crossbeam_channel::bounded(capacity);
        (ChannelSender(sender), ChannelReceiver(receiver))
    }
}

/// The sending end of a [`CrossbeamChannel`].
pub struct ChannelSender<T>(crossbeam_channel::Sender<T>);

/// The receiving end of a [`CrossbeamChannel`].
pub struct ChannelReceiver<T>(crossbeam_channel::Receiver<T>);

impl<T: Message> Sender<T> for ChannelSender<T> {
    #[inline]
    fn try_send(&mut self, message: T) -> bool {
        self.0.try_send(message).is_ok()
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        burst
            .iter()
            .take_while(|item| self.try_send(**item))
            .count()
    }
    fn try_clone(&self) -> Option<Self> {
        Some(Self(self.0.clone()))
    }
    fn queued(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

impl<T: Message> Receiver<T> for ChannelReceiver<T> {
    #[inline]
    fn try_recv(&mut self) -> Option<T> {
        self.0.try_recv().ok()
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        fill_while(out, || self.try_recv())
    }
    fn try_clone(&self) -> Option<Self> {
        Some(Self(self.0.clone()))
    }
    fn queued(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// `std::sync::mpsc::sync_channel`: the standard library's bounded MPSC channel.
pub struct StdMpsc;

impl Queue for StdMpsc {
    const NAME: &'static str = "std-mpsc";
    type Sender<T: Message> = StdSender<T>;
    type Receiver<T: Message> = StdReceiver<T>;
    fn channel<T: Message>(capacity: usize) -> (StdSender<T>, StdReceiver<T>) {
        let (sender, receiver) = mpsc::sync_channel(capacity);
        (StdSender(sender), StdReceiver(receiver))
    }
}

/// The sending end of a [`StdMpsc`] channel.
pub struct StdSender<T>(mpsc::SyncSender<T>);

/// The receiving end of a [`StdMpsc`] channel.
pub struct StdReceiver<T>(mpsc::Receiver<T>);

impl<T: Message> Sender<T> for StdSender<T> {
    #[inline]
    fn try_send(&mut self, message: T) -> bool {
        self.0.try_send(message).is_ok()
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        burst
            .iter()
            .take_while(|item| self.try_send(**item))
            .count()
    }
    fn try_clone(&self) -> Option<Self> {
        Some(Self(self.0.clone()))
    }
}

impl<T: Message> Receiver<T> for StdReceiver<T> {
    #[inline]
    fn try_recv(&mut self) -> Option<T> {
        self.0.try_recv().ok()
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        fill_while(out, || self.try_recv())
    }
}

/// Fills `out` from the front with values from `next` until it returns `None`.
#[inline(always)]
fn fill_while<T>(out: &mut [T], mut next: impl FnMut() -> Option<T>) -> usize {
    let mut count = 0;
    for slot in out.iter_mut() {
        match next() {
            Some(value) => *slot = value,
            None => break,
        }
        count += 1;
    }
    count
}
