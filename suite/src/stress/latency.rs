//! Request→response latency of the `http_flood` scenario: how it is timed, recorded and
//! reported. Throughput says how many requests a pipeline moves; a load test's users read
//! latency percentiles first (p50, p99, p99.9, max, as wrk, hey and k6 print them).
//!
//! **A separate pass, timed at compile time.** The scenario driver takes a [`Probe`] as a type
//! parameter and calls it where the acceptor hands requests to the request queue and where
//! responses come back. Criterion's clocked runs use [`NoProbe`], whose empty methods
//! compile away: the measured code holds no probe instruction and no clock read.
//! After Criterion has measured a case, the bench file runs the same driver once more, off
//! Criterion's clock, with a [`Sampler`]; that pass validates every message exactly like a
//! clocked run, since it is the same driver.
//!
//! **What is timed.** A request's latency runs from the moment the acceptor starts the send
//! call that puts it into the request queue to the moment the receive call that brings its
//! response back returns: queueing in both directions, the worker's parse, and the time the
//! acceptor spends sending before it looks at responses again, as a client would see it.
//! The acceptor is a closed loop (it sends as fast as the queue takes requests), so the
//! figures are the latencies under that flood, not at a chosen request rate.
//!
//! **A sample, every [`SAMPLE_EVERY`]th request, not every request.** Each clock read
//! (`Instant::now()`) costs about 20–25 ns on the reference machine, and the flood's fastest
//! cells move a request through the pipeline every 80 ns or so (one worker, steady bursts).
//! Timing every request would take two reads per request on the acceptor, the pipeline's
//! busiest thread: its loop would run about half again as long, the load would drop, and the
//! pass would report the latencies of a slower flood. Timing every 16th costs under 3 ns per
//! request on average, a few percent at worst and nothing measurable on long bursts, where
//! one read covers a whole send or receive call anyway. A pass of at least 2^18 requests
//! (`http_flood::latency_requests`) still yields at least 16,384 samples, so p99.9 rests on
//! the 16 slowest or more. The sampled requests are fixed by their sequence numbers
//! (`seq % 16 == 0`), which no burst length lines up with, since bursts start wherever the
//! seeded lengths put them.
//!
//! **Granularity.** One clock read serves a whole call: requests sent in one call share its
//! stamp, responses received in one call share its reading. Where one call moves thousands
//! of requests (uniform and avalanche bursts at capacity 65536) latencies therefore come in
//! a few large steps, and p99, p99.9 and max often coincide: the slowest step holds more
//! than 1% of the samples.
//!
//! **Recording.** Samples go into an HDR histogram ([`Latencies`], the `hdrhistogram`
//! crate) with 3 significant digits, from 1 ns to an hour. Each figure read from it is the
//! top of its value's bucket, at most 0.1% above the value (exact below 2,048 ns).
//!
//! **Reporting.** A [`LatencyReport`] collects one [`LatencyRow`] per case and
//! implementation: printed as one table ([`LatencyReport::to_table`]) under the bench's
//! results, saved as JSON under the Criterion home ([`LatencyReport::save`]:
//! `<home>/latency/<slot>/<scenario>.json`, for the slot `new` and for a baseline the run
//! records), written atomically. The gate does not judge latency.
//!
//! ```
//! use std::time::Duration;
//! use ringstress_suite::stress::latency::{Latencies, format_ns};
//!
//! let mut latencies = Latencies::new();
//! for ns in 1..=1000 {
//!     latencies.record(Duration::from_nanos(ns));
//! }
//! let p = latencies.percentiles();
//! assert_eq!((p.samples, p.p50, p.p99, p.p99_9, p.max), (1000, 500, 990, 999, 1000));
//! assert_eq!(format_ns(p.max), "1.00 µs");
//! ```

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// The latency pass times request `seq` when `seq % SAMPLE_EVERY == 0` (see the module docs).
pub const SAMPLE_EVERY: u64 = 16;

/// The histogram's precision: 3 significant digits (0.1%).
const SIGNIFICANT_DIGITS: u8 = 3;
/// The longest latency the histogram tells apart: an hour, in ns (longer ones count as it).
const HIGHEST_NS: u64 = 3_600 * 1_000_000_000;

