//! The harness of the contention scenarios ([`mpmc_thrash`](super::mpmc_thrash) and
//! [`backpressure_avalanche`](super::backpressure_avalanche)): what each of their producer
//! and consumer threads does around the queue, how they know when to stop, and the checks
//! after the run. The `harness_overhead` bench runs this same logic on one thread through a
//! plain array ring, so every other figure can be read against what the harness alone costs.
//!
//! - A **burst producer** sends its stream `MessageId::new(p, 0)`, `(p, 1)`, … in bursts
//!   whose lengths it reads from its burst table (stream `p`, drawn before the clock
//!   starts), handing the queue chunks of at most the capacity, ids written by counting,
//!   until it has *delivered* (got into the queue) its quota. Each
//!   message it gives up on is *shed*; what a chunk does when it finds the queue full is the
//!   producer's [`Overflow`] policy. Every message gets the next sequence number whether it is
//!   delivered or shed, so `attempted = delivered + shed` holds by construction on the sending
//!   side, and the consumers must confirm it. A producer that got nothing in (waiting for room,
//!   or having just shed a whole burst) backs off one round before its next try: with more
//!   threads than cores, a producer that shed and went straight on would spin away the time
//!   slices its consumer needs, and the run would measure the scheduler instead of the queue.
//! - A **validating consumer** pulls bursts of its own seeded lengths (stream
//!   [`RECEIVER_STREAMS`] + its index) and checks every message of each received slice
//!   ([`OrderCheck::check_slice`]): per producer, sequence numbers must increase (and run
//!   `0, 1, 2, …` without a gap where the consumer is the only one and nothing is shed), and
//!   it keeps a per-producer [`Tally`]. The check works run by run over the slice, so it
//!   vectorises and costs a few instructions per message.
//! - **Steady bursts** (one message each) use each queue's single-item operations
//!   ([`Sender::try_send`], [`Receiver::try_recv`]) instead of one-element slices: message by
//!   message is what steady means, and a chunk buffer would cost more than the message.
//! - **What the harness costs** per message is what `harness_overhead` reports: the same
//!   producers and consumers on one thread through a plain array ring (`run_alone`),
//!   each side looping as its thread would.
//! - **Stopping without a sentinel.** A producer bumps a shared `finished` count (Release)
//!   once its last message is in. A consumer that finds the queue empty and then sees every
//!   producer finished (Acquire: every message is now in the queue or already taken by a
//!   consumer) looks once more; still empty means it is done. No end marker travels through
//!   the queue (a faulty queue could lose it), nothing shared is written per burst, and a
//!   lost message becomes a failed check after the run instead of consumers waiting forever
//!   for a count that is never reached.
//! - **After the run**, conservation per producer, as checksummed tallies: the consumers'
//!   merged tally of its stream plus its own tally of what it shed must equal the closed-form
//!   tally of every sequence number it attempted ([`Tally::of_stream`]). Without shedding that
//!   is exactly-once delivery of `0..quota`; a lost message lowers the count, a duplicate
//!   raises it, one of each changes the checksums.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::stress::burst::{BurstTable, Pattern, RECEIVER_STREAMS};
use crate::stress::queue::{Queue, Receiver, Sender};
use crate::stress::run::{Failure, Job, Worker, run};
use crate::stress::validate::{MessageId, OrderCheck, Tally};
use ringstress::wait::Backoff;

/// Under [`Overflow::Retry`], how many backoff rounds a burst may wait for room before the
/// rest of it is shed. With [`Backoff`]'s schedule that is six short spins and two yields.
pub const RETRY_ROUNDS: u32 = 8;

/// Under the steady pattern, the most one-message bursts a producer or consumer step moves
/// (it reports progress and looks at the watchdog between steps).
const SINGLE_RUN: u64 = 64;

/// Shed runs up to this long are tallied message by message; longer ones in closed form,
/// whose 128-bit arithmetic costs about as much as this many additions.
const SHED_TALLY_LOOP_MAX: u64 = 64;

/// What a producer does with the part of a burst that finds the queue full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Overflow {
    /// Wait (with backoff) until there is room; nothing is ever shed.
    Block,
    /// Drop newest: the part of the burst that does not fit right away is shed, counted.
    /// (A burst shed whole is followed by one backoff round before the next burst.)
    Shed,
    /// Wait up to [`RETRY_ROUNDS`] backoff rounds per burst for room, then shed the rest,
    /// counted.
    Retry,
}

