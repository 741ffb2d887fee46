//! Every strategy of both workloads, run for real: correct results and well-formed traces
//! that show what each strategy can and cannot do.

mod common;

use common::{ensure_pool, POOL};
use cvp_model::fib::fib;
use cvp_model::job::{Job, Workload};
use cvp_model::{LaneKind, Phase, Strategy, Trace};
use cvp_web::runs;
use cvp_web::worker::protocol::Capabilities;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn caps() -> Capabilities {
    Capabilities {
        isolated: true,
        shared_memory: true,
        hardware_threads: POOL as u32,
        pool_threads: POOL as u32,
        ..Capabilities::none()
    }
}

async fn run(workload: Workload, strategy: Strategy, threads: u32, limit: Option<u32>) -> Trace {
    run_job(Job {
        workload,
        strategy,
        threads,
        limit,
        switch_interval_ms: cvp_model::job::SWITCH_INTERVAL_MS,
        pooled: false,
        semaphore: false,
    })
    .await
}

async fn run_job(job: Job) -> Trace {
    let workload = job.workload;
    ensure_pool().await;
    let done = Arc::new(AtomicU32::new(0));
    let trace = runs::run(&job, &caps(), done.clone()).await.expect("runs").expect("not cancelled");
    trace.validate().expect("a well-formed trace");
    assert_eq!(
        done.load(std::sync::atomic::Ordering::Relaxed),
        workload.tasks(),
        "progress counts every task"
    );
    trace
}

const FIB: Workload = Workload::Fib { tasks: 8, n: 27 };

fn assert_fib_values(trace: &Trace) {
    assert_eq!(trace.tasks.len(), 8);
    for t in &trace.tasks {
        assert_eq!(t.value, Some(fib(27)), "task {}", t.id);
    }
}

#[wasm_bindgen_test]
async fn sync_fib_runs_one_task_at_a_time_on_one_lane() {
    let t = run(FIB, Strategy::Sync, 1, None).await;
    assert_fib_values(&t);
    assert_eq!(t.lanes.len(), 1);
    assert_eq!(t.lanes[0].kind, LaneKind::Main);
    assert_eq!(t.max_cpu_overlap(), 1);
}

#[wasm_bindgen_test]
async fn async_fib_never_has_two_busy_lanes_at_once() {
    let t = run(FIB, Strategy::Async, 1, None).await;
    assert_fib_values(&t);
    assert_eq!(t.lanes.len(), 8, "one coroutine per task");
    assert_eq!(t.max_cpu_overlap(), 1, "coroutines share one thread");
}

#[wasm_bindgen(inline_js = r#"
export function watch_ports() {
  const Native = globalThis.MessageChannel;
  const open = new Set();
  globalThis.MessageChannel = class extends Native {
    constructor() {
      super();
      for (const port of [this.port1, this.port2]) {
        open.add(port);
        const close = port.close.bind(port);
        port.close = () => { open.delete(port); close(); };
      }
    }
  };
  return () => { globalThis.MessageChannel = Native; return open.size; };
}"#)]
extern "C" {
    /// Counts the ports of every channel made from now on and not closed; the function it
    /// returns stops counting and says how many are open.
    fn watch_ports() -> js_sys::Function;
}

/// Coroutines hand over through a channel at each yield. A port that listens lives until it
/// is closed: a channel per yield, never closed, made WebKit's hand-overs slower with each
/// run. Yields and coroutine runs may keep one channel open, not one each.
#[wasm_bindgen_test]
async fn yields_leave_no_channel_open_behind_them() {
    let stop = watch_ports();
    for _ in 0..50 {
        runs::local::yield_now().await;
    }
    for _ in 0..3 {
        assert_fib_values(&run(FIB, Strategy::Async, 1, None).await);
    }
    let open = stop.call0(&JsValue::NULL).expect("counting ports").as_f64().expect("a count");
    assert!(open <= 2.0, "74 yields left {open} ports open");
}

