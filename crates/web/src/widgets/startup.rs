//! The start-up experiment widget: the same computation by one thread, split over N fresh
//! workers (started for the run), and split over N threads of a running pool, for N = 1 to
//! twice the hardware threads; the measured times as a chart and where fresh workers start
//! to pay off. The plan and the break-even are `cvp_model::startup`'s.

use super::form::{show_notices, Form};
use super::share::Share;
use crate::address::Host;
use crate::canvas::Canvas;
use crate::client::Runner;
use crate::dom::{el, find, listen};
use crate::worker::protocol::Capabilities;
use cvp_model::embed::ToEmbedder;
use cvp_model::query::Notice;
use cvp_model::startup::{best_break_even, fresh_workers, one_thread, pooled_threads, startup_ms, Point};
use cvp_model::state::{StartupState, WidgetState};
use cvp_scene::{format_duration, startup_chart, StartupPoint};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlCanvasElement};

pub const TITLE: &str = "Start-up is not free: one thread, fresh workers, a running pool";

struct Widget {
    root: Element,
    runner: Runner,
    caps: Option<Capabilities>,
    form: Form<StartupState>,
    status: Element,
    notices: Element,
    table: Element,
    chart: Canvas,
    verdict: Element,
    running: bool,
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
    let status = el("p").class("cvp-status").attr("role", "status").attr("aria-live", "polite").build();
    status.set_text_content(Some("Starting the workers…"));
    let notices_list = el("ul").class("cvp-notices").build();
    show_notices(&notices_list, &notices);
    let table = el("table")
        .class("cvp-results cvp-startup")
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
    let run = el("button")
        .attr("type", "button")
        .attr("data-action", "run")
        .class("primary")
        .text("Run the experiment");
    root.set_inner_html("");
    let _ = root.class_list().add_2("cvp-widget", "cvp-startup");
    let _ = root.set_attribute("data-state", "starting");
    for child in [
        el("h3").text(TITLE).build(),
        form.element().clone(),
        el("div").class("cvp-buttons").child(run).build(),
        status.clone(),
        notices_list.clone(),
        table.clone(),
        chart.into(),
        verdict.clone(),
    ] {
        let _ = root.append_child(&child);
    }
    let widget = Rc::new(RefCell::new(Widget {
        root: root.clone(),
        runner: runner.clone(),
        caps: None,
        form,
        status,
        notices: notices_list,
        table,
        chart: canvas,
        verdict,
        running: false,
    }));
    let weak = Rc::downgrade(&widget);
    let share = Share::new(host, TITLE, root, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        WidgetState::Startup(StartupState { autorun: false, ..state })
    });
    let _ = root.append_child(&share.element());
    {
        let (w, share) = (Rc::downgrade(&widget), share.clone());
        widget.borrow().form.on_change(move |_, told| {
            if let Some(w) = w.upgrade() {
                show_notices(&w.borrow().notices, &told);
            }
            share.changed();
        });
    }
    if let Some(button) = find::<Element>(root, "[data-action=run]") {
        let w = widget.clone();
        listen(&button, "click", move |_| start(&w));
    }
    let ready = widget.clone();
    runner.when_ready(move |r| {
        {
            let mut w = ready.borrow_mut();
            w.caps = Some(r.clone());
            let _ = w.root.set_attribute("data-state", "ready");
            if let Some(b) = find::<HtmlButtonElement>(&w.root, "[data-action=run]") {
                b.set_disabled(w.runner.busy());
            }
            let pool = if r.pool_threads > 0 {
                "threads share a running pool"
            } else {
                "no shared memory here, so no pooled threads: fresh workers only"
            };
            w.status.set_text_content(Some(&format!(
                "Ready: N from 1 to {} ({} hardware threads; {pool}).",
                2 * r.hardware_threads,
                r.hardware_threads
            )));
        }
        if state.autorun {
            start(&ready);
        }
    });
    let busy = Rc::downgrade(&widget);
    runner.watch_busy(move |is_busy| {
        if let Some(w) = busy.upgrade() {
            let w = w.borrow();
            if let Some(b) = find::<HtmlButtonElement>(&w.root, "[data-action=run]") {
                b.set_disabled(is_busy || w.running || w.caps.is_none());
            }
        }
    });
}

