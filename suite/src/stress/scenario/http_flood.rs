//! HTTP flood: a request/response pipeline under an IO-like flood.
//!
//! **What it stresses.** Two queues working against each other. An *acceptor* thread sends
//! 64-byte [`Request`]s in bursts to the workers on a request queue; each *worker* parses
//! every request (a simulated, deterministic processing delay of tens of nanoseconds,
//! [`simulate_parse`]: hashing the request's header words a seeded number of rounds, not a
//! sleep, so the channels stay what is measured) and sends a 16-byte [`Response`] back on a
//! response queue. The acceptor must keep draining responses while it sends: after every
//! request burst, and whenever the request queue is full, it drains what has arrived. So
//! when both directions fill (capacity 1 is the sharpest case) the workers always get room
//! for their responses, and the pipeline cannot deadlock.
//!
//! **Topologies** ([`Topology`]: a worker count, one Criterion group each; the bench file
//! runs [`Topology::ALL`], 1 and 2 workers):
//!
//! - `http_flood/1-worker`: acceptor + 1 worker, so both queues are single-producer
//!   single-consumer; every implementation fits (our SPSC and MPMC rings, rtrb,
//!   crossbeam-queue, crossbeam-channel, std-mpsc).
//! - `http_flood/2-workers` (and `<n>-workers` alike): acceptor + 2 (n) workers sharing
//!   *one* request queue (2 consumers) and *one* response queue (2 producers), like a server's worker pool taking requests
//!   off a shared accept queue. We chose the shared queues over one SPSC pair per worker
//!   (with the acceptor dealing requests round-robin) because they are what the topology
//!   looks like in real servers, they balance load by themselves (a worker parsing a
//!   costly request does not hold up requests dealt to it), and they stress the
//!   multi-producer and multi-consumer paths, which a pair per worker would merely repeat
//!   from the 1-worker group. Only queues whose ends clone fit: our MPMC ring,
//!   crossbeam-queue and crossbeam-channel.
//!
//! **What it validates.** Each request is answered exactly once: the acceptor keeps a bitmap
//! of answered request ids (allocated before the clock starts), so a duplicated response
//! fails at once, naming the request, and once every worker has finished, a response still
//! missing fails the run as lost. Each response must match its request: its value must equal
//! [`Response::answer`] of the request, which the acceptor recomputes from the id. Workers
//! check each request's payload checksum (corruption in transit) and its order: with one
//! worker, requests must arrive gapless (0, 1, 2, …) and responses must come back in that
//! order too; with more, each worker must see strictly increasing ids (a FIFO queue with one
//! producer hands each consumer an increasing subsequence).
//!
//! **Counting.** `run`'s count is the number of requests. A request and its response are
//! two messages delivered, so a unit is 2 messages; the bench runs `capacity` requests per
//! iteration (see `benches/case`) and the reports read in messages per second.

use std::fmt;
use std::hint::black_box;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::stress::burst::{BurstTable, Pattern, RECEIVER_STREAMS};
use crate::stress::grid::parameter;
use crate::stress::latency::{Latencies, NoProbe, Probe, SAMPLE_EVERY, Sampler};
use crate::stress::queue::{Queue, Receiver, Sender};
use crate::stress::run::{Failure, Job, Worker, run as run_jobs};
use crate::stress::scenario::harness::clone_ends;
use crate::stress::validate::{MessageId, OrderCheck};
use ringstress::wait::Backoff;

/// Criterion samples per benchmark of this scenario (set by its bench file; the soak test
/// derives its load from these three).
pub const SAMPLE_SIZE: usize = 10;
/// Criterion warm-up time per benchmark of this scenario.
pub const WARM_UP_TIME: Duration = Duration::from_millis(300);
/// Criterion measurement time per benchmark of this scenario.
pub const MEASUREMENT_TIME: Duration = Duration::from_millis(1000);

/// The acceptor's stream number: request ids are `MessageId::new(ACCEPTOR, seq)`.
const ACCEPTOR: usize = 0;
// Burst-length streams: senders use their job index (the acceptor is job 0, worker `w` is
// job `1 + w`), receivers `RECEIVER_STREAMS + job index`.

