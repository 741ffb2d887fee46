//! Synchronous: one thread runs each task to the end before starting the next.

use super::lanes::{new_lanes, new_records, push};
use super::ms;
use crate::trace::{LaneKind, Phase, Strategy, Trace};
use crate::workload::Task;

/// One Main lane; the makespan is exactly the sum of every load and render.
pub(super) fn run(tasks: &[Task]) -> Trace {
    let mut trace = Trace::new(Strategy::Sync, 1);
    trace.lanes = new_lanes(LaneKind::Main, "main", 1);
    trace.lanes[0].label = "main thread".into();
    trace.tasks = new_records(tasks.len());
    let lane = &mut trace.lanes[0];
    lane.segments.reserve(2 * tasks.len());
    let mut now = 0.0;
    for (i, (task, record)) in tasks.iter().zip(&mut trace.tasks).enumerate() {
        let id = Some(i as u32);
        record.start = now;
        let loaded = now + ms(task.load);
        push(&mut lane.segments, id, Phase::Loading, now, loaded);
        let rendered = loaded + ms(task.render);
        push(&mut lane.segments, id, Phase::Rendering, loaded, rendered);
        now = rendered;
        record.end = now;
    }
    trace
}
