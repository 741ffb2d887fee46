//! Synchronous and coroutine runs, on the runner's one thread.
//!
//! Coroutines are Rust futures driven by the browser's event loop (each awaited timer or
//! yield is a JavaScript promise), so they interleave on one thread exactly like
//! `asyncio` tasks: while one computes, every other waits.

use super::{cancel, work};
use crate::clock::now_ms;
use cvp_model::job::{Cpu, Workload};
use cvp_model::record::{Span, TaskRun};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use js_sys::Promise;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::MessageChannel;

/// Lets the event loop run (messages such as "cancel", timers, other coroutines) and
/// resumes as soon as it has. A message on a channel is a macrotask without the 4 ms clamp
/// that nested `setTimeout(0)` calls get.
pub async fn yield_now() {
    let promise = Promise::new(&mut |resolve, _| HAND_OVER.with(|h| h.post(resolve)));
    let _ = JsFuture::from(promise).await;
}

thread_local! {
    static HAND_OVER: HandOver = HandOver::new();
}

/// The one channel each thread yields through, for the thread's lifetime. A fresh channel per
/// yield was never closed, and a port that listens lives until it is: WebKit kept every one,
/// and its hand-overs grew slower with each run (a run's 16 took 6 ms in a page's first runs
/// and 18 ms after 300, while the same runs' computing stayed near 23 ms; 1 ms now).
struct HandOver {
    sender: web_sys::MessagePort,
    /// Held, so that no engine may collect the listening end.
    _receiver: web_sys::MessagePort,
    /// Whom each message in flight wakes: messages on one channel arrive in order.
    waiting: Rc<RefCell<VecDeque<js_sys::Function>>>,
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl HandOver {
    fn new() -> Self {
        let channel = MessageChannel::new().expect("MessageChannel exists in windows and workers");
        let waiting: Rc<RefCell<VecDeque<js_sys::Function>>> = Rc::default();
        let wake = waiting.clone();
        let on_message = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let next = wake.borrow_mut().pop_front();
            if let Some(resolve) = next {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let receiver = channel.port1();
        receiver.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Self { sender: channel.port2(), _receiver: receiver, waiting, _on_message: on_message }
    }

    fn post(&self, resolve: js_sys::Function) {
        self.waiting.borrow_mut().push_back(resolve);
        self.sender.post_message(&JsValue::NULL).expect("posting null cannot fail");
    }
}

/// How long a synchronous run computes before it lets the event loop run (a cancel can
/// arrive, progress goes out). A hand-off through the event loop is not free, and a plain
/// loop, the thing Synchronous stands for, never pays it: yielding before every task left
/// WebKitGTK's lane 42 % busy on 16 × fib(30) from the widget (tasks of 1.5 ms, about 2 ms
/// between them).
const SYNC_SLICE_MS: f64 = 50.0;

// code-panel: sync
/// One task after another. Between tasks (never during one), once every
/// [`SYNC_SLICE_MS`], it yields so that a cancel can arrive.
pub async fn run_sync(workload: Workload, done: Arc<AtomicU32>) -> Vec<TaskRun> {
    let mut runs = Vec::new();
    let mut yielded = now_ms();
    for task in 0..workload.tasks() {
        if now_ms() - yielded >= SYNC_SLICE_MS {
            yield_now().await;
            yielded = now_ms();
        }
        if cancel::requested() {
            break;
        }
        let mut spans = Vec::new();
        let plan = workload.task(task);
        wait(&mut spans, plan.wait_ms).await;
        let value = plan.cpu.and_then(|cpu| compute(&mut spans, cpu));
        if cancel::requested() {
            break;
        }
        runs.push(TaskRun { task, lane: 0, spans, value });
        done.fetch_add(1, Ordering::Relaxed);
    }
    runs
}
// code-panel-end

// code-panel: coroutines
/// All tasks as coroutines on this thread, at most `limit` in flight: `limit` coroutines,
/// each taking the next task, wait and work, when it finishes one (`None`: one per task).
/// `run_semaphore` holds the limit around the wait alone, one coroutine per task.
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
                    let plan = workload.task(task);
                    if plan.wait_ms > 0.0 {
                        wait(&mut spans, plan.wait_ms).await;
                    } else {
                        // Suspend once, as `await asyncio.sleep(0)` would: every coroutine
                        // gets started before any computes, then they take turns on the
                        // one thread.
                        yield_now().await;
                        spans.push(Span { phase: Phase::Blocked, start: ready_since, end: now_ms() });
                    }
                    let value = plan.cpu.and_then(|cpu| compute(&mut spans, cpu));
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
// code-panel-end

// code-panel: semaphore
/// One coroutine per page, all started at once, with a semaphore of `permits` held around
/// each request alone. A coroutine gives its permit back as it resumes with its page; the
/// coroutine that wakes needs the thread to send its request, and gets it after the parse
/// and after every coroutine already queued for the thread.
pub async fn run_semaphore(workload: Workload, permits: u32, done: Arc<AtomicU32>) -> Vec<TaskRun> {
    let semaphore = Rc::new(Semaphore::new(permits.max(1)));
    let runs = Rc::new(RefCell::new(Vec::new()));
    let created = now_ms();
    let promises: js_sys::Array = (0..workload.tasks())
        .map(|task| {
            let (semaphore, runs, done) = (semaphore.clone(), runs.clone(), done.clone());
            future_to_promise(async move {
                let plan = workload.task(task);
                semaphore.acquire().await;
                let mut spans = vec![Span { phase: Phase::Blocked, start: created, end: now_ms() }];
                if !cancel::requested() {
                    wait(&mut spans, plan.wait_ms).await;
                }
                semaphore.release();
                let value =
                    plan.cpu.filter(|_| !cancel::requested()).and_then(|cpu| compute(&mut spans, cpu));
                if !cancel::requested() {
                    spans.retain(|s| s.end > s.start || s.phase == Phase::Rendering);
                    runs.borrow_mut().push(TaskRun { task, lane: task, spans, value });
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(JsValue::UNDEFINED)
            })
        })
        .collect();
    let _ = JsFuture::from(Promise::all(&promises)).await;
    Rc::try_unwrap(runs).map(RefCell::into_inner).unwrap_or_default()
}

/// A counting semaphore for coroutines on one thread, as `asyncio.Semaphore`: `acquire`
/// takes a free permit or waits for one, first come first served; `release` hands the
/// permit straight to the longest waiter.
struct Semaphore {
    free: Cell<u32>,
    waiting: RefCell<VecDeque<js_sys::Function>>,
}

impl Semaphore {
    fn new(permits: u32) -> Self {
        Semaphore { free: Cell::new(permits), waiting: RefCell::new(VecDeque::new()) }
    }

    async fn acquire(&self) {
        if self.free.get() > 0 {
            self.free.set(self.free.get() - 1);
            return;
        }
        let mut wake = None;
        let turn = Promise::new(&mut |resolve, _| wake = Some(resolve));
        self.waiting.borrow_mut().extend(wake);
        let _ = JsFuture::from(turn).await;
    }

    fn release(&self) {
        let next = self.waiting.borrow_mut().pop_front();
        match next {
            Some(wake) => drop(wake.call0(&JsValue::UNDEFINED)),
            None => self.free.set(self.free.get() + 1),
        }
    }
}
// code-panel-end

/// A task's CPU work on this thread, recorded as Rendering.
fn compute(spans: &mut Vec<Span>, cpu: Cpu) -> Option<u64> {
    let start = now_ms();
    let value = work::compute(cpu);
    spans.push(Span { phase: Phase::Rendering, start, end: now_ms() });
    value
}

/// A task's I/O wait (a page's latency): a timer stands in for the network. Nothing when
/// there is none. The wait ends when this coroutine is observed to resume: if the timer
/// came due while another coroutine computed, the one thread could not tell until it was
/// free, and neither can this record.
async fn wait(spans: &mut Vec<Span>, ms: f64) {
    if ms <= 0.0 {
        return;
    }
    let start = now_ms();
    TimeoutFuture::new(ms.round() as u32).await;
    spans.push(Span { phase: Phase::Loading, start, end: now_ms() });
}
