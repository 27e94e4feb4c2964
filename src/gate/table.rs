//! Renders the results report as markdown: the hardware block, a line saying what was
//! checked against what, the `| Test | Throughput | Status | Notes |` table and the
//! one-line verdict. The same text goes to stdout and to the report file.

use super::decision::{FLOOR_MSGS_PER_SEC, NoiseMargin, OURS_PREFIX};
use super::hardware::Hardware;
use super::verdict::{Row, Verdict};

/// A complete results report.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsReport {
    /// The machine.
    pub hardware: Hardware,
    /// What these results are and what they were compared with, e.g.
    /// "This run, compared with baseline `v0.1`".
    pub scope: String,
    /// The noise margin regressions were judged with.
    pub margin: NoiseMargin,
    /// One row per benchmark, sorted by id.
    pub rows: Vec<Row>,
}

impl ResultsReport {
    /// The verdict of the rows.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(&self.rows)
    }

    /// The report as markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("## ringstress results\n\n");
        out.push_str(&self.hardware.to_markdown());
        out.push('\n');
        out.push_str(&format!(
            "{}. Floor: {} for `{OURS_PREFIX}*`; regression: a drop beyond the {:.0}% noise \
             margin whose confidence interval excludes zero. Change = median time per \
             iteration, as throughput.\n\n",
            self.scope,
            format_rate(FLOOR_MSGS_PER_SEC),
            self.margin.fraction() * 100.0,
        ));
        out.push_str("| Test | Throughput | Status | Notes |\n|---|---|---|---|\n");
        for row in &self.rows {
            let throughput = row
                .msgs_per_sec
                .map_or_else(|| "n/a".to_owned(), format_rate);
            out.push_str(&format!(
                "| {} | {throughput} | {} | {} |\n",
                escape_cell(&row.id),
                row.status.label(),
                escape_cell(&row.notes),
            ));
        }
        out.push('\n');
        out.push_str(&self.verdict().summary());
        out.push('\n');
        out
    }
}

/// A rate in messages per second, human-readable.
///
/// ```
/// use ringstress::gate::format_rate;
///
/// assert_eq!(format_rate(123_456_789.0), "123.5M msg/s");
/// assert_eq!(format_rate(1_244_600_000.0), "1.24G msg/s");
/// assert_eq!(format_rate(9_166.0), "9.2K msg/s");
/// assert_eq!(format_rate(12.0), "12 msg/s");
/// ```
pub fn format_rate(msgs_per_sec: f64) -> String {
    // Each threshold sits where the smaller unit would round up to "1000".
    if msgs_per_sec >= 999.995e6 {
        format!("{:.2}G msg/s", msgs_per_sec / 1e9)
    } else if msgs_per_sec >= 999.95e3 {
        format!("{:.1}M msg/s", msgs_per_sec / 1e6)
    } else if msgs_per_sec >= 999.5 {
        format!("{:.1}K msg/s", msgs_per_sec / 1e3)
    } else {
        format!("{msgs_per_sec:.0} msg/s")
    }
}

/// Keeps a cell's text from breaking the table.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_in_ids_do_not_split_cells() {
        assert_eq!(escape_cell("a|b"), "a\\|b");
    }

    #[test]
    fn the_floor_reads_as_50m() {
        assert_eq!(format_rate(FLOOR_MSGS_PER_SEC), "50.0M msg/s");
    }
}
