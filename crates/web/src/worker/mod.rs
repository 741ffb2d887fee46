//! Our workers: the runner (owns the pool, runs jobs) and the processes, plus the typed
//! messages they exchange with the page.

pub mod process;
pub mod protocol;
pub mod runner;
pub mod spawn;

use wasm_bindgen::prelude::*;

/// Entry point of our workers, called by `js/worker_entry.js` once the module is
/// instantiated in the worker.
#[wasm_bindgen]
pub fn cvp_worker_main(role: &str) {
    console_error_panic_hook::set_once();
    match role {
        "runner" => runner::start(),
        "process" => process::start(),
        other => web_sys::console::error_1(&format!("unknown worker role {other:?}").into()),
    }
}
