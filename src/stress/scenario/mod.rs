//! The scenario drivers, one per bench file.
