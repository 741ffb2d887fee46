//! The real-run widget: runs the fib or fetch workload on this machine with each strategy,
//! and shows the measured times, the speedups and the measured timeline.
//!
//! It is a DOM adapter: the state and its checks are `cvp_model::state::RunState`, the
//! queue of jobs and the kept results are `cvp_model::compare`, the drawing is the
//! player's and [`results`]'s.

mod post;
mod prose;
mod results;

use super::form::{show_notices, Form};
use super::player::Player;
use super::share::Share;
use crate::address::Host;
use crate::client::{RunEvent, Runner};
use crate::dom::{el, find, toggle_attr};
use crate::worker::protocol::Capabilities;
use cvp_model::compare::{Machine, PagePool, Plan, Purpose, Queue, Results, Startup};
use cvp_model::job::{Job, RunKind};
use cvp_model::predict::{explain, gap, prediction};
use cvp_model::query::Notice;
use cvp_model::state::{RunState, WidgetState};
use cvp_model::{Strategy, Trace};
use cvp_scene::format_duration;
use results::ResultsView;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlProgressElement};

/// Where the widget is, shown to tests and styles as `data-state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Starting,
    Ready,
    Running,
    Done,
    Error,
}

impl Stage {
    fn key(self) -> &'static str {
        match self {
            Stage::Starting => "starting",
            Stage::Ready => "ready",
            Stage::Running => "running",
            Stage::Done => "done",
            Stage::Error => "error",
        }
    }
}

struct Widget {
    kind: RunKind,
    stage: Stage,
    root: Element,
    runner: Runner,
    caps: Option<Capabilities>,
    form: Form<RunState>,
    progress: HtmlProgressElement,
    status: Element,
    notices: Element,
    results_view: ResultsView,
    view: Player,
    share: Option<Share>,
    queue: Queue,
    results: Results,
    /// Under the timelines: how the runs compare with their predictions.
    predicted_notes: Element,
    /// What the URL asked for that had to change, shown until the first run.
    url_notices: Vec<Notice>,
}

/// The heading of each workload's widget.
pub fn title(kind: RunKind) -> &'static str {
    match kind {
        RunKind::Fib => "CPU-bound: naive fib, run on your machine",
        RunKind::Fetch => "I/O-bound: fetching pages (timers stand in for the network)",
    }
}

/// Mounts the widget into `root`, showing `state` (read from the URL, with `notices`
/// about what had to change), hosted as `host`.
pub fn mount(root: &Element, runner: Runner, host: Host, state: RunState, notices: Vec<Notice>) {
    let kind = state.workload.kind();
    let form = Form::new(state);
    let button =
        |action: &str, text: &str| el("button").attr("type", "button").attr("data-action", action).text(text);
    let buttons = el("div")
        .class("cvp-buttons")
        .child(button("run", "Run").class("primary"))
        .child(button("run-all", "Run every strategy"))
        .child(button("scale", "Measure 1 to N threads"))
        .child(button("cancel", "Cancel").attr("disabled", ""));
    let progress: HtmlProgressElement =
        el("progress").class("cvp-progress").attr("max", "1").attr("value", "0").build().unchecked_into();
    let status = el("p")
        .class("cvp-status")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .text("Starting the workers…")
        .build();
    let notices_list = el("ul").class("cvp-notices").build();
    let predicted_notes = el("p").class("cvp-predicted").attr("hidden", "").build();
    // A panel for each strategy's measured run and one for its prediction.
    let titles: Vec<String> = (1..=2 * Strategy::ALL.len()).map(|i| format!("Run {i}")).collect();
    let built =
        Player::new(&titles, kind.noun(), false, false).and_then(|view| Ok((view, ResultsView::new()?)));
    let (view, results_view) = match built {
        Ok(parts) => parts,
        Err(e) => {
            root.set_text_content(Some(&format!("This widget cannot draw here: {e:?}")));
            return;
        }
    };
    root.set_inner_html("");
    let _ = root.class_list().add_2("cvp-widget", "cvp-realrun");
    root.set_attribute("data-state", Stage::Starting.key()).ok();
    for child in [
        el("h3").text(title(kind)).build(),
        el("p").class("cvp-isolation").attr("hidden", "").build(),
        form.element().clone(),
        buttons.build(),
        progress.clone().into(),
        status.clone(),
        notices_list.clone(),
        results_view.table().clone(),
        view.element(),
        predicted_notes.clone(),
        results_view.chart().clone().into(),
    ] {
        let _ = root.append_child(&child);
    }
    toggle_attr(&view.element(), "hidden", true);
    let widget = Rc::new(RefCell::new(Widget {
        kind,
        stage: Stage::Starting,
        root: root.clone(),
        runner: runner.clone(),
        caps: None,
        form,
        progress,
        status,
        notices: notices_list,
        results_view,
        view,
        share: None,
        queue: Queue::default(),
        results: Results::default(),
        predicted_notes,
        url_notices: notices,
    }));
    let weak = Rc::downgrade(&widget);
    let share = Share::new(host, title(kind), root, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        // A shared link shows the settings; it does not start a run on its own.
        WidgetState::Run(RunState { autorun: false, ..state })
    });
    let _ = root.append_child(&share.element());
    widget.borrow_mut().share = Some(share);
    wire(&widget);
    let ready = widget.clone();
    runner.when_ready(move |readiness| {
        on_ready(&ready, readiness, state);
        if state.autorun {
            start(&ready, Plan::Selected);
        }
    });
    let busy = Rc::downgrade(&widget);
    runner.watch_busy(move |is_busy| {
        if let Some(w) = busy.upgrade() {
            w.borrow().set_busy(is_busy);
        }
    });
    let predicting = Rc::downgrade(&widget);
    let kind = widget.borrow().kind;
    prose::on_predict(kind, move || {
        if let Some(w) = predicting.upgrade() {
            let w = w.borrow();
            if let Some(caps) = &w.caps {
                prose::show(w.kind, &w.results, caps);
            }
        }
    });
}

