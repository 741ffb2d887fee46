//! Properties every simulated trace must have, checked on random workloads and machines.

use cvp_model::sim::{simulate, stats, SimConfig};
use cvp_model::workload::{Task, WorkloadSpec};
use cvp_model::{Phase, Strategy, Trace};
use proptest::prelude::*;
// Our `Strategy` (how a workload runs) shadows proptest's; keep its methods in scope.
use proptest::strategy::Strategy as _;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// Durations that are often 0 and often whole tens, so that events tie as they do on the
/// post's workloads (everything in whole hundreds of ms).
fn duration() -> impl proptest::strategy::Strategy<Value = f64> {
    prop_oneof![
        1 => Just(0.0),
        2 => (1u32..8).prop_map(|x| x as f64 * 10.0),
        2 => 0.0f64..60.0,
    ]
}

fn tasks(max: usize) -> impl proptest::strategy::Strategy<Value = Vec<Task>> {
    prop::collection::vec((duration(), duration()).prop_map(|(load, render)| Task { load, render }), 0..max)
}

fn strategy() -> impl proptest::strategy::Strategy<Value = cvp_model::Strategy> {
    prop::sample::select(Strategy::ALL.to_vec())
}

fn config() -> impl proptest::strategy::Strategy<Value = SimConfig> {
    (
        strategy(),
        prop::option::of(1u32..7),
        prop::option::of(1u32..5),
        prop_oneof![Just(0.0), 0.0f64..30.0],
        prop_oneof![Just(0.0), 0.0f64..5.0],
        prop_oneof![Just(0.0), 0.0f64..3.0],
        prop_oneof![Just(10.0), Just(25.0), 1.0f64..40.0, Just(f64::INFINITY)],
        any::<bool>(),
    )
        .prop_map(|(s, workers, cores, startup, handoff, switch, quantum, semaphore)| {
            SimConfig::ideal(s)
                .with_workers(workers)
                .with_semaphore(semaphore)
                .with_cores(cores)
                .with_startup_ms(startup)
                .with_handoff_ms(handoff)
                .with_switch_cost_ms(switch)
                .with_quantum_ms(quantum)
        })
}

/// Total duration of task `id`'s segments of `phase`.
fn phase_total(trace: &Trace, id: u32, phase: Phase) -> f64 {
    trace.segments().filter(|(_, s)| s.task == Some(id) && s.phase == phase).map(|(_, s)| s.duration()).sum()
}

