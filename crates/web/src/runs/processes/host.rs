//! Processes: workers with their own wasm instance and memory, started for the run and
//! fed one task at a time by message, like a `multiprocessing.Pool`. Start-up and every
//! hand-off are measured and drawn. Needs no shared memory, so it runs on any page.

use crate::clock::now_ms;
use crate::runs::cancel;
use crate::worker::protocol::{decode, encode, FromProcess, ToProcess};
use crate::worker::spawn::{spawn, Role, WorkerHandle};
use cvp_model::job::Workload;
use cvp_model::record::{LaneSpan, Span, TaskRun};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

/// Longest wait for the first process to start before giving up: nothing hangs.
const START_TIMEOUT_MS: f64 = 20_000.0;

struct Proc {
    worker: WorkerHandle,
    busy: bool,
    // Kept alive as long as the worker; dropped (not leaked) with it.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

#[derive(Default)]
struct State {
    procs: Vec<Proc>,
    next: u32,
    runs: Vec<TaskRun>,
    lane_spans: Vec<LaneSpan>,
    error: Option<String>,
    /// Whether tasks may go out: at once for fresh processes, once all are ready for pooled.
    go: bool,
}

// code-panel: processes
/// Runs `workload` on `count` processes started for it. Fresh (`pooled` false), each takes
/// its first task as soon as it is ready, and its start-up is part of the run; pooled, no
/// task goes out until every one is ready, and the run's clock starts then. Returns the
/// measured tasks, each process's start-up (none when pooled: it is outside the run) and
/// when the clock started.
pub async fn run(
    workload: Workload,
    count: u32,
    pooled: bool,
    done: Arc<AtomicU32>,
) -> Result<(Vec<TaskRun>, Vec<LaneSpan>, f64), String> {
    let total = workload.tasks();
    let state = Rc::new(RefCell::new(State { go: !pooled, ..State::default() }));
    let mut clock = now_ms();
    for lane in 0..count.clamp(1, total.max(1)) {
        let spawned = now_ms();
        let worker = spawn(Role::Process);
        let weak = Rc::downgrade(&state);
        let done = done.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(state) = weak.upgrade() else { return };
            let mut st = state.borrow_mut();
            match decode::<FromProcess>(event.data()) {
                Ok(FromProcess::Ready) => {
                    let span = Span { phase: Phase::Starting, start: spawned, end: now_ms() };
                    st.lane_spans.push(LaneSpan { lane, span });
                }
                Ok(FromProcess::Done { mut run }) => {
                    let end = run.spans.last().map_or(spawned, |s| s.end);
                    run.spans.push(Span { phase: Phase::Handoff, start: end, end: now_ms().max(end) });
                    st.runs.push(run);
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(FromProcess::Failed { error }) | Err(error) => st.error = Some(error),
            }
            st.procs[lane as usize].busy = false;
            dispatch(&mut st, lane, workload, total);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Busy until it reports ready.
        state.borrow_mut().procs.push(Proc { worker, busy: true, _on_message: on_message });
    }
    let started = now_ms();
    if pooled {
        // The pool starts before the clock: wait for every process, then send each a task.
        loop {
            TimeoutFuture::new(2).await;
            let mut st = state.borrow_mut();
            if now_ms() - started > START_TIMEOUT_MS {
                st.error =
                    Some(format!("the processes did not all start within {} s", START_TIMEOUT_MS / 1000.0));
            }
            if st.error.is_some() || cancel::requested() {
                break;
            }
            if st.lane_spans.len() == st.procs.len() {
                st.go = true;
                st.lane_spans.clear();
                clock = now_ms();
                for lane in 0..st.procs.len() as u32 {
                    st.procs[lane as usize].busy = false;
                    dispatch(&mut st, lane, workload, total);
                }
                break;
            }
        }
    }
    loop {
        TimeoutFuture::new(4).await;
        if state.borrow().lane_spans.is_empty() && now_ms() - started > START_TIMEOUT_MS {
            state.borrow_mut().error =
                Some(format!("no process started within {} s", START_TIMEOUT_MS / 1000.0));
        }
        let st = state.borrow();
        let finished =
            st.runs.len() as u32 >= total || (st.next >= total && st.procs.iter().all(|p| !p.busy));
        if finished || st.error.is_some() || cancel::requested() {
            break;
        }
    }
    let mut st = state.borrow_mut();
    for p in &st.procs {
        p.worker.terminate();
    }
    st.procs.clear();
    match st.error.take() {
        Some(error) => Err(error),
        None => Ok((std::mem::take(&mut st.runs), std::mem::take(&mut st.lane_spans), clock)),
    }
}

fn dispatch(st: &mut State, lane: u32, workload: Workload, total: u32) {
    if !st.go || st.next >= total || st.error.is_some() || cancel::requested() {
        return;
    }
    let msg = ToProcess::Task {
        task: st.next,
        lane,
        workload,
        sent: now_ms(),
        rounds_per_ms: crate::runs::work::rounds_per_ms(),
    };
    st.next += 1;
    let proc = &mut st.procs[lane as usize];
    proc.busy = true;
    if let Err(e) = proc.worker.post_message(&encode(&msg)) {
        st.error = Some(format!("could not send a task to process {}: {e:?}", lane + 1));
    }
}
// code-panel-end
