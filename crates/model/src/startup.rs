//! The start-up experiment (after seed 003): one amount of computation done by one thread,
//! split over N *fresh* workers (started for the run, as processes are), and split over N
//! threads of a pool that already runs. Starting workers costs time; splitting the work
//! saves time only on as many cores as there are. Where the two meet is the break-even:
//! the work size above which fresh workers pay off.

use crate::forecast::{forecast, Calibration, NOTEWORTHY};
use crate::guess::{Ask, Choice, Outcome, Unit};
use crate::job::{Job, Workload};
use crate::machine::Capabilities;
use crate::trace::{Strategy, Trace};

/// The experiment's jobs: the work is a page "parse" of fixed computation (see the real
/// runs' `parse`) with no wait, so `work_ms` is milliseconds of one idle core.
pub fn one_thread(work_ms: f64) -> Job {
    job(Strategy::Sync, 1, work_ms)
}

/// `work_ms` split into `n` equal tasks on `n` fresh workers, started for the run.
pub fn fresh_workers(work_ms: f64, n: u32) -> Job {
    job(Strategy::Processes, n, work_ms)
}

/// `work_ms` split into `n` equal tasks on a pool of `n` threads.
pub fn pooled_threads(work_ms: f64, n: u32) -> Job {
    job(Strategy::Threads, n, work_ms)
}

fn job(strategy: Strategy, n: u32, work_ms: f64) -> Job {
    let n = n.max(1);
    Job {
        workload: Workload::Fetch { tasks: n, latency_ms: 0.0, parse_ms: work_ms / n as f64 },
        strategy,
        threads: n,
        limit: None,
        switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
        pooled: false,
        semaphore: false,
    }
}

/// What one N measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Workers (or threads) the work was split over.
    pub n: u32,
    /// One thread doing all of it (ms).
    pub one_ms: f64,
    /// N fresh workers, start-up included (ms).
    pub fresh_ms: f64,
    /// Of which starting them (ms, until the slowest was ready).
    pub fresh_startup_ms: f64,
    /// N threads of a running pool (ms).
    pub pooled_ms: f64,
}

/// The work size (ms of one core) above which `n` fresh workers on `cores` cores beat one
/// thread, given what starting them cost: fresh ≈ start-up + work / min(n, cores), so they
/// pay off once work > start-up / (1 − 1 / min(n, cores)). `None` when they never can (one
/// worker, or one core: splitting saves nothing to pay the start-up with).
pub fn break_even_ms(startup_ms: f64, n: u32, cores: u32) -> Option<f64> {
    let k = n.min(cores) as f64;
    (k >= 2.0).then(|| startup_ms.max(0.0) / (1.0 - 1.0 / k))
}

