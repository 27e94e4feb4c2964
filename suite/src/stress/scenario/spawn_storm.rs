//! Spawn storm: a storm of short-lived channels.
//!
//! **What it stresses.** Channel creation and teardown mixed with traffic: [`LIVE_CHANNELS`]
//! channels are live at once; each carries a quota of messages over its life (see
//! [`quota`]), is then drained, validated and dropped, and a fresh channel takes its place.
//! Sends and receives are interleaved across the live channels in a seeded order, so every
//! implementation sees the same sequence of channel choices and burst lengths.
//!
//! **Topologies** ([`Mode`], one Criterion group each):
//!
//! - `spawn_storm/single-thread`: one thread holds both ends of every live channel. It sends
//!   a burst to a channel picked by a seeded generator, then receives a burst from another
//!   picked by a second generator; when a send finds its channel full, the only way to make
//!   room on one thread is to receive from that channel, so it does. This is the
//!   single-threaded SPSC regime the ported suite reports as its "200M+ ops/s" baseline.
//! - `spawn_storm/two-thread`: a producer thread creates the channels and sends bursts
//!   across its live ones in seeded order. Each new channel's receiving end travels to a
//!   consumer thread through a `std::sync::mpsc::sync_channel` of handles (the same
//!   mechanism for every implementation; one handle per channel, so its cost is amortised
//!   over the channel's whole quota of messages). The consumer mirrors the producer's
//!   slots and receives in the producer's seeded order: it replays the same sequence of
//!   (slot, burst length) and takes each burst from that slot's channel in chunks of its
//!   own seeded receive lengths, like a demultiplexer that knows where the next message is
//!   due. (Polling slots in an independent random order instead makes the producer wait,
//!   channel full, until the consumer happens upon that one slot; on two cores both then
//!   sink into the backoff's sleeps and the run measures those.)
//!
//! **What it validates.** Every channel is its own ordered stream: message `seq` of channel
//! `n` is `MessageId::new(n, seq)`, and the receiver checks each message against the next
//! sequence number of its channel, so a lost, duplicated or reordered message fails at
//! once, naming the channel. A retiring channel must deliver exactly what it was sent and
//! then nothing more. In the two-thread mode the producer also publishes how many messages
//! it has pushed; a consumer that waits for a message the producer has already pushed knows
//! it was lost (so losing a channel's *last* message fails too, instead of hanging). Over
//! the whole run the receiver's [`Tally`] (count and checksums) must equal the tally of
//! everything sent, computed in closed form after the clock stops. Since every message was
//! checked to be the next of its channel, what a channel delivered is exactly its messages
//! `0..received`: the receiver counts that in closed form when the channel retires (or the
//! run ends), not message by message.
//!
//! **What the harness costs.** Burst lengths come from [`BurstTable`]s drawn before the
//! clock starts (one load per burst); a received slice is checked in one pass with no
//! branch per message (`check_next`); steady bursts (one message each) use the queues'
//! single-item operations ([`Sender::try_send`], [`Receiver::try_recv`]) instead of
//! one-element slices. In the single-thread mode the ring is measured alone, so whatever
//! the harness spends per message hides it.
//!
//! **Counting.** `run`'s count is the number of messages in total (over all channels); one
//! message sent and received is one op, so a unit is 1 message; the bench runs `capacity`
//! messages per iteration (see `benches/case`).
//!
//! **Liveness of the two-thread mode.** The consumer waits only for messages the producer
//! sent before the ones it is sending now (it replays the same sequence, behind it), and
//! the producer waits only for room that the consumer makes by receiving those. So the run
//! always finishes; if it does not, the watchdog reports it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crossbeam_utils::CachePadded;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::stress::burst::{BurstTable, Pattern, RECEIVER_STREAMS};
use crate::stress::grid::parameter;
use crate::stress::queue::{Queue, Receiver, Sender};
use crate::stress::run::{Failure, Job, Worker, run as run_jobs};
use crate::stress::validate::{MessageId, SEQ_BITS, Tally};
use ringstress::wait::Backoff;

