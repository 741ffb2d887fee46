//! The runner: a worker that owns the rayon pool and runs one job at a time, so the page's
//! main thread only ever sends messages and draws.

use super::cancel;
use crate::test_hooks::RUNNER_POOL_HANGS;
use crate::worker::protocol::{decode, encode, Capabilities, FromRunner, ToRunner};
use gloo_timers::future::TimeoutFuture;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromRunner) {
    // Posting a plain object to our own parent cannot fail.
    let _ = scope().post_message(&encode(msg));
}

/// Starts the pool (when shared memory is available), announces what it can do, then
/// serves jobs. `faults`: [`RUNNER_POOL_HANGS`] when a test asks for it, else 0.
pub fn start(faults: u32) {
    spawn_local(async move {
        let scope = scope();
        let isolated = crate::scope::cross_origin_isolated();
        let hardware_threads = (scope.navigator().hardware_concurrency() as u32).max(1);
        let mut caps = Capabilities {
            isolated,
            shared_memory: isolated && can_share_memory(),
            hardware_threads,
            ..Capabilities::none()
        };
        warm_up(FIRST_WARM_UP_MS).await;
        if caps.shared_memory {
            // One pool for the page's lifetime, owned here; its size is fixed, so runs
            // asking for fewer threads use fewer concurrent lanes instead.
            let asked = crate::clock::now_ms();
            match start_pool(hardware_threads as usize, faults & RUNNER_POOL_HANGS != 0, &mut caps).await {
                Ok(()) => {
                    caps.pool_threads = rayon::current_num_threads() as u32;
                    caps.pool_startup_ms = crate::clock::now_ms() - asked;
                }
                Err(e) => caps.pool_error = Some(e),
            }
        }
        // Calibrate the parse once the pool has started, when the cores are quietest.
        super::work::calibrate().await;
        caps.calibration = probe(&caps).await;
        serve(caps.clone());
        post(&FromRunner::Ready { caps });
    });
}

/// Runs the forecast's calibration probes (`cvp_model::forecast::Probe`), unreported, and
/// reads them; `None` if one failed (the widgets then forecast nothing, and say so).
async fn probe(caps: &Capabilities) -> Option<cvp_model::forecast::Calibration> {
    use cvp_model::forecast::{Calibration, Probe};
    let mut traces = Vec::new();
    for probe in Probe::plan(caps.unavailable(cvp_model::Strategy::Gil).is_none()) {
        let trace = super::run(&probe.job(), caps, Arc::default()).await.ok()??;
        traces.push((probe, trace));
    }
    Calibration::from_probes(&traces, caps.hardware_threads, caps.pool_threads)
}

/// How long the page's pool may take to start before the attempt is given up and a fresh
/// pool started (ms). Firefox sometimes never heard from one of the two workers (in an
/// earlier session's tries here, 2 of 60 fresh pages and 6 of 120 embeds; none of 65 pages
/// and 40 embeds in the next), which left every widget "starting" for good. A healthy start
/// takes 0.1 s here.
const POOL_START_LIMIT_MS: i32 = 10_000;

/// Starts wasm-bindgen-rayon's pool of `threads`, trying a second time with fresh workers
/// when the first has not started within [`POOL_START_LIMIT_MS`] (`caps.pool_restarts`
/// counts it, and the widgets say so). A second attempt is possible because rayon's global
/// pool is built only once every worker has reported ready; a worker that never did holds
/// nothing.
async fn start_pool(threads: usize, first_hangs: bool, caps: &mut Capabilities) -> Result<(), String> {
    for attempt in 0..2 {
        let start = if first_hangs && attempt == 0 {
            js_sys::Promise::new(&mut |_, _| {})
        } else {
            wasm_bindgen_rayon::init_thread_pool(threads)
        };
        let limit = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_1(
                &resolve,
                POOL_START_LIMIT_MS,
                &"timed out".into(),
            );
        });
        match JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&start, &limit))).await {
            Ok(v) if v.as_string().as_deref() == Some("timed out") => caps.pool_restarts += 1,
            Ok(_) => return Ok(()),
            Err(e) => return Err(js_error_text(&e)),
        }
    }
    Err(format!("its workers did not all start within {} s, twice", POOL_START_LIMIT_MS / 1000))
}