impl Overflow {
    /// Every policy, in report order.
    pub const ALL: [Overflow; 3] = [Overflow::Block, Overflow::Shed, Overflow::Retry];
}

/// The policy's name in benchmark groups: "block", "shed" or "retry".
impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Overflow::Block => "block",
            Overflow::Shed => "shed",
            Overflow::Retry => "retry",
        })
    }
}

/// One producer's totals after a validated run; `attempted == delivered + shed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProducerTotals {
    /// Messages it tried to send (each got a sequence number).
    pub attempted: u64,
    /// Messages that went into the queue, and (validated) reached a consumer exactly once.
    pub delivered: u64,
    /// Messages it gave up on under its overflow policy.
    pub shed: u64,
}

/// A validated run: the timed duration and each producer's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// From the start barrier to the last thread's end (one thread: the whole loop).
    pub elapsed: Duration,
    /// Per producer, in producer order.
    pub producers: Vec<ProducerTotals>,
}

/// Everything that shapes one run of a contention scenario.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Producer threads (≥ 1); producer `p` sends stream `p`.
    pub producers: usize,
    /// Consumer threads (≥ 1).
    pub consumers: usize,
    /// The queue's capacity (≥ 1).
    pub capacity: usize,
    /// The burst pattern of producers and consumers alike.
    pub pattern: Pattern,
    /// What producers do when the queue is full.
    pub overflow: Overflow,
    /// Messages each producer must deliver.
    pub quota: u64,
}

impl Plan {
    /// The producers' states, built (buffers allocated, generators seeded) before any clock
    /// starts.
    fn burst_producers(&self) -> Vec<BurstProducer> {
        (0..self.producers)
            .map(|stream| BurstProducer::new(self, stream))
            .collect()
    }

    /// The consumers' states, built before any clock starts.
    fn validating_consumers(&self) -> Vec<ValidatingConsumer> {
        (0..self.consumers)
            .map(|index| ValidatingConsumer::new(self, index))
            .collect()
    }

    /// A consumer sees all of every stream, in order, only if it is the only consumer and
    /// nothing is shed.
    fn gapless(&self) -> bool {
        self.consumers == 1 && self.overflow == Overflow::Block
    }

    fn check_shape(&self, label: &str) {
        assert!(
            self.producers >= 1 && self.consumers >= 1,
            "{label}: a run needs at least one producer and one consumer"
        );
        assert!(self.capacity >= 1, "{label}: capacity must be at least 1");
    }
}

/// What one producer step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// At least one message went into the queue (the rest of the burst may have been shed).
    Sent,
    /// Nothing went in: the queue is full. The chunk waits for room, or (when the policy
    /// gave up on it) was shed with the rest of its burst; either way the producer backs
    /// off once before its next step.
    Full,
    /// The quota is delivered.
    Done,
}

/// One producer's state: its stream, its bursts, and the chunk in flight.
#[derive(Debug)]
struct BurstProducer {
    /// The stream number of every id it sends.
    stream: usize,
    bursts: BurstTable,
    overflow: Overflow,
    /// Messages to deliver in all.
    quota: u64,
    /// The chunk buffer (at most the capacity long); `chunk[sent..filled]` is still to send.
    chunk: Vec<MessageId>,
    sent: usize,
    filled: usize,
    /// Messages of the current burst not yet put in the chunk buffer.
    unfilled: u64,
    /// The sequence number the next message put in the chunk buffer gets.
    next_seq: u64,
    delivered: u64,
    shed: u64,
    /// Tally of every message shed so far.
    shed_tally: Tally,
    /// Waits left for the current burst under [`Overflow::Retry`].
    retries_left: u32,
    /// Steady pattern: every burst is one message, sent with the queue's single-item
    /// operation ([`step_single`](Self::step_single)), no chunk buffer.
    single: bool,
}

