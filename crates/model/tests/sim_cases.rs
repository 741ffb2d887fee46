//! Tiny workloads whose traces are worked out by hand, one per strategy, and the post's
//! headline comparisons on its own pixels.

use cvp_model::sim::{simulate, stats, SimConfig, SLICE_BUDGET};
use cvp_model::workload::{Mix, Task, WorkloadSpec};
use cvp_model::{LaneKind, Phase, Strategy, Trace};
use Phase::{Blocked as B, Handoff as H, Loading as L, Rendering as R, Starting as S};

fn task(load: f64, render: f64) -> Task {
    Task { load, render }
}

/// A: load 2 then render 3. B: load 1 then render 4.
fn two_tasks() -> Vec<Task> {
    vec![task(2.0, 3.0), task(1.0, 4.0)]
}

/// Lane `i` as (task, phase, start, end) tuples.
fn lane(trace: &Trace, i: usize) -> Vec<(Option<u32>, Phase, f64, f64)> {
    trace.lanes[i].segments.iter().map(|s| (s.task, s.phase, s.start, s.end)).collect()
}

fn checked(tasks: &[Task], cfg: SimConfig) -> Trace {
    let trace = simulate(tasks, &cfg);
    trace.validate().unwrap();
    trace
}

#[test]
fn sync_runs_one_task_after_the_other() {
    let t = checked(&two_tasks(), SimConfig::ideal(Strategy::Sync));
    assert_eq!(t.lanes.len(), 1);
    assert_eq!(t.lanes[0].kind, LaneKind::Main);
    let (a, b) = (Some(0), Some(1));
    assert_eq!(lane(&t, 0), vec![(a, L, 0.0, 2.0), (a, R, 2.0, 5.0), (b, L, 5.0, 6.0), (b, R, 6.0, 10.0)]);
    assert_eq!(t.makespan, 10.0);
    assert_eq!(t.cores, 1);
}

#[test]
fn coroutines_overlap_loads_and_take_turns_to_render() {
    // Both load from 0. B is loaded first (1) and renders 1..5; A, loaded at 2, waits.
    let t = checked(&two_tasks(), SimConfig::ideal(Strategy::Async));
    let (a, b) = (Some(0), Some(1));
    assert_eq!(t.lanes[0].kind, LaneKind::Coroutine);
    assert_eq!(lane(&t, 0), vec![(a, L, 0.0, 2.0), (a, B, 2.0, 5.0), (a, R, 5.0, 8.0)]);
    assert_eq!(lane(&t, 1), vec![(b, L, 0.0, 1.0), (b, R, 1.0, 5.0)]);
    assert_eq!(t.makespan, 8.0);
    assert_eq!(t.cores, 1);

    // A switch cost delays the coroutine that was waiting, inside its Blocked segment.
    let t = checked(&two_tasks(), SimConfig::ideal(Strategy::Async).with_switch_cost_ms(0.5));
    assert_eq!(lane(&t, 0), vec![(a, L, 0.0, 2.0), (a, B, 2.0, 5.5), (a, R, 5.5, 8.5)]);
    assert_eq!(t.makespan, 8.5);

    // One coroutine at a time is Sync.
    let t = checked(&two_tasks(), SimConfig::limited(Strategy::Async, 1));
    assert_eq!(lane(&t, 0), vec![(a, L, 0.0, 2.0), (a, R, 2.0, 5.0), (b, L, 5.0, 6.0), (b, R, 6.0, 10.0)]);
}

#[test]
fn a_wider_coroutine_semaphore_can_be_slower() {
    // An anomaly of admitting tasks in order as slots free: with 3 slots the short render
    // T3 (load 0) is admitted at 30 and holds the thread until 100, so T4 and then the
    // long load T5 are admitted late (110). With 2 slots T5 is admitted at 102.64.
    let tasks = [
        task(0.0, 30.0),
        task(50.0, 40.0),
        task(50.0, 2.64),
        task(0.0, 70.0),
        task(10.0, 0.0),
        task(53.52, 0.0),
    ];
    let two = checked(&tasks, SimConfig::limited(Strategy::Async, 2)).makespan;
    let three = checked(&tasks, SimConfig::limited(Strategy::Async, 3)).makespan;
    assert!((two - 162.64).abs() < 1e-9, "{two}");
    assert!((three - 163.52).abs() < 1e-9, "{three}");
}

