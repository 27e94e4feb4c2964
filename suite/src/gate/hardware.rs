//! The hardware block of the results report: CPU model, logical cores, memory, OS and
//! kernel, rustc, and the date, read from `/proc`, `/etc/os-release` and `rustc --version`
//! so nobody fills them in by hand. Anything unreadable shows as "unknown".

use std::fs;
use std::process::Command;
use std::time::SystemTime;

use time::OffsetDateTime;
use time::macros::format_description;

const UNKNOWN: &str = "unknown";

/// The machine a report was produced on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hardware {
    /// CPU model name.
    pub cpu: String,
    /// Logical cores (hardware threads).
    pub logical_cores: String,
    /// Total memory.
    pub memory: String,
    /// Distribution and kernel.
    pub os: String,
    /// `rustc --version`.
    pub rustc: String,
    /// When the report was made (UTC).
    pub date: String,
}

impl Hardware {
    /// Reads this machine's description.
    pub fn detect() -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = fs::read_to_string("/etc/os-release").unwrap_or_default();
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let cores = logical_cores(&cpuinfo).or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(|cores| cores.get())
        });
        let os = match (os_name(&os_release), kernel.trim()) {
            (Some(name), "") => name,
            (Some(name), kernel) => format!("{name}, Linux {kernel}"),
            (None, "") => std::env::consts::OS.to_owned(),
            (None, kernel) => format!("Linux {kernel}"),
        };
        Self {
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| UNKNOWN.to_owned()),
            logical_cores: cores.map_or_else(|| UNKNOWN.to_owned(), |n| n.to_string()),
            memory: memory_total(&meminfo).unwrap_or_else(|| UNKNOWN.to_owned()),
            os,
            rustc: rustc_version().unwrap_or_else(|| UNKNOWN.to_owned()),
            date: utc_date_time(SystemTime::now()),
        }
    }

    /// The block as a markdown list.
    pub fn to_markdown(&self) -> String {
        format!(
            "- CPU: {}\n- Logical cores: {}\n- Memory: {}\n- OS: {}\n- rustc: {}\n- Date: {}\n",
            self.cpu, self.logical_cores, self.memory, self.os, self.rustc, self.date
        )
    }
}

/// The first `model name` in `/proc/cpuinfo`.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim() == "model name")
        .map(|(_, value)| value.trim().to_owned())
}

/// The number of `processor` entries in `/proc/cpuinfo`.
pub fn logical_cores(cpuinfo: &str) -> Option<usize> {
    let count = cpuinfo
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(key, _)| key.trim() == "processor")
        .count();
    (count > 0).then_some(count)
}

/// `MemTotal` from `/proc/meminfo`, in GiB.
///
/// ```
/// let meminfo = "MemTotal:        8039656 kB\nMemFree: 1 kB\n";
/// assert_eq!(ringstress_suite::gate::memory_total(meminfo).as_deref(), Some("7.7 GiB"));
/// ```
pub fn memory_total(meminfo: &str) -> Option<String> {
    let bytes = memory_total_bytes(meminfo)?;
    Some(format!("{:.1} GiB", bytes as f64 / f64::from(1 << 30)))
}

/// `MemTotal` from `/proc/meminfo`, in bytes.
pub fn memory_total_bytes(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// `PRETTY_NAME` (else `NAME`) from `/etc/os-release`.
pub fn os_name(os_release: &str) -> Option<String> {
    let value_of = |key: &str| {
        os_release
            .lines()
            .filter_map(|line| line.split_once('='))
            .find(|(name, _)| *name == key)
            .map(|(_, value)| value.trim().trim_matches('"').to_owned())
    };
    value_of("PRETTY_NAME").or_else(|| value_of("NAME"))
}

fn rustc_version() -> Option<String> {
    let output = Command::new("rustc").arg("--version").output().ok()?;
    let version = String::from_utf8(output.stdout).ok()?;
    let version = version.trim();
    (output.status.success() && !version.is_empty()).then(|| version.to_owned())
}

/// `time` as `YYYY-MM-DD HH:MM UTC`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(ringstress_suite::gate::utc_date_time(time), "2023-11-14 22:13 UTC");
/// ```
pub fn utc_date_time(time: SystemTime) -> String {
    OffsetDateTime::from(time)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|error| format!("(unknown date: {error})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn dates_cross_leap_days_and_century_rules() {
        let at = |days: u64| utc_date_time(UNIX_EPOCH + Duration::from_secs(days * 86_400));
        assert_eq!(at(0), "1970-01-01 00:00 UTC");
        assert_eq!(at(11_016), "2000-02-29 00:00 UTC");
        assert_eq!(at(47_541), "2100-03-01 00:00 UTC"); // 2100 is not a leap year
    }

    #[test]
    fn cpuinfo_gives_model_and_core_count() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Example CPU @ 3.0GHz\n\n\
                       processor\t: 1\nmodel name\t: Example CPU @ 3.0GHz\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("Example CPU @ 3.0GHz"));
        assert_eq!(logical_cores(cpuinfo), Some(2));
        assert_eq!(logical_cores(""), None);
    }

    #[test]
    fn os_release_prefers_pretty_name() {
        let release = "NAME=\"Ubuntu\"\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"\n";
        assert_eq!(os_name(release).as_deref(), Some("Ubuntu 24.04 LTS"));
        assert_eq!(os_name("NAME=Debian\n").as_deref(), Some("Debian"));
    }
}