impl BurstProducer {
    fn new(plan: &Plan, stream: usize) -> Self {
        let chunk_len = plan.pattern.max_burst(plan.capacity).min(plan.capacity);
        Self {
            stream,
            bursts: BurstTable::new(plan.pattern, plan.capacity, stream as u64),
            overflow: plan.overflow,
            quota: plan.quota,
            chunk: vec![MessageId::default(); chunk_len.max(1)],
            sent: 0,
            filled: 0,
            unfilled: 0,
            next_seq: 0,
            delivered: 0,
            shed: 0,
            shed_tally: Tally::default(),
            retries_left: RETRY_ROUNDS,
            single: plan.pattern == Pattern::Steady,
        }
    }

    /// Tries to move the current chunk into the queue, starting the next burst or chunk
    /// first if the last one is done; applies the overflow policy when the queue is full.
    #[inline]
    fn step<S: Sender<MessageId>>(&mut self, tx: &mut S) -> Step {
        if self.single {
            return self.step_single(tx);
        }
        if self.sent == self.filled {
            if self.unfilled == 0 {
                if self.delivered == self.quota {
                    return Step::Done;
                }
                // A burst never asks for more than the quota still needs.
                let drawn = self.bursts.next_len() as u64;
                self.unfilled = drawn.min(self.quota - self.delivered);
                self.retries_left = RETRY_ROUNDS;
            }
            self.fill_chunk();
        }
        let moved = tx.try_send_burst(&self.chunk[self.sent..self.filled]);
        self.sent += moved;
        self.delivered += moved as u64;
        if self.sent == self.filled {
            return Step::Sent;
        }
        // The queue filled up before the chunk was in.
        match self.overflow {
            Overflow::Block if moved > 0 => Step::Sent,
            Overflow::Block => Step::Full,
            // Drop newest: what did not fit goes, the rest of the burst with it.
            Overflow::Shed => {
                self.shed_rest_of_burst();
                if moved > 0 { Step::Sent } else { Step::Full }
            }
            // Room appeared: try the rest right away, without spending a wait.
            Overflow::Retry if moved > 0 => Step::Sent,
            Overflow::Retry if self.retries_left > 0 => {
                self.retries_left -= 1;
                Step::Full
            }
            Overflow::Retry => {
                self.shed_rest_of_burst();
                Step::Full
            }
        }
    }

    /// [`step`](Self::step) for steady bursts: one-message bursts, each with one single-item
    /// send, under the same overflow policy, up to [`SINGLE_RUN`] of them per step (the
    /// counters stay in registers meanwhile).
    #[inline(always)]
    fn step_single<S: Sender<MessageId>>(&mut self, tx: &mut S) -> Step {
        let (stream, quota) = (self.stream, self.quota);
        let (mut next_seq, mut delivered) = (self.next_seq, self.delivered);
        let limit = delivered.saturating_add(SINGLE_RUN).min(quota);
        while delivered < limit && tx.try_send(MessageId::new(stream, next_seq)) {
            next_seq += 1;
            delivered += 1;
        }
        let sent = delivered > self.delivered;
        (self.next_seq, self.delivered) = (next_seq, delivered);
        if sent {
            self.retries_left = RETRY_ROUNDS;
            return Step::Sent;
        }
        if delivered == quota {
            return Step::Done;
        }
        match self.overflow {
            Overflow::Block => {}
            Overflow::Retry if self.retries_left > 0 => self.retries_left -= 1,
            // Shed, or out of retries: this one-message burst goes.
            Overflow::Shed | Overflow::Retry => {
                self.shed_tally.add(MessageId::new(stream, next_seq));
                self.shed += 1;
                self.next_seq += 1;
                self.retries_left = RETRY_ROUNDS;
            }
        }
        Step::Full
    }

    /// Puts the next chunk of the current burst (at most the buffer's length) in the buffer.
    #[inline]
    fn fill_chunk(&mut self) {
        let len = self.unfilled.min(self.chunk.len() as u64) as usize;
        for (offset, slot) in self.chunk[..len].iter_mut().enumerate() {
            *slot = MessageId::new(self.stream, self.next_seq + offset as u64);
        }
        self.next_seq += len as u64;
        self.unfilled -= len as u64;
        self.sent = 0;
        self.filled = len;
    }

