//! Reads the arguments a bench binary was started with the way Criterion 0.8 does, keeping
//! only what the gate needs: is this a measuring run, and which baseline (if any) is it
//! saving or comparing against.
//!
//! Criterion measures and writes files only when `cargo bench` passes `--bench` and none of
//! `--test`, `--list`, `--profile-time` is given; `cargo test --benches` passes no `--bench`.
//!
//! Without a baseline flag, [`bench_main!`](crate::bench_main) has Criterion compare with
//! [`CURRENT_BASELINE`] leniently (a benchmark without that baseline is just not compared):
//! Criterion's `configure_from_args` replaces that setting only when one of
//! `--save-baseline`, `--discard-baseline`, `--baseline` or `--baseline-lenient` is given.
//! So no flag reads here as a comparison with the current baseline.

use regex::Regex;

use super::baseline::CURRENT_BASELINE;
use super::results::{LATEST_SLOT, PREVIOUS_RUN_BASELINE};

/// What the run does with baselines, following Criterion's precedence (`--save-baseline`,
/// then `--discard-baseline`, then `--baseline`, then `--baseline-lenient`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineUse {
    /// `--save-baseline base`: Criterion compares with its previous run, kept as `base`,
    /// then overwrites `base`.
    PreviousRun,
    /// `--save-baseline NAME`: compares with the previous contents of NAME, then overwrites it.
    Save(String),
    /// `--baseline NAME` or `--baseline-lenient NAME`, or no baseline flag at all
    /// ([`CURRENT_BASELINE`]): compares with NAME, leaves it alone.
    Compare(String),
    /// `--discard-baseline`: nothing is saved.
    Discard,
}

/// The gate's view of a bench binary's command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionArgs {
    /// `--bench`: passed by `cargo bench`.
    pub bench: bool,
    /// `--test`: run each benchmark once, measure nothing.
    pub test: bool,
    /// `--list`: list benchmarks, run nothing.
    pub list: bool,
    /// `--profile-time SECONDS`: iterate for a profiler, analyse and save nothing.
    pub profile_time: bool,
    /// What happens to baselines.
    pub baseline: BaselineUse,
    /// `--load-baseline NAME`: analyse NAME's saved samples instead of measuring.
    pub load_baseline: Option<String>,
    /// Whether the command line names a baseline use itself (`--save-baseline`,
    /// `--baseline`, `--baseline-lenient`, `--discard-baseline`). Without one, Criterion
    /// would save the run as `base` and compare with the previous run, so
    /// [`bench_main!`](crate::bench_main) points it at [`CURRENT_BASELINE`] instead.
    pub explicit_baseline: bool,
    /// Which benchmarks the command line selects ([`CriterionArgs::selects`]).
    pub filter: Filter,
}

/// The benchmark name filter, as Criterion reads it: a regular expression matched anywhere
/// in `group/function/parameter`, the whole id with `--exact`, nothing with `--ignored`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// No filter: every benchmark.
    All,
    /// A regular expression (Criterion's own default).
    Pattern(String),
    /// `--exact NAME`.
    Exact(String),
    /// `--ignored`: Criterion runs nothing.
    Nothing,
}

/// Criterion's options that take a value, long and short names.
const VALUE_OPTIONS: &[(&str, Option<char>)] = &[
    ("color", Some('c')),
    ("colour", None),
    ("save-baseline", Some('s')),
    ("baseline", Some('b')),
    ("baseline-lenient", None),
    ("format", None),
    ("profile-time", None),
    ("load-baseline", None),
    ("sample-size", None),
    ("warm-up-time", None),
    ("measurement-time", None),
    ("nresamples", None),
    ("noise-threshold", None),
    ("confidence-level", None),
    ("significance-level", None),
    ("plotting-backend", None),
    ("output-format", None),
];

/// The options as written on the command line, before precedence is applied.
#[derive(Default)]
struct RawOptions {
    flags: Vec<String>,
    values: Vec<(String, String)>,
    /// The first positional argument: the name filter.
    filter: Option<String>,
}

