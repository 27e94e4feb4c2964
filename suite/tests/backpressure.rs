//! The backpressure_avalanche scenario at small scale: under every overflow policy, every
//! burst pattern and capacities 1, 7 and 64, conservation holds exactly (attempted =
//! delivered + shed, per producer, checked by count and checksum), `block` sheds nothing, the
//! shedding policies do shed when the consumer falls behind, and a queue that loses or
//! duplicates a message makes the run panic with a validation message.
//!
//! Deadline: every run goes through the scenario's watchdog, which panics with per-thread
//! counts and queue lengths after `RINGSTRESS_STALL_SECS` (default 10 s) without progress.
//!
//! Soak (per case, ten times the messages of the bench's largest sample, estimated the way
//! Criterion plans its samples; every policy, every size and pattern of the grid):
//! `cargo test --release --test backpressure -- --ignored soak`

use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::faulty::{Dropping, Duplicating};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress_suite::stress::run::{failure_of, soak_iters};
use ringstress_suite::stress::scenario::backpressure_avalanche::{
    self, Config, MEASUREMENT_TIME, Overflow, SAMPLE_SIZE, WARM_UP_TIME,
};

/// Capacities that overflow constantly (1 is the hardest edge), and the smallest grid size.
const SIZES: [usize; 3] = [1, 7, 64];

/// Messages each producer delivers in the sweeps.
const ITERS: u64 = 3_000;

/// Runs every size and pattern under `overflow` with `producers` producers; checks the
/// totals the run reports and returns how many messages were shed in all.
fn sweep<Q: Queue>(overflow: Overflow, producers: usize) -> u64 {
    let mut shed = 0;
    for size in SIZES {
        for pattern in Pattern::ALL {
            let config = Config {
                producers,
                ..Config::new(overflow, size, pattern)
            };
            let outcome = backpressure_avalanche::run_with_totals::<Q>(&config, ITERS);
            assert_eq!(outcome.producers.len(), producers);
            for totals in &outcome.producers {
                assert_eq!(totals.delivered, ITERS, "{config:?}");
                assert_eq!(
                    totals.attempted,
                    totals.delivered + totals.shed,
                    "{config:?}"
                );
                if overflow == Overflow::Block {
                    assert_eq!(totals.shed, 0, "{config:?}");
                }
                shed += totals.shed;
            }
        }
    }
    shed
}

#[test]
fn block_delivers_everything_in_order_and_sheds_nothing() {
    assert_eq!(sweep::<RingMpmc>(Overflow::Block, 2), 0);
}

#[test]
fn shed_conserves_every_message_and_sheds_when_the_consumer_falls_behind() {
    let shed = sweep::<RingMpmc>(Overflow::Shed, 2);
    assert!(shed > 0, "two producers against a slow consumer never shed");
}

#[test]
fn retry_conserves_every_message() {
    sweep::<RingMpmc>(Overflow::Retry, 2);
}

#[test]
fn every_policy_conserves_messages_1p1c_on_the_spsc_ring() {
    for overflow in Overflow::ALL {
        sweep::<RingSpsc>(overflow, 1);
    }
}

#[test]
fn zero_and_one_message_runs_finish_under_every_policy() {
    for overflow in Overflow::ALL {
        for iters in [0, 1] {
            let config = Config::new(overflow, 64, Pattern::Avalanche);
            backpressure_avalanche::run::<RingMpmc>(&config, iters);
            backpressure_avalanche::run_alone(&config, iters);
        }
    }
}

#[test]
fn the_single_threaded_harness_validates_the_same_way() {
    for overflow in Overflow::ALL {
        for size in SIZES {
            for pattern in Pattern::ALL {
                backpressure_avalanche::run_alone(&Config::new(overflow, size, pattern), ITERS);
            }
        }
    }
}

#[test]
fn a_lost_message_under_block_is_caught_at_once_by_the_gapless_order_check() {
    let config = Config::new(Overflow::Block, 7, Pattern::Uniform);
    let text = failure_of(|| {
        backpressure_avalanche::run::<Dropping<RingMpmc, 100>>(&config, ITERS);
    });
    assert!(
        text.contains("expected sequence number exactly 100"),
        "{text}"
    );
}

#[test]
fn a_lost_last_message_under_block_breaks_conservation() {
    // Nothing follows the last message, so only conservation can see it is missing.
    let config = Config::new(Overflow::Block, 7, Pattern::Avalanche);
    let text = failure_of(|| {
        backpressure_avalanche::run::<Dropping<RingMpmc, { ITERS - 1 }>>(&config, ITERS);
    });
    assert!(
        text.contains("conservation (attempted = delivered + shed)") && text.contains("(1 lost)"),
        "{text}"
    );
}

#[test]
fn a_lost_message_under_shed_breaks_conservation() {
    // Gaps are legal under shed, so the order check cannot see it; conservation must.
    let config = Config::new(Overflow::Shed, 7, Pattern::Uniform);
    let text = failure_of(|| {
        backpressure_avalanche::run::<Dropping<RingMpmc, 100>>(&config, ITERS);
    });
    assert!(
        text.contains("conservation (attempted = delivered + shed)") && text.contains("(1 lost)"),
        "{text}"
    );
}

#[test]
fn a_duplicated_message_is_caught_under_every_policy() {
    for overflow in Overflow::ALL {
        let config = Config::new(overflow, 7, Pattern::Steady);
        let text = failure_of(|| {
            backpressure_avalanche::run::<Duplicating<RingMpmc, 100>>(&config, ITERS);
        });
        assert!(text.contains("duplicated"), "{overflow}: {text}");
    }
}

/// Soaks one case: ten times the bench's largest sample, validated as always.
fn soak(config: &Config) {
    let iters = soak_iters(SAMPLE_SIZE, WARM_UP_TIME, MEASUREMENT_TIME, |iters| {
        backpressure_avalanche::run::<RingMpmc>(config, iters)
    });
    let outcome = backpressure_avalanche::run_with_totals::<RingMpmc>(config, iters);
    let delivered: u64 = outcome
        .producers
        .iter()
        .map(|totals| totals.delivered)
        .sum();
    let shed: u64 = outcome.producers.iter().map(|totals| totals.shed).sum();
    for totals in &outcome.producers {
        assert_eq!(totals.attempted, totals.delivered + totals.shed);
    }
    eprintln!(
        "soak {} ringstress-mpmc {}/{}: {delivered} delivered, {shed} shed in {:.2?} \
         ({:.1}M msg/s), all valid",
        backpressure_avalanche::group(config.overflow),
        config.capacity,
        config.pattern,
        outcome.elapsed,
        delivered as f64 / outcome.elapsed.as_secs_f64() / 1e6
    );
}

#[test]
#[ignore = "soak: about a minute in release; cargo test --release -- --ignored soak"]
fn soak_backpressure_avalanche_at_ten_times_the_bench_load() {
    let grid = Grid::from_env();
    for overflow in Overflow::ALL {
        for (size, pattern) in grid.cases() {
            soak(&Config::new(overflow, size, pattern));
        }
    }
}