/// Whether this browser lets a worker's shared memory go to another worker: an isolated
/// page may still have an engine that cannot (WebKitGTK on Linux throws `DataCloneError`
/// unless JavaScriptCore is told to share). Asked by sending this thread's own memory down
/// a channel nobody reads.
fn can_share_memory() -> bool {
    let Ok(channel) = web_sys::MessageChannel::new() else { return false };
    let sent = channel.port1().post_message(&wasm_bindgen::memory()).is_ok();
    channel.port1().close();
    channel.port2().close();
    sent
}

/// A thrown JavaScript value as the words a reader can use: an Error's message, else its text.
fn js_error_text(e: &JsValue) -> String {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    if text.trim().is_empty() {
        "no reason given".to_string()
    } else {
        text
    }
}

thread_local! {
    /// The fastest warm-up sample seen on the runner (ms): how fast a sample runs when the
    /// engine's optimised code is in and the cores are free.
    static BEST_SAMPLE_MS: Cell<f64> = const { Cell::new(f64::INFINITY) };
}

/// Runs short pieces of the real runs' fib, unmeasured, until they run as fast as they
/// ever have here, or `budget_ms` has passed. Two things made whichever strategy ran first
/// look slow, and every speedup over it too big:
///  - the engine's tiers: it compiles fast code first and swaps optimised code in later,
///    while the page runs (16 × fib(34) in a fresh Chromium page: 495 ms, then 356 and 353);
///  - a busy start: right after the runner said it was ready, Firefox ran 16 × fib(30)'s
///    first tasks at 5 to 13 ms and its last at 3.5 (81 ms in all; 63 ms three seconds
///    later), with nothing of ours running beside it.
///
/// Neither says when it is over, so this asks the only witness there is: the time of a
/// fixed piece of work. Until two samples in a row come within 15 % of the fastest ever
/// seen, the machine is not yet as fast as it gets. When the budget runs out first, the
/// machine has become slower for longer (a VM's neighbours, a phone's heat): its recent
/// median becomes the mark to meet.
async fn warm_up(budget_ms: f64) {
    let started = crate::clock::now_ms();
    let mut recent: Vec<f64> = Vec::new();
    loop {
        let t0 = crate::clock::now_ms();
        std::hint::black_box(super::work::fib(std::hint::black_box(WARM_UP_N)));
        let took = crate::clock::now_ms() - t0;
        let best = BEST_SAMPLE_MS.get().min(took);
        BEST_SAMPLE_MS.set(best);
        recent.push(took);
        if recent.len() >= 2 && recent[recent.len() - 2..].iter().all(|&t| t <= 1.15 * best) {
            return;
        }
        if crate::clock::now_ms() - started > budget_ms {
            recent.sort_by(f64::total_cmp);
            let median = recent[recent.len() / 2];
            BEST_SAMPLE_MS.set(median);
            return;
        }
        // Yield, so that optimised code can land and whatever holds the cores can finish.
        TimeoutFuture::new(2).await;
    }
}

