//! Telling the embedding page what was measured: one typed `cvp:result` message per run.

use cvp_model::job::{Job, RunKind};
use cvp_model::{Strategy, Trace};
use serde::Serialize;

/// `{type: "cvp:result", widget, strategy, tasks, threads, wallMs, taskMs}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultMessage {
    #[serde(rename = "type")]
    kind: &'static str,
    widget: &'static str,
    strategy: Strategy,
    tasks: usize,
    /// Threads or processes the run used (1 for the one-thread strategies).
    threads: u32,
    wall_ms: f64,
    /// Each task's working time: its I/O and CPU phases (see [`Trace::work_times`]).
    task_ms: Vec<f64>,
}

/// Posts a finished run to the page that embeds this one, if any. On the main page (not
/// framed) nothing is posted.
pub fn post_result(kind: RunKind, job: &Job, trace: &Trace) {
    let threads = match job.strategy {
        Strategy::Sync | Strategy::Async => 1,
        _ => job.threads,
    };
    crate::embedder::post(&ResultMessage {
        kind: "cvp:result",
        widget: kind.key(),
        strategy: job.strategy,
        tasks: trace.tasks.len(),
        threads,
        wall_ms: trace.makespan,
        task_ms: trace.work_times(),
    });
}
