//! Real-run jobs: what the real-run widgets run, checked and bounded before anything runs,
//! so that no URL can hang a visitor's tab. The widgets' URL form is in [`crate::state`].

use crate::fib::fib_calls;
use crate::query::{Notice, Param};
use crate::trace::Strategy;
use serde::{Deserialize, Serialize};

/// Which real workload: the CPU-bound one or the I/O-bound one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Naive recursive fib.
    Fib,
    /// Simulated page fetches.
    Fetch,
}

impl RunKind {
    /// Both, in the order the page shows them.
    pub const ALL: [RunKind; 2] = [RunKind::Fib, RunKind::Fetch];

    /// The widget's name in URLs.
    pub fn key(self) -> &'static str {
        match self {
            RunKind::Fib => "fib",
            RunKind::Fetch => "fetch",
        }
    }

    /// What its tasks are called, for people.
    pub fn noun(self) -> &'static str {
        match self {
            RunKind::Fib => "tasks",
            RunKind::Fetch => "pages",
        }
    }

    /// Its numeric parameters.
    pub fn params(self) -> &'static [Param] {
        match self {
            RunKind::Fib => &FIB_PARAMS,
            RunKind::Fetch => &FETCH_PARAMS,
        }
    }
}

/// The two real workloads.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Workload {
    /// `tasks` calls of naive recursive fib(n): CPU-bound.
    Fib {
        /// Number of tasks.
        tasks: u32,
        /// Argument of each fib call.
        n: u32,
    },
    /// `tasks` simulated page fetches: a timer of `latency_ms` stands in for the network
    /// (there is none), then `parse_ms` of CPU work per page makes it mixed.
    Fetch {
        /// Number of pages.
        tasks: u32,
        /// Latency of each page (ms).
        latency_ms: f64,
        /// CPU "parse" cost of each page (ms); 0 for pure I/O.
        parse_ms: f64,
    },
}

impl Workload {
    /// Which of the two it is.
    pub fn kind(&self) -> RunKind {
        match self {
            Workload::Fib { .. } => RunKind::Fib,
            Workload::Fetch { .. } => RunKind::Fetch,
        }
    }

    /// What task `task` does, wherever it runs: every strategy's real run follows this
    /// one description (how it waits and takes the CPU is the strategy's own).
    pub fn task(&self, task: u32) -> TaskPlan {
        match *self {
            Workload::Fib { n, .. } => TaskPlan { wait_ms: 0.0, cpu: Some(Cpu::Fib(n)) },
            Workload::Fetch { latency_ms, parse_ms, .. } => TaskPlan {
                wait_ms: latency_ms,
                cpu: (parse_ms > 0.0).then_some(Cpu::Parse { ms: parse_ms, seed: task as u64 }),
            },
        }
    }

    /// Number of tasks.
    pub fn tasks(&self) -> u32 {
        match *self {
            Workload::Fib { tasks, .. } | Workload::Fetch { tasks, .. } => tasks,
        }
    }
}

/// One task of a real workload: first an I/O wait, then CPU work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaskPlan {
    /// Time waiting on (simulated) I/O, in ms; 0 for none.
    pub wait_ms: f64,
    /// The CPU work after the wait, if any.
    pub cpu: Option<Cpu>,
}

/// CPU work a task does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cpu {
    /// Naive recursive fib(n).
    Fib(u32),
    /// `ms` of busy "parsing", its checksum seeded with `seed`.
    Parse {
        /// How long (ms).
        ms: f64,
        /// The checksum's seed (the task's index).
        seed: u64,
    },
}

