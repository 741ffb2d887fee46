//! Threads: rayon over Web Workers sharing one memory: the page's pool
//! (wasm-bindgen-rayon's), or for more threads than it has, a pool of that size
//! ([`super::threads`]).
//!
//! The job is handed to the pool with `spawn`, so the runner never blocks on it: it keeps
//! answering messages (cancel) and reporting progress while the pool works, and no thread
//! spins waiting for rayon.

use super::{cancel, work};
use crate::clock::now_ms;
use cvp_model::job::Workload;
use cvp_model::record::{Span, TaskRun};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use rayon::ThreadPool;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};

// code-panel: lock
/// The global lock of the `gil` strategy, held while computing, as CPython holds its GIL
/// around bytecode. It is fair (first come, first served), so a thread that lets it go at
/// its switch interval hands it to the longest waiter, as CPython's forced switching does;
/// waiting threads sleep on a condition variable instead of spinning.
struct Gil {
    tickets: Mutex<Tickets>,
    turn: Condvar,
}

struct Tickets {
    /// The next ticket to hand out.
    next: u64,
    /// The ticket whose holder may run.
    serving: u64,
}

static GIL: Gil = Gil { tickets: Mutex::new(Tickets { next: 0, serving: 0 }), turn: Condvar::new() };

impl Gil {
    fn tickets(&self) -> std::sync::MutexGuard<'_, Tickets> {
        // Nothing panics while holding it; recover the data if something ever did.
        self.tickets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the lock, in turn.
    fn acquire(&self) {
        let mut t = self.tickets();
        let mine = t.next;
        t.next += 1;
        while t.serving != mine {
            t = self.turn.wait(t).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Lets the lock go to the next in line.
    fn release(&self) {
        self.tickets().serving += 1;
        self.turn.notify_all();
    }

    /// Whether another thread is waiting for it.
    fn contended(&self) -> bool {
        let t = self.tickets();
        t.next > t.serving + 1
    }
}
// code-panel-end

struct Shared {
    next: AtomicU32,
    done: Arc<AtomicU32>,
    finished: AtomicBool,
    runs: Mutex<Vec<TaskRun>>,
}

/// How a pool runs a job's tasks.
#[derive(Clone, Copy, Debug)]
pub struct Lanes {
    /// Concurrent lanes (pool jobs), each taking the next task when it finishes one.
    pub count: u32,
    /// Whether CPU work needs the global lock.
    pub gil: bool,
    /// The lock's switch interval (ms).
    pub switch_interval_ms: f64,
}

// code-panel: threads
/// Runs every task of `workload` on `lanes.count` concurrent jobs of `pool` (the page's
/// pool when `None`). `done` counts finished tasks for progress reports.
pub async fn run(
    workload: Workload,
    lanes: Lanes,
    pool: Option<Arc<ThreadPool>>,
    done: Arc<AtomicU32>,
) -> Vec<TaskRun> {
    let shared = Arc::new(Shared {
        next: AtomicU32::new(0),
        done,
        finished: AtomicBool::new(false),
        runs: Mutex::new(Vec::new()),
    });
    let pool_side = shared.clone();
    let job = move || {
        rayon::scope(|s| {
            for _ in 0..lanes.count {
                s.spawn(|_| lane(&pool_side, workload, lanes));
            }
        });
        pool_side.finished.store(true, Ordering::Release);
    };
    match pool {
        Some(pool) => pool.spawn(job),
        None => rayon::spawn(job),
    }
    // Poll rather than block: a 4 ms timer keeps the runner responsive, and the measured
    // times come from the pool's own timestamps, not from this loop.
    while !shared.finished.load(Ordering::Acquire) {
        TimeoutFuture::new(4).await;
    }
    let runs = std::mem::take(&mut *shared.runs.lock().expect("no task panics while holding it"));
    runs
}

fn lane(shared: &Shared, workload: Workload, lanes: Lanes) {
    // The rayon thread index names the worker that really ran the task.
    let lane = rayon::current_thread_index().unwrap_or(0) as u32;
    loop {
        let task = shared.next.fetch_add(1, Ordering::Relaxed);
        if task >= workload.tasks() || cancel::requested() {
            return;
        }
        let run = run_task(workload, task, lane, lanes);
        if cancel::requested() {
            return;
        }
        shared.runs.lock().expect("no task panics while holding it").push(run);
        shared.done.fetch_add(1, Ordering::Relaxed);
    }
}

fn run_task(workload: Workload, task: u32, lane: u32, lanes: Lanes) -> TaskRun {
    let mut spans = Vec::with_capacity(3);
    let plan = workload.task(task);
    if plan.wait_ms > 0.0 {
        // A thread waiting on I/O blocks, without using a core.
        let start = now_ms();
        work::block_for(plan.wait_ms);
        spans.push(Span { phase: Phase::Loading, start, end: now_ms() });
    }
    let value = plan.cpu.and_then(|cpu| {
        if !lanes.gil {
            let start = now_ms();
            let value = work::compute(cpu);
            spans.push(Span { phase: Phase::Rendering, start, end: now_ms() });
            return value;
        }
        under_gil(&mut spans, lanes.switch_interval_ms, |checkpoint| work::compute_with(cpu, checkpoint))
    });
    spans.retain(|s| s.end > s.start || s.phase == Phase::Rendering);
    TaskRun { task, lane, spans, value }
}
// code-panel-end

// code-panel: under-lock
/// Runs `f` holding the global lock, letting it go every `switch_interval_ms` while another thread
/// waits and queueing for it again: the waits show as Blocked, the turns as Rendering.
/// `f` gets the checkpoint to call often (it also says when the run is cancelled).
fn under_gil<T>(spans: &mut Vec<Span>, switch_interval_ms: f64, f: impl FnOnce(&dyn Fn() -> bool) -> T) -> T {
    let asked = now_ms();
    GIL.acquire();
    let since = Cell::new(now_ms());
    let spans = RefCell::new(spans);
    spans.borrow_mut().push(Span { phase: Phase::Blocked, start: asked, end: since.get() });
    let checkpoint = || {
        if cancel::requested() {
            return true;
        }
        let now = now_ms();
        if now - since.get() >= switch_interval_ms && GIL.contended() {
            let mut spans = spans.borrow_mut();
            spans.push(Span { phase: Phase::Rendering, start: since.get(), end: now });
            GIL.release();
            GIL.acquire();
            let back = now_ms();
            spans.push(Span { phase: Phase::Blocked, start: now, end: back });
            since.set(back);
        }
        false
    };
    let value = f(&checkpoint);
    spans.borrow_mut().push(Span { phase: Phase::Rendering, start: since.get(), end: now_ms() });
    GIL.release();
    value
}
// code-panel-end