/// Seed of the request contents (and so of each request's parse cost).
const REQUEST_SEED: u64 = 0x4854_5450_F100_D5EE;
/// Seed the simulated parse starts from.
const PARSE_SEED: u64 = 0x9A25_E5EE_D000_0001;
/// Seed of a response's value.
const ANSWER_SEED: u64 = 0x2E59_0115_E000_0001;

/// How many worker threads serve the acceptor: a count, not a fixed list, so a run can ask
/// for any (its text form, `1-worker` or `<n>-workers`, is what [`Topology::group`] names
/// and [`FromStr`] reads).
///
/// ```
/// use ringstress_suite::stress::scenario::http_flood::Topology;
///
/// assert_eq!(Topology::ALL.map(|t| t.workers), [1, 2]);
/// assert_eq!(Topology { workers: 3 }.group(), "http_flood/3-workers");
/// assert_eq!("2-workers".parse(), Ok(Topology { workers: 2 }));
/// assert!("2-worker".parse::<Topology>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Topology {
    /// Worker threads (at least 1). One worker makes both queues single-producer
    /// single-consumer; more share one request queue and one response queue.
    pub workers: usize,
}

impl Topology {
    /// The topologies the bench file runs, in report order: 1 and 2 workers.
    pub const ALL: [Topology; 2] = [Topology { workers: 1 }, Topology { workers: 2 }];

    /// The Criterion group of this topology: `http_flood/1-worker`, `http_flood/2-workers`,
    /// `http_flood/<n>-workers`.
    pub fn group(self) -> String {
        format!("http_flood/{self}")
    }
}

/// `1-worker`, or `<n>-workers` for more than one.
impl fmt::Display for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.workers {
            1 => f.write_str("1-worker"),
            n => write!(f, "{n}-workers"),
        }
    }
}

/// Text that is not a [`Topology`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTopology(pub String);

impl fmt::Display for UnknownTopology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown http_flood topology {:?} (expected 1-worker, or <n>-workers with n \
             from 2 up written without leading zeros, e.g. 2-workers)",
            self.0
        )
    }
}

impl std::error::Error for UnknownTopology {}

/// Reads what [`Display`](fmt::Display) writes: `1-worker`, or `<n>-workers` with `n ≥ 2`
/// in plain decimal digits (no sign, no leading zero). Surrounding spaces and letter case
/// are ignored, as for burst patterns; `0-workers`, `1-workers` and `2-worker` are refused.
impl FromStr for Topology {
    type Err = UnknownTopology;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownTopology(text.to_owned());
        let lower = text.trim().to_ascii_lowercase();
        let (count, one) = match lower.strip_suffix("-workers") {
            Some(count) => (count, false),
            None => (lower.strip_suffix("-worker").ok_or_else(unknown)?, true),
        };
        let plain = !count.is_empty()
            && count.bytes().all(|byte| byte.is_ascii_digit())
            && !count.starts_with('0');
        let workers: usize = match count.parse() {
            Ok(workers) if plain => workers,
            _ => return Err(unknown()),
        };
        if (workers == 1) != one {
            return Err(unknown());
        }
        Ok(Topology { workers })
    }
}

/// One HTTP-flood case: topology, capacity of both queues and burst pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How many workers, sharing which queues.
    pub topology: Topology,
    /// Capacity of the request queue and of the response queue.
    pub capacity: usize,
    /// Burst lengths of every sender and receiver.
    pub pattern: Pattern,
}