impl RawOptions {
    fn has_flag(&self, name: &str) -> bool {
        self.flags.iter().any(|flag| flag == name)
    }

    /// The last value given for `name`.
    fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(option, _)| option == name)
            .map(|(_, value)| value.as_str())
    }
}

fn long_name_of_short(short: char) -> Option<&'static str> {
    VALUE_OPTIONS
        .iter()
        .find(|(_, letter)| *letter == Some(short))
        .map(|(long, _)| *long)
}

fn takes_value(long: &str) -> bool {
    VALUE_OPTIONS.iter().any(|(name, _)| *name == long)
}

impl CriterionArgs {
    /// Reads the arguments after the program name (`std::env::args().skip(1)`).
    ///
    /// Accepts `--opt value`, `--opt=value`, `-s value`, `-svalue` and `-s=value`; the
    /// filter and options the gate does not need are skipped.
    ///
    /// ```
    /// use ringstress_suite::gate::{BaselineUse, CriterionArgs};
    ///
    /// let args = CriterionArgs::parse(["--bench", "--baseline", "v0.1", "mpmc_thrash/2p2c"]);
    /// assert_eq!(args.baseline, BaselineUse::Compare("v0.1".into()));
    /// assert_eq!(args.skip_reason(), None);
    ///
    /// // No flag: the current baseline.
    /// let args = CriterionArgs::parse(["--bench"]);
    /// assert_eq!(args.baseline, BaselineUse::Compare(ringstress_suite::gate::CURRENT_BASELINE.into()));
    /// assert!(!args.explicit_baseline);
    /// assert!(CriterionArgs::parse(["--bench", "-s", "v0.4"]).explicit_baseline);
    ///
    /// // `cargo test --benches` passes no `--bench`: Criterion only smoke-tests.
    /// assert!(CriterionArgs::parse(["--save-baseline=v0.1"]).skip_reason().is_some());
    /// ```
    pub fn parse<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let raw = read_raw_options(args);
        let mut baseline = BaselineUse::Compare(CURRENT_BASELINE.to_owned());
        if let Some(name) = raw.value("save-baseline") {
            baseline = if name == "base" {
                BaselineUse::PreviousRun
            } else {
                BaselineUse::Save(name.to_owned())
            };
        }
        if raw.has_flag("discard-baseline") {
            baseline = BaselineUse::Discard;
        }
        if let Some(name) = raw.value("baseline") {
            baseline = BaselineUse::Compare(name.to_owned());
        }
        if let Some(name) = raw.value("baseline-lenient") {
            baseline = BaselineUse::Compare(name.to_owned());
        }
        let filter = match &raw.filter {
            _ if raw.has_flag("ignored") => Filter::Nothing,
            None => Filter::All,
            Some(filter) if raw.has_flag("exact") => Filter::Exact(filter.clone()),
            Some(filter) => Filter::Pattern(filter.clone()),
        };
        Self {
            bench: raw.has_flag("bench"),
            test: raw.has_flag("test"),
            list: raw.has_flag("list"),
            profile_time: raw.value("profile-time").is_some(),
            baseline,
            load_baseline: raw.value("load-baseline").map(str::to_owned),
            explicit_baseline: ["save-baseline", "baseline", "baseline-lenient"]
                .iter()
                .any(|name| raw.value(name).is_some())
                || raw.has_flag("discard-baseline"),
            filter,
        }
    }

    /// Whether Criterion runs the benchmark `id` (`group/function/parameter`) with this
    /// command line. Bench files skip the others instead of handing them to Criterion:
    /// Criterion would summarise a group over every benchmark it was given, and complain
    /// about each one that has a directory (from a committed baseline) but no new results.
    ///
    /// ```
    /// use ringstress_suite::gate::CriterionArgs;
    ///
    /// let id = "mpmc_thrash/2p2c/steady/ringstress-mpmc/1024";
    /// assert!(CriterionArgs::parse(["--bench"]).selects(id));
    /// assert!(CriterionArgs::parse(["--bench", "2p2c/.*/ringstress"]).selects(id));
    /// assert!(!CriterionArgs::parse(["--bench", "uniform"]).selects(id));
    /// assert!(!CriterionArgs::parse(["--bench", "--exact", "2p2c"]).selects(id));
    /// ```
    pub fn selects(&self, id: &str) -> bool {
        match &self.filter {
            Filter::All => true,
            // An invalid expression is Criterion's to report.
            Filter::Pattern(pattern) => Regex::new(pattern).is_ok_and(|regex| regex.is_match(id)),
            Filter::Exact(exact) => id == exact,
            Filter::Nothing => false,
        }
    }

    /// Whether Criterion measures the benchmarks it is handed: `cargo bench` (`--bench`)
    /// without `--test`, `--list`, `--profile-time` or `--load-baseline` (which analyses
    /// saved samples instead). `--discard-baseline` measures, but saves nothing
    /// ([`saved_slots`](Self::saved_slots)). What runs beside Criterion's measurements (the
    /// `http_flood` latency pass) runs only then.
    ///
    /// ```
    /// use ringstress_suite::gate::CriterionArgs;
    ///
    /// assert!(CriterionArgs::parse(["--bench"]).measures());
    /// assert!(CriterionArgs::parse(["--bench", "--discard-baseline"]).measures());
    /// assert!(!CriterionArgs::parse(["--bench", "--list"]).measures());
    /// assert!(!CriterionArgs::parse(["--bench", "--load-baseline", "v0.1"]).measures());
    /// assert!(!CriterionArgs::parse(Vec::<String>::new()).measures()); // cargo test --benches
    /// ```
    pub fn measures(&self) -> bool {
        self.bench && !self.test && !self.list && !self.profile_time && self.load_baseline.is_none()
    }

    /// The slots a measuring run's results are saved in, in each benchmark's directory:
    /// [`LATEST_SLOT`] (`new`), and the baseline it records, if any (`--save-baseline NAME`
    /// copies `new` to NAME; `--save-baseline base` to [`PREVIOUS_RUN_BASELINE`]). None when
    /// the run does not [measure](Self::measures) or discards its results.
    ///
    /// ```
    /// use ringstress_suite::gate::CriterionArgs;
    ///
    /// assert_eq!(CriterionArgs::parse(["--bench"]).saved_slots(), ["new"]);
    /// assert_eq!(CriterionArgs::parse(["--bench", "-s", "v0.4"]).saved_slots(), ["new", "v0.4"]);
    /// assert_eq!(CriterionArgs::parse(["--bench", "-s", "base"]).saved_slots(), ["new", "base"]);
    /// assert!(CriterionArgs::parse(["--bench", "--discard-baseline"]).saved_slots().is_empty());
    /// assert!(CriterionArgs::parse(["--bench", "--test"]).saved_slots().is_empty());
    /// ```
    pub fn saved_slots(&self) -> Vec<&str> {
        if !self.measures() {
            return Vec::new();
        }
        match &self.baseline {
            BaselineUse::Discard => Vec::new(),
            BaselineUse::Compare(_) => vec![LATEST_SLOT],
            BaselineUse::PreviousRun => vec![LATEST_SLOT, PREVIOUS_RUN_BASELINE],
            BaselineUse::Save(name) => vec![LATEST_SLOT, name.as_str()],
        }
    }

    /// Why the gate has nothing to check in this run, or `None` for a measuring run that
    /// saved results.
    pub fn skip_reason(&self) -> Option<&'static str> {
        if !self.bench {
            Some("not a `cargo bench` run (no --bench): Criterion only tested the benchmarks")
        } else if self.test {
            Some("--test: Criterion ran each benchmark once without measuring")
        } else if self.list {
            Some("--list: nothing was run")
        } else if self.profile_time {
            Some("--profile-time: Criterion saved no results")
        } else if self.baseline == BaselineUse::Discard {
            Some("--discard-baseline: Criterion saved no results")
        } else {
            None
        }
    }
}

