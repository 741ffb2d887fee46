//! The pipeline widget (concurrency as structure, after seed 004): pages through request,
//! poll, collect, transform and write, each stage with its own workers and bounded queues
//! between them. It shows the simulator's ideal run at once, then the measured run beside
//! it, the throughput and the bottleneck, and compares the same work done as one loop and
//! as one flat parallel map.

use super::form::{show_notices, Form};
use super::player::Player;
use super::share::Share;
use crate::address::Host;
use crate::client::Runner;
use crate::dom::{el, find, listen, toggle_attr};
use cvp_model::embed::ToEmbedder;
use cvp_model::job::{Job, Workload, MAX_RUN_MS};
use cvp_model::pipeline::{simulate, Spec};
use cvp_model::query::Notice;
use cvp_model::state::{PipelineState, WidgetState};
use cvp_model::Strategy;
use cvp_scene::format_duration;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlButtonElement};

pub const TITLE: &str = "Concurrency as structure: a pipeline";

struct Widget {
    root: Element,
    runner: Runner,
    ready: bool,
    /// The machine's hardware threads, once the runner says.
    hardware_threads: u32,
    running: bool,
    form: Form<PipelineState>,
    status: Element,
    notices: Element,
    table: Element,
    verdict: Element,
    view: Player,
    /// The last measured pipeline run, kept for the comparison's table.
    measured: Option<f64>,
}

/// Mounts the pipeline into `root`, showing `state`, hosted as `host`.
pub fn mount(root: &Element, runner: Runner, host: Host, state: PipelineState, notices: Vec<Notice>) {
    let form = Form::new(state);
    let view = match Player::new(
        &["Simulated (ideal)".to_string(), "Measured here".to_string()],
        "pages",
        false,
        true,
    ) {
        Ok(v) => v,
        Err(e) => {
            root.set_text_content(Some(&format!("This widget cannot draw here: {e:?}")));
            return;
        }
    };
    let button =
        |action: &str, text: &str| el("button").attr("type", "button").attr("data-action", action).text(text);
    let status = el("p").class("cvp-status").attr("role", "status").attr("aria-live", "polite").build();
    status.set_text_content(Some("Starting the workers…"));
    let notices_list = el("ul").class("cvp-notices").build();
    show_notices(&notices_list, &notices);
    let table = el("table")
        .class("cvp-results cvp-pipeline")
        .attr("hidden", "")
        .child(el("caption").text("The same pages, measured on this machine"))
        .child(el("thead").child(el("tr").children(
            ["way", "time", "pages per second"].map(|h| el("th").attr("scope", "col").text(h).build()),
        )))
        .child(el("tbody"))
        .build();
    let verdict = el("p").class("cvp-verdict").attr("aria-live", "polite").build();
    root.set_inner_html("");
    let _ = root.class_list().add_2("cvp-widget", "cvp-pipeline-widget");
    let _ = root.set_attribute("data-state", "starting");
    for child in [
        el("h3").text(TITLE).build(),
        form.element().clone(),
        el("div")
            .class("cvp-buttons")
            .child(button("run", "Run the pipeline").class("primary"))
            .child(button("compare", "Compare: one loop, one parallel map"))
            .build(),
        status.clone(),
        notices_list.clone(),
        verdict.clone(),
        table.clone(),
        view.element(),
    ] {
        let _ = root.append_child(&child);
    }
    view.load(vec![simulate(&state.spec)], None);
    let widget = Rc::new(RefCell::new(Widget {
        root: root.clone(),
        runner: runner.clone(),
        ready: false,
        hardware_threads: 1,
        running: false,
        form,
        status,
        notices: notices_list,
        table,
        verdict,
        view,
        measured: None,
    }));
    let weak = Rc::downgrade(&widget);
    let share = Share::new(host, TITLE, root, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        WidgetState::Pipeline(PipelineState { autorun: false, ..state })
    });
    let _ = root.append_child(&share.element());
    {
        let (w, share) = (Rc::downgrade(&widget), share.clone());
        widget.borrow().form.on_change(move |state, told| {
            if let Some(w) = w.upgrade() {
                let mut w = w.borrow_mut();
                show_notices(&w.notices, &told);
                describe(&w, &state.spec);
                w.view.load(vec![simulate(&state.spec)], None);
                w.measured = None;
            }
            share.changed();
        });
    }
    for (action, compare) in [("run", false), ("compare", true)] {
        if let Some(b) = find::<Element>(root, &format!("[data-action={action}]")) {
            let w = widget.clone();
            listen(&b, "click", move |_| start(&w, compare));
        }
    }
    describe(&widget.borrow(), &state.spec);
    let ready = widget.clone();
    runner.when_ready(move |r| {
        {
            let mut w = ready.borrow_mut();
            w.ready = true;
            w.hardware_threads = r.hardware_threads;
            let _ = w.root.set_attribute("data-state", "ready");
            if r.pool_threads == 0 {
                w.status.set_text_content(Some(
                    "Ready, without shared memory here: the transform stage computes on the coroutines' thread.",
                ));
            } else {
                w.status.set_text_content(Some("Ready: transform runs on threads of a pool."));
            }
            w.set_buttons();
        }
        if state.autorun {
            start(&ready, false);
        }
    });
    let busy = Rc::downgrade(&widget);
    runner.watch_busy(move |_| {
        if let Some(w) = busy.upgrade() {
            w.borrow().set_buttons();
        }
    });
}

