//! The trace: the one language shared by the simulator, the real runs and the renderer.
//!
//! A trace is a set of lanes (threads, coroutines, workers, processes), each holding timed
//! segments, plus one record per task. Times are milliseconds from the start of the run,
//! whether they were simulated or measured with `performance.now()`.

use serde::{Deserialize, Serialize};

/// How a workload was run. The names in `serde` are the ones URLs and messages use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// One task after another on one thread.
    Sync,
    /// Coroutines (futures / promises) on one thread.
    Async,
    /// A pool of threads sharing memory (rayon over Web Workers for real runs).
    Threads,
    /// Separate workers with separate memory, started for the run.
    Processes,
    /// Threads that must hold one global lock to compute, like CPython's GIL.
    Gil,
}

impl Strategy {
    /// Every strategy, in the order the site presents them.
    pub const ALL: [Strategy; 5] =
        [Strategy::Sync, Strategy::Async, Strategy::Threads, Strategy::Processes, Strategy::Gil];

    /// The name used in URLs and messages (`sync`, `async`, ...).
    pub fn key(self) -> &'static str {
        match self {
            Strategy::Sync => "sync",
            Strategy::Async => "async",
            Strategy::Threads => "threads",
            Strategy::Processes => "processes",
            Strategy::Gil => "gil",
        }
    }

    /// Parses a URL key; `None` for anything else.
    pub fn from_key(key: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.key() == key)
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Sync => "Synchronous",
            Strategy::Async => "Coroutines",
            Strategy::Threads => "Threads",
            Strategy::Processes => "Processes",
            Strategy::Gil => "Threads + global lock",
        }
    }
}

/// What a lane is doing during a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for I/O (a pixel's load, a page's latency): no CPU used.
    Loading,
    /// CPU work (a pixel's render, a fib call, a page's parse).
    Rendering,
    /// Starting a thread, worker or process: overhead paid before any task runs.
    Starting,
    /// Ready to compute but held back: waiting for a lock, a core, or its turn on the one
    /// thread a coroutine shares.
    Blocked,
    /// Handing a task or its result to another process (message passing).
    Handoff,
}

impl Phase {
    /// Whether the segment occupies a CPU core.
    pub fn uses_cpu(self) -> bool {
        matches!(self, Phase::Rendering | Phase::Starting | Phase::Handoff)
    }
}

/// One timed piece of a lane's life.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The task this segment serves; `None` for per-lane overhead such as start-up.
    pub task: Option<u32>,
    /// What the lane is doing.
    pub phase: Phase,
    /// Start, in ms from the start of the run.
    pub start: f64,
    /// End, in ms from the start of the run (`end >= start`).
    pub end: f64,
}

impl Segment {
    /// `end - start`.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// What executes a lane's segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    /// The one thread of a synchronous program.
    Main,
    /// An OS thread (a Web Worker sharing memory, for real runs).
    Thread,
    /// A coroutine multiplexed on one thread.
    Coroutine,
    /// A process (a Web Worker with its own memory, for real runs).
    Process,
}

impl LaneKind {
    /// Every kind of lane.
    pub const ALL: [LaneKind; 4] = [LaneKind::Main, LaneKind::Thread, LaneKind::Coroutine, LaneKind::Process];

    /// Its name in exports (`lane_kind` in a Chrome trace's `thread_name` event).
    pub fn key(self) -> &'static str {
        match self {
            LaneKind::Main => "main",
            LaneKind::Thread => "thread",
            LaneKind::Coroutine => "coroutine",
            LaneKind::Process => "process",
        }
    }

    /// Parses a key; `None` for anything else.
    pub fn from_key(key: &str) -> Option<LaneKind> {
        LaneKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// A thread, coroutine or process, and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// What executes this lane.
    pub kind: LaneKind,
    /// A short label such as "worker 2".
    pub label: String,
    /// Segments in time order, never overlapping.
    pub segments: Vec<Segment>,
}

impl Lane {
    /// Sorts a recorded lane's segments by start and makes them follow one another:
    /// clocks of different threads can disagree by a few microseconds, so a segment
    /// recorded on one may start before the previous one, recorded on another, ended.
    /// Real runs call this; simulated lanes are built in order.
    pub fn put_in_order(&mut self) {
        self.segments.sort_by(|a, b| a.start.total_cmp(&b.start));
        for i in 1..self.segments.len() {
            let prev_end = self.segments[i - 1].end;
            let s = &mut self.segments[i];
            s.start = s.start.max(prev_end);
            s.end = s.end.max(s.start);
        }
    }
}