/// A checked request to run a workload with a strategy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// What to run.
    pub workload: Workload,
    /// How to run it.
    pub strategy: Strategy,
    /// Threads or processes to use: OS-level workers, which may outnumber the cores (see
    /// [`Job::threads_for`]).
    pub threads: u32,
    /// Most coroutines in flight at once (fetch only); `None` means all at once.
    pub limit: Option<u32>,
    /// The global lock's switch interval (ms): a thread computing under the lock lets it
    /// go this often when another is waiting, as CPython's `sys.setswitchinterval` says.
    /// (What a switch *costs* is the simulator's `switch_cost_ms`.) Scripts and the worker
    /// protocol call it `switch_ms`, as they always have; it may be left out.
    #[serde(rename = "switch_ms", default = "default_switch_interval_ms")]
    pub switch_interval_ms: f64,
    /// Processes only: start the workers and wait until every one is ready before the
    /// clock starts, as a pool started ahead of the work (and as threads' pool always is);
    /// `false` starts them inside the run. May be left out.
    #[serde(default)]
    pub pooled: bool,
    /// Coroutines with a `limit` only: the limit is a semaphore held around each page's
    /// request, one coroutine per page; `false` runs `limit` coroutines that each fetch and
    /// parse page after page, keeping their place through the parse. May be left out.
    #[serde(default)]
    pub semaphore: bool,
}

/// CPython's default switch interval (`sys.getswitchinterval()` is 0.005 s): the lock's
/// default here, for widgets and for jobs that do not say.
pub const SWITCH_INTERVAL_MS: f64 = 5.0;

fn default_switch_interval_ms() -> f64 {
    SWITCH_INTERVAL_MS
}

/// The lock's switch interval, shared by both workloads.
const SWITCH: Param =
    Param::real("switch", 1.0, 100.0, SWITCH_INTERVAL_MS, "the global lock's switch interval (ms), for gil");

/// Most threads or processes a fetch may use: threads waiting on I/O need no core.
pub const MAX_FETCH_THREADS: u32 = 64;

/// Most threads or processes per hardware thread a fib may use: beyond the cores they
/// take turns, which the timeline shows, and past this the turns only add noise.
pub const FIB_THREADS_PER_CORE: u32 = 4;

/// Parameters of the fib widget. `threads` is bounded at run time by the machine.
pub const FIB_PARAMS: [Param; 4] = [
    Param::whole("tasks", 1.0, 64.0, 16.0, "number of fib calls"),
    // fib(39) takes about 0.1 s in wasm on a 2020s laptop core: 16 of them, 1 to 3 s.
    Param::whole("n", 1.0, 42.0, 39.0, "argument of each naive fib(n); the total work is capped"),
    Param::whole(
        "threads",
        0.0,
        256.0,
        0.0,
        "threads or processes (0: one per hardware thread; at most 4 per)",
    ),
    SWITCH,
];

/// Parameters of the fetch widget.
pub const FETCH_PARAMS: [Param; 6] = [
    Param::whole("tasks", 1.0, 1000.0, 50.0, "number of simulated pages"),
    Param::real("latency", 1.0, 5000.0, 500.0, "latency of each page (ms)"),
    Param::real("parse", 0.0, 200.0, 0.0, "CPU cost to parse each page (ms)"),
    Param::whole("threads", 0.0, 64.0, 0.0, "threads or processes (0: one per hardware thread)"),
    Param::whole("limit", 0.0, 1000.0, 0.0, "most pages in flight for async (0: no limit)"),
    SWITCH,
];

/// Total fib calls one job may make: 64 tasks of fib(40), about 20 s of work on one
/// laptop core, so that even the slowest strategy ends in reasonable time.
pub const MAX_FIB_CALLS: u64 = 64 * (2 * 165_580_141 - 1);

/// The most CPU a fetch's parses may add up to (ms of one core), so that no URL asks for
/// minutes of computation (1,000 pages × 200 ms would be 200 s).
pub const MAX_PARSE_TOTAL_MS: f64 = 20_000.0;

/// The longest a run may take by [`Job::least_ms`]: past it the widget does not start the
/// run and says why (1,000 pages × 5 s one after another would be 83 minutes).
pub const MAX_RUN_MS: f64 = 120_000.0;

/// The longest parse each of `tasks` pages may have.
pub fn most_parse_ms(tasks: u32) -> f64 {
    MAX_PARSE_TOTAL_MS / tasks.max(1) as f64
}

/// The most tasks of fib(`n`) one job may run.
pub fn most_fib_tasks(n: u32) -> u32 {
    (MAX_FIB_CALLS / fib_calls(n)).clamp(1, u32::MAX as u64) as u32
}

