//! Comparing strategies on one machine: the jobs a button queues, one after another, and
//! the results kept for the table and the speedup chart. A small state machine, so that
//! the real-run widget only forwards clicks and run events to it.

use crate::job::Job;
use crate::machine::Capabilities;
use crate::trace::{Strategy, Trace};
use std::collections::{BTreeMap, VecDeque};

/// What a button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The strategy chosen in the form.
    Selected,
    /// Every strategy this page can run, in turn.
    Every,
    /// Threads with 1, 2, ... up to the pool's size, for the speedup chart.
    Scale,
}

/// Why a job was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A row of the table.
    Compare,
    /// A point of the speedup chart (and a row of the table).
    Scale,
}

/// Jobs waiting to run, in order. The runner runs one at a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Queue {
    pending: VecDeque<(Job, Purpose)>,
    started: u64,
}

impl Queue {
    /// Replaces what is waiting with the jobs `plan` asks for, built from `job`, in a
    /// browser that can run what `machine` says, on its hardware threads and pool. A job
    /// that would take too long ([`Job::too_long`]) is not queued. Returns why each
    /// strategy of `Every` was left out for taking too long, or why nothing can run.
    pub fn plan(&mut self, plan: Plan, job: Job, machine: &Capabilities) -> Result<Vec<String>, String> {
        let too_long = |j: &Job| j.too_long(machine.hardware_threads);
        let jobs: Vec<(Job, Purpose)> = match plan {
            Plan::Selected => match machine.unavailable(job.strategy).or_else(|| too_long(&job)) {
                Some(why) => return Err(format!("{} cannot run here: {why}", job.strategy.label())),
                None => vec![(job, Purpose::Compare)],
            },
            Plan::Every => Strategy::ALL
                .into_iter()
                .filter(|s| machine.unavailable(*s).is_none())
                .map(|strategy| (Job { strategy, ..job }, Purpose::Compare))
                .collect(),
            Plan::Scale => {
                let one = Job { strategy: Strategy::Threads, threads: 1, ..job };
                if let Some(why) = machine.unavailable(Strategy::Threads).or_else(|| too_long(&one)) {
                    return Err(format!("Cannot measure thread scaling: {why}"));
                }
                (1..=machine.pool_threads.max(1))
                    .map(|threads| (Job { strategy: Strategy::Threads, threads, ..job }, Purpose::Scale))
                    .collect()
            }
        };
        let (jobs, left_out): (Vec<_>, Vec<_>) = jobs.into_iter().partition(|(j, _)| too_long(j).is_none());
        if jobs.is_empty() {
            return Err(left_out
                .first()
                .and_then(|(j, _)| too_long(j))
                .unwrap_or_else(|| "nothing can run here".into()));
        }
        self.pending = jobs.into();
        Ok(left_out.iter().filter_map(|(j, _)| too_long(j)).collect())
    }

    /// The next job to start, counted as started.
    pub fn start_next(&mut self) -> Option<(Job, Purpose)> {
        let next = self.pending.pop_front()?;
        self.started += 1;
        Some(next)
    }

    /// Drops what is waiting (a cancel, a failure).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Jobs started so far: tells a finished run's deferred work whether another run began
    /// meanwhile.
    pub fn started(&self) -> u64 {
        self.started
    }

    /// Jobs still waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// What starting a strategy's threads or processes cost, and whether the run's time holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Startup {
    /// Nothing to start: the one thread that runs it was already running.
    None,
    /// Workers started for this run (the slowest took this many ms): inside its time.
    InRun(f64),
    /// The page's pool, started once before the first run (in this many ms): outside every
    /// run.
    Pool(f64),
    /// A pool kept from an earlier run of the same size: started then, outside this run.
    Reused,
    /// Processes started for this run but before its clock (pooled): outside its time.
    BeforeClock,
}

/// The page's own thread pool: its size and what starting it cost (ms).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PagePool {
    /// Threads in it (0: none).
    pub threads: u32,
    /// Its start-up, once, before the first run (ms).
    pub startup_ms: f64,
}

impl Startup {
    /// What a run of `job` that produced `trace` paid to start, on a page with `pool`.
    pub fn of(job: &Job, trace: &Trace, pool: PagePool) -> Startup {
        if let Some(ms) = trace.startup_ms() {
            return Startup::InRun(ms);
        }
        match job.strategy {
            Strategy::Processes if job.pooled => Startup::BeforeClock,
            Strategy::Sync | Strategy::Async => Startup::None,
            Strategy::Threads | Strategy::Gil if job.threads <= pool.threads => {
                Startup::Pool(pool.startup_ms)
            }
            _ => Startup::Reused,
        }
    }
}

