//! The stress engine (placeholder until the scenarios land).