/// The directory under the Criterion home that holds the latency reports, one subdirectory
/// per slot (`new`, or a baseline's name), like Criterion's own layout.
pub const LATENCY_DIR: &str = "latency";

/// What a scenario driver calls where requests enter the request queue and responses come
/// back, chosen at compile time: [`NoProbe`] in clocked runs (it compiles away), [`Sampler`]
/// in the latency pass.
///
/// The acceptor calls [`offering`](Probe::offering) right before each send call and
/// [`accepted`](Probe::accepted) right after it; [`answered`](Probe::answered) right after
/// each receive call, before it checks what arrived.
pub trait Probe {
    /// Requests `first .. first + count` (sequence numbers) are about to be offered to the
    /// request queue in one send call.
    fn offering(&mut self, first: u64, count: usize);
    /// The send call announced by the last [`offering`](Probe::offering) put its first
    /// `count` requests in the queue.
    fn accepted(&mut self, count: usize);
    /// A receive call has just put `count` responses at the start of `received`; `seq` says
    /// which request each one answers. They are not checked yet: a probe must take any
    /// number `seq` returns (a faulty queue's garbage) without harm; validation fails such
    /// a response right after.
    fn answered<T>(&mut self, received: &[T], count: usize, seq: impl Fn(&T) -> u64);
}

/// A probe lent for a run: the caller keeps it and reads it afterwards.
impl<P: Probe + ?Sized> Probe for &mut P {
    #[inline(always)]
    fn offering(&mut self, first: u64, count: usize) {
        (**self).offering(first, count);
    }
    #[inline(always)]
    fn accepted(&mut self, count: usize) {
        (**self).accepted(count);
    }
    #[inline(always)]
    fn answered<T>(&mut self, received: &[T], count: usize, seq: impl Fn(&T) -> u64) {
        (**self).answered(received, count, seq);
    }
}

/// The probe of clocked runs: does nothing, so the driver compiles as if it had none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoProbe;

impl Probe for NoProbe {
    #[inline(always)]
    fn offering(&mut self, _first: u64, _count: usize) {}
    #[inline(always)]
    fn accepted(&mut self, _count: usize) {}
    #[inline(always)]
    fn answered<T>(&mut self, _received: &[T], _count: usize, _seq: impl Fn(&T) -> u64) {}
}

/// The probe of the latency pass: stamps every `every`th request with the time its send call
/// started, and records the time from that stamp to the return of the receive call that
/// brings its response, one clock read per call that involves a sampled request.
///
/// ```
/// use ringstress_suite::stress::latency::{Probe, Sampler};
///
/// let mut sampler = Sampler::new(100, 4);
/// sampler.offering(0, 10); // requests 0..10: 0, 4 and 8 are sampled
/// sampler.accepted(6); //     0..6 went in: 0 and 4 are stamped
/// assert_eq!(sampler.stamped(), 2);
/// sampler.answered(&[0u64, 1, 2, 3, 4], 5, |&seq| seq);
/// assert_eq!(sampler.into_latencies().count(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Sampler {
    /// `every - 1` (every is a power of two): request `seq` is sampled iff `seq & mask == 0`.
    mask: u64,
    /// `log2(every)`: sampled request `seq` has its stamp at `sent_at[seq >> shift]`.
    shift: u32,
    /// When each sampled request's send call started; `None` until it is in the queue, and
    /// again once its response is recorded (so a duplicate is not recorded twice).
    sent_at: Vec<Option<Instant>>,
    /// The first request of the send call in progress.
    offered: u64,
    /// When that call started, if it offers a sampled request.
    stamp: Option<Instant>,
    /// Requests stamped so far (each sampled request once, when its send call took it).
    stamped: u64,
    /// One latency per sampled request whose response has come back.
    latencies: Latencies,
}

