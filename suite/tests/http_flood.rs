//! The http_flood scenario at small scale: with one worker (our SPSC and MPMC rings) and
//! two (our MPMC ring), every burst pattern and capacities 1, 7 and 64, every request is
//! answered exactly once with the answer its request calls for; a request is one cache
//! line whose contents, checksum and parse cost follow from its id; two workers are refused
//! on a queue whose ends do not clone, three work on our MPMC ring and none is refused;
//! topologies read back from their names and refuse anything else; and a queue that loses or
//! duplicates a message makes the run panic with a validation message.
//!
//! Latency: the recorder's percentiles of known samples; a latency pass (the same driver,
//! with a timing probe) records one latency per sampled request and fails on a faulty queue
//! as a clocked run does; the report round-trips through JSON and its files, and prints one
//! aligned row per case.
//!
//! Deadline: every run goes through the scenario's watchdog, which panics with per-thread
//! counts and queue lengths after `RINGSTRESS_STALL_SECS` (default 10 s) without progress.
//!
//! Soak (the seed's "10x+ load": per case, ten times the requests of the bench's largest
//! sample, estimated the way Criterion plans its samples; every topology of ours, every size
//! and pattern of the grid, which `RINGSTRESS_SIZES` / `RINGSTRESS_PATTERNS` narrow):
//! `cargo test --release --test http_flood -- --ignored soak`

use std::fs;
use std::path::Path;
use std::time::Duration;

use ringstress_suite::stress::burst::Pattern;
use ringstress_suite::stress::faulty::{Dropping, Duplicating};
use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::latency::{
    Latencies, LatencyReport, Percentiles, SAMPLE_EVERY, Sampler, report_path,
};
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

fn latencies_of(ns: impl IntoIterator<Item = u64>) -> Latencies {
    let mut latencies = Latencies::new();
    for ns in ns {
        latencies.record(Duration::from_nanos(ns));
    }
    latencies
}

/// Whether `got` is `want` to the histogram's precision (3 significant digits: 0.1%).
fn close(got: u64, want: u64) -> bool {
    got.abs_diff(want) as f64 <= want as f64 / 1000.0
}

#[test]
fn the_latency_recorder_gives_the_percentiles_of_known_samples() {
    // 1..=1000 ns, in a scrambled order: below 2,048 ns the histogram is exact.
    let uniform = latencies_of((0..1000).map(|i| (i * 389) % 1000 + 1));
    let p = uniform.percentiles();
    assert_eq!(
        (p.samples, p.p50, p.p99, p.p99_9, p.max),
        (1000, 500, 990, 999, 1000)
    );

    // 990 fast answers, 9 slow ones and one very slow: the tail shows only past p99.
    let tail = latencies_of(
        std::iter::repeat_n(250, 990)
            .chain(std::iter::repeat_n(40_000, 9))
            .chain([3_000_000]),
    );
    let p = tail.percentiles();
    assert_eq!((p.samples, p.p50, p.p99), (1000, 250, 250));
    assert!(close(p.p99_9, 40_000), "p99.9 {}", p.p99_9);
    assert!(close(p.max, 3_000_000), "max {}", p.max);

    // Nothing recorded: all zero.
    assert_eq!(Latencies::new().percentiles(), Percentiles::default());
    // An hour and more is recorded as about an hour, not lost.
    let long = latencies_of([u64::MAX]);
    assert_eq!(long.count(), 1);
    assert!(close(long.percentiles().max, 3_600_000_000_000));
}

#[test]
fn a_latency_pass_times_one_request_in_sample_every_and_keeps_them_all() {
    for topology in Topology::ALL {
        for (capacity, pattern) in [(1, Pattern::Steady), (64, Pattern::Avalanche)] {
            let case = config(topology, capacity, pattern);
            let requests = requests(capacity);
            let latencies = http_flood::latency_pass::<RingMpmc>(&case, requests);
            assert_eq!(
                latencies.count(),
                requests.div_ceil(SAMPLE_EVERY),
                "{case:?}"
            );
            let p = latencies.percentiles();
            assert!(
                0 < p.p50 && p.p50 <= p.p99 && p.p99 <= p.p99_9 && p.p99_9 <= p.max,
                "{case:?}: {p:?}"
            );
        }
    }
    // Every request timed: as many latencies as requests stamped, and as requests.
    let mut sampler = Sampler::new(REQUESTS, 1);
    http_flood::run_probed::<RingSpsc, _>(
        &config(ONE, 64, Pattern::Uniform),
        REQUESTS,
        &mut sampler,
    );
    assert_eq!(sampler.stamped(), REQUESTS);
    assert_eq!(sampler.into_latencies().count(), REQUESTS);
}