/// The best break-even among the measured points (the smallest work size at which some N
/// of fresh workers pays off), with that N.
pub fn best_break_even(points: &[Point], cores: u32) -> Option<(u32, f64)> {
    points
        .iter()
        .filter_map(|p| break_even_ms(p.fresh_startup_ms, p.n, cores).map(|ms| (p.n, ms)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The fresh workers whose speedup the reader guesses: two, the fewest that can split the
/// work, and on a machine of two cores or more the most that both still help.
pub const GUESS_N: u32 = 2;

/// The reader's guess before the experiment: how many times as fast as one thread two fresh
/// workers will be, start-up included, and why.
pub const ASK: Ask = Ask {
    key: "startup",
    question: "Before you run it: how many times as fast as one thread will two fresh workers be, \
               starting them included?",
    label: "Two fresh workers:",
    guessed: "two fresh workers would be {} as fast as one thread",
    unit: Unit::Times,
    min: 0.05,
    max: 100.0,
    step: 0.05,
    reasons: &[
        Choice { key: "cores", words: "the two split the work over two cores" },
        Choice { key: "startup", words: "starting them costs about what splitting saves, or more" },
        Choice { key: "turns", words: "they take turns on one core" },
    ],
    forecast_name: "the forecast",
    no_forecast: "The runner could not time its calibration here, so there is no forecast.",
    unsettled: "",
};

/// What the calibration alone (one fresh worker's start-up, the hardware threads) forecasts
/// for `work_ms`, before the experiment runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forecast {
    /// One thread doing all of it (ms).
    pub one_ms: f64,
    /// Two fresh workers, start-up included (ms).
    pub two_ms: f64,
    /// The work size above which two fresh workers pay off; `None` on one core.
    pub break_even_ms: Option<f64>,
}

impl Forecast {
    /// The forecast for `work_ms` on the machine `cal` measured.
    pub fn new(work_ms: f64, cal: &Calibration) -> Forecast {
        Forecast {
            one_ms: forecast(&one_thread(work_ms), cal).makespan,
            two_ms: forecast(&fresh_workers(work_ms, GUESS_N), cal).makespan,
            break_even_ms: break_even_ms(cal.worker_start_ms, GUESS_N, cal.hardware_threads),
        }
    }

    /// [`ASK`]'s number as forecast: one thread's time over two fresh workers'.
    pub fn speedup(&self) -> f64 {
        self.one_ms / self.two_ms.max(1e-9)
    }
}

/// What the experiment gave to score [`ASK`]'s guess against: the speedup of two fresh
/// workers over one thread as measured, and the reason it supports on `cores` cores: the
/// cores when they were noticeably faster, turns on one core, start-up otherwise. `None`
/// until N = 2 is measured.
pub fn outcome(points: &[Point], cores: u32, forecast: Option<f64>) -> Option<Outcome> {
    let p = points.iter().find(|p| p.n == GUESS_N && p.fresh_ms > 0.0 && p.one_ms.is_finite())?;
    let measured = p.one_ms / p.fresh_ms;
    let supported = if cores >= 2 && measured >= 1.0 + NOTEWORTHY {
        ASK.reason("cores")
    } else if cores < 2 {
        ASK.reason("turns")
    } else {
        ASK.reason("startup")
    };
    Some(Outcome { measured, forecast, supported })
}

/// One run of the experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// One thread does all the work; it does not depend on N, so it runs once, first.
    One,
    /// The work split over N fresh workers, started inside the run.
    Fresh(u32),
    /// N threads, more than the page's pool has: this run starts a pool of N, and its time
    /// (start-up included) is not a point of the series.
    StartPool(u32),
    /// The work split over N threads of a pool that already runs.
    Pooled(u32),
}

impl Step {
    /// The job this step runs, for `work_ms` of computation in all.
    pub fn job(self, work_ms: f64) -> Job {
        match self {
            Step::One => one_thread(work_ms),
            Step::Fresh(n) => fresh_workers(work_ms, n),
            Step::StartPool(n) | Step::Pooled(n) => pooled_threads(work_ms, n),
        }
    }

    /// What the widget says while the step runs.
    pub fn doing(self) -> String {
        match self {
            Step::One => "One thread does all the work…".into(),
            Step::Fresh(n) => format!("N = {n}: starting {n} fresh workers…"),
            Step::StartPool(n) => format!("N = {n}: starting a pool of {n} threads…"),
            Step::Pooled(n) => format!("N = {n}: {n} threads of a pool…"),
        }
    }
}

/// The whole experiment on one machine: which runs, in which order, and the points their
/// times make. N goes from 1 to twice the hardware threads, so the series shows what more
/// workers than cores cost; without a pool (no shared memory) there is no pooled series.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    work_ms: f64,
    steps: Vec<Step>,
    next: usize,
    one_ms: f64,
    point: Option<Point>,
    points: Vec<Point>,
}

impl Experiment {
    /// The runs for `work_ms` of computation in a browser that can run what `machine` says.
    pub fn new(work_ms: f64, machine: &Capabilities) -> Experiment {
        let pool = machine.pool_threads;
        let mut steps = vec![Step::One];
        for n in 1..=2 * machine.hardware_threads.max(1) {
            steps.push(Step::Fresh(n));
            if pool > 0 {
                if n > pool {
                    steps.push(Step::StartPool(n));
                }
                steps.push(Step::Pooled(n));
            }
        }
        Experiment { work_ms, steps, next: 0, one_ms: f64::NAN, point: None, points: Vec::new() }
    }

    /// Every run, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The next run and its job; `None` once all ran.
    pub fn next(&self) -> Option<(Step, Job)> {
        self.steps.get(self.next).map(|&s| (s, s.job(self.work_ms)))
    }