impl Sampler {
    /// A sampler for a run of `requests` requests that times request `seq` when
    /// `seq % every == 0`.
    ///
    /// # Panics
    ///
    /// If `every` is not a power of two (1 times every request), or the stamps of `requests`
    /// requests do not fit in memory.
    pub fn new(requests: u64, every: u64) -> Self {
        assert!(
            every.is_power_of_two(),
            "latency: the sampling stride must be a power of two, not {every}"
        );
        let slots = usize::try_from(requests.div_ceil(every)).expect("stamps fit in memory");
        Self {
            mask: every - 1,
            shift: every.trailing_zeros(),
            sent_at: vec![None; slots],
            offered: 0,
            stamp: None,
            stamped: 0,
            latencies: Latencies::new(),
        }
    }

    /// Requests stamped when they went into the queue so far.
    pub fn stamped(&self) -> u64 {
        self.stamped
    }

    /// The latencies recorded.
    pub fn into_latencies(self) -> Latencies {
        self.latencies
    }

    /// The first sampled sequence number at or after `seq`.
    #[inline]
    fn next_sampled(&self, seq: u64) -> u64 {
        (seq + self.mask) & !self.mask
    }
}

impl Probe for Sampler {
    #[inline]
    fn offering(&mut self, first: u64, count: usize) {
        self.offered = first;
        self.stamp = (self.next_sampled(first) < first + count as u64).then(Instant::now);
    }

    #[inline]
    fn accepted(&mut self, count: usize) {
        let Some(stamp) = self.stamp else { return };
        let end = self.offered + count as u64;
        let mut seq = self.next_sampled(self.offered);
        while seq < end {
            if let Some(slot) = self.sent_at.get_mut((seq >> self.shift) as usize) {
                *slot = Some(stamp);
                self.stamped += 1;
            }
            seq += self.mask + 1;
        }
    }

    #[inline]
    fn answered<T>(&mut self, received: &[T], count: usize, seq: impl Fn(&T) -> u64) {
        let mut now = None;
        for item in received.iter().take(count) {
            let seq = seq(item);
            if seq & self.mask != 0 {
                continue;
            }
            let slot = self.sent_at.get_mut((seq >> self.shift) as usize);
            if let Some(sent) = slot.and_then(Option::take) {
                let now = *now.get_or_insert_with(Instant::now);
                self.latencies.record(now.saturating_duration_since(sent));
            }
        }
    }
}

/// Recorded latencies: an HDR histogram of nanoseconds, 3 significant digits, 1 ns to an
/// hour (longer ones are recorded as an hour).
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

impl Latencies {
    /// No latencies yet.
    pub fn new() -> Self {
        Self {
            histogram: Histogram::new_with_bounds(1, HIGHEST_NS, SIGNIFICANT_DIGITS)
                .expect("1 ns to an hour at 3 significant digits is a valid histogram"),
        }
    }

    /// Records one latency.
    #[inline]
    pub fn record(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(ns.max(1));
    }

    /// How many latencies were recorded.
    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// p50, p99, p99.9 and max in ns: each the smallest recorded value (to the histogram's
    /// precision) that at least that share of the samples is at or below. All zero when
    /// nothing was recorded.
    pub fn percentiles(&self) -> Percentiles {
        if self.histogram.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            samples: self.histogram.len(),
            p50: self.histogram.value_at_quantile(0.5),
            p99: self.histogram.value_at_quantile(0.99),
            p99_9: self.histogram.value_at_quantile(0.999),
            max: self.histogram.max(),
        }
    }
}

/// The latency figures of one case, in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Latencies recorded.
    pub samples: u64,
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p99_9: u64,
    /// The longest.
    pub max: u64,
}

/// One row of the latency table: an implementation on one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyRow {
    /// The Criterion id of the benchmark whose case this is,
    /// `<scenario>/<topology>/<pattern>/<implementation>/<capacity>`.
    pub id: String,
    /// The case: `<topology>/<pattern>/<capacity>`, e.g. `1-worker/steady/64`.
    pub case: String,
    /// The queue, e.g. `ringstress-spsc`.
    pub implementation: String,
    /// Requests its latency pass sent.
    pub requests: u64,
    /// Its latencies, in ns.
    pub latency_ns: Percentiles,
}

