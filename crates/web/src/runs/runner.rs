//! The runner: a worker that owns the rayon pool and runs one job at a time, so the page's
//! main thread only ever sends messages and draws.

use super::cancel;
use crate::worker::protocol::{decode, encode, Capabilities, FromRunner, ToRunner};
use gloo_timers::future::TimeoutFuture;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromRunner) {
    // Posting a plain object to our own parent cannot fail.
    let _ = scope().post_message(&encode(msg));
}

/// Starts the pool (when shared memory is available), announces what it can do, then
/// serves jobs.
pub fn start() {
    spawn_local(async {
        let scope = scope();
        let isolated = crate::cross_origin_isolated();
        let hardware_threads = (scope.navigator().hardware_concurrency() as u32).max(1);
        let mut caps = Capabilities {
            isolated,
            shared_memory: isolated && can_share_memory(),
            hardware_threads,
            ..Capabilities::none()
        };
        warm_up().await;
        if caps.shared_memory {
            // One pool for the page's lifetime, owned here; its size is fixed, so runs
            // asking for fewer threads use fewer concurrent lanes instead.
            let asked = crate::clock::now_ms();
            match JsFuture::from(wasm_bindgen_rayon::init_thread_pool(hardware_threads as usize)).await {
                Ok(_) => {
                    caps.pool_threads = rayon::current_num_threads() as u32;
                    caps.pool_startup_ms = crate::clock::now_ms() - asked;
                }
                Err(e) => caps.pool_error = Some(js_error_text(&e)),
            }
        }
        // Calibrate the parse once the pool has started, when the cores are quietest.
        super::work::calibrate().await;
        serve(caps.clone());
        post(&FromRunner::Ready { caps });
    });
}

/// Whether this browser lets a worker's shared memory go to another worker: an isolated
/// page may still have an engine that cannot (WebKitGTK on Linux throws `DataCloneError`
/// unless JavaScriptCore is told to share). Asked by sending this thread's own memory down
/// a channel nobody reads.
fn can_share_memory() -> bool {
    let Ok(channel) = web_sys::MessageChannel::new() else { return false };
    let sent = channel.port1().post_message(&wasm_bindgen::memory()).is_ok();
    channel.port1().close();
    channel.port2().close();
    sent
}

/// A thrown JavaScript value as the words a reader can use: an Error's message, else its text.
fn js_error_text(e: &JsValue) -> String {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    if text.trim().is_empty() {
        "no reason given".to_string()
    } else {
        text
    }
}

/// Runs the fib of the real runs until the engine has optimised it, unmeasured. The first
/// run in a fresh page was 25 to 40% slower than the third (16 × fib(34) in Chromium:
/// 495 ms, then 356 and 353): the engine compiles a faster tier in the background and
/// swaps it in later, which made whichever strategy ran first look slow, and every speedup
/// over it too big. One fib(30) was not always enough (sync still came out 35% slower
/// than coroutines in one "Run every strategy"), so this repeats a short fib, yielding so
/// the optimised code can land, until two in a row take the same time (at most 300 ms).
/// The pool's workers and the processes share this compiled module.
async fn warm_up() {
    let started = crate::clock::now_ms();
    let mut last = f64::INFINITY;
    while crate::clock::now_ms() - started < 300.0 {
        let t0 = crate::clock::now_ms();
        std::hint::black_box(super::work::fib(std::hint::black_box(27)));
        let took = crate::clock::now_ms() - t0;
        if (took - last).abs() <= 0.05 * last {
            break;
        }
        last = took;
        TimeoutFuture::new(5).await;
    }
}

fn serve(caps: Capabilities) {
    let busy = Rc::new(Cell::new(false));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match decode::<ToRunner>(event.data()) {
            Ok(ToRunner::Cancel) => cancel::request(),
            Ok(ToRunner::Crash) => panic!("injected fault: the runner was told to stop mid-run"),
            Ok(ToRunner::Run { id, .. } | ToRunner::Pipeline { id, .. }) if busy.get() => {
                post(&FromRunner::Failed { id, error: "a run is already in progress".into() });
            }
            Ok(ToRunner::Run { id, job }) => {
                let caps = caps.clone();
                serve_one(id, job.workload.tasks(), &busy, move |done| async move {
                    // Unmeasured: the first run after a pause came out up to 40 % slower
                    // than the next (8 × fib(32): 64 ms, then 46), so whichever strategy a
                    // queue ran first looked slow. Warm again, until fib's time settles.
                    warm_up().await;
                    super::run(&job, &caps, done).await
                })
            }
            Ok(ToRunner::Pipeline { id, spec }) => {
                let caps = caps.clone();
                serve_one(id, spec.items, &busy, move |done| async move {
                    super::pipeline::run(&spec, &caps, done).await
                })
            }
            Err(error) => post(&FromRunner::Failed { id: 0, error }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

/// Runs one request of `total` tasks, reporting progress, then its trace, its cancellation
/// or its failure.
fn serve_one<F, Fut>(id: u32, total: u32, busy: &Rc<Cell<bool>>, run: F)
where
    F: FnOnce(Arc<AtomicU32>) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Option<cvp_model::Trace>, String>> + 'static,
{
    busy.set(true);
    let busy = busy.clone();
    spawn_local(async move {
        let done = Arc::new(AtomicU32::new(0));
        let finished = Rc::new(Cell::new(false));
        spawn_local(report_progress(id, total, done.clone(), finished.clone()));
        let result = run(done).await;
        finished.set(true);
        post(&match result {
            Ok(Some(trace)) => match serde_json::to_string(&trace) {
                Ok(trace) => FromRunner::Done { id, trace },
                Err(e) => FromRunner::Failed { id, error: format!("cannot encode the trace: {e}") },
            },
            Ok(None) => FromRunner::Cancelled { id },
            Err(error) => FromRunner::Failed { id, error },
        });
        busy.set(false);
    });
}

/// Posts the count of finished tasks whenever it changes, at most every 50 ms.
async fn report_progress(id: u32, total: u32, done: Arc<AtomicU32>, finished: Rc<Cell<bool>>) {
    let mut last = u32::MAX;
    while !finished.get() {
        let now = done.load(Ordering::Relaxed);
        if now != last {
            post(&FromRunner::Progress { id, done: now, total });
            last = now;
        }
        TimeoutFuture::new(50).await;
    }
}
