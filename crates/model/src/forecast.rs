//! The forecast: what the simulator expects each strategy to take for a job on this
//! machine, made before the run from a short calibration and from nothing that run will
//! measure. After the run, [`gap`] compares the two and names, from the measured trace,
//! what made the difference.
//!
//! The calibration is three tiny real runs ([`Probe`]): one fib task timed alone (fib's
//! work is its number of calls, so one size gives the time of any), one fresh worker
//! started and given a task (its start-up and the message there and back), and two threads
//! passing the global lock back and forth (how long it stands free at each hand-off).
//! Fetch tasks need no probe: their wait is a timer and their parsing is a fixed amount of
//! computation calibrated to take `parse_ms` on an idle core.

use crate::fib::fib_calls;
use crate::job::{Job, Workload};
use crate::sim::{simulate, SimConfig};
use crate::trace::{Phase, Strategy, Trace};
use crate::workload::Task;
use serde::{Deserialize, Serialize};

/// The fib probe's size: fib(27) makes 635,621 calls, a few milliseconds on a phone.
pub const FIB_PROBE_N: u32 = 27;

/// The lock probe's switch interval (ms): short, so a few tens of milliseconds of work
/// give tens of hand-offs to average over.
pub const LOCK_PROBE_INTERVAL_MS: f64 = 1.0;

/// A difference between forecast and measurement below this fraction is not worth a
/// sentence, whatever the repeat runs showed.
pub const NOTEWORTHY: f64 = 0.10;

/// One calibration run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// fib([`FIB_PROBE_N`]) once, synchronously.
    Fib,
    /// One fresh worker given one empty task.
    Worker,
    /// Two threads computing 20 ms each under the lock, switching every
    /// [`LOCK_PROBE_INTERVAL_MS`].
    Lock,
}

impl Probe {
    /// The probes, in the order they run: fib three times (the fastest is the idle core's
    /// time), then a worker, then the lock, which needs threads; without them it is left
    /// out, and there is no lock strategy to forecast.
    pub fn plan(threads: bool) -> Vec<Probe> {
        let mut probes = vec![Probe::Fib, Probe::Fib, Probe::Fib, Probe::Worker];
        if threads {
            probes.push(Probe::Lock);
        }
        probes
    }

    /// The probe's job.
    pub fn job(self) -> Job {
        let (workload, strategy, threads, switch_interval_ms) = match self {
            Probe::Fib => (Workload::Fib { tasks: 1, n: FIB_PROBE_N }, Strategy::Sync, 1, 0.0),
            Probe::Worker => {
                (Workload::Fetch { tasks: 1, latency_ms: 0.0, parse_ms: 0.0 }, Strategy::Processes, 1, 0.0)
            }
            Probe::Lock => (
                Workload::Fetch { tasks: 2, latency_ms: 0.0, parse_ms: 20.0 },
                Strategy::Gil,
                2,
                LOCK_PROBE_INTERVAL_MS,
            ),
        };
        Job { workload, strategy, threads, limit: None, switch_interval_ms, pooled: false, semaphore: false }
    }
}

/// What the calibration measured. The runner measures it as it starts, before it says it
/// is ready, so every forecast on the page rests on it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// One fib call on an idle thread (ms).
    pub fib_call_ms: f64,
    /// Starting one fresh worker (ms): the probe's, or the last processes run's mean.
    pub worker_start_ms: f64,
    /// A task's message to a worker and its result back (ms).
    pub handoff_ms: f64,
    /// How long the global lock stands free at each hand-off (ms).
    pub lock_switch_ms: f64,
    /// `navigator.hardwareConcurrency`.
    pub hardware_threads: u32,
    /// Threads of the page's running pool: a threads job that needs more starts a pool of
    /// its own inside its run.
    pub pool_threads: u32,
}

