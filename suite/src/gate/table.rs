//! Renders the results report as markdown: the hardware block, a line saying what was
//! checked against what (and, for a baseline from another harness or machine, the one line
//! saying it was not compared cell by cell), the `| Test | Throughput | Status | Notes |`
//! table, the floor's count, the group checks (when a baseline was compared) and the
//! one-line verdict. The same text goes to stdout and to the report file.

use super::decision::{FLOOR_MSGS_PER_SEC, OURS_PREFIX, Rules};
use super::group::{GroupCall, GroupCheck, SIGN_TEST_LEVEL};
use super::hardware::Hardware;
use super::rate::{format_change, format_rate};
use super::verdict::{Row, Verdict};

/// A complete results report.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsReport {
    /// The machine.
    pub hardware: Hardware,
    /// What these results are and what they were compared with, e.g.
    /// "This run, compared with baseline `v0.1`".
    pub scope: String,
    /// What the results were judged with.
    pub rules: Rules,
    /// Why the baseline was not compared at all, when it is damaged (an error: the run
    /// exits 2).
    pub baseline_damage: Option<String>,
    /// Why the compared baseline was not compared cell by cell, when it was not.
    pub baseline_note: Option<String>,
    /// One row per benchmark, sorted by id.
    pub rows: Vec<Row>,
    /// One check per group and implementation of ours compared with a named baseline.
    pub groups: Vec<GroupCheck>,
}

impl ResultsReport {
    /// The verdict of the rows.
    pub fn verdict(&self) -> Verdict {
        Verdict {
            baseline_damage: self.baseline_damage.clone(),
            ..Verdict::of(&self.rows)
        }
    }

    /// The report as markdown.
    pub fn to_markdown(&self) -> String {
        let verdict = self.verdict();
        let mut out = String::from("## ringstress results\n\n");
        out.push_str(&self.hardware.to_markdown());
        out.push('\n');
        let margins = self.rules.margins;
        out.push_str(&format!(
            "{}. Floor: {floor} for `{OURS_PREFIX}*`, after discounting a slowdown the peers \
             beside it share; failed only where the baseline was at or above it (UNDER \
             (baseline): under it there too). Regression: a significant drop (confidence \
             interval excludes zero) beyond the {:.0}% single-benchmark margin, against a \
             baseline comparable cell by cell; or a group whose drop relative to the peers \
             beside it is beyond the {:.0}% group margin with most of its cells slower than \
             their peers (sign test, p <= {SIGN_TEST_LEVEL}). Change = median time per \
             iteration, as throughput.\n\n",
            self.scope,
            margins.single.fraction() * 100.0,
            margins.group.fraction() * 100.0,
            floor = format_rate(FLOOR_MSGS_PER_SEC),
        ));
        for note in self.baseline_damage.iter().chain(&self.baseline_note) {
            out.push_str(note);
            out.push_str("\n\n");
        }
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
        out.push_str(&verdict.floor_summary());
        out.push_str("\n\n");
        if !self.groups.is_empty() {
            out.push_str(&groups_to_markdown(&self.groups));
            out.push('\n');
        }
        out.push_str(&verdict.summary());
        out.push('\n');
        out
    }
}

/// The group checks as a table: every whole group, and the pattern slices that are not
/// within noise (a slice row names its pattern after the group).
fn groups_to_markdown(groups: &[GroupCheck]) -> String {
    let mut out = String::from(
        "| Group | Ours | Compared | Change | Peers' change | Change vs peers | \
         Slower than peers | Significantly slower | Threshold | Call |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for check in groups {
        if check.pattern.is_some() && check.call == GroupCall::WithinNoise {
            continue;
        }
        let group = match &check.pattern {
            Some(pattern) => format!("{} ({pattern} cells)", check.group),
            None => check.group.clone(),
        };
        out.push_str(&format!(
            "| {} | {} | {} vs {} | {} | {} | {} | {} of {} (p = {:.3}) | {} of {} | -{:.0}% | {} |\n",
            escape_cell(&group),
            escape_cell(&check.implementation),
            check.compared,
            escape_cell(&check.baseline),
            format_change(check.change),
            check
                .peers_change
                .map_or_else(|| "n/a".to_owned(), format_change),
            format_change(check.relative_change),
            check.slower_than_peers,
            check.compared,
            check.sign_test_p,
            check.significantly_slower,
            check.compared,
            check.threshold * 100.0,
            check.call.label(),
        ));
    }
    out
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
}
