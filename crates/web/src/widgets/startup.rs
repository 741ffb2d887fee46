//! The start-up experiment widget: the same computation by one thread, split over N fresh
//! workers (started for the run), and split over N threads of a running pool, for N = 1 to
//! twice the hardware threads; the measured times as a chart and where fresh workers start
//! to pay off. Before it runs: the calibration's forecast, and the reader's guess of two
//! fresh workers' speedup (scored after N = 2). The plan, the break-even, the forecast and
//! the guess's rules are `cvp_model::startup`'s.

use super::form::Form;
use super::guess::GuessBox;
use super::kit::{time_cell, Button, Layout, Role, Shell};
use crate::address::Host;
use crate::canvas::Canvas;
use crate::client::Runner;
use crate::dom::{el, find};
use crate::worker::protocol::Capabilities;
use cvp_model::embed::ToEmbedder;
use cvp_model::query::Notice;
use cvp_model::stage::Stage;
use cvp_model::startup::{best_break_even, outcome, ready, Experiment, Forecast, Point, ASK};
use cvp_model::state::{StartupState, WidgetState};
use cvp_scene::prose::{startup_forecast, startup_verdict};
use cvp_scene::{format_duration, startup_chart, StartupPoint};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

pub const TITLE: &str = "Start-up is not free: one thread, fresh workers, a running pool";

struct Widget {
    shell: Shell,
    caps: Option<Capabilities>,
    form: Form<StartupState>,
    table: Element,
    chart: Canvas,
    verdict: Element,
    guess: GuessBox,
    /// Under the buttons: the calibration's forecast for the form's work, before it runs.
    forecast_line: Element,
}

impl Widget {
    /// Shows the forecast for the form's work, once the runner has calibrated.
    fn show_forecast(&self) {
        let Some(cal) = self.caps.as_ref().and_then(|c| c.calibration) else { return };
        let work_ms = self.form.state().work_ms;
        self.forecast_line.set_text_content(Some(&startup_forecast(
            &Forecast::new(work_ms, &cal),
            &cal,
            work_ms,
        )));
        crate::dom::toggle_attr(&self.forecast_line, "hidden", false);
    }
}

/// Mounts the experiment into `root`, showing `state`, hosted as `host`.
pub fn mount(root: &Element, runner: Runner, host: Host, state: StartupState, notices: Vec<Notice>) {
    let form = Form::new(state);
    let chart: HtmlCanvasElement = el("canvas")
        .class("cvp-chart")
        .attr("hidden", "")
        .attr("role", "img")
        .attr("aria-label", "Measured times against the number of workers")
        .build()
        .unchecked_into();
    let Ok(canvas) = Canvas::new(chart.clone()) else { return };
    let table = el("table")
        .class("cvp-results cvp-startup")
        // On a narrow screen the table scrolls sideways in its own frame (style.css), which
        // a keyboard can only scroll once it can take the focus.
        .attr("tabindex", "0")
        .child(el("caption").text("Measured on this machine: the same computation, split over N"))
        .child(
            el("thead").child(
                el("tr").children(
                    ["N", "one thread", "N fresh workers", "of which start-up", "N pooled threads"]
                        .map(|h| el("th").attr("scope", "col").text(h).build()),
                ),
            ),
        )
        .child(el("tbody"))
        .build();
    let verdict = el("p").class("cvp-verdict").attr("aria-live", "polite").build();
    let guess = GuessBox::new(&ASK);
    let forecast_line = el("p").class("cvp-forecast").attr("hidden", "").build();
    let shell = Shell::mount(
        root,
        &runner,
        Layout {
            class: "cvp-startup",
            title: TITLE,
            host: &host,
            buttons: &[Button { action: "run", text: "Run the experiment", role: Role::Primary }],
            head: vec![form.element().clone(), guess.controls()],
            between: vec![forecast_line.clone()],
            body: vec![table.clone(), chart.into(), verdict.clone(), guess.said()],
        },
        "Starting the workers…",
    );
    shell.tell(&notices);
    let widget = Rc::new(RefCell::new(Widget {
        shell: shell.clone(),
        caps: None,
        form,
        table,
        chart: canvas,
        verdict,
        guess,
        forecast_line,
    }));
    let weak = Rc::downgrade(&widget);
    let share = shell.share(host, TITLE, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        WidgetState::Startup(StartupState { autorun: false, ..state })
    });
    {
        let w = Rc::downgrade(&widget);
        widget.borrow().form.on_change(move |_, told| {
            if let Some(w) = w.upgrade() {
                let w = w.borrow();
                w.shell.tell(&told);
                w.show_forecast();
            }
            share.changed();
        });
    }
    {
        let w = widget.clone();
        shell.on("run", move || start(&w));
    }
    let ready_widget = widget.clone();
    runner.when_ready(move |r| {
        {
            let mut w = ready_widget.borrow_mut();
            w.caps = Some(r.clone());
            w.shell.set_stage(Stage::Ready);
            w.shell.say(&ready(r));
            w.show_forecast();
        }
        if state.autorun {
            start(&ready_widget);
        }
    });
}

