//! The strategy simulator: runs a workload under a [`Strategy`] in simulated time and
//! returns the [`Trace`] a real run would have produced in an ideal, noise-free world.
//!
//! Everything is event-driven (binary heaps of timed events, never time stepping) and
//! deterministic: the same tasks and configuration always give the identical trace.
//!
//! | strategy | lanes | what limits it |
//! |---|---|---|
//! | [`Strategy::Sync`] | one [`LaneKind::Main`](crate::LaneKind::Main) | everything in order |
//! | [`Strategy::Async`] | one coroutine lane per slot | one thread: one render at a time |
//! | [`Strategy::Threads`] | one thread lane per pool thread | `cores`, time-sliced |
//! | [`Strategy::Processes`] | one process lane per worker | `cores`, plus start-up and hand-off |
//! | [`Strategy::Gil`] | one thread lane per pool thread | one global lock for rendering |
//!
//! Conventions shared by all strategies:
//! - negative or non-finite durations count as 0, and zero-length segments are never
//!   emitted (a task with no load has no Loading segment);
//! - a task's record starts when its lane takes it and ends when its last phase ends;
//! - switch costs ([`SimConfig::switch_cost_ms`]) are drawn as part of the incoming lane's
//!   Blocked wait: while the lock (or the coroutines' one thread) changes hands nobody
//!   computes, so it shows as waiting, not as work.

mod coroutines;
mod events;
mod lanes;
mod pool;
mod stats;
mod sync;
mod uncontended;

pub use stats::{stats, Stats};

use crate::trace::{Strategy, Trace};
use crate::workload::Task;

/// The default time slice (ms) when more threads want CPU than there are cores.
pub const DEFAULT_QUANTUM_MS: f64 = 100.0;

/// The most time slices one run is allowed to cut CPU work into.
///
/// Round-robin with a fixed quantum cuts `total CPU work / quantum` slices, each a
/// segment or two: 100,000 pixels of about a second on a 100 ms quantum would be over a
/// million, drawn as solid stripes anyway. A run that would exceed this budget has its
/// quantum lengthened to `total CPU work / SLICE_BUDGET`: sharing stays fair and round-robin,
/// the picture looks the same at any zoom the site offers, and the simulation stays
/// fast. Below about 8,000 pixels of the post's size (10,000 s of CPU work at 100 ms) the
/// configured [`SimConfig::quantum_ms`] is used exactly.
pub const SLICE_BUDGET: f64 = 100_000.0;

/// How to run a workload: the strategy and the machine it runs on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimConfig {
    /// The strategy.
    pub strategy: Strategy,
    /// Most lanes at once: the pool size for Threads, Processes and Gil, the most
    /// coroutines in flight (a semaphore) for Async. `None` is the ideal world: one lane
    /// per task. Ignored by Sync. `Some(0)` counts as 1.
    pub workers: Option<u32>,
    /// Async with `workers` only: the limit is a semaphore around each load, with one
    /// coroutine per task (see `coroutines.rs`), not `workers` coroutines each running
    /// whole tasks.
    pub semaphore: bool,
    /// CPU cores; `None` is as many as the run can use. Ignored by Sync and Async, which
    /// compute on one thread. `Some(0)` counts as 1.
    pub cores: Option<u32>,
    /// Cost (ms) of starting each thread (Threads, Gil) or process (Processes), drawn as a
    /// Starting segment that opens the lane and needs a core. Ignored by Sync and Async.
    pub startup_ms: f64,
    /// Processes only: CPU cost (ms) per task of sending it to its worker and getting the
    /// result back, drawn as one Handoff segment before the task's first phase.
    pub handoff_ms: f64,
    /// Cost (ms) each time the global lock (Gil) or the coroutines' one thread (Async)
    /// passes from its holder to a lane that was waiting for it. Nobody computes during
    /// the switch; it is drawn as the end of the waiting lane's Blocked segment. Taking a
    /// lock that is free costs nothing.
    pub switch_cost_ms: f64,
    /// Time slice (ms): a thread that has computed this long gives up its core when others
    /// wait for one (Threads, Processes, Gil) and, under Gil, gives up the lock when others
    /// wait for it (CPython's switch interval). Coroutines are never preempted. A value
    /// that is not positive and finite turns preemption off: CPU bursts run to the end.
    /// See [`SLICE_BUDGET`] for the one approximation on huge workloads.
    pub quantum_ms: f64,
}

