//! The pipeline widget (concurrency as structure, after seed 004): pages through request,
//! poll, collect, transform and write, each stage with its own workers and bounded queues
//! between them. It shows the simulator's ideal run at once, then the measured run beside
//! it, the throughput and the bottleneck, and compares the same work done as one loop and
//! as one flat parallel map. Before the run it asks the reader how long the pages will
//! take, and scores that against the measured run (`cvp_model::pipeline::outcome`).

use super::form::Form;
use super::guess::GuessBox;
use super::kit::{time_cell, Button, Layout, Role, Shell};
use super::player::Player;
use crate::address::Host;
use crate::client::Runner;
use crate::dom::{el, find, toggle_attr};
use cvp_model::embed::ToEmbedder;
use cvp_model::pipeline::{outcome, ready, simulate, Spec, ASK};
use cvp_model::query::Notice;
use cvp_model::stage::Stage;
use cvp_model::state::{PipelineState, WidgetState};
use cvp_model::Strategy;
use cvp_scene::prose::{per_second, pipeline_bottleneck, pipeline_compared, pipeline_measured};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

pub const TITLE: &str = "Concurrency as structure: a pipeline";

struct Widget {
    shell: Shell,
    /// The machine's hardware threads, once the runner says.
    hardware_threads: u32,
    form: Form<PipelineState>,
    table: Element,
    verdict: Element,
    guess: GuessBox,
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
    let table = el("table")
        .class("cvp-results cvp-pipeline")
        // On a narrow screen the table scrolls sideways in its own frame (style.css), which
        // a keyboard can only scroll once it can take the focus.
        .attr("tabindex", "0")
        .attr("hidden", "")
        .child(el("caption").text("The same pages, measured on this machine"))
        .child(el("thead").child(el("tr").children(
            ["way", "time", "pages per second"].map(|h| el("th").attr("scope", "col").text(h).build()),
        )))
        .child(el("tbody"))
        .build();
    let verdict = el("p").class("cvp-verdict").attr("aria-live", "polite").build();
    let guess = GuessBox::new(&ASK);
    let shell = Shell::mount(
        root,
        &runner,
        Layout {
            class: "cvp-pipeline-widget",
            title: TITLE,
            host: &host,
            buttons: &[
                Button { action: "run", text: "Run the pipeline", role: Role::Primary },
                Button { action: "compare", text: "Compare: one loop, one parallel map", role: Role::Start },
            ],
            head: vec![form.element().clone(), guess.controls()],
            between: vec![],
            body: vec![verdict.clone(), guess.said(), table.clone(), view.element()],
        },
        "Starting the workers…",
    );
    shell.tell(&notices);
    view.load(vec![simulate(&state.spec)], None);
    verdict.set_text_content(Some(&pipeline_bottleneck(&state.spec)));
    let widget = Rc::new(RefCell::new(Widget {
        shell: shell.clone(),
        hardware_threads: 1,
        form,
        table,
        verdict,
        guess,
        view,
        measured: None,
    }));
    let weak = Rc::downgrade(&widget);
    let share = shell.share(host, TITLE, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        WidgetState::Pipeline(PipelineState { autorun: false, ..state })
    });
    {
        let w = Rc::downgrade(&widget);
        widget.borrow().form.on_change(move |state, told| {
            if let Some(w) = w.upgrade() {
                let mut w = w.borrow_mut();
                w.shell.tell(&told);
                w.verdict.set_text_content(Some(&pipeline_bottleneck(&state.spec)));
                w.view.load(vec![simulate(&state.spec)], None);
                w.measured = None;
            }
            share.changed();
        });
    }
    for (action, compare) in [("run", false), ("compare", true)] {
        let w = widget.clone();
        shell.on(action, move || start(&w, compare));
    }
    let ready_widget = widget.clone();
    runner.when_ready(move |r| {
        {
            let mut w = ready_widget.borrow_mut();
            w.hardware_threads = r.hardware_threads;
            w.shell.set_stage(Stage::Ready);
            w.shell.say(ready(r));
        }
        if state.autorun {
            start(&ready_widget, false);
        }
    });
}

