//! A results summary of any trace, simulated or measured.

use crate::trace::{Phase, Trace};
use serde::{Deserialize, Serialize};

/// The figures a results panel shows for one run. Times are ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Time from the start until the last segment ended.
    pub makespan: f64,
    /// Total Loading plus Rendering: what running the tasks one after another takes
    /// (Sync's makespan for the same workload).
    pub sequential: f64,
    /// `sequential / makespan` (1 for an empty run).
    pub speedup: f64,
    /// Total Loading time over all lanes (I/O waits).
    pub io_time: f64,
    /// Total Rendering time over all lanes (useful CPU work).
    pub render_time: f64,
    /// Total Starting and Handoff time: CPU spent on the strategy rather than the tasks.
    pub overhead_time: f64,
    /// Total Blocked time: lanes ready to compute but held back.
    pub blocked_time: f64,
    /// The trace's cores: what `cpu_utilisation` is relative to.
    pub cores: u32,
    /// Fraction of the cores' time spent computing (work and overhead), in [0, 1].
    pub cpu_utilisation: f64,
    /// Number of lanes.
    pub lanes: usize,
    /// Mean over lanes of the fraction of the makespan each spent not Blocked.
    pub lane_utilisation: f64,
    /// The most CPU segments that ran at one instant.
    pub max_cpu_overlap: usize,
    /// Mean task duration (start to end, waits included).
    pub mean_task_ms: f64,
    /// Longest task duration.
    pub max_task_ms: f64,
}

/// Summarises a trace (which should be closed: its makespan set).
pub fn stats(trace: &Trace) -> Stats {
    let mut by_phase = [0.0f64; 5];
    for (_, s) in trace.segments() {
        let i = match s.phase {
            Phase::Loading => 0,
            Phase::Rendering => 1,
            Phase::Starting => 2,
            Phase::Handoff => 3,
            Phase::Blocked => 4,
        };
        by_phase[i] += s.duration();
    }
    let [io_time, render_time, starting, handoff, blocked_time] = by_phase;
    let sequential = io_time + render_time;
    let lane_use = trace.lane_utilisation();
    let durations = trace.tasks.iter().map(|t| t.duration());
    Stats {
        makespan: trace.makespan,
        sequential,
        speedup: if trace.makespan > 0.0 { sequential / trace.makespan } else { 1.0 },
        io_time,
        render_time,
        overhead_time: starting + handoff,
        blocked_time,
        cores: trace.cores,
        cpu_utilisation: trace.cpu_utilisation(),
        lanes: trace.lanes.len(),
        lane_utilisation: mean(lane_use.iter().copied(), lane_use.len()),
        max_cpu_overlap: trace.max_cpu_overlap(),
        mean_task_ms: mean(durations.clone(), trace.tasks.len()),
        max_task_ms: durations.fold(0.0, f64::max),
    }
}

fn mean(xs: impl Iterator<Item = f64>, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        xs.sum::<f64>() / n as f64
    }
}