    /// Records the trace of the run [`Experiment::next`] gave. Returns whether it completed
    /// a point (an N with every series measured).
    pub fn record(&mut self, trace: &Trace) -> bool {
        let Some(&step) = self.steps.get(self.next) else { return false };
        self.next += 1;
        match step {
            Step::One => self.one_ms = trace.makespan,
            Step::Fresh(n) => {
                self.point = Some(Point {
                    n,
                    one_ms: self.one_ms,
                    fresh_ms: trace.makespan,
                    fresh_startup_ms: trace.startup_ms().unwrap_or(0.0),
                    pooled_ms: f64::NAN,
                })
            }
            Step::StartPool(_) => {}
            Step::Pooled(_) => {
                if let Some(p) = &mut self.point {
                    p.pooled_ms = trace.makespan;
                }
            }
        }
        // A point is complete when the next run is of another N (or there is none).
        let n_of = |s: &Step| match *s {
            Step::One => 0,
            Step::Fresh(n) | Step::StartPool(n) | Step::Pooled(n) => n,
        };
        let next_n = self.steps.get(self.next).map(n_of);
        match self.point {
            Some(p) if next_n != Some(p.n) => {
                self.points.push(p);
                self.point = None;
                true
            }
            _ => false,
        }
    }

    /// The points measured so far.
    pub fn points(&self) -> &[Point] {
        &self.points
    }
}

