//! The real-run widget: runs the fib or fetch workload on this machine with each strategy,
//! and shows the measured times, the speedups and the measured timeline.

use super::form::{param_field, show_notices};
use super::player::Player;
use crate::canvas::Canvas;
use crate::client::{Readiness, RunEvent, Runner};
use crate::dom::{el, find, toggle_attr};
use crate::runs::unavailable;
use crate::worker::protocol::Capabilities;
use cvp_model::job::{Job, Notice, Param, FETCH_PARAMS, FIB_PARAMS};
use cvp_model::{Phase, Strategy, Trace};
use cvp_scene::{format_duration, speedup_chart};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement, HtmlProgressElement, HtmlSelectElement};

/// Which workload the widget runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// CPU-bound: naive fib.
    Fib,
    /// I/O-bound: simulated page fetches.
    Fetch,
}

impl Kind {
    /// From the widget name (`fib`, `fetch`).
    pub fn from_key(key: &str) -> Option<Kind> {
        match key {
            "fib" => Some(Kind::Fib),
            "fetch" => Some(Kind::Fetch),
            _ => None,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Fib => "fib",
            Kind::Fetch => "fetch",
        }
    }

    fn params(self) -> &'static [Param] {
        match self {
            Kind::Fib => &FIB_PARAMS,
            Kind::Fetch => &FETCH_PARAMS,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Fib => "tasks",
            Kind::Fetch => "pages",
        }
    }
}

/// Why a job was queued: to compare strategies, or to measure how threads scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Compare,
    Scale,
}

/// A result worth keeping: what the table shows of one strategy's run, with the job that
/// produced it. (The trace itself goes to the timeline; a copy of a 1,000-lane trace
/// costs the page more than the table needs.)
struct Outcome {
    job: Job,
    makespan: f64,
    lanes: usize,
    cpu: f64,
}

