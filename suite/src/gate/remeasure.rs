//! Re-measuring the cases that failed the floor, once, before a run fails on them.
//!
//! The floor judges each cell of ours alone, and one cell can be caught by one of this
//! machine's slow phases (they last tens of seconds and hit the oversubscribed topologies
//! hardest) while the peers measured seconds before or after it are not: in one plain run
//! of nine on unchanged code, `http_flood/2-workers/avalanche/ringstress-mpmc/1024` read
//! 14–19M msg/s in all its samples against 46–53M in the baseline, with its peers unmoved.
//! So before a comparing run fails the floor, the bench binary runs once more on those
//! cases alone: every implementation of each failing cell's group and capacity, back to
//! back as the first time, saved over the first figures. The gate then judges the whole run
//! again. A ring that is slower stays slower and fails again; a phase rarely strikes the
//! same cell twice.
//!
//! Only floor failures are re-measured. A regression is judged on a group's or slice's
//! cells together (a sign test, the median cell), which one cell's phase does not carry.
//! A run recording a baseline is not re-measured (its figures are what they were), nor is
//! the re-measuring run itself, which [`REMEASURE_OF_ENV`] marks.

use std::path::Path;
use std::process::Command;

use regex::escape;

use super::criterion_args::with_filter;
use super::verdict::Verdict;

/// Set (to the parent's process id) on the bench binary the gate starts to re-measure; its
/// own gate then stays silent, as the parent judges. Not meant to be set by hand.
pub const REMEASURE_OF_ENV: &str = "RINGSTRESS_REMEASURE_OF";

/// Whether this process is the gate's re-measuring run.
pub fn is_remeasuring() -> bool {
    std::env::var_os(REMEASURE_OF_ENV).is_some()
}

/// The Criterion filter selecting every implementation of the cases of `ids` (each
/// `group/function/parameter`): the same group and capacity, any function.
///
/// ```
/// use ringstress_suite::gate::cases_filter;
///
/// let filter = cases_filter(&["http_flood/2-workers/avalanche/ringstress-mpmc/1024".into()]);
/// assert_eq!(filter.as_deref(), Some(r"^(?:http_flood/2\-workers/avalanche/[^/]+/1024)$"));
/// assert_eq!(cases_filter(&["no-slashes".into()]), None);
/// ```
pub fn cases_filter(ids: &[String]) -> Option<String> {
    let mut cases = Vec::new();
    for id in ids {
        let (rest, capacity) = id.rsplit_once('/')?;
        let (group, _function) = rest.rsplit_once('/')?;
        let case = format!("{}/[^/]+/{}", escape(group), escape(capacity));
        if !cases.contains(&case) {
            cases.push(case);
        }
    }
    (!cases.is_empty()).then(|| format!("^(?:{})$", cases.join("|")))
}

/// Runs this bench binary again, with the same arguments but `filter` as the name filter,
/// without plots (the HTML report keeps the first measurement's pages), marked with
/// [`REMEASURE_OF_ENV`]. Its output goes to this process's.
///
/// # Errors
///
/// One line when the binary cannot be started or does not finish with success.
pub fn run_again(filter: &str) -> Result<(), String> {
    let exe =
        std::env::current_exe().map_err(|error| format!("cannot find this binary: {error}"))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut args = with_filter(&args, filter);
    args.insert(0, "--noplot".to_owned());
    let status = Command::new(&exe)
        .args(&args)
        .env(REMEASURE_OF_ENV, std::process::id().to_string())
        .status()
        .map_err(|error| format!("cannot start {}: {error}", exe.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {} ended with {status}",
            display_name(&exe),
            args.join(" ")
        ))
    }
}

/// Whether the gate re-measures before failing a run whose verdict is `verdict`: floor
/// failures only, in a comparing run (`compares`), not inside a re-measuring run.
pub fn wanted(verdict: &Verdict, compares: bool) -> bool {
    compares && !verdict.below_floor.is_empty() && !is_remeasuring()
}

fn display_name(exe: &Path) -> String {
    exe.file_name().map_or_else(
        || exe.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