impl Widget {
    fn set_buttons(&self) {
        for action in ["run", "compare"] {
            if let Some(b) = find::<HtmlButtonElement>(&self.root, &format!("[data-action={action}]")) {
                b.set_disabled(!self.ready || self.running || self.runner.busy());
            }
        }
    }
}

/// What the simulator says of `spec`: the bottleneck and the throughput it allows.
fn describe(w: &Widget, spec: &Spec) {
    let b = spec.bottleneck();
    let stage = spec.stages()[b];
    let rate = 1000.0 / spec.per_item(b);
    w.verdict.set_text_content(Some(&format!(
        "Bottleneck: {} ({} per page on {} worker{}), so at best {rate:.1} pages per second once the pipeline is full.",
        stage.name,
        format_duration(stage.ms),
        stage.workers,
        if stage.workers == 1 { "" } else { "s" }
    )));
}

/// The same pages as one job: every wait, then every computation, per page.
fn flat(spec: &Spec, strategy: Strategy) -> Job {
    let wait = spec.ms[0] + spec.ms[1] + spec.ms[4];
    let cpu = spec.ms[2] + spec.ms[3];
    Job {
        workload: Workload::Fetch { tasks: spec.items, latency_ms: wait, parse_ms: cpu },
        strategy,
        threads: spec.threads,
        limit: None,
        switch_interval_ms: cvp_model::job::SWITCH_INTERVAL_MS,
    }
}

fn start(widget: &Rc<RefCell<Widget>>, compare: bool) {
    let (runner, spec) = {
        let mut w = widget.borrow_mut();
        if !w.ready || w.running || w.runner.busy() {
            return;
        }
        let state = w.form.state();
        // The form told what it changed as it changed it; a run starts with a clean list.
        show_notices(&w.notices, &[]);
        // No URL may start minutes of work: the simulator's ideal time is a lower bound.
        let ideal = simulate(&state.spec).makespan;
        if ideal > MAX_RUN_MS {
            w.status.set_text_content(Some(&format!(
                "This pipeline would take at least {:.0} s, and one run may take {:.0} s at most: fewer pages or shorter stages.",
                ideal / 1000.0,
                MAX_RUN_MS / 1000.0
            )));
            return;
        }
        w.running = true;
        w.set_buttons();
        let _ = w.root.set_attribute("data-state", "running");
        (w.runner.clone(), state.spec)
    };
    let widget = widget.clone();
    crate::fault::spawn_local(async move {
        let result = if compare {
            run_compare(&widget, &runner, spec).await
        } else {
            run_pipeline(&widget, &runner, spec).await
        };
        let mut w = widget.borrow_mut();
        w.running = false;
        match result {
            Ok(()) => {
                let _ = w.root.set_attribute("data-state", "done");
            }
            Err(e) => {
                w.status.set_text_content(Some(&format!("The run stopped: {e}")));
                let _ = w.root.set_attribute("data-state", "error");
            }
        }
        w.set_buttons();
    });
}