#[wasm_bindgen_test]
async fn threads_fib_overlaps_on_two_lanes() {
    let t = run(Workload::Fib { tasks: 8, n: 30 }, Strategy::Threads, POOL as u32, None).await;
    assert_eq!(t.tasks.len(), 8);
    assert!(t.tasks.iter().all(|r| r.value == Some(fib(30))));
    assert!(
        t.lanes.len() >= 2,
        "both workers ran tasks: {:?}",
        t.lanes.iter().map(|l| &l.label).collect::<Vec<_>>()
    );
    assert!(t.max_cpu_overlap() >= 2, "two workers computed at the same time");
}

#[wasm_bindgen_test]
async fn one_thread_asked_means_one_lane() {
    let t = run(FIB, Strategy::Threads, 1, None).await;
    assert_fib_values(&t);
    assert_eq!(t.max_cpu_overlap(), 1);
}

/// Tasks longer than the switch interval, and enough of them that a slow-waking thread still
/// finds one: a thread that asks for the lock while another computes waits for that thread's
/// next switch. In WebKit, with `FIB`'s tasks of well under a millisecond, the second thread
/// once asked only between two tasks and never waited; with 4 × fib(31), 13 ms in all, it once
/// woke after the first thread had computed them all.
const GIL_FIB: Workload = Workload::Fib { tasks: 8, n: 33 };

#[wasm_bindgen_test]
async fn gil_fib_computes_one_task_at_a_time() {
    let t = run(GIL_FIB, Strategy::Gil, POOL as u32, None).await;
    assert_eq!(t.tasks.len(), 8);
    assert!(t.tasks.iter().all(|task| task.value == Some(fib(33))), "each task computes fib(33)");
    let both = longest_double_compute(&t);
    assert!(both < 0.1, "the lock lets one thread compute at a time: two computed together for {both:.3} ms");
    // On more than one thread, taking turns: one thread alone (sync) would pass the above.
    let computing = t.lanes.iter().filter(|l| l.segments.iter().any(|s| s.phase == Phase::Rendering)).count();
    assert!(computing >= 2, "{computing} thread(s) computed: the lock's threads take turns");
    assert!(
        t.segments().any(|(_, s)| s.phase == Phase::Blocked && s.end > s.start),
        "a thread waited for the lock"
    );
}

/// The longest time two lanes computed at once (ms). Under the lock it is zero up to the
/// clocks of different workers, which agree to within some microseconds.
fn longest_double_compute(t: &Trace) -> f64 {
    let renders: Vec<(usize, f64, f64)> =
        t.segments().filter(|(_, s)| s.phase == Phase::Rendering).map(|(l, s)| (l, s.start, s.end)).collect();
    let mut longest = 0.0f64;
    for (i, a) in renders.iter().enumerate() {
        for b in &renders[i + 1..] {
            if a.0 != b.0 {
                longest = longest.max(a.2.min(b.2) - a.1.max(b.1));
            }
        }
    }
    longest
}

/// The lock's turns: for each task, how many separate Rendering segments it had.
fn turns(t: &Trace) -> Vec<usize> {
    let mut turns = vec![0; t.tasks.len()];
    for (_, s) in t.segments() {
        if let (Some(task), Phase::Rendering) = (s.task, s.phase) {
            turns[task as usize] += 1;
        }
    }
    turns
}

