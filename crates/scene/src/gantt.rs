//! The Gantt chart: one row per lane, each segment drawn from its start up to the current
//! time in its phase's colour, over a time axis with a line marking "now".
//!
//! A chart of 256 lanes over 20 s has far more segments than pixels, so bars are pooled
//! per pixel: same-phase neighbours merge, and runs of segments too thin to see are
//! drawn as one pixel-wide column split between their phases in proportion to their time,
//! which reads as a density rather than flickering noise.
//!
//! Even pooled, a chart of 256 time-sliced lanes is some 50,000 bars, far more than a
//! canvas fills in a frame's time; past [`RASTER_ABOVE`] bars, they are painted into one
//! [`Shape::Raster`] instead (see `raster.rs`).

use crate::axis::{tick_label, ticks};
use crate::layout::{Gantt, AXIS_H, LABELLED_ROW};
use crate::prepared::{phase_slot, LABEL_SIZE, PHASE_ORDER};
use crate::raster::{self, Paint, Raster};
use crate::shape::{text_width, truncate, Align, Baseline, Color, Rect, Shape};
use crate::style::Style;
use crate::tiles::push_rects;
use cvp_model::Lane;

/// Segments thinner than this (px) are pooled with their neighbours.
const MIN_WIDTH: f64 = 1.0;
/// Same-phase pieces closer than this (px) are drawn as one.
const JOIN: f64 = 0.5;
/// Back-to-back segments of different tasks, both at least this wide (px), keep a gap of
/// [`TASK_GAP`] between them, so that a worker running task after task reads as a row of
/// tasks rather than as one bar.
const TASK_MIN: f64 = 4.0;
/// The gap (px) cut from the end of a task's bar where the next task follows at once.
const TASK_GAP: f64 = 1.0;
/// Charts of more bars than this are drawn as one raster of their bars (if they also have
/// [`BARS_PER_LANE_PX`]), rectangles below.
///
/// Measured in headless Chromium (software rendering, 1200×900 CSS px, mid-run): the two
/// cost the same around 4,500 bars on 256 lanes (64×64 pixels on 256 threads: 2.2 ms a
/// frame either way), the raster wins from there (6,300 bars: 1.5 ms against 2.0; 12,000:
/// 1.6 against 4.1; 48,000: 3.6 against 36) and loses below (300 bars: 0.9 against 0.4).
/// Frames of the post's sizes have a few hundred bars and stay exactly as they were.
pub const RASTER_ABOVE: usize = 5_000;
/// A raster's cost grows with its lanes × its width in device px (each lane is composed
/// across the width), which rectangles do not pay: charts with fewer bars than this per
/// lane and device px stay rectangles. 1,024 lanes at 5,300 bars (5 a lane) took 7.0 ms as
/// a raster against 5.6 as rectangles; 256 lanes at 4,400 bars, the same either way.
const BARS_PER_LANE_PX: f64 = 0.04;
/// Tick label size.
const TICK_SIZE: f64 = 10.0;
// Tick labels hang 6 px below the axis line; they must fit in the room the layout left.
const _: () = assert!(6.0 + TICK_SIZE <= AXIS_H);