impl Job {
    /// A tiny unmeasured job of the same strategy and workload kind, run before the first
    /// real run of a strategy on a page: the first pass through a strategy's code (promises
    /// and timers for coroutines, rayon's scope for threads) ran slower than later ones in
    /// every engine (WebKit: 16 × fib(27) under coroutines 34 ms the first time, 13 to 18
    /// after), which made whichever strategy a queue ran first look slow. One thread or
    /// lane: the page's pool has that many, so a rehearsal never starts a pool of its own
    /// (which a real run asking for more threads than the pool would then replace). `None`
    /// for processes: starting fresh workers is that strategy's own cost, measured in its
    /// runs.
    pub fn rehearsal(&self) -> Option<Job> {
        if self.strategy == Strategy::Processes {
            return None;
        }
        let workload = match self.workload {
            Workload::Fib { .. } => Workload::Fib { tasks: 4, n: 20 },
            Workload::Fetch { parse_ms, .. } => {
                Workload::Fetch { tasks: 4, latency_ms: 1.0, parse_ms: parse_ms.min(1.0) }
            }
        };
        Some(Job { workload, threads: 1, limit: self.limit.map(|_| 1), ..*self })
    }

    /// A lower bound of how long this job takes on `hardware_threads` (ms), for fetch:
    /// waits that cannot overlap come in rounds, and parses share the cores they may use.
    /// `None` for fib, whose work is bounded by [`MAX_FIB_CALLS`] instead.
    pub fn least_ms(&self, hardware_threads: u32) -> Option<f64> {
        let Workload::Fetch { tasks, latency_ms, parse_ms } = self.workload else { return None };
        let (n, workers) = (tasks as f64, self.threads.max(1) as f64);
        let hw = hardware_threads.max(1) as f64;
        let rounds = |k: f64| (n / k).ceil();
        Some(match self.strategy {
            Strategy::Sync => n * (latency_ms + parse_ms),
            Strategy::Async => {
                let waits = self.limit.map_or(latency_ms, |l| rounds(l.max(1) as f64) * latency_ms);
                waits.max(n * parse_ms)
            }
            Strategy::Threads | Strategy::Processes => {
                (rounds(workers) * latency_ms).max(n * parse_ms / workers.min(hw))
            }
            Strategy::Gil => (rounds(workers) * latency_ms).max(n * parse_ms),
        })
    }

    /// Why this job may not run on `hardware_threads` (it would take too long), if so.
    pub fn too_long(&self, hardware_threads: u32) -> Option<String> {
        let ms = self.least_ms(hardware_threads)?;
        (ms > MAX_RUN_MS).then(|| {
            format!(
                "{} would take at least {:.0} s, and one run may take {:.0} s at most: \
                 fewer pages, a shorter latency, more threads or coroutines",
                self.strategy.label(),
                ms / 1000.0,
                MAX_RUN_MS / 1000.0
            )
        })
    }

    /// The most threads (or processes) a `kind` job may use on a machine with
    /// `hardware_threads`.
    pub fn most_threads(kind: RunKind, hardware_threads: u32) -> u32 {
        match kind {
            RunKind::Fib => hardware_threads.max(1) * FIB_THREADS_PER_CORE,
            RunKind::Fetch => MAX_FETCH_THREADS,
        }
    }

