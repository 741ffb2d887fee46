//! The real-run widget: runs the fib or fetch workload on this machine with each strategy,
//! and shows the measured times, the speedups and the measured timeline.
//!
//! It is a DOM adapter: the state and its checks are `cvp_model::state::RunState`, the
//! queue of jobs and the kept results are `cvp_model::compare`, the drawing is the
//! player's and [`results`]'s.

mod post;
mod prose;
mod results;

use super::form::Form;
use super::kit::{Button, Layout, Role, Shell};
use super::player::Player;
use super::share::Share;
use crate::address::Host;
use crate::client::{RunEvent, Runner};
use crate::dom::{el, toggle_attr};
use crate::worker::protocol::Capabilities;
use cvp_model::compare::{PagePool, Plan, Purpose, Queue, Results, Startup};
use cvp_model::forecast::{explain, forecast, gap, Calibration};
use cvp_model::job::{Job, RunKind};
use cvp_model::query::Notice;
use cvp_model::stage::Stage;
use cvp_model::state::{RunState, WidgetState};
use cvp_model::{Strategy, Trace};
use cvp_scene::format_duration;
use results::ResultsView;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlProgressElement};

struct Widget {
    kind: RunKind,
    shell: Shell,
    caps: Option<Capabilities>,
    form: Form<RunState>,
    /// Why threads cannot run here, when they cannot.
    isolation: Element,
    progress: HtmlProgressElement,
    results_view: ResultsView,
    view: Player,
    share: Option<Share>,
    queue: Queue,
    results: Results,
    /// Under the buttons: each strategy's forecast for the form's job, before it runs.
    forecast_line: Element,
    /// The calibration the forecasts rest on (the runner's, then what processes runs
    /// measured of a fresh worker's start-up).
    calibration: Option<Calibration>,
    /// The forecast made before each strategy's latest run, with its job.
    forecasts: BTreeMap<Strategy, (Job, Trace)>,
    /// Under the timelines: how the runs compare with their forecasts.
    predicted_notes: Element,
    /// What the URL asked for that had to change, shown until the first run.
    url_notices: Vec<Notice>,
    /// Whether the reader last changed their guess with the runs it is scored on already
    /// on the page.
    guessed_after_run: bool,
}

const BUTTONS: [Button; 4] = [
    Button { action: "run", text: "Run", role: Role::Primary },
    Button { action: "run-all", text: "Run every strategy", role: Role::Start },
    Button { action: "scale", text: "Measure 1 to N threads", role: Role::Start },
    Button { action: "cancel", text: "Cancel", role: Role::Cancel },
];

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
    let progress: HtmlProgressElement =
        el("progress").class("cvp-progress").attr("max", "1").attr("value", "0").build().unchecked_into();
    let isolation = el("p").class("cvp-isolation").attr("hidden", "").build();
    let predicted_notes = el("p").class("cvp-predicted").attr("hidden", "").build();
    let forecast_line = el("p").class("cvp-forecast").attr("hidden", "").build();
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
    let shell = Shell::mount(
        root,
        &runner,
        Layout {
            class: "cvp-realrun",
            title: title(kind),
            host: &host,
            buttons: &BUTTONS,
            head: vec![isolation.clone(), form.element().clone()],
            between: vec![forecast_line.clone(), progress.clone().into()],
            body: vec![
                results_view.table().clone(),
                view.element(),
                predicted_notes.clone(),
                results_view.chart().clone().into(),
            ],
        },
        "Starting the workers…",
    );
    toggle_attr(&view.element(), "hidden", true);
    let widget = Rc::new(RefCell::new(Widget {
        kind,
        shell: shell.clone(),
        caps: None,
        form,
        isolation,
        progress,
        results_view,
        view,
        share: None,
        queue: Queue::default(),
        results: Results::default(),
        forecast_line,
        calibration: None,
        forecasts: BTreeMap::new(),
        predicted_notes,
        url_notices: notices,
        guessed_after_run: false,
    }));
    let weak = Rc::downgrade(&widget);
    let share = shell.share(host, title(kind), move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        // A shared link shows the settings; it does not start a run on its own.
        WidgetState::Run(RunState { autorun: false, ..state })
    });
    widget.borrow_mut().share = Some(share);
    wire(&widget);
    let ready = widget.clone();
    runner.when_ready(move |readiness| {
        on_ready(&ready, readiness, state);
        if state.autorun {
            start(&ready, Plan::Selected);
        }
    });
    let predicting = Rc::downgrade(&widget);
    let kind = widget.borrow().kind;
    prose::on_predict(kind, move || {
        if let Some(w) = predicting.upgrade() {
            let mut w = w.borrow_mut();
            // A guess set with both runs it is scored on already measured is shown, not scored.
            let subject = cvp_model::guess::subject(w.kind);
            let rows = w.results.rows();
            w.guessed_after_run =
                [Strategy::Sync, subject].iter().all(|s| rows.iter().any(|r| r.strategy == *s));
            w.show_prose();
        }
    });
}