/// One HTTP request as an acceptor hands it to a worker: the parsed-enough header of a real
/// one, exactly 64 bytes (one cache line), `Copy`.
///
/// Its contents are a pure function of its id ([`Request::for_id`]), so the acceptor can
/// recompute any request, and so the expected response, from the id alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Request {
    /// Which request this is (stream = the acceptor, seq = its number).
    pub id: MessageId,
    /// Hash of the request path.
    pub route: u64,
    /// Hash of the `Host` header.
    pub host: u64,
    /// The client's address: IPv4 address and port, packed.
    pub client: u64,
    /// Hash of the session cookie.
    pub session: u64,
    /// Hash of the `Accept` header.
    pub accept: u64,
    /// Length of the body, from `Content-Length`.
    pub content_length: u32,
    /// Number of header lines; parsing costs one round per header.
    pub header_count: u16,
    /// The method: 0 GET, 1 POST, 2 PUT, 3 DELETE.
    pub method: u16,
    /// Checksum of every field above, set by the acceptor; workers verify it.
    pub payload_checksum: u64,
}

// The scenario promises a realistic 64-byte request; keep it exactly that.
const _: () = assert!(std::mem::size_of::<Request>() == 64);

/// A worker's answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Response {
    /// The id of the request answered.
    pub id: MessageId,
    /// A value computed from the whole request ([`Response::answer`]).
    pub value: u64,
}

/// FNV-1a, for the constant header hashes below.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xCBF2_9CE4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01B3);
        i += 1;
    }
    hash
}

/// A few paths, hosts and `Accept` values: real traffic repeats them.
const ROUTES: [u64; 8] = [
    fnv1a(b"/"),
    fnv1a(b"/index.html"),
    fnv1a(b"/api/v1/users"),
    fnv1a(b"/api/v1/orders"),
    fnv1a(b"/static/app.js"),
    fnv1a(b"/static/style.css"),
    fnv1a(b"/login"),
    fnv1a(b"/health"),
];
const HOSTS: [u64; 4] = [
    fnv1a(b"example.com"),
    fnv1a(b"api.example.com"),
    fnv1a(b"cdn.example.com"),
    fnv1a(b"localhost:8080"),
];
const ACCEPTS: [u64; 4] = [
    fnv1a(b"*/*"),
    fnv1a(b"text/html"),
    fnv1a(b"application/json"),
    fnv1a(b"image/webp"),
];

/// Odd multipliers of the checksum, one per checksummed word.
const CHECKSUM_KEYS: [u64; 7] = [
    0x9E37_79B9_7F4A_7C15,
    0xC2B2_AE3D_27D4_EB4F,
    0x1656_67B1_9E37_79F9,
    0x85EB_CA77_C2B2_AE63,
    0x27D4_EB2F_1656_67C5,
    0xFF51_AFD7_ED55_8CCD,
    0xC4CE_B9FE_1A85_EC53,
];

/// The splitmix64 finaliser: a cheap, well-mixing bijection.
#[inline(always)]
const fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Request {
    /// The request with id `id`: every field is derived from the id and a fixed seed.
    ///
    /// ```
    /// use ringstress_suite::stress::scenario::http_flood::Request;
    /// use ringstress_suite::stress::validate::MessageId;
    ///
    /// let request = Request::for_id(MessageId::new(0, 42));
    /// assert_eq!(request, Request::for_id(MessageId::new(0, 42)));
    /// assert_eq!(request.payload_checksum, request.checksum());
    /// assert!((4..=11).contains(&request.header_count));
    /// ```
    #[inline(always)]
    pub fn for_id(id: MessageId) -> Self {
        let bits = mix64(id.0 ^ REQUEST_SEED);
        let more = mix64(bits);
        let mut request = Request {
            id,
            route: ROUTES[(bits & 7) as usize],
            host: HOSTS[((bits >> 3) & 3) as usize],
            client: more & 0x0000_FFFF_FFFF_FFFF,
            session: more ^ bits.rotate_left(29),
            accept: ACCEPTS[((bits >> 5) & 3) as usize],
            content_length: ((bits >> 8) & 0x1FFF) as u32,
            header_count: 4 + ((bits >> 21) & 7) as u16,
            method: ((bits >> 24) & 3) as u16,
            payload_checksum: 0,
        };
        request.payload_checksum = request.checksum();
        request
    }

    /// The request's words as a parser would walk them (checksum last).
    #[inline(always)]
    fn words(&self) -> [u64; 8] {
        let small = self.content_length as u64
            | (self.header_count as u64) << 32
            | (self.method as u64) << 48;
        [
            self.id.0,
            self.route,
            self.host,
            self.client,
            self.session,
            self.accept,
            small,
            self.payload_checksum,
        ]
    }

    /// The checksum of every field except `payload_checksum` itself.
    #[inline(always)]
    pub fn checksum(&self) -> u64 {
        let words = self.words();
        let mut sum = 0u64;
        for (word, key) in words.iter().zip(CHECKSUM_KEYS) {
            sum = sum.wrapping_add((word ^ (key >> 7)).wrapping_mul(key));
        }
        sum
    }
}

