//! Rates: messages per second from Criterion's figures, a change in time read as a change
//! in throughput, and how a rate prints. Every other module of the gate speaks in these.

/// Messages per second from messages per iteration and nanoseconds per iteration, or
/// `None` when the time is not a positive finite number.
///
/// ```
/// // 64 messages in 32 ns: 2 billion per second.
/// assert_eq!(ringstress_suite::gate::msgs_per_sec(64, 32.0), Some(2e9));
/// ```
pub fn msgs_per_sec(messages_per_iteration: u64, ns_per_iteration: f64) -> Option<f64> {
    (ns_per_iteration.is_finite() && ns_per_iteration > 0.0)
        .then(|| messages_per_iteration as f64 / ns_per_iteration * 1e9)
}

/// The relative change in throughput for a relative change in time: twice the time
/// (`+1.0`) is half the throughput (`-0.5`).
///
/// ```
/// assert_eq!(ringstress_suite::gate::throughput_change(1.0), -0.5);
/// ```
pub fn throughput_change(time_change: f64) -> f64 {
    1.0 / (1.0 + time_change) - 1.0
}

/// A rate in messages per second, human-readable.
///
/// ```
/// use ringstress_suite::gate::format_rate;
///
/// assert_eq!(format_rate(123_456_789.0), "123.5M msg/s");
/// assert_eq!(format_rate(1_244_600_000.0), "1.24G msg/s");
/// assert_eq!(format_rate(9_166.0), "9.2K msg/s");
/// assert_eq!(format_rate(12.0), "12 msg/s");
/// ```
pub fn format_rate(msgs_per_sec: f64) -> String {
    // Each threshold sits where the smaller unit would round up to "1000".
    if msgs_per_sec >= 999.995e6 {
        format!("{:.2}G msg/s", msgs_per_sec / 1e9)
    } else if msgs_per_sec >= 999.95e3 {
        format!("{:.1}M msg/s", msgs_per_sec / 1e6)
    } else if msgs_per_sec >= 999.5 {
        format!("{:.1}K msg/s", msgs_per_sec / 1e3)
    } else {
        format!("{msgs_per_sec:.0} msg/s")
    }
}

/// A relative change as a signed percentage: `-0.5` is `-50.0%`.
pub(super) fn format_change(change: f64) -> String {
    format!("{:+.1}%", change * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_reads_as_50m() {
        assert_eq!(format_rate(50_000_000.0), "50.0M msg/s");
    }

    #[test]
    fn changes_read_as_signed_percentages() {
        assert_eq!(format_change(-0.5), "-50.0%");
        assert_eq!(format_change(0.123), "+12.3%");
    }
}
