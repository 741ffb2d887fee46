//! Turning measurements into a trace: real runs note, per task, which lane ran which phase
//! when (on any clock), and [`Recording::into_trace`] makes the same [`Trace`] the
//! simulator makes, with times moved to start at the run's origin.

use crate::trace::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
use serde::{Deserialize, Serialize};

/// One measured phase of one task, on the recorder's clock (absolute ms).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// What the task was doing.
    pub phase: Phase,
    /// Start (absolute ms).
    pub start: f64,
    /// End (absolute ms).
    pub end: f64,
}

/// What one task did, as measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRun {
    /// Task index.
    pub task: u32,
    /// Lane key: a worker or thread number, a coroutine slot; any number, mapped to lanes
    /// in increasing order.
    pub lane: u32,
    /// Its phases in time order.
    pub spans: Vec<Span>,
    /// What it computed.
    pub value: Option<u64>,
}

/// Segments that belong to a lane but to no task, such as a worker's start-up.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaneSpan {
    /// Lane key, as in [`TaskRun::lane`].
    pub lane: u32,
    /// The segment (absolute ms).
    pub span: Span,
}

/// Everything a real run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// The strategy that ran.
    pub strategy: Strategy,
    /// What kind of lane its lane keys name.
    pub lane_kind: LaneKind,
    /// Cores the run could use.
    pub cores: u32,
    /// When the run started (absolute ms): time 0 of the trace.
    pub origin: f64,
    /// When the run ended (absolute ms), if later than its last segment (e.g. the cost of
    /// collecting results); `None` to end at the last segment.
    pub end: Option<f64>,
    /// Per-task measurements, in any order.
    pub tasks: Vec<TaskRun>,
    /// Per-lane overhead.
    pub lane_spans: Vec<LaneSpan>,
}

impl Recording {
    /// Builds the trace. Lanes are labelled by kind and number ("worker 1", ...). Tasks
    /// that never ran (a cancelled run) are left out of the trace's task list, which then
    /// holds the first `k` tasks that all ran, or as many records as ran, re-indexed.
    pub fn into_trace(mut self) -> Trace {
        let mut keys: Vec<u32> =
            self.tasks.iter().map(|t| t.lane).chain(self.lane_spans.iter().map(|l| l.lane)).collect();
        keys.sort_unstable();
        keys.dedup();
        let index_of = |key: u32| keys.binary_search(&key).expect("every key was collected") as u32;
        let noun = match self.lane_kind {
            LaneKind::Main => "main",
            LaneKind::Thread => "worker",
            LaneKind::Coroutine => "coroutine",
            LaneKind::Process => "process",
        };
        let mut trace = Trace::new(self.strategy, self.cores);
        trace.lanes = (0..keys.len())
            .map(|i| Lane {
                kind: self.lane_kind,
                label: if self.lane_kind == LaneKind::Main {
                    noun.to_string()
                } else {
                    format!("{noun} {}", i + 1)
                },
                segments: Vec::new(),
            })
            .collect();
        let origin = self.origin;
        let seg = |task: Option<u32>, s: &Span| Segment {
            task,
            phase: s.phase,
            start: (s.start - origin).max(0.0),
            end: (s.end - origin).max(0.0),
        };
        // Re-index tasks densely in task order so that records are indexed by id.
        self.tasks.sort_by_key(|t| t.task);
        for (id, run) in self.tasks.iter().enumerate() {
            let id = id as u32;
            let lane = index_of(run.lane);
            let segments: Vec<Segment> = run.spans.iter().map(|s| seg(Some(id), s)).collect();
            let start = segments.first().map_or(0.0, |s| s.start);
            let end = segments.last().map_or(start, |s| s.end);
            trace.lanes[lane as usize].segments.extend(segments);
            trace.tasks.push(TaskRecord { id, lane, start, end, value: run.value });
        }
        for l in &self.lane_spans {
            trace.lanes[index_of(l.lane) as usize].segments.push(seg(None, &l.span));
        }
        trace.lanes.iter_mut().for_each(Lane::put_in_order);
        trace.close();
        if let Some(end) = self.end {
            trace.makespan = trace.makespan.max(end - origin);
        }
        trace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(phase: Phase, start: f64, end: f64) -> Span {
        Span { phase, start, end }
    }

    #[test]
    fn recording_becomes_a_valid_trace_from_time_zero() {
        let rec = Recording {
            strategy: Strategy::Processes,
            lane_kind: LaneKind::Process,
            cores: 2,
            origin: 1000.0,
            end: Some(1100.0),
            tasks: vec![
                TaskRun {
                    task: 1,
                    lane: 7,
                    spans: vec![span(Phase::Rendering, 1040.0, 1090.0)],
                    value: Some(3),
                },
                TaskRun {
                    task: 0,
                    lane: 3,
                    spans: vec![span(Phase::Handoff, 1020.0, 1021.0), span(Phase::Rendering, 1021.0, 1060.0)],
                    value: Some(2),
                },
            ],
            lane_spans: vec![
                LaneSpan { lane: 3, span: span(Phase::Starting, 1000.0, 1020.0) },
                LaneSpan { lane: 7, span: span(Phase::Starting, 1000.0, 1030.0) },
            ],
        };
        let t = rec.into_trace();
        t.validate().unwrap();
        assert_eq!(t.lanes.len(), 2);
        assert_eq!(t.lanes[0].label, "process 1");
        assert_eq!(t.lanes[0].segments[0].phase, Phase::Starting);
        assert_eq!(t.tasks[0].lane, 0);
        assert_eq!(t.tasks[1].lane, 1);
        assert_eq!((t.tasks[0].start, t.tasks[0].end), (20.0, 60.0));
        assert_eq!(t.makespan, 100.0);
        assert_eq!(t.max_cpu_overlap(), 2);
    }

    #[test]
    fn slightly_disagreeing_clocks_never_overlap_a_lane() {
        let rec = Recording {
            strategy: Strategy::Threads,
            lane_kind: LaneKind::Thread,
            cores: 1,
            origin: 0.0,
            end: None,
            tasks: vec![
                TaskRun { task: 0, lane: 0, spans: vec![span(Phase::Rendering, 0.0, 10.0)], value: None },
                TaskRun { task: 1, lane: 0, spans: vec![span(Phase::Rendering, 9.999, 20.0)], value: None },
            ],
            lane_spans: vec![],
        };
        rec.into_trace().validate().unwrap();
    }
}
