//! The page's handle on the runner worker: one runner, one job in flight, typed events.
//!
//! Widgets share one [`Runner`], which starts its worker only when first needed
//! ([`Runner::wake`]). A request leaves once the page has painted, so that painting is not
//! measured. A cancel that the runner cannot honour quickly (a strategy blocked inside a
//! long task with no shared memory to signal it through) is enforced by terminating the
//! runner and starting a fresh one.

use crate::test_hooks::{injected, Fault, RUNNER_POOL_HANGS};
use crate::worker::protocol::{decode, encode, Capabilities, FromRunner, ToRunner};
use crate::worker::spawn::{spawn_with_faults, Role, WorkerHandle};
use cvp_model::job::Job;
use cvp_model::race::{Counted, Race};
use cvp_model::Trace;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

/// What happens to a job, in order: progress, then exactly one of the others.
#[derive(Clone, Debug)]
pub enum RunEvent {
    /// Tasks done so far.
    Progress {
        /// Done.
        done: u32,
        /// In the job.
        total: u32,
    },
    /// Finished, with its measured trace.
    Done(Trace),
    /// Stopped on request.
    Cancelled,
    /// Could not run, or failed.
    Failed(String),
}

/// What the listener of a request hears: a job's events, or a race's count. Kept apart
/// from [`RunEvent`] so that code running jobs never meets a count it did not ask for.
enum Answer {
    Event(RunEvent),
    Counted(Counted),
}

impl From<RunEvent> for Answer {
    fn from(e: RunEvent) -> Answer {
        Answer::Event(e)
    }
}

type Listener = Box<dyn FnMut(Answer)>;
/// Called with what the runner reported when it started: its capabilities, with why the
/// pool did not start where it did not.
type ReadyCallback = Box<dyn FnOnce(&Capabilities)>;

struct Current {
    id: u32,
    listener: Listener,
    // Whether the request has reached the runner (see `Runner::send`).
    posted: bool,
    // Pending forced cancel; dropping it clears the timer.
    _deadline: Option<Timeout>,
}

/// The runner worker, once started, and the handler of its messages.
struct Connection {
    worker: WorkerHandle,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

struct Inner {
    // None until a widget or a script first needs the runner ([`Runner::wake`]).
    connection: Option<Connection>,
    ready: Option<Capabilities>,
    waiting: Vec<ReadyCallback>,
    current: Option<Current>,
    next_id: u32,
    watchers: Vec<Box<dyn FnMut(bool)>>,
}

/// The page's runner.
#[derive(Clone)]
pub struct Runner(Rc<RefCell<Inner>>);

impl Default for Runner {
    fn default() -> Self {
        Runner::new()
    }
}

/// How long a cancel may take before the runner is replaced.
const CANCEL_GRACE_MS: u32 = 600;

impl Runner {
    /// The page's handle on a runner that has not started: nothing runs, and no worker
    /// exists, until [`Runner::wake`].
    pub fn new() -> Runner {
        Runner(Rc::new(RefCell::new(Inner {
            connection: None,
            ready: None,
            waiting: Vec::new(),
            current: None,
            next_id: 1,
            watchers: Vec::new(),
        })))
    }

    /// Starts the runner worker (and with it the thread pool) if it has not started yet.
    /// Widgets call this as they come near the screen, scripts before their first job: a
    /// reader who never gets to a real run never pays for the workers.
    pub fn wake(&self) {
        if self.0.borrow().connection.is_none() {
            let connection = connect(Rc::downgrade(&self.0));
            self.0.borrow_mut().connection = Some(connection);
        }
    }

    /// Calls `f` once the runner is ready (at once if it is), within the mount of the
    /// widget that asked ([`crate::fault`]).
    pub fn when_ready(&self, f: impl FnOnce(&Capabilities) + 'static) {
        let ready = self.0.borrow().ready.clone();
        match ready {
            Some(r) => f(&r),
            None => {
                let scope = crate::fault::current();
                let f = move |r: &Capabilities| crate::fault::run_in(&scope, || f(r));
                self.0.borrow_mut().waiting.push(Box::new(f));
            }
        }
    }

    /// Calls `f(busy)` whenever a job starts or ends, or the runner (re)starts, so every
    /// widget can disable its run buttons while it cannot run. Within the mount of the
    /// widget that asked: a widget stopped by a panic hears nothing more.
    pub fn watch_busy(&self, mut f: impl FnMut(bool) + 'static) {
        f(self.busy());
        self.0.borrow_mut().watchers.push(Box::new(crate::fault::scoped(f)));
    }

    /// Whether the runner cannot take a job now: one is in flight, or it is starting.
    pub fn busy(&self) -> bool {
        let inner = self.0.borrow();
        inner.current.is_some() || inner.ready.is_none()
    }

