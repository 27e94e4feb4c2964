//! The one small trait every queue under test implements, ours and the peers' alike, so a
//! scenario driver is written once and runs against all of them.
//!
//! A [`Queue`] is a factory naming an implementation; its [`Sender`] and [`Receiver`] are
//! the two ends, moved to the scenario's threads. Both ends move *bursts* (slices), so an
//! implementation with batch operations can publish a whole burst at once; one without them
//! loops over single operations. Ends never block: the driver waits with the same
//! [`Backoff`](ringstress::wait::Backoff) for every implementation, so the comparison is of the
//! queues, not of their waiting strategies.
//!
//! The peers (rtrb, crossbeam, std) implement these traits in `benches/peers/mod.rs`.

use ringstress::{mpmc, spsc};

/// What scenarios send: plain data, copied into and out of the queues.
pub trait Message: Copy + Send + 'static {}
impl<T: Copy + Send + 'static> Message for T {}

/// A queue implementation the scenarios can drive.
pub trait Queue: 'static {
    /// The name shown in benchmark ids and reports ("ringstress-spsc", "rtrb", …). Ours
    /// start with "ringstress"; the gate holds only those to the floor.
    const NAME: &'static str;
    /// The sending end.
    type Sender<T: Message>: Sender<T>;
    /// The receiving end.
    type Receiver<T: Message>: Receiver<T>;
    /// Makes a queue that holds at most `capacity` messages.
    fn channel<T: Message>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>);
}

/// The sending end of a queue under test.
pub trait Sender<T>: Send + Sized + 'static {
    /// Sends one message if there is room right now; returns whether it went in. Steady
    /// bursts (one message each) use this, each queue's own single-item operation.
    fn try_send(&mut self, message: T) -> bool;
    /// Sends as many leading messages of `burst` as fit right now; returns how many.
    fn try_send_burst(&mut self, burst: &[T]) -> usize;
    /// Another sending end of the same queue, if the queue allows several producers.
    fn try_clone(&self) -> Option<Self> {
        None
    }
    /// Messages queued right now, if the implementation can say (for diagnostics).
    fn queued(&self) -> Option<usize> {
        None
    }
}

/// The receiving end of a queue under test.
pub trait Receiver<T>: Send + Sized + 'static {
    /// Receives one message, if one is queued right now.
    fn try_recv(&mut self) -> Option<T>;
    /// Receives up to `out.len()` messages into the front of `out`; returns how many.
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize;
    /// Another receiving end of the same queue, if the queue allows several consumers.
    fn try_clone(&self) -> Option<Self> {
        None
    }
    /// Messages queued right now, if the implementation can say (for diagnostics).
    fn queued(&self) -> Option<usize> {
        None
    }
}

/// Our [`spsc`] ring: bursts move with one slice copy and one index store.
#[derive(Debug, Clone, Copy)]
pub struct RingSpsc;

impl Queue for RingSpsc {
    const NAME: &'static str = "ringstress-spsc";
    type Sender<T: Message> = spsc::Producer<T>;
    type Receiver<T: Message> = spsc::Consumer<T>;
    fn channel<T: Message>(capacity: usize) -> (spsc::Producer<T>, spsc::Consumer<T>) {
        spsc::channel(capacity)
    }
}

impl<T: Message> Sender<T> for spsc::Producer<T> {
    #[inline]
    fn try_send(&mut self, message: T) -> bool {
        self.try_push(message).is_ok()
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        self.push_slice(burst)
    }
    fn queued(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: Message> Receiver<T> for spsc::Consumer<T> {
    #[inline]
    fn try_recv(&mut self) -> Option<T> {
        self.try_pop().ok()
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        self.pop_slice(out)
    }
    fn queued(&self) -> Option<usize> {
        Some(self.len())
    }
}

/// Our [`mpmc`] ring: bursts move with batch slot claims.
#[derive(Debug, Clone, Copy)]
pub struct RingMpmc;

impl Queue for RingMpmc {
    const NAME: &'static str = "ringstress-mpmc";
    type Sender<T: Message> = mpmc::Producer<T>;
    type Receiver<T: Message> = mpmc::Consumer<T>;
    fn channel<T: Message>(capacity: usize) -> (mpmc::Producer<T>, mpmc::Consumer<T>) {
        mpmc::channel(capacity)
    }
}

impl<T: Message> Sender<T> for mpmc::Producer<T> {
    #[inline]
    fn try_send(&mut self, message: T) -> bool {
        self.try_push(message).is_ok()
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        self.push_slice(burst)
    }
    fn try_clone(&self) -> Option<Self> {
        Some(self.clone())
    }
    fn queued(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: Message> Receiver<T> for mpmc::Consumer<T> {
    #[inline]
    fn try_recv(&mut self) -> Option<T> {
        self.try_pop().ok()
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        self.pop_slice(out)
    }
    fn try_clone(&self) -> Option<Self> {
        Some(self.clone())
    }
    fn queued(&self) -> Option<usize> {
        Some(self.len())
    }
}