/// The arguments that run the same bench binary again on `filter` alone, without plots:
/// `args` (after the program name) with any name filter, `--exact`, `--ignored` and
/// `--noplot` (`-n`) left out, then `--noplot` and `filter`. Every other option is kept, so
/// the run measures and compares as the first one did.
///
/// ```
/// use ringstress_suite::gate::rerun_args;
///
/// let args = ["--bench", "--baseline", "v0.5", "--exact", "http_flood/x", "-vn"].map(String::from);
/// assert_eq!(rerun_args(&args, "^y$"), ["--bench", "--baseline=v0.5", "-v", "--noplot", "^y$"]);
/// let args = ["--bench", "-ns", "v1", "--noplot", "--", "z"].map(String::from);
/// assert_eq!(rerun_args(&args, "^y$"), ["--bench", "-s", "v1", "--noplot", "^y$"]);
/// ```
pub fn rerun_args(args: &[String], filter: &str) -> Vec<String> {
    let mut kept = Vec::new();
    for item in items(args) {
        match item {
            Item::Long { name, .. } if ["exact", "ignored", "noplot"].contains(&name.as_str()) => {}
            Item::Long { name, value: None } => kept.push(format!("--{name}")),
            Item::Long {
                name,
                value: Some(value),
            } => kept.push(format!("--{name}={value}")),
            Item::Short { flags, option } => {
                let flags: String = flags.chars().filter(|&letter| letter != 'n').collect();
                match option {
                    Some((letter, _, value)) => kept.extend([format!("-{flags}{letter}"), value]),
                    None if !flags.is_empty() => kept.push(format!("-{flags}")),
                    None => {}
                }
            }
            Item::Positional(_) => {}
        }
    }
    kept.extend(["--noplot".to_owned(), filter.to_owned()]);
    kept
}