fn sequential(tasks: &[Task]) -> f64 {
    tasks.iter().fold(0.0, |acc, t| acc + t.load + t.render)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn synchronous_makespan_is_the_sum_of_durations(tasks in tasks(40)) {
        let trace = simulate(&tasks, &SimConfig::ideal(Strategy::Sync));
        prop_assert_eq!(trace.makespan, sequential(&tasks));
        prop_assert_eq!(trace.lanes.len(), 1);
        prop_assert_eq!(trace.max_overlap(|_| true), usize::from(trace.makespan > 0.0));
    }

    #[test]
    fn coroutine_cpu_segments_never_overlap(tasks in tasks(40), cfg in config()) {
        let trace = simulate(&tasks, &cfg.with_strategy(Strategy::Async));
        prop_assert!(trace.max_cpu_overlap() <= 1);
        let trace = simulate(&tasks, &cfg.with_strategy(Strategy::Gil));
        prop_assert!(trace.max_overlap(|s| s.phase == Phase::Rendering) <= 1);
    }

    #[test]
    fn threads_never_exceed_cores_or_workers(tasks in tasks(40), cfg in config()) {
        let trace = simulate(&tasks, &cfg);
        let pool = matches!(cfg.strategy, Strategy::Threads | Strategy::Processes | Strategy::Gil);
        if let (Some(cores), true) = (cfg.cores, pool) {
            prop_assert!(trace.max_cpu_overlap() <= cores as usize);
        }
        if let (Some(workers), true) = (cfg.workers, cfg.strategy != Strategy::Sync) {
            if cfg.strategy == Strategy::Async && cfg.semaphore {
                // A coroutine per task; the permits bound the loads alone.
                prop_assert!(trace.max_overlap(|s| s.phase == Phase::Loading) <= workers.max(1) as usize);
            } else {
                prop_assert!(trace.lanes.len() <= workers as usize);
                prop_assert!(trace.max_overlap(|s| s.phase != Phase::Blocked) <= workers as usize);
            }
        }
        // Whatever the strategy, utilisation is relative to enough cores.
        prop_assert!(trace.max_cpu_overlap() <= trace.cores as usize);
    }

    #[test]
    fn every_task_loads_before_it_renders(tasks in tasks(40), cfg in config()) {
        let trace = simulate(&tasks, &cfg);
        for id in 0..tasks.len() as u32 {
            let record = &trace.tasks[id as usize];
            let of = |phase: Phase| {
                trace.segments().filter(move |(_, s)| s.task == Some(id) && s.phase == phase).map(|(_, s)| s)
            };
            let handoffs_end = of(Phase::Handoff).map(|s| s.end).fold(f64::NEG_INFINITY, f64::max);
            let loads_start = of(Phase::Loading).map(|s| s.start).fold(f64::INFINITY, f64::min);
            let loads_end = of(Phase::Loading).map(|s| s.end).fold(f64::NEG_INFINITY, f64::max);
            let renders_start = of(Phase::Rendering).map(|s| s.start).fold(f64::INFINITY, f64::min);
            prop_assert!(handoffs_end <= loads_start.min(renders_start));
            prop_assert!(loads_end <= renders_start);
            // Every segment of the task is on its record's lane, inside its record.
            for (lane, s) in trace.segments().filter(|(_, s)| s.task == Some(id)) {
                prop_assert_eq!(lane, record.lane as usize);
                prop_assert!(record.start <= s.start && s.end <= record.end);
            }
        }
    }

    #[test]
    fn every_task_gets_exactly_its_durations(tasks in tasks(40), cfg in config()) {
        // Total Loading is the task's load, total Rendering its render (however sliced),
        // and Processes add one hand-off per task.
        let trace = simulate(&tasks, &cfg);
        let handoff = if cfg.strategy == Strategy::Processes { cfg.handoff_ms } else { 0.0 };
        for (id, task) in tasks.iter().enumerate() {
            let id = id as u32;
            prop_assert!(close(phase_total(&trace, id, Phase::Loading), task.load));
            prop_assert!(close(phase_total(&trace, id, Phase::Rendering), task.render));
            prop_assert!(close(phase_total(&trace, id, Phase::Handoff), handoff));
        }
    }

    #[test]
    fn pool_lanes_open_with_their_start_up(tasks in tasks(40), cfg in config()) {
        let trace = simulate(&tasks, &cfg);
        let pool = matches!(cfg.strategy, Strategy::Threads | Strategy::Processes | Strategy::Gil);
        for lane in &trace.lanes {
            let starting: Vec<_> = lane.segments.iter().filter(|s| s.phase == Phase::Starting).collect();
            if pool && cfg.startup_ms > 0.0 {
                let first_work = lane.segments.iter().find(|s| s.phase != Phase::Blocked);
                prop_assert_eq!(first_work.map(|s| s.phase), Some(Phase::Starting));
                prop_assert!(starting.iter().all(|s| s.task.is_none()));
                let total: f64 = starting.iter().map(|s| s.duration()).sum();
                prop_assert!(close(total, cfg.startup_ms));
            } else {
                prop_assert!(starting.is_empty());
            }
        }
    }

    #[test]
    fn cpu_time_is_work_plus_overheads(tasks in tasks(40), cfg in config()) {
        // CPU time is conserved: work plus the strategy's overheads, nothing lost or made up.
        let trace = simulate(&tasks, &cfg);
        let lanes = trace.lanes.len() as f64;
        let (startup, handoff) = match cfg.strategy {
            Strategy::Sync | Strategy::Async => (0.0, 0.0),
            Strategy::Processes => (cfg.startup_ms, cfg.handoff_ms),
            _ => (cfg.startup_ms, 0.0),
        };
        let renders: f64 = tasks.iter().map(|t| t.render).sum();
        let expected = renders + lanes * startup + tasks.len() as f64 * handoff;
        prop_assert!(close(trace.cpu_time(), expected));
    }

    #[test]
    fn more_workers_never_lengthen_the_ideal_makespan(tasks in tasks(25), cfg in config()) {
        // Pools on unlimited cores are list scheduling of independent tasks, which never
        // gets slower with more machines (start-up and hand-off costs included).
        for s in [Strategy::Threads, Strategy::Processes] {
            let cfg = cfg.with_strategy(s).with_cores(None);
            let mut before = f64::INFINITY;
            for w in 1..=tasks.len() as u32 + 1 {
                let makespan = simulate(&tasks, &cfg.with_workers(w)).makespan;
                prop_assert!(makespan <= before, "{:?}: {} workers took {} > {}", s, w, makespan, before);
                before = makespan;
            }
            prop_assert_eq!(simulate(&tasks, &cfg.with_workers(None)).makespan, before);
        }
    }

    #[test]
    fn coroutine_limits_sit_between_the_ideal_and_sync(tasks in tasks(25)) {
        // A semaphore of w coroutines is NOT monotone in w (see
        // `a_wider_coroutine_semaphore_can_be_slower` in sim_cases.rs), but any limit is
        // at least as slow as no limit and never slower than Sync, and a limit of one
        // coroutine is Sync.
        let ideal = simulate(&tasks, &SimConfig::ideal(Strategy::Async)).makespan;
        let sync = sequential(&tasks);
        for w in 1..=tasks.len() as u32 + 1 {
            let makespan = simulate(&tasks, &SimConfig::limited(Strategy::Async, w)).makespan;
            prop_assert!(ideal <= makespan + 1e-9 && makespan <= sync + 1e-9);
            if w == 1 {
                prop_assert!(close(makespan, sync));
            }
            if w as usize >= tasks.len() {
                prop_assert_eq!(makespan, ideal);
            }
        }
    }

    #[test]
    fn a_semaphore_keeps_its_permits_and_without_renders_matches_the_limit(tasks in tasks(25), w in 1u32..7, switch in 0.0f64..3.0) {
        let limit = SimConfig::limited(Strategy::Async, w).with_switch_cost_ms(switch);
        let semaphore = simulate(&tasks, &limit.with_semaphore(true));
        prop_assert!(semaphore.max_overlap(|s| s.phase == Phase::Loading) <= w as usize);
        prop_assert!(semaphore.max_overlap(|s| s.phase == Phase::Rendering) <= 1, "one thread");
        prop_assert_eq!(semaphore.lanes.len(), tasks.len());
        // With nothing to render, a permit held for the load is a place held for the task.
        let loads: Vec<Task> = tasks.iter().map(|t| Task { render: 0.0, ..*t }).collect();
        let a = simulate(&loads, &limit.with_semaphore(true)).makespan;
        let b = simulate(&loads, &limit).makespan;
        prop_assert!(close(a, b), "{} != {}", a, b);
    }

    #[test]
    fn traces_validate(tasks in tasks(40), cfg in config()) {
        let trace = simulate(&tasks, &cfg);
        prop_assert_eq!(trace.validate(), Ok(()));
        prop_assert_eq!(trace.tasks.len(), tasks.len());
        // The run ends when its last task does, or when the last thread of the pool has
        // started (threads are created at time 0 and joined, so one still starting on a
        // busy core when the work runs out still counts): never later than both.
        let last_end = trace.tasks.iter().map(|t| t.end).fold(0.0, f64::max);
        let last_start_up = trace
            .segments()
            .filter(|(_, s)| s.phase == Phase::Starting)
            .map(|(_, s)| s.end)
            .fold(0.0, f64::max);
        prop_assert!(close(trace.makespan, last_end.max(last_start_up)));
        prop_assert!(last_end <= trace.makespan + 1e-9);
        let st = stats(&trace);
        prop_assert!((0.0..=1.0).contains(&st.cpu_utilisation));
        prop_assert!(close(st.sequential, sequential(&tasks)));
    }

    #[test]
    fn same_seed_same_trace(n in 0u32..60, seed in any::<u64>(), cfg in config()) {
        let a = simulate(&WorkloadSpec::pixels(n, seed).draw(), &cfg);
        let b = simulate(&WorkloadSpec::pixels(n, seed).draw(), &cfg);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn zero_and_one_task_workloads(task in (duration(), duration()), cfg in config()) {
        let empty = simulate(&[], &cfg);
        prop_assert_eq!(empty.makespan, 0.0);
        prop_assert_eq!(empty.segments().count(), 0);
        prop_assert!(empty.lanes.len() <= 1);
        prop_assert_eq!(empty.validate(), Ok(()));

        let one = [Task { load: task.0, render: task.1 }];
        let trace = simulate(&one, &cfg);
        prop_assert_eq!(trace.validate(), Ok(()));
        prop_assert_eq!(trace.lanes.len(), 1);
        let overhead = match cfg.strategy {
            Strategy::Sync | Strategy::Async => 0.0,
            Strategy::Threads | Strategy::Gil => cfg.startup_ms,
            Strategy::Processes => cfg.startup_ms + cfg.handoff_ms,
        };
        prop_assert!(close(trace.makespan, overhead + task.0 + task.1));
        prop_assert_eq!(trace.max_overlap(|s| s.phase == Phase::Blocked), 0);
    }

    #[test]
    fn ideal_threads_take_as_long_as_the_longest_task(tasks in tasks(40)) {
        let trace = simulate(&tasks, &SimConfig::ideal(Strategy::Threads));
        let longest = tasks.iter().map(|t| t.load + t.render).fold(0.0, f64::max);
        prop_assert_eq!(trace.makespan, longest);
        prop_assert_eq!(trace.max_overlap(|s| s.phase == Phase::Blocked), 0);
    }

    #[test]
    fn ideal_coroutines_sit_between_ideal_threads_and_sync(tasks in tasks(40)) {
        let threads = simulate(&tasks, &SimConfig::ideal(Strategy::Threads)).makespan;
        let coroutines = simulate(&tasks, &SimConfig::ideal(Strategy::Async)).makespan;
        prop_assert!(threads <= coroutines);
        prop_assert!(coroutines <= sequential(&tasks) + 1e-9);
    }

    #[test]
    fn cpu_only_coroutines_match_sync(
        renders in prop::collection::vec(duration(), 0..40),
        workers in prop::option::of(1u32..8),
    ) {
        let tasks: Vec<Task> = renders.iter().map(|&render| Task { load: 0.0, render }).collect();
        let sync = simulate(&tasks, &SimConfig::ideal(Strategy::Sync)).makespan;
        let coroutines = simulate(&tasks, &SimConfig::ideal(Strategy::Async).with_workers(workers)).makespan;
        prop_assert_eq!(coroutines, sync);
    }

    #[test]
    fn cpu_only_gil_is_never_faster_than_sync(
        renders in prop::collection::vec(duration(), 0..40),
        cfg in config(),
    ) {
        let tasks: Vec<Task> = renders.iter().map(|&render| Task { load: 0.0, render }).collect();
        let sync = simulate(&tasks, &SimConfig::ideal(Strategy::Sync)).makespan;
        let gil = simulate(&tasks, &cfg.with_strategy(Strategy::Gil)).makespan;
        prop_assert!(gil + 1e-9 >= sync);
        // With free switches and start-up, the lock serialises the work and nothing else.
        let free = cfg.with_strategy(Strategy::Gil).with_switch_cost_ms(0.0).with_startup_ms(0.0);
        prop_assert!(close(simulate(&tasks, &free).makespan, sync));
    }

    #[test]
    fn the_lock_changes_hands_at_the_switch_interval(
        renders in prop::collection::vec(1.0f64..60.0, 2..12),
        workers in 2u32..5,
        quantum in prop_oneof![Just(5.0), 1.0f64..20.0],
        switch in prop_oneof![Just(0.0), 0.0f64..1.0],
    ) {
        // The real run's rule (crates/web/src/runs/pool.rs): a thread computing under the
        // lock lets it go once it has held it a switch interval and another thread waits.
        // So while a thread waits for the lock, the holder keeps computing at most one
        // interval after the wait began (or after it took the lock, if later).
        let tasks: Vec<Task> = renders.iter().map(|&render| Task { load: 0.0, render }).collect();
        let cfg = SimConfig::limited(Strategy::Gil, workers).with_quantum_ms(quantum).with_switch_cost_ms(switch);
        let trace = simulate(&tasks, &cfg);
        let eps = 1e-6;
        for (a, s) in trace.segments().filter(|(_, s)| s.phase == Phase::Rendering) {
            for (b, w) in trace.segments().filter(|(_, w)| w.phase == Phase::Blocked) {
                let waited_throughout = b != a && w.start < s.end - eps && w.end >= s.end - eps;
                if waited_throughout {
                    let held = s.end - s.start.max(w.start);
                    prop_assert!(held <= quantum + eps, "lane {a} computed {held} ms while lane {b} waited (interval {quantum})");
                }
            }
        }
        // And the turns are real: with two tasks longer than an interval, the lock changes hands
        // before either finishes.
        let long = renders.iter().filter(|&&r| r > quantum + 1.0).count();
        if long >= 2 && workers >= 2 && renders[0] > quantum + 1.0 && renders[1] > quantum + 1.0 {
            let first_done = trace.tasks.iter().map(|t| t.end).fold(f64::INFINITY, f64::min);
            let lanes_before: std::collections::BTreeSet<usize> = trace
                .segments()
                .filter(|(_, s)| s.phase == Phase::Rendering && s.start < first_done - eps)
                .map(|(l, _)| l)
                .collect();
            prop_assert!(lanes_before.len() >= 2, "threads took turns before the first task finished");
        }
    }

    #[test]
    fn limited_cores_bound_the_makespan(tasks in tasks(40), cfg in config()) {
        // Threads on c cores with no overheads: the run is at least the CPU work spread
        // over c cores, and never longer than doing everything one after another.
        let cfg = cfg.with_strategy(Strategy::Threads).with_startup_ms(0.0);
        let trace = simulate(&tasks, &cfg);
        let cores = cfg.cores.unwrap_or(u32::MAX).min(trace.lanes.len().max(1) as u32) as f64;
        let renders: f64 = tasks.iter().map(|t| t.render).sum();
        prop_assert!(trace.makespan + 1e-9 >= renders / cores);
        prop_assert!(trace.makespan <= sequential(&tasks) + 1e-6);
    }
}
