//! Validation: what every delivered message is checked against.
//!
//! Scenario messages are numbered: a [`MessageId`] packs the sending stream (producer,
//! channel or request source) and a sequence number. Receivers keep a [`Tally`] (count and
//! an order-independent checksum of every id they saw) and, where the queue promises
//! order, an [`OrderCheck`]. After the run the driver compares the receivers' merged tally
//! with the tally of what was sent, computed outside the timed region:
//!
//! - a lost message lowers the count; a duplicated one raises it;
//! - a lost *and* a duplicated message keep the count but change the checksum (each id is
//!   mixed through a 64-bit finaliser before summing, so distinct ids collide only by
//!   astronomically unlikely accident);
//! - a reordered or duplicated message inside one ordered stream fails the order check at
//!   once, naming the stream and the sequence numbers.
//!
//! ```
//! use ringstress::stress::validate::{MessageId, Tally};
//!
//! let sent = Tally::of_stream(7, 0..100);
//! let mut received = Tally::default();
//! (0..100).for_each(|seq| received.add(MessageId::new(7, seq)));
//! assert!(received.expect(&sent, "demo").is_ok());
//! received.add(MessageId::new(7, 3)); // a duplicate
//! assert!(received.expect(&sent, "demo").is_err());
//! ```

use std::fmt;
use std::ops::Range;

/// Bits of a [`MessageId`] that hold the sequence number; the stream sits above them.
pub const SEQ_BITS: u32 = 40;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// A message's identity: stream number in the high bits, sequence number in the low
/// [`SEQ_BITS`] bits. It is the payload of the thrash, storm and avalanche scenarios.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct MessageId(pub u64);

impl MessageId {
    /// The id of message `seq` of stream `stream`.
    #[inline(always)]
    pub fn new(stream: usize, seq: u64) -> Self {
        debug_assert!(seq <= SEQ_MASK, "sequence number {seq} overflows the id");
        debug_assert!(
            (stream as u64) < (1 << (64 - SEQ_BITS)),
            "stream {stream} too large"
        );
        Self(((stream as u64) << SEQ_BITS) | seq)
    }

    /// The stream that sent it.
    #[inline(always)]
    pub fn stream(self) -> usize {
        (self.0 >> SEQ_BITS) as usize
    }

    /// Its position within its stream.
    #[inline(always)]
    pub fn seq(self) -> u64 {
        self.0 & SEQ_MASK
    }
}

impl fmt::Debug for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.stream(), self.seq())
    }
}

/// A 64-bit finaliser (the splitmix64 output function): spreads every input bit over the
/// whole word, so sums of mixed ids behave like sums of random numbers.
#[inline(always)]
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// How many messages were seen, and an order-independent checksum of their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Messages seen.
    pub count: u64,
    /// Wrapping sum of [`mix`] of every id seen.
    pub checksum: u64,
}

impl Tally {
    /// Counts one message.
    #[inline(always)]
    pub fn add(&mut self, id: MessageId) {
        self.count += 1;
        self.checksum = self.checksum.wrapping_add(mix(id.0));
    }

    /// Adds another tally (say, another consumer's) to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.checksum = self.checksum.wrapping_add(other.checksum);
    }

    /// The tally of messages `seqs` of `stream`, as a sender would produce them.
    pub fn of_stream(stream: usize, seqs: Range<u64>) -> Self {
        let mut tally = Tally::default();
        seqs.for_each(|seq| tally.add(MessageId::new(stream, seq)));
        tally
    }

    /// Checks that this (received) tally equals `sent`; the error says what differs.
    ///
    /// # Errors
    ///
    /// A message naming `what`, the counts and whether the checksum differs.
    pub fn expect(&self, sent: &Tally, what: &str) -> Result<(), String> {
        if self.count != sent.count {
            let verdict = if self.count < sent.count {
                "lost"
            } else {
                "duplicated"
            };
            return Err(format!(
                "{what}: {} messages sent, {} received ({} {verdict})",
                sent.count,
                self.count,
                self.count.abs_diff(sent.count)
            ));
        }
        if self.checksum != sent.checksum {
            return Err(format!(
                "{what}: {} messages sent and received, but the checksums differ \
                 (sent {:#018x}, received {:#018x}): some were lost and others duplicated \
                 or corrupted",
                sent.count, sent.checksum, self.checksum
            ));
        }
        Ok(())
    }
}

/// Checks that, at one receiver, each stream's sequence numbers strictly increase — and,
/// with [`OrderCheck::gapless`], that they increase by exactly one (a FIFO seen whole).
#[derive(Debug, Clone)]
pub struct OrderCheck {
    /// Per stream: the smallest sequence number acceptable next.
    next: Vec<u64>,
    gapless: bool,
}

impl OrderCheck {
    /// For a receiver that sees a subsequence of each of `streams` streams (several
    /// consumers share them): sequence numbers must strictly increase.
    pub fn increasing(streams: usize) -> Self {
        Self {
            next: vec![0; streams],
            gapless: false,
        }
    }

    /// For a receiver that sees all of each of `streams` streams: sequence numbers must be
    /// 0, 1, 2, … with no gap and no repeat.
    pub fn gapless(streams: usize) -> Self {
        Self {
            next: vec![0; streams],
            gapless: true,
        }
    }

    /// Checks the next message seen.
    ///
    /// # Errors
    ///
    /// A message naming the stream, the sequence number expected and the one seen.
    #[inline(always)]
    pub fn check(&mut self, id: MessageId) -> Result<(), String> {
        let stream = id.stream();
        let Some(next) = self.next.get_mut(stream) else {
            return Err(format!(
                "message {id:?} names stream {stream}, which does not exist"
            ));
        };
        let seq = id.seq();
        let in_order = if self.gapless {
            seq == *next
        } else {
            seq >= *next
        };
        if !in_order {
            let wanted = if self.gapless { "exactly" } else { "at least" };
            return Err(format!(
                "stream {stream}: expected sequence number {wanted} {next}, got {seq} \
                 (out of order, duplicated or lost)"
            ));
        }
        *next = seq + 1;
        Ok(())
    }

    /// Per stream, how many messages a gapless receiver has seen so far.
    pub fn seen(&self) -> &[u64] {
        &self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = MessageId::new(9, 123_456_789);
        assert_eq!((id.stream(), id.seq()), (9, 123_456_789));
    }

    #[test]
    fn a_lost_message_is_caught() {
        let sent = Tally::of_stream(0, 0..10);
        let received = Tally::of_stream(0, 1..10);
        let err = received.expect(&sent, "t").unwrap_err();
        assert!(err.contains("1 lost"), "{err}");
    }

    #[test]
    fn a_loss_hidden_by_a_duplicate_is_caught_by_the_checksum() {
        let sent = Tally::of_stream(0, 0..10);
        let mut received = Tally::of_stream(0, 1..10);
        received.add(MessageId::new(0, 5));
        let err = received.expect(&sent, "t").unwrap_err();
        assert!(err.contains("checksums differ"), "{err}");
    }

    #[test]
    fn order_checks_catch_reordering_and_repeats() {
        let mut gapless = OrderCheck::gapless(1);
        assert!(gapless.check(MessageId::new(0, 0)).is_ok());
        assert!(gapless.check(MessageId::new(0, 2)).is_err());

        let mut increasing = OrderCheck::increasing(2);
        assert!(increasing.check(MessageId::new(1, 4)).is_ok());
        assert!(increasing.check(MessageId::new(1, 9)).is_ok());
        assert!(increasing.check(MessageId::new(1, 9)).is_err());
        assert!(increasing.check(MessageId::new(5, 0)).is_err());
    }
}
