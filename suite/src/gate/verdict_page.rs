//! The verdict as a picture: one self-contained HTML page of a [`ResultsReport`], written
//! beside Criterion's report as `<home>/report/ringstress-verdict.html` (see
//! [`report_file`](super::report_file)). At the top, the one-line verdict, the floor's count,
//! the scope line and the machine; then per family (scenario and topology), a chart of
//! ours over the best peer in every cell (pattern × capacity), the family's group-check
//! calls, and a table of the absolute figures with the floor.
//!
//! The chart's y axis is the *ratio* ours / best peer on a log scale, with the line at 1.0
//! (as fast as the fastest peer measured beside it). One mark per implementation of ours in
//! each cell, its shape naming the implementation and its colour the status (PASS,
//! FAIL (floor), UNDER (baseline), UNDER (noise), REGRESSED); its tooltip (`<title>`) gives
//! both absolute figures. The floor is absolute, so in each cell it shows as a short dashed
//! tick at 50M msg/s over that cell's best peer: a mark under its tick is under the floor.
//!
//! The SVG is written by hand rather than with `plotters` (in the tree through Criterion,
//! with its SVG backend): plotters' elements carry no `<title>` or `class`, so the marks
//! could have neither tooltips nor status styles, and without a font feature compiled in it
//! only guesses the width of its labels. Its log axis would save little: the cells are a
//! category axis (pattern × capacity) that plotters would need custom label code for too,
//! and the marks, ticks and shading are plain rectangles, lines and polygons.
//!
//! The page is XHTML-compatible markup (every element closed, every text escaped), with
//! no scripts and no external assets, so it opens from disk and parses as XML.

use std::collections::BTreeMap;

use super::decision::{FLOOR_MSGS_PER_SEC, Status};
use super::group::{GroupCall, GroupCheck};
use super::rate::{format_change, format_rate};
use super::results::pattern_rank;
use super::table::ResultsReport;
use super::verdict::Row;

/// Width of one cell (pattern × capacity) in the chart, in pixels.
const CELL_WIDTH: f64 = 80.0;
/// Height of the plot area.
const PLOT_HEIGHT: f64 = 240.0;
/// Room left of the plot for the tick labels and the axis title.
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
/// Room under the plot for the capacity and pattern labels.
const BOTTOM: f64 = 44.0;
/// The ratio axis never spans more than this range, whatever the figures.
const RATIO_LIMITS: (f64, f64) = (1e-3, 1e3);
/// Horizontal distance between the marks of two implementations of ours in one cell.
const MARK_SPREAD: f64 = 12.0;

/// The statuses a mark of ours can have, in legend order.
const STATUSES: [Status; 6] = [
    Status::Pass,
    Status::FailFloor,
    Status::Regressed,
    Status::UnderAsInBaseline,
    Status::UnderWithinNoise,
    Status::FailNoThroughput,
];