#[wasm_bindgen_test]
async fn gil_threads_take_turns_at_the_switch_interval_and_gain_nothing() {
    // Four tasks of about 15 ms on two threads, switching every millisecond.
    let work = Workload::Fib { tasks: 4, n: 32 };
    let gil = run_job(Job {
        workload: work,
        strategy: Strategy::Gil,
        threads: 2,
        limit: None,
        switch_interval_ms: 1.0,
        pooled: false,
        semaphore: false,
    })
    .await;
    assert!(gil.tasks.iter().all(|r| r.value == Some(fib(32))));
    assert_eq!(gil.lanes.len(), 2, "two threads ran");
    let both = longest_double_compute(&gil);
    assert!(both < 0.1, "one computes at a time: two lanes computed together for {both:.3} ms");
    let turns = turns(&gil);
    assert!(turns.iter().any(|&n| n >= 3), "a task is interrupted at the switch interval: {turns:?}");
    let mid_task_waits = gil
        .segments()
        .filter(|(_, s)| s.phase == Phase::Blocked && s.task.is_some() && s.duration() > 0.5)
        .count();
    assert!(mid_task_waits >= 2, "a thread waits for the lock between its turns: {mid_task_waits}");
    // Hand-offs: the lane computing changes from one Rendering segment to the next.
    let mut renders: Vec<(f64, usize)> =
        gil.segments().filter(|(_, s)| s.phase == Phase::Rendering).map(|(l, s)| (s.start, l)).collect();
    renders.sort_by(|a, b| a.0.total_cmp(&b.0));
    let handoffs = renders.windows(2).filter(|w| w[0].1 != w[1].1).count();
    assert!(handoffs >= 4, "the lock passes between the threads: {handoffs} hand-offs");
    // Gaining nothing, exactly: one computes at a time, so the run lasts at least as long as
    // all its computing added up.
    let computing: f64 =
        gil.segments().filter(|(_, s)| s.phase == Phase::Rendering).map(|(_, s)| s.duration()).sum();
    assert!(gil.makespan >= computing - 0.1, "{:.1} ms for {computing:.1} ms of computing", gil.makespan);
    // And against the same work on one thread alone (the fastest of three interleaved
    // rounds each: noise only slows a run). Not 1.0: on this project's 2-core VMs, two
    // threads handing the lock over every millisecond came out up to 11 % faster than one
    // thread computing without a pause (seen twice in CI, debug build; not pinned down:
    // each core resting half the time, or the host's scheduling). A lock that let both
    // compute at once would take about half as long, and fail here.
    let (mut locked, mut alone) = (gil.makespan, f64::INFINITY);
    for _ in 0..3 {
        alone = alone.min(run(work, Strategy::Threads, 1, None).await.makespan);
        let job = Job {
            workload: work,
            strategy: Strategy::Gil,
            threads: 2,
            limit: None,
            switch_interval_ms: 1.0,
            pooled: false,
            semaphore: false,
        };
        locked = locked.min(run_job(job).await.makespan);
    }
    assert!(
        locked >= 0.75 * alone,
        "the lock gains nothing over one thread alone: {locked:.1} ms against {alone:.1} ms"
    );
}

#[wasm_bindgen_test]
async fn processes_fib_overlap_and_their_start_up_is_inside_the_run() {
    // Enough work (about 100 ms of one core) that the second process is up before the first
    // has done it all: in WebKit the two came up tens of ms apart, and with FIB's 8 ms of
    // work the first had finished every task alone ("two processes computed at once" failed).
    let t = run(Workload::Fib { tasks: 16, n: 31 }, Strategy::Processes, 2, None).await;
    assert_eq!(t.tasks.len(), 16);
    assert!(t.tasks.iter().all(|r| r.value == Some(fib(31))), "every process computed fib(31)");
    assert!(t.lanes.iter().all(|l| l.kind == LaneKind::Process));
    assert!(t.segments().any(|(_, s)| s.phase == Phase::Handoff), "hand-offs are drawn");
    for (i, lane) in t.lanes.iter().enumerate() {
        let first = lane.segments.first().expect("a process that ran");
        assert_eq!(first.phase, Phase::Starting, "lane {i} starts with its start-up");
        assert!(first.start >= 0.0 && first.end <= t.makespan, "start-up is inside the wall time");
        assert!(lane.segments[1..].iter().all(|s| s.start >= first.end), "tasks come after start-up");
    }
    assert!(t.max_overlap(|s| s.phase == Phase::Rendering) >= 2, "two processes computed at once");
}

