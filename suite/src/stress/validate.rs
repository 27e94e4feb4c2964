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
//! use ringstress_suite::stress::validate::{MessageId, Tally};
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

    /// Counts the run of `len` consecutive ids `first`, `first + 1`, …, exactly as `len`
    /// calls of [`add`](Self::add) would, in a few multiplications: how a receiver counts a
    /// run it has just checked id by id ([`OrderCheck::check_slice`]).
    ///
    /// ```
    /// use ringstress_suite::stress::validate::{MessageId, Tally};
    ///
    /// let mut by_run = Tally::default();
    /// by_run.add_run(MessageId::new(2, 40), 1000);
    /// assert_eq!(by_run, Tally::of_stream(2, 40..1040));
    /// ```
    #[inline]
    pub fn add_run(&mut self, first: MessageId, len: u64) {
        if len == 1 {
            return self.add(first);
        }
        // Σ (a + q) = n·a + Σq and Σ (a + q)² = n·a² + 2a·Σq + Σq² over q in 0..n: ring
        // identities, so they hold in wrapping arithmetic once Σq and Σq² are exact mod 2^64.
        let (sum_q, squares_q) = power_sums(len);
        let a = first.0;
        self.count += len;
        self.sum = self
            .sum
            .wrapping_add(a.wrapping_mul(len))
            .wrapping_add(sum_q);
        self.sum_of_squares = self
            .sum_of_squares
            .wrapping_add(a.wrapping_mul(a).wrapping_mul(len))
            .wrapping_add(a.wrapping_mul(2).wrapping_mul(sum_q))
            .wrapping_add(squares_q);
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

/// `(Σq, Σq²)` over `q` in `0..n`, wrapped to 64 bits. The divisions must be exact before
/// anything wraps: in `u64` while `n(n-1)(2n-1)` fits (`n < 2^20`, every run a ring of this
/// suite hands out), in `u128` beyond.
#[inline]
fn power_sums(n: u64) -> (u64, u64) {
    if n < 1 << 20 {
        (n * (n - 1) / 2, n * (n - 1) * (2 * n - 1) / 6)
    } else {
        let n = n as u128;
        (
            (n * (n - 1) / 2) as u64,
            (n * (n - 1) * (2 * n - 1) / 6) as u64,
        )
    }
}

/// How many leading ids of `ids` run on from the first one by one (`ids[k] == ids[0] + k`);
/// at least 1 for a non-empty slice, 0 for an empty one.
///
/// Whole blocks of [`RUN_BLOCK`] ids are compared at once, with no branch per id, so the
/// check of a long run vectorises; the id where the run breaks is found one by one.
#[inline]
fn run_len(ids: &[MessageId]) -> usize {
    let Some(first) = ids.first() else {
        return 0;
    };
    let first = first.0;
    let mut len = 0;
    for block in ids.chunks_exact(RUN_BLOCK) {
        let base = first.wrapping_add(len as u64);
        let differ = block
            .iter()
            .enumerate()
            .fold(0, |acc, (k, id)| acc | (id.0 ^ base.wrapping_add(k as u64)));
        if differ != 0 {
            break;
        }
        len += RUN_BLOCK;
    }
    // The rest, shorter than a block: usually all of it still runs on (one branch, no
    // data-dependent exit per id); else find where it breaks, one by one.
    let base = first.wrapping_add(len as u64);
    let tail = &ids[len..];
    let differ = tail
        .iter()
        .enumerate()
        .fold(0, |acc, (k, id)| acc | (id.0 ^ base.wrapping_add(k as u64)));
    if differ == 0 {
        return ids.len();
    }
    while ids[len].0 == first.wrapping_add(len as u64) {
        len += 1;
    }
    len
}

/// Ids compared together by [`run_len`].
const RUN_BLOCK: usize = 16;

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
            return Err(unknown_stream(id));
        };
        let seq = id.seq();
        if seq < *next || (self.gapless && seq != *next) {
            return Err(out_of_order(stream, *next, seq, self.gapless));
        }
        *next = seq + 1;
        Ok(())
    }

    /// What this receiver got of `stream`, as a tally: in a gapless check exactly the
    /// sequence numbers `0..next` (each checked in turn), in closed form; otherwise
    /// `tallies[stream]` as [`check_one`](Self::check_one) and
    /// [`check_slice`](Self::check_slice) counted it.
    ///
    /// # Panics
    ///
    /// If `stream` is not one of the checked streams or has no entry in `tallies`.
    pub fn received(&self, stream: usize, tallies: &[Tally]) -> Tally {
        if self.gapless {
            Tally::of_stream(stream, 0..self.next[stream])
        } else {
            tallies[stream]
        }
    }

    /// Checks one received id as [`check`](Self::check) does, and counts it into `tallies`
    /// (index = stream): the single-message form of [`check_slice`](Self::check_slice).
    /// A gapless check leaves `tallies` alone: the order check itself has then seen every
    /// sequence number exactly once ([`received`](Self::received)).
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check) (or if `tallies` has no entry for the id's stream).
    #[inline(always)]
    pub fn check_one(&mut self, id: MessageId, tallies: &mut [Tally]) -> Result<(), String> {
        let stream = id.stream();
        let Some(next) = self.next.get_mut(stream) else {
            return Err(unknown_stream(id));
        };
        let seq = id.seq();
        if self.gapless {
            if seq != *next {
                return Err(out_of_order(stream, *next, seq, true));
            }
        } else {
            if seq < *next {
                return Err(out_of_order(stream, *next, seq, false));
            }
            let Some(tally) = tallies.get_mut(stream) else {
                return Err(unknown_stream(id));
            };
            tally.add(id);
        }
        *next = seq + 1;
        Ok(())
    }

    /// Checks a received slice as [`check`](Self::check) would each of its ids in turn, and
    /// counts them into `tallies` (index = stream), run by run: a *run* is a stretch of
    /// consecutive ids of one stream (what a producer's burst becomes in a FIFO), checked id
    /// by id in blocks that vectorise and counted with
    /// [`Tally::add_run`] (not in a gapless check, as in [`check_one`](Self::check_one)).
    /// Only where a run starts is there a per-stream lookup and an order comparison, so a
    /// burst costs a few instructions per message, not a branch each.
    ///
    /// ```
    /// use ringstress_suite::stress::validate::{MessageId, OrderCheck, Tally};
    ///
    /// let mut order = OrderCheck::increasing(2);
    /// let mut tallies = [Tally::default(); 2];
    /// let ids: Vec<MessageId> = [(0, 0), (0, 1), (1, 0), (0, 2)]
    ///     .into_iter()
    ///     .map(|(stream, seq)| MessageId::new(stream, seq))
    ///     .collect();
    /// assert!(order.check_slice(&ids, &mut tallies).is_ok());
    /// assert_eq!(tallies[0], Tally::of_stream(0, 0..3));
    /// // Stream 1 again from 0: a duplicate.
    /// assert!(order.check_slice(&ids[2..3], &mut tallies).is_err());
    /// assert_eq!(order.received(1, &tallies), Tally::of_stream(1, 0..1));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check), for the first id out of order or of an unknown stream (or
    /// if `tallies` has no entry for its stream); the ids before it are counted.
    #[inline]
    pub fn check_slice(&mut self, ids: &[MessageId], tallies: &mut [Tally]) -> Result<(), String> {
        let mut rest = ids;
        while let Some(&first) = rest.first() {
            let len = run_len(rest);
            let stream = first.stream();
            let (Some(next), Some(tally)) = (self.next.get_mut(stream), tallies.get_mut(stream))
            else {
                return Err(unknown_stream(first));
            };
            let seq = first.seq();
            if seq < *next || (self.gapless && seq != *next) {
                return Err(out_of_order(stream, *next, seq, self.gapless));
            }
            // Within the run every id is the previous one plus one: in order by construction.
            *next = seq + len as u64;
            if !self.gapless {
                tally.add_run(first, len as u64);
            }
            rest = &rest[len..];
        }
        Ok(())
    }
}

