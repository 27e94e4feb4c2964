//! Queues that break on purpose, to prove the validation can fail.
//!
//! [`Dropping`] loses one message and [`Duplicating`] delivers one twice, each wrapping a
//! real queue. Every scenario has a test that runs it through both and expects the run to
//! panic with a validation error: a check that has never been seen failing proves nothing.
//!
//! ```should_panic
//! use ringstress_suite::stress::faulty::Dropping;
//! use ringstress_suite::stress::queue::{Queue, Receiver, RingSpsc, Sender};
//!
//! // Message number 1 (counting from 0) is lost.
//! let (mut tx, mut rx) = Dropping::<RingSpsc, 1>::channel::<u64>(8);
//! assert_eq!(tx.try_send_burst(&[10, 11, 12]), 3); // claims all three went in
//! let mut out = [0; 3];
//! assert_eq!(rx.try_recv_burst(&mut out), 3); // panics: only two arrive
//! ```

use std::marker::PhantomData;

use crate::stress::queue::{Message, Queue, Sender};

/// Wraps queue `Q` so that message number `AT` (counting each sender's messages from 0)
/// is reported as sent but never enqueued.
#[derive(Debug)]
pub struct Dropping<Q, const AT: u64>(PhantomData<Q>);

/// Wraps queue `Q` so that message number `AT` (counting each sender's messages from 0)
/// is enqueued twice.
#[derive(Debug)]
pub struct Duplicating<Q, const AT: u64>(PhantomData<Q>);

/// The sending end of a faulty queue: sends one message at a time and breaks one of them.
#[derive(Debug)]
pub struct FaultySender<S, T> {
    inner: S,
    /// Messages accepted so far.
    sent: u64,
    /// The message to break.
    at: u64,
    duplicate: bool,
    /// A duplicate still waiting for room.
    pending: Option<T>,
}

impl<Q: Queue, const AT: u64> Queue for Dropping<Q, AT> {
    const NAME: &'static str = "faulty-dropping";
    type Sender<T: Message> = FaultySender<Q::Sender<T>, T>;
    type Receiver<T: Message> = Q::Receiver<T>;
    fn channel<T: Message>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        let (inner, receiver) = Q::channel(capacity);
        (FaultySender::new(inner, AT, false), receiver)
    }
}

impl<Q: Queue, const AT: u64> Queue for Duplicating<Q, AT> {
    const NAME: &'static str = "faulty-duplicating";
    type Sender<T: Message> = FaultySender<Q::Sender<T>, T>;
    type Receiver<T: Message> = Q::Receiver<T>;
    fn channel<T: Message>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        let (inner, receiver) = Q::channel(capacity);
        (FaultySender::new(inner, AT, true), receiver)
    }
}

impl<S, T> FaultySender<S, T> {
    fn new(inner: S, at: u64, duplicate: bool) -> Self {
        Self {
            inner,
            sent: 0,
            at,
            duplicate,
            pending: None,
        }
    }
}

impl<T: Message, S: Sender<T>> Sender<T> for FaultySender<S, T> {
    fn try_send(&mut self, message: T) -> bool {
        self.try_send_burst(&[message]) == 1
    }

    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        if let Some(extra) = self.pending {
            if !self.inner.try_send(extra) {
                return 0;
            }
            self.pending = None;
        }
        let mut accepted = 0;
        for &item in burst {
            if self.sent == self.at && !self.duplicate {
                // Lost: claimed as sent, never enqueued.
            } else if !self.inner.try_send(item) {
                break;
            } else if self.sent == self.at && !self.inner.try_send(item) {
                self.pending = Some(item);
            }
            self.sent += 1;
            accepted += 1;
            if self.pending.is_some() {
                break;
            }
        }
        accepted
    }

    fn try_clone(&self) -> Option<Self> {
        let inner = self.inner.try_clone()?;
        Some(Self::new(inner, self.at, self.duplicate))
    }

    fn queued(&self) -> Option<usize> {
        self.inner.queued()
    }
}