/// The worker's simulated processing of one request: one round of hashing per header line
/// (4 to 11 rounds, fixed by the request's seeded contents), each round a dependent
/// multiply-xor step over the next header word, so the cost is a few tens of nanoseconds
/// and the same for every implementation. Deterministic, never a sleep: it models the CPU
/// time of parsing one request, so the queues stay what is measured.
///
/// ```
/// use ringstress_suite::stress::scenario::http_flood::{simulate_parse, Request};
/// use ringstress_suite::stress::validate::MessageId;
///
/// let request = Request::for_id(MessageId::new(0, 7));
/// assert_eq!(simulate_parse(&request), simulate_parse(&request));
/// ```
#[inline(always)]
pub fn simulate_parse(request: &Request) -> u64 {
    let words = request.words();
    let mut state = PARSE_SEED ^ request.id.0;
    for round in 0..request.header_count as usize {
        state = (state ^ words[round % words.len()]).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        state ^= state >> 29;
    }
    state
}

impl Response {
    /// The response to `request`: its id and a value computed from every field of it
    /// (through its checksum), which the acceptor recomputes to check the answer.
    ///
    /// ```
    /// use ringstress_suite::stress::scenario::http_flood::{Request, Response};
    /// use ringstress_suite::stress::validate::MessageId;
    ///
    /// let request = Request::for_id(MessageId::new(0, 3));
    /// assert_eq!(Response::answer(&request).id, request.id);
    /// ```
    #[inline(always)]
    pub fn answer(request: &Request) -> Self {
        Response {
            id: request.id,
            value: mix64(request.payload_checksum ^ ANSWER_SEED),
        }
    }
}

/// Runs one HTTP flood of `iters` requests and returns the time it took, from the moment
/// the acceptor and workers are lined up to the moment the last one finishes. What
/// Criterion's clocked runs call: [`run_probed`] with [`NoProbe`], which times nothing and
/// compiles away.
///
/// # Panics
///
/// If `capacity` is 0, if the topology needs cloned ends the queue cannot give (e.g. two
/// consumers of an SPSC ring), or with a message saying what went wrong if a request or
/// response was lost, duplicated, reordered or corrupted, a response did not match its
/// request, or the run stalled (the watchdog's diagnostic).
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::queue::RingMpmc;
/// use ringstress_suite::stress::scenario::http_flood::{run, Config, Topology};
///
/// for topology in Topology::ALL {
///     let config = Config { topology, capacity: 64, pattern: Pattern::Avalanche };
///     let elapsed = run::<RingMpmc>(&config, 10_000);
///     assert!(elapsed.as_secs() < 60);
/// }
/// ```
pub fn run<Q: Queue>(config: &Config, iters: u64) -> Duration {
    run_probed::<Q, NoProbe>(config, iters, NoProbe)
}

/// The fewest requests a latency pass sends ([`latency_requests`]): 2^18, so a pass takes
/// well under a second on the slowest cell (about 0.2 s at 1.4M requests/s, two workers on
/// crossbeam-channel at steady bursts) and a few milliseconds on the fastest, and yields
/// 16,384 samples at one in [`SAMPLE_EVERY`].
pub const LATENCY_REQUESTS: u64 = 1 << 18;

/// Bursts of one capacity's worth a latency pass spans at least, when bursts are long.
pub const LATENCY_CAPACITIES: u64 = 32;