#[wasm_bindgen_test]
async fn pooled_processes_start_before_the_clock() {
    let work = Workload::Fib { tasks: 16, n: 31 };
    let fresh = run(work, Strategy::Processes, 2, None).await;
    let startup = fresh.startup_ms().expect("fresh processes start inside the run");
    let job = Job {
        pooled: true,
        semaphore: false,
        ..Job {
            workload: work,
            strategy: Strategy::Processes,
            threads: 2,
            limit: None,
            switch_interval_ms: 5.0,
            pooled: false,
            semaphore: false,
        }
    };
    let t = run_job(job).await;
    assert!(t.tasks.iter().all(|r| r.value == Some(fib(31))), "every process computed fib(31)");
    assert_eq!(t.startup_ms(), None, "no start-up inside a pooled run");
    for (i, lane) in t.lanes.iter().enumerate() {
        let first = lane.segments.first().expect("a process that ran");
        // Ready when the clock started: each took its first task within a message's time,
        // not a worker's start-up (fresh, {startup} ms here).
        assert!(
            first.start < startup / 2.0,
            "lane {i}'s first task began at {} ms; fresh start-up took {startup} ms",
            first.start
        );
    }
}

#[wasm_bindgen_test]
async fn fib_on_more_threads_than_the_pool_has_time_slices() {
    // Work that outlasts the pool's wake-ups: with 8 × fib(27) (about 4 ms of one core in
    // all), WebKit's first two threads to wake once computed every task before a third took
    // one ("2 threads computed at once", 1 run of 12 of this file alone). 16 × fib(34) took
    // about 120 ms on 2 cores there, built unoptimised.
    let n = 34;
    let t = run(Workload::Fib { tasks: 16, n }, Strategy::Threads, 4 * POOL as u32, None).await;
    assert_eq!(t.tasks.len(), 16);
    assert!(t.tasks.iter().all(|r| r.value == Some(fib(n))), "every thread computed fib({n})");
    assert_eq!(t.lanes.len(), 4 * POOL, "one lane per thread asked for");
    // More threads computing at once than the pool has cores: only the OS slicing their
    // time makes that possible (a pool capped at its cores would compute on 2 at most).
    let at_once = t.max_overlap(|s| s.phase == Phase::Rendering);
    assert!(at_once > POOL, "{at_once} threads computed at once on {POOL} cores");
}

#[wasm_bindgen_test]
async fn pages_on_more_threads_than_cores_wait_together_once_the_pool_is_up() {
    const N: u32 = 24;
    let pages = Workload::Fetch { tasks: N, latency_ms: LATENCY, parse_ms: 0.0 };
    // Threads that only wait need no core: most of the 24 wait at the same instant, far more
    // than the 2 (or, in WebKit, 4) cores could run, and all have waited well before rounds
    // of one wait per core would end (24 / 4 x 200 ms = 1.2 s). Not "within one latency":
    // in WebKit on 2 cores the pool's sleeping threads take up to 400 ms to all wake and
    // take a task (rayon wakes them one by one), and a 200 ms wait can last 240.
    let together = |t: &Trace| t.max_overlap(|s| s.phase == Phase::Loading);
    // A fresh pool of 24 threads: its start-up is drawn, then the waits overlap.
    let fresh = run(pages, Strategy::Threads, N, None).await;
    assert_eq!(fresh.lanes.len(), N as usize, "one lane per thread");
    let ready =
        fresh.segments().filter(|(_, s)| s.phase == Phase::Starting).map(|(_, s)| s.end).fold(0.0, f64::max);
    assert!(ready > 0.0, "a pool started for the run shows its start-up");
    assert!(together(&fresh) >= N as usize / 2, "{} of {N} pages waited at once", together(&fresh));
    let last_wait =
        fresh.segments().filter(|(_, s)| s.phase == Phase::Loading).map(|(_, s)| s.end).fold(0.0, f64::max);
    assert!(
        last_wait - ready < 4.0 * LATENCY,
        "{N} pages on {N} threads wait together: the last wait ended {:.0} ms after the pool was up",
        last_wait - ready
    );
    // The same size again reuses it: no start-up, and the waits overlap again.
    let reused = run(pages, Strategy::Threads, N, None).await;
    assert!(!reused.segments().any(|(_, s)| s.phase == Phase::Starting), "a reused pool starts nothing");
    assert!(together(&reused) >= N as usize / 2, "{} of {N} pages waited at once", together(&reused));
    // Rounds of one wait per hardware thread would take 24 / 4 x 200 ms = 1.2 s in WebKit,
    // which reports 4, and 2.4 s here in the others. Not "within 4 latencies": WebKit took
    // 1,060 ms once (1 run of 73), waking the 24 sleeping threads one by one.
    assert!(reused.makespan < 6.0 * LATENCY, "{:.0} ms", reused.makespan);
}

