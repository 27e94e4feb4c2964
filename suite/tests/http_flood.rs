//! The http_flood scenario at small scale: with one worker (our SPSC and MPMC rings) and
//! two (our MPMC ring), every burst pattern and capacities 1, 7 and 64, every request is
//! answered exactly once with the answer its request calls for; a request is one cache
//! line whose contents, checksum and parse cost follow from its id; two workers are refused
//! on a queue whose ends do not clone, three work on our MPMC ring and none is refused;
//! topologies read back from their names and refuse anything else; and a queue that loses or
//! duplicates a message makes the run panic with a validation message.
//!
//! Deadline: every run goes through the scenario's watchdog, which panics with per-thread
//! counts and queue lengths after `RINGSTRESS_STALL_SECS` (default 10 s) without progress.
//!
//! Soak (the seed's "10x+ load": per case, ten times the requests of the bench's largest
//! sample, estimated the way Criterion plans its samples; every topology of ours, every size
//! and pattern of the grid, which `RINGSTRESS_SIZES` / `RINGSTRESS_PATTERNS` narrow):
//! `cargo test --release --test http_flood -- --ignored soak`

use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::faulty::{Dropping, Duplicating};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress_suite::stress::run::{failure_of, soak_iters};
use ringstress_suite::stress::scenario::http_flood::{
    self, Config, MEASUREMENT_TIME, Request, Response, SAMPLE_SIZE, Topology, WARM_UP_TIME,
};
use ringstress_suite::stress::validate::MessageId;

/// Requests per test run. At capacity 1 every request is a round trip between two
/// threads that may both be backing off, so those runs get fewer.
const REQUESTS: u64 = 2000;
const REQUESTS_AT_CAPACITY_1: u64 = 300;

const ONE: Topology = Topology { workers: 1 };
const TWO: Topology = Topology { workers: 2 };

/// The stream of every request id: the acceptor's.
const ACCEPTOR: usize = 0;

fn requests(capacity: usize) -> u64 {
    if capacity == 1 {
        REQUESTS_AT_CAPACITY_1
    } else {
        REQUESTS
    }
}

fn config(topology: Topology, capacity: usize, pattern: Pattern) -> Config {
    Config {
        topology,
        capacity,
        pattern,
    }
}

#[test]
fn every_request_is_answered_once_on_our_rings_in_every_topology() {
    for capacity in [1, 7, 64] {
        for pattern in Pattern::ALL {
            let one = config(ONE, capacity, pattern);
            let requests = requests(capacity);
            http_flood::run::<RingSpsc>(&one, requests);
            http_flood::run::<RingMpmc>(&one, requests);
            let two = config(TWO, capacity, pattern);
            http_flood::run::<RingMpmc>(&two, requests);
        }
    }
}

#[test]
fn zero_and_one_request_runs_finish() {
    for topology in Topology::ALL {
        for iters in [0, 1, 2, 65] {
            http_flood::run::<RingMpmc>(&config(topology, 1, Pattern::Avalanche), iters);
            http_flood::run::<RingMpmc>(&config(topology, 64, Pattern::Steady), iters);
        }
    }
}

#[test]
fn a_request_is_one_cache_line_and_its_contents_follow_from_its_id() {
    assert_eq!(std::mem::size_of::<Request>(), 64);
    let first = Request::for_id(MessageId::new(ACCEPTOR, 1));
    let second = Request::for_id(MessageId::new(ACCEPTOR, 2));
    assert_ne!(first, second);
    assert_eq!(first, Request::for_id(first.id));
    assert_eq!(first.payload_checksum, first.checksum());
    let mut corrupted = first;
    corrupted.content_length ^= 1;
    assert_ne!(corrupted.checksum(), first.checksum());
    assert_ne!(
        Response::answer(&first).value,
        Response::answer(&second).value
    );
}

#[test]
fn parse_cost_varies_with_the_header_count() {
    let counts: Vec<u16> = (0..1000)
        .map(|seq| Request::for_id(MessageId::new(ACCEPTOR, seq)).header_count)
        .collect();
    for want in 4..=11 {
        assert!(counts.contains(&want), "{want} headers never drawn");
    }
}

#[test]
fn two_workers_need_queues_whose_ends_clone() {
    let text = failure_of(|| {
        http_flood::run::<RingSpsc>(&config(TWO, 8, Pattern::Steady), 10);
    });
    assert!(text.contains("cannot have 2 consumers"), "{text}");
}