impl SimConfig {
    /// The ideal world: unlimited lanes and cores, no start-up, hand-off or switch costs,
    /// and the default quantum.
    pub fn ideal(strategy: Strategy) -> Self {
        SimConfig {
            strategy,
            workers: None,
            semaphore: false,
            cores: None,
            startup_ms: 0.0,
            handoff_ms: 0.0,
            switch_cost_ms: 0.0,
            quantum_ms: DEFAULT_QUANTUM_MS,
        }
    }

    /// The ideal world with at most `workers` lanes at once.
    pub fn limited(strategy: Strategy, workers: u32) -> Self {
        SimConfig { workers: Some(workers), ..SimConfig::ideal(strategy) }
    }

    /// The same configuration with another strategy.
    pub fn with_strategy(self, strategy: Strategy) -> Self {
        SimConfig { strategy, ..self }
    }

    /// The same configuration with at most `workers` lanes (`None`: one per task).
    pub fn with_workers(self, workers: impl Into<Option<u32>>) -> Self {
        SimConfig { workers: workers.into(), ..self }
    }

    /// The same configuration with the coroutines' limit held around each load alone
    /// (`true`), or by that many coroutines running whole tasks (`false`).
    pub fn with_semaphore(self, semaphore: bool) -> Self {
        SimConfig { semaphore, ..self }
    }

    /// The same configuration on `cores` cores (`None`: as many as needed).
    pub fn with_cores(self, cores: impl Into<Option<u32>>) -> Self {
        SimConfig { cores: cores.into(), ..self }
    }

    /// The same configuration with a start-up cost per thread or process.
    pub fn with_startup_ms(self, ms: f64) -> Self {
        SimConfig { startup_ms: ms, ..self }
    }

    /// The same configuration with a hand-off cost per task (Processes).
    pub fn with_handoff_ms(self, ms: f64) -> Self {
        SimConfig { handoff_ms: ms, ..self }
    }

    /// The same configuration with a lock or coroutine switch cost.
    pub fn with_switch_cost_ms(self, ms: f64) -> Self {
        SimConfig { switch_cost_ms: ms, ..self }
    }

    /// The same configuration with another time slice.
    pub fn with_quantum_ms(self, ms: f64) -> Self {
        SimConfig { quantum_ms: ms, ..self }
    }
}

/// Runs `tasks` under `cfg` and returns the trace, closed (its makespan set) and valid.
///
/// The trace's `cores` is 1 for Sync and Async, `cfg.cores` when given, and otherwise the
/// number of lanes: the ideal world gives each thread or process a core of its own.
/// ([`Stats::max_cpu_overlap`] tells how many of them were ever busy at once.)
pub fn simulate(tasks: &[Task], cfg: &SimConfig) -> Trace {
    let mut trace = match cfg.strategy {
        Strategy::Sync => sync::run(tasks),
        Strategy::Async => coroutines::run(tasks, cfg),
        Strategy::Threads | Strategy::Processes | Strategy::Gil => pool::run(tasks, cfg),
    };
    trace.close();
    trace
}

/// A duration as the simulator uses it: negative, NaN and infinite values count as 0.
fn ms(d: f64) -> f64 {
    if d.is_finite() && d > 0.0 {
        d
    } else {
        0.0
    }
}

/// A lane count from a configured limit: `None` means one per task, 0 counts as 1.
fn lane_count(limit: Option<u32>, tasks: usize) -> usize {
    match limit {
        None => tasks,
        Some(w) => (w.max(1) as usize).min(tasks),
    }
}