    /// Gives up on the unsent part of the chunk and the rest of the burst: consecutive
    /// sequence numbers, counted and tallied as shed.
    fn shed_rest_of_burst(&mut self) {
        let in_chunk = (self.filled - self.sent) as u64;
        let first = self.next_seq - in_chunk;
        let count = in_chunk + self.unfilled;
        if count <= SHED_TALLY_LOOP_MAX {
            (first..first + count).for_each(|seq| {
                self.shed_tally.add(MessageId::new(self.stream, seq));
            });
        } else {
            self.shed_tally
                .merge(&Tally::of_stream(self.stream, first..first + count));
        }
        self.shed += count;
        self.next_seq = first + count;
        self.unfilled = 0;
        self.sent = 0;
        self.filled = 0;
    }

    fn totals(&self) -> ProducerTotals {
        ProducerTotals {
            attempted: self.next_seq,
            delivered: self.delivered,
            shed: self.shed,
        }
    }
}

/// One consumer's state: its bursts, and the checks on everything it received.
#[derive(Debug)]
struct ValidatingConsumer {
    bursts: BurstTable,
    /// Receive buffer (at most the capacity long: a queue never holds more).
    buffer: Vec<MessageId>,
    /// Length of the burst being waited for; 0 means draw the next one.
    want: usize,
    order: OrderCheck,
    /// Per producer stream: everything received from it.
    tallies: Vec<Tally>,
    received: u64,
    /// Steady pattern: receive one message at a time with the queue's single-item
    /// operation, no buffer.
    single: bool,
}

impl ValidatingConsumer {
    fn new(plan: &Plan, index: usize) -> Self {
        let buffer_len = plan.pattern.max_burst(plan.capacity).min(plan.capacity);
        Self {
            bursts: BurstTable::new(plan.pattern, plan.capacity, RECEIVER_STREAMS + index as u64),
            buffer: vec![MessageId::default(); buffer_len.max(1)],
            want: 0,
            order: if plan.gapless() {
                OrderCheck::gapless(plan.producers)
            } else {
                OrderCheck::increasing(plan.producers)
            },
            tallies: vec![Tally::default(); plan.producers],
            received: 0,
            single: plan.pattern == Pattern::Steady,
        }
    }

    /// Receives one burst (up to its drawn length) and checks every message in it; returns
    /// how many arrived (0: the queue was empty).
    ///
    /// # Errors
    ///
    /// What was wrong with the first invalid message.
    #[inline]
    fn step<R: Receiver<MessageId>>(&mut self, rx: &mut R) -> Result<usize, String> {
        if self.single {
            // Up to SINGLE_RUN one-message bursts, each with one single-item receive.
            let mut count = 0;
            while count < SINGLE_RUN
                && let Some(id) = rx.try_recv()
            {
                self.order.check_one(id, &mut self.tallies)?;
                count += 1;
            }
            self.received += count;
            return Ok(count as usize);
        }
        if self.want == 0 {
            self.want = self.bursts.next_len().min(self.buffer.len());
        }
        let count = rx.try_recv_burst(&mut self.buffer[..self.want]);
        if count == 0 {
            return Ok(0);
        }
        self.want = 0;
        let received = &self.buffer[..count];
        self.order.check_slice(received, &mut self.tallies)?;
        self.received += count as u64;
        Ok(count)
    }
}

/// A producer thread: steps until the quota is delivered, waiting with backoff when the
/// queue is full (and the policy says wait), then counts itself finished.
fn produce<S: Sender<MessageId>>(
    worker: &Worker,
    producer: &mut BurstProducer,
    tx: &mut S,
    finished: &AtomicUsize,
) -> Result<(), Failure> {
    let mut backoff = Backoff::new();
    loop {
        match producer.step(tx) {
            Step::Sent => {
                backoff.reset();
                worker.progress(producer.delivered);
            }
            // Also after a burst was shed whole: a producer that met a full queue and went
            // straight on to its next burst would, with more threads than cores, spin away
            // the time slices its consumer needs (shedding hundreds of millions while
            // delivering thousands), and the run would measure the scheduler, not the queue.
            Step::Full => worker.wait(&mut backoff, || tx.queued())?,
            Step::Done => break,
        }
    }
    // Release: publishes every push before it to the consumers' Acquire load below.
    finished.fetch_add(1, Ordering::Release);
    Ok(())
}