    /// Starts `job`; `listener` hears its progress and its end. Refused while another job
    /// is in flight: one job at a time, never a pile.
    pub fn run(&self, job: Job, mut listener: impl FnMut(RunEvent) + 'static) -> Result<(), String> {
        let listener = move |answer| match answer {
            Answer::Event(event) => listener(event),
            Answer::Counted(_) => listener(RunEvent::Failed("the runner answered a job with a count".into())),
        };
        self.send(move |id| ToRunner::Run { id, job }, listener)
    }

    /// Runs `job` and waits for its trace, or why it did not finish.
    pub async fn run_to_end(&self, job: Job) -> Result<Trace, String> {
        self.to_end(move |id| ToRunner::Run { id, job }, trace_of).await
    }

    /// Runs the pipeline `spec` and waits for its trace, or why it did not finish.
    pub async fn pipeline_to_end(&self, spec: cvp_model::pipeline::Spec) -> Result<Trace, String> {
        self.to_end(move |id| ToRunner::Pipeline { id, spec }, trace_of).await
    }

    /// Runs `race` on the runner's threads and waits for its count, or why it did not finish.
    pub async fn race_to_end(&self, race: Race) -> Result<Counted, String> {
        let counted = |answer| match answer {
            Answer::Counted(c) => Ok(c),
            _ => Err("the runner answered a race with a trace".to_string()),
        };
        self.to_end(move |id| ToRunner::Race { id, race }, counted).await
    }