fn wire(widget: &Rc<RefCell<Widget>>) {
    let shell = widget.borrow().shell.clone();
    let on = |action: &str, f: fn(&Rc<RefCell<Widget>>)| {
        let w = widget.clone();
        shell.on(action, move || f(&w));
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
        let shell = {
            let mut w = w.borrow_mut();
            w.shell.say("Cancelling…");
            w.queue.clear();
            w.shell.clone()
        };
        shell.runner().cancel();
    });
    let weak = Rc::downgrade(widget);
    widget.borrow().form.on_change(move |_, notices| {
        if let Some(w) = weak.upgrade() {
            let w = w.borrow();
            w.shell.tell(&notices);
            w.show_forecast();
            if let Some(share) = &w.share {
                share.changed();
            }
        }
    });
}

impl Widget {
    /// The essay's sentences about this widget's runs, and the reader's guess against them.
    fn show_prose(&self) {
        let Some(caps) = &self.caps else { return };
        let subject = cvp_model::guess::subject(self.kind);
        let runs: BTreeMap<Strategy, (Job, &Trace)> =
            self.results.runs().map(|(j, t)| (j.strategy, (j, t))).collect();
        // The forecast's speedup, from the forecasts made before the runs being compared.
        let forecast_of = |s: Strategy| {
            let (job, _) = runs.get(&s)?;
            self.forecasts.get(&s).filter(|(j, _)| j == job).map(|(_, t)| t.makespan)
        };
        let forecast = forecast_of(Strategy::Sync).zip(forecast_of(subject)).map(|(a, b)| a / b.max(1e-9));
        let reveal = prose::Reveal {
            forecast,
            overlap: runs.get(&subject).map_or(0, |(_, t)| t.max_cpu_overlap()),
            after_run: self.guessed_after_run,
        };
        prose::show(self.kind, &self.results, caps, &reveal);
    }

    /// Each strategy this page can run, forecast for the form's job on this machine: the
    /// line under the buttons, and before any run, the chosen strategy's timeline.
    fn show_forecast(&self) {
        let (Some(caps), Some(cal)) = (&self.caps, &self.calibration) else { return };
        let (job, _) = self.form.state().job(caps.hardware_threads);
        let runnable = |s: &Strategy| caps.unavailable(*s).is_none();
        let times: Vec<(Strategy, f64)> = Strategy::ALL
            .into_iter()
            .filter(runnable)
            .map(|strategy| Job { strategy, ..job })
            .filter(|j| j.too_long(caps.hardware_threads).is_none())
            .map(|j| (j.strategy, forecast(&j, cal).makespan))
            .collect();
        self.forecast_line.set_text_content(Some(&cvp_scene::prose::forecast_line(cal, &times, self.kind)));
        toggle_attr(&self.forecast_line, "hidden", times.is_empty());
        if self.results.rows().is_empty()
            && runnable(&job.strategy)
            && job.too_long(caps.hardware_threads).is_none()
        {
            toggle_attr(&self.view.element(), "hidden", false);
            self.view.load_titled(
                vec![(format!("{} (forecast)", job.strategy.label()), forecast(&job, cal))],
                None,
            );
        }
    }

    fn explain_isolation(&self, ready: &Capabilities) {
        let Some(why) = ready.unavailable(Strategy::Threads) else { return };
        let note = &self.isolation;
        note.set_inner_html("");
        let _ = note.append_child(&el("strong").text("Threads are unavailable here. ").build());
        let _ = note.append_with_str_1(&format!("Reason: {why}. {}", ready.fix(crate::embedder::framed())));
        toggle_attr(note, "hidden", false);
    }
}

fn on_ready(widget: &Rc<RefCell<Widget>>, ready: &Capabilities, asked: RunState) {
    let mut w = widget.borrow_mut();
    w.caps = Some(ready.clone());
    w.shell.set_stage(Stage::Ready);
    let root = w.shell.root();
    root.set_attribute("data-pool-threads", &ready.pool_threads.to_string()).ok();
    root.set_attribute("data-isolated", if ready.isolated { "true" } else { "false" }).ok();
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
    w.shell.tell(&told);
    w.url_notices = told;
    w.calibration = ready.calibration;
    w.shell.say(&ready.ready());
    w.show_forecast();
}

