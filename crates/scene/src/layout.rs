//! Where things go: the header, the pixel grid, the Gantt chart and the legend, computed
//! from the canvas size and the shape of the trace (how many tasks, lanes and phases).

use crate::prepared::{Index, Prepared};
use crate::shape::{text_width, Rect};
use crate::words::phase_word;
use cvp_model::{Phase, Trace};

/// What the caller decides about a frame's geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Canvas width in CSS px.
    pub width: f64,
    /// Canvas height in CSS px.
    pub height: f64,
    /// Whether to draw the grid of tiles (off for workloads that are not pixels).
    pub show_grid: bool,
    /// Grid columns; `None` for `ceil(sqrt(tasks))`.
    pub grid_cols: Option<u32>,
    /// The time axis maximum in ms, shared by panels that are compared side by side so
    /// that their time axes line up; `None` for the trace's makespan.
    pub time_max: Option<f64>,
    /// Shown top left.
    pub title: String,
    /// Device pixels per CSS pixel of the canvas the frame is for (`devicePixelRatio`):
    /// the resolution of the pixels the renderer paints itself (see
    /// [`Shape::Raster`](crate::Shape::Raster)), and the grid the tiles are aligned on.
    pub pixel_ratio: f64,
}

impl Layout {
    /// A layout of the given size with a grid, an automatic axis, no title, for a pixel
    /// ratio of 1.
    pub fn new(width: f64, height: f64) -> Self {
        Layout {
            width,
            height,
            show_grid: true,
            grid_cols: None,
            time_max: None,
            title: String::new(),
            pixel_ratio: 1.0,
        }
    }

    /// The regions a frame of this trace occupies.
    pub fn regions(&self, prepared: &Prepared) -> Regions {
        self.regions_for(prepared.trace(), prepared.index())
    }

    /// The height at which a canvas of this layout's width, no wider than [`WIDE`] (grid
    /// above chart), gives the grid of `prepared` a side of `side` CSS px (at most the
    /// width allows). Compared panels are sized with it, so that their tiles match
    /// whatever their lane counts.
    pub fn height_for_grid(&self, prepared: &Prepared, side: f64) -> f64 {
        let pad = pad(false);
        let side = side.clamp(0.0, (self.width - 2.0 * pad).max(0.0));
        let legend = Legend::new(&prepared.index().phases, pad, self.width - pad, 0.0).area.h;
        // The inverse of the stacked case of `regions_for`: the chart takes what its rows
        // want, at most half the body.
        let wanted = Gantt::wanted_height(prepared.trace().lanes.len());
        let body = side + GAP + wanted.min(side + GAP);
        pad + HEADER_H + GAP + body + GAP + legend + pad
    }

    /// The height a canvas of this layout's width should have to show `prepared` well,
    /// as one of `panels` compared panels: one readable row per lane (rows shrink past
    /// [`SIZED_LANES`] lanes), and with a grid, a picture as large as the width allows.
    /// Compared panels share one grid side (see [`Layout::height_for_grid`]), so that
    /// their tiles match whatever their lane counts.
    pub fn fit_height(&self, prepared: &Prepared, panels: usize) -> f64 {
        let w = self.width.max(0.0);
        let lanes = prepared.trace().lanes.len() as f64;
        let rows = lanes.min(SIZED_LANES) * SIZED_ROW + (lanes - SIZED_LANES).max(0.0) * DENSE_ROW;
        let legend = Legend::new(&prepared.index().phases, pad(false), w - pad(false), 0.0).area.h;
        let gantt = rows + AXIS_H;
        let chrome = 2.0 * pad(w > WIDE) + HEADER_H + 2.0 * GAP + legend;
        let h = if !self.show_grid {
            gantt + chrome
        } else if panels > 1 {
            self.height_for_grid(prepared, w * 0.72)
        } else if w > WIDE {
            // Grid beside the chart: the grid's side is the body's height.
            (w * 0.42).max(gantt + chrome)
        } else {
            self.height_for_grid(prepared, w * 0.8).max(w * 0.8 + gantt + chrome)
        };
        h.min(MAX_PANEL_H).round()
    }

