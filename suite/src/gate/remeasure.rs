//! When a run's floor failures are measured a second time, and which cases that covers.
//!
//! The floor judges each cell of ours alone, and one cell can be caught by one of this
//! machine's slow phases (they last tens of seconds and hit the oversubscribed topologies
//! hardest) while the peers measured seconds before or after it are not: in one plain run
//! of nine on unchanged code, `http_flood/2-workers/avalanche/ringstress-mpmc/1024` read
//! 14–19M msg/s in all its samples against 46–53M in the baseline, with its peers unmoved.
//! So before a comparing run fails the floor, [`after_benches`](super::after_benches) asks
//! the bench binary that called it to measure the failing cells' cases once more (every
//! implementation of each failing cell's group and capacity, back to back as the first
//! time, saved over the first figures), and judges the whole run again. A slower ring
//! fails both times. A phase that is over by then spares the second measurement; one that
//! still lasts slows the peers measured beside ours too, and the floor's normalisation
//! counts it out.
//!
//! Only floor failures are measured twice: a regression is judged on a group's or slice's
//! cells together (a sign test, the median cell), which one cell cannot carry. Not in a run
//! recording a baseline (its figures are what they were), nor in one that only re-analyses
//! saved samples; and not when more than [`MAX_CASES`] cases failed, which is no phase.

use super::criterion_args::{BaselineUse, CriterionArgs};

/// The most failing cases measured a second time. A phase catches the few cells measured
/// while it lasts; a ring that fell below the floor in more cases than this is slower, and
/// measuring most of the run again would only double its time.
pub const MAX_CASES: usize = 4;

/// The Criterion filter selecting every implementation of the cases of the `failed`
/// benchmarks, each given by its id (`group/function/parameter`) and function: the same
/// group and parameter, any function. `None` when there are none, or more than
/// [`MAX_CASES`]. An id that does not hold its function between slashes names no case.
///
/// ```
/// use ringstress_suite::gate::cases_filter;
///
/// let failed = [("http_flood/2-workers/avalanche/ringstress-mpmc/1024", "ringstress-mpmc")];
/// assert_eq!(
///     cases_filter(failed).as_deref(),
///     Some(r"^(?:http_flood/2\-workers/avalanche/[^/]+/1024)$"),
/// );
/// assert_eq!(cases_filter([("demo/x/64", "ringstress-spsc")]), None);
/// ```
pub fn cases_filter<'a>(failed: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut cases = Vec::new();
    for (id, function) in failed {
        let Some((group, parameter)) = id.split_once(&format!("/{function}/")) else {
            continue;
        };
        let case = format!(
            "{}/[^/]+/{}",
            regex::escape(group),
            regex::escape(parameter)
        );
        if !cases.contains(&case) {
            cases.push(case);
        }
    }
    (1..=MAX_CASES)
        .contains(&cases.len())
        .then(|| format!("^(?:{})$", cases.join("|")))
}

/// Whether a run with `args` measures its floor failures again: a measuring run that
/// compares with a baseline.
pub fn wanted(args: &CriterionArgs) -> bool {
    args.measures() && matches!(args.baseline, BaselineUse::Compare(_))
}
