//! Renders the results report as markdown: the hardware block, a line saying what was
//! checked against what, the `| Test | Throughput | Status | Notes |` table, the group
//! checks (when a baseline was compared) and the one-line verdict. The same text goes to
//! stdout and to the report file.

use super::decision::{FLOOR_MSGS_PER_SEC, Margins, OURS_PREFIX};
use super::group::GroupCheck;
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
    /// The noise margins regressions were judged with.
    pub margins: Margins,
    /// One row per benchmark, sorted by id.
    pub rows: Vec<Row>,
    /// One check per group and implementation of ours compared with a named baseline.
    pub groups: Vec<GroupCheck>,
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
            "{}. Floor: {} for `{OURS_PREFIX}*`. Regression: a significant drop (confidence \
             interval excludes zero) beyond the {:.0}% single-benchmark margin, or in a group \
             whose drop relative to the peers beside it is beyond the {:.0}% group margin. \
             Change = median time per iteration, as throughput.\n\n",
            self.scope,
            format_rate(FLOOR_MSGS_PER_SEC),
            self.margins.single.fraction() * 100.0,
            self.margins.group.fraction() * 100.0,
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
        if !self.groups.is_empty() {
            out.push_str(&groups_to_markdown(&self.groups));
            out.push('\n');
        }
        out.push_str(&self.verdict().summary());
        out.push('\n');
        out
    }
}

/// The group checks as a table.
fn groups_to_markdown(groups: &[GroupCheck]) -> String {
    let mut out = String::from(
        "| Group | Ours | Compared | Change | Peers' change | Change vs peers | \
         Significantly slower | Call |\n|---|---|---|---|---|---|---|---|\n",
    );
    let pct = |change: f64| format!("{:+.1}%", change * 100.0);
    for check in groups {
        out.push_str(&format!(
            "| {} | {} | {} vs {} | {} | {} | {} | {} of {} | {} |\n",
            escape_cell(&check.group),
            escape_cell(&check.implementation),
            check.compared,
            escape_cell(&check.baseline),
            pct(check.change),
            check.peers_change.map_or_else(|| "n/a".to_owned(), pct),
            pct(check.relative_change),
            check.significantly_slower,
            check.compared,
            check.call.label(),
        ));
    }
    out
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