/// Criterion samples per benchmark of this scenario (set by its bench file; the soak test
/// derives its load from these three).
pub const SAMPLE_SIZE: usize = 10;
/// Criterion warm-up time per benchmark of this scenario.
pub const WARM_UP_TIME: Duration = Duration::from_millis(300);
/// Criterion measurement time per benchmark of this scenario.
pub const MEASUREMENT_TIME: Duration = Duration::from_millis(1000);

/// Bits of a slot number; the live set has `2^SLOT_BITS` slots so a slot is a few random
/// bits, not a division.
const SLOT_BITS: u32 = 4;

/// Channels live at once (per thread that holds them). At capacity 65536 and 8-byte
/// messages that is 16 × 512 KiB = 8 MiB of ring per side, which stays sane.
pub const LIVE_CHANNELS: usize = 1 << SLOT_BITS;

/// A channel's quota is this many times its capacity (unless the run is too short for it).
pub const QUOTA_PER_CAPACITY: u64 = 4;

/// Seed of the generators that pick channels (distinct from the burst-length seed).
const PICK_SEED: u64 = 0x5707_5EED_C4A2_0001;

/// Channel numbers grow for the whole run; a message id has room for this many streams, so
/// numbers wrap there. Only [`LIVE_CHANNELS`] (two-thread: at most 3 × that) channels exist
/// at once, so wrapped numbers never collide among channels alive together.
const STREAM_MASK: u64 = (1 << (64 - SEQ_BITS)) - 1;

/// Stream number (burst lengths and channel picks) of the sending side; the receiving side
/// uses [`RECEIVER_STREAMS`].
const SENDER_STREAM: u64 = 0;

/// Who holds the channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// One thread holds both ends of every live channel and interleaves sends and receives.
    SingleThread,
    /// A producer thread holds the sending ends, a consumer thread the receiving ends.
    TwoThread,
}

impl Mode {
    /// Both modes, in report order.
    pub const ALL: [Mode; 2] = [Mode::SingleThread, Mode::TwoThread];

    /// The Criterion group of this mode: "spawn_storm/single-thread" or
    /// "spawn_storm/two-thread".
    pub fn group(self) -> &'static str {
        match self {
            Mode::SingleThread => "spawn_storm/single-thread",
            Mode::TwoThread => "spawn_storm/two-thread",
        }
    }
}

/// One spawn-storm case: mode, channel capacity and burst pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Who holds the channels.
    pub mode: Mode,
    /// Capacity of every channel created.
    pub capacity: usize,
    /// Burst lengths of sends and receives.
    pub pattern: Pattern,
}

/// Messages each channel carries over its life in a run of `iters` messages:
/// [`QUOTA_PER_CAPACITY`] × `capacity`, so creating a channel costs every message about the
/// same share at every size, whatever the run's length; but at most `iters` (and at least
/// 1), so even a one-message run (Criterion's test mode runs `iters = 1`) sees a channel
/// reach its quota, retire and be replaced.
///
/// ```
/// use ringstress_suite::stress::scenario::spawn_storm::quota;
///
/// assert_eq!(quota(1024, 100_000_000), 4096);
/// assert_eq!(quota(1024, 100), 100);
/// assert_eq!(quota(1024, 1), 1);
/// ```
pub fn quota(capacity: usize, iters: u64) -> u64 {
    QUOTA_PER_CAPACITY
        .saturating_mul(capacity as u64)
        .min(iters)
        .max(1)
}

