//! The wasm crate: draws traces on canvases, hosts the widgets, and runs real workloads on
//! Web Workers. The model and the renderer live in plain crates (`cvp-model`,
//! `cvp-scene`); this crate only measures, schedules frames and forwards events.

pub mod address;
pub mod app;
pub mod canvas;
pub mod client;
pub mod clock;
pub mod dom;
pub mod download;
pub mod embedder;
pub mod fault;
pub mod runs;
pub mod scope;
pub mod test_hooks;
pub mod widgets;
pub mod worker;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated on a page (not in our workers, which have no
/// window): mounts the widgets the document declares, each as it comes near the screen
/// ([`app::mount_all`]).
#[wasm_bindgen(start)]
pub fn start() {
    if web_sys::window().is_some() {
        fault::install(app::remount);
        app::mount_all();
    } else {
        console_error_panic_hook::set_once();
    }
}

/// Entry point of our workers, called by `js/worker_entry.js` once the module is
/// instantiated in the worker, with the role [`worker::spawn::Role::key`] gave it (and for
/// a thread, its entry). Returns whether the worker is done: a thread's pool has ended, so
/// the worker may free its stack and close.
#[wasm_bindgen]
pub fn cvp_worker_main(role: &str, entry: u32) -> bool {
    use worker::spawn::Role;
    console_error_panic_hook::set_once();
    match Role::from_key(role) {
        // A runner's `entry` carries the faults a test asked for (`test_hooks::RUNNER_POOL_HANGS`).
        Some(Role::Runner) => runs::runner::start(entry),
        Some(Role::Process) => runs::processes::worker::start(),
        Some(Role::Thread) => {
            // SAFETY: `entry` is the Box<ThreadBuilder> runs::threads leaked for this worker.
            unsafe { runs::threads::run_thread(entry) };
            return true;
        }
        None => web_sys::console::error_1(&format!("unknown worker role {role:?}").into()),
    }
    false
}

/// Runs a job on the page's runner and resolves with its trace: the programmatic face of
/// the real-run widgets, used by the benchmark and available to embedding pages. `job` is
/// a [`cvp_model::job::Job`] as a plain object (the README shows one, and a test parses
/// it). A job beyond the widgets' limits is refused at once, with the reason.
#[wasm_bindgen]
pub fn run_job(job: JsValue) -> js_sys::Promise {
    use crate::client::RunEvent;
    let job: Result<cvp_model::job::Job, String> = worker::protocol::from_js(job);
    js_sys::Promise::new(&mut move |resolve, reject| {
        let job = match job.clone() {
            Ok(job) => job,
            Err(e) => {
                let _ = reject.call1(&JsValue::NULL, &e.into());
                return;
            }
        };
        let runner = app::runner();
        runner.wake();
        let inner = runner.clone();
        runner.when_ready(move |ready| {
            // A script may ask for anything: what no widget would send is refused at once,
            // with the reason (a billion pages would exhaust the runner's memory).
            if let Some(why) = cvp_model::state::RunState::refusal(&job, ready.hardware_threads) {
                let _ = reject.call1(&JsValue::NULL, &format!("refused: {why}").into());
                return;
            }
            let (ok, fail) = (resolve.clone(), reject.clone());
            let started = inner.run(job, move |event| {
                let _ = match event {
                    RunEvent::Done(trace) => ok.call1(&JsValue::NULL, &worker::protocol::to_js(&trace)),
                    RunEvent::Cancelled => fail.call1(&JsValue::NULL, &"cancelled".into()),
                    RunEvent::Failed(e) => fail.call1(&JsValue::NULL, &e.into()),
                    RunEvent::Progress { .. } => Ok(JsValue::UNDEFINED),
                };
            });
            if let Err(e) = started {
                let _ = reject.call1(&JsValue::NULL, &e.into());
            }
        });
    })
}

/// What the page's runner can do: `{isolated, hardware_threads, pool_threads}` (starting
/// the runner if no widget has yet).
#[wasm_bindgen]
pub fn runner_caps() -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        let runner = app::runner();
        runner.wake();
        runner.when_ready(move |ready| {
            let _ = resolve.call1(&JsValue::NULL, &worker::protocol::to_js(ready));
        });
    })
}