fn wire(widget: &Rc<RefCell<Widget>>) {
    let root = widget.borrow().root.clone();
    let on = |action: &str, f: fn(&Rc<RefCell<Widget>>)| {
        if let Some(b) = find::<Element>(&root, &format!("[data-action={action}]")) {
            let w = widget.clone();
            crate::dom::listen(&b, "click", move |_| f(&w));
        }
    };
    on("run", |w| {
        if crate::test_hooks::injected(crate::test_hooks::Fault::Run) {
            // A bug in the middle of the widget's own code, its state borrowed (tests only).
            let _state = w.borrow_mut();
            panic!("injected fault: a bug in the run button's handler");
        }
        start(w, Plan::Selected)
    });
    on("run-all", |w| start(w, Plan::Every));
    on("scale", |w| start(w, Plan::Scale));
    on("cancel", |w| {
        let runner = {
            let mut w = w.borrow_mut();
            w.status.set_text_content(Some("Cancelling…"));
            w.queue.clear();
            w.runner.clone()
        };
        runner.cancel();
    });
    let weak = Rc::downgrade(widget);
    widget.borrow().form.on_change(move |_, notices| {
        if let Some(w) = weak.upgrade() {
            let w = w.borrow();
            show_notices(&w.notices, &notices);
            if let Some(share) = &w.share {
                share.changed();
            }
        }
    });
}

impl Widget {
    fn set_stage(&mut self, stage: Stage) {
        self.stage = stage;
        self.root.set_attribute("data-state", stage.key()).ok();
    }

    fn set_busy(&self, busy: bool) {
        for action in ["run", "run-all"] {
            if let Some(b) = find::<HtmlButtonElement>(&self.root, &format!("[data-action={action}]")) {
                b.set_disabled(busy || self.caps.is_none());
            }
        }
        if let Some(b) = find::<HtmlButtonElement>(&self.root, "[data-action=cancel]") {
            // Only the widget that owns the run can cancel it.
            b.set_disabled(!(busy && self.stage == Stage::Running));
        }
    }

    fn explain_isolation(&self, ready: &Capabilities) {
        let Some(why) = ready.unavailable(Strategy::Threads) else { return };
        let note: Element = find(&self.root, ".cvp-isolation").expect("built in mount()");
        note.set_inner_html("");
        let _ = note.append_child(&el("strong").text("Threads are unavailable here. ").build());
        let _ = note.append_with_str_1(&format!("Reason: {why}. {}", ready.fix(crate::embedder::framed())));
        toggle_attr(&note, "hidden", false);
    }
}

