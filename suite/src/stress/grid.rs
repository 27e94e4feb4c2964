//! The benchmark grid: which buffer sizes and burst patterns a run covers, narrowed from the
//! environment without editing code.
//!
//! - `RINGSTRESS_SIZES`: comma-separated capacities, default `64,1024,65536`;
//! - `RINGSTRESS_PATTERNS`: comma-separated patterns, default `steady,uniform,avalanche`;
//! - `RINGSTRESS_TOPOLOGIES`: topologies added to each scenario's defaults, e.g. `8p8c`.
//!
//! Criterion's own name filter (`cargo bench -- 1024/uniform`) narrows further.
//!
//! ```
//! use ringstress_suite::stress::grid::Grid;
//! use ringstress_suite::stress::burst::Pattern;
//!
//! let grid = Grid::parse(Some("1024"), Some("avalanche")).unwrap();
//! assert_eq!(grid.cases().collect::<Vec<_>>(), [(1024, Pattern::Avalanche)]);
//! assert!(Grid::parse(Some("0"), None).is_err());
//! ```

use std::str::FromStr;

use crate::stress::burst::Pattern;

/// The variable narrowing the buffer sizes.
pub const SIZES_ENV: &str = "RINGSTRESS_SIZES";
/// The variable narrowing the burst patterns.
pub const PATTERNS_ENV: &str = "RINGSTRESS_PATTERNS";
/// The variable adding topologies to each scenario's defaults, for machines with more
/// cores: comma-separated, e.g. `8p8c,16p1c` (mpmc_thrash) or `4-workers` (http_flood); each
/// scenario takes the entries it can read.
pub const TOPOLOGIES_ENV: &str = "RINGSTRESS_TOPOLOGIES";

/// A scenario's topologies: `defaults`, then the entries of [`TOPOLOGIES_ENV`] that read as
/// one of its topologies and are not already there (the others belong to other scenarios;
/// `ringstress_suite::settings` checks up front that each entry belongs to one).
pub fn topologies<T: FromStr + PartialEq + Copy>(defaults: &[T]) -> Vec<T> {
    let extra = std::env::var(TOPOLOGIES_ENV).unwrap_or_default();
    with_extra(defaults, &extra)
}

/// [`topologies`] for a given variable value.
///
/// ```
/// use ringstress_suite::stress::grid::with_extra;
/// use ringstress_suite::stress::scenario::mpmc_thrash::Topology;
///
/// let all = with_extra(&Topology::ALL, "8p8c, 4-workers, 2p2c");
/// assert_eq!(all.len(), Topology::ALL.len() + 1);
/// assert_eq!(all.last(), Some(&Topology::new(8, 8)));
/// ```
pub fn with_extra<T: FromStr + PartialEq + Copy>(defaults: &[T], extra: &str) -> Vec<T> {
    let mut all = defaults.to_vec();
    for topology in split(extra).filter_map(|entry| entry.parse().ok()) {
        if !all.contains(&topology) {
            all.push(topology);
        }
    }
    all
}

/// Buffer sizes benchmarked unless `RINGSTRESS_SIZES` says otherwise.
pub const DEFAULT_SIZES: [usize; 3] = [64, 1024, 65536];

/// The sizes and patterns to run, in report order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Ring capacities.
    pub sizes: Vec<usize>,
    /// Burst patterns.
    pub patterns: Vec<Pattern>,
}

impl Default for Grid {
    fn default() -> Self {
        Self {
            sizes: DEFAULT_SIZES.to_vec(),
            patterns: Pattern::ALL.to_vec(),
        }
    }
}

impl Grid {
    /// The grid the environment asks for.
    ///
    /// # Panics
    ///
    /// With a message naming the variable, if either variable cannot be parsed: a bench
    /// run with a typo should stop, not silently measure something else. Bench files check
    /// both up front (`ringstress_suite::settings`), so there it stops with one line instead.
    pub fn from_env() -> Self {
        let sizes = std::env::var(SIZES_ENV).ok();
        let patterns = std::env::var(PATTERNS_ENV).ok();
        match Self::parse(sizes.as_deref(), patterns.as_deref()) {
            Ok(grid) => grid,
            Err(err) => panic!("{err}"),
        }
    }

    /// The grid for the given variable values (`None`: the default list).
    ///
    /// # Errors
    ///
    /// A message naming the variable and the bad entry.
    pub fn parse(sizes: Option<&str>, patterns: Option<&str>) -> Result<Self, String> {
        let mut grid = Grid::default();
        if let Some(text) = sizes {
            grid.sizes = split(text)
                .map(|item| match item.parse::<usize>() {
                    Ok(size) if size > 0 => Ok(size),
                    _ => Err(format!(
                        "{SIZES_ENV}={text:?}: {item:?} is not a capacity; accepted: \
                         comma-separated whole numbers above 0, e.g. 64,1024,65536"
                    )),
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(text) = patterns {
            grid.patterns = split(text)
                .map(|item| {
                    item.parse::<Pattern>()
                        .map_err(|err| format!("{PATTERNS_ENV}={text:?}: {err}"))
                })
                .collect::<Result<_, _>>()?;
        }
        if grid.sizes.is_empty() || grid.patterns.is_empty() {
            return Err(format!(
                "{SIZES_ENV}={:?}, {PATTERNS_ENV}={:?}: each must name at least one entry",
                sizes.unwrap_or_default(),
                patterns.unwrap_or_default()
            ));
        }
        Ok(grid)
    }

    /// Every (size, pattern) pair, sizes outermost.
    pub fn cases(&self) -> impl Iterator<Item = (usize, Pattern)> + '_ {
        self.sizes
            .iter()
            .flat_map(|&size| self.patterns.iter().map(move |&pattern| (size, pattern)))
    }
}

/// The benchmark parameter naming one case, e.g. `1024/uniform`.
pub fn parameter(size: usize, pattern: Pattern) -> String {
    format!("{size}/{pattern}")
}

/// The trimmed, non-empty entries of a comma-separated setting.
pub fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_three_sizes_and_three_patterns() {
        assert_eq!(Grid::parse(None, None).unwrap().cases().count(), 9);
    }

    #[test]
    fn bad_entries_name_the_variable() {
        let err = Grid::parse(Some("64,lots"), None).unwrap_err();
        assert!(
            err.contains("RINGSTRESS_SIZES") && err.contains("lots"),
            "{err}"
        );
        let err = Grid::parse(None, Some("steady,spiky")).unwrap_err();
        assert!(
            err.contains("RINGSTRESS_PATTERNS") && err.contains("spiky"),
            "{err}"
        );
        assert!(Grid::parse(Some(" , "), None).is_err());
    }

    #[test]
    fn parameters_read_like_a_table() {
        assert_eq!(parameter(65536, Pattern::Steady), "65536/steady");
    }
}
