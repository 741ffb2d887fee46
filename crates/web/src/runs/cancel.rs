//! One cancel flag per wasm memory: the runner and its rayon pool share it, so a cancel
//! message the runner receives stops work running on every pool thread within
//! milliseconds (fib polls it, see `cvp_model::fib::fib_cancellable`).

use std::sync::atomic::{AtomicBool, Ordering};

static CANCEL: AtomicBool = AtomicBool::new(false);

/// Asks every task of the current run to stop.
pub fn request() {
    CANCEL.store(true, Ordering::Relaxed);
}

/// Whether the current run was asked to stop.
pub fn requested() -> bool {
    CANCEL.load(Ordering::Relaxed)
}

/// Clears the flag before a new run.
pub fn reset() {
    CANCEL.store(false, Ordering::Relaxed);
}
