//! The start-up experiment (after seed 003): one amount of computation done by one thread,
//! split over N *fresh* workers (started for the run, as processes are), and split over N
//! threads of a pool that already runs. Starting workers costs time; splitting the work
//! saves time only on as many cores as there are. Where the two meet is the break-even:
//! the work size above which fresh workers pay off.

use crate::job::{Job, Workload};
use crate::trace::{Phase, Strategy, Trace};

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

/// How long starting a run's workers took: from the first Starting segment's start to the
/// last one's end; `None` when the run started none.
pub fn startup_ms(trace: &Trace) -> Option<f64> {
    let starting = trace.segments().filter(|(_, s)| s.phase == Phase::Starting);
    let (first, last) =
        starting.fold((f64::INFINITY, 0.0f64), |(a, b), (_, s)| (a.min(s.start), b.max(s.end)));
    (last > 0.0).then(|| last - first.min(last))
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

#[cfg(test)]
mod tests {
    use super::*;

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