/// The latency table of one scenario's run: what the bench file prints and saves.
///
/// ```
/// use std::time::Duration;
/// use ringstress_suite::stress::latency::{Latencies, LatencyReport};
///
/// let mut latencies = Latencies::new();
/// latencies.record(Duration::from_micros(3));
/// let mut report = LatencyReport::new("http_flood", 16);
/// report.push("http_flood/1-worker/steady", "ringstress-spsc", 64, 1000, &latencies);
/// assert_eq!(report.rows[0].id, "http_flood/1-worker/steady/ringstress-spsc/64");
/// assert_eq!(report.rows[0].case, "1-worker/steady/64");
/// assert!(report.to_table().contains("| 1-worker/steady/64 | ringstress-spsc | 3.00 µs |"));
/// assert_eq!(LatencyReport::from_json(&report.to_json()).unwrap(), report);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyReport {
    /// The scenario, e.g. `http_flood`: the first part of every row's id, and the file name.
    pub scenario: String,
    /// Every how many requests one is timed.
    pub sample_every: u64,
    /// One per case and implementation, in the order they ran.
    pub rows: Vec<LatencyRow>,
}

impl LatencyReport {
    /// An empty report for `scenario`'s passes, each `sample_every`th request timed.
    pub fn new(scenario: &str, sample_every: u64) -> Self {
        Self {
            scenario: scenario.to_owned(),
            sample_every,
            rows: Vec::new(),
        }
    }

    /// Adds the row of `implementation` at `capacity` in Criterion group `group`
    /// (`<scenario>/<topology>/<pattern>`), whose pass sent `requests` requests.
    pub fn push(
        &mut self,
        group: &str,
        implementation: &str,
        capacity: usize,
        requests: u64,
        latencies: &Latencies,
    ) {
        let case_group = group
            .strip_prefix(&self.scenario)
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(group);
        self.rows.push(LatencyRow {
            id: format!("{group}/{implementation}/{capacity}"),
            case: format!("{case_group}/{capacity}"),
            implementation: implementation.to_owned(),
            requests,
            latency_ns: latencies.percentiles(),
        });
    }

    /// The table, headed by a line saying what it shows: `| case | implementation | p50 |
    /// p99 | p99.9 | max |`, times with units ([`format_ns`]), columns padded to line up.
    pub fn to_table(&self) -> String {
        let header = ["case", "implementation", "p50", "p99", "p99.9", "max"].map(String::from);
        let mut cells = vec![header];
        for row in &self.rows {
            let p = row.latency_ns;
            let time = |ns| {
                if p.samples == 0 {
                    "–".to_owned()
                } else {
                    format_ns(ns)
                }
            };
            cells.push([
                row.case.clone(),
                row.implementation.clone(),
                time(p.p50),
                time(p.p99),
                time(p.p99_9),
                time(p.max),
            ]);
        }
        let mut widths = [0; 6];
        for line in &cells {
            for (width, cell) in widths.iter_mut().zip(line) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let fewest = self.rows.iter().map(|row| row.requests).min().unwrap_or(0);
        let most = self.rows.iter().map(|row| row.requests).max().unwrap_or(0);
        let requests = if fewest == most {
            format!("{fewest}")
        } else {
            format!("{fewest} to {most}")
        };
        let mut out = format!(
            "{} latency, request → response: a separate pass per case after Criterion's \
             measurement, {requests} requests, 1 in {} timed\n\n",
            self.scenario, self.sample_every
        );
        for (index, line) in cells.iter().enumerate() {
            out.push('|');
            for (column, (cell, width)) in line.iter().zip(widths).enumerate() {
                let pad = width - cell.chars().count();
                // Text left, times right.
                if column < 2 {
                    let _ = write!(out, " {cell}{} |", " ".repeat(pad));
                } else {
                    let _ = write!(out, " {}{cell} |", " ".repeat(pad));
                }
            }
            out.push('\n');
            if index == 0 {
                out.push('|');
                for (column, width) in widths.iter().enumerate() {
                    let dashes = "-".repeat(*width);
                    out.push_str(&if column < 2 {
                        format!(" {dashes} |")
                    } else {
                        format!(" {}: |", &dashes[1..])
                    });
                }
                out.push('\n');
            }
        }
        out
    }

    /// The report as pretty-printed JSON (ending in a newline).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .expect("the report is strings and numbers, which always serialize");
        text.push('\n');
        text
    }