/// A consumer thread: receives and checks bursts until every producer has finished and the
/// queue is drained.
fn consume<R: Receiver<MessageId>>(
    worker: &Worker,
    consumer: &mut ValidatingConsumer,
    rx: &mut R,
    finished: &AtomicUsize,
    producers: usize,
) -> Result<(), Failure> {
    let mut backoff = Backoff::new();
    loop {
        if consumer.step(rx).map_err(|error| worker.fail(error))? > 0 {
            backoff.reset();
            worker.progress(consumer.received);
            continue;
        }
        // Acquire: pairs with each producer's Release bump, so every message is now in the
        // queue or already taken by a consumer, and the queue's own protocol makes the look
        // below see what is left (no queue fails a pop spuriously once pushes are complete).
        if finished.load(Ordering::Acquire) == producers {
            let count = consumer.step(rx).map_err(|error| worker.fail(error))?;
            if count == 0 {
                return Ok(());
            }
            worker.progress(consumer.received);
            continue;
        }
        worker.wait(&mut backoff, || rx.queued())?;
    }
}

/// A thread's state, handed back after the run together with its queue end, so neither is
/// dropped (nor the ring freed) while the clock runs.
enum Report<S, R> {
    Producer(BurstProducer, S),
    Consumer(ValidatingConsumer, R),
}

/// The report of a thread running on queue `Q`.
type ReportOf<Q> = Report<<Q as Queue>::Sender<MessageId>, <Q as Queue>::Receiver<MessageId>>;

/// Runs `plan` on real threads through queue `Q` (one thread per producer and consumer,
/// clock from the barrier to the last join, watchdog on), then checks conservation.
///
/// # Panics
///
/// With `label` and what went wrong: a queue end that cannot be cloned for the topology, an
/// invalid message, a failed check after the run, or a stall.
pub(crate) fn run_threads<Q: Queue>(label: &str, plan: &Plan) -> Outcome {
    plan.check_shape(label);
    let (tx, rx) = Q::channel::<MessageId>(plan.capacity);
    let senders = clone_ends(tx, plan.producers, Sender::try_clone).unwrap_or_else(|| {
        panic!(
            "{label}: {} has a single producer end; it cannot run {} producers",
            Q::NAME,
            plan.producers
        )
    });
    let receivers = clone_ends(rx, plan.consumers, Receiver::try_clone).unwrap_or_else(|| {
        panic!(
            "{label}: {} has a single consumer end; it cannot run {} consumers",
            Q::NAME,
            plan.consumers
        )
    });
    let finished = CachePadded::new(AtomicUsize::new(0));
    let finished = &*finished;
    let producers = plan.producers;

    let mut jobs: Vec<Job<'_, ReportOf<Q>>> = Vec::with_capacity(plan.producers + plan.consumers);
    for (index, (mut producer, mut tx)) in
        plan.burst_producers().into_iter().zip(senders).enumerate()
    {
        jobs.push(Job::new(format!("producer {index}"), move |worker| {
            produce(worker, &mut producer, &mut tx, finished)?;
            Ok(Report::Producer(producer, tx))
        }));
    }
    for (index, (mut consumer, mut rx)) in plan
        .validating_consumers()
        .into_iter()
        .zip(receivers)
        .enumerate()
    {
        jobs.push(Job::new(format!("consumer {index}"), move |worker| {
            consume(worker, &mut consumer, &mut rx, finished, producers)?;
            Ok(Report::Consumer(consumer, rx))
        }));
    }

    let (elapsed, reports) = run(label, jobs);
    let mut burst_producers = Vec::with_capacity(plan.producers);
    let mut consumers = Vec::with_capacity(plan.consumers);
    for report in reports {
        match report {
            Report::Producer(producer, _) => burst_producers.push(producer),
            Report::Consumer(consumer, _) => consumers.push(consumer),
        }
    }
    check(label, plan, elapsed, &burst_producers, &consumers)
}