/// Runs one spawn storm of `iters` messages in total and returns the time it took, timed
/// from the moment the threads are lined up to the moment the last one finishes.
///
/// # Panics
///
/// If `capacity` is 0, or with a message saying what went wrong if any message was lost,
/// duplicated or reordered, if a channel delivered more or less than it was sent, if the
/// checksums differ, or if the run stalled (the watchdog's diagnostic).
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::queue::RingSpsc;
/// use ringstress_suite::stress::scenario::spawn_storm::{run, Config, Mode};
///
/// for mode in Mode::ALL {
///     let config = Config { mode, capacity: 64, pattern: Pattern::Uniform };
///     let elapsed = run::<RingSpsc>(&config, 10_000);
///     assert!(elapsed.as_secs() < 60);
/// }
/// ```
pub fn run<Q: Queue>(config: &Config, iters: u64) -> Duration {
    assert!(
        config.capacity > 0,
        "spawn_storm: capacity must be at least 1"
    );
    let quota = quota(config.capacity, iters);
    let scenario = format!(
        "{} {} {}",
        config.mode.group(),
        Q::NAME,
        parameter(config.capacity, config.pattern)
    );
    let (elapsed, reports) = match config.mode {
        Mode::SingleThread => {
            let storm = Storm::new(config, iters, quota);
            let job = Job::new("storm", move |worker: &Worker| {
                storm.single_thread::<Q>(worker)
            });
            run_jobs(&scenario, vec![job])
        }
        Mode::TwoThread => {
            let producer = Storm::new(config, iters, quota);
            let consumer = Storm::new(config, iters, quota);
            // Room for every handle that can be in flight, so the producer normally never
            // waits here; if it ever must, it waits like any sender.
            let (handles_tx, handles_rx) = mpsc::sync_channel(HANDLES);
            let pushed = CachePadded::new(AtomicU64::new(0));
            let pushed = &pushed;
            let jobs = vec![
                Job::new("producer", move |worker: &Worker| {
                    producer.produce::<Q>(worker, handles_tx, pushed)
                }),
                Job::new("consumer", move |worker: &Worker| {
                    consumer.consume::<Q>(worker, handles_rx, pushed)
                }),
            ];
            run_jobs(&scenario, jobs)
        }
    };
    // Outside the timed region: what was sent, in closed form, against what arrived.
    let mut sent = Tally::default();
    let mut received = Tally::default();
    for report in &reports {
        if let Some(log) = &report.sent {
            sent.merge(&log.tally(quota));
        }
        received.merge(&report.received);
    }
    if let Err(message) = received.expect(&sent, &scenario) {
        panic!("spawn_storm: {message}");
    }
    elapsed
}

/// What one thread of a storm reports when it finishes.
#[derive(Debug, Default)]
struct Report {
    /// The sending side's log (the thread that created the channels).
    sent: Option<SentLog>,
    /// Everything the receiving side saw.
    received: Tally,
}

/// Enough to reconstruct every message sent: channels `0..created` were created, and each
/// carried its quota except those still open at the end, listed with what they carried.
#[derive(Debug)]
struct SentLog {
    created: u64,
    /// `(channel number, messages sent)` of the channels still open at the end, sorted.
    open: Vec<(u64, u64)>,
}

impl SentLog {
    fn new(created: u64, mut open: Vec<(u64, u64)>) -> Self {
        open.sort_unstable();
        Self { created, open }
    }

    /// The tally a receiver of every message sent would count.
    fn tally(&self, quota: u64) -> Tally {
        let mut tally = Tally::default();
        let mut open = self.open.iter().peekable();
        for number in 0..self.created {
            let sent = match open.next_if(|(open_number, _)| *open_number == number) {
                Some(&(_, sent)) => sent,
                None => quota,
            };
            tally.merge(&Tally::of_stream(stream_of(number), 0..sent));
        }
        tally
    }
}

/// The message-id stream of channel `number`.
#[inline(always)]
fn stream_of(number: u64) -> usize {
    (number & STREAM_MASK) as usize
}

/// Picks live-channel slots in a seeded order, `SLOT_BITS` random bits at a time.
struct SlotPicker {
    rng: Xoshiro256PlusPlus,
    bits: u64,
    left: u32,
}

impl SlotPicker {
    fn new(stream: u64) -> Self {
        Self {
            rng: Xoshiro256PlusPlus::seed_from_u64(PICK_SEED ^ stream),
            bits: 0,
            left: 0,
        }
    }

    #[inline(always)]
    fn pick(&mut self) -> usize {
        if self.left == 0 {
            self.bits = self.rng.next_u64();
            self.left = u64::BITS / SLOT_BITS;
        }
        let slot = (self.bits & (LIVE_CHANNELS as u64 - 1)) as usize;
        self.bits >>= SLOT_BITS;
        self.left -= 1;
        slot
    }
}