#[test]
fn a_semaphore_sends_the_next_requests_only_after_the_queued_parses() {
    // Eight pages of load 100 and parse 20, four at a time: what the essay measured.
    let pages = vec![task(100.0, 20.0); 8];
    let limit = SimConfig::limited(Strategy::Async, 4);
    // Four coroutines: each sends its next request as its own parse ends.
    let held = checked(&pages, limit);
    let starts = |t: &Trace| -> Vec<f64> {
        (4..8)
            .map(|i| t.segments().find(|(_, s)| s.task == Some(i) && s.phase == L).unwrap().1.start)
            .collect()
    };
    assert_eq!(starts(&held), [120.0, 140.0, 160.0, 180.0]);
    assert_eq!(held.makespan, 300.0);
    // A semaphore of four: the woken coroutines queue behind the four parses.
    let t = checked(&pages, limit.with_semaphore(true));
    assert_eq!(starts(&t), [180.0; 4]);
    assert_eq!(t.makespan, 360.0);
    let (p0, p4) = (Some(0), Some(4));
    assert_eq!(lane(&t, 0), vec![(p0, L, 0.0, 100.0), (p0, R, 100.0, 120.0)]);
    assert_eq!(lane(&t, 4), vec![(p4, B, 0.0, 180.0), (p4, L, 180.0, 280.0), (p4, R, 280.0, 300.0)]);
}

#[test]
fn ideal_threads_run_every_task_at_once() {
    let t = checked(&two_tasks(), SimConfig::ideal(Strategy::Threads));
    let (a, b) = (Some(0), Some(1));
    assert_eq!(t.lanes[0].kind, LaneKind::Thread);
    assert_eq!(lane(&t, 0), vec![(a, L, 0.0, 2.0), (a, R, 2.0, 5.0)]);
    assert_eq!(lane(&t, 1), vec![(b, L, 0.0, 1.0), (b, R, 1.0, 5.0)]);
    assert_eq!(t.makespan, 5.0);
    assert_eq!(t.cores, 2, "unlimited cores: the trace reports the most used at once");
}

#[test]
fn threads_on_one_core_share_it_round_robin() {
    // B renders from 1. A is loaded at 2, exactly when B's 1 ms quantum expires, so it
    // gets the core; from then on they alternate every quantum until A is done at 7.
    let cfg = SimConfig::ideal(Strategy::Threads).with_cores(1).with_quantum_ms(1.0);
    let t = checked(&two_tasks(), cfg);
    let (a, b) = (Some(0), Some(1));
    assert_eq!(
        lane(&t, 0),
        vec![
            (a, L, 0.0, 2.0),
            (a, R, 2.0, 3.0),
            (a, B, 3.0, 4.0),
            (a, R, 4.0, 5.0),
            (a, B, 5.0, 6.0),
            (a, R, 6.0, 7.0)
        ]
    );
    assert_eq!(
        lane(&t, 1),
        vec![
            (b, L, 0.0, 1.0),
            (b, R, 1.0, 2.0),
            (b, B, 2.0, 3.0),
            (b, R, 3.0, 4.0),
            (b, B, 4.0, 5.0),
            (b, R, 5.0, 6.0),
            (b, B, 6.0, 7.0),
            (b, R, 7.0, 8.0)
        ]
    );
    assert_eq!(t.makespan, 8.0);
    assert_eq!(t.cores, 1);
    assert_eq!(t.max_cpu_overlap(), 1);

    // Without preemption the core is held to the end of each render: B 1..5, then A.
    let t = checked(&two_tasks(), cfg.with_quantum_ms(f64::INFINITY));
    assert_eq!(lane(&t, 0), vec![(a, L, 0.0, 2.0), (a, B, 2.0, 5.0), (a, R, 5.0, 8.0)]);
    assert_eq!(lane(&t, 1), vec![(b, L, 0.0, 1.0), (b, R, 1.0, 5.0)]);
}

