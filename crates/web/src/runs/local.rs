//! Synchronous and coroutine runs, on the runner's one thread.
//!
//! Coroutines are Rust futures driven by the browser's event loop (each awaited timer or
//! yield is a JavaScript promise), so they interleave on one thread exactly like
//! `asyncio` tasks: while one computes, every other waits.

use super::{cancel, work};
use crate::clock::now_ms;
use cvp_model::job::Workload;
use cvp_model::record::{Span, TaskRun};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::MessageChannel;

/// Lets the event loop run (messages such as "cancel", timers, other coroutines) and
/// resumes as soon as it has. A message on a fresh channel is a macrotask without the 4 ms
/// clamp that nested `setTimeout(0)` calls get.
pub async fn yield_now() {
    let promise = Promise::new(&mut |resolve, _| {
        let channel = MessageChannel::new().expect("MessageChannel exists in workers");
        channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
        channel.port2().post_message(&JsValue::NULL).expect("posting null cannot fail");
    });
    let _ = JsFuture::from(promise).await;
}

/// One task after another. Yields between tasks (not during) so a cancel can arrive.
pub async fn run_sync(workload: Workload, done: Arc<AtomicU32>) -> Vec<TaskRun> {
    let mut runs = Vec::new();
    for task in 0..workload.tasks() {
        yield_now().await;
        if cancel::requested() {
            break;
        }
        let mut spans = Vec::new();
        let value = match workload {
            Workload::Fib { n, .. } => compute(&mut spans, || work::fib(n)),
            Workload::Fetch { latency_ms, parse_ms, .. } => {
                fetch(&mut spans, task, latency_ms, parse_ms).await
            }
        };
        if cancel::requested() {
            break;
        }
        runs.push(TaskRun { task, lane: 0, spans, value });
        done.fetch_add(1, Ordering::Relaxed);
    }
    runs
}

/// All tasks as coroutines on this thread, at most `limit` in flight (a semaphore: `limit`
/// lanes each take the next task when they finish one; `None` = one lane per task).
pub async fn run_async(workload: Workload, limit: Option<u32>, done: Arc<AtomicU32>) -> Vec<TaskRun> {
    let total = workload.tasks();
    let lanes = limit.unwrap_or(total).clamp(1, total.max(1));
    let next = Rc::new(RefCell::new(0u32));
    let runs = Rc::new(RefCell::new(Vec::new()));
    let created = now_ms();
    let promises: js_sys::Array = (0..lanes)
        .map(|lane| {
            let (next, runs, done) = (next.clone(), runs.clone(), done.clone());
            future_to_promise(async move {
                let mut ready_since = created;
                loop {
                    let task = {
                        let mut n = next.borrow_mut();
                        if *n >= total || cancel::requested() {
                            break;
                        }
                        *n += 1;
                        *n - 1
                    };
                    let mut spans = Vec::new();
                    let value = match workload {
                        Workload::Fib { n, .. } => {
                            // Suspend once, as `await asyncio.sleep(0)` would: every
                            // coroutine gets started before any computes, then they take
                            // turns on the one thread.
                            yield_now().await;
                            spans.push(Span { phase: Phase::Blocked, start: ready_since, end: now_ms() });
                            compute(&mut spans, || work::fib(n))
                        }
                        Workload::Fetch { latency_ms, parse_ms, .. } => {
                            fetch(&mut spans, task, latency_ms, parse_ms).await
                        }
                    };
                    if cancel::requested() {
                        break;
                    }
                    spans.retain(|s| s.end > s.start || s.phase == Phase::Rendering);
                    runs.borrow_mut().push(TaskRun { task, lane, spans, value });
                    done.fetch_add(1, Ordering::Relaxed);
                    ready_since = now_ms();
                }
                Ok(JsValue::UNDEFINED)
            })
        })
        .collect();
    let _ = JsFuture::from(Promise::all(&promises)).await;
    Rc::try_unwrap(runs).map(RefCell::into_inner).unwrap_or_default()
}

fn compute(spans: &mut Vec<Span>, f: impl FnOnce() -> Option<u64>) -> Option<u64> {
    let start = now_ms();
    let value = f();
    spans.push(Span { phase: Phase::Rendering, start, end: now_ms() });
    value
}

/// One simulated page: a timer stands in for the network, then `parse_ms` of CPU.
///
/// When the timer fires while another coroutine is computing, this one can only resume
/// once the thread is free: that wait is recorded as Blocked, not as I/O.
async fn fetch(spans: &mut Vec<Span>, task: u32, latency_ms: f64, parse_ms: f64) -> Option<u64> {
    let start = now_ms();
    TimeoutFuture::new(latency_ms.round() as u32).await;
    let resumed = now_ms();
    let due = (start + latency_ms).min(resumed);
    spans.push(Span { phase: Phase::Loading, start, end: due });
    if resumed - due > 1.0 {
        spans.push(Span { phase: Phase::Blocked, start: due, end: resumed });
    }
    (parse_ms > 0.0).then(|| compute(spans, || Some(work::parse(parse_ms, task as u64)))).flatten()
}
