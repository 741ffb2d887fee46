//! Shared by the wasm tests: the pool is global, so start it once per test binary.

use std::cell::Cell;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Threads in the test pool.
pub const POOL: usize = 2;

/// Starts rayon's pool of [`POOL`] threads unless this binary already did.
pub async fn ensure_pool() {
    if !STARTED.with(Cell::get) {
        STARTED.with(|s| s.set(true));
        JsFuture::from(wasm_bindgen_rayon::init_thread_pool(POOL)).await.expect("the pool starts");
    }
}