    /// Reads what [`to_json`](Self::to_json) wrote.
    ///
    /// # Errors
    ///
    /// When `text` is not such a report.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Writes the report to [`report_path`]`(home, slot, scenario)` for each of `slots`
    /// (`new`, and the baseline a run records), each atomically: written beside it as
    /// `.json.partial`, then renamed over it, so an interrupted run leaves the previous file
    /// whole. Returns the paths written.
    ///
    /// # Errors
    ///
    /// The first directory or file that cannot be written, with its path.
    pub fn save(&self, home: &Path, slots: &[&str]) -> io::Result<Vec<PathBuf>> {
        let text = self.to_json();
        let mut written = Vec::with_capacity(slots.len());
        for slot in slots {
            let path = report_path(home, slot, &self.scenario);
            let with_path = |error: io::Error| {
                io::Error::new(error.kind(), format!("{}: {error}", path.display()))
            };
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(with_path)?;
            }
            let partial = path.with_extension("json.partial");
            fs::write(&partial, &text).map_err(with_path)?;
            fs::rename(&partial, &path).map_err(with_path)?;
            written.push(path);
        }
        Ok(written)
    }

    /// What a bench binary does with its report once its groups are done: prints the table
    /// ([`to_table`](Self::to_table)) and saves it to `slots` under the Criterion home
    /// `home` ([`save`](Self::save)), saying where. A file that cannot be written is reported
    /// on stderr and the run goes on: the gate does not judge latency.
    pub fn print_and_save(&self, home: &Path, slots: &[&str]) {
        println!("\n{}", self.to_table());
        match self.save(home, slots) {
            Ok(paths) if paths.is_empty() => println!("(not saved: this run saves no results)"),
            Ok(paths) => {
                let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                println!("Saved to {}", paths.join(" and "));
            }
            Err(error) => eprintln!("ringstress latency: error: cannot save the table: {error}"),
        }
    }
}

/// Where the latency report of `scenario` for `slot` lives under the Criterion home `home`:
/// `<home>/latency/<slot>/<scenario>.json`.
///
/// ```
/// use std::path::Path;
/// use ringstress_suite::stress::latency::report_path;
///
/// assert_eq!(
///     report_path(Path::new("criterion-baselines"), "v0.4", "http_flood"),
///     Path::new("criterion-baselines/latency/v0.4/http_flood.json"),
/// );
/// ```
pub fn report_path(home: &Path, slot: &str, scenario: &str) -> PathBuf {
    home.join(LATENCY_DIR)
        .join(slot)
        .join(format!("{scenario}.json"))
}

/// A time in nanoseconds with its unit, to 3 significant digits: `850 ns`, `1.23 µs`,
/// `45.6 µs`, `789 µs`, `1.20 ms`, `2.50 s`.
///
/// ```
/// use ringstress_suite::stress::latency::format_ns;
///
/// assert_eq!(format_ns(850), "850 ns");
/// assert_eq!(format_ns(1_234), "1.23 µs");
/// assert_eq!(format_ns(45_600), "45.6 µs");
/// assert_eq!(format_ns(789_000), "789 µs");
/// assert_eq!(format_ns(1_204_000), "1.20 ms");
/// assert_eq!(format_ns(2_500_000_000), "2.50 s");
/// ```
pub fn format_ns(ns: u64) -> String {
    if ns < 1_000 {
        return format!("{ns} ns");
    }
    let (value, unit) = if ns < 1_000_000 {
        (ns as f64 / 1e3, "µs")
    } else if ns < 1_000_000_000 {
        (ns as f64 / 1e6, "ms")
    } else {
        (ns as f64 / 1e9, "s")
    };
    // Three significant digits, judged after rounding (9.996 µs is 10.0 µs); a value that
    // rounds up to 1000 keeps its unit (1000 µs).
    if value < 9.995 {
        format!("{value:.2} {unit}")
    } else if value < 99.95 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}