/// What the widget says once the runner is ready: the range of N, and whether there is a
/// pooled series.
pub fn ready(machine: &Capabilities) -> String {
    let pool = if machine.pool_threads > 0 {
        "threads share a running pool"
    } else {
        "no shared memory here, so no pooled threads: fresh workers only"
    };
    format!(
        "Ready: N from 1 to {} ({} hardware threads; {pool}).",
        2 * machine.hardware_threads.max(1),
        machine.hardware_threads
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_lanes, lane, seg};
    use crate::{LaneKind, Phase};

    /// A one-lane run of `ms`, its first 3 ms starting a worker when `starts`.
    fn run(strategy: Strategy, ms: f64, starts: bool) -> Trace {
        let mut segments = vec![seg(0, Phase::Rendering, 3.0, ms)];
        if starts {
            segments.insert(0, seg(0, Phase::Starting, 0.0, 3.0));
        }
        from_lanes(strategy, 1, vec![lane(LaneKind::Process, "w", segments)])
    }

    fn machine(hardware_threads: u32, pool_threads: u32) -> Capabilities {
        Capabilities { hardware_threads, pool_threads, isolated: pool_threads > 0, ..Capabilities::none() }
    }

    #[test]
    fn the_experiment_runs_one_thread_once_then_every_n_up_to_twice_the_cores() {
        let e = Experiment::new(100.0, &machine(2, 2));
        use Step::*;
        assert_eq!(
            e.steps(),
            [
                One,
                Fresh(1),
                Pooled(1),
                Fresh(2),
                Pooled(2),
                Fresh(3),
                StartPool(3),
                Pooled(3),
                Fresh(4),
                StartPool(4),
                Pooled(4)
            ]
        );
        // Without a pool: fresh workers only.
        let bare = Experiment::new(100.0, &machine(2, 0));
        assert_eq!(bare.steps(), [One, Fresh(1), Fresh(2), Fresh(3), Fresh(4)]);
        assert!(ready(&machine(2, 0)).contains("fresh workers only"));
        assert!(ready(&machine(2, 2)).contains("N from 1 to 4"));
    }

    #[test]
    fn each_point_takes_its_times_from_its_own_runs() {
        let mut e = Experiment::new(100.0, &machine(1, 1));
        let mut points_done = Vec::new();
        // Each run's time is its position in the plan times 10 ms, so a time read from the
        // wrong run shows.
        let mut i = 0;
        while let Some((step, job)) = e.next() {
            i += 1;
            assert_eq!(job, step.job(100.0));
            let t = run(job.strategy, 10.0 * i as f64, matches!(step, Step::Fresh(_)));
            points_done.push(e.record(&t));
        }
        // One(10) Fresh1(20) Pooled1(30) Fresh2(40) StartPool2(50) Pooled2(60)
        assert_eq!(points_done, [false, false, true, false, false, true]);
        let p = e.points();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].n, p[0].one_ms, p[0].fresh_ms, p[0].pooled_ms), (1, 10.0, 20.0, 30.0));
        assert_eq!((p[1].n, p[1].one_ms, p[1].fresh_ms, p[1].pooled_ms), (2, 10.0, 40.0, 60.0));
        assert_eq!(p[0].fresh_startup_ms, 3.0);
        assert!(e.next().is_none() && !e.record(&run(Strategy::Sync, 5.0, false)));
    }

    #[test]
    fn without_a_pool_each_fresh_run_is_a_point() {
        let mut e = Experiment::new(50.0, &machine(1, 0));
        while let Some((_, job)) = e.next() {
            e.record(&run(job.strategy, 5.0, false));
        }
        assert_eq!(e.points().len(), 2);
        assert!(e.points().iter().all(|p| p.pooled_ms.is_nan() && p.one_ms == 5.0));
    }

    #[test]
    fn the_jobs_split_the_same_work() {
        for n in 1..=8 {
            for job in [fresh_workers(200.0, n), pooled_threads(200.0, n)] {
                let Workload::Fetch { tasks, latency_ms, parse_ms } = job.workload else { panic!() };
                assert_eq!((tasks, job.threads, latency_ms), (n, n, 0.0));
                assert!((parse_ms * n as f64 - 200.0).abs() < 1e-9);
                assert!(job.workload.task(0).cpu.is_some(), "the work is computation");
            }
        }
        assert_eq!(one_thread(50.0).workload.tasks(), 1);
    }

    #[test]
    fn the_guess_is_scored_on_two_fresh_workers_and_names_what_the_run_shows() {
        let point =
            |n, fresh_ms| Point { n, one_ms: 300.0, fresh_ms, fresh_startup_ms: 70.0, pooled_ms: 160.0 };
        // Read from N = 2 alone, not from the fastest or the first point.
        let points = [point(1, 370.0), point(2, 200.0), point(3, 150.0)];
        let o = outcome(&points, 2, Some(1.4)).unwrap();
        assert_eq!((o.measured, o.forecast), (1.5, Some(1.4)));
        assert_eq!(ASK.reasons[o.supported.unwrap()].key, "cores");
        assert_eq!(
            ASK.reasons[outcome(&[point(2, 290.0)], 2, None).unwrap().supported.unwrap()].key,
            "startup"
        );
        assert_eq!(
            ASK.reasons[outcome(&[point(2, 360.0)], 1, None).unwrap().supported.unwrap()].key,
            "turns"
        );
        assert_eq!(outcome(&[point(1, 370.0)], 2, None), None, "N = 2 not measured yet");
        // The forecast: 300 ms on one thread against 70 ms to start plus 150 ms each.
        let cal = Calibration {
            fib_call_ms: 1e-5,
            worker_start_ms: 70.0,
            handoff_ms: 0.0,
            lock_switch_ms: 0.0,
            hardware_threads: 2,
            pool_threads: 2,
        };
        let f = Forecast::new(300.0, &cal);
        assert!((f.one_ms - 300.0).abs() < 1.0 && (f.two_ms - 220.0).abs() < 3.0, "{f:?}");
        assert!((f.speedup() - 300.0 / 220.0).abs() < 0.02, "{f:?}");
        assert_eq!(f.break_even_ms, Some(140.0), "70 / (1 − 1/2)");
        let one_core = Forecast::new(300.0, &Calibration { hardware_threads: 1, ..cal });
        assert!(
            one_core.speedup() < 1.0 && one_core.break_even_ms.is_none(),
            "on one core start-up is all cost"
        );
    }

    #[test]
    fn break_even_follows_the_start_up_and_the_cores() {
        // 40 ms to start two workers on two cores: they halve the work, so they pay off
        // once half the work exceeds 40 ms.
        assert_eq!(break_even_ms(40.0, 2, 2), Some(80.0));
        // Four workers on two cores split no faster than two.
        assert_eq!(break_even_ms(40.0, 4, 2), Some(80.0));
        assert_eq!(break_even_ms(40.0, 1, 8), None, "one worker never pays off");
        assert_eq!(break_even_ms(40.0, 4, 1), None, "nor does anything on one core");
        let points = [
            Point { n: 2, one_ms: 100.0, fresh_ms: 90.0, fresh_startup_ms: 40.0, pooled_ms: 55.0 },
            Point { n: 4, one_ms: 100.0, fresh_ms: 120.0, fresh_startup_ms: 70.0, pooled_ms: 60.0 },
        ];
        assert_eq!(best_break_even(&points, 2), Some((2, 80.0)));
    }
}
