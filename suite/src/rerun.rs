//! A bench binary's second run: when the gate asks to measure a few failing cases again
//! before it judges (see `gate/remeasure.rs`), the binary starts itself once more on those
//! cases alone. This is the one place that runs a bench binary; the gate only names the
//! cases and reads what the second run saved.

use std::process::Command;
use std::time::SystemTime;

use crate::gate::{after_benches, rerun_args};

/// Set on the second run, to the process id of the run that started it. Its own gate then
/// stays silent (the first run judges) and `http_flood` keeps the first run's latency table.
/// A value that is not this process's parent id is ignored, so a stale one never turns the
/// gate off.
pub const REMEASURE_OF_ENV: &str = "RINGSTRESS_REMEASURE_OF";

/// Whether this process is a bench binary's second run, started by its parent's gate.
pub fn is_remeasuring() -> bool {
    let Some(value) = std::env::var_os(REMEASURE_OF_ENV) else {
        return false;
    };
    #[cfg(unix)]
    {
        value.to_str() == Some(&std::os::unix::process::parent_id().to_string())
    }
    #[cfg(not(unix))]
    {
        let _ = value;
        true
    }
}

/// The gate's turn at the end of a bench binary ([`after_benches`], which may have this
/// binary measure some cases again with [`measure_again`]); in a second run, only a line
/// saying the first run judges.
pub fn gate_this_run(started: SystemTime) {
    if is_remeasuring() {
        eprintln!(
            "ringstress gate: skipped (a second run for the gate: the run that started it judges)"
        );
        return;
    }
    after_benches(started, measure_again);
}

/// Runs this bench binary again on the benchmarks `filter` selects, with this run's other
/// arguments and without plots (the HTML pages keep the first measurement), marked with
/// [`REMEASURE_OF_ENV`]. Its output goes to this process's.
///
/// # Errors
///
/// One line when the binary cannot be started or does not finish with success.
pub fn measure_again(filter: &str) -> Result<(), String> {
    let exe =
        std::env::current_exe().map_err(|error| format!("cannot find this binary: {error}"))?;
    let args = rerun_args(&std::env::args().skip(1).collect::<Vec<_>>(), filter);
    let status = Command::new(&exe)
        .args(&args)
        .env(REMEASURE_OF_ENV, std::process::id().to_string())
        .status()
        .map_err(|error| format!("cannot start {}: {error}", exe.display()))?;
    if status.success() {
        Ok(())
    } else {
        let name = exe.file_name().unwrap_or(exe.as_os_str()).to_string_lossy();
        Err(format!("{name} {} ended with {status}", args.join(" ")))
    }
}
