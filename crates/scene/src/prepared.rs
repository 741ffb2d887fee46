//! Data derived once from a trace: each task's loading and rendering spans, so that a
//! frame can tell what every tile shows at any instant without searching the lanes.

use crate::shape::text_width;
use cvp_model::{Phase, Trace};

/// What a tile shows at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TileState {
    /// Its task has not begun: an empty outline.
    NotStarted,
    /// Waiting for I/O; `progress` is the fraction of its loading time elapsed.
    Loading {
        /// 0 to 1.
        progress: f64,
    },
    /// Loaded (or, for CPU-only work, begun) but no CPU time spent on it yet.
    Waiting,
    /// Partly computed; `progress` is the fraction of its CPU time spent so far, which
    /// keeps growing across time slices.
    Rendering {
        /// 0 to 1.
        progress: f64,
        /// Whether it is on a CPU at this instant (rather than preempted or blocked).
        active: bool,
    },
    /// Its last segment has ended.
    Done,
}

/// A trace with the index the renderer needs, built once per trace rather than per frame.
///
/// Widgets keep one of these instead of the bare trace; [`crate::draw`] builds a throwaway
/// one from a `&Trace` for convenience.
#[derive(Clone, Debug)]
pub struct Prepared {
    trace: Trace,
    index: Index,
}

impl Prepared {
    /// Indexes a trace.
    pub fn new(trace: Trace) -> Self {
        let index = Index::new(&trace);
        Prepared { trace, index }
    }

    /// The trace it was built from.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// How many tiles the grid has: one per task record, or more if segments name tasks
    /// beyond the records (as a trace still being recorded may).
    pub fn task_count(&self) -> usize {
        self.index.tasks.len()
    }

    /// What task `task`'s tile shows at time `t` (ms).
    pub fn tile_state(&self, task: usize, t: f64) -> TileState {
        self.index.state(task, t)
    }

    /// The phases that occur in the trace, in legend order.
    pub fn phases(&self) -> &[Phase] {
        &self.index.phases
    }

    pub(crate) fn index(&self) -> &Index {
        &self.index
    }
}

impl From<Trace> for Prepared {
    fn from(trace: Trace) -> Self {
        Prepared::new(trace)
    }
}

/// The order phases are listed in: the life of a lane, start-up first.
pub(crate) const PHASE_ORDER: [Phase; 5] =
    [Phase::Starting, Phase::Loading, Phase::Rendering, Phase::Blocked, Phase::Handoff];

/// A phase's position in [`PHASE_ORDER`], for per-phase arrays.
pub(crate) fn phase_slot(phase: Phase) -> usize {
    match phase {
        Phase::Starting => 0,
        Phase::Loading => 1,
        Phase::Rendering => 2,
        Phase::Blocked => 3,
        Phase::Handoff => 4,
    }
}

/// Font size the Gantt lane labels are measured at.
pub(crate) const LABEL_SIZE: f64 = 11.0;

/// The derived data, without the trace, so that a bare `&Trace` can be drawn too.
#[derive(Clone, Debug)]
pub(crate) struct Index {
    pub tasks: Vec<TaskSpans>,
    /// Loading and rendering spans of all tasks, grouped by task (see `TaskSpans::spans`).
    spans: Vec<Span>,
    /// CPU-using segments `[start, end]`, for the live "CPU busy" figure.
    cpu: Vec<[f64; 2]>,
    /// Phases present, in [`PHASE_ORDER`].
    pub phases: Vec<Phase>,
    /// Number of segments of each phase, by [`phase_slot`]: capacity hints for the bars.
    pub phase_counts: [usize; 5],
    /// Width of the longest lane label at [`LABEL_SIZE`].
    pub label_width: f64,
}

#[derive(Clone, Debug)]
pub(crate) struct TaskSpans {
    /// When its first segment starts (+∞ if it has none yet).
    first: f64,
    /// When its last segment ends.
    last: f64,
    /// Total loading time.
    pub load: f64,
    /// Total rendering time.
    pub render: f64,
    /// Its range in `Index::spans`.
    spans: std::ops::Range<usize>,
}