/// Requests the latency pass of `config` sends: [`LATENCY_REQUESTS`], or, under uniform
/// and avalanche bursts, [`LATENCY_CAPACITIES`] times the capacity when that is more. At
/// capacity 65536 a burst moves tens of thousands of requests, and 2^18 of them would be a
/// handful of bursts; 32 capacities are dozens, about 0.2 s on the slowest such cell
/// (10M requests/s). Steady bursts move one request each, so the capacity does not matter.
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::scenario::http_flood::{latency_requests, Config, Topology};
///
/// let config = |capacity, pattern| Config { topology: Topology { workers: 1 }, capacity, pattern };
/// assert_eq!(latency_requests(&config(1024, Pattern::Uniform)), 1 << 18);
/// assert_eq!(latency_requests(&config(65536, Pattern::Steady)), 1 << 18);
/// assert_eq!(latency_requests(&config(65536, Pattern::Avalanche)), 1 << 21);
/// ```
pub fn latency_requests(config: &Config) -> u64 {
    match config.pattern {
        Pattern::Steady => LATENCY_REQUESTS,
        Pattern::Uniform | Pattern::Avalanche => {
            LATENCY_REQUESTS.max(LATENCY_CAPACITIES.saturating_mul(config.capacity as u64))
        }
    }
}

/// The latency pass of one case: a flood of `requests` requests, validated like any run,
/// with every [`SAMPLE_EVERY`]th request timed from its send to its response (see
/// [`crate::stress::latency`]). The bench file runs it off Criterion's clock, after
/// Criterion has measured the case, with [`latency_requests`] requests.
///
/// # Panics
///
/// As [`run`].
///
/// ```
/// use ringstress_suite::stress::burst::Pattern;
/// use ringstress_suite::stress::latency::SAMPLE_EVERY;
/// use ringstress_suite::stress::queue::RingSpsc;
/// use ringstress_suite::stress::scenario::http_flood::{latency_pass, Config, Topology};
///
/// let config = Config { topology: Topology { workers: 1 }, capacity: 64, pattern: Pattern::Uniform };
/// let latencies = latency_pass::<RingSpsc>(&config, 1000);
/// assert_eq!(latencies.count(), 1000u64.div_ceil(SAMPLE_EVERY));
/// let p = latencies.percentiles();
/// assert!(0 < p.p50 && p.p50 <= p.p99 && p.p99 <= p.p99_9 && p.p99_9 <= p.max);
/// ```
pub fn latency_pass<Q: Queue>(config: &Config, requests: u64) -> Latencies {
    let mut sampler = Sampler::new(requests, SAMPLE_EVERY);
    run_probed::<Q, _>(config, requests, &mut sampler);
    sampler.into_latencies()
}

