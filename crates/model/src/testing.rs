//! Traces for tests, shared by every crate's tests (the `test-support` feature, which only
//! dev-dependencies turn on: nothing here reaches the site's wasm).
//!
//! A test writes the lanes it needs; [`from_lanes`] derives the task records from them and
//! checks the result is a well-formed trace, so a test never draws or measures a trace the
//! real code could not produce.

use crate::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};

/// A segment of task `task`.
pub fn seg(task: u32, phase: Phase, start: f64, end: f64) -> Segment {
    Segment { task: Some(task), phase, start, end }
}

/// A lane of `kind` holding `segments`.
pub fn lane(kind: LaneKind, label: &str, segments: Vec<Segment>) -> Lane {
    Lane { kind, label: label.into(), segments }
}

/// A trace of `lanes` run by `strategy` on `cores`: each task's record spans its segments
/// and names the lane of its first one. Panics unless the result is well-formed.
pub fn from_lanes(strategy: Strategy, cores: u32, lanes: Vec<Lane>) -> Trace {
    let mut t = Trace::new(strategy, cores);
    t.lanes = lanes;
    let n = t.segments().filter_map(|(_, s)| s.task).map(|i| i as usize + 1).max().unwrap_or(0);
    t.tasks = (0..n as u32)
        .map(|id| {
            let mine: Vec<_> = t.segments().filter(|(_, s)| s.task == Some(id)).collect();
            assert!(!mine.is_empty(), "task {id} has no segment: tasks are numbered from 0 without gaps");
            TaskRecord {
                id,
                lane: mine[0].0 as u32,
                start: mine.iter().map(|(_, s)| s.start).fold(f64::INFINITY, f64::min),
                end: mine.iter().map(|(_, s)| s.end).fold(0.0, f64::max),
                value: None,
            }
        })
        .collect();
    t.close();
    t.validate().expect("a well-formed trace");
    t
}

/// `lanes` threads, each alternating loading and rendering `per_lane` segments of
/// `segment_ms` (one task per pair), except lane 0, which stops after its first
/// `idle_after` segments when given: a chart dense enough to be drawn as a raster.
pub fn busy(lanes: u32, per_lane: u32, segment_ms: f64, idle_after: Option<u32>) -> Trace {
    let mut next = 0;
    let lanes: Vec<Lane> = (0..lanes)
        .map(|l| {
            let n = if l == 0 { idle_after.unwrap_or(per_lane) } else { per_lane };
            let segments = (0..n)
                .map(|k| {
                    let phase = if k % 2 == 0 { Phase::Loading } else { Phase::Rendering };
                    let start = k as f64 * segment_ms;
                    seg(next + k / 2, phase, start, start + segment_ms)
                })
                .collect();
            next += n.div_ceil(2);
            lane(LaneKind::Thread, &format!("thread {}", l + 1), segments)
        })
        .collect();
    let cores = lanes.len() as u32;
    from_lanes(Strategy::Threads, cores, lanes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_records_span_their_segments() {
        let t = from_lanes(
            Strategy::Threads,
            2,
            vec![
                lane(
                    LaneKind::Thread,
                    "a",
                    vec![seg(0, Phase::Loading, 0.0, 10.0), seg(0, Phase::Rendering, 10.0, 20.0)],
                ),
                lane(LaneKind::Thread, "b", vec![seg(1, Phase::Rendering, 5.0, 15.0)]),
            ],
        );
        let spans: Vec<_> = t.tasks.iter().map(|r| (r.id, r.lane, r.start, r.end)).collect();
        assert_eq!(spans, [(0, 0, 0.0, 20.0), (1, 1, 5.0, 15.0)]);
    }

    #[test]
    fn a_busy_chart_numbers_its_tasks_lane_after_lane() {
        let t = busy(3, 4, 50.0, Some(3));
        assert_eq!(t.tasks.len(), 2 + 2 + 2, "lane 0's three segments are two tasks, the last half done");
        assert_eq!((t.tasks[1].start, t.tasks[1].end), (100.0, 150.0));
        assert_eq!(t.tasks[2].lane, 1);
        assert_eq!(t.makespan, 200.0);
    }
}
