//! Renders the results report as markdown, in two cuts of the same content:
//!
//! - [`ResultsReport::to_markdown`], the report file: the hardware block, a line saying what
//!   was checked against what (and, for a damaged baseline or one from another harness or
//!   machine, the one line saying so), the full `| Test | Throughput | Status | Notes |`
//!   table, the floor's count, the group checks and the verdict with every failing id;
//! - [`ResultsReport::to_terminal`], what a person reads after `cargo bench`: the verdict
//!   first in one line, then the group checks, then only the cells that need attention.

use super::decision::{FLOOR_MSGS_PER_SEC, OURS_PREFIX, Rules, Status};
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

    /// The report for the terminal: the verdict's headline first, the machine and scope in
    /// short, any baseline line, the group checks, then only the rows that fail or sit
    /// under the floor within noise, and the floor's count; `full_report` names where the
    /// whole table is.
    pub fn to_terminal(&self, full_report: Option<&str>) -> String {
        let verdict = self.verdict();
        let mut out = format!("ringstress verdict: {}\n\n", verdict.headline());
        out.push_str(&format!(
            "{} ({}, {} logical cores).\n\n",
            self.scope, self.hardware.cpu, self.hardware.logical_cores
        ));
        for note in self.baseline_damage.iter().chain(&self.baseline_note) {
            out.push_str(note);
            out.push_str("\n\n");
        }
        if !self.groups.is_empty() {
            out.push_str(&groups_to_markdown(&self.groups));
            out.push('\n');
        }
        let attention: Vec<&Row> = self
            .rows
            .iter()
            .filter(|row| row.status.fails() || row.status == Status::UnderWithinNoise)
            .collect();
        if !attention.is_empty() {
            out.push_str(&format!(
                "Cells that need attention ({} of {}):\n\n",
                attention.len(),
                self.rows.len()
            ));
            out.push_str(&rows_to_markdown(attention));
            out.push('\n');
        }
        out.push_str(&verdict.floor_summary());
        out.push('\n');
        if let Some(path) = full_report {
            out.push_str(&format!(
                "Every cell ({} rows) with its notes: {path}\n",
                self.rows.len()
            ));
        }
        out
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
             iteration, as throughput; the group checks and the floor's drops compare the \
             fastest sample instead where a family's threads fit on the cores.\n\n",
            self.scope,
            margins.single.fraction() * 100.0,
            margins.group.fraction() * 100.0,
            floor = format_rate(FLOOR_MSGS_PER_SEC),
        ));
        for note in self.baseline_damage.iter().chain(&self.baseline_note) {
            out.push_str(note);
            out.push_str("\n\n");
        }
        out.push_str(&rows_to_markdown(&self.rows));
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

/// Rows as the `| Test | Throughput | Status | Notes |` table.
fn rows_to_markdown<'a>(rows: impl IntoIterator<Item = &'a Row>) -> String {
    let mut out = String::from("| Test | Throughput | Status | Notes |\n|---|---|---|---|\n");
    for row in rows {
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
    out
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
        let group = format!("{}{}", check.group, check.scope());
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