impl Calibration {
    /// Reads the probes' traces (as [`Probe::plan`] ordered them) on a machine with
    /// `hardware_threads` and a pool of `pool_threads`. `None` if a trace lacks what its
    /// probe measures.
    pub fn from_probes(
        probes: &[(Probe, Trace)],
        hardware_threads: u32,
        pool_threads: u32,
    ) -> Option<Calibration> {
        let mut cal = Calibration {
            fib_call_ms: f64::NAN,
            worker_start_ms: f64::NAN,
            handoff_ms: 0.0,
            lock_switch_ms: 0.0,
            hardware_threads: hardware_threads.max(1),
            pool_threads,
        };
        for (probe, trace) in probes {
            match probe {
                Probe::Fib => {
                    let call = phase_ms(trace, Phase::Rendering) / fib_calls(FIB_PROBE_N) as f64;
                    // The fastest of the tries: what an idle core does.
                    cal.fib_call_ms = if cal.fib_call_ms.is_nan() { call } else { cal.fib_call_ms.min(call) };
                }
                Probe::Worker => {
                    cal.worker_start_ms = trace.startup_ms()?;
                    cal.handoff_ms = mean_segment(trace, Phase::Handoff).unwrap_or(0.0);
                }
                Probe::Lock => {
                    let (idle, waits) = lock_idle(trace);
                    cal.lock_switch_ms = if waits == 0 { 0.0 } else { idle / waits as f64 };
                }
            }
        }
        (cal.fib_call_ms > 0.0 && cal.worker_start_ms.is_finite()).then_some(cal)
    }

    /// Keeps what a finished run measured of the costs the calibration stands for: a
    /// processes run's mean worker start-up. ("Measured so far": the next forecast uses
    /// it; the run it came from was already forecast.)
    pub fn learn(&mut self, job: &Job, trace: &Trace) {
        if job.strategy == Strategy::Processes {
            if let Some(ms) = mean_segment(trace, Phase::Starting) {
                self.worker_start_ms = ms;
            }
        }
    }
}

/// Total time of `phase` segments in `trace` (ms).
fn phase_ms(trace: &Trace, phase: Phase) -> f64 {
    trace.segments().filter(|(_, s)| s.phase == phase).map(|(_, s)| s.duration()).sum()
}

