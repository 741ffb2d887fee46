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
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn caps() -> Capabilities {
    Capabilities { isolated: true, hardware_threads: POOL as u32, pool_threads: POOL as u32 }
}

async fn run(workload: Workload, strategy: Strategy, threads: u32, limit: Option<u32>) -> Trace {
    ensure_pool().await;
    let job = Job { workload, strategy, threads, limit };
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

#[wasm_bindgen_test]
async fn gil_fib_computes_one_task_at_a_time() {
    let t = run(FIB, Strategy::Gil, POOL as u32, None).await;
    assert_fib_values(&t);
    let rendering_overlap = t.max_overlap(|s| s.phase == Phase::Rendering);
    assert_eq!(rendering_overlap, 1, "the lock lets one thread compute at a time");
}

#[wasm_bindgen_test]
async fn processes_fib_start_up_is_measured_and_results_are_correct() {
    let t = run(FIB, Strategy::Processes, 2, None).await;
    assert_fib_values(&t);
    assert!(t.lanes.iter().all(|l| l.kind == LaneKind::Process));
    assert!(t.segments().any(|(_, s)| s.phase == Phase::Starting), "start-up is drawn");
    assert!(t.segments().any(|(_, s)| s.phase == Phase::Handoff), "hand-offs are drawn");
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
    let t = run(Workload::Fetch { tasks: 4, latency_ms: 50.0, parse_ms: 0.0 }, Strategy::Processes, 2, None)
        .await;
    assert_eq!(t.tasks.len(), 4);
}

#[wasm_bindgen_test]
async fn threads_are_refused_without_a_pool_with_the_reason() {
    let no_pool = Capabilities { isolated: false, hardware_threads: 2, pool_threads: 0 };
    let job = Job { workload: FIB, strategy: Strategy::Threads, threads: 2, limit: None };
    let err = runs::run(&job, &no_pool, Arc::default()).await.unwrap_err();
    assert!(err.contains("cross-origin isolated"), "{err}");
}