/// What the table shows of one strategy's run. (The trace itself goes to the timeline; a
/// copy of a 1,000-lane trace costs the page more than the table needs.)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The job that ran.
    pub job: Job,
    /// Its wall time (ms).
    pub makespan: f64,
    /// Lanes its timeline has.
    pub lanes: usize,
    /// Fraction of the cores' time spent computing.
    pub cpu: f64,
    /// What starting its workers cost.
    pub startup: Startup,
}

/// One row of the results table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// Which strategy.
    pub strategy: Strategy,
    /// Its run.
    pub outcome: Outcome,
    /// The synchronous run's time over this one's, once sync has run.
    pub speedup: Option<f64>,
}

/// The most `threads` can speed up `tasks` equal, independent tasks: the thread that gets
/// the most tasks, ⌈tasks / threads⌉ of them, finishes last. With 16 tasks, 3 threads give at
/// most 16 / 6 = 2.67 times the speed, and 16 threads or more 16 times. (Amdahl's law is
/// about a serial part; these tasks have none, so their bound is the division.)
pub fn best_speedup(tasks: u32, threads: u32) -> f64 {
    let (tasks, threads) = (tasks.max(1), threads.max(1));
    tasks as f64 / tasks.div_ceil(threads) as f64
}

/// Finished runs of one workload: the table's rows, each strategy's latest trace for the
/// timelines, and the scaling chart's points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    by_strategy: BTreeMap<Strategy, Outcome>,
    /// The latest measured trace of each strategy in `by_strategy`.
    traces: BTreeMap<Strategy, Trace>,
    /// Wall time (ms) with each thread count.
    scaling: BTreeMap<u32, f64>,
    /// Tasks of the job those times are for.
    scaling_tasks: Option<u32>,
    /// Every time measured of each strategy's latest job, repeats included: how far apart
    /// they came is the noise a forecast's miss must exceed to be worth a sentence.
    repeats: BTreeMap<Strategy, Vec<f64>>,
}

impl Results {
    /// Keeps a finished run. A run of another workload makes the old rows incomparable,
    /// so they go.
    pub fn record(&mut self, job: Job, purpose: Purpose, trace: &Trace, pool: PagePool) {
        if self.by_strategy.values().any(|o| o.job.workload != job.workload) {
            self.by_strategy.clear();
            self.traces.clear();
            self.repeats.clear();
        }
        if self.by_strategy.get(&job.strategy).is_some_and(|o| o.job != job) {
            self.repeats.remove(&job.strategy);
        }
        self.repeats.entry(job.strategy).or_default().push(trace.makespan);
        if purpose == Purpose::Scale {
            self.scaling.insert(job.threads, trace.makespan);
            self.scaling_tasks = Some(job.workload.tasks());
        }
        let outcome = Outcome {
            job,
            makespan: trace.makespan,
            lanes: trace.lanes.len(),
            cpu: trace.cpu_utilisation(),
            startup: Startup::of(&job, trace, pool),
        };
        self.by_strategy.insert(job.strategy, outcome);
        self.traces.insert(job.strategy, trace.clone());
    }

    /// Each strategy's latest run, with its trace, in the site's strategy order.
    pub fn runs(&self) -> impl Iterator<Item = (Job, &Trace)> {
        self.by_strategy.iter().map(|(s, o)| (o.job, &self.traces[s]))
    }

    /// How far apart repeat runs of `strategy`'s latest job came
    /// ([`crate::forecast::spread`]); 0 before a repeat.
    pub fn noise(&self, strategy: Strategy) -> f64 {
        self.repeats.get(&strategy).map_or(0.0, |t| crate::forecast::spread(t))
    }

    /// Forgets the scaling points (a new measurement starts).
    pub fn start_scaling(&mut self) {
        self.scaling.clear();
    }

    /// The table's rows, in the site's strategy order.
    pub fn rows(&self) -> Vec<Row> {
        let base = self.by_strategy.get(&Strategy::Sync).map(|o| o.makespan);
        self.by_strategy
            .iter()
            .map(|(&strategy, &outcome)| Row {
                strategy,
                outcome,
                speedup: base.map(|b| b / outcome.makespan.max(1e-9)),
            })
            .collect()
    }

    /// Tasks of the job the thread counts were measured on, once one was.
    pub fn scaling_tasks(&self) -> Option<u32> {
        self.scaling_tasks
    }

