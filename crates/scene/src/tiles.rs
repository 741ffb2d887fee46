//! The grid of tiles, animated like the post's pixels:
//!
//! * not started: an outline (on grids too fine for outlines, a tint);
//! * loading: the border is traced clockwise from the top-left corner as the load
//!   progresses, while the grey slice of the picture fades in;
//! * loaded, waiting for the CPU: the grey slice, outlined in amber;
//! * rendering: the colour slice replaces the grey one in a 10×10 raster scan that follows
//!   the CPU time spent, across time slices;
//! * done: the colour slice.
//!
//! CPU-only tasks skip the grey (there is nothing to load); I/O-only tasks fade in the
//! colour slice directly (there is nothing to render).

use crate::layout::Grid;
use crate::prepared::{Index, TaskSpans, TileState};
use crate::shape::{Color, Picture, Rect, Shape};
use crate::style::Style;

/// Below this side (px), tiles are tinted instead of outlined: outlines that close would
/// read as a mesh rather than as tiles, and thousands of strokes cost a canvas far more
/// than fills.
const TINY: f64 = 8.0;

/// The outline kinds, one batch each.
#[derive(Clone, Copy)]
enum Mark {
    /// Not started.
    Idle,
    /// Loading: a faint frame for the progress trace to run along.
    Faint,
    /// Loaded (or begun) but waiting for a lock, a core or its turn.
    Waiting,
    /// On a CPU right now.
    Active,
}

impl Mark {
    /// In declaration order, so that `mark as usize` indexes it.
    const ALL: [Mark; 4] = [Mark::Idle, Mark::Faint, Mark::Waiting, Mark::Active];

    fn color(self, style: &Style) -> Color {
        match self {
            Mark::Idle => style.outline,
            Mark::Faint => style.outline.with_alpha(style.outline.a * 0.35),
            Mark::Waiting => style.waiting,
            Mark::Active => style.rendering,
        }
    }
}

/// Appends the grid's shapes to `out`; `states[i]` is tile `i`'s state.
pub(crate) fn draw_tiles(
    index: &Index,
    grid: &Grid,
    states: &[TileState],
    style: &Style,
    out: &mut Vec<Shape>,
) {
    let tiny = grid.tile < TINY;
    let line = (grid.tile * 0.03).clamp(0.75, 1.5);
    let trace_width = (grid.tile * 0.07).clamp(1.0, 3.0).min(grid.tile / 2.0);

    let mut marks: [Vec<[f64; 4]>; 4] = Default::default();
    let mut runs = Runs::new(grid);
    let mut fades = Vec::new();
    let mut reveals = Vec::new();
    let mut progress = Vec::new();

    for (i, &state) in states.iter().enumerate() {
        let r = grid.tile_rect(i);
        let task = &index.tasks[i];
        runs.push(i, r, full_picture(state, task));
        let mark = match state {
            TileState::NotStarted => Some(Mark::Idle),
            TileState::Loading { progress: p } => {
                // Nothing to render means the loaded picture is the finished one.
                let src = if task.render > 0.0 { Picture::Grey } else { Picture::Colour };
                let alpha = ease_cubic_in_out(p);
                if alpha > 0.0 {
                    fades.push(image(grid, src, r, alpha));
                }
                border_trace(r, p, trace_width, &mut progress);
                Some(Mark::Faint)
            }
            TileState::Waiting => Some(Mark::Waiting),
            TileState::Rendering { progress: p, active } => {
                raster_reveal(grid, r, p, &mut reveals);
                active.then_some(Mark::Active)
            }
            TileState::Done => None,
        };
        match mark {
            // Tiny grids tint the whole grid instead (below).
            Some(Mark::Idle | Mark::Faint) if tiny => {}
            Some(m) => marks[m as usize].push(if tiny { r.to_array() } else { inset(r, line / 2.0) }),
            None => {}
        }
    }

    if tiny {
        // Tints go under the pictures, which would otherwise be veiled by them. Idle tiles
        // are thousands at the start of a big run: one tint under every tile, cut into
        // tiles by the gutters, stands for all of them.
        let tint = |m: Mark| m.color(style).with_alpha(m.color(style).a * 0.3);
        push_rects(out, tint(Mark::Idle), cover(grid));
        for (&m, rects) in Mark::ALL.iter().zip(&mut marks) {
            push_rects(out, tint(m), std::mem::take(rects));
        }
    }
    let merged = runs.finish(out);
    out.append(&mut fades);
    out.append(&mut reveals);
    if merged || tiny {
        gutters(grid, style.background, out);
    }
    if !tiny {
        for (m, rects) in Mark::ALL.iter().zip(marks) {
            if !rects.is_empty() {
                out.push(Shape::Outlines { stroke: m.color(style), line_width: line, rects });
            }
        }
    }
    push_rects(out, style.loading, progress);
}

