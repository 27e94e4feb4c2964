//! The spawn_storm scenario at small scale: in both modes, on our rings, every burst pattern
//! and capacities 1, 7 and 64, every channel delivers its messages exactly once and in
//! order, channels retire at their quota and are replaced (even in a one-message run), and
//! the closing tally balances with channels both retired and still open; the storm's
//! channel choices are seeded (two runs, and two rings, see the same sends in the same
//! order) and reach every live channel; a queue that loses or duplicates one message makes
//! the run panic with a validation message, even when the lost message is the last of its
//! channel.
//!
//! Deadline: every run goes through the scenario's watchdog, which panics with per-thread
//! counts and queue lengths after `RINGSTRESS_STALL_SECS` (default 10 s) without progress.
//!
//! Soak (the seed's "10x+ load": per case, ten times the messages of the bench's largest
//! sample, estimated the way Criterion plans its samples; both modes on our rings, every
//! size and pattern of the grid, which `RINGSTRESS_SIZES` / `RINGSTRESS_PATTERNS` narrow):
//! `cargo test --release --test spawn_storm -- --ignored soak`

use std::marker::PhantomData;
use std::sync::{Mutex, MutexGuard};

use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::faulty::{Dropping, Duplicating};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{Message, Queue, Receiver, RingMpmc, RingSpsc, Sender};
use ringstress_suite::stress::run::{failure_of, soak_iters};
use ringstress_suite::stress::scenario::spawn_storm::{
    self, Config, LIVE_CHANNELS, MEASUREMENT_TIME, Mode, SAMPLE_SIZE, WARM_UP_TIME, quota,
};

/// Messages per test run: enough for channels to retire and be replaced at every test
/// size (quota = 4 × capacity: 4, 28 and 256 messages).
const MESSAGES: u64 = 3000;

fn config(mode: Mode, capacity: usize, pattern: Pattern) -> Config {
    Config {
        mode,
        capacity,
        pattern,
    }
}

#[test]
fn every_message_arrives_once_in_order_on_our_rings_in_every_mode() {
    for mode in Mode::ALL {
        for capacity in [1, 7, 64] {
            for pattern in Pattern::ALL {
                let config = config(mode, capacity, pattern);
                spawn_storm::run::<RingSpsc>(&config, MESSAGES);
                spawn_storm::run::<RingMpmc>(&config, MESSAGES);
            }
        }
    }
}

#[test]
fn zero_and_one_message_runs_finish() {
    for mode in Mode::ALL {
        for iters in [0, 1, 2, 33] {
            spawn_storm::run::<RingSpsc>(&config(mode, 64, Pattern::Avalanche), iters);
            spawn_storm::run::<RingMpmc>(&config(mode, 1, Pattern::Steady), iters);
        }
    }
}

#[test]
fn a_short_run_still_retires_and_replaces_channels() {
    assert_eq!(quota(65536, 1), 1);
    assert_eq!(quota(65536, 1000), 1000);
    assert_eq!(quota(64, MESSAGES), 256);
    assert_eq!(quota(7, MESSAGES), 28);
    assert_eq!(quota(65536, 1 << 40), 4 * 65536);
    // One message: its channel reaches its quota of 1, retires and is replaced.
    let log = record(|| {
        spawn_storm::run::<Recording<RingSpsc>>(
            &config(Mode::SingleThread, 65536, Pattern::Uniform),
            1,
        );
    });
    assert_eq!(log.channels, LIVE_CHANNELS + 1);
}

#[test]
fn the_closing_tally_counts_retired_channels_at_quota_and_open_ones_as_sent() {
    // The run compares what arrived with the tally of what was sent, computed in closed
    // form from the channels created and those still open; it passes only if that tally
    // is right. Make sure this run has both kinds of channel.
    let config = config(Mode::SingleThread, 7, Pattern::Uniform);
    let quota = quota(7, MESSAGES) as usize;
    let log = record(|| {
        spawn_storm::run::<Recording<RingSpsc>>(&config, MESSAGES);
    });
    let sent = log.sent_per_channel();
    let retired = sent.iter().filter(|&&sent| sent == quota).count();
    let open_part_full = sent.iter().filter(|&&sent| sent < quota).count();
    assert!(retired > LIVE_CHANNELS, "{sent:?}");
    assert!(open_part_full > 0, "{sent:?}");
    assert_eq!(sent.iter().sum::<usize>() as u64, MESSAGES);
}