/// One side's working state: its seeded generators, burst tables and reusable buffers, made
/// before the clock starts so the timed loop never allocates nor draws a burst length.
struct Storm {
    capacity: usize,
    iters: u64,
    quota: u64,
    send_bursts: BurstTable,
    send_picks: SlotPicker,
    recv_bursts: BurstTable,
    recv_picks: SlotPicker,
    /// Steady pattern: every burst is one message, sent and received with the queues'
    /// single-item operations (the burst tables then hold only 1s and are not read).
    single: bool,
    /// Ids of the chunk being sent; at most the capacity long.
    send_buf: Vec<MessageId>,
    /// Where receives land; at most the capacity long, since no channel holds more.
    recv_buf: Vec<MessageId>,
    received: Tally,
}

impl Storm {
    fn new(config: &Config, iters: u64, quota: u64) -> Self {
        let longest = config
            .pattern
            .max_burst(config.capacity)
            .min(config.capacity);
        Self {
            capacity: config.capacity,
            iters,
            quota,
            send_bursts: BurstTable::new(config.pattern, config.capacity, SENDER_STREAM),
            send_picks: SlotPicker::new(SENDER_STREAM),
            recv_bursts: BurstTable::new(config.pattern, config.capacity, RECEIVER_STREAMS),
            recv_picks: SlotPicker::new(RECEIVER_STREAMS),
            single: config.pattern == Pattern::Steady,
            send_buf: vec![MessageId::default(); longest],
            recv_buf: vec![MessageId::default(); longest],
            received: Tally::default(),
        }
    }

    /// The length of the next send burst into a channel that has sent `sent` so far, with
    /// `sent_total` sent overall.
    #[inline(always)]
    fn next_send_len(&mut self, sent: u64, sent_total: u64) -> u64 {
        if self.single {
            // Both limits are at least 1 wherever a burst is due.
            return 1;
        }
        let drawn = self.send_bursts.next_len() as u64;
        drawn.min(self.iters - sent_total).min(self.quota - sent)
    }

    /// The length of the next receive burst (at most the buffer).
    #[inline(always)]
    fn next_recv_len(&mut self) -> usize {
        if self.single {
            return 1;
        }
        self.recv_bursts.next_len().min(self.recv_buf.len())
    }

    /// The single-thread storm: one thread, both ends of every live channel.
    fn single_thread<Q: Queue>(mut self, worker: &Worker) -> Result<Report, Failure> {
        if self.single {
            return self.single_thread_steady::<Q>(worker);
        }
        // An array, so a picked slot (a few random bits) indexes it without a bounds check.
        let mut live: [Pair<Q>; LIVE_CHANNELS] =
            std::array::from_fn(|slot| Pair::new(slot as u64, self.capacity));
        let mut created = LIVE_CHANNELS as u64;
        let mut sent_total = 0;
        let mut received_total = 0;
        while sent_total < self.iters {
            // Send one burst to a channel picked in seeded order.
            let slot = self.send_picks.pick();
            let pair = &mut live[slot];
            let mut left = self.next_send_len(pair.sent, sent_total);
            while left > 0 {
                let chunk = (left as usize).min(self.send_buf.len());
                fill_ids(&mut self.send_buf[..chunk], pair.rx.stream, pair.sent);
                let mut offset = 0;
                while offset < chunk {
                    let accepted = pair.tx.try_send_burst(&self.send_buf[offset..chunk]);
                    offset += accepted;
                    if offset < chunk {
                        // Full. On one thread, room comes only from receiving this channel.
                        let len = self.next_recv_len();
                        let got = pair.rx.receive(&mut self.recv_buf[..len], false);
                        let got = got.map_err(|message| worker.fail(message))?;
                        received_total += got as u64;
                        if accepted == 0 && got == 0 {
                            return Err(worker.fail(format!(
                                "channel {}: refused a message while nothing could be \
                                 received from it ({} sent, {} received)",
                                pair.rx.number, pair.sent, pair.rx.received
                            )));
                        }
                    }
                }
                pair.sent += chunk as u64;
                sent_total += chunk as u64;
                left -= chunk as u64;
            }
            if pair.sent == self.quota {
                received_total +=
                    finish(pair, &mut self.recv_buf, false, &mut self.received, worker)?;
                *pair = Pair::new(created, self.capacity);
                created += 1;
            }

            // Receive one burst from a channel picked in (another) seeded order.
            let slot = self.recv_picks.pick();
            let len = self.next_recv_len();
            let got = live[slot].rx.receive(&mut self.recv_buf[..len], false);
            received_total += got.map_err(|message| worker.fail(message))? as u64;
            worker.progress(sent_total + received_total);
        }
        let mut open = Vec::with_capacity(LIVE_CHANNELS);
        for pair in &mut live {
            received_total += finish(pair, &mut self.recv_buf, false, &mut self.received, worker)?;
            open.push((pair.rx.number, pair.sent));
        }
        worker.progress(sent_total + received_total);
        Ok(Report {
            sent: Some(SentLog::new(created, open)),
            received: self.received,
        })
    }

