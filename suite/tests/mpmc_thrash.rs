//! The mpmc_thrash scenario at small scale: our rings on every topology, every burst pattern
//! and capacities 1, 7 and 64 deliver every message exactly once and in per-producer order;
//! a queue that loses or duplicates one message makes the run panic with a validation
//! message; a queue that cannot have several producers or consumers is refused by name.
//!
//! Deadline: every run goes through the scenario's watchdog, which panics with per-thread
//! counts and queue lengths after `RINGSTRESS_STALL_SECS` (default 10 s) without progress.
//!
//! Soak (the seed's "10x+ load": per case, ten times the messages of the bench's largest
//! sample, estimated the way Criterion plans its samples; every topology of ours, every size
//! and pattern of the grid, which `RINGSTRESS_SIZES` / `RINGSTRESS_PATTERNS` narrow):
//! `cargo test --release --test mpmc_thrash -- --ignored soak`

use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::faulty::{Dropping, Duplicating};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress_suite::stress::run::{failure_of, soak_iters};
use ringstress_suite::stress::scenario::mpmc_thrash::{
    self, Config, MEASUREMENT_TIME, SAMPLE_SIZE, Topology, WARM_UP_TIME,
};

/// Capacities that make positions wrap constantly (1 is the hardest edge), and the smallest
/// default grid size.
const SIZES: [usize; 3] = [1, 7, 64];

/// Messages per producer in the sweeps: enough for every burst pattern to overflow the ring
/// many times over at these sizes, small enough for a debug build on two cores.
const ITERS: u64 = 3_000;

fn sweep<Q: Queue>(topology: Topology, iters: u64) {
    for size in SIZES {
        for pattern in Pattern::ALL {
            mpmc_thrash::run::<Q>(&Config::new(topology, size, pattern), iters);
        }
    }
}

#[test]
fn every_message_arrives_exactly_once_and_in_order_1p1c_spsc_ring() {
    sweep::<RingSpsc>(Topology::P1C1, ITERS);
}

#[test]
fn every_message_arrives_exactly_once_and_in_order_1p1c_mpmc_ring() {
    sweep::<RingMpmc>(Topology::P1C1, ITERS);
}

#[test]
fn every_message_arrives_exactly_once_2p2c() {
    sweep::<RingMpmc>(Topology::P2C2, ITERS);
}

#[test]
fn every_message_arrives_exactly_once_4p4c_oversubscribed() {
    sweep::<RingMpmc>(Topology::P4C4, ITERS / 2);
}

#[test]
fn every_message_arrives_exactly_once_4p1c() {
    sweep::<RingMpmc>(Topology::P4C1, ITERS / 2);
}

#[test]
fn every_message_arrives_exactly_once_1p4c() {
    sweep::<RingMpmc>(Topology::P1C4, ITERS);
}

#[test]
fn zero_and_one_message_runs_finish_on_every_topology() {
    for topology in Topology::ALL {
        for iters in [0, 1] {
            let config = Config::new(topology, 64, Pattern::Avalanche);
            mpmc_thrash::run::<RingMpmc>(&config, iters);
            mpmc_thrash::run_alone(&config, iters);
        }
    }
}

#[test]
fn the_single_threaded_harness_validates_the_same_way() {
    for topology in Topology::ALL {
        for size in SIZES {
            for pattern in Pattern::ALL {
                mpmc_thrash::run_alone(&Config::new(topology, size, pattern), ITERS);
            }
        }
    }
}

#[test]
fn a_lost_message_is_caught_by_the_gapless_order_check_1p1c() {
    let config = Config::new(Topology::P1C1, 7, Pattern::Uniform);
    let text = failure_of(|| {
        mpmc_thrash::run::<Dropping<RingSpsc, 100>>(&config, ITERS);
    });
    assert!(
        text.contains("stream 0: expected sequence number exactly 100, got 101"),
        "{text}"
    );
}

#[test]
fn a_duplicated_message_is_caught_by_the_gapless_order_check_1p1c() {
    let config = Config::new(Topology::P1C1, 7, Pattern::Steady);
    let text = failure_of(|| {
        mpmc_thrash::run::<Duplicating<RingMpmc, 100>>(&config, ITERS);
    });
    assert!(
        text.contains("expected sequence number exactly 101, got 100"),
        "{text}"
    );
}

#[test]
fn a_lost_message_is_caught_by_the_count_2p2c() {
    // With two consumers order checks cannot see a gap; the tally after the run must.
    let config = Config::new(Topology::P2C2, 7, Pattern::Avalanche);
    let text = failure_of(|| {
        mpmc_thrash::run::<Dropping<RingMpmc, 100>>(&config, ITERS);
    });
    assert!(text.contains("(1 lost)"), "{text}");
    assert!(text.contains("mpmc_thrash/2p2c"), "{text}");
}

#[test]
fn a_lost_last_message_is_caught_1p1c() {
    // The last message has no successor to reveal the gap: the count must catch it.
    let config = Config::new(Topology::P1C1, 64, Pattern::Uniform);
    let text = failure_of(|| {
        mpmc_thrash::run::<Dropping<RingSpsc, { ITERS - 1 }>>(&config, ITERS);
    });
    assert!(text.contains("(1 lost)"), "{text}");
}

#[test]
fn a_duplicated_message_is_caught_2p2c() {
    let config = Config::new(Topology::P2C2, 7, Pattern::Uniform);
    let text = failure_of(|| {
        mpmc_thrash::run::<Duplicating<RingMpmc, 100>>(&config, ITERS);
    });
    assert!(text.contains("duplicated"), "{text}");
}

#[test]
fn a_single_producer_queue_is_refused_for_several_producers() {
    let config = Config::new(Topology::P2C2, 64, Pattern::Steady);
    let text = failure_of(|| {
        mpmc_thrash::run::<RingSpsc>(&config, 10);
    });
    assert!(
        text.contains("ringstress-spsc has a single producer end"),
        "{text}"
    );
}

/// Soaks one case of queue `Q`: ten times the bench's largest sample, validated as always.
fn soak<Q: Queue>(config: &Config) {
    let iters = soak_iters(SAMPLE_SIZE, WARM_UP_TIME, MEASUREMENT_TIME, |iters| {
        mpmc_thrash::run::<Q>(config, iters)
    });
    let elapsed = mpmc_thrash::run::<Q>(config, iters);
    let messages = iters * config.topology.messages_per_unit();
    eprintln!(
        "soak {} {} {}/{}: {messages} messages in {elapsed:.2?} ({:.1}M msg/s), all valid",
        config.topology.group(),
        Q::NAME,
        config.capacity,
        config.pattern,
        messages as f64 / elapsed.as_secs_f64() / 1e6
    );
}

#[test]
#[ignore = "soak: about two minutes in release; cargo test --release -- --ignored soak"]
fn soak_mpmc_thrash_at_ten_times_the_bench_load() {
    let grid = Grid::from_env();
    for (size, pattern) in grid.cases() {
        soak::<RingSpsc>(&Config::new(Topology::P1C1, size, pattern));
        for topology in Topology::ALL {
            soak::<RingMpmc>(&Config::new(topology, size, pattern));
        }
    }
}