/// [`run`] with `probe` told where requests go into the request queue and responses come
/// back ([`Probe`]): [`NoProbe`] for the clocked runs, a [`Sampler`] for the latency pass.
/// The same driver either way, so the latency pass validates exactly like a clocked run.
/// The acceptor holds `probe` by value: [`NoProbe`] takes no room and no instruction, so
/// the clocked code is the same as without it; a probe whose results are wanted afterwards
/// is lent (`&mut sampler`: a `&mut` of a probe is a probe).
///
/// # Panics
///
/// As [`run`].
pub fn run_probed<Q: Queue, P: Probe + Send>(config: &Config, iters: u64, probe: P) -> Duration {
    assert!(
        config.capacity > 0,
        "http_flood: capacity must be at least 1"
    );
    let workers = config.topology.workers;
    assert!(workers > 0, "http_flood: a run needs at least one worker");
    let scenario = format!(
        "{} {} {}",
        config.topology.group(),
        Q::NAME,
        parameter(config.capacity, config.pattern)
    );
    let (request_tx, request_rx) = Q::channel::<Request>(config.capacity);
    let (response_tx, response_rx) = Q::channel::<Response>(config.capacity);
    let cannot = |what: &str| -> String {
        format!(
            "http_flood: {} cannot have {workers} {what} ({} needs cloned ends)",
            Q::NAME,
            config.topology.group()
        )
    };
    let request_rxs = clone_ends(request_rx, workers, Receiver::try_clone)
        .unwrap_or_else(|| panic!("{}", cannot("consumers")));
    let response_txs = clone_ends(response_tx, workers, Sender::try_clone)
        .unwrap_or_else(|| panic!("{}", cannot("producers")));

    let shared = Shared {
        all_sent: AtomicBool::new(false),
        workers_finished: AtomicUsize::new(0),
        workers,
    };
    let shared = &shared;
    let mut acceptor = Acceptor::<Q, P>::new(config, iters, request_tx, response_rx, probe);
    let mut jobs = vec![Job::new("acceptor", move |worker: &Worker| {
        acceptor.serve(worker, shared)
    })];
    for (index, (requests, responses)) in request_rxs.into_iter().zip(response_txs).enumerate() {
        let mut server = Server::<Q>::new(config, index, requests, responses);
        jobs.push(Job::new(
            format!("worker {index}"),
            move |worker: &Worker| server.serve(worker, shared),
        ));
    }
    let (elapsed, counts) = run_jobs(&scenario, jobs);
    // Outside the timed region: the acceptor saw every request answered (it checked each
    // one), and the workers between them processed each request once.
    let answered = counts[0];
    let processed: u64 = counts[1..].iter().sum();
    assert!(
        answered == iters && processed == iters,
        "http_flood: {scenario}: {iters} requests sent, {processed} processed by the \
         workers, {answered} answers received (lost or duplicated)"
    );
    elapsed
}

/// What the acceptor and the workers share besides the queues.
struct Shared {
    /// Set (Release) by the acceptor after its last request send: a worker that sees it
    /// (Acquire) and then finds the request queue empty knows no request will come.
    all_sent: AtomicBool,
    /// Workers that have sent their last response (incremented with Release).
    workers_finished: AtomicUsize,
    workers: usize,
}

/// The acceptor's state: its queue ends, burst tables, buffers and the answered-bitmap, all
/// made before the clock starts, and the probe it tells about sends and receives.
struct Acceptor<Q: Queue, P: Probe> {
    requests: Q::Sender<Request>,
    responses: Q::Receiver<Response>,
    iters: u64,
    /// One worker: responses must come back in request order.
    in_order: bool,
    /// Burst lengths, drawn before the clock starts (one load per burst on it).
    send_bursts: BurstTable,
    recv_bursts: BurstTable,
    /// The chunk of requests being sent; at most the capacity long.
    request_buf: Vec<Request>,
    /// Where responses land; at most the capacity long.
    response_buf: Vec<Response>,
    /// Bit `seq` is set once request `seq` has been answered.
    answered: Vec<u64>,
    sent: u64,
    received: u64,
    /// Told right before and after each send call and right after each receive call.
    probe: P,
}

impl<Q: Queue, P: Probe> Acceptor<Q, P> {
    fn new(
        config: &Config,
        iters: u64,
        requests: Q::Sender<Request>,
        responses: Q::Receiver<Response>,
        probe: P,
    ) -> Self {
        let longest = config
            .pattern
            .max_burst(config.capacity)
            .min(config.capacity);
        let bitmap_words = usize::try_from(iters.div_ceil(64)).expect("iters fits in memory");
        Self {
            requests,
            responses,
            iters,
            in_order: config.topology.workers == 1,
            send_bursts: BurstTable::new(config.pattern, config.capacity, 0),
            recv_bursts: BurstTable::new(config.pattern, config.capacity, RECEIVER_STREAMS),
            request_buf: vec![Request::default(); longest],
            response_buf: vec![Response::default(); longest],
            answered: vec![0; bitmap_words],
            sent: 0,
            received: 0,
            probe,
        }
    }

