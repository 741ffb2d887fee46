//! Times the simulator on 100,000 pixels under every strategy, ideal and limited.
//!
//! `cargo run --release -p cvp-model --example sim_bench` prints, per configuration, the
//! median and best wall time of several runs, the median CPU time of the thread (Linux
//! only, and only as fine as the kernel's scheduler tick, often 4 ms; but it stays
//! meaningful on a busy machine, where wall times include waiting for a core), and the
//! size of the trace produced. A first argument keeps only the configurations whose name
//! contains it (`-- gil`), a second sets the number of runs.

use cvp_model::sim::{simulate, SimConfig};
use cvp_model::workload::{Mix, Task, WorkloadSpec};
use cvp_model::Strategy;
use std::time::Instant;

const TASKS: u32 = 100_000;

fn main() {
    let pixels = WorkloadSpec::pixels(TASKS, 2018).draw();
    let cpu_only = WorkloadSpec::pixels(TASKS, 2018).with_mix(Mix::CpuOnly).draw();
    let ideal = SimConfig::ideal;
    let limited = SimConfig::limited;
    let processes = |cfg: SimConfig| cfg.with_startup_ms(500.0).with_handoff_ms(20.0);
    let cases: Vec<(&str, &[Task], SimConfig)> = vec![
        ("sync", &pixels, ideal(Strategy::Sync)),
        ("async ideal", &pixels, ideal(Strategy::Async)),
        ("async 32 in flight", &pixels, limited(Strategy::Async, 32)),
        ("threads ideal", &pixels, ideal(Strategy::Threads)),
        ("threads 32, ideal cores", &pixels, limited(Strategy::Threads, 32)),
        ("threads ideal, 4 cores", &pixels, ideal(Strategy::Threads).with_cores(4)),
        ("threads 8 on 4 cores", &pixels, limited(Strategy::Threads, 8).with_cores(4)),
        ("threads 32 on 4 cores", &pixels, limited(Strategy::Threads, 32).with_cores(4)),
        ("threads 32 on 4, cpu-only", &cpu_only, limited(Strategy::Threads, 32).with_cores(4)),
        ("processes ideal", &pixels, processes(ideal(Strategy::Processes))),
        ("processes 8 on 4 cores", &pixels, processes(limited(Strategy::Processes, 8).with_cores(4))),
        ("gil ideal", &pixels, ideal(Strategy::Gil).with_switch_cost_ms(5.0)),
        ("gil 32 on 4 cores", &pixels, limited(Strategy::Gil, 32).with_cores(4).with_switch_cost_ms(5.0)),
        ("gil 8, cpu-only", &cpu_only, limited(Strategy::Gil, 8).with_switch_cost_ms(5.0)),
    ];

    let filter = std::env::args().nth(1).unwrap_or_default();
    let runs: usize = std::env::args().nth(2).and_then(|r| r.parse().ok()).unwrap_or(9).max(1);
    println!("{TASKS} tasks, {runs} runs each\n");
    println!(
        "{:<27} {:>10} {:>8} {:>10} {:>7} {:>9} {:>11}",
        "configuration", "median ms", "best ms", "cpu ms", "lanes", "segments", "makespan s"
    );
    for (name, tasks, cfg) in cases.into_iter().filter(|(name, ..)| name.contains(filter.as_str())) {
        let mut wall = Vec::with_capacity(runs);
        let mut cpu = Vec::with_capacity(runs);
        let mut trace = None;
        for _ in 0..runs {
            drop(trace.take());
            let (start, start_cpu) = (Instant::now(), thread_cpu_ms());
            let t = simulate(tasks, &cfg);
            wall.push(start.elapsed().as_secs_f64() * 1e3);
            if let (Some(a), Some(b)) = (start_cpu, thread_cpu_ms()) {
                cpu.push(b - a);
            }
            trace = Some(t);
        }
        let trace = trace.expect("at least one run");
        println!(
            "{:<27} {:>10.1} {:>8.1} {:>10} {:>7} {:>9} {:>11.1}",
            name,
            median(&mut wall),
            wall[0],
            if cpu.is_empty() { "n/a".to_string() } else { format!("{:.1}", median(&mut cpu)) },
            trace.lanes.len(),
            trace.segments().count(),
            trace.makespan / 1e3
        );
    }
}

/// Sorts `xs` and returns its median.
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Time this thread has spent on a CPU (ms), from Linux's schedstat; `None` elsewhere.
fn thread_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e6)
}