fn on_ready(widget: &Rc<RefCell<Widget>>, ready: &Capabilities, asked: RunState) {
    let mut w = widget.borrow_mut();
    w.caps = Some(ready.clone());
    w.set_stage(Stage::Ready);
    w.root.set_attribute("data-pool-threads", &ready.pool_threads.to_string()).ok();
    w.root.set_attribute("data-isolated", if ready.isolated { "true" } else { "false" }).ok();
    w.explain_isolation(ready);
    if let Some(select) = w.form.select("strategy") {
        for i in 0..select.length() {
            let Some(opt) = select.item(i) else { continue };
            let s = Strategy::from_key(&opt.get_attribute("value").unwrap_or_default());
            let off = s.is_some_and(|s| ready.unavailable(s).is_some());
            toggle_attr(&opt, "disabled", off);
            if off {
                opt.set_text_content(Some(&format!("{} (unavailable here)", s.map_or("", Strategy::label))));
            }
        }
    }
    if let Some(threads) = w.form.number("threads") {
        threads.set_max(&Job::most_threads(w.kind, ready.hardware_threads).to_string());
    }
    // What the machine changes of the URL's state, told now (a number field alone would
    // silently drop what it cannot hold).
    let (_, mut notices) = asked.job(ready.hardware_threads);
    if let Some(why) = ready.unavailable(asked.strategy) {
        w.form.set(RunState { strategy: Strategy::Processes, ..w.form.state() });
        if asked.strategy != RunState::default_for(w.kind).strategy {
            notices
                .push(Notice(format!("{} cannot run here ({why}): using processes", asked.strategy.label())));
        }
    }
    let mut told = std::mem::take(&mut w.url_notices);
    told.append(&mut notices);
    show_notices(&w.notices, &told);
    w.url_notices = told;
    w.status.set_text_content(Some(&format!(
        "Ready: {} hardware threads, {}.{}",
        ready.hardware_threads,
        if ready.pool_threads > 0 {
            format!("a pool of {} threads", ready.pool_threads)
        } else {
            "no thread pool".into()
        },
        if ready.pool_restarts > 0 {
            " The first pool's workers did not all start in time, so a fresh pool replaced it."
        } else {
            ""
        }
    )));
    w.set_busy(w.runner.busy());
}

fn start(widget: &Rc<RefCell<Widget>>, plan: Plan) {
    let share = {
        let w = widget.borrow();
        if w.caps.is_none() || w.runner.busy() {
            return;
        }
        w.share.clone()
    };
    // What runs is what the address bar (and a copied link) says.
    if let Some(share) = share {
        share.changed();
    }
    {
        let mut w = widget.borrow_mut();
        let Some(caps) = w.caps.clone() else { return };
        let (job, mut changed) = w.form.state().job(caps.hardware_threads);
        let mut told = std::mem::take(&mut w.url_notices);
        told.append(&mut changed);
        let why = |s: Strategy| caps.unavailable(s);
        let machine = Machine {
            unavailable: &why,
            hardware_threads: caps.hardware_threads,
            pool_threads: caps.pool_threads,
        };
        match w.queue.plan(plan, job, &machine) {
            Ok(left_out) => told.extend(left_out.into_iter().map(|why| Notice(format!("Left out: {why}.")))),
            Err(e) => {
                show_notices(&w.notices, &told);
                w.status.set_text_content(Some(&e));
                return;
            }
        }
        show_notices(&w.notices, &told);
        if plan == Plan::Scale {
            w.results.start_scaling();
        }
    }
    next(widget);
}