async fn run_pipeline(widget: &Rc<RefCell<Widget>>, runner: &Runner, spec: Spec) -> Result<(), String> {
    widget.borrow().status.set_text_content(Some("Running the pipeline…"));
    let trace = runner.pipeline_to_end(spec).await?;
    let mut w = widget.borrow_mut();
    let ms = trace.makespan;
    w.measured = Some(ms);
    let ideal = simulate(&spec);
    w.status.set_text_content(Some(&format!(
        "{} pages in {} ({:.1} per second); the simulator's ideal: {}.",
        spec.items,
        format_duration(ms),
        spec.items as f64 * 1000.0 / ms.max(1e-9),
        format_duration(ideal.makespan)
    )));
    toggle_attr(&w.view.element(), "hidden", false);
    w.view.load(vec![ideal, trace], None);
    rows(&w, &[("the pipeline", ms)], spec.items);
    post(&spec, ms, None, None);
    Ok(())
}

async fn run_compare(widget: &Rc<RefCell<Widget>>, runner: &Runner, spec: Spec) -> Result<(), String> {
    let say = |t: &str| widget.borrow().status.set_text_content(Some(t));
    let measured = widget.borrow().measured;
    let pipeline = match measured {
        Some(ms) => ms,
        None => {
            say("Running the pipeline…");
            runner.pipeline_to_end(spec).await?.makespan
        }
    };
    let hw = widget.borrow().hardware_threads;
    say("The same pages as one loop…");
    let looped = run_flat(runner, &spec, Strategy::Sync, hw).await?;
    say("The same pages as one parallel map…");
    let mapped = run_flat(runner, &spec, Strategy::Threads, hw).await?;
    let mut w = widget.borrow_mut();
    w.measured = Some(pipeline);
    let map_label = format!("one parallel map on {} threads", spec.threads);
    rows(&w, &[("the pipeline", pipeline), ("one loop", looped), (map_label.as_str(), mapped)], spec.items);
    w.status.set_text_content(Some(&format!(
        "The pipeline took {}; one loop {}; one parallel map {}.",
        format_duration(pipeline),
        format_duration(looped),
        format_duration(mapped)
    )));
    post(&spec, pipeline, Some(looped), Some(mapped));
    Ok(())
}

async fn run_flat(runner: &Runner, spec: &Spec, strategy: Strategy, hw: u32) -> Result<f64, String> {
    let job = flat(spec, strategy);
    if let Some(why) = job.too_long(hw) {
        return Err(why);
    }
    Ok(runner.run_to_end(job).await?.makespan)
}

fn rows(w: &Widget, ways: &[(&str, f64)], items: u32) {
    let Some(body) = find::<Element>(&w.table, "tbody") else { return };
    body.set_inner_html("");
    for (way, ms) in ways {
        let row = el("tr")
            .attr("data-way", way.split_whitespace().take(2).collect::<Vec<_>>().join("-").as_str())
            .child(el("th").attr("scope", "row").text(way))
            .child(
                el("td")
                    .attr("data-col", "wall")
                    .attr("data-ms", &format!("{ms:.3}"))
                    .text(&format_duration(*ms)),
            )
            .child(el("td").text(&format!("{:.1}", items as f64 * 1000.0 / ms.max(1e-9))));
        let _ = body.append_child(&row.build());
    }
    toggle_attr(&w.table, "hidden", false);
}

fn post(spec: &Spec, wall_ms: f64, loop_ms: Option<f64>, map_ms: Option<f64>) {
    crate::embedder::post(&ToEmbedder::pipeline(spec, wall_ms, loop_ms, map_ms));
}
