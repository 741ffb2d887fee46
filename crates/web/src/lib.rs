//! The wasm crate (being written).
