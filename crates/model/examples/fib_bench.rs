//! Native reference for the browser benchmark: 16 × fib(34) on one thread, the same work
//! `tests/bench.mjs` times in wasm. `cargo run --release -p cvp-model --example fib_bench`
use cvp_model::fib::fib;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let run = || {
        let start = Instant::now();
        let sum: u64 = (0..16).map(|_| fib(black_box(34))).sum();
        black_box(sum);
        start.elapsed().as_secs_f64() * 1000.0
    };
    run(); // warm-up
    let mut times: Vec<f64> = (0..5).map(|_| run()).collect();
    times.sort_by(f64::total_cmp);
    println!("native fib: 16 × fib(34) on one thread: {:.1} ms (median of 5)", times[2]);
    println!("BENCH_NATIVE_FIB_MS {:.3}", times[2]);
}