/// Mark shapes, one per implementation of ours in a family (in name order), and the
/// character that stands for each in text.
const SHAPES: [(Shape, &str); 4] = [
    (Shape::Circle, "●"),
    (Shape::Square, "■"),
    (Shape::Diamond, "◆"),
    (Shape::Triangle, "▲"),
];

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.3em; }
h2 { font-size: 1.15em; margin: 1.8em 0 0.3em; border-bottom: 1px solid #ccc; }
.verdict { font-weight: bold; padding: 0.5em 0.7em; border-radius: 4px; }
.verdict.pass { background: #e6f4e7; }
.verdict.fail { background: #fbe4e4; }
.machine { columns: 2; margin: 0.5em 0; }
.note { color: #8a4b00; }
code { font-size: 0.95em; background: #f0f0f0; padding: 0 3px; border-radius: 3px; }
.legend span { margin-right: 1.2em; white-space: nowrap; }
.families a { margin-right: 0.8em; white-space: nowrap; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .plot { fill: #fafafa; stroke: #bbb; }
svg .grid { stroke: #e3e3e3; }
svg .separator { stroke: #bbb; }
.legend svg { vertical-align: middle; }
svg .parity { stroke: #222; stroke-width: 1.5; }
svg .floor { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .failing { fill: #fdeaea; }
svg .mark { stroke: #222; stroke-width: 0.8; }
svg .s-pass, .legend .s-pass { fill: #2e7d32; color: #2e7d32; }
svg .s-fail-floor, .legend .s-fail-floor { fill: #c62828; color: #c62828; }
svg .s-regressed, .legend .s-regressed { fill: #6a1b9a; color: #6a1b9a; }
svg .s-under-baseline, .legend .s-under-baseline { fill: #ef8c00; color: #ef8c00; }
svg .s-under-noise, .legend .s-under-noise { fill: #e6c200; color: #e6c200; }
svg .s-fail-no-throughput, .legend .s-fail-no-throughput { fill: #455a64; color: #455a64; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.under { color: #c62828; font-weight: bold; }
caption { text-align: left; color: #555; padding-bottom: 0.3em; }
td.s-pass { color: #2e7d32; }
td.s-fail-floor, td.s-fail-no-throughput { color: #c62828; font-weight: bold; }
td.s-regressed { color: #6a1b9a; font-weight: bold; }
td.s-under-baseline, td.s-under-noise { color: #a05a00; }
.calls li.regressed { color: #6a1b9a; font-weight: bold; }
";

/// The verdict page of `report`: a complete XHTML-compatible HTML document.
///
/// ```
/// use ringstress_suite::gate::{Hardware, ResultsReport, Rules, Margins, verdict_page};
///
/// let report = ResultsReport {
///     hardware: Hardware::detect(),
///     scope: "This run".into(),
///     rules: Rules::new(Margins::default()),
///     baseline_damage: None,
///     baseline_note: None,
///     rows: Vec::new(),
///     groups: Vec::new(),
/// };
/// let page = verdict_page(&report);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("PASS: none of ours ran."));
/// ```
pub fn verdict_page(report: &ResultsReport) -> String {
    let verdict = report.verdict();
    let families = families(&report.rows);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n\
         <meta charset=\"utf-8\"/>\n<title>ringstress verdict</title>\n<style>",
    );
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>ringstress verdict</h1>\n");
    let verdict_class = if verdict.passed() { "pass" } else { "fail" };
    out.push_str(&format!(
        "<p class=\"verdict {verdict_class}\">{}</p>\n<p>{}</p>\n<p class=\"scope\">{}</p>\n",
        text(&verdict.headline()),
        text(&verdict.floor_summary()),
        text(&report.scope),
    ));
    for note in report.baseline_damage.iter().chain(&report.baseline_note) {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", text(note)));
    }
    let hardware = &report.hardware;
    out.push_str("<ul class=\"machine\">\n");
    for (name, value) in [
        ("CPU", &hardware.cpu),
        ("Logical cores", &hardware.logical_cores),
        ("Memory", &hardware.memory),
        ("OS", &hardware.os),
        ("rustc", &hardware.rustc),
        ("Date", &hardware.date),
    ] {
        out.push_str(&format!("<li>{name}: {}</li>\n", escape(value)));
    }
    out.push_str("</ul>\n");
    out.push_str(&legend());
    out.push_str("<p class=\"families\">Families: ");
    for (index, family) in families.iter().enumerate() {
        out.push_str(&format!(
            "<a href=\"#family-{index}\">{}</a> ",
            escape(family.name)
        ));
    }
    out.push_str("</p>\n");
    for (index, family) in families.iter().enumerate() {
        out.push_str(&family_section(index, family, &report.groups));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One family's rows, by cell.
struct Family<'a> {
    name: &'a str,
    /// Our implementations in the family, by name; their index picks the mark's shape.
    ours: Vec<&'a str>,
    /// How many rows are peers.
    peers: usize,
    /// The cells, in display order: patterns as in the ratio table, capacities by size.
    cells: BTreeMap<CellKey<'a>, Cell<'a>>,
}

/// A cell's place in display order: (pattern rank, pattern, capacity as a number,
/// capacity).
type CellKey<'a> = (usize, &'a str, u64, &'a str);

/// The rows of ours in one cell and the fastest peer beside them.
#[derive(Default)]
struct Cell<'a> {
    ours: Vec<&'a Row>,
    best_peer: Option<(&'a str, f64)>,
}

impl Cell<'_> {
    /// Ours over the best peer for `row`, when both have a throughput.
    fn ratio(&self, row: &Row) -> Option<f64> {
        let (_, peer) = self.best_peer?;
        let ratio = row.msgs_per_sec? / peer;
        (ratio.is_finite() && ratio > 0.0).then_some(ratio)
    }

    /// Where the floor sits as a ratio to the best peer.
    fn floor_ratio(&self) -> Option<f64> {
        self.best_peer.map(|(_, peer)| FLOOR_MSGS_PER_SEC / peer)
    }

    /// Whether a row of ours here fails the gate.
    fn fails(&self) -> bool {
        self.ours.iter().any(|row| row.status.fails())
    }
}

/// The rows grouped by family, families by name.
fn families(rows: &[Row]) -> Vec<Family<'_>> {
    let mut by_name: BTreeMap<&str, Family<'_>> = BTreeMap::new();
    for row in rows {
        let family = by_name.entry(&row.family).or_insert_with(|| Family {
            name: &row.family,
            ours: Vec::new(),
            peers: 0,
            cells: BTreeMap::new(),
        });
        let rank = pattern_rank(&row.pattern);
        let size = row.capacity.parse().unwrap_or(u64::MAX);
        let cell = family
            .cells
            .entry((rank, &row.pattern, size, &row.capacity))
            .or_default();
        if row.status == Status::Peer {
            family.peers += 1;
            if let Some(rate) = row.msgs_per_sec
                && cell.best_peer.is_none_or(|(_, best)| rate > best)
            {
                cell.best_peer = Some((&row.implementation, rate));
            }
        } else {
            cell.ours.push(row);
            if !family.ours.contains(&row.implementation.as_str()) {
                family.ours.push(&row.implementation);
            }
        }
    }
    let mut families: Vec<Family<'_>> = by_name.into_values().collect();
    for family in &mut families {
        family.ours.sort_unstable();
        family.cells.retain(|_, cell| !cell.ours.is_empty());
    }
    families
}

/// The legend: status colours, the 1.0 line, the floor tick and the failing cell's shade.
fn legend() -> String {
    let mut out = String::from("<p class=\"legend\">");
    for status in STATUSES {
        out.push_str(&format!(
            "<span><span class=\"{}\">■</span> {}</span>",
            status_class(status),
            escape(status.label())
        ));
    }
    out.push_str(&format!(
        "<span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"24\" height=\"10\">\
         <line class=\"parity\" x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\"/></svg> 1.0: as fast as \
         the best peer</span><span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"24\" \
         height=\"10\"><line class=\"floor\" x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\"/></svg> the \
         {} floor over the cell's best peer (a mark under it is under the floor)</span>\
         <span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"14\" height=\"10\">\
         <rect class=\"failing\" width=\"14\" height=\"10\"/></svg> a ring of ours fails the \
         gate in this cell</span>",
        format_rate(FLOOR_MSGS_PER_SEC)
    ));
    out.push_str("</p>\n");
    out
}

/// One family: its heading, group calls, chart and table.
fn family_section(index: usize, family: &Family<'_>, groups: &[GroupCheck]) -> String {
    let mut out = format!(
        "<section id=\"family-{index}\">\n<h2>{}</h2>\n",
        escape(family.name)
    );
    if family.ours.is_empty() {
        let others = match family.peers {
            1 => "1 benchmark".to_owned(),
            n => format!("{n} benchmarks"),
        };
        out.push_str(&format!(
            "<p>No ring of ours in this family: {others} of others, not gated.</p>\n\
             </section>\n"
        ));
        return out;
    }
    out.push_str(&group_calls(family.name, groups));
    let marks: Vec<String> = family
        .ours
        .iter()
        .enumerate()
        .map(|(index, name)| format!("{} {}", shape_of(index).1, escape(name)))
        .collect();
    out.push_str(&format!("<p>Marks: {}</p>\n", marks.join(", ")));
    if family.cells.values().any(|cell| cell.best_peer.is_some()) {
        out.push_str(&chart(family));
    } else {
        out.push_str("<p>No peer measured beside ours here: no ratio to draw.</p>\n");
    }
    out.push_str(&cell_table(family));
    out.push_str("</section>\n");
    out
}

/// The family's group checks: every whole group, and the pattern slices that are not
/// within noise (as the Markdown report lists them).
fn group_calls(family: &str, groups: &[GroupCheck]) -> String {
    let checks: Vec<&GroupCheck> = groups
        .iter()
        .filter(|check| check.group == family)
        .filter(|check| check.pattern.is_none() || check.call != GroupCall::WithinNoise)
        .collect();
    if checks.is_empty() {
        return "<p class=\"calls\">Group check: none (regressions are checked against a \
                named baseline only).</p>\n"
            .to_owned();
    }
    let mut out = String::from("<ul class=\"calls\">\n");
    for check in checks {
        let class = if check.regressed() {
            "regressed"
        } else {
            "held"
        };
        let slice = check.scope();
        let (to, than) = match check.twin.as_deref() {
            Some(twin) => (escape(twin), escape(twin)),
            None => ("the peers".to_owned(), "their peers".to_owned()),
        };
        out.push_str(&format!(
            "<li class=\"{class}\">{}{} vs {}: {}. Change relative to {to} {} \
             (threshold -{:.0}%); own change {}; {} of {} cells slower than {than} \
             (p = {:.3}).</li>\n",
            escape(&check.implementation),
            escape(&slice),
            escape(&check.baseline),
            escape(check.call.label()),
            format_change(check.relative_change),
            check.threshold * 100.0,
            format_change(check.change),
            check.slower_than_peers,
            check.compared,
            check.sign_test_p,
        ));
    }
    out.push_str("</ul>\n");
    out
}

/// The chart of ours over the best peer per cell, on a log scale.
fn chart(family: &Family<'_>) -> String {
    let cells: Vec<(&CellKey<'_>, &Cell<'_>)> = family.cells.iter().collect();
    let plot_width = CELL_WIDTH * cells.len() as f64;
    let width = LEFT + plot_width + RIGHT;
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let figures = cells.iter().flat_map(|(_, cell)| {
        cell.ours
            .iter()
            .filter_map(|row| cell.ratio(row))
            .chain(cell.floor_ratio())
    });
    let axis = Axis::spanning(figures);
    let x_of = |index: usize| LEFT + (index as f64 + 0.5) * CELL_WIDTH;
    let plot_bottom = TOP + PLOT_HEIGHT;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width:.0}\" \
         height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" \
         aria-label=\"ours over the best peer per cell, log scale\">\n\
         <rect class=\"plot\" x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_width:.1}\" \
         height=\"{PLOT_HEIGHT}\"/>\n"
    );
    for (index, (_, cell)) in cells.iter().enumerate() {
        if cell.fails() {
            out.push_str(&format!(
                "<rect class=\"failing\" x=\"{:.1}\" y=\"{TOP}\" width=\"{CELL_WIDTH}\" \
                 height=\"{PLOT_HEIGHT}\"/>\n",
                x_of(index) - CELL_WIDTH / 2.0
            ));
        }
    }
    for tick in axis.ticks() {
        let y = axis.y(tick.value());
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}×</text>\n",
            LEFT + plot_width,
            LEFT - 6.0,
            y + 4.0,
            tick.label(),
        ));
    }
    out.push_str(&format!(
        "<text x=\"14\" y=\"{y:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 \
         {y:.1})\">ours / best peer (log)</text>\n",
        y = TOP + PLOT_HEIGHT / 2.0
    ));
    // Capacity labels under each cell, pattern labels under each run of cells, and a
    // separator between patterns.
    let mut start = 0;
    for (index, ((_, pattern, _, capacity), _)) in cells.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x_of(index),
            plot_bottom + 15.0,
            escape(capacity)
        ));
        let last_of_pattern = cells
            .get(index + 1)
            .is_none_or(|((_, next, _, _), _)| next != pattern);
        if last_of_pattern {
            let middle = (x_of(start) + x_of(index)) / 2.0;
            out.push_str(&format!(
                "<text x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                plot_bottom + 32.0,
                escape(if pattern.is_empty() { "–" } else { pattern })
            ));
            if index + 1 < cells.len() {
                let x = x_of(index) + CELL_WIDTH / 2.0;
                out.push_str(&format!(
                    "<line class=\"separator\" x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" \
                     y2=\"{:.1}\"/>\n",
                    plot_bottom + 36.0
                ));
            }
            start = index + 1;
        }
    }
    let parity = axis.y(1.0);
    out.push_str(&format!(
        "<line class=\"parity\" x1=\"{LEFT}\" y1=\"{parity:.1}\" x2=\"{:.1}\" \
         y2=\"{parity:.1}\"><title>1.0: ours as fast as the best peer</title></line>\n",
        LEFT + plot_width
    ));
    for (index, ((_, pattern, _, capacity), cell)) in cells.iter().enumerate() {
        let x = x_of(index);
        if let (Some(floor), Some((peer, rate))) = (cell.floor_ratio(), cell.best_peer)
            && axis.contains(floor)
        {
            let y = axis.y(floor);
            out.push_str(&format!(
                "<line class=\"floor\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\">\
                 <title>{} floor = {:.3}× the best peer ({}, {})</title></line>\n",
                x - CELL_WIDTH * 0.4,
                x + CELL_WIDTH * 0.4,
                format_rate(FLOOR_MSGS_PER_SEC),
                floor,
                escape(peer),
                format_rate(rate),
            ));
        }
        for row in &cell.ours {
            let Some(ratio) = cell.ratio(row) else {
                continue;
            };
            let slot = family
                .ours
                .iter()
                .position(|name| *name == row.implementation)
                .unwrap_or(0);
            let offset = (slot as f64 - (family.ours.len() - 1) as f64 / 2.0) * MARK_SPREAD;
            let (peer, peer_rate) = cell.best_peer.unwrap_or_default();
            let title = format!(
                "{} at {}/{}: {} vs best peer {} at {}: {:.2}× ({})",
                row.implementation,
                pattern,
                capacity,
                row.msgs_per_sec
                    .map_or_else(|| "n/a".to_owned(), format_rate),
                peer,
                format_rate(peer_rate),
                ratio,
                row.status.label(),
            );
            out.push_str(&mark(
                shape_of(slot).0,
                x + offset,
                axis.y(axis.clamp(ratio)),
                status_class(row.status),
                &title,
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

/// The figures under the chart: one row per cell and implementation of ours.
fn cell_table(family: &Family<'_>) -> String {
    let floor = format_rate(FLOOR_MSGS_PER_SEC);
    let mut out = format!(
        "<table class=\"cells\">\n<caption>Floor: {floor} for ours; a figure under it is in \
         bold red. Hover a row for its notes.</caption>\n<thead><tr><th>Pattern</th>\
         <th>Capacity</th><th>Ours</th><th>msg/s</th><th>Status</th><th>Best peer</th>\
         <th>msg/s</th><th>Ours / best peer</th></tr></thead>\n<tbody>\n"
    );
    for ((_, pattern, _, capacity), cell) in &family.cells {
        for row in &cell.ours {
            let under = row
                .msgs_per_sec
                .is_some_and(|rate| rate < FLOOR_MSGS_PER_SEC);
            let (peer, peer_rate) = match cell.best_peer {
                Some((name, rate)) => (escape(name), format_rate(rate)),
                None => ("–".to_owned(), "–".to_owned()),
            };
            let ratio = cell
                .ratio(row)
                .map_or_else(|| "–".to_owned(), |ratio| format!("{ratio:.2}×"));
            out.push_str(&format!(
                "<tr title=\"{}\"><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td class=\"num{}\">{}</td><td class=\"{}\">{}</td><td>{peer}</td>\
                 <td class=\"num\">{peer_rate}</td><td class=\"num\">{ratio}</td></tr>\n",
                escape(&row.notes),
                escape(pattern),
                escape(capacity),
                escape(&row.implementation),
                if under { " under" } else { "" },
                row.msgs_per_sec
                    .map_or_else(|| "n/a".to_owned(), format_rate),
                status_class(row.status),
                escape(row.status.label()),
            ));
        }
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The chart's ratio axis: log scale from `low` to `high`, both on the 1-2-5 grid.
struct Axis {
    low: Tick,
    high: Tick,
}

impl Axis {
    /// The axis over `figures` and 1.0, with some room, within [`RATIO_LIMITS`].
    fn spanning(figures: impl Iterator<Item = f64>) -> Self {
        let (mut low, mut high) = (1.0_f64, 1.0_f64);
        for figure in figures.filter(|figure| figure.is_finite() && *figure > 0.0) {
            low = low.min(figure);
            high = high.max(figure);
        }
        let low = (low / 1.15).max(RATIO_LIMITS.0);
        let high = (high * 1.15).min(RATIO_LIMITS.1);
        let mut axis = Self {
            low: Tick::at_or_below(low),
            high: Tick::at_or_above(high),
        };
        if axis.decades() > 2.0 {
            // Labelled by powers of ten only (see `ticks`): end on them too.
            axis.low.mantissa = 1;
            if axis.high.mantissa > 1 {
                axis.high = Tick {
                    exponent: axis.high.exponent + 1,
                    mantissa: 1,
                };
            }
        }
        axis
    }

    fn decades(&self) -> f64 {
        self.high.value().log10() - self.low.value().log10()
    }

    fn contains(&self, ratio: f64) -> bool {
        (self.low.value()..=self.high.value()).contains(&ratio)
    }

    fn clamp(&self, ratio: f64) -> f64 {
        ratio.clamp(self.low.value(), self.high.value())
    }

    /// The y coordinate of `ratio` (in range).
    fn y(&self, ratio: f64) -> f64 {
        let (low, high) = (self.low.value().log10(), self.high.value().log10());
        TOP + (high - ratio.log10()) / (high - low) * PLOT_HEIGHT
    }

    /// The ticks to label: the 1-2-5 grid over two decades or less, else the powers of ten.
    fn ticks(&self) -> Vec<Tick> {
        let decades = self.decades();
        let mut ticks = Vec::new();
        let mut tick = self.low;
        while tick <= self.high {
            if decades <= 2.0 || tick.mantissa == 1 {
                ticks.push(tick);
            }
            tick = tick.next();
        }
        ticks
    }
}

/// A value on the 1-2-5 grid: `mantissa` × 10^`exponent`, kept apart so labels print exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Tick {
    exponent: i32,
    mantissa: u8,
}

impl Tick {
    fn value(self) -> f64 {
        f64::from(self.mantissa) * 10_f64.powi(self.exponent)
    }

    fn next(self) -> Self {
        match self.mantissa {
            1 => Self {
                mantissa: 2,
                ..self
            },
            2 => Self {
                mantissa: 5,
                ..self
            },
            _ => Self {
                exponent: self.exponent + 1,
                mantissa: 1,
            },
        }
    }

    /// The largest grid value at or below `value` (positive).
    fn at_or_below(value: f64) -> Self {
        let mut tick = Self {
            exponent: value.log10().floor() as i32,
            mantissa: 1,
        };
        // The tolerance keeps a value already on the grid (0.001 as computed) on it.
        while tick.next().value() <= value * (1.0 + 1e-9) {
            tick = tick.next();
        }
        tick
    }

    /// The smallest grid value at or above `value` (positive).
    fn at_or_above(value: f64) -> Self {
        let mut tick = Self::at_or_below(value);
        if tick.value() < value * (1.0 - 1e-9) {
            tick = tick.next();
        }
        tick
    }

    /// `0.05`, `1`, `20`.
    fn label(self) -> String {
        let digits = self.mantissa.to_string();
        match usize::try_from(self.exponent) {
            Ok(zeros) => digits + &"0".repeat(zeros),
            Err(_) => {
                let zeros = usize::try_from(-self.exponent - 1).unwrap_or(0);
                format!("0.{}{digits}", "0".repeat(zeros))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Circle,
    Square,
    Diamond,
    Triangle,
}

fn shape_of(slot: usize) -> (Shape, &'static str) {
    SHAPES[slot % SHAPES.len()]
}

/// One mark of ours centred at (`x`, `y`), with its tooltip.
fn mark(shape: Shape, x: f64, y: f64, class: &str, title: &str) -> String {
    let r = 5.0;
    let element = match shape {
        Shape::Circle => format!("circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\""),
        Shape::Square => format!(
            "rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"",
            x - r * 0.9,
            y - r * 0.9,
            r * 1.8,
            r * 1.8
        ),
        Shape::Diamond => format!(
            "polygon points=\"{:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1}\"",
            x - r * 1.2,
            y - r * 1.2,
            x + r * 1.2,
            y + r * 1.2
        ),
        Shape::Triangle => format!(
            "polygon points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\"",
            y - r * 1.2,
            x + r * 1.1,
            y + r * 0.8,
            x - r * 1.1,
            y + r * 0.8
        ),
    };
    let name = element.split(' ').next().unwrap_or("circle");
    format!(
        "<{element} class=\"mark {class}\"><title>{}</title></{name}>\n",
        escape(title)
    )
}

/// The CSS class of a status.
fn status_class(status: Status) -> &'static str {
    match status {
        Status::Pass => "s-pass",
        Status::FailFloor => "s-fail-floor",
        Status::Regressed => "s-regressed",
        Status::UnderAsInBaseline => "s-under-baseline",
        Status::UnderWithinNoise => "s-under-noise",
        Status::FailNoThroughput => "s-fail-no-throughput",
        Status::Peer => "s-peer",
    }
}

/// A line of the Markdown report as HTML: escaped, its `code` spans set as code.
fn text(line: &str) -> String {
    let escaped = escape(line);
    if !escaped.matches('`').count().is_multiple_of(2) {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len());
    for (index, part) in escaped.split('`').enumerate() {
        if index % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// `text` safe inside an element or a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(text("baseline `v<1>`"), "baseline <code>v&lt;1&gt;</code>");
        assert_eq!(text("one ` tick"), "one ` tick");
    }

    #[test]
    fn ticks_print_exactly_on_the_1_2_5_grid() {
        let labels = |low: f64, high: f64| {
            let axis = Axis::spanning([low * 1.15, high / 1.15].into_iter());
            axis.ticks()
                .into_iter()
                .map(Tick::label)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(0.03, 1.3),
            ["0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"]
        );
        assert_eq!(
            labels(0.004, 30.0),
            ["0.001", "0.01", "0.1", "1", "10", "100"]
        );
        assert_eq!(Tick::at_or_above(1.0).label(), "1");
    }

    #[test]
    fn the_axis_keeps_1_in_range_and_stays_within_its_limits() {
        let axis = Axis::spanning([3.0, 4.0].into_iter());
        assert!(axis.contains(1.0) && axis.contains(4.0));
        let wild = Axis::spanning([1e-9, 1e9].into_iter());
        assert_eq!((wild.low.value(), wild.high.value()), RATIO_LIMITS);
        assert!(wild.y(1.0) > TOP && wild.y(1.0) < TOP + PLOT_HEIGHT);
    }
}