#[test]
fn channel_picks_are_seeded_and_reach_every_live_channel() {
    let config = config(Mode::SingleThread, 64, Pattern::Uniform);
    let first = record(|| {
        spawn_storm::run::<Recording<RingSpsc>>(&config, MESSAGES);
    });
    let again = record(|| {
        spawn_storm::run::<Recording<RingSpsc>>(&config, MESSAGES);
    });
    let other_ring = record(|| {
        spawn_storm::run::<Recording<RingMpmc>>(&config, MESSAGES);
    });
    assert_eq!(first, again);
    assert_eq!(first, other_ring);
    // The first LIVE_CHANNELS channels fill the live slots; every slot gets picked.
    let sent = first.sent_per_channel();
    for channel in 0..LIVE_CHANNELS {
        assert!(
            sent[channel] > 0,
            "live channel {channel} never sent to: {sent:?}"
        );
    }
    // Receives pick their channels in another seeded order than sends, so many ask another
    // channel than the one just sent to (about 2 in 3 here; 1 in 6 if both orders were
    // the same, where only a channel replaced in its slot and the final drain break it).
    let (mut last_sent, mut asked, mut elsewhere) = (None, 0, 0);
    for &event in &first.events {
        match event {
            Event::Sent { channel, .. } => last_sent = Some(channel),
            Event::Asked { channel } => {
                asked += 1;
                elsewhere += usize::from(last_sent != Some(channel));
            }
        }
    }
    assert!(
        5 * elsewhere > 2 * asked,
        "{elsewhere} of {asked} receives elsewhere"
    );
}

#[test]
fn a_lost_message_fails_the_storm_in_every_mode() {
    for mode in Mode::ALL {
        for capacity in [1, 64] {
            let config = config(mode, capacity, Pattern::Uniform);
            let text = failure_of(|| {
                spawn_storm::run::<Dropping<RingSpsc, 1>>(&config, MESSAGES);
            });
            assert!(text.contains("lost"), "{mode:?} {capacity}: {text}");
            let text = failure_of(|| {
                spawn_storm::run::<Dropping<RingMpmc, 1>>(&config, MESSAGES);
            });
            assert!(text.contains("lost"), "{mode:?} {capacity}: {text}");
        }
    }
}

#[test]
fn losing_the_last_message_of_every_channel_fails_instead_of_hanging() {
    // Capacity 1: the quota is 4, so message 3 is the last each channel carries and no
    // later message can reveal the gap; only the count at the channel's end can.
    for mode in Mode::ALL {
        let config = config(mode, 1, Pattern::Steady);
        let text = failure_of(|| {
            spawn_storm::run::<Dropping<RingSpsc, 3>>(&config, MESSAGES);
        });
        let named = match mode {
            Mode::SingleThread => "4 messages sent, only 3 arrived (1 lost)",
            Mode::TwoThread => ".3 was sent",
        };
        assert!(
            text.contains(named) && text.contains("lost"),
            "{mode:?}: {text}"
        );
    }
}

#[test]
fn a_duplicated_message_fails_the_storm_in_every_mode() {
    for mode in Mode::ALL {
        for capacity in [1, 64] {
            let config = config(mode, capacity, Pattern::Steady);
            let text = failure_of(|| {
                spawn_storm::run::<Duplicating<RingSpsc, 1>>(&config, MESSAGES);
            });
            assert!(text.contains("duplicated"), "{mode:?} {capacity}: {text}");
            let text = failure_of(|| {
                spawn_storm::run::<Duplicating<RingMpmc, 1>>(&config, MESSAGES);
            });
            assert!(text.contains("duplicated"), "{mode:?} {capacity}: {text}");
        }
    }
}

