//! What tests and benchmarks reach into, and nothing else: the faults a test may inject, and
//! the figures only a test or a benchmark reads. Gathered in one place, so that the code
//! that serves tests is easy to find and to keep out of the way of the rest.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A fault a test may inject, by setting `window.__cvpFault` to its key in the page before
/// the moment the fault names (`tests/e2e/faults.test.mjs`). Only a script running in the
/// page can set it; no URL or message can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The run button's handler panics, its widget's state borrowed.
    Run,
    /// The future that draws a finished run's timeline panics.
    Timeline,
    /// The runner worker panics on the next job it is sent.
    Runner,
    /// The runner's first attempt to start the pool never finishes ([`RUNNER_POOL_HANGS`]).
    PoolHang,
}

impl Fault {
    /// Its key in `window.__cvpFault`.
    pub fn key(self) -> &'static str {
        match self {
            Fault::Run => "run",
            Fault::Timeline => "timeline",
            Fault::Runner => "runner",
            Fault::PoolHang => "pool-hang",
        }
    }
}

/// Whether a test asked for `fault` (which it then no longer asks for).
pub fn injected(fault: Fault) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let key = JsValue::from_str("__cvpFault");
    let asked = js_sys::Reflect::get(&window, &key).ok().and_then(|v| v.as_string());
    if asked.as_deref() != Some(fault.key()) {
        return false;
    }
    let _ = js_sys::Reflect::delete_property(&window, &key);
    true
}

/// The runner's faults travel as bits of its start entry (a worker has no window to read):
/// [`Fault::PoolHang`]'s.
pub const RUNNER_POOL_HANGS: u32 = 1;

/// Bytes of this thread's wasm memory (a worker with its own instance has its own): what
/// the soak test watches for growth.
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer = memory.buffer();
    js_sys::Reflect::get(&buffer, &"byteLength".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
}

/// Benchmark: milliseconds per frame (scene + canvas) of a simulated threads run of
/// `side`×`side` pixels with `workers` threads on `cores` cores (0: unlimited), drawn
/// mid-way, averaged over `frames` frames on an offscreen canvas of 1200×900 CSS px.
/// Used by `scripts/bench`.
#[wasm_bindgen]
pub fn bench_frame(frames: u32, side: u32, workers: u32, cores: u32) -> Result<f64, JsValue> {
    use cvp_model::state::SandboxState;
    use cvp_scene::{draw_prepared, Layout, Prepared, Style};
    let state = SandboxState {
        side,
        workers,
        cores,
        strategy: Some(cvp_model::Strategy::Threads),
        ..SandboxState::from_query(&[]).0
    };
    let sandbox = state.sandbox();
    let (_, trace) = sandbox.simulate().remove(0);
    let prepared = Prepared::new(trace);
    let element: web_sys::HtmlCanvasElement = crate::dom::document().create_element("canvas")?.dyn_into()?;
    let canvas = crate::canvas::Canvas::new(element)?;
    canvas.resize(1200.0, 900.0, 1.0)?;
    let (layout, style) = (Layout::new(1200.0, 900.0), Style::light());
    let mid = prepared.trace().makespan / 2.0;
    let start = crate::clock::now_ms();
    for i in 0..frames.max(1) {
        // Move the clock a little each frame, as an animation does.
        canvas.paint(&draw_prepared(&prepared, mid + i as f64 * 16.0, &layout, &style))?;
    }
    // Reading a pixel waits for the canvas to finish drawing.
    canvas.context().get_image_data(0.0, 0.0, 1.0, 1.0)?;
    Ok((crate::clock::now_ms() - start) / frames.max(1) as f64)
}
