//! The strategy simulator (being written).