struct State {
    kind: Kind,
    embedded: bool,
    root: Element,
    runner: Runner,
    caps: Option<Capabilities>,
    inputs: Vec<(&'static Param, HtmlInputElement)>,
    strategy: HtmlSelectElement,
    progress: HtmlProgressElement,
    status: Element,
    notices: Element,
    table: Element,
    view: Player,
    chart: Canvas,
    results: BTreeMap<Strategy, Outcome>,
    /// Wall time (ms) measured with each thread count, for the speedup chart.
    scaling: BTreeMap<u32, f64>,
    queue: VecDeque<(Job, Purpose)>,
    /// What the URL asked for that had to change, shown until the first run.
    url_notices: Vec<Notice>,
    /// Jobs started so far: tells a finished run's deferred timeline whether another run
    /// began meanwhile (and owns the widget's state now).
    started: u64,
}

/// Mounts the widget into `root`, configured by `query` (URL pairs; the page passes none).
pub fn mount(root: &Element, kind: Kind, runner: Runner, query: Vec<(String, String)>, embedded: bool) {
    let title = match kind {
        Kind::Fib => "CPU-bound: naive fib, run on your machine",
        Kind::Fetch => "I/O-bound: fetching pages (timers stand in for the network)",
    };
    let form = el("div").class("cvp-form");
    let mut inputs = Vec::new();
    for p in kind.params() {
        // The URL's values are checked and filled in once the runner is ready (on_ready).
        let (label, input) = param_field(p);
        let _ = form.as_ref().append_child(&label);
        inputs.push((p, input));
    }
    let strategy: HtmlSelectElement = el("select").attr("name", "strategy").build().unchecked_into();
    for s in Strategy::ALL {
        let _ = strategy.append_child(&el("option").attr("value", s.key()).text(s.label()).build());
    }
    let form = form.child(el("label").child(el("span").text("strategy")).child(&strategy));

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
    let notices = el("ul").class("cvp-notices").build();
    let table = el("table")
        .class("cvp-results")
        .child(el("caption").text("Measured on this machine"))
        .child(
            el("thead").child(
                el("tr").children(
                    ["strategy", "lanes", "time", "speedup", "CPU busy"]
                        .map(|h| el("th").attr("scope", "col").text(h).build()),
                ),
            ),
        )
        .child(el("tbody"))
        .build();
    let view = match Player::new(&["Measured timeline".to_string()], kind.noun(), false, false) {
        Ok(v) => v,
        Err(e) => {
            root.set_text_content(Some(&format!("This widget cannot draw here: {e:?}")));
            return;
        }
    };
    let chart_element: web_sys::HtmlCanvasElement = el("canvas")
        .class("cvp-chart")
        .attr("hidden", "")
        .attr("role", "img")
        .attr("aria-label", "Measured speedup against Amdahl's law")
        .build()
        .unchecked_into();
    let Ok(chart) = Canvas::new(chart_element.clone()) else { return };
    root.set_inner_html("");
    let _ = root.class_list().add_2("cvp-widget", "cvp-realrun");
    root.set_attribute("data-state", "starting").ok();
    for child in [
        el("h3").text(title).build(),
        el("p").class("cvp-isolation").attr("hidden", "").build(),
        form.build(),
        buttons.build(),
        progress.clone().into(),
        status.clone(),
        notices.clone(),
        table.clone(),
        view.element(),
        chart_element.into(),
    ] {
        let _ = root.append_child(&child);
    }
    toggle_attr(&view.element(), "hidden", true);
    let state = Rc::new(RefCell::new(State {
        kind,
        embedded,
        root: root.clone(),
        runner: runner.clone(),
        caps: None,
        inputs,
        strategy,
        progress,
        status,
        notices,
        table,
        view,
        chart,
        results: BTreeMap::new(),
        scaling: BTreeMap::new(),
        queue: VecDeque::new(),
        url_notices: Vec::new(),
        started: 0,
    }));
    wire(&state);
    let autorun = query.iter().any(|(k, v)| k == "autorun" && v == "1");
    let ready_state = state.clone();
    runner.when_ready(move |ready| {
        on_ready(&ready_state, ready, &query);
        if autorun {
            start(&ready_state, Plan::Selected);
        }
    });
    let busy_state = Rc::downgrade(&state);
    runner.watch_busy(move |busy| {
        if let Some(s) = busy_state.upgrade() {
            set_busy(&s.borrow(), busy);
        }
    });
}

fn wire(state: &Rc<RefCell<State>>) {
    let root = state.borrow().root.clone();
    let on = |action: &str, f: fn(&Rc<RefCell<State>>)| {
        if let Some(b) = find::<Element>(&root, &format!("[data-action={action}]")) {
            let s = state.clone();
            crate::dom::listen(&b, "click", move |_| f(&s));
        }
    };
    on("run", |s| start(s, Plan::Selected));
    on("run-all", |s| start(s, Plan::Every));
    on("scale", |s| start(s, Plan::Scale));
    on("cancel", |s| {
        let st = s.borrow();
        st.status.set_text_content(Some("Cancelling…"));
        let runner = st.runner.clone();
        drop(st);
        s.borrow_mut().queue.clear();
        runner.cancel();
    });
}

fn on_ready(state: &Rc<RefCell<State>>, ready: &Readiness, query: &[(String, String)]) {
    let mut st = state.borrow_mut();
    st.caps = Some(ready.caps);
    st.root.set_attribute("data-state", "ready").ok();
    st.root.set_attribute("data-pool-threads", &ready.caps.pool_threads.to_string()).ok();
    st.root.set_attribute("data-isolated", if ready.caps.isolated { "true" } else { "false" }).ok();
    let note: Element = find(&st.root, ".cvp-isolation").expect("built above");
    if let Some(why) = unavailable(Strategy::Threads, &ready.caps) {
        note.set_inner_html("");
        let _ = note.append_child(&el("strong").text("Threads are unavailable here. ").build());
        let fix = if ready.caps.isolated {
            ready.pool_error.as_ref().map(|e| format!(" The browser said: {e}")).unwrap_or_default()
        } else {
            " To run them, open this page on its own site (which sends the two headers), or ask whoever \
             hosts it to serve it with Cross-Origin-Opener-Policy: same-origin and \
             Cross-Origin-Embedder-Policy: require-corp."
                .to_string()
        };
        let _ = note.append_with_str_1(&format!("Reason: {why}.{fix}"));
        toggle_attr(&note, "hidden", false);
    }
    for i in 0..st.strategy.length() {
        if let Some(opt) = st.strategy.item(i) {
            let s = Strategy::from_key(&opt.get_attribute("value").unwrap_or_default());
            let off = s.is_some_and(|s| unavailable(s, &ready.caps).is_some());
            toggle_attr(&opt, "disabled", off);
            if off {
                opt.set_text_content(Some(&format!("{} (unavailable here)", s.map_or("", Strategy::label))));
            }
        }
    }
    let threads_max = ready.caps.hardware_threads.to_string();
    for (p, input) in &st.inputs {
        if p.key == "threads" {
            input.set_max(&threads_max);
            if input.value() == "0" {
                input.set_value(&threads_max);
            }
        }
    }
    // The URL's values, checked: the form shows what will run, and the reader is told
    // what had to change (a number input alone would silently drop "abc").
    let (job, mut notices) = Job::from_query(st.kind.key(), query, ready.caps.hardware_threads);
    reflect(&st, &job);
    st.strategy.set_value(job.strategy.key());
    if let Some(why) = unavailable(job.strategy, &ready.caps) {
        st.strategy.set_value(Strategy::Processes.key());
        if query.iter().any(|(k, _)| k == "strategy") {
            notices
                .push(Notice(format!("{} cannot run here ({why}): using processes", job.strategy.label())));
        }
    }
    show_notices(&st.notices, &notices);
    st.url_notices = notices;
    st.status.set_text_content(Some(&format!(
        "Ready: {} hardware threads, {}.",
        ready.caps.hardware_threads,
        if ready.caps.pool_threads > 0 {
            format!("a pool of {} threads", ready.caps.pool_threads)
        } else {
            "no thread pool".into()
        }
    )));
    set_busy(&st, st.runner.busy());
}

fn selected_strategy(st: &State) -> Strategy {
    Strategy::from_key(&st.strategy.value()).unwrap_or(Strategy::Threads)
}

/// The job the form describes, with what had to be changed to make it valid.
fn read_job(st: &State, strategy: Strategy) -> (Job, Vec<Notice>) {
    let caps = st.caps.expect("jobs start only once ready");
    let mut pairs: Vec<(String, String)> =
        st.inputs.iter().map(|(p, i)| (p.key.to_string(), i.value())).collect();
    pairs.push(("strategy".into(), strategy.key().into()));
    Job::from_query(st.kind.key(), &pairs, caps.hardware_threads)
}

/// What a button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// The strategy chosen in the form.
    Selected,
    /// Every strategy this page can run, in turn.
    Every,
    /// Threads with 1, 2, ... up to the pool's size.
    Scale,
}