fn start(widget: &Rc<RefCell<Widget>>) {
    let (runner, caps, state) = {
        let mut w = widget.borrow_mut();
        let Some(caps) = w.caps.clone() else { return };
        if w.running || w.runner.busy() {
            return;
        }
        let state = w.form.state();
        // The form told what it changed as it changed it; a run starts with a clean list.
        show_notices(&w.notices, &[]);
        w.running = true;
        let _ = w.root.set_attribute("data-state", "running");
        if let Some(b) = find::<HtmlButtonElement>(&w.root, "[data-action=run]") {
            b.set_disabled(true);
        }
        (w.runner.clone(), caps, state)
    };
    let widget = widget.clone();
    crate::fault::spawn_local(async move {
        let result = experiment(&widget, &runner, caps, state.work_ms).await;
        let mut w = widget.borrow_mut();
        w.running = false;
        if let Some(b) = find::<HtmlButtonElement>(&w.root, "[data-action=run]") {
            b.set_disabled(runner.busy());
        }
        match result {
            Ok(()) => {
                let _ = w.root.set_attribute("data-state", "done");
            }
            Err(e) => {
                w.status.set_text_content(Some(&format!("The experiment stopped: {e}")));
                let _ = w.root.set_attribute("data-state", "error");
            }
        }
    });
}

async fn experiment(
    widget: &Rc<RefCell<Widget>>,
    runner: &Runner,
    caps: Capabilities,
    work_ms: f64,
) -> Result<(), String> {
    let began = crate::clock::now_ms();
    let say = |text: String| widget.borrow().status.set_text_content(Some(&text));
    say("One thread does all the work…".into());
    let one_ms = runner.run_to_end(one_thread(work_ms)).await?.makespan;
    let mut points = Vec::new();
    for n in 1..=2 * caps.hardware_threads.max(1) {
        say(format!("N = {n}: starting {n} fresh workers…"));
        let fresh = runner.run_to_end(fresh_workers(work_ms, n)).await?;
        let pooled_ms = if caps.pool_threads > 0 {
            say(format!("N = {n}: {n} threads of a pool…"));
            // Beyond the page's pool, the first run starts a pool of N; the second uses
            // it running, which is what this series measures.
            if n > caps.pool_threads {
                runner.run_to_end(pooled_threads(work_ms, n)).await?;
            }
            runner.run_to_end(pooled_threads(work_ms, n)).await?.makespan
        } else {
            f64::NAN
        };
        points.push(Point {
            n,
            one_ms,
            fresh_ms: fresh.makespan,
            fresh_startup_ms: startup_ms(&fresh).unwrap_or(0.0),
            pooled_ms,
        });
        show(&widget.borrow(), &points);
    }
    let w = widget.borrow();
    let best = best_break_even(&points, caps.hardware_threads);
    let text = match best {
        Some((n, ms)) => format!(
            "With what starting them cost here, {n} fresh workers pay off once the work exceeds about {}: \
             below that, one thread is faster. {}",
            format_duration(ms),
            if work_ms > ms {
                format!("At {} they did.", format_duration(work_ms))
            } else {
                format!("At {} they did not.", format_duration(work_ms))
            }
        ),
        None => {
            "With one hardware thread, splitting the work saves nothing: fresh workers never pay off.".into()
        }
    };
    w.verdict.set_text_content(Some(&text));
    w.status.set_text_content(Some(&format!(
        "Done: {} runs in {}.",
        points.len() * 3 + 1,
        format_duration(crate::clock::now_ms() - began)
    )));
    post_result(work_ms, &points, best, crate::clock::now_ms() - began);
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
            .child(
                el("td")
                    .attr("data-col", "one")
                    .attr("data-ms", &format!("{:.3}", p.one_ms))
                    .text(&ms(p.one_ms)),
            )
            .child(
                el("td")
                    .attr("data-col", "fresh")
                    .attr("data-ms", &format!("{:.3}", p.fresh_ms))
                    .text(&ms(p.fresh_ms)),
            )
            .child(el("td").attr("data-col", "startup").text(&ms(p.fresh_startup_ms)))
            .child(el("td").attr("data-col", "pooled").text(&ms(p.pooled_ms)));
        let _ = body.append_child(&row.build());
    }
    let series: Vec<StartupPoint> = points.iter().map(|p| (p.n, p.one_ms, p.fresh_ms, p.pooled_ms)).collect();
    super::chart::draw(&w.chart, 260.0, |width, height, style| startup_chart(&series, width, height, style));
}

fn post_result(work_ms: f64, points: &[Point], best: Option<(u32, f64)>, wall_ms: f64) {
    crate::embedder::post(&ToEmbedder::startup(work_ms, points, best, wall_ms));
}