#[cold]
fn unknown_stream(id: MessageId) -> String {
    format!(
        "message {id:?} names stream {}, which does not exist",
        id.stream()
    )
}

#[cold]
fn out_of_order(stream: usize, next: u64, seq: u64, gapless: bool) -> String {
    let wanted = if gapless { "exactly" } else { "at least" };
    format!(
        "stream {stream}: expected sequence number {wanted} {next}, got {seq} \
         (out of order, duplicated or lost)"
    )
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
    fn run_tallies_match_counting_one_by_one() {
        for (stream, seqs) in [(0, 0..1), (3, 5..6), (7, 0..1000), (1, 100..(1 << 20) + 7)] {
            let mut by_run = Tally::default();
            by_run.add_run(MessageId::new(stream, seqs.start), seqs.end - seqs.start);
            assert_eq!(by_run, Tally::of_stream(stream, seqs));
        }
    }

    #[test]
    fn runs_break_where_an_id_does_not_follow() {
        let ids: Vec<MessageId> = (0..100).map(|seq| MessageId::new(1, seq)).collect();
        assert_eq!(run_len(&ids), 100);
        assert_eq!(run_len(&ids[..0]), 0);
        for broken in [1, 15, 16, 17, 63, 99] {
            let mut ids = ids.clone();
            ids[broken] = MessageId::new(1, 1000);
            assert_eq!(run_len(&ids), broken, "broken at {broken}");
        }
    }

    #[test]
    fn slice_checks_agree_with_one_by_one_checks() {
        // Loss, duplicate, reorder and a foreign stream, at positions in and out of blocks.
        let good: Vec<MessageId> = (0..40)
            .map(|seq| MessageId::new(seq as usize % 2, seq / 2))
            .collect();
        let mut cases = vec![good.clone()];
        for at in [0, 5, 17, 39] {
            let mut lost = good.clone();
            lost.remove(at);
            let mut duplicated = good.clone();
            duplicated.insert(at, good[at]);
            let mut swapped = good.clone();
            swapped.swap(at, (at + 2) % good.len());
            let mut foreign = good.clone();
            foreign[at] = MessageId::new(9, 0);
            cases.extend([lost, duplicated, swapped, foreign]);
        }
        let runs: Vec<MessageId> = (0..64)
            .map(|seq| MessageId::new(0, seq))
            .chain((0..64).map(|seq| MessageId::new(1, seq)))
            .collect();
        cases.push(runs.clone());
        let mut hole = runs.clone();
        hole.remove(20);
        cases.push(hole);
        for gapless in [true, false] {
            for ids in &cases {
                let make = || {
                    if gapless {
                        OrderCheck::gapless(2)
                    } else {
                        OrderCheck::increasing(2)
                    }
                };
                let (mut one_by_one, mut by_slice) = (make(), make());
                let mut counted = [Tally::default(); 2];
                let expected = ids.iter().try_for_each(|&id| {
                    one_by_one.check(id)?;
                    counted[id.stream()].add(id);
                    Ok::<(), String>(())
                });
                let mut tallies = [Tally::default(); 2];
                let got = by_slice.check_slice(ids, &mut tallies);
                assert_eq!(got, expected, "gapless {gapless}: {ids:?}");
                if got.is_ok() {
                    for (stream, counted) in counted.iter().enumerate() {
                        assert_eq!(by_slice.received(stream, &tallies), *counted);
                    }
                }
            }
        }
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
