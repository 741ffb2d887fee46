//! The pipeline, run for real in the runner: each I/O stage (request, poll, write) is a set
//! of coroutines waiting on timers, collect is one coroutine computing on the runner's
//! thread, and transform hands each item to a thread of a rayon pool; bounded queues join
//! the stages, so a stage whose next queue is full holds its finished item (Blocked). It
//! follows the rule of `cvp_model::pipeline::simulate`, which draws the same run ideally.

use super::{cancel, threads, work};
use crate::clock::now_ms;
use crate::worker::protocol::Capabilities;
use cvp_model::job::Cpu;
use cvp_model::pipeline::{lane_of, lanes, phase, Spec, StageKind};
use cvp_model::{Lane, Phase, Segment, Strategy, TaskRecord, Trace};
use gloo_timers::future::TimeoutFuture;
use rayon::ThreadPool;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

/// A bounded queue between two stages, for coroutines on this thread.
struct Queue {
    items: VecDeque<u32>,
    cap: usize,
    closed: bool,
    waiting: Vec<Waker>,
}

type Shared<T> = Rc<RefCell<T>>;

impl Queue {
    fn new(cap: usize) -> Shared<Queue> {
        Rc::new(RefCell::new(Queue {
            items: VecDeque::new(),
            cap: cap.max(1),
            closed: false,
            waiting: Vec::new(),
        }))
    }

    fn wake_all(&mut self) {
        for w in self.waiting.drain(..) {
            w.wake();
        }
    }
}

/// The next item, or `None` once the queue is closed and empty.
async fn pop(q: &Shared<Queue>) -> Option<u32> {
    poll_fn(|cx| {
        let mut q = q.borrow_mut();
        if let Some(item) = q.items.pop_front() {
            q.wake_all();
            Poll::Ready(Some(item))
        } else if q.closed {
            Poll::Ready(None)
        } else {
            q.waiting.push(cx.waker().clone());
            Poll::Pending
        }
    })
    .await
}

/// Puts `item` in, waiting for room.
async fn push(q: &Shared<Queue>, item: u32) {
    poll_fn(|cx| {
        let mut q = q.borrow_mut();
        if q.items.len() < q.cap {
            q.items.push_back(item);
            q.wake_all();
            Poll::Ready(())
        } else {
            q.waiting.push(cx.waker().clone());
            Poll::Pending
        }
    })
    .await
}

fn close(q: &Shared<Queue>) {
    let mut q = q.borrow_mut();
    q.closed = true;
    q.wake_all();
}

/// What a pool thread hands back: when it computed, and whom to wake.
type Handback = (Option<(f64, f64)>, Option<Waker>);

/// Where a stage computes.
#[derive(Clone)]
enum Threads {
    /// On this thread (collect; transform on a page without shared memory).
    Here,
    /// On the page's pool (wasm-bindgen-rayon's global one).
    Page,
    /// On a pool of the size asked for.
    Own(Arc<ThreadPool>),
}