#[derive(Clone, Copy, Debug)]
struct Span {
    rendering: bool,
    start: f64,
    end: f64,
}

impl Index {
    pub fn new(trace: &Trace) -> Self {
        let named = trace.segments().filter_map(|(_, s)| s.task).map(|t| t as usize + 1).max();
        let n = trace.tasks.len().max(named.unwrap_or(0));
        let mut tasks: Vec<TaskSpans> = (0..n)
            .map(|_| TaskSpans {
                first: f64::INFINITY,
                last: f64::NEG_INFINITY,
                load: 0.0,
                render: 0.0,
                spans: 0..0,
            })
            .collect();
        let mut phase_counts = [0; 5];
        let mut cpu = Vec::new();

        // Counting sort: count each task's spans, then place them, so that every task's
        // spans are contiguous without a Vec per task.
        let mut counts = vec![0usize; n + 1];
        for (_, s) in trace.segments() {
            phase_counts[phase_slot(s.phase)] += 1;
            if s.phase.uses_cpu() {
                cpu.push([s.start, s.end]);
            }
            let Some(task) = s.task else { continue };
            let ts = &mut tasks[task as usize];
            ts.first = ts.first.min(s.start);
            ts.last = ts.last.max(s.end);
            match s.phase {
                Phase::Loading => ts.load += s.duration(),
                Phase::Rendering => ts.render += s.duration(),
                _ => continue,
            }
            counts[task as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut spans = vec![Span { rendering: false, start: 0.0, end: 0.0 }; counts[n]];
        let mut next = counts.clone();
        for (_, s) in trace.segments() {
            let (Some(task), Phase::Loading | Phase::Rendering) = (s.task, s.phase) else { continue };
            let slot = &mut next[task as usize];
            spans[*slot] = Span { rendering: s.phase == Phase::Rendering, start: s.start, end: s.end };
            *slot += 1;
        }
        for (i, ts) in tasks.iter_mut().enumerate() {
            ts.spans = counts[i]..counts[i + 1];
            // A task known only by its record still gets a start and an end.
            if ts.first == f64::INFINITY {
                if let Some(rec) = trace.tasks.get(i) {
                    (ts.first, ts.last) = (rec.start, rec.end);
                }
            }
        }

        Index {
            tasks,
            spans,
            cpu,
            phases: PHASE_ORDER.into_iter().filter(|&p| phase_counts[phase_slot(p)] > 0).collect(),
            phase_counts,
            label_width: trace
                .lanes
                .iter()
                .map(|l| text_width(&l.label, LABEL_SIZE, false))
                .fold(0.0, f64::max),
        }
    }

    pub fn state(&self, task: usize, t: f64) -> TileState {
        let Some(ts) = self.tasks.get(task) else { return TileState::NotStarted };
        if t < ts.first {
            return TileState::NotStarted;
        }
        if t >= ts.last {
            return TileState::Done;
        }
        let (mut loaded, mut rendered, mut active) = (0.0, 0.0, false);
        for s in &self.spans[ts.spans.clone()] {
            let elapsed = (t.min(s.end) - s.start).max(0.0);
            if s.rendering {
                rendered += elapsed;
                active |= s.start <= t && t < s.end;
            } else {
                loaded += elapsed;
            }
        }
        if ts.load > 0.0 && loaded < ts.load {
            return TileState::Loading { progress: loaded / ts.load };
        }
        if rendered <= 0.0 {
            return TileState::Waiting;
        }
        TileState::Rendering { progress: (rendered / ts.render).min(1.0), active }
    }

    /// CPU time spent in `[0, t]`, over all lanes.
    pub fn cpu_time_until(&self, t: f64) -> f64 {
        // From +0.0: an empty f64 `sum()` is -0.0.
        self.cpu.iter().map(|[a, b]| (b.min(t) - a).max(0.0)).fold(0.0, |sum, d| sum + d)
    }
}