/// Soaks one case: ten times the bench's largest sample, validated as always.
fn soak<Q: Queue>(config: &Config) {
    let messages = soak_iters(SAMPLE_SIZE, WARM_UP_TIME, MEASUREMENT_TIME, |iters| {
        spawn_storm::run::<Q>(config, iters)
    });
    let elapsed = spawn_storm::run::<Q>(config, messages);
    eprintln!(
        "soak {} {} {}/{}: {messages} messages in {elapsed:.2?} ({:.1}M msg/s), all valid",
        config.mode.group(),
        Q::NAME,
        config.capacity,
        config.pattern,
        messages as f64 / elapsed.as_secs_f64() / 1e6
    );
}

#[test]
#[ignore = "soak: minutes of load; cargo test --release --test spawn_storm -- --ignored soak"]
fn soak_spawn_storm_at_ten_times_the_bench_load() {
    let grid = Grid::from_env();
    for mode in Mode::ALL {
        for (capacity, pattern) in grid.cases() {
            let config = config(mode, capacity, pattern);
            soak::<RingSpsc>(&config);
            soak::<RingMpmc>(&config);
        }
    }
}

/// What a [`Recording`] queue saw during one run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Log {
    /// Channels created.
    channels: usize,
    /// Sends and receives, in the order they happened.
    events: Vec<Event>,
}

/// One operation on a [`Recording`] queue; channels are numbered in creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// A send that moved something.
    Sent { channel: usize, accepted: usize },
    /// A receive call, whatever it got.
    Asked { channel: usize },
}

impl Log {
    const EMPTY: Log = Log {
        channels: 0,
        events: Vec::new(),
    };

    /// Messages sent to each channel over its life, by channel.
    fn sent_per_channel(&self) -> Vec<usize> {
        let mut sent = vec![0; self.channels];
        for &event in &self.events {
            if let Event::Sent { channel, accepted } = event {
                sent[channel] += accepted;
            }
        }
        sent
    }
}

/// The log of the run in progress.
static LOG: Mutex<Log> = Mutex::new(Log::EMPTY);
/// Held by [`record`], so runs of different tests never share the log.
static RECORDING: Mutex<()> = Mutex::new(());

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `run` (a run through a [`Recording`] queue) and returns what the queue saw.
fn record(run: impl FnOnce()) -> Log {
    let _alone = lock(&RECORDING);
    *lock(&LOG) = Log::EMPTY;
    run();
    std::mem::replace(&mut *lock(&LOG), Log::EMPTY)
}

/// Queue `Q`, with every channel creation, send and receive written to [`LOG`].
struct Recording<Q>(PhantomData<Q>);

/// One end of a [`Recording`] queue: the end of `Q` and its channel's number.
struct Recorded<E> {
    inner: E,
    channel: usize,
}

impl<Q: Queue> Queue for Recording<Q> {
    const NAME: &'static str = "recording";
    type Sender<T: Message> = Recorded<Q::Sender<T>>;
    type Receiver<T: Message> = Recorded<Q::Receiver<T>>;
    fn channel<T: Message>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        let (tx, rx) = Q::channel(capacity);
        let mut log = lock(&LOG);
        let channel = log.channels;
        log.channels += 1;
        (
            Recorded { inner: tx, channel },
            Recorded { inner: rx, channel },
        )
    }
}

impl<T: Message, S: Sender<T>> Sender<T> for Recorded<S> {
    fn try_send(&mut self, message: T) -> bool {
        let sent = self.inner.try_send(message);
        if sent {
            let channel = self.channel;
            lock(&LOG).events.push(Event::Sent {
                channel,
                accepted: 1,
            });
        }
        sent
    }

    fn try_send_burst(&mut self, burst: &[T]) -> usize {
        let accepted = self.inner.try_send_burst(burst);
        if accepted > 0 {
            let channel = self.channel;
            lock(&LOG).events.push(Event::Sent { channel, accepted });
        }
        accepted
    }
}

impl<T: Message, R: Receiver<T>> Receiver<T> for Recorded<R> {
    fn try_recv(&mut self) -> Option<T> {
        let channel = self.channel;
        lock(&LOG).events.push(Event::Asked { channel });
        self.inner.try_recv()
    }

    fn try_recv_burst(&mut self, out: &mut [T]) -> usize {
        let channel = self.channel;
        lock(&LOG).events.push(Event::Asked { channel });
        self.inner.try_recv_burst(out)
    }
}