    /// [`single_thread`](Self::single_thread) under the steady pattern: the same channel
    /// picks and the same sequence of operations, every burst one message, sent and received
    /// with the queues' single-item operations; picks and counters live in locals, so what
    /// the loop costs besides the ring is a few instructions per message.
    fn single_thread_steady<Q: Queue>(self, worker: &Worker) -> Result<Report, Failure> {
        let Storm {
            capacity,
            iters,
            quota,
            mut send_picks,
            mut recv_picks,
            mut recv_buf,
            mut received,
            ..
        } = self;
        let mut live: [Pair<Q>; LIVE_CHANNELS] =
            std::array::from_fn(|slot| Pair::new(slot as u64, capacity));
        let mut created = LIVE_CHANNELS as u64;
        let mut received_total = 0;
        // (An exclusive range: an inclusive one costs a flag test per message.)
        for sent_before in 0..iters {
            // Send one message to a channel picked in seeded order.
            let pair = &mut live[send_picks.pick()];
            while !pair.tx.try_send(MessageId::new(pair.rx.stream, pair.sent)) {
                // Full. On one thread, room comes only from receiving this channel.
                let got = pair.rx.receive_one();
                let got = got.map_err(|message| worker.fail(message))?;
                if got == 0 {
                    return Err(worker.fail(format!(
                        "channel {}: refused a message while nothing could be received \
                         from it ({} sent, {} received)",
                        pair.rx.number, pair.sent, pair.rx.received
                    )));
                }
                received_total += got;
            }
            pair.sent += 1;
            if pair.sent == quota {
                received_total += finish(pair, &mut recv_buf, true, &mut received, worker)?;
                *pair = Pair::new(created, capacity);
                created += 1;
            }

            // Receive one message from a channel picked in (another) seeded order.
            let got = live[recv_picks.pick()].rx.receive_one();
            received_total += got.map_err(|message| worker.fail(message))?;
            worker.progress(sent_before + 1 + received_total);
        }
        let mut open = Vec::with_capacity(LIVE_CHANNELS);
        for pair in &mut live {
            received_total += finish(pair, &mut recv_buf, true, &mut received, worker)?;
            open.push((pair.rx.number, pair.sent));
        }
        worker.progress(iters + received_total);
        Ok(Report {
            sent: Some(SentLog::new(created, open)),
            received,
        })
    }