    /// Sends every request in bursts, draining responses between bursts and whenever the
    /// request queue is full; then drains the rest. Returns how many answers arrived.
    fn serve(&mut self, worker: &Worker, shared: &Shared) -> Result<u64, Failure> {
        let mut backoff = Backoff::new();
        while self.sent < self.iters {
            let drawn = self.send_bursts.next_len() as u64;
            let mut left = drawn.min(self.iters - self.sent);
            while left > 0 {
                let chunk = (left as usize).min(self.request_buf.len());
                for (offset, request) in self.request_buf[..chunk].iter_mut().enumerate() {
                    *request = Request::for_id(MessageId::new(ACCEPTOR, self.sent + offset as u64));
                }
                let mut offset = 0;
                while offset < chunk {
                    self.probe
                        .offering(self.sent + offset as u64, chunk - offset);
                    let accepted = self
                        .requests
                        .try_send_burst(&self.request_buf[offset..chunk]);
                    self.probe.accepted(accepted);
                    offset += accepted;
                    if offset < chunk {
                        // Full: the workers may be waiting for room to answer. Make it.
                        let drained = self.drain(worker)?;
                        if accepted == 0 && drained == 0 {
                            worker.wait(&mut backoff, || self.requests.queued())?;
                        } else {
                            backoff.reset();
                        }
                    }
                }
                self.sent += chunk as u64;
                left -= chunk as u64;
                worker.progress(self.sent + self.received);
            }
            // After each burst, take in what has been answered meanwhile.
            self.drain(worker)?;
        }
        shared.all_sent.store(true, Ordering::Release);

        while self.received < self.iters {
            if self.drain(worker)? > 0 {
                backoff.reset();
                continue;
            }
            // Acquire: every response of a finished worker is in the queue by now.
            if shared.workers_finished.load(Ordering::Acquire) == shared.workers {
                if self.drain(worker)? == 0 {
                    return Err(worker.fail(self.missing_answers()));
                }
                continue;
            }
            worker.wait(&mut backoff, || self.responses.queued())?;
        }
        Ok(self.received)
    }

    /// Receives and checks every response available right now; returns how many.
    #[inline]
    fn drain(&mut self, worker: &Worker) -> Result<u64, Failure> {
        let mut total = 0;
        loop {
            let len = self.recv_bursts.next_len().min(self.response_buf.len());
            let got = self.responses.try_recv_burst(&mut self.response_buf[..len]);
            self.probe
                .answered(&self.response_buf, got, |response| response.id.seq());
            for index in 0..got {
                let response = self.response_buf[index];
                self.check(response)
                    .map_err(|message| worker.fail(message))?;
                self.received += 1;
            }
            total += got as u64;
            if got < len {
                break;
            }
        }
        if total > 0 {
            worker.progress(self.sent + self.received);
        }
        Ok(total)
    }

    /// Checks one response: a request that was sent, answered once, in order when there is
    /// one worker, with the value its request calls for.
    #[inline(always)]
    fn check(&mut self, response: Response) -> Result<(), String> {
        let id = response.id;
        let seq = id.seq();
        if id.stream() != ACCEPTOR || seq >= self.iters {
            return Err(format!(
                "response names request {id:?}, which was never sent (corrupted)"
            ));
        }
        let (word, bit) = ((seq / 64) as usize, 1u64 << (seq % 64));
        if self.answered[word] & bit != 0 {
            return Err(format!("request {seq} answered twice (duplicated)"));
        }
        self.answered[word] |= bit;
        if self.in_order && seq != self.received {
            let what = if seq > self.received {
                "lost"
            } else {
                "reordered"
            };
            return Err(format!(
                "responses out of order: expected the answer to request {}, got {seq} ({what})",
                self.received
            ));
        }
        let expected = Response::answer(&Request::for_id(id)).value;
        if response.value != expected {
            return Err(format!(
                "the answer to request {seq} carries {:#018x}, its request calls for \
                 {expected:#018x} (mismatched or corrupted)",
                response.value
            ));
        }
        Ok(())
    }

