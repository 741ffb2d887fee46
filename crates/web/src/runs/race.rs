//! Races, run for real: threads of a rayon pool add to one counter by a
//! [`cvp_model::race::Method`], each starting once all have arrived, each timed on the
//! shared clock. The loops and the rules are the model's; this module only finds the
//! threads and times them.
//!
//! Each thread takes one job of the pool and waits in it for the others, so the pool must
//! have a thread for each: the page's pool when it is big enough, else one of the size
//! asked for ([`super::threads::pool_of`]). The runner never blocks: it polls, as
//! [`super::pool`] does.

use super::{cancel, threads};
use crate::clock::now_ms;
use crate::worker::protocol::Capabilities;
use cvp_model::race::{Counted, Counter, Race, ThreadTime};
use gloo_timers::future::TimeoutFuture;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// How long a thread waits for the others to arrive before the race is given up (ms): a
/// pool whose threads are all free takes well under a millisecond to start its jobs.
const ARRIVAL_LIMIT_MS: f64 = 5_000.0;

struct Shared {
    counter: Counter,
    /// Threads that have arrived at the start line.
    arrived: AtomicU32,
    /// Threads that have finished (or given up).
    finished: AtomicU32,
    times: Mutex<Vec<ThreadTime>>,
    failed: Mutex<Option<String>>,
}

/// Runs `race` on the threads of a pool. `Ok(None)` when cancelled.
pub async fn run(race: Race, caps: &Capabilities) -> Result<Option<Counted>, String> {
    // The runner cannot tell whether the page is framed; the widget says the fix, this only why.
    if let Some(why) = cvp_model::race::unavailable(caps, false) {
        return Err(why);
    }
    cancel::reset();
    let n = race.threads.max(1);
    let pool =
        if n <= caps.pool_threads { None } else { Some(threads::pool_of(n as usize).await?.0.rayon()) };
    let shared = Arc::new(Shared {
        counter: Counter::new(),
        arrived: AtomicU32::new(0),
        finished: AtomicU32::new(0),
        times: Mutex::new(Vec::with_capacity(n as usize)),
        failed: Mutex::new(None),
    });
    for _ in 0..n {
        let shared = shared.clone();
        let job = move || {
            thread(&shared, race, n);
            shared.finished.fetch_add(1, Ordering::Release);
        };
        match &pool {
            Some(pool) => pool.spawn(job),
            None => rayon::spawn(job),
        }
    }
    while shared.finished.load(Ordering::Acquire) < n {
        TimeoutFuture::new(4).await;
    }
    if let Some(why) = shared.failed.lock().map_err(|_| "a thread panicked".to_string())?.take() {
        return Err(why);
    }
    if cancel::requested() {
        return Ok(None);
    }
    let times = std::mem::take(&mut *shared.times.lock().map_err(|_| "a thread panicked".to_string())?);
    Ok(Some(Counted { race, count: shared.counter.value(race.method), threads: times }))
}

/// One thread's part: arrive, wait for the others, add, and note when it started and ended.
fn thread(shared: &Shared, race: Race, n: u32) {
    shared.arrived.fetch_add(1, Ordering::AcqRel);
    let waited = now_ms();
    // Spin rather than sleep: a thread woken from a sleep starts late, and a race whose
    // threads start a millisecond apart may be over before they meet.
    while shared.arrived.load(Ordering::Acquire) < n {
        if cancel::requested() {
            return;
        }
        if now_ms() - waited > ARRIVAL_LIMIT_MS {
            let why =
                format!("the race's {n} threads did not all start within {} s", ARRIVAL_LIMIT_MS / 1000.0);
            shared.failed.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(why);
            cancel::request();
            return;
        }
        std::hint::spin_loop();
    }
    let start = now_ms();
    let finished = shared.counter.add(race.method, race.per_thread, &cancel::requested);
    let end = now_ms();
    if finished {
        shared.times.lock().unwrap_or_else(|e| e.into_inner()).push(ThreadTime { start, end });
    }
}