fn start(widget: &Rc<RefCell<Widget>>, plan: Plan) {
    let share = {
        let w = widget.borrow();
        if !w.shell.can_start() {
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
        match w.queue.plan(plan, job, &caps) {
            Ok(left_out) => told.extend(left_out.into_iter().map(|why| Notice(format!("Left out: {why}.")))),
            Err(e) => {
                w.shell.tell(&told);
                w.shell.say(&e);
                return;
            }
        }
        w.shell.tell(&told);
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
        // The forecast is made now, before the run, from what was measured before it.
        if let Some(cal) = w.calibration {
            w.forecasts.insert(job.strategy, (job, forecast(&job, &cal)));
        }
        w.shell.set_stage(Stage::Running);
        w.shell.say(&format!("Running {}…", job.strategy.label()));
        (w.shell.runner().clone(), job, purpose)
    };
    let weak = Rc::downgrade(widget);
    let result = runner.run(job, move |event| {
        let Some(widget) = weak.upgrade() else { return };
        match event {
            RunEvent::Progress { done, total } => {
                let w = widget.borrow();
                w.progress.set_value(done as f64 / total.max(1) as f64);
                w.shell.say(&format!("Running {}: {done} of {total} done", job.strategy.label()));
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
                w.shell.set_stage(Stage::Cancelled);
                w.shell.say("Cancelled. The workers are ready for another run.");
            }
            RunEvent::Failed(error) => {
                let mut w = widget.borrow_mut();
                w.queue.clear();
                w.shell.set_stage(Stage::Failed);
                w.shell.say(&format!("The run failed: {error}"));
            }
        }
    });
    if let Err(e) = result {
        let mut w = widget.borrow_mut();
        w.queue.clear();
        w.shell.set_stage(Stage::Ready);
        w.shell.say(&format!("Cannot run now: {e}"));
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
    if let Some(cal) = &mut w.calibration {
        cal.learn(&job, trace);
    }
    w.results_view.show(&w.results, &w.forecasts);
    if job.strategy == Strategy::Sync || job.strategy == cvp_model::guess::subject(w.kind) {
        // A new measurement to score against: the guess on the page came before it.
        w.guessed_after_run = false;
    }
    w.show_prose();
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
    w.shell.say(&format!(
        "{}: {} {} in {}, CPU busy {:.0}%.{workers}",
        job.strategy.label(),
        trace.tasks.len(),
        w.kind.noun(),
        format_duration(trace.makespan),
        trace.cpu_utilisation() * 100.0
    ));
}

/// Draws every strategy's measured timeline above the forecast made before it ran, on one
/// time axis, and says where a run missed its forecast by more than the noise and what its
/// trace shows made the difference. With `last` (no job ran after it), the widget is done
/// once they show; otherwise the job now running owns the widget's state.
fn show_timeline(widget: &Rc<RefCell<Widget>>, last: bool) {
    let w = widget.borrow();
    let (mut panels, mut gaps) = (Vec::new(), Vec::new());
    for (job, measured) in w.results.runs() {
        let label = job.strategy.label();
        // Short: a phone's panel has room for little beside the clock, which gives the time.
        panels.push((format!("{label} (measured)"), measured.clone()));
        let Some((forecast_job, forecast)) = w.forecasts.get(&job.strategy).filter(|(j, _)| *j == job) else {
            continue;
        };
        if let Some(cal) = &w.calibration {
            gaps.extend(gap(forecast_job, measured, forecast, cal, w.results.noise(job.strategy)));
        }
        panels.push((format!("{label} (forecast)"), forecast.clone()));
    }
    let note = if w.calibration.is_none() {
        "No forecast: the runner could not time its calibration runs here.".to_string()
    } else if gaps.is_empty() {
        "Each run came within 10 % of the forecast made before it (or within the spread of your repeat runs)."
            .to_string()
    } else {
        explain(&gaps)
    };
    w.predicted_notes.set_text_content(Some(&note));
    toggle_attr(&w.predicted_notes, "hidden", false);
    toggle_attr(&w.view.element(), "hidden", false);
    w.view.load_titled(panels, None);
    if last {
        w.shell.set_stage(Stage::Done);
    }
}
