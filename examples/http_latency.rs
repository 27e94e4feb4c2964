//! Runs `http_flood`'s latency pass (the one `cargo bench --bench http_flood` runs after
//! Criterion measures each case) on our rings and prints the latency table, without
//! Criterion and without saving anything: a quick look at request→response latency, e.g.
//! after a change to a ring. The grid is the bench's (`RINGSTRESS_SIZES`,
//! `RINGSTRESS_PATTERNS`); the peers are in the bench file only.
//!
//! ```text
//! cargo run --release --example http_latency
//! RINGSTRESS_SIZES=1024 RINGSTRESS_PATTERNS=steady,uniform cargo run --release --example http_latency
//! ```

use ringstress_suite::stress::grid::Grid;
use ringstress_suite::stress::latency::{LatencyReport, SAMPLE_EVERY};
use ringstress_suite::stress::queue::{Queue, RingMpmc, RingSpsc};
use ringstress_suite::stress::scenario::http_flood::{self, Config, Topology};

fn pass<Q: Queue>(config: &Config, report: &mut LatencyReport) {
    let requests = http_flood::latency_requests(config);
    let latencies = http_flood::latency_pass::<Q>(config, requests);
    let group = format!("{}/{}", config.topology.group(), config.pattern);
    report.push(&group, Q::NAME, config.capacity, requests, &latencies);
}

fn main() {
    ringstress_suite::settings::check_or_exit();
    let grid = Grid::from_env();
    let mut report = LatencyReport::new("http_flood", SAMPLE_EVERY);
    for topology in Topology::ALL {
        for &pattern in &grid.patterns {
            for &capacity in &grid.sizes {
                let config = Config {
                    topology,
                    capacity,
                    pattern,
                };
                if topology.workers == 1 {
                    pass::<RingSpsc>(&config, &mut report);
                }
                pass::<RingMpmc>(&config, &mut report);
            }
        }
    }
    print!("{}", report.to_table());
}