#[test]
fn a_latency_pass_validates_like_a_clocked_run() {
    let one = config(ONE, 64, Pattern::Uniform);
    let text = failure_of(|| {
        http_flood::latency_pass::<Dropping<RingSpsc, 3>>(&one, REQUESTS);
    });
    assert!(text.contains("lost"), "{text}");
    let two = config(TWO, 64, Pattern::Avalanche);
    let text = failure_of(|| {
        http_flood::latency_pass::<Duplicating<RingMpmc, 3>>(&two, REQUESTS);
    });
    assert!(text.contains("duplicated"), "{text}");
}

fn sample_report() -> LatencyReport {
    let mut report = LatencyReport::new("http_flood", SAMPLE_EVERY);
    report.push(
        "http_flood/1-worker/steady",
        "ringstress-spsc",
        64,
        1 << 18,
        &latencies_of([180, 210, 260, 9_400]),
    );
    report.push(
        "http_flood/2-workers/avalanche",
        "crossbeam-channel",
        65536,
        1 << 21,
        &latencies_of([1_250_000, 2_000_000]),
    );
    report.push(
        "http_flood/2-workers/uniform",
        "ringstress-mpmc",
        1024,
        1 << 18,
        &Latencies::new(),
    );
    report
}

#[test]
fn the_latency_report_round_trips_through_json_and_its_files() {
    let report = sample_report();
    assert_eq!(
        report.rows[1].id,
        "http_flood/2-workers/avalanche/crossbeam-channel/65536"
    );
    assert_eq!(report.rows[1].case, "2-workers/avalanche/65536");
    let json = report.to_json();
    assert_eq!(LatencyReport::from_json(&json).unwrap(), report);
    assert!(LatencyReport::from_json("{\"scenario\": \"http_flood\"}").is_err());

    let home =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("latency-{}", std::process::id()));
    let _ = fs::remove_dir_all(&home);
    let written = report.save(&home, &["new", "v0.9"]).unwrap();
    assert_eq!(
        written,
        [
            report_path(&home, "new", "http_flood"),
            report_path(&home, "v0.9", "http_flood")
        ]
    );
    assert!(written[0].ends_with("latency/new/http_flood.json"));
    for path in &written {
        let text = fs::read_to_string(path).unwrap();
        assert_eq!(LatencyReport::from_json(&text).unwrap(), report);
        // Written beside, then renamed over: nothing partial is left behind.
        assert!(!path.with_extension("json.partial").exists());
    }
    // Saving again replaces the file whole.
    let mut shorter = report.clone();
    shorter.rows.truncate(1);
    shorter.save(&home, &["new"]).unwrap();
    let text = fs::read_to_string(&written[0]).unwrap();
    assert_eq!(LatencyReport::from_json(&text).unwrap(), shorter);
    fs::remove_dir_all(&home).unwrap();
}

#[test]
fn the_latency_table_has_one_row_per_case_and_times_with_units() {
    let table = sample_report().to_table();
    assert!(
        table.contains("262144 to 2097152 requests, 1 in 16 timed"),
        "{table}"
    );
    let lines: Vec<&str> = table.lines().filter(|line| line.starts_with('|')).collect();
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().to_owned())
            .collect()
    };
    assert_eq!(
        cells(lines[0]),
        ["case", "implementation", "p50", "p99", "p99.9", "max"]
    );
    assert_eq!(lines.len(), 2 + 3, "{table}");
    // Above 2,048 ns the histogram reports the top of a value's 0.1% bucket: 9,400 ns is
    // read as 9,407.
    assert_eq!(
        cells(lines[2]),
        [
            "1-worker/steady/64",
            "ringstress-spsc",
            "210 ns",
            "9.41 µs",
            "9.41 µs",
            "9.41 µs"
        ]
    );
    assert_eq!(
        cells(lines[3])[2..],
        ["1.25 ms", "2.00 ms", "2.00 ms", "2.00 ms"]
    );
    // A case without samples shows dashes, not zeros.
    assert_eq!(cells(lines[4])[2..], ["–", "–", "–", "–"]);
    // Every row lines up with the header.
    assert!(
        lines
            .iter()
            .all(|line| line.chars().count() == lines[0].chars().count())
    );
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