    /// The failure message when every worker has finished and answers are missing.
    fn missing_answers(&self) -> String {
        let first = (0..self.iters)
            .find(|&seq| self.answered[(seq / 64) as usize] & (1 << (seq % 64)) == 0)
            .unwrap_or(self.iters);
        format!(
            "{} of {} requests were never answered (lost); the first is request {first}",
            self.iters - self.received,
            self.iters
        )
    }
}

/// A worker's state: its queue ends, burst table (drawn before the clock starts), buffers
/// and order check.
struct Server<Q: Queue> {
    requests: Q::Receiver<Request>,
    responses: Q::Sender<Response>,
    recv_bursts: BurstTable,
    request_buf: Vec<Request>,
    response_buf: Vec<Response>,
    order: OrderCheck,
}

impl<Q: Queue> Server<Q> {
    fn new(
        config: &Config,
        index: usize,
        requests: Q::Receiver<Request>,
        responses: Q::Sender<Response>,
    ) -> Self {
        let longest = config
            .pattern
            .max_burst(config.capacity)
            .min(config.capacity);
        // One worker sees every request: gapless. Several share them: each sees an
        // increasing subsequence.
        let order = if config.topology.workers == 1 {
            OrderCheck::gapless(1)
        } else {
            OrderCheck::increasing(1)
        };
        Self {
            requests,
            responses,
            recv_bursts: BurstTable::new(
                config.pattern,
                config.capacity,
                RECEIVER_STREAMS + 1 + index as u64,
            ),
            request_buf: vec![Request::default(); longest],
            response_buf: vec![Response::default(); longest],
            order,
        }
    }

    /// Takes requests in bursts, checks and parses each, answers the burst; stops once the
    /// acceptor has sent everything and the request queue is empty. Returns how many
    /// requests it processed.
    fn serve(&mut self, worker: &Worker, shared: &Shared) -> Result<u64, Failure> {
        let mut processed = 0;
        let mut backoff = Backoff::new();
        // True once `all_sent` was seen: from then on an empty request queue is final.
        let mut no_more_requests = false;
        loop {
            let len = self.recv_bursts.next_len().min(self.request_buf.len());
            let got = self.requests.try_recv_burst(&mut self.request_buf[..len]);
            if got == 0 {
                if no_more_requests {
                    break;
                }
                if shared.all_sent.load(Ordering::Acquire) {
                    // Poll once more: now an empty queue means every request was taken.
                    no_more_requests = true;
                } else {
                    worker.wait(&mut backoff, || self.requests.queued())?;
                }
                continue;
            }
            backoff.reset();
            for index in 0..got {
                let request = self.request_buf[index];
                self.check(&request)
                    .map_err(|message| worker.fail(message))?;
                black_box(simulate_parse(&request));
                self.response_buf[index] = Response::answer(&request);
            }
            // Answer the burst, waiting while the response queue is full: the acceptor
            // drains it even while its own sends are blocked, so room comes.
            let mut offset = 0;
            while offset < got {
                let accepted = self
                    .responses
                    .try_send_burst(&self.response_buf[offset..got]);
                if accepted == 0 {
                    worker.wait(&mut backoff, || self.responses.queued())?;
                } else {
                    offset += accepted;
                    backoff.reset();
                }
            }
            processed += got as u64;
            worker.progress(processed);
        }
        // Release: our responses are all in the queue before the acceptor counts us out.
        shared.workers_finished.fetch_add(1, Ordering::Release);
        Ok(processed)
    }

    /// Checks one request: in order for this worker, and intact.
    #[inline(always)]
    fn check(&mut self, request: &Request) -> Result<(), String> {
        if request.id.stream() != ACCEPTOR {
            return Err(format!(
                "request {:?} was never sent (corrupted)",
                request.id
            ));
        }
        if let Err(message) = self.order.check(request.id) {
            return Err(format!("request order broken: {message}"));
        }
        if request.payload_checksum != request.checksum() {
            return Err(format!(
                "request {:?} arrived corrupted (checksum {:#018x}, its fields \
                 sum to {:#018x})",
                request.id,
                request.payload_checksum,
                request.checksum()
            ));
        }
        Ok(())
    }
}