    pub(crate) fn regions_for(&self, trace: &Trace, index: &Index) -> Regions {
        let (w, h) = (self.width.max(0.0), self.height.max(0.0));
        let wide = w > WIDE;
        let pad = pad(wide);
        let header = Rect { x: pad, y: pad, w: (w - 2.0 * pad).max(0.0), h: HEADER_H };
        let legend = Legend::new(&index.phases, pad, w - pad, h - pad);
        let body_top = header.bottom() + GAP;
        let body = Rect { x: pad, y: body_top, w: header.w, h: (legend.area.y - GAP - body_top).max(0.0) };

        let lanes = trace.lanes.len();
        let tasks = if self.show_grid { index.tasks.len() } else { 0 };
        let time_max = match self.time_max.unwrap_or(trace.makespan) {
            m if m > 0.0 && m.is_finite() => m,
            // A run that took no time still needs an axis to draw.
            _ => 1.0,
        };
        let gantt_at = |area: Rect| Gantt::new(area, lanes, index.label_width, time_max);

        if tasks == 0 {
            return Regions { header, grid: None, gantt: gantt_at(body), legend };
        }
        let (grid_area, gantt_area) = if wide {
            let side = body.h.min(body.w * 0.4);
            let gantt_x = body.x + side + 2.0 * GAP;
            (
                Rect { x: body.x, y: body.y, w: side, h: body.h },
                Rect { x: gantt_x, y: body.y, w: (body.right() - gantt_x).max(0.0), h: body.h },
            )
        } else {
            // Stacked: the chart takes what its rows want (up to half), the grid the rest.
            let gantt_h = Gantt::wanted_height(lanes).min(body.h * 0.5);
            let side = (body.h - gantt_h - GAP).min(body.w).max(0.0);
            let gantt_y = body.y + side + GAP;
            (
                Rect { x: body.x, y: body.y, w: body.w, h: side },
                Rect { x: body.x, y: gantt_y, w: body.w, h: (body.bottom() - gantt_y).max(0.0) },
            )
        };
        let cols = self.grid_cols.map_or_else(|| (tasks as f64).sqrt().ceil() as usize, |c| c as usize);
        Regions {
            header,
            grid: Some(Grid::new(grid_area, tasks, cols.clamp(1, tasks), self.pixel_ratio)),
            gantt: gantt_at(gantt_area),
            legend,
        }
    }
}

/// Lanes a panel is sized to show at [`SIZED_ROW`] px each; more lanes get [`DENSE_ROW`].
pub const SIZED_LANES: f64 = 40.0;
/// A lane's height when a panel is sized, up to [`SIZED_LANES`] lanes: room for its label.
const SIZED_ROW: f64 = 14.0;
/// The height each lane past [`SIZED_LANES`] adds: hundreds of lanes stay on one screen.
const DENSE_ROW: f64 = 1.5;
/// No panel is sized taller than this (CSS px).
const MAX_PANEL_H: f64 = 1400.0;

/// Canvases wider than this put the grid left of the chart; narrower ones stack them.
const WIDE: f64 = 700.0;

/// The margin around a frame: a little more on wide canvases.
fn pad(wide: bool) -> f64 {
    if wide {
        12.0
    } else {
        8.0
    }
}
/// The gap between tiles, as a fraction of the distance from one tile to the next.
const GAP_FRACTION: f64 = 0.04;
/// Title line plus counters line.
pub(crate) const HEADER_H: f64 = 36.0;
/// Space between regions.
const GAP: f64 = 10.0;

/// The computed geometry of a frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Regions {
    /// Title, clock and counters.
    pub header: Rect,
    /// The tiles, when shown and there are tasks.
    pub grid: Option<Grid>,
    /// The lanes over time.
    pub gantt: Gantt,
    /// What the colours mean.
    pub legend: Legend,
}

