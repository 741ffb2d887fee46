//! A frame: the pure function from (trace, time, layout, style) to shapes.
//!
//! Nothing is remembered between frames, so scrubbing, replaying, reduced motion (one
//! frame at the makespan) and exporting are all just calls with another `t`.

use crate::gantt::draw_gantt;
use crate::layout::{Layout, Legend, LEGEND_LINE, LEGEND_SIZE, SWATCH};
use crate::prepared::{Index, Prepared, TileState};
use crate::shape::{text_width, truncate, Align, Baseline, Color, Rect, Shape};
use crate::style::Style;
use crate::tiles::draw_tiles;
use crate::words::{format_duration, phase_word};
use cvp_model::Trace;

/// The frame of `trace` at time `t` (ms), in paint order.
///
/// Indexes the trace on every call; animations should build a [`Prepared`] once and call
/// [`draw_prepared`].
pub fn draw(trace: &Trace, t: f64, layout: &Layout, style: &Style) -> Vec<Shape> {
    frame(trace, &Index::new(trace), t, layout, style)
}

/// The frame of a prepared trace at time `t` (ms), in paint order.
pub fn draw_prepared(prepared: &Prepared, t: f64, layout: &Layout, style: &Style) -> Vec<Shape> {
    frame(prepared.trace(), prepared.index(), t, layout, style)
}

const TITLE_SIZE: f64 = 14.0;
const COUNTER_SIZE: f64 = 12.0;

fn frame(trace: &Trace, index: &Index, t: f64, layout: &Layout, style: &Style) -> Vec<Shape> {
    // A run that has ended looks the same from then on (its clock and cursor stop at its
    // end), so that a player may skip redrawing it while a longer panel plays on.
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, trace.makespan.max(0.0)) };
    let regions = layout.regions_for(trace, index);
    let states: Vec<TileState> = (0..index.tasks.len()).map(|i| index.state(i, t)).collect();
    let done = states.iter().filter(|s| **s == TileState::Done).count();

    let mut out = vec![Shape::Rect {
        x: 0.0,
        y: 0.0,
        w: layout.width.max(0.0),
        h: layout.height.max(0.0),
        fill: Some(style.background),
        stroke: None,
        line_width: 0.0,
    }];
    if let Some(grid) = &regions.grid {
        draw_tiles(index, grid, &states, style, &mut out);
    }
    draw_gantt(&trace.lanes, index.phase_counts, &regions.gantt, t, style, layout.pixel_ratio, &mut out);
    let elapsed = t.min(trace.makespan);
    let busy =
        if elapsed > 0.0 { index.cpu_time_until(elapsed) / (elapsed * trace.cores as f64) } else { 0.0 };
    // abs(): at t = 0 the ratio can be -0.0, which would print as "-0%".
    let busy = (busy.clamp(0.0, 1.0) * 100.0).abs();
    let counters = match states.len() {
        0 => format!("CPU busy {busy:.0}%"),
        n => format!("{done}/{n} done · CPU busy {busy:.0}%"),
    };
    header(regions.header, &layout.title, &format_duration(elapsed), &counters, style, &mut out);
    legend(&regions.legend, style, &mut out);
    out
}

/// Title at the left, clock at the right, counters underneath.
fn header(area: Rect, title: &str, clock: &str, counters: &str, style: &Style, out: &mut Vec<Shape>) {
    let clock_w = text_width(clock, TITLE_SIZE, true);
    let title = truncate(title, TITLE_SIZE, true, area.w - clock_w - 12.0);
    let text = |x, y, text, size, bold, color, align| Shape::Text {
        x,
        y,
        text,
        size,
        bold,
        family: style.font.clone(),
        color,
        align,
        baseline: Baseline::Top,
    };
    if !title.is_empty() {
        out.push(text(area.x, area.y, title, TITLE_SIZE, true, style.text, Align::Left));
    }
    out.push(text(area.right(), area.y, clock.to_owned(), TITLE_SIZE, true, style.text, Align::Right));
    let counters = truncate(counters, COUNTER_SIZE, false, area.w);
    out.push(text(
        area.x,
        area.y + TITLE_SIZE + 6.0,
        counters,
        COUNTER_SIZE,
        false,
        style.muted,
        Align::Left,
    ));
}

/// A swatch and a word per phase present.
fn legend(legend: &Legend, style: &Style, out: &mut Vec<Shape>) {
    for &(phase, x, y) in &legend.items {
        let fill: Color = style.phase(phase);
        let mid = y + LEGEND_LINE / 2.0;
        out.push(Shape::Rect {
            x,
            y: mid - SWATCH / 2.0,
            w: SWATCH,
            h: SWATCH,
            fill: Some(fill),
            stroke: None,
            line_width: 0.0,
        });
        out.push(Shape::Text {
            x: x + SWATCH + 4.0,
            y: mid,
            text: phase_word(phase).to_owned(),
            size: LEGEND_SIZE,
            bold: false,
            family: style.font.clone(),
            color: style.muted,
            align: Align::Left,
            baseline: Baseline::Middle,
        });
    }
}
