//! Writes the results report to `<home>/report/ringstress-results.md` and its verdict page
//! ([`verdict_page`](super::verdict_page::verdict_page)) to
//! `<home>/report/ringstress-verdict.html` (scratch next to Criterion's HTML report, ignored
//! by git).
//!
//! `cargo bench` runs one bench binary per scenario, each with its own gate; the file
//! should show the whole invocation, not only the last scenario. So the file's first line
//! records which `cargo` process wrote it and since when; a later binary of the same
//! `cargo bench` finds its parent's id there and re-reads everything since that start.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the report goes under the Criterion home.
pub const REPORT_FILE: &str = "report/ringstress-results.md";

/// Where the verdict page goes under the Criterion home.
pub const PAGE_FILE: &str = "report/ringstress-verdict.html";

/// The report file under `home`.
pub fn report_path(home: &Path) -> PathBuf {
    home.join(REPORT_FILE)
}

/// The verdict page under `home`.
pub fn page_path(home: &Path) -> PathBuf {
    home.join(PAGE_FILE)
}

/// When the `cargo bench` invocation this binary belongs to started, as recorded by an
/// earlier bench binary of the same invocation; `started` when this is the first one (or
/// the binary was not started by cargo).
pub fn invocation_start(home: &Path, started: SystemTime) -> SystemTime {
    let Some(cargo) = cargo_parent_id() else {
        return started;
    };
    let first_line = fs::read_to_string(report_path(home))
        .ok()
        .and_then(|text| text.lines().next().map(str::to_owned));
    match first_line.as_deref().and_then(parse_marker) {
        Some((pid, since)) if pid == cargo && since < started => since,
        _ => started,
    }
}

/// Writes `markdown` to the report file, headed by the marker for [`invocation_start`].
///
/// # Errors
///
/// When the directory or file cannot be written.
pub fn write_report(home: &Path, since: SystemTime, markdown: &str) -> io::Result<PathBuf> {
    let path = report_path(home);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let marker = cargo_parent_id().map_or_else(String::new, |pid| marker(pid, since) + "\n");
    fs::write(&path, marker + markdown)?;
    Ok(path)
}

/// Writes `html` to the verdict page, whole or not at all: into `<page>.partial`, then
/// renamed over the page, so a browser open on it never reads half a page.
///
/// # Errors
///
/// When the directory or file cannot be written.
pub fn write_page(home: &Path, html: &str) -> io::Result<PathBuf> {
    let path = page_path(home);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("html.partial");
    fs::write(&partial, html)?;
    fs::rename(&partial, &path)?;
    Ok(path)
}

fn marker(cargo_pid: u32, since: SystemTime) -> String {
    let since_ns = since.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("<!-- ringstress-gate cargo-pid={cargo_pid} since-ns={since_ns} -->")
}

fn parse_marker(line: &str) -> Option<(u32, SystemTime)> {
    let fields = line
        .strip_prefix("<!-- ringstress-gate ")?
        .strip_suffix(" -->")?;
    let (pid, since) = fields.split_once(' ')?;
    let pid = pid.strip_prefix("cargo-pid=")?.parse().ok()?;
    let since_ns: u64 = since.strip_prefix("since-ns=")?.parse().ok()?;
    Some((pid, UNIX_EPOCH + Duration::from_nanos(since_ns)))
}

/// The id of the parent process when it is `cargo`.
#[cfg(target_os = "linux")]
fn cargo_parent_id() -> Option<u32> {
    let pid = std::os::unix::process::parent_id();
    let name = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    (name.trim() == "cargo").then_some(pid)
}

/// The id of the parent process when it is `cargo` (only known on Linux).
#[cfg(not(target_os = "linux"))]
fn cargo_parent_id() -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trips() {
        let since = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        assert_eq!(parse_marker(&marker(4242, since)), Some((4242, since)));
        assert_eq!(parse_marker("## ringstress results"), None);
    }
}