/// The grid of tiles, one per task, slicing the picture between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The rectangle the tiles cover (centred across the space the grid was given, at its top).
    pub area: Rect,
    /// Number of tiles.
    pub tiles: usize,
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Distance from one tile to the next.
    pub pitch: f64,
    /// A tile's side (the pitch minus the gap).
    pub tile: f64,
}

impl Grid {
    /// The grid of `tiles` tiles in `cols` columns that fits `space`, for a canvas of
    /// `pixel_ratio` device px per CSS px.
    ///
    /// Tiles and gaps are whole device pixels, and the grid starts on one: a tile edge
    /// falling inside a pixel would blend there with its neighbour and the background, and
    /// a 64×64 grid would show seams wherever that happens (every few rows), rather than an
    /// even mesh. Grids too small for whole pixels keep their exact fractions.
    fn new(space: Rect, tiles: usize, cols: usize, pixel_ratio: f64) -> Self {
        let rows = tiles.div_ceil(cols);
        let fit = (space.w / cols as f64).min(space.h / rows as f64).max(0.0);
        let r = crate::raster::ratio(pixel_ratio);
        let pitch_px = (fit * r).floor();
        // The gap is a fraction of the pitch, so that the grid reads the same at any size;
        // under half a pixel, none.
        let (pitch, tile) = if pitch_px >= 1.0 {
            (pitch_px / r, (pitch_px - (pitch_px * GAP_FRACTION).round()) / r)
        } else {
            (fit, fit * (1.0 - GAP_FRACTION))
        };
        let snap = |v: f64| if pitch_px >= 1.0 { (v * r).round() / r } else { v };
        let (w, h) = (cols as f64 * pitch - (pitch - tile), rows as f64 * pitch - (pitch - tile));
        // Centred across, but top-aligned so that the grid and the chart start level.
        let area = Rect { x: snap(space.x + (space.w - w) / 2.0), y: snap(space.y), w, h };
        Grid { area, tiles, cols, rows, pitch, tile }
    }

    /// Tile `i`'s rectangle: column `i % cols`, row `i / cols`.
    pub fn tile_rect(&self, i: usize) -> Rect {
        let (col, row) = (i % self.cols, i / self.cols);
        Rect {
            x: self.area.x + col as f64 * self.pitch,
            y: self.area.y + row as f64 * self.pitch,
            w: self.tile,
            h: self.tile,
        }
    }

    /// The part of the picture under `r` (a rectangle inside the grid), in normalised
    /// picture coordinates `[u, v, w, h]`.
    ///
    /// The picture lies behind the whole grid, as if seen through the tiles, so that
    /// adjacent tiles (or a run of them drawn at once) line up exactly. A grid that is not
    /// square shows the centre of the picture rather than stretching it.
    pub fn source(&self, r: Rect) -> [f64; 4] {
        let scale = self.area.w.max(self.area.h);
        if scale <= 0.0 {
            return [0.0, 0.0, 0.0, 0.0];
        }
        let (du, dv) = ((1.0 - self.area.w / scale) / 2.0, (1.0 - self.area.h / scale) / 2.0);
        [du + (r.x - self.area.x) / scale, dv + (r.y - self.area.y) / scale, r.w / scale, r.h / scale]
    }
}

/// The Gantt chart: a label column, one row per lane, and a time axis below the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Gantt {
    /// Everything the chart occupies.
    pub area: Rect,
    /// The lane label column.
    pub labels: Rect,
    /// The rows (bars are drawn in here).
    pub plot: Rect,
    /// Number of lanes.
    pub lanes: usize,
    /// Distance from one row to the next; below 1 px, rows overlap into a density.
    pub row_pitch: f64,
    /// The time at the right edge of the plot, in ms.
    pub time_max: f64,
}

/// Rows are never taller than this, so that a chart of two lanes does not look bloated.
const MAX_ROW_PITCH: f64 = 36.0;
/// Room under the rows for ticks and their labels.
pub(crate) const AXIS_H: f64 = 20.0;
/// Rows shorter than this lose most of their labels.
pub(crate) const LABELLED_ROW: f64 = 9.0;