    /// The producer of the two-thread storm: creates the channels, hands their receiving
    /// ends to the consumer, sends bursts across its live ones in seeded order, and
    /// publishes in `pushed` how many messages it has pushed in all.
    fn produce<Q: Queue>(
        mut self,
        worker: &Worker,
        handles: mpsc::SyncSender<Handle<Q>>,
        pushed: &AtomicU64,
    ) -> Result<Report, Failure> {
        let mut live = Vec::with_capacity(LIVE_CHANNELS);
        for slot in 0..LIVE_CHANNELS {
            let number = slot as u64;
            live.push(Outgoing::<Q>::open(
                slot,
                number,
                self.capacity,
                &handles,
                worker,
            )?);
        }
        let mut created = LIVE_CHANNELS as u64;
        let mut sent_total = 0;
        let mut backoff = Backoff::new();
        while sent_total < self.iters {
            let slot = self.send_picks.pick();
            let out = &mut live[slot];
            let mut left = self.next_send_len(out.sent, sent_total);
            while left > 0 {
                let chunk = (left as usize).min(self.send_buf.len());
                if !self.single {
                    fill_ids(&mut self.send_buf[..chunk], out.stream, out.sent);
                }
                let mut offset = 0;
                while offset < chunk {
                    let accepted = if self.single {
                        let id = MessageId::new(out.stream, out.sent);
                        usize::from(out.tx.try_send(id))
                    } else {
                        out.tx.try_send_burst(&self.send_buf[offset..chunk])
                    };
                    if accepted == 0 {
                        worker.wait(&mut backoff, || out.tx.queued())?;
                    } else {
                        offset += accepted;
                        backoff.reset();
                    }
                }
                out.sent += chunk as u64;
                sent_total += chunk as u64;
                left -= chunk as u64;
                // Release: follows the pushes, for the consumer's Acquire when it waits.
                pushed.store(sent_total, Ordering::Release);
                worker.progress(sent_total);
            }
            if out.sent == self.quota {
                // Dropping the old end here is part of the storm.
                *out = Outgoing::<Q>::open(slot, created, self.capacity, &handles, worker)?;
                created += 1;
            }
        }
        let open = live.iter().map(|out| (out.number, out.sent)).collect();
        Ok(Report {
            sent: Some(SentLog::new(created, open)),
            received: Tally::default(),
        })
    }

    /// The consumer of the two-thread storm: replays the producer's seeded sequence of
    /// (slot, burst length) and receives each burst from the channel in that slot, in
    /// chunks of its own seeded receive lengths; retires each channel at its quota, where
    /// the producer replaced it, and admits the producer's next channel for that slot.
    fn consume<Q: Queue>(
        mut self,
        worker: &Worker,
        handles: mpsc::Receiver<Handle<Q>>,
        pushed: &AtomicU64,
    ) -> Result<Report, Failure> {
        let mut live: Vec<Option<Incoming<Q>>> = (0..LIVE_CHANNELS).map(|_| None).collect();
        // Channels opened whose slot still holds the previous channel, oldest first.
        let mut waiting = VecDeque::with_capacity(HANDLES);
        let mut received_total = 0;
        let mut backoff = Backoff::new();
        while received_total < self.iters {
            // The producer's next burst: same generators, same clamps.
            let slot = self.send_picks.pick();
            while live[slot].is_none() {
                waiting.extend(handles.try_iter());
                live[slot] = admit(slot, &mut waiting);
                if live[slot].is_none() {
                    worker.wait(&mut backoff, || None)?;
                }
            }
            let received = live[slot].as_ref().map_or(0, |incoming| incoming.received);
            let mut left = self.next_send_len(received, received_total);
            // True once the producer is known to have pushed the message awaited.
            let mut must_be_there = false;
            while left > 0 {
                let incoming = live[slot].as_mut().expect("admitted above");
                let len = self.next_recv_len().min(left as usize);
                let got = incoming.receive(&mut self.recv_buf[..len], self.single);
                let got = got.map_err(|message| worker.fail(message))?;
                if got > 0 {
                    left -= got as u64;
                    received_total += got as u64;
                    must_be_there = false;
                    backoff.reset();
                    worker.progress(received_total);
                } else if must_be_there {
                    return Err(worker.fail(format!(
                        "channel {}: message {:?} was sent (the producer has pushed {} \
                         messages, this is number {}) but never arrived (lost)",
                        incoming.number,
                        MessageId::new(incoming.stream, incoming.received),
                        pushed.load(Ordering::Acquire),
                        received_total + 1
                    )));
                } else if pushed.load(Ordering::Acquire) > received_total {
                    // Acquire: the pushes it counts happened before, so the next poll
                    // must find the message (the replay follows the producer's order).
                    must_be_there = true;
                } else {
                    worker.wait(&mut backoff, || incoming.rx.queued())?;
                }
            }
            let incoming = live[slot].as_mut().expect("still live");
            if incoming.received == self.quota {
                // The producer replaced it here: nothing more may arrive.
                let retire = incoming.retire(self.quota, &mut self.recv_buf, self.single);
                retire.map_err(|message| worker.fail(message))?;
                self.received.merge(&incoming.delivered());
                live[slot] = None;
            }
        }
        for incoming in live.iter().flatten() {
            self.received.merge(&incoming.delivered());
        }
        Ok(Report {
            sent: None,
            received: self.received,
        })
    }
}