/// Appends the chart's shapes to `out`. `capacity[slot]` bounds the number of bars of each
/// phase (its number of segments), so that the batches never grow by copying.
/// `pixel_ratio` is the resolution of a raster of the bars, if there are many.
pub(crate) fn draw_gantt(
    lanes: &[Lane],
    capacity: [usize; 5],
    g: &Gantt,
    t: f64,
    style: &Style,
    pixel_ratio: f64,
    out: &mut Vec<Shape>,
) {
    let (tick_times, step) = ticks(g.time_max, (g.plot.w / 80.0).clamp(2.0, 10.0) as usize);
    for &tick in &tick_times {
        let x = g.x(tick);
        out.push(vline(x, g.plot.y, g.plot.bottom(), style.gridline, 1.0));
    }

    let mut bars = capacity.map(Vec::with_capacity);
    // Where each lane's bars end in each batch.
    let mut ends = Vec::with_capacity(lanes.len());
    for (i, lane) in lanes.iter().enumerate() {
        let (y, h) = g.bar(i);
        let mut row = Row { bars: &mut bars, y, h, run: None, pool: None };
        // Segments are in time order: stop at the first that has not begun.
        for s in lane.segments.iter().take_while(|s| s.start < t) {
            let (a, b) = (g.x(s.start), g.x(s.end.min(t)));
            if b > a {
                row.push(phase_slot(s.phase), s.task, a, b);
            }
        }
        row.finish();
        ends.push(bars.each_ref().map(Vec::len));
    }
    let count = bars.iter().map(Vec::len).sum::<usize>();
    let width = (g.x(t) - g.plot.x) * raster::ratio(pixel_ratio);
    if count > RASTER_ABOVE && count as f64 > BARS_PER_LANE_PX * lanes.len() as f64 * width {
        out.extend(raster(&bars, &ends, g, t, &tick_times, style, pixel_ratio));
    } else {
        for (phase, rects) in PHASE_ORDER.iter().zip(bars) {
            push_rects(out, style.phase(*phase), rects);
        }
    }

    if g.lanes > 0 {
        out.push(vline(g.x(t), g.plot.y, g.plot.bottom(), style.now, 1.5));
    }
    axis(g, &tick_times, step, style, out);
    labels(lanes, g, style, out);
}

/// The bars painted into one raster of the part of the plot they cover; `ends[i]` is
/// where lane `i`'s bars end in each batch.
///
/// Lane by lane, so that the pixels being painted stay in the cache, and within a lane in
/// the order of the batches, as a canvas would fill them. Lanes do not overlap (rows
/// thinner than a pixel share the odd pixel, whose blend can differ by a few levels).
///
/// On an opaque background, the raster starts from what the canvas shows there (the
/// background and the grid lines, which are also drawn as lines underneath): it is then
/// opaque, which lets a canvas put it in place rather than blend it.
fn raster(
    bars: &[Vec<[f64; 4]>; 5],
    ends: &[[usize; 5]],
    g: &Gantt,
    t: f64,
    ticks: &[f64],
    style: &Style,
    ratio: f64,
) -> Option<Shape> {
    // Bars end at the current time at the latest.
    let area = Rect { w: g.x(t) - g.plot.x, ..g.plot };
    let opaque = style.background.a >= 1.0;
    let mut raster = Raster::new(area, ratio, opaque.then_some(style.background));
    if opaque {
        // A 1 px line between butt ends covers this rectangle.
        let grid = Paint::new(style.gridline);
        raster.fill_stripes(g.plot.y, g.plot.h, ticks.iter().map(|&tick| (g.x(tick) - 0.5, 1.0, grid)));
    }
    let paints = PHASE_ORDER.map(|p| Paint::new(style.phase(p)));
    let mut starts = [0; 5];
    let mut pieces = Vec::new();
    for (i, lane_ends) in ends.iter().enumerate() {
        // Bars spanning the whole row a line at a time, then the pieces of pooled columns.
        let (y, h) = g.bar(i);
        for (slot, &paint) in paints.iter().enumerate() {
            for r in &bars[slot][starts[slot]..lane_ends[slot]] {
                if r[1] == y && r[3] == h {
                    raster.add_to_line(r[0], r[2], paint);
                } else {
                    pieces.push((*r, paint));
                }
            }
        }
        raster.paint_line(y, h);
        for (r, paint) in pieces.drain(..) {
            raster.fill_rect(r, paint);
        }
        starts = *lane_ends;
    }
    raster.into_shape()
}

/// The axis under the rows: a line, ticks and their labels.
fn axis(g: &Gantt, tick_times: &[f64], step: f64, style: &Style, out: &mut Vec<Shape>) {
    let y = g.plot.bottom() + 0.5;
    out.push(Shape::Line {
        x1: g.plot.x,
        y1: y,
        x2: g.plot.right(),
        y2: y,
        color: style.axis,
        width: 1.0,
        dash: None,
    });
    for &tick in tick_times {
        let x = g.x(tick);
        out.push(vline(x, y, y + 4.0, style.axis, 1.0));
        let text = tick_label(tick, step, g.time_max);
        // Centred under its tick, but kept inside the chart at both ends.
        let half = text_width(&text, TICK_SIZE, false) / 2.0;
        let x = x.min(g.area.right() - half).max(g.area.x + half);
        out.push(text_shape(style, x, y + 6.0, text, TICK_SIZE, Align::Center, Baseline::Top));
    }
}