fn start(state: &Rc<RefCell<State>>, plan: Plan) {
    {
        let mut st = state.borrow_mut();
        let Some(caps) = st.caps else { return };
        if st.runner.busy() {
            return;
        }
        let (job, mut notices) = read_job(&st, selected_strategy(&st));
        let mut told = std::mem::take(&mut st.url_notices);
        told.append(&mut notices);
        show_notices(&st.notices, &told);
        // Reflect the clamped values back into the form, so what runs is what shows.
        reflect(&st, &job);
        st.queue = match plan {
            Plan::Selected => vec![(job, Purpose::Compare)],
            Plan::Every => Strategy::ALL
                .into_iter()
                .filter(|s| unavailable(*s, &caps).is_none())
                .map(|strategy| (Job { strategy, ..job }, Purpose::Compare))
                .collect(),
            Plan::Scale if caps.pool_threads == 0 => {
                let why = unavailable(Strategy::Threads, &caps).unwrap_or_default();
                st.status.set_text_content(Some(&format!("Cannot measure thread scaling: {why}")));
                return;
            }
            Plan::Scale => {
                st.scaling.clear();
                (1..=caps.pool_threads)
                    .map(|threads| (Job { strategy: Strategy::Threads, threads, ..job }, Purpose::Scale))
                    .collect()
            }
        }
        .into();
    }
    next(state);
}