    /// The threads (or processes) a `kind` job asking for `asked` gets on a machine with
    /// `hardware_threads`: 0 means one per hardware thread. Fetch may use up to
    /// [`MAX_FETCH_THREADS`] whatever the cores (a thread waiting on I/O needs none); fib up
    /// to [`FIB_THREADS_PER_CORE`] per hardware thread. A notice says when it gets fewer.
    pub fn threads_for(kind: RunKind, asked: u32, hardware_threads: u32, notices: &mut Vec<Notice>) -> u32 {
        let hw = hardware_threads.max(1);
        let most = Job::most_threads(kind, hw);
        if asked > most {
            let why = match kind {
                RunKind::Fib => {
                    format!("{FIB_THREADS_PER_CORE} per hardware thread, and this machine has {hw}")
                }
                RunKind::Fetch => "threads waiting on I/O need no core, but each is a Web Worker".to_string(),
            };
            notices.push(Notice(format!("threads={asked}: at most {most} here ({why}), using {most}")));
        }
        if asked == 0 {
            hw
        } else {
            asked.min(most)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_s_run_job_example_is_a_job() {
        let readme = include_str!("../../../README.md");
        let after = &readme[readme.find("<!-- run_job example -->").expect("the marker")..];
        let start = after.find("```json\n").expect("a json block") + "```json\n".len();
        let text = &after[start..start + after[start..].find("```").expect("its end")];
        let job: Job = serde_json::from_str(text).expect("the README's example parses as a Job");
        assert_eq!(job.workload, Workload::Fetch { tasks: 100, latency_ms: 200.0, parse_ms: 2.0 });
        assert_eq!(
            (job.strategy, job.threads, job.limit, job.switch_interval_ms),
            (Strategy::Async, 1, Some(10), 5.0)
        );
    }

    #[test]
    fn a_rehearsal_is_the_same_strategy_and_kind_and_small() {
        let fib = Job {
            workload: Workload::Fib { tasks: 64, n: 39 },
            strategy: Strategy::Gil,
            threads: 8,
            limit: None,
            switch_interval_ms: 2.0,
            pooled: false,
            semaphore: false,
        };
        let r = fib.rehearsal().expect("threads under the lock rehearse");
        assert_eq!((r.strategy, r.switch_interval_ms, r.workload.kind()), (Strategy::Gil, 2.0, RunKind::Fib));
        assert!(r.threads == 1 && r.workload.tasks() <= 4, "one thread: no pool of its own");
        let Workload::Fib { n, .. } = r.workload else { unreachable!() };
        assert!(n <= 20, "fib({n}) is not tiny");
        let fetch = Job {
            workload: Workload::Fetch { tasks: 1000, latency_ms: 5000.0, parse_ms: 200.0 },
            strategy: Strategy::Async,
            threads: 1,
            limit: Some(50),
            switch_interval_ms: SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        };
        let r = fetch.rehearsal().expect("coroutines rehearse");
        assert_eq!(r.workload, Workload::Fetch { tasks: 4, latency_ms: 1.0, parse_ms: 1.0 });
        assert_eq!(r.limit, Some(1));
        let processes = Job { strategy: Strategy::Processes, ..fetch };
        assert_eq!(processes.rehearsal(), None, "a process's start-up is its own cost");
    }

    use super::*;

    #[test]
    fn threads_may_outnumber_the_cores_within_bounds() {
        let mut n = Vec::new();
        assert_eq!(Job::threads_for(RunKind::Fib, 0, 4, &mut n), 4, "0: one per hardware thread");
        assert_eq!(Job::threads_for(RunKind::Fib, 8, 2, &mut n), 8, "oversubscribed fib time-slices");
        assert_eq!(Job::threads_for(RunKind::Fetch, 50, 2, &mut n), 50, "I/O threads need no core");
        assert!(n.is_empty());
        assert_eq!(Job::threads_for(RunKind::Fib, 64, 2, &mut n), 8);
        assert!(n[0].0.starts_with("threads=64"), "{n:?}");
        assert_eq!(Job::threads_for(RunKind::Fetch, 100, 2, &mut n), 64);
        assert_eq!(Job::threads_for(RunKind::Fib, 0, 0, &mut n), 1);
    }

    #[test]
    fn tasks_wait_then_compute() {
        let fib = Workload::Fib { tasks: 2, n: 30 };
        assert_eq!(fib.task(1), TaskPlan { wait_ms: 0.0, cpu: Some(Cpu::Fib(30)) });
        let io = Workload::Fetch { tasks: 3, latency_ms: 500.0, parse_ms: 0.0 };
        assert_eq!(io.task(2), TaskPlan { wait_ms: 500.0, cpu: None });
        let mixed = Workload::Fetch { tasks: 3, latency_ms: 500.0, parse_ms: 20.0 };
        assert_eq!(mixed.task(2).cpu, Some(Cpu::Parse { ms: 20.0, seed: 2 }));
    }

    #[test]
    fn fib_work_is_bounded() {
        for n in 1..=42 {
            let most = most_fib_tasks(n) as u64;
            assert!(most * fib_calls(n) <= MAX_FIB_CALLS || most == 1, "fib({n})");
        }
        assert_eq!(most_fib_tasks(40), 64);
        assert!(most_fib_tasks(42) < 64);
    }
}