impl Gantt {
    fn new(area: Rect, lanes: usize, label_width: f64, time_max: f64) -> Self {
        let label_w = if lanes == 0 { 0.0 } else { (label_width + 10.0).min(area.w * 0.3) };
        let row_pitch =
            if lanes == 0 { 0.0 } else { ((area.h - AXIS_H).max(0.0) / lanes as f64).min(MAX_ROW_PITCH) };
        let plot = Rect { x: area.x + label_w, y: area.y, w: area.w - label_w, h: row_pitch * lanes as f64 };
        Gantt { area, labels: Rect { w: label_w, h: plot.h, ..area }, plot, lanes, row_pitch, time_max }
    }

    /// The height that shows every row at its most comfortable pitch.
    fn wanted_height(lanes: usize) -> f64 {
        lanes as f64 * MAX_ROW_PITCH + AXIS_H
    }

    /// The x of time `ms`, clamped to the plot.
    pub fn x(&self, ms: f64) -> f64 {
        self.plot.x + (ms / self.time_max).clamp(0.0, 1.0) * self.plot.w
    }

    /// The bar of lane `i`: `(top, height)`. Roomy rows leave a gap between bars; rows
    /// under a few px fill their pitch so that many lanes read as one dense band.
    pub fn bar(&self, i: usize) -> (f64, f64) {
        let top = self.plot.y + i as f64 * self.row_pitch;
        let p = self.row_pitch;
        if p >= LABELLED_ROW {
            let h = (p * 0.72).round();
            (top + (p - h) / 2.0, h)
        } else if p >= 3.0 {
            (top, p - 1.0)
        } else {
            (top, p)
        }
    }
}

/// The legend's items, laid out in lines from the bottom of the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    /// The lines the legend occupies.
    pub area: Rect,
    /// Each phase and the top-left corner of its swatch line.
    pub items: Vec<(Phase, f64, f64)>,
}

/// Legend text size.
pub(crate) const LEGEND_SIZE: f64 = 11.0;
/// Legend line height.
pub(crate) const LEGEND_LINE: f64 = 16.0;
/// Legend swatch side.
pub(crate) const SWATCH: f64 = 10.0;

