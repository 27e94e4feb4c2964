//! The ratio table README.md quotes: at one capacity, every implementation's throughput per
//! group and burst pattern, and our best ring over the best peer in the
//! same cell. `ringstress-gate --ratios CAPACITY` prints it from saved results.

use std::collections::{BTreeMap, BTreeSet};

use super::rate::format_rate;
use super::results::{BenchmarkResult, pattern_rank};

/// The Markdown ratio table of `results` at `capacity` (one row per family and pattern,
/// see [`Place`](super::results::Place)); empty cells read `–`, and so does the ratio when a cell has no ring of ours
/// or nothing else to compare it with.
///
/// Columns: our implementations, then the others, each by name. Rows: groups by name, then
/// patterns in the order steady, uniform, avalanche.
pub fn ratio_table(results: &[BenchmarkResult], capacity: usize) -> String {
    // (group, pattern rank, pattern) -> function -> msg/s
    let mut cells: BTreeMap<(&str, usize, &str), BTreeMap<&str, f64>> = BTreeMap::new();
    let mut ours = BTreeSet::new();
    let mut others = BTreeSet::new();
    for result in results {
        let record = &result.record;
        let (Some(function), Some(rate)) = (record.function_id.as_deref(), result.msgs_per_sec())
        else {
            continue;
        };
        let place = result.place();
        if place.capacity.parse() != Ok(capacity) {
            continue;
        }
        if result.is_ours() {
            ours.insert(function);
        } else {
            others.insert(function);
        }
        let rank = pattern_rank(place.pattern);
        cells
            .entry((place.family, rank, place.pattern))
            .or_default()
            .insert(function, rate);
    }
    let columns: Vec<&str> = ours.iter().chain(&others).copied().collect();
    let mut table = format!(
        "| group | pattern | {} | ours / best peer |\n|---|---|{}---|\n",
        columns.join(" | "),
        "---|".repeat(columns.len())
    );
    for ((group, _, pattern), rates) in &cells {
        let best = |names: &BTreeSet<&str>| {
            names
                .iter()
                .filter_map(|name| rates.get(name))
                .copied()
                .reduce(f64::max)
        };
        let ratio = match (best(&ours), best(&others)) {
            (Some(ours), Some(other)) => format!("{:.2}x", ours / other),
            _ => "–".to_owned(),
        };
        let figures: Vec<String> = columns
            .iter()
            .map(|name| rates.get(name).map_or("–".to_owned(), |&rate| short(rate)))
            .collect();
        table += &format!(
            "| {group} | {pattern} | {} | {ratio} |\n",
            figures.join(" | ")
        );
    }
    table
}

/// A rate without its unit, for narrow columns: `1.24G`, `73.9M`.
fn short(msgs_per_sec: f64) -> String {
    format_rate(msgs_per_sec)
        .trim_end_matches(" msg/s")
        .to_owned()
}
