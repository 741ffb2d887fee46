//! Threads: rayon over Web Workers sharing one memory (wasm-bindgen-rayon's pool).
//!
//! The job is handed to the pool with `rayon::spawn`, so the runner never blocks on it:
//! it keeps answering messages (cancel) and reporting progress while the pool works, and
//! no thread spins waiting for rayon.

use super::{cancel, work};
use crate::clock::now_ms;
use cvp_model::job::Workload;
use cvp_model::record::{Span, TaskRun};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// The global lock of the `gil` strategy: held around each task's CPU work, as CPython
/// holds its GIL around bytecode.
static GIL: Mutex<()> = Mutex::new(());

struct Shared {
    next: AtomicU32,
    done: Arc<AtomicU32>,
    finished: AtomicBool,
    runs: Mutex<Vec<TaskRun>>,
}

/// Runs every task of `workload` on `lanes` concurrent pool jobs, each taking the next task
/// when it finishes one; with `gil`, CPU work happens only while holding [`GIL`].
/// `done` counts finished tasks for progress reports.
pub async fn run(workload: Workload, lanes: u32, gil: bool, done: Arc<AtomicU32>) -> Vec<TaskRun> {
    let shared = Arc::new(Shared {
        next: AtomicU32::new(0),
        done,
        finished: AtomicBool::new(false),
        runs: Mutex::new(Vec::new()),
    });
    let pool_side = shared.clone();
    rayon::spawn(move || {
        rayon::scope(|s| {
            for _ in 0..lanes {
                s.spawn(|_| lane(&pool_side, workload, gil));
            }
        });
        pool_side.finished.store(true, Ordering::Release);
    });
    // Poll rather than block: a 4 ms timer keeps the runner responsive, and the measured
    // times come from the pool's own timestamps, not from this loop.
    while !shared.finished.load(Ordering::Acquire) {
        TimeoutFuture::new(4).await;
    }
    let runs = std::mem::take(&mut *shared.runs.lock().expect("no task panics while holding it"));
    runs
}

fn lane(shared: &Shared, workload: Workload, gil: bool) {
    // The rayon thread index names the worker that really ran the task.
    let lane = rayon::current_thread_index().unwrap_or(0) as u32;
    loop {
        let task = shared.next.fetch_add(1, Ordering::Relaxed);
        if task >= workload.tasks() || cancel::requested() {
            return;
        }
        let run = run_task(workload, task, lane, gil);
        if cancel::requested() {
            return;
        }
        shared.runs.lock().expect("no task panics while holding it").push(run);
        shared.done.fetch_add(1, Ordering::Relaxed);
    }
}

fn run_task(workload: Workload, task: u32, lane: u32, gil: bool) -> TaskRun {
    let mut spans = Vec::with_capacity(3);
    let plan = workload.task(task);
    if plan.wait_ms > 0.0 {
        // A thread waiting on I/O blocks, without using its core.
        let start = now_ms();
        work::block_for(plan.wait_ms);
        spans.push(Span { phase: Phase::Loading, start, end: now_ms() });
    }
    let value = plan.cpu.and_then(|cpu| {
        let asked = now_ms();
        let _held = gil.then(|| GIL.lock().expect("the lock guards no data"));
        let start = now_ms();
        if gil {
            spans.push(Span { phase: Phase::Blocked, start: asked, end: start });
        }
        let value = work::compute(cpu);
        spans.push(Span { phase: Phase::Rendering, start, end: now_ms() });
        value
    });
    spans.retain(|s| s.end > s.start || s.phase == Phase::Rendering);
    TaskRun { task, lane, spans, value }
}