/// The picture a tile shows in full, if any: these are drawn in merged runs.
fn full_picture(state: TileState, task: &TaskSpans) -> Option<Picture> {
    match state {
        TileState::Done => Some(Picture::Colour),
        // The grey under a raster scan, or the loaded picture waiting for the CPU.
        TileState::Waiting | TileState::Rendering { .. } if task.load > 0.0 => Some(Picture::Grey),
        _ => None,
    }
}

/// Adjacent tiles of a row showing the same full picture, drawn as one image.
///
/// Because the picture lies behind the whole grid (see [`Grid::source`]), one image over
/// a run of tiles matches the tiles drawn one by one once the gutters between them are
/// painted over; a finished 64×64 grid then costs 64 images instead of 4096.
struct Runs<'g> {
    grid: &'g Grid,
    current: Option<(Picture, Rect)>,
    images: Vec<Shape>,
    merged: bool,
}

impl<'g> Runs<'g> {
    fn new(grid: &'g Grid) -> Self {
        Runs { grid, current: None, images: Vec::new(), merged: false }
    }

    fn push(&mut self, i: usize, r: Rect, picture: Option<Picture>) {
        let row_start = i.is_multiple_of(self.grid.cols);
        match (&mut self.current, picture) {
            (Some((p, run)), Some(q)) if *p == q && !row_start => {
                run.w = r.right() - run.x;
                self.merged = true;
            }
            _ => {
                self.flush();
                self.current = picture.map(|p| (p, r));
            }
        }
    }

    fn flush(&mut self) {
        if let Some((p, run)) = self.current.take() {
            self.images.push(image(self.grid, p, run, 1.0));
        }
    }

    /// Appends the images; says whether any run spans several tiles.
    fn finish(mut self, out: &mut Vec<Shape>) -> bool {
        self.flush();
        out.append(&mut self.images);
        self.merged
    }
}

/// The rectangles covering every tile and the gutters between them: the full rows, then
/// the tiles of the last row if it is partial.
fn cover(grid: &Grid) -> Vec<[f64; 4]> {
    let a = grid.area;
    let gap = grid.pitch - grid.tile;
    let (full_rows, rest) = (grid.tiles / grid.cols, grid.tiles % grid.cols);
    let mut rects = Vec::with_capacity(2);
    if full_rows > 0 {
        rects.push([a.x, a.y, a.w, full_rows as f64 * grid.pitch - gap]);
    }
    if rest > 0 {
        rects.push([a.x, a.y + full_rows as f64 * grid.pitch, rest as f64 * grid.pitch - gap, grid.tile]);
    }
    rects
}

/// Background strips between the columns and rows, restoring the gaps that merged runs
/// and the tint of tiny grids cover.
fn gutters(grid: &Grid, background: Color, out: &mut Vec<Shape>) {
    let gap = grid.pitch - grid.tile;
    if gap <= 0.0 {
        return;
    }
    let a = grid.area;
    let columns = (1..grid.cols).map(|c| [a.x + c as f64 * grid.pitch - gap, a.y, gap, a.h]);
    let rows = (1..grid.rows).map(|r| [a.x, a.y + r as f64 * grid.pitch - gap, a.w, gap]);
    push_rects(out, background, columns.chain(rows).collect());
}