fn reflect(st: &State, job: &Job) {
    use cvp_model::job::Workload;
    let values: Vec<(&str, String)> = match job.workload {
        Workload::Fib { tasks, n } => vec![("tasks", tasks.to_string()), ("n", n.to_string())],
        Workload::Fetch { tasks, latency_ms, parse_ms } => {
            vec![
                ("tasks", tasks.to_string()),
                ("latency", latency_ms.to_string()),
                ("parse", parse_ms.to_string()),
            ]
        }
    };
    for (key, v) in values.into_iter().chain([("threads", job.threads.to_string())]) {
        if let Some((_, input)) = st.inputs.iter().find(|(p, _)| p.key == key) {
            input.set_value(&v);
        }
    }
}

/// Starts the next queued job, if any; whether one started.
fn next(state: &Rc<RefCell<State>>) -> bool {
    let (runner, job, purpose) = {
        let mut st = state.borrow_mut();
        let Some((job, purpose)) = st.queue.pop_front() else { return false };
        st.started += 1;
        st.progress.set_value(0.0);
        st.root.set_attribute("data-state", "running").ok();
        st.status.set_text_content(Some(&format!("Running {}…", job.strategy.label())));
        (st.runner.clone(), job, purpose)
    };
    let weak = Rc::downgrade(state);
    let result = runner.run(job, move |event| {
        let Some(state) = weak.upgrade() else { return };
        match event {
            RunEvent::Progress { done, total } => {
                let st = state.borrow();
                st.progress.set_value(done as f64 / total.max(1) as f64);
                st.status.set_text_content(Some(&format!(
                    "Running {}: {done} of {total} done",
                    job.strategy.label()
                )));
            }
            RunEvent::Done(trace) => {
                // The numbers and the next job now; the timeline of a big run in a task
                // of its own (decoding it took this one already), so neither is long.
                let trace = finished(&state, job, purpose, trace);
                let more = next(&state);
                let started = state.borrow().started;
                let state = state.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    show_timeline(&state, trace, !more && state.borrow().started == started);
                });
            }
            RunEvent::Cancelled => {
                let mut st = state.borrow_mut();
                st.queue.clear();
                st.root.set_attribute("data-state", "ready").ok();
                st.status.set_text_content(Some("Cancelled. The workers are ready for another run."));
            }
            RunEvent::Failed(error) => {
                let mut st = state.borrow_mut();
                st.queue.clear();
                st.root.set_attribute("data-state", "error").ok();
                st.status.set_text_content(Some(&format!("The run failed: {error}")));
            }
        }
    });
    if let Err(e) = result {
        let st = state.borrow();
        st.status.set_text_content(Some(&format!("Cannot run now: {e}")));
        return false;
    }
    true
}

/// Shows a finished run's numbers (table, status, chart) and posts the result; gives the
/// trace back for [`show_timeline`].
fn finished(state: &Rc<RefCell<State>>, job: Job, purpose: Purpose, trace: Trace) -> Trace {
    let mut st = state.borrow_mut();
    st.progress.set_value(1.0);
    post_result(&st, &job, &trace);
    if purpose == Purpose::Scale {
        st.scaling.insert(job.threads, trace.makespan);
        draw_chart(&st);
    }
    let summary = format!(
        "{}: {} {} in {}, CPU busy {:.0}%.",
        job.strategy.label(),
        trace.tasks.len(),
        st.kind.noun(),
        format_duration(trace.makespan),
        trace.cpu_utilisation() * 100.0
    );
    // A result for another workload makes the old ones incomparable: start a new table.
    if st.results.values().any(|o| o.job.workload != job.workload) {
        st.results.clear();
    }
    let outcome =
        Outcome { job, makespan: trace.makespan, lanes: trace.lanes.len(), cpu: trace.cpu_utilisation() };
    st.results.insert(job.strategy, outcome);
    render_table(&st);
    st.status.set_text_content(Some(&summary));
    trace
}

/// Draws a finished run's measured timeline. With `last` (no job ran after it), the widget
/// is done once it shows; otherwise the job now running owns the widget's state.
fn show_timeline(state: &Rc<RefCell<State>>, trace: Trace, last: bool) {
    let st = state.borrow();
    toggle_attr(&st.view.element(), "hidden", false);
    st.view.load(vec![trace]);
    if last {
        st.root.set_attribute("data-state", "done").ok();
    }
}

