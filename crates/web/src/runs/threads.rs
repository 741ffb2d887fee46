//! Thread pools of any size: rayon over Web Workers this module starts itself, sharing this
//! thread's memory, for runs that ask for more threads than the page's pool has.
//!
//! The page's pool (wasm-bindgen-rayon's global one, one thread per hardware thread) is
//! started once, when the runner starts. A fetch on 50 threads needs 50 threads that can each block on
//! a wait without a core; a fib on 8 threads on 2 cores needs 8 that take turns. rayon
//! builds such a pool with a `spawn_handler`, as wasm-bindgen's raytrace-parallel example
//! does: each `ThreadBuilder` goes to a fresh worker (`Role::Thread`), which instantiates the
//! module on this memory and runs it. The last pool built is kept, so asking for the same
//! size again reuses it; its start-up is measured when it is built and reported with it.

use super::cancel;
use crate::clock::now_ms;
use crate::worker::spawn::{spawn_thread, WorkerHandle};
use cvp_model::record::{LaneSpan, Span};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use rayon::{ThreadBuilder, ThreadPool, ThreadPoolBuilder};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

/// Longest wait for a pool's threads to start.
const START_TIMEOUT_MS: f64 = 20_000.0;

/// A pool of threads on workers of its own.
pub struct Pool {
    pool: Arc<ThreadPool>,
    /// When it was asked for, and when each thread started (absolute ms).
    asked: f64,
    started: Vec<f64>,
    // The workers live as long as the pool: their threads end when it is dropped, and each
    // worker then frees its stack and closes itself.
    _workers: Vec<WorkerHandle>,
    _on_failure: Vec<Closure<dyn FnMut(MessageEvent)>>,
}

impl Pool {
    /// Its rayon pool.
    pub fn rayon(&self) -> Arc<ThreadPool> {
        self.pool.clone()
    }

    /// Threads in it.
    pub fn size(&self) -> usize {
        self.started.len()
    }

    /// How long the slowest thread took to start (ms).
    pub fn startup_ms(&self) -> f64 {
        self.started.iter().fold(0.0f64, |a, &s| a.max(s - self.asked))
    }

    /// Each thread's start-up as a Starting span, on the lane of its rayon index.
    pub fn startup_spans(&self) -> Vec<LaneSpan> {
        self.started
            .iter()
            .enumerate()
            .map(|(lane, &end)| LaneSpan {
                lane: lane as u32,
                span: Span { phase: Phase::Starting, start: self.asked, end },
            })
            .collect()
    }
}

thread_local! {
    /// The last pool built, kept for the next run that asks for its size.
    static LAST: RefCell<Option<Rc<Pool>>> = const { RefCell::new(None) };
}

/// A pool of exactly `size` threads, and whether it was started for this call (`true`) or
/// reused from an earlier run.
pub async fn pool_of(size: usize) -> Result<(Rc<Pool>, bool), String> {
    if let Some(pool) = LAST.with(|l| l.borrow().as_ref().filter(|p| p.size() == size).cloned()) {
        return Ok((pool, false));
    }
    // One kept pool at a time: the old one's threads end and their workers close.
    LAST.with(|l| l.borrow_mut().take());
    let pool = Rc::new(build(size).await?);
    LAST.with(|l| *l.borrow_mut() = Some(pool.clone()));
    Ok((pool, true))
}

async fn build(size: usize) -> Result<Pool, String> {
    let asked = now_ms();
    let started: Arc<Mutex<Vec<Option<f64>>>> = Arc::new(Mutex::new(vec![None; size]));
    let failure: Rc<RefCell<Option<String>>> = Default::default();
    let mut workers = Vec::with_capacity(size);
    let mut on_failure = Vec::with_capacity(size);
    let on_start = started.clone();
    let pool = ThreadPoolBuilder::new()
        .num_threads(size)
        .start_handler(move |index| {
            on_start.lock().expect("no thread panics holding it")[index] = Some(now_ms());
        })
        .spawn_handler(|thread: ThreadBuilder| {
            let entry = Box::into_raw(Box::new(thread)) as u32;
            let worker = spawn_thread(entry);
            // A thread's worker sends nothing but a failure to start.
            let failure = failure.clone();
            let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
                failure.borrow_mut().get_or_insert_with(|| "a thread's worker failed to start".to_string());
            });
            worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
            workers.push(worker);
            on_failure.push(handler);
            Ok(())
        })
        .build()
        .map_err(|e| format!("cannot build a pool of {size} threads: {e}"))?;
    // The workers start while this thread waits without blocking (it must keep its event
    // loop free: the workers it spawns need it). try_lock, never lock: this may be a page's
    // main thread (the wasm tests), which must not block on a thread starting that instant.
    loop {
        let all = started.try_lock().ok().and_then(|s| s.iter().copied().collect::<Option<Vec<f64>>>());
        if let Some(all) = all {
            return Ok(Pool {
                pool: Arc::new(pool),
                asked,
                started: all,
                _workers: workers,
                _on_failure: on_failure,
            });
        }
        if let Some(why) = failure.borrow().clone() {
            return Err(why);
        }
        if cancel::requested() || now_ms() - asked > START_TIMEOUT_MS {
            // How many did (a lock held this instant counts as not known): one missing
            // thread and none at all are different faults.
            let up = started.try_lock().map(|s| s.iter().flatten().count().to_string()).unwrap_or("?".into());
            return Err(format!(
                "the pool's {size} threads did not all start within {} s ({up} did)",
                START_TIMEOUT_MS / 1000.0
            ));
        }
        TimeoutFuture::new(2).await;
    }
}

/// Runs the rayon thread handed to a `Role::Thread` worker until its pool ends.
///
/// # Safety
/// `entry` must come from [`build`]'s `Box::into_raw` and be used once.
pub unsafe fn run_thread(entry: u32) {
    // SAFETY: the caller guarantees `entry` is a leaked Box<ThreadBuilder>, used once.
    let thread = unsafe { Box::from_raw(entry as *mut ThreadBuilder) };
    thread.run();
}
