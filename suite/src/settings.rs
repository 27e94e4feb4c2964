//! Every `RINGSTRESS_*` setting, checked before anything runs. A bad value stops a bench
//! binary (or `ringstress-gate`) with one line naming the variable, the value and what is
//! accepted, and exit code 2: no backtrace, no abort, whatever `RUST_BACKTRACE` says, and
//! never after minutes of measuring.
//!
//! Each setting is parsed by the module that uses it (the grid, the watchdog, the gate's
//! margins); this module only reads them all up front, and adds what no single module
//! can judge: a misspelt variable name, and capacities too large for this machine.
//!
//! ```
//! use ringstress_suite::settings::check;
//!
//! let memory = Some(8 << 30);
//! assert_eq!(check([("RINGSTRESS_SIZES", "64,1024")], memory), Ok(()));
//! let line = check([("RINGSTRESS_SIZES", "abc")], memory).unwrap_err();
//! assert!(line.contains("RINGSTRESS_SIZES") && line.contains("abc"));
//! assert!(check([("RINGSTRESS_SIZE", "64")], memory).is_err()); // misspelt
//! ```

use std::process;

use crate::gate::{Margins, NOISE_MARGIN_ENV, NoiseMargin, SINGLE_NOISE_MARGIN_ENV};
use crate::rerun::REMEASURE_OF_ENV;
use crate::stress::grid::{Grid, PATTERNS_ENV, SIZES_ENV, TOPOLOGIES_ENV, split};
use crate::stress::run::{PIN_ENV, STALL_SECS_ENV, parse_pin, parse_stall_secs};
use crate::stress::scenario::http_flood;
use crate::stress::scenario::mpmc_thrash::{self, MAX_THREADS};

/// Every setting the suite reads ([`REMEASURE_OF_ENV`] is the gate's, for the run it starts).
pub const SETTINGS: [&str; 8] = [
    SIZES_ENV,
    PATTERNS_ENV,
    TOPOLOGIES_ENV,
    PIN_ENV,
    STALL_SECS_ENV,
    NOISE_MARGIN_ENV,
    SINGLE_NOISE_MARGIN_ENV,
    REMEASURE_OF_ENV,
];

/// What one slot of a ring may take, at most, for the largest message a scenario moves
/// (an `http_flood` request and the slot's own bookkeeping), with room to spare.
const SLOT_BYTES: u64 = 128;

/// The share of the machine's memory one ring of a benchmarked capacity may take: a
/// scenario holds several rings at once (and each peer its own), and the machine has other
/// work to do.
const RING_MEMORY_SHARE: u64 = 16;

/// Checks the settings in `vars` (name, value; other variables are ignored) for a machine
/// with `memory` bytes (`None`: unknown, so only capacities that cannot be addressed at all
/// are refused).
///
/// # Errors
///
/// The one line naming the first bad setting, its value and what is accepted.
pub fn check<'a>(
    vars: impl IntoIterator<Item = (&'a str, &'a str)>,
    memory: Option<u64>,
) -> Result<(), String> {
    let vars: Vec<(&str, &str)> = vars
        .into_iter()
        .filter(|(name, _)| name.starts_with("RINGSTRESS_"))
        .collect();
    let value_of = |wanted: &str| {
        vars.iter()
            .find(|(name, _)| *name == wanted)
            .map(|&(_, value)| value)
    };
    if let Some((name, value)) = vars.iter().find(|(name, _)| !SETTINGS.contains(name)) {
        return Err(format!(
            "{name}={value:?}: {name} is not a ringstress setting; the settings are {}",
            SETTINGS.join(", ")
        ));
    }
    let grid = Grid::parse(value_of(SIZES_ENV), value_of(PATTERNS_ENV))?;
    for capacity in grid.sizes {
        let bytes = (capacity as u64).saturating_mul(SLOT_BYTES);
        let limit = memory.map_or(isize::MAX as u64, |memory| memory / RING_MEMORY_SHARE);
        if bytes > limit {
            let room = limit / SLOT_BYTES;
            return Err(format!(
                "{SIZES_ENV}={:?}: capacity {capacity} is too large for this machine (a ring of \
                 it may take {bytes} bytes; accepted: at most {room}, so several rings fit in \
                 1/{RING_MEMORY_SHARE} of its memory)",
                value_of(SIZES_ENV).unwrap_or_default()
            ));
        }
    }
    if let Some(text) = value_of(TOPOLOGIES_ENV) {
        check_topologies(text)?;
    }
    if let Some(text) = value_of(PIN_ENV) {
        parse_pin(text)?;
    }
    if let Some(text) = value_of(STALL_SECS_ENV) {
        parse_stall_secs(text)?;
    }
    if let Some(text) = value_of(REMEASURE_OF_ENV)
        && text.parse::<u32>().is_err()
    {
        return Err(format!(
            "{REMEASURE_OF_ENV}={text:?}: not a process id (the gate sets it on the run it \
             starts to measure again; accepted: a process id, or unset)"
        ));
    }
    for (name, default) in [
        (NOISE_MARGIN_ENV, Margins::default().group),
        (SINGLE_NOISE_MARGIN_ENV, Margins::default().single),
    ] {
        NoiseMargin::from_env_value(name, value_of(name), default.fraction())
            .map_err(|error| error.to_string())?;
    }
    Ok(())
}

/// Every entry of a [`TOPOLOGIES_ENV`] value must be a topology of some scenario.
fn check_topologies(text: &str) -> Result<(), String> {
    let entries: Vec<&str> = split(text).collect();
    let accepted = format!(
        "accepted: comma-separated <p>p<c>c (mpmc_thrash) and <n>-workers (http_flood), \
         each count 1 to {MAX_THREADS}, e.g. 8p8c,16p1c,4-workers"
    );
    if entries.is_empty() {
        return Err(format!(
            "{TOPOLOGIES_ENV}={text:?}: no topology named; {accepted}"
        ));
    }
    for entry in entries {
        let thrash = entry.parse::<mpmc_thrash::Topology>().is_ok();
        let flood = entry
            .parse::<http_flood::Topology>()
            .is_ok_and(|topology| topology.workers <= MAX_THREADS);
        if !thrash && !flood {
            return Err(format!(
                "{TOPOLOGIES_ENV}={text:?}: {entry:?} is not a topology; {accepted}"
            ));
        }
    }
    Ok(())
}

/// Checks this process's settings ([`check`]) and exits with code 2 after printing the one
/// line when one is bad. The first call of every bench binary's `main`.
pub fn check_or_exit() {
    let vars: Vec<(String, String)> = std::env::vars_os()
        .filter(|(name, _)| name.to_string_lossy().starts_with("RINGSTRESS_"))
        .map(|(name, value)| {
            (
                name.to_string_lossy().into_owned(),
                value.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| crate::gate::memory_total_bytes(&meminfo));
    let vars = vars
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()));
    if let Err(line) = check(vars, memory) {
        eprintln!("ringstress: {line}");
        process::exit(2);
    }
}