/// Starts the next queued job, if any; whether one started.
fn next(widget: &Rc<RefCell<Widget>>) -> bool {
    let (runner, job, purpose) = {
        let mut w = widget.borrow_mut();
        let Some((job, purpose)) = w.queue.start_next() else { return false };
        w.progress.set_value(0.0);
        w.set_stage(Stage::Running);
        w.status.set_text_content(Some(&format!("Running {}…", job.strategy.label())));
        (w.runner.clone(), job, purpose)
    };
    let weak = Rc::downgrade(widget);
    let result = runner.run(job, move |event| {
        let Some(widget) = weak.upgrade() else { return };
        match event {
            RunEvent::Progress { done, total } => {
                let w = widget.borrow();
                w.progress.set_value(done as f64 / total.max(1) as f64);
                w.status.set_text_content(Some(&format!(
                    "Running {}: {done} of {total} done",
                    job.strategy.label()
                )));
            }
            RunEvent::Done(trace) => {
                // The numbers and the next job now; the timeline of a big run in a task
                // of its own (decoding it took this one already), so neither is long.
                finished(&widget, job, purpose, &trace);
                // While more jobs of the queue run, draw nothing: drawing a big timeline
                // on this thread took a core from the next measured run (sync, first of
                // each "Run every strategy" round, came out 20% slow behind the lock's
                // many-segment timeline). The last job's timeline is drawn once all ran.
                if next(&widget) {
                    return;
                }
                let started = widget.borrow().queue.started();
                let widget = widget.clone();
                crate::fault::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    if crate::test_hooks::injected(crate::test_hooks::Fault::Timeline) {
                        panic!("injected fault: a bug in a future that draws the timeline");
                    }
                    let last = widget.borrow().queue.started() == started;
                    show_timeline(&widget, last);
                });
            }
            RunEvent::Cancelled => {
                let mut w = widget.borrow_mut();
                w.queue.clear();
                w.set_stage(Stage::Ready);
                w.status.set_text_content(Some("Cancelled. The workers are ready for another run."));
            }
            RunEvent::Failed(error) => {
                let mut w = widget.borrow_mut();
                w.queue.clear();
                w.set_stage(Stage::Error);
                w.status.set_text_content(Some(&format!("The run failed: {error}")));
            }
        }
    });
    if let Err(e) = result {
        let mut w = widget.borrow_mut();
        w.queue.clear();
        w.set_stage(Stage::Ready);
        w.status.set_text_content(Some(&format!("Cannot run now: {e}")));
        return false;
    }
    true
}

/// Shows a finished run's numbers (table, status, chart) and posts the result.
fn finished(widget: &Rc<RefCell<Widget>>, job: Job, purpose: Purpose, trace: &Trace) {
    let mut w = widget.borrow_mut();
    w.progress.set_value(1.0);
    post::post_result(w.kind, &job, trace);
    let caps = w.caps.clone().expect("runs start only once ready");
    let pool = PagePool { threads: caps.pool_threads, startup_ms: caps.pool_startup_ms };
    w.results.record(job, purpose, trace, pool);
    w.results_view.show(&w.results);
    prose::show(w.kind, &w.results, &caps);
    // What a Web Worker costs, said where it was paid: a thread is not free here either.
    let workers = match Startup::of(&job, trace, pool) {
        Startup::InRun(ms) => {
            let n = trace.lanes.len().max(1);
            format!(
                " Starting its {n} workers took {} ({} each, on average).",
                format_duration(ms),
                format_duration(ms / n as f64)
            )
        }
        _ => String::new(),
    };
    w.status.set_text_content(Some(&format!(
        "{}: {} {} in {}, CPU busy {:.0}%.{workers}",
        job.strategy.label(),
        trace.tasks.len(),
        w.kind.noun(),
        format_duration(trace.makespan),
        trace.cpu_utilisation() * 100.0
    )));
}

/// Draws every strategy's measured timeline, each beside the simulator's replay of its
/// measured tasks on this machine's hardware threads (`cvp_model::predict`), on one time
/// axis, and says where a run and its replay differ. With `last` (no job ran after it), the
/// widget is done once they show; otherwise the job now running owns the widget's state.
fn show_timeline(widget: &Rc<RefCell<Widget>>, last: bool) {
    let mut w = widget.borrow_mut();
    let hardware_threads = w.caps.as_ref().map_or(1, |c| c.hardware_threads);
    let (mut panels, mut gaps) = (Vec::new(), Vec::new());
    for (job, measured) in w.results.runs() {
        let predicted = prediction(&job, measured, hardware_threads);
        let label = job.strategy.label();
        gaps.extend(gap(&job, measured, &predicted, hardware_threads));
        // Short: a phone's panel has room for little beside the clock, which gives the time.
        panels.push((format!("{label} (measured)"), measured.clone()));
        panels.push((format!("{label} (predicted)"), predicted));
    }
    let note = if gaps.is_empty() {
        "Each measured run came within 10 % of the simulator's prediction for it (the same \
         tasks, with their measured times, on this machine's hardware threads)."
            .to_string()
    } else {
        explain(&gaps)
    };
    w.predicted_notes.set_text_content(Some(&note));
    toggle_attr(&w.predicted_notes, "hidden", false);
    toggle_attr(&w.view.element(), "hidden", false);
    w.view.load_titled(panels, None);
    if last {
        w.set_stage(Stage::Done);
    }
}