/// Runs `plan`'s producers and consumers on the calling thread, in turn, through a
/// [`LocalQueue`]: the harness's own cost, with no shared memory at all. Validated like
/// [`run_threads`].
///
/// # Panics
///
/// With `label` and what went wrong, if validation fails.
pub(crate) fn run_alone(label: &str, plan: &Plan) -> Outcome {
    plan.check_shape(label);
    let mut queue = LocalQueue::new(plan.capacity);
    let mut producers = plan.burst_producers();
    let mut consumers = plan.validating_consumers();
    let mut done = vec![false; producers.len()];

    let start = Instant::now();
    loop {
        // Each side runs as its own thread's loop would: a producer until the queue is full
        // (or its quota is in), then the consumers until it is empty.
        for (producer, done) in producers.iter_mut().zip(&mut done) {
            while !*done {
                match producer.step(&mut queue) {
                    Step::Sent => {}
                    Step::Full => break,
                    Step::Done => *done = true,
                }
            }
        }
        for (index, consumer) in consumers.iter_mut().enumerate() {
            while consumer
                .step(&mut queue)
                .unwrap_or_else(|error| panic!("{label}: consumer {index}: {error}"))
                > 0
            {}
        }
        // Nothing left to send and nothing left to take: the queue is drained.
        if queue.is_empty() && done.iter().all(|&done| done) {
            break;
        }
    }
    let elapsed = start.elapsed();
    check(label, plan, elapsed, &producers, &consumers)
}

/// The checks after a run: block sheds nothing, and per producer
/// `attempted = delivered + shed` as checksummed tallies.
///
/// # Panics
///
/// With `label` and the first check that failed.
fn check(
    label: &str,
    plan: &Plan,
    elapsed: Duration,
    producers: &[BurstProducer],
    consumers: &[ValidatingConsumer],
) -> Outcome {
    let mut totals = Vec::with_capacity(producers.len());
    for producer in producers {
        let stream = producer.stream;
        let totals_here = producer.totals();
        if plan.overflow == Overflow::Block && totals_here.shed > 0 {
            panic!(
                "{label}: producer {stream} shed {} messages under the block policy, which \
                 must shed nothing",
                totals_here.shed
            );
        }
        // Delivered (as the consumers saw it) plus shed must be everything attempted.
        let mut accounted = producer.shed_tally;
        for consumer in consumers {
            accounted.merge(&consumer.order.received(stream, &consumer.tallies));
        }
        let attempted = Tally::of_stream(stream, 0..totals_here.attempted);
        let what = format!(
            "producer {stream}: conservation (attempted = delivered + shed) with {} attempted \
             and {} shed",
            totals_here.attempted, totals_here.shed
        );
        if let Err(error) = accounted.expect(&attempted, &what) {
            panic!("{label}: {error}");
        }
        totals.push(totals_here);
    }
    Outcome {
        elapsed,
        producers: totals,
    }
}

/// `count` ends of a queue: `first` and clones of it, or `None` if it cannot be cloned.
pub(crate) fn clone_ends<E>(
    first: E,
    count: usize,
    clone: impl Fn(&E) -> Option<E>,
) -> Option<Vec<E>> {
    let mut ends = Vec::with_capacity(count);
    for _ in 1..count {
        ends.push(clone(&first)?);
    }
    ends.push(first);
    Some(ends)
}

/// A trivial non-shared bounded queue of message ids, both ends in one value: a
/// power-of-two array and two plain indices, no atomics and no allocation after creation.
/// The single-threaded harness runs through it, so what it measures is the harness's cost.
#[derive(Debug)]
struct LocalQueue {
    /// At least `capacity` slots, a power of two so an index wraps with the mask
    /// `slots.len() - 1` (computed where used, which lets the compiler drop bounds checks).
    slots: Box<[MessageId]>,
    /// Messages pushed so far; the next push goes to `tail & (slots.len() - 1)`.
    tail: usize,
    /// Messages popped so far; `tail - head` are queued, never more than `capacity`.
    head: usize,
    capacity: usize,
}

impl LocalQueue {
    fn new(capacity: usize) -> Self {
        let len = capacity.next_power_of_two();
        Self {
            slots: vec![MessageId::default(); len].into_boxed_slice(),
            tail: 0,
            head: 0,
            capacity,
        }
    }

    fn is_empty(&self) -> bool {
        self.tail == self.head
    }
}

impl LocalQueue {
    /// The slot range `start..start + len` (indices before wrapping) as at most two
    /// contiguous pieces of `slots`: the part up to the array's end, then the part from its
    /// start.
    #[inline]
    fn pieces(&self, start: usize, len: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let at = start & (self.slots.len() - 1);
        let first = len.min(self.slots.len() - at);
        (at..at + first, 0..len - first)
    }
}

