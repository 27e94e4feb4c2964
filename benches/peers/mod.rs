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

use ringstress::stress::queue::{Message, Queue, Receiver, Sender};

/// `rtrb::RingBuffer`: a wait-free SPSC ring, the usual choice for audio and real-time.
pub struct Rtrb;

impl Queue for Rtrb {
    const NAME: &'static str = "rtrb";
    type Sender<T: Message> = rtrb::Producer<T>;
    type Receiver<T: Message> = rtrb::Consumer<T>;
    fn channel<T: Message>(capacity: usize) -> (rtrb::Producer<T>, rtrb::Consumer<T>) {
        rtrb::RingBuffer::new(capacity)
    }
}

impl<T: Message> Sender<T> for rtrb::Producer<T> {
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        if let [single] = burst {
            return usize::from(self.push(*single).is_ok());
        }
        let chunk = match self.write_chunk_uninit(burst.len()) {
            Ok(chunk) => chunk,
            Err(rtrb::chunks::ChunkError::TooFewSlots(0)) => return 0,
            Err(rtrb::chunks::ChunkError::TooFewSlots(free)) => {
                self.write_chunk_uninit(free).expect("free slots cannot shrink")
            }
        };
        chunk.fill_from_iter(burst.iter().copied())
    }
    fn queued(&self) -> Option<usize> {
        Some(self.buffer().capacity() - self.slots())
    }
}

impl<T: Message> Receiver<T> for rtrb::Consumer<T> {
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        if let [single] = out {
            return match self.pop() {
                Ok(value) => {
                    *single = value;
                    1
                }
                Err(_) => 0,
            };
        }
        let chunk = match self.read_chunk(out.len()) {
            Ok(chunk) => chunk,
            Err(rtrb::chunks::ChunkError::TooFewSlots(0)) => return 0,
            Err(rtrb::chunks::ChunkError::TooFewSlots(ready)) => {
                self.read_chunk(ready).expect("ready slots cannot shrink")
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
        Some(self.slots())
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
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        burst
            .iter()
            .take_while(|item| self.0.push(**item).is_ok())
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
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        fill_while(out, || self.0.pop())
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
    type Sender<T: Message> = crossbeam_channel::Sender<T>;
    type Receiver<T: Message> = crossbeam_channel::Receiver<T>;
    fn channel<T: Message>(
        capacity: usize,
    ) -> (crossbeam_channel::Sender<T>, crossbeam_channel::Receiver<T>) {
        crossbeam_channel::bounded(capacity)
    }
}

impl<T: Message> Sender<T> for crossbeam_channel::Sender<T> {
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        burst
            .iter()
            .take_while(|item| self.try_send(**item).is_ok())
            .count()
    }
    fn try_clone(&self) -> Option<Self> {
        Some(self.clone())
    }
    fn queued(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: Message> Receiver<T> for crossbeam_channel::Receiver<T> {
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        fill_while(out, || self.try_recv().ok())
    }
    fn try_clone(&self) -> Option<Self> {
        Some(self.clone())
    }
    fn queued(&self) -> Option<usize> {
        Some(self.len())
    }
}

/// `std::sync::mpsc::sync_channel`: the standard library's bounded MPSC channel.
pub struct StdMpsc;

impl Queue for StdMpsc {
    const NAME: &'static str = "std-mpsc";
    type Sender<T: Message> = mpsc::SyncSender<T>;
    type Receiver<T: Message> = mpsc::Receiver<T>;
    fn channel<T: Message>(capacity: usize) -> (mpsc::SyncSender<T>, mpsc::Receiver<T>) {
        mpsc::sync_channel(capacity)
    }
}

impl<T: Message> Sender<T> for mpsc::SyncSender<T> {
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        burst
            .iter()
            .take_while(|item| self.try_send(**item).is_ok())
            .count()
    }
    fn try_clone(&self) -> Option<Self> {
        Some(self.clone())
    }
}

impl<T: Message> Receiver<T> for mpsc::Receiver<T> {
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        fill_while(out, || self.try_recv().ok())
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