    /// The speedup over one thread at each thread count measured, once one thread has run.
    pub fn speedups(&self) -> Vec<(u32, f64)> {
        let Some(&one) = self.scaling.get(&1) else { return Vec::new() };
        self.scaling.iter().map(|(&p, &ms)| (p, one / ms.max(1e-9))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Workload;

    const FIB: Workload = Workload::Fib { tasks: 4, n: 20 };

    fn job(strategy: Strategy) -> Job {
        Job {
            workload: FIB,
            strategy,
            threads: 4,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        }
    }

    const POOL: PagePool = PagePool { threads: 4, startup_ms: 120.0 };

    /// Four hardware threads and a pool of `pool_threads`; none means a page that is not
    /// cross-origin isolated.
    fn machine(pool_threads: u32) -> Capabilities {
        let isolated = pool_threads > 0;
        Capabilities {
            isolated,
            shared_memory: isolated,
            hardware_threads: 4,
            pool_threads,
            ..Capabilities::none()
        }
    }

    fn trace(ms: f64, lanes: usize) -> Trace {
        let mut t = Trace::new(Strategy::Sync, 2);
        t.makespan = ms;
        t.lanes =
            vec![crate::Lane { kind: crate::LaneKind::Main, label: "main".into(), segments: vec![] }; lanes];
        t
    }

    #[test]
    fn noise_is_the_spread_of_repeats_of_one_job() {
        let mut r = Results::default();
        let pool = PagePool { threads: 4, startup_ms: 0.0 };
        r.record(job(Strategy::Sync), Purpose::Compare, &trace(100.0, 1), pool);
        assert_eq!(r.noise(Strategy::Sync), 0.0, "one run shows no noise");
        r.record(job(Strategy::Sync), Purpose::Compare, &trace(125.0, 1), pool);
        assert!((r.noise(Strategy::Sync) - 0.25).abs() < 1e-12);
        // Another job of the same strategy starts afresh: its times are not repeats.
        r.record(Job { threads: 2, ..job(Strategy::Sync) }, Purpose::Compare, &trace(300.0, 1), pool);
        assert_eq!(r.noise(Strategy::Sync), 0.0);
        assert_eq!(r.noise(Strategy::Threads), 0.0);
    }

    #[test]
    fn the_best_speedup_of_equal_tasks_is_set_by_the_busiest_thread() {
        assert_eq!(best_speedup(16, 1), 1.0);
        assert_eq!(best_speedup(16, 2), 2.0);
        assert!((best_speedup(16, 3) - 16.0 / 6.0).abs() < 1e-12, "one thread runs 6 of the 16");
        assert_eq!(best_speedup(16, 16), 16.0);
        assert_eq!(best_speedup(16, 40), 16.0, "no more than one task per thread");
        assert_eq!(best_speedup(0, 0), 1.0);
    }

    #[test]
    fn every_plans_only_what_can_run_and_runs_in_order() {
        let mut q = Queue::default();
        assert_eq!(q.plan(Plan::Every, job(Strategy::Sync), &machine(4)), Ok(vec![]));
        assert_eq!(q.len(), 5);
        assert_eq!(q.plan(Plan::Every, job(Strategy::Sync), &machine(0)), Ok(vec![]));
        assert_eq!(q.len(), 3, "replaces, never appends");
        let order: Vec<Strategy> = std::iter::from_fn(|| q.start_next()).map(|(j, _)| j.strategy).collect();
        assert_eq!(order, [Strategy::Sync, Strategy::Async, Strategy::Processes]);
        assert_eq!((q.started(), q.is_empty()), (3, true));
    }

    #[test]
    fn scale_needs_the_pool_and_counts_up_to_it() {
        let mut q = Queue::default();
        assert!(q
            .plan(Plan::Scale, job(Strategy::Sync), &machine(0))
            .unwrap_err()
            .contains("not cross-origin isolated"));
        assert_eq!(q.plan(Plan::Scale, job(Strategy::Sync), &machine(3)), Ok(vec![]));
        let jobs: Vec<(u32, Strategy, Purpose)> =
            std::iter::from_fn(|| q.start_next()).map(|(j, p)| (j.threads, j.strategy, p)).collect();
        assert_eq!(jobs, (1..=3).map(|t| (t, Strategy::Threads, Purpose::Scale)).collect::<Vec<_>>());
    }

    #[test]
    fn selected_refuses_what_cannot_run_and_clear_empties() {
        let mut q = Queue::default();
        assert!(q.plan(Plan::Selected, job(Strategy::Gil), &machine(0)).is_err());
        assert_eq!(q.plan(Plan::Selected, job(Strategy::Processes), &machine(0)), Ok(vec![]));
        assert_eq!(q.len(), 1);
        q.clear();
        assert_eq!((q.start_next(), q.len()), (None, 0));
    }

    #[test]
    fn runs_that_would_take_too_long_are_refused_and_said() {
        // 1,000 pages × 5 s: 83 minutes one after another, 5 s all at once.
        let pages = Job {
            workload: Workload::Fetch { tasks: 1000, latency_ms: 5000.0, parse_ms: 0.0 },
            ..job(Strategy::Sync)
        };
        let mut q = Queue::default();
        let err = q.plan(Plan::Selected, pages, &machine(4)).unwrap_err();
        assert!(err.contains("at least 5000 s"), "{err}");
        let left_out = q.plan(Plan::Every, pages, &machine(4)).unwrap();
        let queued: Vec<Strategy> = std::iter::from_fn(|| q.start_next()).map(|(j, _)| j.strategy).collect();
        assert_eq!(queued, [Strategy::Async], "only coroutines wait for all 1,000 at once");
        assert_eq!(left_out.len(), 4, "{left_out:?}");
        assert!(q.plan(Plan::Scale, pages, &machine(4)).is_err());
    }

    #[test]
    fn every_planned_fetch_fits_the_bound() {
        // Whatever the sizes, a queued fetch's lower bound is within MAX_RUN_MS.
        for tasks in [1, 10, 100, 1000] {
            for latency_ms in [1.0, 500.0, 5000.0] {
                for parse_ms in [0.0, 20.0] {
                    for threads in [1, 2, 6, 64] {
                        let w = Workload::Fetch { tasks, latency_ms, parse_ms };
                        let base = Job { workload: w, threads, limit: Some(8), ..job(Strategy::Sync) };
                        let mut q = Queue::default();
                        let _ = q.plan(Plan::Every, base, &machine(2));
                        while let Some((j, _)) = q.start_next() {
                            assert!(j.least_ms(4).unwrap() <= crate::job::MAX_RUN_MS, "{j:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn results_compare_against_sync_and_reset_on_a_new_workload() {
        let mut r = Results::default();
        r.record(job(Strategy::Threads), Purpose::Compare, &trace(250.0, 4), POOL);
        assert_eq!(r.rows()[0].speedup, None, "no sync run yet");
        r.record(job(Strategy::Sync), Purpose::Compare, &trace(1000.0, 1), POOL);
        let rows = r.rows();
        assert_eq!(rows.iter().map(|r| r.strategy).collect::<Vec<_>>(), [Strategy::Sync, Strategy::Threads]);
        assert_eq!(rows[1].speedup, Some(4.0));
        assert_eq!(rows[1].outcome.lanes, 4);
        let other = Job { workload: Workload::Fib { tasks: 8, n: 20 }, ..job(Strategy::Async) };
        r.record(other, Purpose::Compare, &trace(900.0, 1), POOL);
        assert_eq!(r.rows().len(), 1, "a new workload starts a new table");
        let runs: Vec<(Strategy, f64)> = r.runs().map(|(j, t)| (j.strategy, t.makespan)).collect();
        assert_eq!(runs, [(Strategy::Async, 900.0)], "and keeps only its own timelines");
    }

    #[test]
    fn start_up_says_where_it_was_paid() {
        use crate::{Lane, LaneKind, Phase, Segment};
        let plain = trace(100.0, 2);
        assert_eq!(Startup::of(&job(Strategy::Sync), &plain, POOL), Startup::None);
        assert_eq!(Startup::of(&job(Strategy::Threads), &plain, POOL), Startup::Pool(120.0));
        let many = Job { threads: 8, ..job(Strategy::Threads) };
        assert_eq!(
            Startup::of(&many, &plain, POOL),
            Startup::Reused,
            "a bigger pool, not started in this run"
        );
        let mut fresh = trace(100.0, 0);
        for end in [30.0, 45.0] {
            let seg = Segment { start: 5.0, end, phase: Phase::Starting, task: None };
            fresh.lanes.push(Lane { kind: LaneKind::Process, label: "p".into(), segments: vec![seg] });
        }
        assert_eq!(Startup::of(&job(Strategy::Processes), &fresh, POOL), Startup::InRun(40.0));
    }

    #[test]
    fn speedups_are_over_one_thread() {
        let mut r = Results::default();
        r.record(Job { threads: 2, ..job(Strategy::Threads) }, Purpose::Scale, &trace(600.0, 2), POOL);
        assert!(r.speedups().is_empty(), "nothing to compare with before one thread ran");
        r.record(Job { threads: 1, ..job(Strategy::Threads) }, Purpose::Scale, &trace(1000.0, 1), POOL);
        assert_eq!(r.speedups(), [(1, 1.0), (2, 1000.0 / 600.0)]);
        r.start_scaling();
        assert!(r.speedups().is_empty());
    }
}
