//! Bad settings get one clear line, never a backtrace, an abort or minutes of measuring:
//! every `RINGSTRESS_*` value is checked up front ([`settings::check`]), and a process with a
//! bad one (`ringstress-gate` here; every bench binary's `main` runs the same check first)
//! prints that line alone and exits with code 2, even with `RUST_BACKTRACE=1`.

use std::process::Command;

use ringstress_suite::settings::{self, SETTINGS};

/// A machine with 24 GiB, as the reference machine.
const MEMORY: Option<u64> = Some(24 << 30);

/// Every bad value worth a line, and a word the line must contain besides the variable.
const BAD: [(&str, &str, &str); 18] = [
    ("RINGSTRESS_SIZES", "abc", "accepted"),
    ("RINGSTRESS_SIZES", "0", "accepted"),
    ("RINGSTRESS_SIZES", "64,-1", "accepted"),
    ("RINGSTRESS_SIZES", " , ", "at least one"),
    (
        "RINGSTRESS_SIZES",
        "1099511627776",
        "too large for this machine",
    ),
    (
        "RINGSTRESS_PATTERNS",
        "spiky",
        "expected steady, uniform or avalanche",
    ),
    ("RINGSTRESS_STALL_SECS", "-1", "at most 86400"),
    ("RINGSTRESS_STALL_SECS", "0", "at most 86400"),
    ("RINGSTRESS_STALL_SECS", "inf", "at most 86400"),
    ("RINGSTRESS_NOISE_MARGIN", "2", "between 0 and 1"),
    ("RINGSTRESS_SINGLE_NOISE_MARGIN", "lots", "between 0 and 1"),
    ("RINGSTRESS_SIZE", "64", "not a ringstress setting"),
    ("RINGSTRESS_TOPOLOGIES", "8x8", "<p>p<c>c (mpmc_thrash)"),
    ("RINGSTRESS_TOPOLOGIES", "0p1c", "each count 1 to 1024"),
    (
        "RINGSTRESS_TOPOLOGIES",
        "2p2c,4096-workers",
        "<n>-workers (http_flood)",
    ),
    ("RINGSTRESS_TOPOLOGIES", ",", "no topology named"),
    ("RINGSTRESS_PIN", "yes", "accepted: 1"),
    ("RINGSTRESS_REMEASURE_OF", "yes", "accepted: a process id"),
];

#[test]
fn good_and_absent_settings_pass() {
    assert_eq!(settings::check([], MEMORY), Ok(()));
    let good = [
        ("RINGSTRESS_SIZES", "64, 1024,65536"),
        ("RINGSTRESS_PATTERNS", "Steady,avalanche"),
        ("RINGSTRESS_STALL_SECS", "0.5"),
        ("RINGSTRESS_NOISE_MARGIN", "0.2"),
        ("RINGSTRESS_SINGLE_NOISE_MARGIN", "0.5"),
        ("RINGSTRESS_TOPOLOGIES", "8p8c, 16p1c,4-workers"),
        ("RINGSTRESS_PIN", "1"),
        ("RINGSTRESS_REMEASURE_OF", "4242"), // the gate's mark on its re-measuring run
        ("PATH", "/usr/bin"),                // not ours: ignored
    ];
    assert_eq!(settings::check(good, MEMORY), Ok(()));
    assert_eq!(SETTINGS.len(), 8);
}

#[test]
fn each_bad_value_gets_one_line_naming_variable_value_and_what_is_accepted() {
    for (name, value, expected) in BAD {
        let line = settings::check([(name, value)], MEMORY).unwrap_err();
        assert!(!line.contains('\n'), "{name}={value}: {line}");
        assert!(line.contains(name), "{name}={value}: {line}");
        assert!(line.contains(value.trim()), "{name}={value}: {line}");
        assert!(line.contains(expected), "{name}={value}: {line}");
    }
}

#[test]
fn capacities_are_judged_against_the_machines_memory() {
    let sizes = |value| [("RINGSTRESS_SIZES", value)];
    // 1/16 of 24 GiB in 128-byte slots: 12,582,912 slots.
    assert_eq!(settings::check(sizes("12582912"), MEMORY), Ok(()));
    assert!(settings::check(sizes("12582913"), MEMORY).is_err());
    // Unknown memory: only what no address space could hold is refused.
    assert_eq!(settings::check(sizes("1099511627776"), None), Ok(()));
    assert!(settings::check(sizes(&usize::MAX.to_string()), None).is_err());
}

#[test]
fn a_process_with_a_bad_setting_prints_one_line_and_exits_2() {
    for (name, value, _) in BAD {
        let output = Command::new(env!("CARGO_BIN_EXE_ringstress-gate"))
            .env(name, value)
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}={value}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}={value}: {stderr}");
        assert!(
            stderr.starts_with(&format!("ringstress: {name}")),
            "{name}={value}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{name}={value}");
    }
}
