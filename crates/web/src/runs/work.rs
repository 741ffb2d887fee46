//! The work of one task, identical wherever it runs (runner, rayon worker, process).

use super::cancel;
use crate::clock::now_ms;
use cvp_model::fib::fib_cancellable;
use cvp_model::job::Cpu;

/// Does a task's CPU work: its result, or `None` if the run was cancelled meanwhile.
pub fn compute(cpu: Cpu) -> Option<u64> {
    match cpu {
        Cpu::Fib(n) => fib(n),
        Cpu::Parse { ms, seed } => Some(parse(ms, seed)),
    }
}

/// fib(n), or `None` if the run was cancelled meanwhile.
pub fn fib(n: u32) -> Option<u64> {
    fib_cancellable(n, &cancel::requested)
}

/// Spends `ms` of CPU time "parsing" a page and returns a checksum of the work, so the
/// loop cannot be optimised away. Returns early if the run is cancelled.
pub fn parse(ms: f64, seed: u64) -> u64 {
    let end = now_ms() + ms;
    let mut x = seed | 1;
    while now_ms() < end && !cancel::requested() {
        for _ in 0..1000 {
            // xorshift64: cheap, and its result depends on every step.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
    }
    x
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
