//! The work of one task, identical wherever it runs (runner, rayon worker, process).

use super::cancel;
use crate::clock::now_ms;
use cvp_model::fib::fib_cancellable;
use cvp_model::job::Cpu;
use std::sync::atomic::{AtomicU64, Ordering};

/// Parse rounds (1,000 xorshift steps each) one idle core does per millisecond, as an
/// `f64`'s bits; 0 until measured. Shared by the runner and its pool's threads (one
/// memory); a process is told the runner's figure with each task.
static ROUNDS_PER_MS: AtomicU64 = AtomicU64::new(0);

/// Parse rounds per ms on an idle core: measured once, then remembered. Measured here (on
/// a thread that has not been told the figure) without yielding: samples of 5 ms until the
/// fastest has not improved for four in a row (at most 200 ms), since an engine's optimised
/// code can land in the middle of the measurement and make every later parse too short. In
/// WebKitGTK's runs of the wasm tests in an earlier session, a "15 ms" parse took 0.1 to
/// 1.5 ms, which a measurement taken before the optimised loop landed would explain (three
/// back-to-back 10 ms samples, as this was, leave it little time).
pub fn rounds_per_ms() -> f64 {
    match f64::from_bits(ROUNDS_PER_MS.load(Ordering::Relaxed)) {
        r if r > 0.0 => r,
        _ => {
            let mut settle = Settle::default();
            while !settle.add(measure_rounds(5.0)) && settle.samples < 40 {}
            let r = settle.best.max(1.0);
            set_rounds_per_ms(r);
            r
        }
    }
}

/// Measures the parse's speed as on an idle core, yielding between 10 ms samples (at least
/// eight, over about 150 ms, and until the fastest has not improved for four in a row, at
/// most 30), so that a page still busy loading (its pool's workers starting, its first
/// frames drawn) or an engine still optimising slows only some of them.
pub async fn calibrate() {
    let mut settle = Settle::default();
    loop {
        let settled = settle.add(measure_rounds(10.0));
        if (settled && settle.samples >= 8) || settle.samples >= 30 {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(8).await;
    }
    set_rounds_per_ms(settle.best);
}

/// The fastest of a series of speed samples, and whether it has stopped improving.
#[derive(Default)]
struct Settle {
    best: f64,
    samples: u32,
    since_best: u32,
}

impl Settle {
    /// Adds a sample (rounds per ms); true once four in a row have not beaten the best by 3 %.
    fn add(&mut self, rate: f64) -> bool {
        self.samples += 1;
        if rate > self.best * 1.03 {
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        self.best = self.best.max(rate);
        self.since_best >= 4
    }
}

/// Uses another thread's measurement (a process gets the runner's).
pub fn set_rounds_per_ms(r: f64) {
    if r > 0.0 && r.is_finite() {
        ROUNDS_PER_MS.store(r.to_bits(), Ordering::Relaxed);
    }
}

fn measure_rounds(ms: f64) -> f64 {
    let start = now_ms();
    let (mut rounds, mut x) = (0u64, 1u64);
    // Read the clock every 8 rounds, as `parse` checks in: the same loop, the same cost.
    while now_ms() - start < ms {
        for _ in 0..8 {
            x = round(x);
        }
        rounds += 8;
    }
    std::hint::black_box(x);
    rounds as f64 / (now_ms() - start)
}

/// One round of "parsing": 1,000 xorshift64 steps, cheap, each depending on the last.
fn round(mut x: u64) -> u64 {
    for _ in 0..1000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Does a task's CPU work: its result, or `None` if the run was cancelled meanwhile.
pub fn compute(cpu: Cpu) -> Option<u64> {
    compute_with(cpu, &cancel::requested)
}

/// [`compute`], calling `checkpoint` every fraction of a millisecond: it returns `true` to
/// stop (a cancel), and may do what it likes meanwhile (the global lock's switches).
pub fn compute_with(cpu: Cpu, checkpoint: &dyn Fn() -> bool) -> Option<u64> {
    match cpu {
        Cpu::Fib(n) => fib_cancellable(n, checkpoint),
        Cpu::Parse { ms, seed } => parse(ms, seed, checkpoint),
    }
}

/// fib(n), or `None` if the run was cancelled meanwhile.
pub fn fib(n: u32) -> Option<u64> {
    fib_cancellable(n, &cancel::requested)
}

/// "Parses" a page: the fixed amount of computation an idle core does in `ms` (see
/// [`rounds_per_ms`]), so that sharing a core or waiting for a lock stretches it as it
/// would real parsing. Returns a checksum of the work, so it cannot be optimised away;
/// `None` if `checkpoint` says stop.
fn parse(ms: f64, seed: u64, checkpoint: &dyn Fn() -> bool) -> Option<u64> {
    let rounds = (ms * rounds_per_ms()).ceil() as u64;
    let mut x = seed | 1;
    for i in 0..rounds {
        // A checkpoint every few µs of work: cheap, and fine-grained enough for a 1 ms
        // switch interval or a prompt cancel.
        if i % 8 == 0 && checkpoint() {
            return None;
        }
        x = round(x);
    }
    // black_box: a caller that drops the checksum (the pipeline does) must not let the
    // optimiser drop the work with it. Results travel to JavaScript as numbers: keep the
    // checksum within their 53 exact bits.
    Some(std::hint::black_box(x) >> 11)
}

/// Blocks the calling worker for `ms`: a thread waiting on I/O. Only for workers (the
/// main thread of a page may not block); std's sleep waits with `memory.atomic.wait32`.
/// Sleeps in short steps so that a cancelled run lets go within about 10 ms.
pub fn block_for(ms: f64) {
    let end = now_ms() + ms.max(0.0);
    loop {
        let left = end - now_ms();
        if left <= 0.0 || cancel::requested() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(left.min(10.0) / 1000.0));
    }
}
