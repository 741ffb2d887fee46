//! Real runs: each strategy executes a workload on this machine and records what ran
//! where and when. They run in the runner worker, never on the page's main thread: the
//! runner's loop ([`runner`]) and each process's ([`process`]) live here too, so that
//! `worker/` is only the transport (spawning, the typed messages) and imports nothing back.

pub mod cancel;
pub mod local;
pub mod pipeline;
pub mod pool;
pub mod processes;
pub mod race;
pub mod runner;
pub mod threads;
pub mod work;

use crate::clock::now_ms;
use crate::worker::protocol::Capabilities;
use cvp_model::job::Job;
use cvp_model::record::Recording;
use cvp_model::{LaneKind, Strategy, Trace};
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

/// Runs `job`, counting finished tasks in `done`. `Ok(None)` when cancelled.
pub async fn run(job: &Job, caps: &Capabilities, done: Arc<AtomicU32>) -> Result<Option<Trace>, String> {
    if let Some(why) = caps.unavailable(job.strategy) {
        return Err(format!("{} cannot run: {why}", job.strategy.label()));
    }
    cancel::reset();
    let mut origin = now_ms();
    let threads = job.threads.max(1);
    // More threads or processes than cores take turns on them.
    let cores = threads.min(caps.hardware_threads.max(1));
    let (lane_kind, cores, tasks, lane_spans) = match job.strategy {
        Strategy::Sync => (LaneKind::Main, 1, local::run_sync(job.workload, done).await, Vec::new()),
        Strategy::Async => {
            let tasks = match job.limit {
                Some(permits) if job.semaphore => local::run_semaphore(job.workload, permits, done).await,
                limit => local::run_async(job.workload, limit, done).await,
            };
            (LaneKind::Coroutine, 1, tasks, Vec::new())
        }
        Strategy::Threads | Strategy::Gil => {
            let lanes = pool::Lanes {
                count: threads,
                gil: job.strategy == Strategy::Gil,
                switch_interval_ms: job.switch_interval_ms,
            };
            // The page's pool when it has enough threads; else a pool of the size asked
            // for, whose start-up is part of this run when it is started for it.
            let (pool, starts) = if threads <= caps.pool_threads {
                (None, Vec::new())
            } else {
                let (pool, fresh) = threads::pool_of(threads as usize).await?;
                (Some(pool.rayon()), if fresh { pool.startup_spans() } else { Vec::new() })
            };
            if cancel::requested() {
                return Ok(None);
            }
            (LaneKind::Thread, cores, pool::run(job.workload, lanes, pool, done).await, starts)
        }
        Strategy::Processes => {
            let (tasks, starts, clock) =
                processes::host::run(job.workload, threads, job.pooled, done).await?;
            // Pooled, the run's time starts once every process is ready.
            origin = clock.max(origin);
            (LaneKind::Process, cores, tasks, starts)
        }
    };
    if cancel::requested() {
        return Ok(None);
    }
    let recording =
        Recording { strategy: job.strategy, lane_kind, cores, origin, end: None, tasks, lane_spans };
    Ok(Some(recording.into_trace()))
}