/// Lane labels, right-aligned against the plot. Rows too thin for one label each get one
/// every few rows (a nice number of rows apart).
fn labels(lanes: &[Lane], g: &Gantt, style: &Style, out: &mut Vec<Shape>) {
    if g.labels.w <= 0.0 {
        return;
    }
    let (size, every) = if g.row_pitch >= LABELLED_ROW {
        ((g.row_pitch * 0.75).clamp(9.0, LABEL_SIZE), 1)
    } else {
        (9.0, nice_count(12.0 / g.row_pitch.max(1e-9)))
    };
    let mut last_y = f64::NEG_INFINITY;
    for (i, lane) in lanes.iter().enumerate().step_by(every) {
        let y = g.plot.y + (i as f64 + 0.5) * g.row_pitch;
        // A label of the first or last rows would hang out of the chart when rows are
        // thin; held inside, it may come too close to its neighbour, which then gives way.
        let y = y.min(g.plot.bottom() - size / 2.0).max(g.plot.y + size / 2.0);
        if y - last_y < size + 1.0 {
            continue;
        }
        last_y = y;
        let text = truncate(&lane.label, size, false, g.labels.w - 6.0);
        out.push(text_shape(style, g.labels.right() - 6.0, y, text, size, Align::Right, Baseline::Middle));
    }
}

/// The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `x`.
fn nice_count(x: f64) -> usize {
    let mut m = 1;
    loop {
        for k in [1, 2, 5] {
            if (k * m) as f64 >= x {
                return k * m;
            }
        }
        m *= 10;
    }
}

fn vline(x: f64, y1: f64, y2: f64, color: Color, width: f64) -> Shape {
    Shape::Line { x1: x, y1, x2: x, y2, color, width, dash: None }
}

fn text_shape(
    style: &Style,
    x: f64,
    y: f64,
    text: String,
    size: f64,
    align: Align,
    baseline: Baseline,
) -> Shape {
    Shape::Text {
        x,
        y,
        text,
        size,
        bold: false,
        family: style.font.clone(),
        color: style.muted,
        align,
        baseline,
    }
}

/// One lane's bars as they are built, left to right.
struct Row<'a> {
    bars: &'a mut [Vec<[f64; 4]>; 5],
    y: f64,
    h: f64,
    /// A visible bar still growing: phase slot, the task of its last piece, left, right.
    run: Option<(usize, Option<u32>, f64, f64)>,
    /// Thin segments waiting to be drawn together: left, right, width per phase slot.
    pool: Option<(f64, f64, [f64; 5])>,
}

