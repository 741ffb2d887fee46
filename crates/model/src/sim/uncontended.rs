//! Pools in which nothing ever waits (unlimited cores, or no more threads than cores, and
//! no lock shared by several threads): every CPU phase starts the moment it is ready, so a
//! task is laid out in one go, and only the moments threads become free need ordering.
//! This is plain list scheduling: the next task goes to the thread free first (ties to
//! the lower lane).
//!
//! It gives the trace the general event loop of [`pool`](super::pool) would, except that
//! threads freed at the same instant always take tasks in lane order; it exists because
//! the ideal world (100,000 tasks, 100,000 threads) needs no event queue at all this way.

use super::events::Events;
use super::lanes::push;
use super::ms;
use crate::trace::{Phase, Trace};
use crate::workload::Task;

/// Fills `trace` (with its lanes and records already created) for a pool whose threads
/// each start in `startup` ms and pay `handoff` ms (CPU) before each task.
pub(super) fn run(tasks: &[Task], startup: f64, handoff: f64, trace: &mut Trace) {
    let lanes = trace.lanes.len();
    if lanes == 0 {
        return;
    }
    // At most one start-up and three phases per task (exact for the ideal world).
    let per_lane = 1 + 3 * tasks.len().div_ceil(lanes);
    for lane in &mut trace.lanes {
        lane.segments.reserve_exact(per_lane);
        push(&mut lane.segments, None, Phase::Starting, 0.0, startup);
    }
    // Every thread is free at `startup` at once, so the first round needs no queue: ties
    // go to the lower lane, and lane i takes task i.
    let mut free = Events::default();
    for lane in 0..lanes {
        let end = lay_out(tasks, lane, lane, startup, handoff, trace);
        if lanes < tasks.len() {
            free.push(end, 0, lane as u32);
        }
    }
    for id in lanes..tasks.len() {
        let Some(ev) = free.pop() else { unreachable!("every lane is queued") };
        let end = lay_out(tasks, ev.id() as usize, id, ev.time, handoff, trace);
        free.push(end, 0, ev.id());
    }
}

/// Runs task `id` on `lane` from `at` without waiting; returns when it ends.
fn lay_out(tasks: &[Task], lane: usize, id: usize, at: f64, handoff: f64, trace: &mut Trace) -> f64 {
    let task = &tasks[id];
    let segments = &mut trace.lanes[lane].segments;
    let tag = Some(id as u32);
    let loading = at + handoff;
    push(segments, tag, Phase::Handoff, at, loading);
    let rendering = loading + ms(task.load);
    push(segments, tag, Phase::Loading, loading, rendering);
    let end = rendering + ms(task.render);
    push(segments, tag, Phase::Rendering, rendering, end);
    let record = &mut trace.tasks[id];
    record.lane = lane as u32;
    record.start = at;
    record.end = end;
    end
}
