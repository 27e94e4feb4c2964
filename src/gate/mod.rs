//! The gate (placeholder until it lands).