impl Row<'_> {
    fn push(&mut self, phase: usize, task: Option<u32>, a: f64, b: f64) {
        if let Some((p, last, left, right)) = &mut self.run {
            if *p == phase && a - *right < JOIN {
                let next_task = task.is_some() && task != *last;
                if next_task && *right - *left >= TASK_MIN && b - a >= TASK_MIN {
                    // The same work, but another task: end this bar a gap early.
                    *right = (*right).min(a) - TASK_GAP;
                } else {
                    *right = right.max(b);
                    *last = task;
                    return;
                }
            }
        }
        self.flush_run();
        if b - a >= MIN_WIDTH {
            self.flush_pool();
            self.run = Some((phase, task, a, b));
            return;
        }
        if matches!(self.pool, Some((left, _, _)) if b - left > MIN_WIDTH) {
            self.flush_pool();
        }
        let (_, right, widths) = self.pool.get_or_insert((a, b, [0.0; 5]));
        *right = b;
        widths[phase] += b - a;
    }

    fn flush_run(&mut self) {
        if let Some((phase, _, a, b)) = self.run.take() {
            self.bars[phase].push([a, self.y, b - a, self.h]);
        }
    }

    /// Draws pooled segments as one column, stacked from the bottom in legend order, each
    /// phase as tall as its share of the column's width.
    fn flush_pool(&mut self) {
        let Some((left, right, widths)) = self.pool.take() else { return };
        let span = (right - left).max(widths.iter().sum());
        let mut bottom = self.y + self.h;
        for (phase, w) in widths.into_iter().enumerate().filter(|(_, w)| *w > 0.0) {
            let h = self.h * w / span;
            bottom -= h;
            self.bars[phase].push([left, bottom, span, h]);
        }
    }

    fn finish(mut self) {
        self.flush_run();
        self.flush_pool();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task_bars(segments: &[(usize, Option<u32>, f64, f64)]) -> [Vec<[f64; 4]>; 5] {
        let mut bars: [Vec<[f64; 4]>; 5] = Default::default();
        let mut row = Row { bars: &mut bars, y: 0.0, h: 10.0, run: None, pool: None };
        for &(p, task, a, b) in segments {
            row.push(p, task, a, b);
        }
        row.finish();
        bars
    }

    fn row_bars(segments: &[(usize, f64, f64)]) -> [Vec<[f64; 4]>; 5] {
        task_bars(&segments.iter().map(|&(p, a, b)| (p, None, a, b)).collect::<Vec<_>>())
    }

    #[test]
    fn same_phase_neighbours_merge() {
        let bars = row_bars(&[(2, 0.0, 5.0), (2, 5.2, 9.0), (3, 9.0, 20.0)]);
        assert_eq!(bars[2], vec![[0.0, 0.0, 9.0, 10.0]]);
        assert_eq!(bars[3], vec![[9.0, 0.0, 11.0, 10.0]]);
    }

    #[test]
    fn back_to_back_tasks_keep_a_gap_between_them() {
        let bars = task_bars(&[(2, Some(0), 0.0, 10.0), (2, Some(1), 10.0, 20.0), (2, Some(2), 20.0, 30.0)]);
        assert_eq!(
            bars[2],
            vec![[0.0, 0.0, 9.0, 10.0], [10.0, 0.0, 9.0, 10.0], [20.0, 0.0, 10.0, 10.0]],
            "one bar per task, each but the last a gap short"
        );
    }

    #[test]
    fn pieces_of_one_task_and_tasks_too_thin_for_a_gap_merge() {
        // Time slices of one task: one bar.
        let bars = task_bars(&[(2, Some(0), 0.0, 10.0), (2, Some(0), 10.0, 20.0)]);
        assert_eq!(bars[2], vec![[0.0, 0.0, 20.0, 10.0]]);
        // Tasks of 2 px: a gap each would leave half the row empty.
        let bars = task_bars(&[(2, Some(0), 0.0, 2.0), (2, Some(1), 2.0, 4.0), (2, Some(2), 4.0, 6.0)]);
        assert_eq!(bars[2], vec![[0.0, 0.0, 6.0, 10.0]]);
    }

    #[test]
    fn thin_alternating_segments_become_a_density() {
        // Rendering 0.1 px then blocked 0.3 px, ten times: a quarter rendering.
        let segs: Vec<_> = (0..10)
            .flat_map(|k| {
                [(2, k as f64 * 0.4, k as f64 * 0.4 + 0.1), (3, k as f64 * 0.4 + 0.1, (k + 1) as f64 * 0.4)]
            })
            .collect();
        let bars = row_bars(&segs);
        let area = |v: &Vec<[f64; 4]>| v.iter().map(|r| r[2] * r[3]).sum::<f64>();
        let (cpu, blocked) = (area(&bars[2]), area(&bars[3]));
        assert!((cpu / (cpu + blocked) - 0.25).abs() < 1e-9, "{cpu} {blocked}");
        assert!(bars[2].len() <= 5, "pooled per pixel, not per segment");
    }

    #[test]
    fn nice_counts() {
        assert_eq!(nice_count(0.5), 1);
        assert_eq!(nice_count(3.0), 5);
        assert_eq!(nice_count(12.0), 20);
    }
}