impl Sender<MessageId> for LocalQueue {
    #[inline]
    fn try_send(&mut self, message: MessageId) -> bool {
        if self.tail - self.head == self.capacity {
            return false;
        }
        self.slots[self.tail & (self.slots.len() - 1)] = message;
        self.tail += 1;
        true
    }
    #[inline]
    fn try_send_burst(&mut self, burst: &[MessageId]) -> usize {
        let count = burst.len().min(self.capacity - (self.tail - self.head));
        let (end_piece, start_piece) = self.pieces(self.tail, count);
        let split = end_piece.len();
        self.slots[end_piece].copy_from_slice(&burst[..split]);
        self.slots[start_piece].copy_from_slice(&burst[split..count]);
        self.tail += count;
        count
    }
}

impl Receiver<MessageId> for LocalQueue {
    #[inline]
    fn try_recv(&mut self) -> Option<MessageId> {
        if self.tail == self.head {
            return None;
        }
        let message = self.slots[self.head & (self.slots.len() - 1)];
        self.head += 1;
        Some(message)
    }
    #[inline]
    fn try_recv_burst(&mut self, out: &mut [MessageId]) -> usize {
        let count = out.len().min(self.tail - self.head);
        let (end_piece, start_piece) = self.pieces(self.head, count);
        let split = end_piece.len();
        out[..split].copy_from_slice(&self.slots[end_piece]);
        out[split..count].copy_from_slice(&self.slots[start_piece]);
        self.head += count;
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stress::queue::RingMpmc;

    fn plan(overflow: Overflow, capacity: usize, pattern: Pattern, quota: u64) -> Plan {
        Plan {
            producers: 2,
            consumers: 1,
            capacity,
            pattern,
            overflow,
            quota,
        }
    }

    #[test]
    fn a_shedding_producer_accounts_for_every_sequence_number() {
        // Nobody consumes: after the queue fills, every further burst is shed whole.
        let plan = plan(Overflow::Shed, 4, Pattern::Uniform, 10);
        let mut producer = BurstProducer::new(&plan, 1);
        let (mut tx, _rx) = RingMpmc::channel::<MessageId>(4);
        let mut steps = 0;
        while producer.delivered < 4 || steps < 20 {
            producer.step(&mut tx);
            steps += 1;
        }
        let totals = producer.totals();
        assert_eq!(totals.delivered, 4);
        assert_eq!(totals.attempted, totals.delivered + totals.shed);
        let mut accounted = producer.shed_tally;
        accounted.merge(&Tally::of_stream(1, 0..4));
        assert_eq!(accounted, Tally::of_stream(1, 0..totals.attempted));
    }

    #[test]
    fn a_retrying_producer_waits_its_rounds_then_sheds() {
        let plan = plan(Overflow::Retry, 2, Pattern::Steady, 10);
        let mut producer = BurstProducer::new(&plan, 0);
        let (mut tx, _rx) = RingMpmc::channel::<MessageId>(2);
        // One steady step sends message after message until the ring is full.
        assert_eq!(producer.step(&mut tx), Step::Sent);
        assert_eq!(producer.totals().delivered, 2);
        for _ in 0..RETRY_ROUNDS {
            assert_eq!(producer.step(&mut tx), Step::Full);
        }
        // Out of retries: the message is shed, and the producer still backs off once.
        assert_eq!(producer.step(&mut tx), Step::Full);
        assert_eq!(producer.totals().shed, 1);
        assert_eq!(producer.totals().attempted, 3);
    }

    #[test]
    fn the_local_queue_is_a_bounded_fifo() {
        let ids: Vec<MessageId> = (0..6).map(|seq| MessageId::new(0, seq)).collect();
        let mut queue = LocalQueue::new(3);
        assert_eq!(queue.try_send_burst(&ids[..4]), 3);
        let mut out = [MessageId::default(); 4];
        assert_eq!(queue.try_recv_burst(&mut out[..2]), 2);
        assert_eq!(out[..2], ids[..2]);
        assert_eq!(queue.try_send_burst(&ids[3..]), 2);
        assert_eq!(queue.try_recv_burst(&mut out), 3);
        assert_eq!(out[..3], ids[2..5]);
        assert!(queue.is_empty());
    }
}