/// Mean duration of `phase` segments; `None` when there are none.
fn mean_segment(trace: &Trace, phase: Phase) -> Option<f64> {
    let (sum, n) = trace
        .segments()
        .filter(|(_, s)| s.phase == phase)
        .fold((0.0, 0usize), |(sum, n), (_, s)| (sum + s.duration(), n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Under the global lock, computing is holding it: the time (ms) during which some thread
/// waited for it and none held it, the hand-offs' own cost, and how many waits there were.
pub fn lock_idle(trace: &Trace) -> (f64, usize) {
    let mut events: Vec<(f64, i32, i32)> = Vec::new();
    let mut waits = 0;
    for (_, s) in trace.segments().filter(|(_, s)| s.end > s.start) {
        match s.phase {
            Phase::Rendering => events.extend([(s.start, 1, 0), (s.end, -1, 0)]),
            Phase::Blocked => {
                waits += 1;
                events.extend([(s.start, 0, 1), (s.end, 0, -1)]);
            }
            _ => {}
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut holding, mut waiting, mut idle, mut last) = (0, 0, 0.0, 0.0);
    for (t, h, w) in events {
        if holding == 0 && waiting > 0 {
            idle += t - last;
        }
        (holding, waiting, last) = (holding + h, waiting + w, t);
    }
    (idle, waits)
}

/// The tasks of `job` as the calibration expects them to take on an idle core.
pub fn tasks(job: &Job, cal: &Calibration) -> Vec<Task> {
    let task = match job.workload {
        Workload::Fib { n, .. } => Task { load: 0.0, render: fib_calls(n) as f64 * cal.fib_call_ms },
        Workload::Fetch { latency_ms, parse_ms, .. } => Task { load: latency_ms, render: parse_ms },
    };
    vec![task; job.workload.tasks() as usize]
}

/// The simulator's configuration for `job` on the calibrated machine.
fn config(job: &Job, cal: &Calibration) -> SimConfig {
    let workers = match job.strategy {
        Strategy::Sync => None,
        Strategy::Async => job.limit,
        Strategy::Threads | Strategy::Gil | Strategy::Processes => Some(job.threads.max(1)),
    };
    let starts_workers = match job.strategy {
        Strategy::Processes => !job.pooled,
        Strategy::Threads | Strategy::Gil => job.threads > cal.pool_threads,
        Strategy::Sync | Strategy::Async => false,
    };
    let config = SimConfig::ideal(job.strategy)
        .with_workers(workers)
        .with_semaphore(job.strategy == Strategy::Async && job.semaphore)
        .with_cores(cal.hardware_threads)
        .with_startup_ms(if starts_workers { cal.worker_start_ms } else { 0.0 });
    match job.strategy {
        Strategy::Processes => config.with_handoff_ms(cal.handoff_ms),
        // The lock's switch interval is the simulator's time slice; what a switch costs is
        // the hand-off the probe measured.
        Strategy::Gil => {
            config.with_quantum_ms(job.switch_interval_ms).with_switch_cost_ms(cal.lock_switch_ms)
        }
        _ => config,
    }
}

/// The forecast for `job`: the simulator's trace of it on the calibrated machine.
pub fn forecast(job: &Job, cal: &Calibration) -> Trace {
    simulate(&tasks(job, cal), &config(job, cal))
}

/// Measured over forecast, minus one: +0.2 means the run took 20 % longer than forecast.
pub fn difference(measured: &Trace, forecast: &Trace) -> f64 {
    measured.makespan / forecast.makespan.max(1e-9) - 1.0
}

/// How far apart repeat runs of one job came: (slowest − fastest) / fastest; 0 with fewer
/// than two runs.
pub fn spread(times: &[f64]) -> f64 {
    let (lo, hi) = times.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &t| (lo.min(t), hi.max(t)));
    if times.len() < 2 || lo <= 0.0 {
        0.0
    } else {
        hi / lo - 1.0
    }
}

/// What made a run differ from its forecast, as far as its trace can show.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// Under the lock, the time it stood free while threads waited.
    LockIdle {
        /// Measured (ms).
        measured_ms: f64,
        /// In the forecast, from the calibrated hand-offs (ms).
        forecast_ms: f64,
        /// Hand-offs measured.
        waits: usize,
    },
    /// Starting the run's workers took longer (or shorter) than calibrated.
    Startup {
        /// Measured, first start to last ready (ms).
        measured_ms: f64,
        /// Forecast (ms).
        forecast_ms: f64,
        /// Workers started.
        workers: usize,
    },
    /// Tasks computed slower (or faster) than one task alone on an idle core: running
    /// beside each other, or beside the page, they shared caches, memory and clocks.
    TaskTime {
        /// Mean computing per task, measured (ms).
        measured_ms: f64,
        /// Forecast (ms).
        forecast_ms: f64,
        /// Most lanes computing at once in the run.
        busy: u32,
        /// The machine's hardware threads.
        hardware_threads: u32,
    },
    /// The busiest lane ran more tasks than the forecast's division gave it.
    Uneven {
        /// Tasks on the busiest lane, measured.
        most: usize,
        /// On the forecast's busiest lane.
        even: usize,
        /// Lanes.
        lanes: usize,
    },
    /// Waits (timers) ran longer than asked.
    Waits {
        /// Mean wait per task, measured (ms).
        measured_ms: f64,
        /// Asked (ms).
        asked_ms: f64,
    },
}

impl Cause {
    /// The cause in a sentence, with its numbers.
    pub fn sentence(&self) -> String {
        let ms = |v: f64| if v < 10.0 { format!("{v:.1} ms") } else { format!("{v:.0} ms") };
        match *self {
            Cause::LockIdle { measured_ms, forecast_ms, waits } => format!(
                "the lock stood free for {} in all while threads waited for it ({waits} hand-offs), against {} \
                 expected from the calibration's hand-offs: waking the next thread took longer in a long run",
                ms(measured_ms),
                ms(forecast_ms)
            ),
            Cause::Startup { measured_ms, forecast_ms, workers } => format!(
                "starting its {workers} workers took {}, against {} expected from starting one alone",
                ms(measured_ms),
                ms(forecast_ms)
            ),
            Cause::TaskTime { measured_ms, forecast_ms, busy, hardware_threads } => format!(
                "each task computed for {} on average, against {} alone on an idle core: with up to {busy} of \
                 {hardware_threads} hardware threads computing, beside the page's own, they shared caches, memory \
                 bandwidth and clock speed",
                ms(measured_ms),
                ms(forecast_ms)
            ),
            Cause::Uneven { most, even, lanes } => format!(
                "its busiest lane ran {most} tasks where an even division over {lanes} lanes gives {even}"
            ),
            Cause::Waits { measured_ms, asked_ms } => format!(
                "each wait lasted {} on average where {} was asked: the browser's timers fire late, never early",
                ms(measured_ms),
                ms(asked_ms)
            ),
        }
    }
}

/// A run whose time differs from its forecast by more than the noise.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    /// The strategy.
    pub strategy: Strategy,
    /// Measured over forecast, minus one.
    pub difference: f64,
    /// What the trace shows made the difference, the largest first; empty when it shows
    /// nothing large enough.
    pub causes: Vec<Cause>,
}

/// The gap between a run and its forecast when it exceeds both [`NOTEWORTHY`] and `noise`
/// (the spread of repeat runs of the same job), with the causes its trace shows.
pub fn gap(job: &Job, measured: &Trace, forecast: &Trace, cal: &Calibration, noise: f64) -> Option<Gap> {
    let d = difference(measured, forecast);
    if d.abs() <= NOTEWORTHY.max(noise) {
        return None;
    }
    let gap_ms = measured.makespan - forecast.makespan;
    // Each candidate with the time it accounts for, signed like the gap.
    let mut found: Vec<(f64, Cause)> = Vec::new();
    if job.strategy == Strategy::Gil {
        let ((m, waits), (f, _)) = (lock_idle(measured), lock_idle(forecast));
        found.push((m - f, Cause::LockIdle { measured_ms: m, forecast_ms: f, waits }));
    }
    if let (Some(m), f) = (measured.startup_ms(), forecast.startup_ms().unwrap_or(0.0)) {
        let workers = measured.segments().filter(|(_, s)| s.phase == Phase::Starting).count();
        found.push((m - f, Cause::Startup { measured_ms: m, forecast_ms: f, workers }));
    }
    let n = measured.tasks.len().max(1) as f64;
    let per_task = |t: &Trace, p: Phase| phase_ms(t, p) / n;
    let (m_cpu, f_cpu) = (per_task(measured, Phase::Rendering), per_task(forecast, Phase::Rendering));
    if f_cpu > 0.0 {
        // The extra per task, over the lanes that computed at once.
        let together = match job.strategy {
            Strategy::Threads | Strategy::Processes => job.threads.min(cal.hardware_threads).max(1),
            _ => 1,
        };
        let busy = measured.max_cpu_overlap() as u32;
        let share = (m_cpu - f_cpu) * n / together as f64;
        found.push((
            share,
            Cause::TaskTime {
                measured_ms: m_cpu,
                forecast_ms: f_cpu,
                busy,
                hardware_threads: cal.hardware_threads,
            },
        ));
    }
    let (m_wait, f_wait) = (per_task(measured, Phase::Loading), per_task(forecast, Phase::Loading));
    if f_wait > 0.0 {
        let lanes = measured.lanes.len().max(1) as f64;
        found.push((
            (m_wait - f_wait) * (n / lanes).ceil(),
            Cause::Waits { measured_ms: m_wait, asked_ms: f_wait },
        ));
    }
    if measured.lanes.len() > 1 {
        let most = |t: &Trace| {
            (0..t.lanes.len())
                .map(|l| t.tasks.iter().filter(|r| r.lane as usize == l).count())
                .max()
                .unwrap_or(0)
        };
        let (m_most, f_most) = (most(measured), most(forecast));
        if m_most > f_most {
            let per = measured.makespan / m_most.max(1) as f64;
            found.push((
                (m_most - f_most) as f64 * per,
                Cause::Uneven { most: m_most, even: f_most, lanes: measured.lanes.len() },
            ));
        }
    }
    // Causes that go the gap's way and account for at least a fifth of it, largest first.
    found.retain(|(ms, _)| ms * gap_ms.signum() >= 0.2 * gap_ms.abs());
    found.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    Some(Gap { strategy: job.strategy, difference: d, causes: found.into_iter().map(|(_, c)| c).collect() })
}

/// The gaps in words, one sentence per run.
pub fn explain(gaps: &[Gap]) -> String {
    gaps.iter()
        .map(|g| {
            let pct = (g.difference.abs() * 100.0).round();
            let way = if g.difference > 0.0 { "longer" } else { "less" };
            let head = format!("{} took {pct:.0} % {way} than forecast", g.strategy.label());
            match g.causes.as_slice() {
                [] => format!(
                    "{head}, and its trace shows no one cause: the difference is spread over every task, as noise is."
                ),
                [one] => format!("{head}: {}.", one.sentence()),
                [first, second, ..] => format!("{head}: {}; and {}.", first.sentence(), second.sentence()),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_lanes, lane, seg};
    use crate::LaneKind;

    fn cal() -> Calibration {
        Calibration {
            fib_call_ms: 1e-5,
            worker_start_ms: 30.0,
            handoff_ms: 0.5,
            lock_switch_ms: 0.2,
            hardware_threads: 2,
            pool_threads: 2,
        }
    }

    fn fib_job(strategy: Strategy, threads: u32) -> Job {
        Job {
            workload: Workload::Fib { tasks: 8, n: 27 },
            strategy,
            threads,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        }
    }

    #[test]
    fn the_lock_is_idle_while_a_thread_waits_and_none_computes() {
        // a computes 0–5 and 7–9; b waits 0–6, computes 6–7, waits 7–9.5 and computes to 12.
        let t = from_lanes(
            Strategy::Gil,
            2,
            vec![
                lane(
                    LaneKind::Thread,
                    "a",
                    vec![seg(0, Phase::Rendering, 0.0, 5.0), seg(0, Phase::Rendering, 7.0, 9.0)],
                ),
                lane(
                    LaneKind::Thread,
                    "b",
                    vec![
                        seg(1, Phase::Blocked, 0.0, 6.0),
                        seg(1, Phase::Rendering, 6.0, 7.0),
                        seg(1, Phase::Blocked, 7.0, 9.5),
                        seg(1, Phase::Rendering, 9.5, 12.0),
                    ],
                ),
            ],
        );
        let (idle, waits) = lock_idle(&t);
        assert!((idle - 1.5).abs() < 1e-9, "5–6 and 9–9.5 had a waiter and no holder: {idle}");
        assert_eq!(waits, 2);
    }

    #[test]
    fn one_probe_size_gives_the_time_of_every_fib() {
        // fib(27) took 6.36 ms: 635,621 calls at 10 ns.
        let probe = from_lanes(
            Strategy::Sync,
            1,
            vec![lane(LaneKind::Main, "main", vec![seg(0, Phase::Rendering, 0.0, 6.35621)])],
        );
        let worker = from_lanes(
            Strategy::Processes,
            1,
            vec![lane(
                LaneKind::Process,
                "p",
                vec![seg(0, Phase::Starting, 0.0, 25.0), seg(0, Phase::Handoff, 25.0, 25.5)],
            )],
        );
        let c = Calibration::from_probes(&[(Probe::Fib, probe), (Probe::Worker, worker)], 4, 4).unwrap();
        assert!((c.fib_call_ms - 1e-5).abs() < 1e-12, "{}", c.fib_call_ms);
        assert_eq!((c.worker_start_ms, c.handoff_ms, c.lock_switch_ms), (25.0, 0.5, 0.0));
        let t = tasks(&fib_job(Strategy::Sync, 1), &c);
        let expected = fib_calls(27) as f64 * 1e-5;
        assert_eq!(t.len(), 8);
        assert!((t[0].render - expected).abs() < 1e-9 && t[0].load == 0.0);
        // fib(30) makes 4.24 times fib(27)'s calls, so it is forecast 4.24 times as long.
        let big =
            tasks(&Job { workload: Workload::Fib { tasks: 1, n: 30 }, ..fib_job(Strategy::Sync, 1) }, &c);
        assert!((big[0].render / t[0].render - fib_calls(30) as f64 / fib_calls(27) as f64).abs() < 1e-9);
        // Without a worker probe there is no calibration.
        assert_eq!(
            Calibration::from_probes(&[(Probe::Fib, from_lanes(Strategy::Sync, 1, vec![]))], 4, 4),
            None
        );
    }

    #[test]
    fn each_strategy_is_forecast_with_what_it_pays() {
        let c = cal();
        let one = fib_calls(27) as f64 * c.fib_call_ms;
        let sync = forecast(&fib_job(Strategy::Sync, 1), &c);
        assert!((sync.makespan - 8.0 * one).abs() < 1e-6);
        // Coroutines compute on one thread: no faster.
        assert!((forecast(&fib_job(Strategy::Async, 4), &c).makespan - sync.makespan).abs() < 1e-6);
        // Threads of the running pool start nothing: 8 tasks on 2 cores.
        let threads = forecast(&fib_job(Strategy::Threads, 2), &c);
        assert!((threads.makespan - 4.0 * one).abs() < 1e-6, "{}", threads.makespan);
        // More threads than the pool start a pool in the run; processes always start theirs.
        assert!(
            forecast(&fib_job(Strategy::Threads, 4), &c).makespan
                > threads.makespan + c.worker_start_ms - 1e-6
        );
        let processes = forecast(&fib_job(Strategy::Processes, 2), &c);
        assert!(processes.makespan >= threads.makespan + c.worker_start_ms, "{}", processes.makespan);
        // Pooled processes started before the clock: only their messages cost more than threads.
        let pooled = forecast(&Job { pooled: true, ..fib_job(Strategy::Processes, 2) }, &c);
        assert!(pooled.makespan < threads.makespan + c.worker_start_ms, "{}", pooled.makespan);
        assert!(pooled.makespan >= threads.makespan && pooled.startup_ms().is_none());
        assert!(processes.segments().any(|(_, s)| s.phase == Phase::Handoff));
        // The lock: no faster than one thread, plus what its hand-offs cost.
        let gil = forecast(&fib_job(Strategy::Gil, 2), &c);
        assert!(gil.makespan >= sync.makespan, "{} vs {}", gil.makespan, sync.makespan);
        let free = forecast(&fib_job(Strategy::Gil, 2), &Calibration { lock_switch_ms: 0.0, ..c });
        assert!(gil.makespan > free.makespan, "hand-offs cost time");
    }

    #[test]
    fn a_forecast_uses_no_measurement_of_the_run_it_forecasts() {
        // The same calibration gives the same forecast whatever the run later measures.
        let j = fib_job(Strategy::Threads, 2);
        assert_eq!(forecast(&j, &cal()), forecast(&j, &cal()));
        // And learning from a processes run changes the next forecast, not the past one.
        let mut c = cal();
        let before = forecast(&fib_job(Strategy::Processes, 2), &c);
        let run = from_lanes(
            Strategy::Processes,
            2,
            vec![lane(
                LaneKind::Process,
                "p",
                vec![seg(0, Phase::Starting, 0.0, 90.0), seg(0, Phase::Rendering, 90.0, 100.0)],
            )],
        );
        c.learn(&fib_job(Strategy::Processes, 2), &run);
        assert_eq!(c.worker_start_ms, 90.0);
        assert!(forecast(&fib_job(Strategy::Processes, 2), &c).makespan > before.makespan);
        c.learn(&fib_job(Strategy::Threads, 2), &run);
        assert_eq!(c.worker_start_ms, 90.0, "only processes runs measure a fresh worker");
    }

    #[test]
    fn a_close_run_says_nothing_and_noise_raises_the_bar() {
        let j = fib_job(Strategy::Sync, 1);
        let f = forecast(&j, &cal());
        let mut m = f.clone();
        m.makespan = f.makespan * 1.08;
        assert_eq!(gap(&j, &m, &f, &cal(), 0.0), None);
        m.makespan = f.makespan * 1.3;
        assert!(gap(&j, &m, &f, &cal(), 0.0).is_some());
        assert_eq!(gap(&j, &m, &f, &cal(), 0.35), None, "repeat runs 35 % apart: 30 % is noise");
        assert_eq!(spread(&[100.0, 120.0, 110.0]), 0.19999999999999996);
        assert_eq!(spread(&[100.0]), 0.0);
    }

    #[test]
    fn slower_tasks_are_named_with_their_times() {
        // Forecast: 2 threads, 4 tasks of 10 ms; measured: each took 15 ms.
        let c = Calibration { fib_call_ms: 10.0 / fib_calls(27) as f64, ..cal() };
        let j = Job { workload: Workload::Fib { tasks: 4, n: 27 }, ..fib_job(Strategy::Threads, 2) };
        let f = forecast(&j, &c);
        assert!((f.makespan - 20.0).abs() < 1e-6);
        let m = from_lanes(
            Strategy::Threads,
            2,
            vec![
                lane(
                    LaneKind::Thread,
                    "a",
                    vec![seg(0, Phase::Rendering, 0.0, 15.0), seg(2, Phase::Rendering, 15.0, 30.0)],
                ),
                lane(
                    LaneKind::Thread,
                    "b",
                    vec![seg(1, Phase::Rendering, 0.0, 15.0), seg(3, Phase::Rendering, 15.0, 30.0)],
                ),
            ],
        );
        let g = gap(&j, &m, &f, &c, 0.0).unwrap();
        assert_eq!(g.causes.len(), 1, "{:?}", g.causes);
        let text = explain(&[g]);
        assert!(
            text.starts_with("Threads took 50 % longer than forecast: each task computed for 15 ms on average, against 10 ms alone"),
            "{text}"
        );
    }

    #[test]
    fn an_uneven_division_and_a_slow_start_are_told_apart() {
        let c = Calibration { fib_call_ms: 10.0 / fib_calls(27) as f64, ..cal() };
        let j = Job { workload: Workload::Fib { tasks: 4, n: 27 }, ..fib_job(Strategy::Processes, 2) };
        let f = forecast(&j, &c);
        // Same task times, but one process did three tasks, and both started slowly.
        let m = from_lanes(
            Strategy::Processes,
            2,
            vec![
                lane(
                    LaneKind::Process,
                    "a",
                    vec![
                        seg(0, Phase::Starting, 0.0, 30.0),
                        seg(0, Phase::Rendering, 30.0, 40.0),
                        seg(2, Phase::Rendering, 40.0, 50.0),
                        seg(3, Phase::Rendering, 50.0, 60.0),
                    ],
                ),
                lane(
                    LaneKind::Process,
                    "b",
                    vec![seg(1, Phase::Starting, 0.0, 30.0), seg(1, Phase::Rendering, 30.0, 40.0)],
                ),
            ],
        );
        let g = gap(&j, &m, &f, &c, 0.0).unwrap();
        assert!(
            g.causes.iter().any(|c| matches!(c, Cause::Uneven { most: 3, even: 2, lanes: 2 })),
            "{:?}",
            g.causes
        );
        assert!(
            !g.causes.iter().any(|c| matches!(c, Cause::TaskTime { .. })),
            "task times matched: {:?}",
            g.causes
        );
    }

    #[test]
    fn the_lock_probe_measures_the_time_the_lock_stands_free() {
        let lock = from_lanes(
            Strategy::Gil,
            2,
            vec![
                lane(
                    LaneKind::Thread,
                    "a",
                    vec![seg(0, Phase::Rendering, 0.0, 1.0), seg(0, Phase::Rendering, 2.2, 3.2)],
                ),
                lane(
                    LaneKind::Thread,
                    "b",
                    vec![
                        seg(1, Phase::Blocked, 0.0, 1.2),
                        seg(1, Phase::Rendering, 1.2, 2.0),
                        seg(1, Phase::Blocked, 2.0, 3.2),
                        seg(1, Phase::Rendering, 3.2, 4.0),
                    ],
                ),
            ],
        );
        let worker = from_lanes(
            Strategy::Processes,
            1,
            vec![lane(LaneKind::Process, "p", vec![seg(0, Phase::Starting, 0.0, 25.0)])],
        );
        let fib = from_lanes(
            Strategy::Sync,
            1,
            vec![lane(LaneKind::Main, "m", vec![seg(0, Phase::Rendering, 0.0, 6.0)])],
        );
        let c = Calibration::from_probes(
            &[(Probe::Fib, fib), (Probe::Worker, worker), (Probe::Lock, lock)],
            2,
            2,
        )
        .unwrap();
        // Free 1.0–1.2 and 2.0–2.2 (0.4 ms) over two waits.
        assert!((c.lock_switch_ms - 0.2).abs() < 1e-9, "{}", c.lock_switch_ms);
        assert_eq!(Probe::plan(false), [Probe::Fib, Probe::Fib, Probe::Fib, Probe::Worker]);
        assert_eq!(Probe::plan(true).last(), Some(&Probe::Lock));
        assert_eq!(Probe::Lock.job().switch_interval_ms, LOCK_PROBE_INTERVAL_MS);
    }
}