/// A task's summary: where it ran and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// The task's index in the workload.
    pub id: u32,
    /// The lane that ran it.
    pub lane: u32,
    /// When its first segment started (ms).
    pub start: f64,
    /// When its last segment ended (ms).
    pub end: f64,
    /// The task's result (fib's value, a page's size), when it computes one.
    pub value: Option<u64>,
}

impl TaskRecord {
    /// `end - start`: the task's measured duration, waits included.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// A run, simulated or real.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The strategy that produced it.
    pub strategy: Strategy,
    /// CPU cores available to the run (what the "CPU busy" figure is relative to).
    pub cores: u32,
    /// Lanes, in display order.
    pub lanes: Vec<Lane>,
    /// One record per task, indexed by task id.
    pub tasks: Vec<TaskRecord>,
    /// Time from the start of the run until its last segment ended (ms).
    pub makespan: f64,
}

impl Trace {
    /// How long starting the run's workers took: from the first Starting segment's start to
    /// the last one's end; `None` when the run started none.
    pub fn startup_ms(&self) -> Option<f64> {
        let starting = self.segments().filter(|(_, s)| s.phase == Phase::Starting);
        let (first, last) =
            starting.fold((f64::INFINITY, 0.0f64), |(a, b), (_, s)| (a.min(s.start), b.max(s.end)));
        (last > 0.0).then(|| last - first.min(last))
    }
    /// An empty trace to which lanes are added.
    pub fn new(strategy: Strategy, cores: u32) -> Self {
        Trace { strategy, cores: cores.max(1), lanes: Vec::new(), tasks: Vec::new(), makespan: 0.0 }
    }

    /// All segments with their lane index.
    pub fn segments(&self) -> impl Iterator<Item = (usize, &Segment)> {
        self.lanes.iter().enumerate().flat_map(|(i, l)| l.segments.iter().map(move |s| (i, s)))
    }

    /// Sets `makespan` to the end of the last segment.
    pub fn close(&mut self) {
        self.makespan = self.segments().map(|(_, s)| s.end).fold(0.0, f64::max);
    }

    /// Total CPU time (ms) over all lanes.
    pub fn cpu_time(&self) -> f64 {
        // A fold from +0.0: an empty f64 `sum()` is -0.0, which prints as "-0%".
        self.segments().filter(|(_, s)| s.phase.uses_cpu()).map(|(_, s)| s.duration()).fold(0.0, |a, d| a + d)
    }

    /// Each task's working time (ms): its I/O and CPU phases, without the time it spent
    /// waiting for its turn, a lock, a start-up or a hand-off. Indexed by task id.
    pub fn work_times(&self) -> Vec<f64> {
        let mut ms = vec![0.0; self.tasks.len()];
        for (_, s) in self.segments() {
            if let (Some(task), Phase::Loading | Phase::Rendering) = (s.task, s.phase) {
                if let Some(slot) = ms.get_mut(task as usize) {
                    *slot += s.duration();
                }
            }
        }
        ms
    }

    /// Fraction of the cores' time spent computing, in [0, 1].
    pub fn cpu_utilisation(&self) -> f64 {
        if self.makespan <= 0.0 {
            return 0.0;
        }
        (self.cpu_time() / (self.makespan * self.cores as f64)).min(1.0)
    }

    /// For each lane, the fraction of the makespan it spent doing anything but waiting for
    /// its turn (loading, computing, starting, handing off).
    pub fn lane_utilisation(&self) -> Vec<f64> {
        self.lanes
            .iter()
            .map(|l| {
                if self.makespan <= 0.0 {
                    return 0.0;
                }
                let busy: f64 =
                    l.segments.iter().filter(|s| s.phase != Phase::Blocked).map(Segment::duration).sum();
                busy / self.makespan
            })
            .collect()
    }

