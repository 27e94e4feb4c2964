//! Validation: what every delivered message is checked against.
//!
//! Scenario messages are numbered: a [`MessageId`] packs the sending stream (producer,
//! channel or request source) and a sequence number. Receivers keep a [`Tally`] (count and
//! an order-independent checksum of every id they saw) and, where the queue promises
//! order, an [`OrderCheck`]. After the run the driver compares the receivers' merged tally
//! with the tally of what was sent, computed outside the timed region:
//!
//! - a lost message lowers the count; a duplicated one raises it;
//! - a lost *and* a duplicated message keep the count but change the checksums (the sum of
//!   the ids and the sum of their squares);
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

/// How many messages were seen, and two order-independent checksums of their ids: their
/// sum and the sum of their squares (both wrapping). A set of lost ids and a set of
/// duplicated ids of the same size leave the count unchanged, but can leave both sums
/// unchanged only if the two sets agree in sum and in sum of squares, which one lost and one
/// duplicated message never do and larger coincidences essentially never do.
///
/// Receivers pay one add, one multiply and one more add per message; the sender's side is
/// computed in closed form after the clock stops ([`Tally::of_stream`]), so validation costs
/// the timed region as little as it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Messages seen.
    pub count: u64,
    /// Wrapping sum of the ids seen.
    pub sum: u64,
    /// Wrapping sum of the squares of the ids seen.
    pub sum_of_squares: u64,
}

impl Tally {
    /// Counts one message.
    #[inline(always)]
    pub fn add(&mut self, id: MessageId) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(id.0);
        self.sum_of_squares = self.sum_of_squares.wrapping_add(id.0.wrapping_mul(id.0));
    }

    /// Adds another tally (say, another consumer's) to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
        self.sum_of_squares = self.sum_of_squares.wrapping_add(other.sum_of_squares);
    }

    /// The tally of messages `seqs` of `stream`, as a receiver of all of them would count
    /// it, in closed form (no loop over the messages).
    pub fn of_stream(stream: usize, seqs: Range<u64>) -> Self {
        // Σ over q in a..b of (base + q) and of (base + q)², with the power sums of q taken
        // as differences of prefix sums; u128 keeps every intermediate exact for q < 2^40,
        // and the final truncation equals the receivers' wrapping arithmetic.
        fn sums_below(n: u128) -> (u128, u128) {
            let sum = n * n.saturating_sub(1) / 2;
            let squares = n.saturating_sub(1) * n * (2 * n).saturating_sub(1) / 6;
            (sum, squares)
        }
        let base = MessageId::new(stream, 0).0 as u128;
        let (start, end) = (seqs.start as u128, seqs.end.max(seqs.start) as u128);
        let count = end - start;
        let (sum_end, squares_end) = sums_below(end);
        let (sum_start, squares_start) = sums_below(start);
        let sum_q = sum_end - sum_start;
        let squares_q = squares_end - squares_start;
        let modulus = |x: u128| x as u64;
        let base64 = base as u64;
        Tally {
            count: count as u64,
            sum: base64
                .wrapping_mul(count as u64)
                .wrapping_add(modulus(sum_q)),
            sum_of_squares: base64
                .wrapping_mul(base64)
                .wrapping_mul(count as u64)
                .wrapping_add(base64.wrapping_mul(2).wrapping_mul(modulus(sum_q)))
                .wrapping_add(modulus(squares_q)),
        }
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
        if (self.sum, self.sum_of_squares) != (sent.sum, sent.sum_of_squares) {
            return Err(format!(
                "{what}: {} messages sent and received, but the checksums differ \
                 (sent {:#018x}/{:#018x}, received {:#018x}/{:#018x}): some were lost and \
                 others duplicated or corrupted",
                sent.count, sent.sum, sent.sum_of_squares, self.sum, self.sum_of_squares
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
    fn closed_form_tally_matches_counting_one_by_one() {
        for (stream, seqs) in [(0, 0..0), (0, 0..1), (3, 0..1000), (65_000, 17..4_321)] {
            let mut counted = Tally::default();
            seqs.clone()
                .for_each(|seq| counted.add(MessageId::new(stream, seq)));
            assert_eq!(Tally::of_stream(stream, seqs), counted);
        }
        // Large enough for the sums to wrap.
        let (stream, seqs) = (1 << 20, (1u64 << 39)..(1u64 << 39) + 50_000);
        let mut counted = Tally::default();
        seqs.clone()
            .for_each(|seq| counted.add(MessageId::new(stream, seq)));
        assert_eq!(Tally::of_stream(stream, seqs), counted);
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