#[test]
fn a_pool_of_one_thread_is_sync_plus_start_up() {
    let t = checked(&two_tasks(), SimConfig::limited(Strategy::Threads, 1).with_startup_ms(1.0));
    let (a, b) = (Some(0), Some(1));
    assert_eq!(
        lane(&t, 0),
        vec![(None, S, 0.0, 1.0), (a, L, 1.0, 3.0), (a, R, 3.0, 6.0), (b, L, 6.0, 7.0), (b, R, 7.0, 11.0)]
    );
    assert_eq!(t.tasks[1].start, 6.0);
    assert_eq!(t.tasks[1].end, 11.0);
}

#[test]
fn processes_start_up_then_hand_off_every_task() {
    let cfg = SimConfig::ideal(Strategy::Processes).with_startup_ms(10.0).with_handoff_ms(1.0);
    let t = checked(&two_tasks(), cfg);
    let (a, b) = (Some(0), Some(1));
    assert_eq!(t.lanes[0].kind, LaneKind::Process);
    assert_eq!(
        lane(&t, 0),
        vec![(None, S, 0.0, 10.0), (a, H, 10.0, 11.0), (a, L, 11.0, 13.0), (a, R, 13.0, 16.0)]
    );
    assert_eq!(
        lane(&t, 1),
        vec![(None, S, 0.0, 10.0), (b, H, 10.0, 11.0), (b, L, 11.0, 12.0), (b, R, 12.0, 16.0)]
    );
    assert_eq!(t.makespan, 16.0);
    assert_eq!((t.tasks[0].start, t.tasks[0].end), (10.0, 16.0));
}

#[test]
fn gil_threads_take_turns_with_the_lock_and_pay_each_switch() {
    // B takes the free lock at 1. A wants it at 2 when B's quantum expires, so the lock
    // passes to A, arriving 0.5 later; from then on it changes hands every quantum.
    let cfg = SimConfig::ideal(Strategy::Gil).with_switch_cost_ms(0.5).with_quantum_ms(1.0);
    let t = checked(&two_tasks(), cfg);
    let (a, b) = (Some(0), Some(1));
    assert_eq!(
        lane(&t, 0),
        vec![
            (a, L, 0.0, 2.0),
            (a, B, 2.0, 2.5),
            (a, R, 2.5, 3.5),
            (a, B, 3.5, 5.5),
            (a, R, 5.5, 6.5),
            (a, B, 6.5, 8.5),
            (a, R, 8.5, 9.5)
        ]
    );
    assert_eq!(
        lane(&t, 1),
        vec![
            (b, L, 0.0, 1.0),
            (b, R, 1.0, 2.0),
            (b, B, 2.0, 4.0),
            (b, R, 4.0, 5.0),
            (b, B, 5.0, 7.0),
            (b, R, 7.0, 8.0),
            (b, B, 8.0, 10.0),
            (b, R, 10.0, 11.0)
        ]
    );
    // 1 (B's load) + 7 of rendering + 6 switches of 0.5.
    assert_eq!(t.makespan, 11.0);
    assert_eq!(t.max_overlap(|s| s.phase == R), 1);
}

#[test]
fn cpu_only_gil_is_sync_plus_the_switches() {
    // Renders of 3 and 4 on 2 threads, 1 ms quantum: the lock changes hands after every
    // quantum until thread 1 is alone (5 switches), and then it just keeps the lock.
    let tasks = [task(0.0, 3.0), task(0.0, 4.0)];
    let cfg = SimConfig::ideal(Strategy::Gil).with_switch_cost_ms(0.5).with_quantum_ms(1.0);
    let t = checked(&tasks, cfg);
    assert_eq!(t.makespan, 7.0 + 5.0 * 0.5);
    assert_eq!(t.lanes[1].segments.last().map(|s| (s.start, s.end)), Some((7.5, 9.5)));
    let sync = checked(&tasks, SimConfig::ideal(Strategy::Sync)).makespan;
    assert_eq!(checked(&tasks, cfg.with_switch_cost_ms(0.0)).makespan, sync);
}

#[test]
fn empty_workloads_give_empty_traces() {
    for s in Strategy::ALL {
        let t = checked(&[], SimConfig::ideal(s).with_cores(2).with_startup_ms(5.0));
        assert_eq!(t.makespan, 0.0);
        assert!(t.tasks.is_empty());
        assert_eq!(t.segments().count(), 0);
        assert_eq!(stats(&t).speedup, 1.0);
    }
}