fn start(widget: &Rc<RefCell<Widget>>, compare: bool) {
    let (shell, spec) = {
        let w = widget.borrow();
        if !w.shell.can_start() {
            return;
        }
        let spec = w.form.state().spec;
        // The form told what it changed as it changed it; a run starts with a clean list.
        w.shell.tell(&[]);
        if let Some(why) = spec.refusal() {
            w.shell.say(&why);
            return;
        }
        // The comparison reuses a measured pipeline run, which already scored the guess.
        if !(compare && w.measured.is_some()) {
            w.guess.take();
        }
        w.shell.set_stage(Stage::Running);
        (w.shell.clone(), spec)
    };
    let widget = widget.clone();
    crate::fault::spawn_local(async move {
        let result =
            if compare { run_compare(&widget, spec).await } else { run_pipeline(&widget, spec).await };
        match result {
            Ok(()) => shell.set_stage(Stage::Done),
            Err(e) => {
                shell.say(&format!("The run stopped: {e}"));
                shell.set_stage(Stage::Failed);
            }
        }
    });
}

async fn run_pipeline(widget: &Rc<RefCell<Widget>>, spec: Spec) -> Result<(), String> {
    let shell = widget.borrow().shell.clone();
    shell.say("Running the pipeline…");
    let trace = shell.runner().pipeline_to_end(spec).await?;
    let mut w = widget.borrow_mut();
    let ms = trace.makespan;
    w.measured = Some(ms);
    let ideal = simulate(&spec);
    shell.say(&pipeline_measured(&spec, ms, ideal.makespan));
    toggle_attr(&w.view.element(), "hidden", false);
    w.view.load(vec![ideal, trace], None);
    rows(&w, &[("the pipeline", ms)], spec.items);
    w.guess.reveal(outcome(&spec, ms));
    crate::embedder::post(&ToEmbedder::pipeline(&spec, ms, None, None));
    Ok(())
}

async fn run_compare(widget: &Rc<RefCell<Widget>>, spec: Spec) -> Result<(), String> {
    let (shell, measured, hw) = {
        let w = widget.borrow();
        (w.shell.clone(), w.measured, w.hardware_threads)
    };
    let runner = shell.runner().clone();
    let pipeline = match measured {
        Some(ms) => ms,
        None => {
            shell.say("Running the pipeline…");
            let ms = runner.pipeline_to_end(spec).await?.makespan;
            widget.borrow().guess.reveal(outcome(&spec, ms));
            ms
        }
    };
    let flat = |strategy: Strategy| {
        let job = spec.flat(strategy);
        let runner = runner.clone();
        async move {
            if let Some(why) = job.too_long(hw) {
                return Err(why);
            }
            Ok(runner.run_to_end(job).await?.makespan)
        }
    };
    shell.say("The same pages as one loop…");
    let looped = flat(Strategy::Sync).await?;
    shell.say("The same pages as one parallel map…");
    let mapped = flat(Strategy::Threads).await?;
    let mut w = widget.borrow_mut();
    w.measured = Some(pipeline);
    let map_label = format!("one parallel map on {} threads", spec.threads);
    rows(&w, &[("the pipeline", pipeline), ("one loop", looped), (map_label.as_str(), mapped)], spec.items);
    shell.say(&pipeline_compared(pipeline, looped, mapped));
    crate::embedder::post(&ToEmbedder::pipeline(&spec, pipeline, Some(looped), Some(mapped)));
    Ok(())
}

fn rows(w: &Widget, ways: &[(&str, f64)], items: u32) {
    let Some(body) = find::<Element>(&w.table, "tbody") else { return };
    body.set_inner_html("");
    for (way, ms) in ways {
        let row = el("tr")
            .attr("data-way", way.split_whitespace().take(2).collect::<Vec<_>>().join("-").as_str())
            .child(el("th").attr("scope", "row").text(way))
            .child(time_cell("wall", *ms))
            .child(el("td").text(&format!("{:.1}", per_second(items, *ms))));
        let _ = body.append_child(&row.build());
    }
    toggle_attr(&w.table, "hidden", false);
}
