//! A "process": a worker with its own wasm instance and memory that runs the tasks the
//! runner sends it, one at a time, and reports what it measured.

use crate::clock::now_ms;
use crate::runs::work;
use crate::worker::protocol::{decode, encode, FromProcess, ToProcess};
use cvp_model::record::{Span, TaskRun};
use cvp_model::Phase;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(msg: &FromProcess) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&encode(msg));
}

// code-panel: process
/// Serves tasks until the runner terminates this worker.
pub fn start() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match decode::<ToProcess>(event.data()) {
            Ok(ToProcess::Task { task, lane, workload, sent, rounds_per_ms }) => spawn_local(async move {
                work::set_rounds_per_ms(rounds_per_ms);
                let received = now_ms();
                let mut spans = vec![Span { phase: Phase::Handoff, start: sent, end: received.max(sent) }];
                let plan = workload.task(task);
                if plan.wait_ms > 0.0 {
                    TimeoutFuture::new(plan.wait_ms.round() as u32).await;
                    spans.push(Span { phase: Phase::Loading, start: received, end: now_ms() });
                }
                let value = plan.cpu.and_then(|cpu| {
                    let start = now_ms();
                    let value = work::compute(cpu);
                    spans.push(Span { phase: Phase::Rendering, start, end: now_ms() });
                    value
                });
                post(&FromProcess::Done { run: TaskRun { task, lane, spans, value } });
            }),
            Err(error) => post(&FromProcess::Failed { error }),
        }
    });
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromProcess::Ready);
}
// code-panel-end