/// Retires a channel of the single-thread storm ([`Incoming::retire`]: it must deliver
/// exactly what was sent to it, then nothing more) and counts what it delivered into
/// `tally`; returns how many messages it received here.
fn finish<Q: Queue>(
    pair: &mut Pair<Q>,
    buf: &mut [MessageId],
    single: bool,
    tally: &mut Tally,
    worker: &Worker,
) -> Result<u64, Failure> {
    let retire = pair.rx.retire(pair.sent, buf, single);
    let got = retire.map_err(|message| worker.fail(message))?;
    tally.merge(&pair.rx.delivered());
    Ok(got)
}

/// A channel's receiving end on its way to the consumer: the slot it was opened in, its
/// number, and the end itself.
type Handle<Q> = (usize, u64, <Q as Queue>::Receiver<MessageId>);

/// Capacity of the handle channel. A slot holds at most two channels at once (the producer
/// cannot finish a channel before the consumer admits it, unless the run is shorter than
/// one channel's capacity).
const HANDLES: usize = 2 * LIVE_CHANNELS;

/// The oldest waiting channel opened in `slot`, taken out of `waiting`.
fn admit<Q: Queue>(slot: usize, waiting: &mut VecDeque<Handle<Q>>) -> Option<Incoming<Q>> {
    let position = waiting
        .iter()
        .position(|(opened_in, _, _)| *opened_in == slot)?;
    let (_, number, rx) = waiting.remove(position)?;
    Some(Incoming::new(number, rx))
}

/// Fills `ids` with consecutive messages of `stream`, starting at `first_seq`.
#[inline(always)]
fn fill_ids(ids: &mut [MessageId], stream: usize, first_seq: u64) {
    let first = MessageId::new(stream, first_seq).0;
    for (offset, id) in ids.iter_mut().enumerate() {
        *id = MessageId(first + offset as u64);
    }
}

/// Checks `ids`, just received from channel `number` (message stream `stream`) after it
/// delivered `received` messages: each must be the next of its channel. Counts them into
/// `received`. (What a channel delivered is then exactly its messages `0..received`, so
/// its tally is taken in closed form when it retires.)
///
/// The check is one pass with no early exit and no branch per message, so it vectorises;
/// the rare failure is located afterwards.
#[inline(always)]
fn check_next(
    number: u64,
    stream: usize,
    received: &mut u64,
    ids: &[MessageId],
) -> Result<(), String> {
    let first = MessageId::new(stream, *received).0;
    let differ = ids.iter().enumerate().fold(0, |acc, (offset, id)| {
        acc | (id.0 ^ first.wrapping_add(offset as u64))
    });
    if differ != 0 {
        return Err(describe_gap(number, stream, *received, ids));
    }
    *received += ids.len() as u64;
    Ok(())
}

/// The failure message for the first of `ids` that is not the next message of channel
/// `number` (which had delivered `received` before them).
#[cold]
#[inline(never)]
fn describe_gap(number: u64, stream: usize, received: u64, ids: &[MessageId]) -> String {
    let (expected, id) = ids
        .iter()
        .enumerate()
        .map(|(offset, &id)| (MessageId::new(stream, received + offset as u64), id))
        .find(|(expected, id)| expected != id)
        .expect("a mismatched message exists");
    let what = if id.stream() == stream && id.seq() > expected.seq() {
        "lost"
    } else if id.stream() == stream {
        "duplicated or reordered"
    } else {
        "from another channel or corrupted"
    };
    format!("channel {number}: expected message {expected:?}, got {id:?} ({what})")
}

/// Both ends of one live channel, held by the single-thread storm.
struct Pair<Q: Queue> {
    tx: Q::Sender<MessageId>,
    sent: u64,
    /// The receiving end, with the channel's number and stream.
    rx: Incoming<Q>,
}

