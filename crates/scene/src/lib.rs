//! The renderer (being written).