fn render_table(st: &State) {
    let body: Element = find(&st.table, "tbody").expect("built above");
    body.set_inner_html("");
    let base = st.results.get(&Strategy::Sync).map(|o| o.makespan);
    for (strategy, o) in &st.results {
        let speedup =
            base.map_or("run sync to compare".to_string(), |b| format!("{:.2}×", b / o.makespan.max(1e-9)));
        let row = el("tr")
            .attr("data-strategy", strategy.key())
            .child(el("th").attr("scope", "row").text(strategy.label()))
            .child(el("td").attr("data-col", "lanes").text(&o.lanes.to_string()))
            .child(
                el("td")
                    .attr("data-col", "wall")
                    .attr("data-ms", &format!("{:.3}", o.makespan))
                    .text(&format_duration(o.makespan)),
            )
            .child(el("td").attr("data-col", "speedup").text(&speedup))
            .child(el("td").attr("data-col", "cpu").text(&format!("{:.0}%", o.cpu * 100.0)));
        let _ = body.append_child(&row.build());
    }
}

fn set_busy(st: &State, busy: bool) {
    for action in ["run", "run-all"] {
        if let Some(b) = find::<HtmlButtonElement>(&st.root, &format!("[data-action={action}]")) {
            b.set_disabled(busy || st.caps.is_none());
        }
    }
    if let Some(b) = find::<HtmlButtonElement>(&st.root, "[data-action=cancel]") {
        // Only the widget that owns the run can cancel it.
        b.set_disabled(!(busy && st.root.get_attribute("data-state").as_deref() == Some("running")));
    }
}

/// Tells the embedding page (if any) what was measured: `{type: "cvp:result", widget,
/// strategy, tasks, threads, wallMs, taskMs}`.
fn post_result(st: &State, job: &Job, trace: &Trace) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if !st.embedded && parent == window {
        return;
    }
    let msg = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&msg, &k.into(), &v);
    };
    set("type", "cvp:result".into());
    set("widget", st.kind.key().into());
    set("strategy", job.strategy.key().into());
    set("tasks", trace.tasks.len().into());
    let threads = match job.strategy {
        Strategy::Sync | Strategy::Async => 1,
        _ => job.threads,
    };
    set("threads", threads.into());
    set("wallMs", trace.makespan.into());
    let task_ms: js_sys::Array = work_times(trace).into_iter().map(JsValue::from).collect();
    set("taskMs", task_ms.into());
    // "*": the widget is meant to be embedded anywhere, and the result is not secret.
    let _ = parent.post_message(&msg, "*");
}

/// Each task's measured working time: its I/O and CPU phases, without time spent waiting
/// for its turn, a lock or a hand-off.
fn work_times(trace: &Trace) -> Vec<f64> {
    let mut ms = vec![0.0; trace.tasks.len()];
    for (_, s) in trace.segments() {
        if let (Some(task), Phase::Loading | Phase::Rendering) = (s.task, s.phase) {
            ms[task as usize] += s.duration();
        }
    }
    ms
}

/// Speedup over one thread at each thread count measured so far, against Amdahl's law.
fn draw_chart(st: &State) {
    let Some(&one) = st.scaling.get(&1) else { return };
    let points: Vec<(u32, f64)> = st.scaling.iter().map(|(&p, &ms)| (p, one / ms.max(1e-9))).collect();
    let element = st.chart.element();
    toggle_attr(element, "hidden", false);
    let width = (element.client_width() as f64).clamp(240.0, 640.0);
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let style = super::player::page_style();
    let drawn = st
        .chart
        .resize(width, 240.0, dpr)
        .and_then(|()| st.chart.paint(&speedup_chart(&points, width, 240.0, &style)));
    if let Err(e) = drawn {
        web_sys::console::error_2(&"cannot draw the chart:".into(), &e);
    }
    let text = points.iter().map(|(p, s)| format!("{p} threads: {s:.2}×")).collect::<Vec<_>>().join(", ");
    let _ = element.set_attribute("aria-label", &format!("Measured speedup against Amdahl's law: {text}"));
}