    /// Sends `request` and waits for its end: `finished` turns the finishing event (a trace
    /// or a count) into the result.
    async fn to_end<T: 'static>(
        &self,
        request: impl FnOnce(u32) -> ToRunner,
        finished: fn(Answer) -> Result<T, String>,
    ) -> Result<T, String> {
        let result: Rc<RefCell<Option<Result<T, String>>>> = Rc::new(RefCell::new(None));
        let mut request = Some(request);
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let (slot, resolve_done) = (result.clone(), resolve.clone());
            let listener = move |answer| {
                let outcome = match answer {
                    a @ (Answer::Event(RunEvent::Done(_)) | Answer::Counted(_)) => finished(a),
                    Answer::Event(RunEvent::Cancelled) => Err("cancelled".to_string()),
                    Answer::Event(RunEvent::Failed(e)) => Err(e),
                    Answer::Event(RunEvent::Progress { .. }) => return,
                };
                *slot.borrow_mut() = Some(outcome);
                let _ = resolve_done.call0(&JsValue::NULL);
            };
            let Some(request) = request.take() else { return };
            if let Err(e) = self.send(request, listener) {
                *result.borrow_mut() = Some(Err(e));
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        let outcome = result.borrow_mut().take();
        outcome.unwrap_or_else(|| Err("the run ended without a result".into()))
    }

    fn send(
        &self,
        request: impl FnOnce(u32) -> ToRunner,
        listener: impl FnMut(Answer) + 'static,
    ) -> Result<(), String> {
        {
            let mut inner = self.0.borrow_mut();
            if inner.current.is_some() {
                return Err("another run is in progress".into());
            }
            if inner.ready.is_none() {
                return Err("the runner is still starting".into());
            }
            let id = inner.next_id;
            inner.next_id += 1;
            // The run's events reach the widget that asked, within its mount ([`crate::fault`]).
            let listener = Box::new(crate::fault::scoped(listener));
            inner.current = Some(Current { id, listener, posted: false, _deadline: None });
            let request = encode(&request(id));
            // The request leaves once the page has painted what the click changed: that
            // painting took a core from the first run of a queue, which came out up to twice
            // as slow as the same work a moment later (8 × fib(30): sync 27 ms, then
            // coroutines 16; 13 and 13 with this wait).
            let runner = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                crate::dom::painted().await;
                runner.post_request(id, &request);
            });
        }
        self.notify_busy();
        Ok(())
    }

    fn post_request(&self, id: u32, request: &JsValue) {
        let posted = {
            let mut inner = self.0.borrow_mut();
            let Inner { connection, current, .. } = &mut *inner;
            match (current, connection) {
                (Some(c), Some(connection)) if c.id == id && !c.posted => {
                    c.posted = true;
                    connection.worker.post_message(request).map_err(|e| format!("{e:?}"))
                }
                // Cancelled, or its runner replaced, before it left.
                _ => return,
            }
        };
        match posted {
            Ok(()) if injected(Fault::Runner) => self.post(&ToRunner::Crash),
            Ok(()) => {}
            Err(e) => self.finish(id, RunEvent::Failed(format!("could not reach the runner: {e}")).into()),
        }
    }

    /// Asks the current job to stop. If it has not stopped within a grace period, the
    /// runner is terminated and replaced, and the job reported cancelled.
    pub fn cancel(&self) {
        let weak = Rc::downgrade(&self.0);
        let mut inner = self.0.borrow_mut();
        let Some(current) = inner.current.as_mut() else { return };
        let id = current.id;
        if !current.posted {
            drop(inner);
            self.finish(id, RunEvent::Cancelled.into());
            return;
        }
        current._deadline = Some(Timeout::new(CANCEL_GRACE_MS, move || {
            if let Some(inner) = weak.upgrade() {
                Runner(inner).replace_worker(id);
            }
        }));
        drop(inner);
        self.post(&ToRunner::Cancel);
    }

    fn post(&self, message: &ToRunner) {
        if let Some(connection) = &self.0.borrow().connection {
            let _ = connection.worker.post_message(&encode(message));
        }
    }

    fn replace_worker(&self, id: u32) {
        if self.0.borrow().current.as_ref().map(|c| c.id) != Some(id) {
            return;
        }
        self.restart();
        self.finish(id, RunEvent::Cancelled.into());
    }

    /// Ends the runner worker and starts a fresh one (with its own pool); jobs wait for
    /// its readiness as at its first start.
    fn restart(&self) {
        let mut inner = self.0.borrow_mut();
        if let Some(old) = inner.connection.take() {
            old.worker.terminate();
        }
        inner.connection = Some(connect(Rc::downgrade(&self.0)));
        inner.ready = None;
    }

    fn finish(&self, id: u32, event: Answer) {
        let current = {
            let mut inner = self.0.borrow_mut();
            match &inner.current {
                Some(c) if c.id == id => inner.current.take(),
                _ => None,
            }
        };
        if let Some(mut current) = current {
            (current.listener)(event);
            self.notify_busy();
        }
    }

    fn notify_busy(&self) {
        let busy = self.busy();
        let mut watchers = std::mem::take(&mut self.0.borrow_mut().watchers);
        for w in &mut watchers {
            w(busy);
        }
        let mut inner = self.0.borrow_mut();
        let added = std::mem::replace(&mut inner.watchers, watchers);
        inner.watchers.extend(added);
    }

    fn receive(&self, msg: FromRunner) {
        match msg {
            FromRunner::Ready { caps: ready } => {
                let waiting = {
                    let mut inner = self.0.borrow_mut();
                    inner.ready = Some(ready.clone());
                    std::mem::take(&mut inner.waiting)
                };
                for f in waiting {
                    f(&ready);
                }
                self.notify_busy();
            }
            FromRunner::Progress { id, done, total } => {
                // Call the listener without holding the borrow: it may ask the runner things.
                let taken = {
                    let mut inner = self.0.borrow_mut();
                    match &inner.current {
                        Some(c) if c.id == id => inner.current.take(),
                        _ => None,
                    }
                };
                if let Some(mut current) = taken {
                    (current.listener)(RunEvent::Progress { done, total }.into());
                    self.0.borrow_mut().current.get_or_insert(current);
                }
            }
            FromRunner::Stopped { error } if self.0.borrow().ready.is_some() => {
                // The runner died (a bug, a crash): the job in flight fails at once with
                // the reason, and a fresh runner starts, so that the next run works.
                web_sys::console::error_1(&error.clone().into());
                self.restart();
                let id = self.0.borrow().current.as_ref().map(|c| c.id);
                match id {
                    Some(id) => {
                        let why = format!("{error}. A fresh runner is starting: run again in a moment.");
                        self.finish(id, RunEvent::Failed(why).into());
                    }
                    None => self.notify_busy(),
                }
            }
            FromRunner::Stopped { error } => {
                // The runner itself failed to start: no job can run, say why everywhere.
                let caps = Capabilities { pool_error: Some(error), ..Capabilities::none() };
                self.receive(FromRunner::Ready { caps });
            }
            FromRunner::Done { id, trace } => self.finish(id, RunEvent::Done(trace).into()),
            FromRunner::Counted { id, counted } => self.finish(id, Answer::Counted(counted)),
            FromRunner::Cancelled { id } => self.finish(id, RunEvent::Cancelled.into()),
            FromRunner::Failed { id, error } => self.finish(id, RunEvent::Failed(error).into()),
        }
    }
}

/// The trace a job's run finished with.
fn trace_of(answer: Answer) -> Result<Trace, String> {
    match answer {
        Answer::Event(RunEvent::Done(trace)) => Ok(trace),
        _ => Err("the runner answered a job with a race's count".to_string()),
    }
}

fn connect(weak: Weak<RefCell<Inner>>) -> Connection {
    let faults = if injected(Fault::PoolHang) { RUNNER_POOL_HANGS } else { 0 };
    let worker = spawn_with_faults(Role::Runner, faults);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(inner) = weak.upgrade() else { return };
        match decode::<FromRunner>(event.data()) {
            Ok(msg) => Runner(inner).receive(msg),
            Err(e) => web_sys::console::error_1(&format!("runner: {e}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Connection { worker, _on_message: on_message }
}