thread_local! {
    /// The strategies this runner has run at least once.
    static HAVE_RUN: std::cell::RefCell<Vec<cvp_model::Strategy>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether this is the runner's first run of `strategy` (and notes that it is not any more).
fn first_run_of(strategy: cvp_model::Strategy) -> bool {
    HAVE_RUN.with(|r| {
        let mut r = r.borrow_mut();
        let first = !r.contains(&strategy);
        if first {
            r.push(strategy);
        }
        first
    })
}

/// fib(24): about a tenth of a millisecond (0.10 ms in Chromium and WebKit, 0.16 in Firefox, on
/// the 2-core VM), long enough for the clock, short enough to sample often. Too short to see a
/// thread that gets only part of a core: see docs/BENCHMARKS.md on WebKit's first seconds.
const WARM_UP_N: u32 = 24;
/// How long the runner may wait for its first quiet sample when it starts (ms).
const FIRST_WARM_UP_MS: f64 = 1000.0;
/// How long each run may wait for one (ms), unmeasured, before it starts.
const RUN_WARM_UP_MS: f64 = 400.0;

fn serve(caps: Capabilities) {
    let busy = Rc::new(Cell::new(false));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match decode::<ToRunner>(event.data()) {
            Ok(ToRunner::Cancel) => cancel::request(),
            Ok(ToRunner::Crash) => panic!("injected fault: the runner was told to stop mid-run"),
            Ok(ToRunner::Run { id, .. } | ToRunner::Pipeline { id, .. } | ToRunner::Race { id, .. })
                if busy.get() =>
            {
                post(&FromRunner::Failed { id, error: "a run is already in progress".into() });
            }
            Ok(ToRunner::Run { id, job }) => {
                let caps = caps.clone();
                serve_one(id, job.workload.tasks(), &busy, move |done| async move {
                    // Unmeasured, each: a strategy's first pass through its own code, then
                    // fib until it runs at its best. The first run after a pause came out
                    // up to 40 % slower than the next (8 × fib(32): 64 ms, then 46), so
                    // whichever strategy a queue ran first looked slow.
                    if let Some(rehearsal) = job.rehearsal().filter(|_| first_run_of(job.strategy)) {
                        let _ = super::run(&rehearsal, &caps, Arc::default()).await;
                        if cancel::requested() {
                            return Ok(None);
                        }
                    }
                    warm_up(RUN_WARM_UP_MS).await;
                    super::run(&job, &caps, done).await
                })
            }
            Ok(ToRunner::Pipeline { id, spec }) => {
                let caps = caps.clone();
                serve_one(id, spec.items, &busy, move |done| async move {
                    super::pipeline::run(&spec, &caps, done).await
                })
            }
            Ok(ToRunner::Race { id, race }) => {
                let caps = caps.clone();
                serve_one(id, 1, &busy, move |done| async move {
                    let counted = super::race::run(race, &caps).await;
                    done.store(1, Ordering::Relaxed);
                    counted
                })
            }
            Err(error) => post(&FromRunner::Failed { id: 0, error }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

/// What a finished request sends back: a trace, or a race's count.
trait Outcome {
    fn message(self, id: u32) -> FromRunner;
}

impl Outcome for cvp_model::Trace {
    fn message(self, id: u32) -> FromRunner {
        FromRunner::Done { id, trace: self }
    }
}

impl Outcome for cvp_model::race::Counted {
    fn message(self, id: u32) -> FromRunner {
        FromRunner::Counted { id, counted: self }
    }
}

/// Runs one request of `total` tasks, reporting progress, then its outcome, its
/// cancellation or its failure.
fn serve_one<F, Fut, T>(id: u32, total: u32, busy: &Rc<Cell<bool>>, run: F)
where
    F: FnOnce(Arc<AtomicU32>) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Option<T>, String>> + 'static,
    T: Outcome + 'static,
{
    busy.set(true);
    let busy = busy.clone();
    spawn_local(async move {
        let done = Arc::new(AtomicU32::new(0));
        let finished = Rc::new(Cell::new(false));
        spawn_local(report_progress(id, total, done.clone(), finished.clone()));
        let result = run(done).await;
        finished.set(true);
        post(&match result {
            Ok(Some(outcome)) => outcome.message(id),
            Ok(None) => FromRunner::Cancelled { id },
            Err(error) => FromRunner::Failed { id, error },
        });
        busy.set(false);
    });
}

/// Posts the count of finished tasks whenever it changes, at most every 50 ms.
async fn report_progress(id: u32, total: u32, done: Arc<AtomicU32>, finished: Rc<Cell<bool>>) {
    let mut last = u32::MAX;
    while !finished.get() {
        let now = done.load(Ordering::Relaxed);
        if now != last {
            post(&FromRunner::Progress { id, done: now, total });
            last = now;
        }
        TimeoutFuture::new(50).await;
    }
}