impl<Q: Queue> Pair<Q> {
    fn new(number: u64, capacity: usize) -> Self {
        let (tx, rx) = Q::channel(capacity);
        Self {
            tx,
            sent: 0,
            rx: Incoming::new(number, rx),
        }
    }
}

/// The producer's end of one live channel in the two-thread storm.
struct Outgoing<Q: Queue> {
    number: u64,
    stream: usize,
    tx: Q::Sender<MessageId>,
    sent: u64,
}

impl<Q: Queue> Outgoing<Q> {
    /// Creates channel `number` in `slot` and hands its receiving end to the consumer,
    /// waiting while the handle channel is full. A consumer that has gone has received
    /// every message (or failed, and the run is being aborted), so then the handle is
    /// dropped.
    fn open(
        slot: usize,
        number: u64,
        capacity: usize,
        handles: &mpsc::SyncSender<Handle<Q>>,
        worker: &Worker,
    ) -> Result<Self, Failure> {
        let (tx, rx) = Q::channel(capacity);
        let mut handle = (slot, number, rx);
        let mut backoff = Backoff::new();
        loop {
            match handles.try_send(handle) {
                Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => break,
                Err(mpsc::TrySendError::Full(back)) => {
                    handle = back;
                    worker.wait(&mut backoff, || None)?;
                }
            }
        }
        Ok(Self {
            number,
            stream: stream_of(number),
            tx,
            sent: 0,
        })
    }
}

/// The receiving end of one live channel: the consumer's in the two-thread storm, a
/// [`Pair`]'s in the single-thread storm. Every message it delivers is checked to be the
/// next of its channel, so what it delivered is always exactly messages `0..received`.
struct Incoming<Q: Queue> {
    number: u64,
    stream: usize,
    rx: Q::Receiver<MessageId>,
    received: u64,
}

impl<Q: Queue> Incoming<Q> {
    fn new(number: u64, rx: Q::Receiver<MessageId>) -> Self {
        Self {
            number,
            stream: stream_of(number),
            rx,
            received: 0,
        }
    }

    /// Receives up to `buf.len()` messages and checks them ([`check_next`]); returns how
    /// many arrived. Under the steady pattern (`single`) it receives one message with the
    /// queue's single-item operation and leaves `buf` alone.
    #[inline(always)]
    fn receive(&mut self, buf: &mut [MessageId], single: bool) -> Result<usize, String> {
        if single {
            let Some(id) = self.rx.try_recv() else {
                return Ok(0);
            };
            if id != MessageId::new(self.stream, self.received) {
                return Err(describe_gap(self.number, self.stream, self.received, &[id]));
            }
            self.received += 1;
            return Ok(1);
        }
        let got = self.rx.try_recv_burst(buf);
        check_next(self.number, self.stream, &mut self.received, &buf[..got])?;
        Ok(got)
    }

    /// Receives one message with the single-item operation, if one is queued, and checks
    /// it; returns how many arrived (0 or 1).
    #[inline(always)]
    fn receive_one(&mut self) -> Result<u64, String> {
        self.receive(&mut [], true).map(|got| got as u64)
    }

    /// Retires the channel, to which `sent` messages were sent: receives what is still
    /// queued (into `buf`, or one at a time if `single`), which must be all of them, and
    /// then nothing more may arrive. Returns how many messages it received here.
    fn retire(&mut self, sent: u64, buf: &mut [MessageId], single: bool) -> Result<u64, String> {
        let before = self.received;
        while self.received < sent {
            let len = buf.len().min((sent - self.received) as usize);
            if self.receive(&mut buf[..len], single)? == 0 {
                return Err(format!(
                    "channel {}: {sent} messages sent, only {} arrived ({} lost)",
                    self.number,
                    self.received,
                    sent - self.received
                ));
            }
        }
        if let Some(extra) = self.rx.try_recv() {
            return Err(format!(
                "channel {}: delivered {extra:?} after all {sent} messages sent to it \
                 (duplicated)",
                self.number
            ));
        }
        Ok(self.received - before)
    }

    /// The tally of what the channel delivered: its messages `0..received`, in closed form.
    fn delivered(&self) -> Tally {
        Tally::of_stream(self.stream, 0..self.received)
    }
}
