//! The real-run widget's results: the table of strategies measured on this machine and
//! the speedup chart of 1 to N threads, both drawn from `cvp_model::compare::Results`.

use crate::canvas::Canvas;
use crate::dom::{el, find};
use crate::widgets::kit::time_cell;
use cvp_model::compare::{best_speedup, Results, Startup};
use cvp_model::job::Job;
use cvp_model::{Strategy, Trace};
use cvp_scene::{format_duration, is_noise, speedup_chart};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

/// The table and the chart.
pub struct ResultsView {
    table: Element,
    chart: Canvas,
}

impl ResultsView {
    /// Builds both (the chart hidden until there are points).
    pub fn new() -> Result<ResultsView, wasm_bindgen::JsValue> {
        let table = el("table")
            .class("cvp-results")
            // On a narrow screen the table scrolls sideways in its own frame (style.css), which
            // a keyboard can only scroll once it can take the focus.
            .attr("tabindex", "0")
            .child(el("caption").text(
                "Measured on this machine, beside the forecast made before each run. Start-up: what starting the workers cost, and whether the time counts it.",
            ))
            .child(
                el("thead").child(
                    el("tr").children(
                        ["strategy", "lanes", "time", "forecast", "speedup", "CPU busy", "start-up"]
                            .map(|h| el("th").attr("scope", "col").text(h).build()),
                    ),
                ),
            )
            .child(el("tbody"))
            .build();
        let chart: HtmlCanvasElement = el("canvas")
            .class("cvp-chart")
            .attr("hidden", "")
            .attr("role", "img")
            .attr("aria-label", "Measured speedup against Amdahl's law")
            .build()
            .unchecked_into();
        Ok(ResultsView { table, chart: Canvas::new(chart)? })
    }

    /// The table's element.
    pub fn table(&self) -> &Element {
        &self.table
    }

    /// The chart's element.
    pub fn chart(&self) -> &HtmlCanvasElement {
        self.chart.element()
    }

    /// Shows `results`: the table's rows, each with the forecast made before its run (from
    /// `forecasts`, when it was for the same job), and the chart once it has points.
    pub fn show(&self, results: &Results, forecasts: &BTreeMap<Strategy, (Job, Trace)>) {
        let body: Element = find(&self.table, "tbody").expect("built in new()");
        body.set_inner_html("");
        for row in results.rows() {
            let o = row.outcome;
            let speedup = row.speedup.map_or("run sync to compare".to_string(), |s| format!("{s:.2}×"));
            let tr = el("tr")
                .attr("data-strategy", row.strategy.key())
                .child(el("th").attr("scope", "row").text(row.strategy.label()))
                .child(el("td").attr("data-col", "lanes").text(&o.lanes.to_string()))
                .child(time_cell("wall", o.makespan))
                .child(match forecasts.get(&row.strategy).filter(|(job, _)| *job == o.job) {
                    Some((_, forecast)) => time_cell("forecast", forecast.makespan),
                    None => el("td").attr("data-col", "forecast").text("none"),
                })
                .child(el("td").attr("data-col", "speedup").text(&speedup))
                .child(el("td").attr("data-col", "cpu").text(&format!("{:.0}%", o.cpu * 100.0)))
                .child(el("td").attr("data-col", "startup").text(&startup_text(o.startup)));
            let _ = body.append_child(&tr.build());
        }
        self.draw_chart(&results.speedups(), results.scaling_tasks());
    }

    /// Speedup over one thread at each thread count measured so far, against the best the
    /// division of `tasks` allows and the Amdahl curve that fits them.
    fn draw_chart(&self, points: &[(u32, f64)], tasks: Option<u32>) {
        if points.is_empty() {
            return;
        }
        crate::widgets::chart::draw(&self.chart, 240.0, |width, height, style| {
            speedup_chart(points, tasks, width, height, style)
        });
        let element = self.chart.element();
        let text = points
            .iter()
            .map(|&(p, s)| {
                let noise = if is_noise(p, s, tasks) { ", noise" } else { "" };
                match tasks {
                    Some(n) => format!("{p} threads: {s:.2}× (at best {:.2}×{noise})", best_speedup(n, p)),
                    None => format!("{p} threads: {s:.2}×{noise}"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ =
            element.set_attribute("aria-label", &format!("Measured speedup against Amdahl's law: {text}"));
    }
}

/// The start-up cell: what starting the workers cost, and whether the time above holds it.
fn startup_text(startup: Startup) -> String {
    match startup {
        Startup::None => "none".to_string(),
        Startup::InRun(ms) => format!("{}, counted", format_duration(ms)),
        Startup::Pool(ms) => format!("{} before the first run, not counted", format_duration(ms)),
        Startup::Reused => "earlier run's pool, not counted".to_string(),
        Startup::BeforeClock => "before the clock, not counted".to_string(),
    }
}