fn start(widget: &Rc<RefCell<Widget>>) {
    let (shell, caps, state) = {
        let w = widget.borrow();
        let Some(caps) = w.caps.clone() else { return };
        if !w.shell.can_start() {
            return;
        }
        // The form told what it changed as it changed it; a run starts with a clean list.
        w.shell.tell(&[]);
        w.guess.take();
        w.shell.set_stage(Stage::Running);
        (w.shell.clone(), caps, w.form.state())
    };
    let widget = widget.clone();
    crate::fault::spawn_local(async move {
        match experiment(&widget, caps, state.work_ms).await {
            Ok(()) => shell.set_stage(Stage::Done),
            Err(e) => {
                shell.say(&format!("The experiment stopped: {e}"));
                shell.set_stage(Stage::Failed);
            }
        }
    });
}

async fn experiment(widget: &Rc<RefCell<Widget>>, caps: Capabilities, work_ms: f64) -> Result<(), String> {
    let began = crate::clock::now_ms();
    let shell = widget.borrow().shell.clone();
    let runner = shell.runner().clone();
    let mut experiment = Experiment::new(work_ms, &caps);
    // Forecast before the first run, from the calibration alone.
    let forecast = caps.calibration.map(|cal| Forecast::new(work_ms, &cal).speedup());
    let mut runs = 0;
    while let Some((step, job)) = experiment.next() {
        shell.say(&step.doing());
        let trace = runner.run_to_end(job).await?;
        runs += 1;
        if experiment.record(&trace) {
            let w = widget.borrow();
            show(&w, experiment.points());
            if let Some(o) = outcome(experiment.points(), caps.hardware_threads, forecast) {
                w.guess.reveal(o);
            }
        }
    }
    let w = widget.borrow();
    let points = experiment.points();
    let best = best_break_even(points, caps.hardware_threads);
    w.verdict.set_text_content(Some(&startup_verdict(best, work_ms)));
    let wall_ms = crate::clock::now_ms() - began;
    shell.say(&format!("Done: {runs} runs in {}.", format_duration(wall_ms)));
    crate::embedder::post(&ToEmbedder::startup(work_ms, points, best, wall_ms));
    Ok(())
}

fn show(w: &Widget, points: &[Point]) {
    let Some(body) = find::<Element>(&w.table, "tbody") else { return };
    body.set_inner_html("");
    let ms = |v: f64| if v.is_finite() { format_duration(v) } else { "unavailable here".into() };
    for p in points {
        let row = el("tr")
            .attr("data-n", &p.n.to_string())
            .child(el("th").attr("scope", "row").text(&p.n.to_string()))
            .child(time_cell("one", p.one_ms))
            .child(time_cell("fresh", p.fresh_ms))
            .child(el("td").attr("data-col", "startup").text(&ms(p.fresh_startup_ms)))
            .child(time_cell("pooled", p.pooled_ms));
        let _ = body.append_child(&row.build());
    }
    let series: Vec<StartupPoint> = points.iter().map(|p| (p.n, p.one_ms, p.fresh_ms, p.pooled_ms)).collect();
    super::chart::draw(&w.chart, 260.0, |width, height, style| startup_chart(&series, width, height, style));
}