impl Legend {
    /// The items, wrapped between `left` and `right`, with the last line ending at `bottom`.
    fn new(phases: &[Phase], left: f64, right: f64, bottom: f64) -> Self {
        let item_w = |p: Phase| SWATCH + 4.0 + text_width(phase_word(p), LEGEND_SIZE, false);
        let mut lines = vec![Vec::new()];
        let mut x = left;
        for &p in phases {
            let w = item_w(p);
            if x + w > right && x > left {
                lines.push(Vec::new());
                x = left;
            }
            lines.last_mut().expect("one line at least").push((p, x));
            x += w + 14.0;
        }
        let n = if phases.is_empty() { 0 } else { lines.len() };
        let top = bottom - n as f64 * LEGEND_LINE;
        let items = lines
            .into_iter()
            .enumerate()
            .flat_map(|(row, line)| {
                line.into_iter().map(move |(p, x)| (p, x, top + row as f64 * LEGEND_LINE))
            })
            .collect();
        Legend {
            area: Rect { x: left, y: top, w: (right - left).max(0.0), h: n as f64 * LEGEND_LINE },
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_lines_up_across_tiles() {
        let grid = Grid::new(Rect { x: 10.0, y: 20.0, w: 200.0, h: 200.0 }, 16, 4, 1.0);
        let a = grid.source(grid.tile_rect(0));
        let b = grid.source(grid.tile_rect(1));
        assert!((b[0] - (a[0] + grid.pitch / grid.area.w)).abs() < 1e-12);
        let last = grid.source(grid.tile_rect(15));
        assert!((last[0] + last[2] - 1.0).abs() < 1e-12 && (last[1] + last[3] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn tiles_lie_on_whole_device_pixels() {
        let whole = |v: f64| (v - v.round()).abs() < 1e-9;
        for ratio in [1.0, 1.25, 1.5, 2.0, 3.0] {
            for (side, space) in [(64, 326.4), (16, 287.3), (4, 301.7)] {
                let space = Rect { x: 12.3, y: 40.6, w: space, h: space };
                let grid = Grid::new(space, side * side, side, ratio);
                assert!(
                    grid.area.right() <= space.right() + 1e-9 && grid.area.bottom() <= space.bottom() + 1e-9
                );
                assert!(grid.pitch > 0.9 * space.w / side as f64, "fills its space");
                let gap = (grid.pitch - grid.tile) * ratio;
                let wanted = if grid.pitch * ratio * GAP_FRACTION >= 0.5 { 1.0 } else { 0.0 };
                assert!(whole(gap) && gap.round() >= wanted, "{side}×{side} at ×{ratio}: a gap of {gap} px");
                for i in [0, 1, side + 1, side * side - 1] {
                    let r = grid.tile_rect(i);
                    for v in [r.x, r.y, r.right(), r.bottom()] {
                        assert!(whole(v * ratio), "{side}×{side} at ×{ratio}: tile {i} edge {v}");
                    }
                }
            }
        }
        // Tiles smaller than a pixel keep their fractions.
        let tiny = Grid::new(Rect { x: 0.0, y: 0.0, w: 32.0, h: 32.0 }, 64 * 64, 64, 1.0);
        assert_eq!(tiny.pitch, 0.5);
    }

    fn lanes_trace(lanes: usize, tasks: usize) -> Prepared {
        use cvp_model::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
        let mut t = Trace::new(Strategy::Threads, lanes as u32);
        for l in 0..lanes {
            let task = (l < tasks).then_some(l as u32);
            let seg = Segment { start: 0.0, end: 100.0, phase: Phase::Rendering, task };
            t.lanes.push(Lane {
                kind: LaneKind::Thread,
                label: format!("thread {}", l + 1),
                segments: vec![seg],
            });
        }
        t.tasks = (0..tasks as u32)
            .map(|id| TaskRecord { id, lane: id, start: 0.0, end: 100.0, value: None })
            .collect();
        t.makespan = 100.0;
        Prepared::new(t)
    }

    #[test]
    fn fitted_compared_panels_share_one_grid_side() {
        for width in [320.0, 600.0, 1000.0] {
            let sides: Vec<f64> = [1, 16, 64]
                .map(|lanes| {
                    let p = lanes_trace(lanes, 16);
                    let base = Layout::new(width, 0.0);
                    let h = base.fit_height(&p, 3);
                    Layout { height: h, ..base }.regions(&p).grid.expect("a grid").area.w
                })
                .to_vec();
            assert!(sides.iter().all(|s| (s - sides[0]).abs() < 1.0), "{width} px: {sides:?}");
        }
    }

    #[test]
    fn fitted_panels_give_every_lane_a_readable_row() {
        for lanes in [1, 2, 8, 16, 40, 41, 100, 256] {
            for width in [320.0, 600.0, 1000.0] {
                for (grid, panels) in [(false, 1), (true, 1), (true, 3)] {
                    let p = lanes_trace(lanes, lanes.min(64));
                    let base = Layout { show_grid: grid, ..Layout::new(width, 0.0) };
                    let h = base.fit_height(&p, panels);
                    let what =
                        format!("{lanes} lanes, {width} px wide, grid {grid}, {panels} panels: {h} px");
                    assert!(h > 0.0 && h <= MAX_PANEL_H, "{what}");
                    let regions = Layout { height: h, ..base }.regions(&p);
                    let pitch = regions.gantt.row_pitch;
                    if panels == 1 && lanes as f64 <= SIZED_LANES && h < MAX_PANEL_H {
                        assert!(pitch >= LABELLED_ROW, "{what}: rows of {pitch} px lose their labels");
                    }
                    assert!(pitch > 0.0, "{what}");
                    if grid {
                        let area = regions.grid.expect("tasks and a grid").area;
                        let side = area.w.max(area.h);
                        assert!(side >= width * 0.3, "{what}: a grid of {side} px is too small");
                    }
                }
            }
        }
    }
}