const LATENCY: f64 = 200.0;
const PAGES: Workload = Workload::Fetch { tasks: 10, latency_ms: LATENCY, parse_ms: 0.0 };

#[wasm_bindgen_test]
async fn fetch_async_takes_about_one_latency_not_n() {
    let t = run(PAGES, Strategy::Async, 1, None).await;
    assert!(t.makespan >= LATENCY - 5.0, "{}", t.makespan);
    assert!(t.makespan < 2.0 * LATENCY, "all pages wait at once: {}", t.makespan);
}

#[wasm_bindgen_test]
async fn fetch_async_with_a_limit_waits_in_rounds() {
    let t = run(PAGES, Strategy::Async, 1, Some(5)).await;
    assert_eq!(t.lanes.len(), 5);
    assert!(t.makespan >= 2.0 * LATENCY - 5.0 && t.makespan < 3.0 * LATENCY, "{}", t.makespan);
}

/// Pages that parse, under a limit of 2 held as worker coroutines or as a semaphore.
async fn parsing_pages(semaphore: bool) -> Trace {
    let workload = Workload::Fetch { tasks: 6, latency_ms: 60.0, parse_ms: 30.0 };
    let job = Job {
        workload,
        strategy: Strategy::Async,
        threads: 1,
        limit: Some(2),
        switch_interval_ms: cvp_model::job::SWITCH_INTERVAL_MS,
        pooled: false,
        semaphore,
    };
    run_job(job).await
}

#[wasm_bindgen_test]
async fn a_semaphore_holds_the_requests_and_a_parse_still_holds_the_thread() {
    let busy = |s: &cvp_model::Segment| matches!(s.phase, Phase::Loading | Phase::Rendering);
    // Two coroutines, each keeping its place through its parse: two pages at a time.
    let held = parsing_pages(false).await;
    assert_eq!(held.lanes.len(), 2);
    assert!(held.max_overlap(busy) <= 2, "{}", held.max_overlap(busy));
    // A semaphore of 2 around the request: a coroutine per page, at most two requests out,
    // and, the parse holding the one thread, no third request sent during a parse either.
    let semaphore = parsing_pages(true).await;
    assert_eq!(semaphore.lanes.len(), 6, "a coroutine per page");
    assert!(semaphore.max_overlap(|s| s.phase == Phase::Loading) <= 2, "two permits");
    assert!(semaphore.max_overlap(busy) <= 2, "{}", semaphore.max_overlap(busy));
    // Waiting for a permit is drawn: four pages waited.
    let waited = semaphore.tasks.iter().filter(|t| phase_ms(&semaphore, t.id, Phase::Blocked) > 10.0).count();
    assert!(waited >= 4, "{waited} pages waited for a permit");
}

fn phase_ms(t: &Trace, task: u32, phase: Phase) -> f64 {
    t.segments().filter(|(_, s)| s.task == Some(task) && s.phase == phase).map(|(_, s)| s.duration()).sum()
}

#[wasm_bindgen_test]
async fn fetch_sync_takes_n_latencies() {
    let t = run(Workload::Fetch { tasks: 4, latency_ms: 50.0, parse_ms: 2.0 }, Strategy::Sync, 1, None).await;
    assert!(t.makespan >= 4.0 * 50.0, "{}", t.makespan);
    assert!(t.segments().any(|(_, s)| s.phase == Phase::Rendering), "parse is CPU work");
}

#[wasm_bindgen_test]
async fn fetch_threads_wait_in_parallel() {
    let t =
        run(Workload::Fetch { tasks: 4, latency_ms: 100.0, parse_ms: 0.0 }, Strategy::Threads, 2, None).await;
    assert!(t.makespan >= 200.0 - 5.0 && t.makespan < 300.0, "two rounds of two: {}", t.makespan);
}