/// One item of a command line, as Criterion's parser reads it.
enum Item {
    /// `--name`, or `--name=value` (any option) or `--name value` (one that takes a value).
    Long { name: String, value: Option<String> },
    /// A cluster of short options (`-n`, `-ns v0.1`, `-sv0.1`, `-s=v0.1`): flag letters, then
    /// at most one option that takes a value (its letter, long name and value).
    Short {
        flags: String,
        option: Option<(char, &'static str, String)>,
    },
    /// A positional argument (the first is the name filter); everything after `--` is one.
    Positional(String),
}

/// The items of `args`. An option that takes a value but has none left is dropped, as
/// Criterion would refuse it anyway.
fn items<I, S>(args: I) -> Vec<Item>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut items = Vec::new();
    let mut args = args.into_iter().map(|arg| arg.as_ref().to_owned());
    while let Some(arg) = args.next() {
        if arg == "--" {
            items.extend(args.by_ref().map(Item::Positional));
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None if takes_value(long) => match args.next() {
                    Some(value) => (long.to_owned(), Some(value)),
                    None => continue,
                },
                None => (long.to_owned(), None),
            };
            items.push(Item::Long { name, value });
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|rest| !rest.is_empty()) {
            let mut flags = String::new();
            let mut option = None;
            for (at, letter) in cluster.char_indices() {
                if let Some(long) = long_name_of_short(letter) {
                    let rest = &cluster[at + letter.len_utf8()..];
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    let value = if rest.is_empty() {
                        args.next()
                    } else {
                        Some(rest.to_owned())
                    };
                    option = value.map(|value| (letter, long, value));
                    break;
                }
                flags.push(letter);
            }
            items.push(Item::Short { flags, option });
        } else {
            items.push(Item::Positional(arg));
        }
    }
    items
}

fn read_raw_options<I, S>(args: I) -> RawOptions
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut raw = RawOptions::default();
    for item in items(args) {
        match item {
            Item::Long {
                name,
                value: Some(value),
            } => raw.values.push((name, value)),
            Item::Long { name, value: None } => raw.flags.push(name),
            Item::Short {
                option: Some((_, long, value)),
                ..
            } => raw.values.push((long.to_owned(), value)),
            Item::Short { option: None, .. } => {}
            Item::Positional(arg) => {
                raw.filter.get_or_insert(arg);
            }
        }
    }
    raw
}