/// `ms` of computation on `threads`, awaited without blocking this thread: (start, end)
/// of the work as the computing thread measured it.
async fn compute(threads: &Threads, ms: f64, seed: u64) -> (f64, f64) {
    let cpu = Cpu::Parse { ms, seed };
    let slot: Arc<Mutex<Handback>> = Arc::default();
    let done = slot.clone();
    let job = move || {
        let start = now_ms();
        work::compute(cpu);
        let end = now_ms();
        let mut s = done.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = Some((start, end));
        if let Some(w) = s.1.take() {
            w.wake();
        }
    };
    match threads {
        Threads::Here => {
            let start = now_ms();
            work::compute(cpu);
            return (start, now_ms());
        }
        Threads::Page => rayon::spawn(job),
        Threads::Own(pool) => pool.spawn(job),
    }
    // try_lock, never lock: this may be a page's main thread, which must not block; if the
    // pool thread holds the slot this instant, poll again at once.
    poll_fn(|cx| match slot.try_lock() {
        Ok(mut s) => match s.0 {
            Some(times) => Poll::Ready(times),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        },
        Err(_) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

/// What the workers record: segments by lane, and each item's first start and last end.
struct Record {
    segments: Vec<(usize, Segment)>,
    items: Vec<(f64, f64, u32)>,
}

/// Runs `spec` for real; `Ok(None)` when cancelled.
pub async fn run(spec: &Spec, caps: &Capabilities, done: Arc<AtomicU32>) -> Result<Option<Trace>, String> {
    cancel::reset();
    let stages = spec.stages();
    let transform_threads = stages[3].workers;
    // The transform stage's threads: the page's pool when it has enough, else a pool of
    // that size (kept, like the threads strategy's); on a page without shared memory the
    // transform runs on this thread, and the widget says so.
    let pool = if caps.pool_threads == 0 {
        Threads::Here
    } else if transform_threads <= caps.pool_threads {
        Threads::Page
    } else {
        Threads::Own(threads::pool_of(transform_threads as usize).await?.0.rayon())
    };
    let origin = now_ms();
    let n = spec.items;
    let record = Rc::new(RefCell::new(Record {
        segments: Vec::new(),
        items: vec![(f64::INFINITY, 0.0, 0); n as usize],
    }));
    let queues: Vec<Shared<Queue>> = (0..=stages.len())
        .map(|i| if i == 0 { Queue::new(n as usize) } else { Queue::new(spec.queue as usize) })
        .collect();
    {
        let mut first = queues[0].borrow_mut();
        first.items.extend(0..n);
        first.closed = true;
    }
    let mut workers = Vec::new();
    for (s, stage) in stages.iter().enumerate() {
        let finished = Rc::new(Cell::new(0u32));
        for w in 0..stage.workers {
            let (input, output) = (queues[s].clone(), queues[s + 1].clone());
            let last = s + 1 == stages.len();
            let (record, finished, done, pool) =
                (record.clone(), finished.clone(), done.clone(), pool.clone());
            let (stage, lane) = (*stage, lane_of(spec, s, w));
            workers.push(async move {
                while let Some(item) = pop(&input).await {
                    if cancel::requested() {
                        break;
                    }
                    let (start, end) = match (stage.kind, s) {
                        (StageKind::Io, _) => {
                            let start = now_ms();
                            TimeoutFuture::new(stage.ms.round() as u32).await;
                            (start, now_ms())
                        }
                        (StageKind::Cpu, 3) => compute(&pool, stage.ms, item as u64).await,
                        (StageKind::Cpu, _) => compute(&Threads::Here, stage.ms, item as u64).await,
                    };
                    let task = Some(item);
                    let seg =
                        Segment { start: start - origin, end: end - origin, phase: phase(stage.kind), task };
                    record.borrow_mut().segments.push((lane, seg));
                    if s == 0 {
                        record.borrow_mut().items[item as usize] = (start - origin, 0.0, 0);
                    }
                    if last {
                        let mut r = record.borrow_mut();
                        r.items[item as usize].1 = end - origin;
                        r.items[item as usize].2 = lane as u32;
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        push(&output, item).await;
                        let left = now_ms();
                        if left - end > 0.05 {
                            let held = Segment {
                                start: end - origin,
                                end: left - origin,
                                phase: Phase::Blocked,
                                task,
                            };
                            record.borrow_mut().segments.push((lane, held));
                        }
                    }
                }
                finished.set(finished.get() + 1);
                if finished.get() == stage.workers {
                    close(&output);
                }
            });
        }
    }
    // Every worker is a future on this thread; run them all to the end.
    let all: Vec<_> = workers
        .into_iter()
        .map(|f| Box::pin(f) as std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>)
        .collect();
    join_all(all).await;
    if cancel::requested() {
        return Ok(None);
    }
    let mut trace = Trace::new(
        Strategy::Async,
        stages.iter().filter(|s| s.kind == StageKind::Cpu).map(|s| s.workers).sum(),
    );
    trace.lanes = lanes(spec);
    let record = Rc::try_unwrap(record).map_err(|_| "a worker outlived the run")?.into_inner();
    for (lane, seg) in record.segments {
        trace.lanes[lane].segments.push(seg);
    }
    trace.lanes.iter_mut().for_each(Lane::put_in_order);
    trace.tasks = record
        .items
        .iter()
        .enumerate()
        .map(|(id, &(start, end, lane))| TaskRecord { id: id as u32, lane, start, end, value: None })
        .collect();
    trace.close();
    Ok(Some(trace))
}

/// A stage worker, as [`join_all`] holds it.
type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

/// Polls every future until all are done (a small `join_all`, without a dependency).
async fn join_all(mut futures: Vec<Task>) {
    poll_fn(move |cx| {
        futures.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if futures.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}