#[test]
fn any_worker_count_runs_and_zero_is_refused() {
    let three = config(Topology { workers: 3 }, 16, Pattern::Uniform);
    http_flood::run::<RingMpmc>(&three, REQUESTS);
    let text = failure_of(|| {
        http_flood::run::<RingMpmc>(&config(Topology { workers: 0 }, 16, Pattern::Uniform), 10);
    });
    assert!(text.contains("at least one worker"), "{text}");
}

#[test]
fn topologies_parse_from_their_group_names_and_nothing_else() {
    assert_eq!(Topology::ALL, [ONE, TWO]);
    assert_eq!(ONE.group(), "http_flood/1-worker");
    assert_eq!(TWO.group(), "http_flood/2-workers");
    for workers in 1..=64 {
        let topology = Topology { workers };
        assert_eq!(topology.to_string().parse(), Ok(topology));
        assert_eq!(topology.group(), format!("http_flood/{topology}"));
    }
    // Spaces around it and letter case do not matter, as for burst patterns.
    assert_eq!(" 3-Workers ".parse(), Ok(Topology { workers: 3 }));
    for bad in [
        "",
        "worker",
        "workers",
        "-workers",
        "1-workers",
        "2-worker",
        "0-workers",
        "0-worker",
        "02-workers",
        "+2-workers",
        "2 workers",
        "two-workers",
        "2-workers/steady",
        "http_flood/2-workers",
        "99999999999999999999999-workers",
    ] {
        let error = bad.parse::<Topology>().unwrap_err();
        assert!(error.to_string().contains("1-worker"), "{bad:?}: {error}");
    }
}

#[test]
fn a_lost_message_fails_the_flood_in_every_topology() {
    for capacity in [1, 64] {
        let one = config(ONE, capacity, Pattern::Uniform);
        let text = failure_of(|| {
            http_flood::run::<Dropping<RingSpsc, 3>>(&one, requests(capacity));
        });
        assert!(text.contains("lost"), "1 worker, {capacity}: {text}");
        let two = config(TWO, capacity, Pattern::Uniform);
        let text = failure_of(|| {
            http_flood::run::<Dropping<RingMpmc, 3>>(&two, requests(capacity));
        });
        assert!(text.contains("lost"), "2 workers, {capacity}: {text}");
    }
}

#[test]
fn a_duplicated_message_fails_the_flood_in_every_topology() {
    for capacity in [1, 64] {
        let one = config(ONE, capacity, Pattern::Avalanche);
        let text = failure_of(|| {
            http_flood::run::<Duplicating<RingSpsc, 3>>(&one, requests(capacity));
        });
        assert!(text.contains("duplicated"), "1 worker, {capacity}: {text}");
        let two = config(TWO, capacity, Pattern::Avalanche);
        let text = failure_of(|| {
            http_flood::run::<Duplicating<RingMpmc, 3>>(&two, requests(capacity));
        });
        assert!(text.contains("duplicated"), "2 workers, {capacity}: {text}");
    }
}

/// Soaks one case: ten times the bench's largest sample, validated as always.
fn soak<Q: Queue>(config: &Config) {
    let requests = soak_iters(SAMPLE_SIZE, WARM_UP_TIME, MEASUREMENT_TIME, |iters| {
        http_flood::run::<Q>(config, iters)
    });
    let elapsed = http_flood::run::<Q>(config, requests);
    eprintln!(
        "soak {} {} {}/{}: {requests} requests in {elapsed:.2?} ({:.1}M msg/s), all valid",
        config.topology.group(),
        Q::NAME,
        config.capacity,
        config.pattern,
        2.0 * requests as f64 / elapsed.as_secs_f64() / 1e6
    );
}

#[test]
#[ignore = "soak: minutes of load; cargo test --release --test http_flood -- --ignored soak"]
fn soak_http_flood_at_ten_times_the_bench_load() {
    let grid = Grid::from_env();
    for (capacity, pattern) in grid.cases() {
        let one = config(ONE, capacity, pattern);
        soak::<RingSpsc>(&one);
        soak::<RingMpmc>(&one);
        soak::<RingMpmc>(&config(TWO, capacity, pattern));
    }
}