#[wasm_bindgen_test]
async fn fetch_processes_complete() {
    // With a parse, each process sends its checksum back: it must cross postMessage whole.
    let t = run(Workload::Fetch { tasks: 4, latency_ms: 50.0, parse_ms: 3.0 }, Strategy::Processes, 2, None)
        .await;
    assert_eq!(t.tasks.len(), 4);
    assert!(t.tasks.iter().all(|r| r.value.is_some()), "every parse returned its checksum");
}

#[wasm_bindgen_test]
async fn threads_are_refused_without_a_pool_with_the_reason() {
    let no_pool = Capabilities { hardware_threads: 2, ..Capabilities::none() };
    let job = Job {
        workload: FIB,
        strategy: Strategy::Threads,
        threads: 2,
        limit: None,
        switch_interval_ms: cvp_model::job::SWITCH_INTERVAL_MS,
        pooled: false,
        semaphore: false,
    };
    let err = runs::run(&job, &no_pool, Arc::default()).await.unwrap_err();
    assert!(err.contains("cross-origin isolated"), "{err}");
}

#[wasm_bindgen_test]
async fn the_pipeline_runs_every_item_through_every_stage_as_the_simulator_says() {
    use cvp_model::pipeline::{lane_of, simulate, Spec};
    ensure_pool().await;
    let spec = Spec { items: 12, ms: [40.0, 20.0, 1.0, 15.0, 20.0], io_workers: 3, threads: 2, queue: 2 };
    let t = runs::pipeline::run(&spec, &caps(), Arc::default()).await.expect("runs").expect("not cancelled");
    t.validate().expect("a well-formed trace");
    assert_eq!(t.tasks.len(), 12);
    for (s, stage) in spec.stages().iter().enumerate() {
        let first = lane_of(&spec, s, 0);
        let lanes = &t.lanes[first..first + stage.workers as usize];
        let mut items: Vec<u32> = lanes
            .iter()
            .flat_map(|l| &l.segments)
            .filter(|g| g.phase != Phase::Blocked)
            .filter_map(|g| g.task)
            .collect();
        items.sort();
        assert_eq!(items, (0..12).collect::<Vec<_>>(), "every item passes once through {}", stage.name);
    }
    let transform = lane_of(&spec, 3, 0);
    let computed: Vec<f64> = t.lanes[transform..transform + 2]
        .iter()
        .flat_map(|l| &l.segments)
        .filter(|g| g.phase == Phase::Rendering)
        .map(|g| g.duration())
        .collect();
    assert!(computed.iter().all(|&ms| ms >= 0.5 * 15.0), "each transform computes its 15 ms: {computed:?}");
    // Nothing beats the simulator's ideal, which waits exactly and computes on idle cores.
    let ideal = simulate(&spec).makespan;
    assert!(
        t.makespan >= 0.95 * ideal,
        "measured {:.0} ms against the simulator's {ideal:.0} ms",
        t.makespan
    );
    // A pipeline works on several stages at once; one page after another (its nearest wrong
    // version) has one stage busy at a time. Counted from the trace, not from the clock, so
    // a slow or busy machine cannot fail it (one did, at 4.5 times the ideal).
    let stage_of = |lane: usize| (0..5).rev().find(|&s| lane_of(&spec, s, 0) <= lane).expect("a stage");
    let mut events: Vec<(f64, usize, i32)> = Vec::new();
    for (lane, l) in t.lanes.iter().enumerate() {
        for g in l.segments.iter().filter(|g| g.phase != Phase::Blocked && g.end > g.start) {
            events.extend([(g.start, stage_of(lane), 1), (g.end, stage_of(lane), -1)]);
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    let (mut busy, mut most) = ([0i32; 5], 0);
    for (_, stage, d) in events {
        busy[stage] += d;
        most = most.max(busy.iter().filter(|&&n| n > 0).count());
    }
    assert!(most >= 3, "at most {most} stages were busy at once: the pages went through one at a time");
}
