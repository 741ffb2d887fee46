//! One clock for every thread: milliseconds on the shared epoch `performance.timeOrigin +
//! performance.now()`.
//!
//! Each worker has its own `performance.timeOrigin`, so raw `performance.now()` values from
//! the runner, a rayon worker and a process worker cannot be compared. Adding the origin
//! puts them all on one axis; the origin is read once per thread.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type Performance;
    #[wasm_bindgen(method)]
    fn now(this: &Performance) -> f64;
    #[wasm_bindgen(method, getter, js_name = timeOrigin)]
    fn time_origin(this: &Performance) -> f64;
}

thread_local! {
    static PERF: (Performance, f64) = {
        let perf: Performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
            .expect("every window and worker has `performance`")
            .unchecked_into();
        let origin = perf.time_origin();
        (perf, origin)
    };
}

/// Milliseconds since the Unix epoch, with sub-millisecond resolution, comparable across
/// the page and all its workers.
pub fn now_ms() -> f64 {
    PERF.with(|(perf, origin)| origin + perf.now())
}