    /// The largest number of segments satisfying `pred` that overlap at one instant.
    ///
    /// Touching segments (one ends exactly when the next starts) do not overlap.
    pub fn max_overlap(&self, pred: impl Fn(&Segment) -> bool) -> usize {
        let mut events: Vec<(f64, i32)> = Vec::new();
        for (_, s) in self.segments().filter(|(_, s)| pred(s) && s.end > s.start) {
            events.push((s.start, 1));
            events.push((s.end, -1));
        }
        // Ends sort before starts at the same instant.
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut now, mut most) = (0i32, 0i32);
        for (_, d) in events {
            now += d;
            most = most.max(now);
        }
        most as usize
    }

    /// The largest number of CPU segments running at one instant.
    pub fn max_cpu_overlap(&self) -> usize {
        self.max_overlap(|s| s.phase.uses_cpu())
    }

    /// Checks the rules every trace obeys, simulated or measured: segments well-formed and
    /// in order within each lane, task records pointing at real lanes, makespan covering all.
    pub fn validate(&self) -> Result<(), String> {
        const EPS: f64 = 1e-6;
        for (li, lane) in self.lanes.iter().enumerate() {
            let mut prev_end = f64::NEG_INFINITY;
            for s in &lane.segments {
                if !(s.start.is_finite() && s.end.is_finite()) || s.start < -EPS || s.end + EPS < s.start {
                    return Err(format!("lane {li}: bad segment {s:?}"));
                }
                if s.start + EPS < prev_end {
                    return Err(format!("lane {li}: segment {s:?} overlaps the one before"));
                }
                if s.end > self.makespan + EPS {
                    return Err(format!("lane {li}: segment {s:?} ends after the makespan"));
                }
                if let Some(t) = s.task {
                    if t as usize >= self.tasks.len() {
                        return Err(format!("lane {li}: segment names unknown task {t}"));
                    }
                }
                prev_end = s.end;
            }
        }
        for (i, t) in self.tasks.iter().enumerate() {
            if t.id as usize != i {
                return Err(format!("task record {i} has id {}", t.id));
            }
            if t.lane as usize >= self.lanes.len() {
                return Err(format!("task {i} names unknown lane {}", t.lane));
            }
            if t.end + EPS < t.start {
                return Err(format!("task {i} ends before it starts"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_lanes, lane, seg};

    #[test]
    fn a_recorded_lane_is_put_in_order_without_overlaps() {
        // Recorded out of order, and the third segment's clock ran 0.5 ms behind.
        let mut lane = Lane {
            kind: LaneKind::Thread,
            label: "a".into(),
            segments: vec![
                seg(2, Phase::Rendering, 19.5, 30.0),
                seg(0, Phase::Loading, 0.0, 10.0),
                seg(1, Phase::Rendering, 10.0, 20.0),
                seg(3, Phase::Rendering, 30.0, 30.2),
            ],
        };
        lane.put_in_order();
        let spans: Vec<_> = lane.segments.iter().map(|s| (s.task, s.start, s.end)).collect();
        assert_eq!(
            spans,
            [(Some(0), 0.0, 10.0), (Some(1), 10.0, 20.0), (Some(2), 20.0, 30.0), (Some(3), 30.0, 30.2)]
        );
    }

    fn two_lanes() -> Trace {
        from_lanes(
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
        )
    }

    #[test]
    fn work_times_leave_out_waiting_for_a_turn() {
        let mut t = two_lanes();
        t.lanes[1].segments.insert(0, seg(1, Phase::Blocked, 0.0, 5.0));
        t.lanes[1].segments.push(seg(1, Phase::Handoff, 15.0, 16.0));
        assert_eq!(t.work_times(), [20.0, 10.0]);
    }

    #[test]
    fn strategy_keys_round_trip() {
        for s in Strategy::ALL {
            assert_eq!(Strategy::from_key(s.key()), Some(s));
        }
        assert_eq!(Strategy::from_key("fork"), None);
        for k in LaneKind::ALL {
            assert_eq!(LaneKind::from_key(k.key()), Some(k));
        }
        assert_eq!(LaneKind::from_key("fiber"), None);
        assert_eq!(serde_json::to_string(&Strategy::Gil).unwrap(), "\"gil\"");
    }

    #[test]
    fn utilisation_and_overlap() {
        let t = two_lanes();
        assert_eq!(t.makespan, 20.0);
        assert_eq!(t.cpu_time(), 20.0);
        assert!((t.cpu_utilisation() - 0.5).abs() < 1e-12);
        assert_eq!(t.max_cpu_overlap(), 2);
        assert_eq!(t.lane_utilisation(), vec![1.0, 0.5]);
        assert!(t.validate().is_ok());
    }

    #[test]
    fn touching_segments_do_not_overlap() {
        let mut t = two_lanes();
        t.lanes[1].segments[0] = seg(1, Phase::Rendering, 20.0, 25.0);
        t.lanes[0].segments[1] = seg(0, Phase::Rendering, 10.0, 20.0);
        t.close();
        assert_eq!(t.max_cpu_overlap(), 1);
    }

    #[test]
    fn validate_catches_overlapping_segments_and_bad_lanes() {
        let mut t = two_lanes();
        t.lanes[0].segments[1].start = 5.0;
        assert!(t.validate().unwrap_err().contains("overlaps"));
        let mut t = two_lanes();
        t.tasks[1].lane = 7;
        assert!(t.validate().unwrap_err().contains("unknown lane"));
    }

    #[test]
    fn trace_round_trips_through_json() {
        let t = two_lanes();
        let json = serde_json::to_string(&t).unwrap();
        let back: Trace = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
}