/// The colour slice over the first `floor(progress × 100)` cells of a 10×10 raster: the
/// full rows as one image, the partial row as another.
fn raster_reveal(grid: &Grid, r: Rect, progress: f64, out: &mut Vec<Shape>) {
    let cells = ((progress * 100.0).floor() as usize).min(100);
    let (rows, rest) = (cells / 10, cells % 10);
    let cell = r.w / 10.0;
    if rows > 0 {
        out.push(image(grid, Picture::Colour, Rect { h: rows as f64 * cell, ..r }, 1.0));
    }
    if rest > 0 {
        let partial = Rect { x: r.x, y: r.y + rows as f64 * cell, w: rest as f64 * cell, h: cell };
        out.push(image(grid, Picture::Colour, partial, 1.0));
    }
}

/// Rectangles tracing `progress` of `r`'s border clockwise from its top-left corner,
/// `width` thick, inside the tile: along the top, down the right, back along the bottom and
/// up the left.
fn border_trace(r: Rect, progress: f64, width: f64, out: &mut Vec<[f64; 4]>) {
    let s = r.w;
    let len = progress.clamp(0.0, 1.0) * 4.0 * s;
    // How much of edge k (0 = top, then clockwise) has been traced.
    let [top, right, bottom, left] = [0.0, 1.0, 2.0, 3.0].map(|k| (len - k * s).clamp(0.0, s));
    let edges = [
        (top, [r.x, r.y, top, width]),
        (right, [r.x + s - width, r.y, width, right]),
        (bottom, [r.x + s - bottom, r.y + s - width, bottom, width]),
        (left, [r.x, r.y + s - left, width, left]),
    ];
    out.extend(edges.into_iter().filter(|(traced, _)| *traced > 0.0).map(|(_, rect)| rect));
}

/// Cubic ease-in-out, as D3's `easeCubicInOut`.
fn ease_cubic_in_out(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        4.0 * t * t * t
    } else {
        1.0 - (-2.0 * t + 2.0).powi(3) / 2.0
    }
}

fn image(grid: &Grid, src: Picture, r: Rect, alpha: f64) -> Shape {
    Shape::Image { src, source: grid.source(r), dest: r.to_array(), alpha }
}

/// `r` shrunk by `d` on every side, so that a stroke of width `2d` stays inside `r`.
fn inset(r: Rect, d: f64) -> [f64; 4] {
    [r.x + d, r.y + d, (r.w - 2.0 * d).max(0.0), (r.h - 2.0 * d).max(0.0)]
}

pub(crate) fn push_rects(out: &mut Vec<Shape>, fill: Color, rects: Vec<[f64; 4]>) {
    if !rects.is_empty() {
        out.push(Shape::Rects { fill, rects });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn border_trace_goes_clockwise() {
        let r = Rect { x: 0.0, y: 0.0, w: 10.0, h: 10.0 };
        let mut out = Vec::new();
        border_trace(r, 0.125, 1.0, &mut out);
        assert_eq!(out, vec![[0.0, 0.0, 5.0, 1.0]], "half the top edge");
        out.clear();
        border_trace(r, 0.6, 1.0, &mut out);
        assert_eq!(out, vec![[0.0, 0.0, 10.0, 1.0], [9.0, 0.0, 1.0, 10.0], [6.0, 9.0, 4.0, 1.0]]);
        out.clear();
        border_trace(r, 0.0, 1.0, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn easing_is_symmetric() {
        assert_eq!(ease_cubic_in_out(0.0), 0.0);
        assert_eq!(ease_cubic_in_out(0.5), 0.5);
        assert_eq!(ease_cubic_in_out(1.0), 1.0);
        assert!((ease_cubic_in_out(0.25) + ease_cubic_in_out(0.75) - 1.0).abs() < 1e-12);
    }
}
