//! Properties of Gantt charts dense enough to be drawn as one raster of their bars.

use cvp_model::testing;
use cvp_model::{Phase, Trace};
use cvp_scene::{draw_prepared, ticks, Color, Gantt, Layout, Prepared, Shape, Style, RASTER_ABOVE};

/// How long each segment of [`busy`] lasts, in ms.
const SEGMENT: f64 = 50.0;

/// `lanes` threads, each alternating loading and rendering `per_lane` segments of
/// [`SEGMENT`] ms (one task per pair), except lane 0, which stops after its first
/// `idle_after` segments.
fn busy(lanes: u32, per_lane: u32, idle_after: u32) -> Trace {
    testing::busy(lanes, per_lane, SEGMENT, Some(idle_after))
}

/// 64 lanes of 200 segments over 10 s, 5.5 px wide and 7 px tall (12,660 bars by the
/// end); lane 0 stops at 3 s.
fn dense() -> Prepared {
    Prepared::new(busy(64, 200, 60))
}

/// The Gantt chart only, across a wide canvas.
fn layout(pixel_ratio: f64) -> Layout {
    Layout { show_grid: false, pixel_ratio, ..Layout::new(1200.0, 640.0) }
}

fn frame(prepared: &Prepared, t: f64, layout: &Layout) -> Vec<Shape> {
    draw_prepared(prepared, t, layout, &Style::light())
}

fn gantt(prepared: &Prepared) -> Gantt {
    layout(1.0).regions(prepared).gantt
}

struct Raster<'a> {
    dest: [f64; 4],
    width: u32,
    height: u32,
    pixels: &'a [u8],
    opaque: bool,
}

fn rasters(shapes: &[Shape]) -> Vec<Raster<'_>> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Raster { dest, width, height, pixels, opaque } => {
                Some(Raster { dest: *dest, width: *width, height: *height, pixels, opaque: *opaque })
            }
            _ => None,
        })
        .collect()
}

impl Raster<'_> {
    /// The pixel under CSS point (x, y), `None` outside the raster (where it paints nothing).
    fn at(&self, x: f64, y: f64) -> Option<[u8; 4]> {
        let [dx, dy, dw, dh] = self.dest;
        let i = ((x - dx) / dw * self.width as f64).floor();
        let j = ((y - dy) / dh * self.height as f64).floor();
        if i < 0.0 || j < 0.0 || i >= self.width as f64 || j >= self.height as f64 {
            return None;
        }
        let k = (j as usize * self.width as usize + i as usize) * 4;
        Some(self.pixels[k..k + 4].try_into().expect("four bytes"))
    }

    /// The middle of a row of device pixels lane `i`'s bar covers whole.
    fn row_inside_bar(&self, g: &Gantt, i: usize) -> f64 {
        let ratio = self.width as f64 / self.dest[2];
        let (top, h) = g.bar(i);
        let row = (top * ratio).ceil();
        assert!(row + 1.0 <= (top + h) * ratio, "bar {i} is more than a device pixel tall");
        (row + 0.5) / ratio
    }
}

fn rgba(c: Color) -> [u8; 4] {
    [c.r, c.g, c.b, (c.a * 255.0).round() as u8]
}

fn bars_as_rects(shapes: &[Shape], style: &Style) -> usize {
    let phases = [Phase::Loading, Phase::Rendering, Phase::Blocked, Phase::Starting, Phase::Handoff];
    shapes
        .iter()
        .map(|s| match s {
            Shape::Rects { fill, rects } if phases.iter().any(|p| style.phase(*p) == *fill) => rects.len(),
            _ => 0,
        })
        .sum()
}

#[test]
fn dense_gantt_is_drawn_as_one_raster() {
    let prepared = dense();
    let g = gantt(&prepared);
    let style = Style::light();
    for t in [6_000.0, 10_000.0] {
        let shapes = frame(&prepared, t, &layout(1.0));
        let found = rasters(&shapes);
        assert_eq!(found.len(), 1, "one raster at {t}");
        let raster = &found[0];
        assert_eq!(bars_as_rects(&shapes, &style), 0, "no bar is left a rectangle");
        assert!(raster.opaque, "on an opaque background, the raster is opaque");
        assert_eq!(raster.pixels.len(), raster.width as usize * raster.height as usize * 4);
        // It covers the plot up to now, widened to whole pixels.
        let [x, y, w, h] = raster.dest;
        let now = g.x(t);
        assert!(x <= g.plot.x && x > g.plot.x - 1.0, "{x} {:?}", g.plot);
        assert!(y <= g.plot.y && y > g.plot.y - 1.0);
        assert!(x + w >= now && x + w < now + 1.0, "ends at now ({now}): {}", x + w);
        assert!(y + h >= g.plot.bottom() && y + h < g.plot.bottom() + 1.0);

        // Grid lines under it, the now line, the axis and every label over it, as shapes.
        let at = |f: &dyn Fn(&Shape) -> bool| shapes.iter().position(f);
        let raster_at = at(&|s| matches!(s, Shape::Raster { .. })).expect("a raster");
        let line_at = |color: Color| at(&|s| matches!(s, Shape::Line { color: c, .. } if *c == color));
        assert!(line_at(style.gridline).expect("grid lines") < raster_at);
        assert!(line_at(style.now).expect("the now line") > raster_at);
        assert!(line_at(style.axis).expect("the axis") > raster_at);
        let texts: Vec<&str> = shapes
            .iter()
            .filter_map(|s| if let Shape::Text { text, .. } = s { Some(text.as_str()) } else { None })
            .collect();
        assert!(texts.contains(&"thread 1") && texts.contains(&"thread 63"), "{texts:?}");
        assert!(
            texts.contains(&"rendering (CPU)") && texts.contains(&"loading (I/O)"),
            "the legend: {texts:?}"
        );
        // And drawing stays a pure function.
        assert_eq!(shapes, frame(&prepared, t, &layout(1.0)));
    }
}

