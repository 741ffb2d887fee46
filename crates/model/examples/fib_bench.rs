//! Native reference for the browser benchmark: 16 × fib(34) on one thread, the same work
//! `tests/bench.mjs` times in wasm, through the same function the wasm runs
//! (`fib_cancellable`, asking an opaque "stop?" at every call from n = 24 up, as the runner
//! asks whether the run was cancelled). Run it with the profile the site's wasm is built
//! with, so that the two compare the same compiled algorithm:
//!
//!   cargo run --profile web -p cvp-model --example fib_bench -- web   # as the site's wasm
//!   cargo run --release -p cvp-model --example fib_bench -- release   # opt-level 3
//!
//! The argument only names the profile in the output. The two profiles differ: on the 2-core
//! test machine (2026-12-04) the same call took 235–238 ms at opt-level 3 and 343–344 ms at
//! "z", the site's. An earlier native reference (opt-level 3, plain `fib`) against the wasm
//! ("z", `fib_cancellable`) compared two different compiled programs.
use cvp_model::fib::{fib, fib_cancellable};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What the wasm's runner polls: one atomic flag, never set here.
static CANCELLED: AtomicBool = AtomicBool::new(false);

fn median_ms(f: impl Fn() -> u64) -> f64 {
    let run = || {
        let start = Instant::now();
        black_box(f());
        start.elapsed().as_secs_f64() * 1000.0
    };
    run(); // warm-up
    let mut times: Vec<f64> = (0..5).map(|_| run()).collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn main() {
    let profile = std::env::args().nth(1).unwrap_or_else(|| "unnamed".into());
    let stop = || CANCELLED.load(Ordering::Relaxed);
    let same = median_ms(|| (0..16).map(|_| fib_cancellable(black_box(34), &stop).unwrap_or(0)).sum());
    let plain = median_ms(|| (0..16).map(|_| fib(black_box(34))).sum());
    println!("native fib ({profile}): 16 × fib(34) on one thread, median of 5:");
    println!("  as the wasm runs it (fib_cancellable, polling a flag): {same:.1} ms");
    println!("  plain recursive fib:                                    {plain:.1} ms");
    println!("BENCH_NATIVE_FIB_MS {same:.3}");
}