#[test]
fn zero_length_phases_leave_no_segments() {
    let tasks = [task(0.0, 0.0), task(3.0, 0.0), task(0.0, 2.0)];
    for s in Strategy::ALL {
        let t = checked(&tasks, SimConfig::limited(s, 2));
        assert!(t.segments().all(|(_, s)| s.end > s.start), "{s:?}");
        assert!(t.segments().all(|(_, s)| s.task != Some(0)), "{s:?}");
    }
}

#[test]
fn nonsense_durations_count_as_zero() {
    let tasks = [task(-5.0, f64::NAN), task(f64::INFINITY, 2.0)];
    for s in Strategy::ALL {
        let cfg = SimConfig::ideal(s).with_quantum_ms(-1.0).with_switch_cost_ms(f64::NAN).with_cores(0);
        let t = checked(&tasks, cfg);
        assert_eq!(t.makespan, 2.0, "{s:?}");
    }
}

#[test]
fn the_posts_pixels_tell_the_posts_story() {
    let pixels = WorkloadSpec::pixels(16, 2018).draw();
    let run = |cfg: SimConfig| checked(&pixels, cfg).makespan;
    let sync = run(SimConfig::ideal(Strategy::Sync));
    let coroutines = run(SimConfig::ideal(Strategy::Async));
    let threads = run(SimConfig::ideal(Strategy::Threads));
    let longest = pixels.iter().map(|t| t.load + t.render).fold(0.0, f64::max);
    let renders: f64 = pixels.iter().map(|t| t.render).sum();
    // Threads in an ideal world: as long as the longest pixel.
    assert_eq!(threads, longest);
    // Coroutines hide the loads but render one pixel at a time.
    assert!(threads <= coroutines && coroutines < sync);
    assert!(coroutines >= renders);
    // The global lock makes threads no better than coroutines at rendering.
    let gil = run(SimConfig::ideal(Strategy::Gil));
    assert!(gil >= renders && gil < sync);

    // CPU-only work: coroutines are exactly Sync, the GIL is no faster, threads on 4
    // cores are about 4 times faster.
    let cpu = WorkloadSpec::pixels(16, 2018).with_mix(Mix::CpuOnly).draw();
    let run = |cfg: SimConfig| checked(&cpu, cfg).makespan;
    let sync = run(SimConfig::ideal(Strategy::Sync));
    assert_eq!(run(SimConfig::ideal(Strategy::Async)), sync);
    assert!(run(SimConfig::ideal(Strategy::Gil).with_switch_cost_ms(1.0)) > sync);
    let four = run(SimConfig::ideal(Strategy::Threads).with_cores(4));
    assert!(four >= sync / 4.0 && four < sync / 3.0, "{four} vs {sync}");
}

#[test]
fn stats_summarise_a_run() {
    let t = checked(&two_tasks(), SimConfig::ideal(Strategy::Async));
    let st = stats(&t);
    assert_eq!(st.makespan, 8.0);
    assert_eq!(st.sequential, 10.0);
    assert_eq!(st.speedup, 10.0 / 8.0);
    assert_eq!((st.io_time, st.render_time, st.blocked_time, st.overhead_time), (3.0, 7.0, 3.0, 0.0));
    assert_eq!(st.cpu_utilisation, 7.0 / 8.0);
    assert_eq!(st.lanes, 2);
    assert_eq!(st.max_cpu_overlap, 1);
    assert_eq!(st.mean_task_ms, (8.0 + 5.0) / 2.0);
    assert_eq!(st.max_task_ms, 8.0);
}

#[test]
fn time_slicing_stays_bounded_on_huge_workloads() {
    // 20,000 one-second renders, 8 threads on 2 cores, 100 ms quantum: 200,000 slices,
    // twice the budget, so the quantum is stretched to 200 ms.
    let tasks = vec![task(0.0, 1000.0); 20_000];
    let cfg = SimConfig::limited(Strategy::Threads, 8).with_cores(2);
    let t = checked(&tasks, cfg);
    let slices = t.segments().filter(|(_, s)| s.phase == R).count();
    assert!(slices as f64 <= SLICE_BUDGET + tasks.len() as f64, "{slices} slices");
    assert!(slices > tasks.len(), "still time-sliced");
    assert_eq!(t.max_cpu_overlap(), 2);
    assert!((t.makespan - 20_000.0 * 1000.0 / 2.0).abs() < 1e-3, "{}", t.makespan);
}