#[test]
fn raster_pixels_match_the_bars() {
    let prepared = dense();
    let g = gantt(&prepared);
    let style = Style::light();
    let t = 6_030.0;
    let shapes = frame(&prepared, t, &layout(1.0));
    let raster = &rasters(&shapes)[0];
    for i in [1, 2, 17, 40, 63] {
        let y = raster.row_inside_bar(&g, i);
        for segment in prepared.trace().lanes[i].segments.iter().filter(|s| s.end <= t).step_by(7) {
            let x = g.x((segment.start + segment.end) / 2.0);
            let want = rgba(style.phase(segment.phase));
            assert_eq!(raster.at(x, y), Some(want), "lane {i} at {} ms", segment.start);
        }
        // The bar being drawn ends at now: just before, its colour; after, nothing.
        let (now, current) = (g.x(t), prepared.trace().lanes[i].segments[(t / SEGMENT) as usize].phase);
        assert_eq!(raster.at(now - 1.5, y), Some(rgba(style.phase(current))));
        assert_eq!(raster.at(now + 1.0, y), None, "nothing after now");
    }
    // Lane 0 stopped at 3 s: from there to now, the background, between grid lines.
    let tick_xs: Vec<f64> =
        ticks(g.time_max, (g.plot.w / 80.0).clamp(2.0, 10.0) as usize).0.iter().map(|&t| g.x(t)).collect();
    let y = raster.row_inside_bar(&g, 0);
    let idle = (g.x(3_000.0) + 1.0) as i32..(g.x(t) - 1.0) as i32;
    let clear = idle.map(|x| x as f64 + 0.5).filter(|x| tick_xs.iter().all(|t| (t - x).abs() > 1.5));
    let mut seen = 0;
    for x in clear {
        assert_eq!(raster.at(x, y), Some(rgba(style.background)), "idle lane 0 at x = {x}");
        seen += 1;
    }
    assert!(seen > 100, "{seen} idle pixels");
    // Where a grid line crosses the idle lane, the grid line shows, as the line drawn there
    // would: 1 px wide, centred on the tick.
    let tick = *tick_xs.iter().find(|&&x| x > g.x(3_000.0) + 2.0 && x < g.x(t) - 2.0).expect("a tick");
    let on_line = raster.at(tick.floor() + 0.5, y).expect("inside");
    assert_ne!(on_line, rgba(style.background), "grid line at {tick}");
}

#[test]
fn raster_is_crisp_at_pixel_ratio_2() {
    let prepared = dense();
    let g = gantt(&prepared);
    let style = Style::light();
    let t = 8_000.0;
    let one = frame(&prepared, t, &layout(1.0));
    let two = frame(&prepared, t, &layout(2.0));
    let (one, two) = (&rasters(&one)[0], &rasters(&two)[0]);
    for (r, ratio) in [(one, 1.0), (two, 2.0)] {
        let [x, y, w, h] = r.dest;
        // One raster pixel per device pixel, on the device pixel grid.
        assert_eq!((r.width as f64, r.height as f64), (w * ratio, h * ratio));
        for v in [x, y, w, h] {
            assert_eq!((v * ratio).fract(), 0.0, "{v} at {ratio}");
        }
    }
    assert!((two.width as i64 - 2 * one.width as i64).abs() <= 2, "{} {}", two.width, one.width);
    assert!((two.height as i64 - 2 * one.height as i64).abs() <= 2);
    // Bars keep sharp edges: across the boundary between two bars, a rendering one then a
    // loading one, a single device pixel blends the two.
    let y = two.row_inside_bar(&g, 10);
    let boundary = g.x(4_000.0);
    let (rendering, loading) = (rgba(style.rendering), rgba(style.loading));
    let row: Vec<[u8; 4]> =
        (-8..8).map(|k| two.at(boundary + (k as f64 + 0.5) / 2.0, y).expect("inside")).collect();
    let mixed = row.iter().filter(|&&p| p != rendering && p != loading).count();
    assert!(mixed <= 1, "{row:?}");
    assert!(row[..7].iter().all(|&p| p == rendering) && row[9..].iter().all(|&p| p == loading), "{row:?}");
}

#[test]
fn sparse_gantt_is_unchanged() {
    let style = Style::light();
    // 16 lanes of 100 bars, and 64 lanes of 60: below the threshold, rectangles.
    for (lanes, per_lane) in [(16, 100), (64, 60)] {
        let prepared = Prepared::new(busy(lanes, per_lane, per_lane));
        let end = prepared.trace().makespan;
        assert!((lanes * per_lane) as usize <= RASTER_ABOVE);
        for t in [end / 2.0, end] {
            let shapes = frame(&prepared, t, &layout(1.0));
            assert!(rasters(&shapes).is_empty(), "{lanes} lanes at {t}");
            assert!(bars_as_rects(&shapes, &style) > 0);
            // The pixel ratio only matters to rasters.
            assert_eq!(shapes, frame(&prepared, t, &layout(2.0)), "{lanes} lanes at {t}");
        }
    }
    // Many bars on many thin lanes, too few a lane to be worth a raster.
    let prepared = Prepared::new(busy(1024, 6, 6));
    let shapes = frame(&prepared, 300.0, &layout(1.0));
    assert!(bars_as_rects(&shapes, &style) > RASTER_ABOVE);
    assert!(rasters(&shapes).is_empty());
}
