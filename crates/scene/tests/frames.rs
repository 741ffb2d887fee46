//! Properties of whole frames, on traces built by hand.

use cvp_model::testing::{from_lanes as trace, seg};
use cvp_model::{testing, Lane, LaneKind, Phase, Segment, Strategy, Trace};
use cvp_scene::{draw, draw_prepared, Color, Layout, Picture, Prepared, Rect, Shape, Style, TileState};

// ---- building traces ----

fn lane(label: &str, segments: Vec<Segment>) -> Lane {
    testing::lane(LaneKind::Thread, label, segments)
}

/// One thread: task 0 loads 0–1 s and renders 1–2 s, task 1 loads 2–3 s and renders 3–4 s.
fn two_in_a_row() -> Trace {
    trace(
        Strategy::Sync,
        1,
        vec![lane(
            "main",
            vec![
                seg(0, Phase::Loading, 0.0, 1000.0),
                seg(0, Phase::Rendering, 1000.0, 2000.0),
                seg(1, Phase::Loading, 2000.0, 3000.0),
                seg(1, Phase::Rendering, 3000.0, 4000.0),
            ],
        )],
    )
}

/// `tasks` pixels dealt round-robin over `lanes` threads, each loading then rendering,
/// with a start-up segment and the odd blocked wait so that every phase appears.
fn pixels(tasks: u32, lanes: u32) -> Trace {
    let mut segs: Vec<Vec<Segment>> = (0..lanes)
        .map(|_| vec![Segment { task: None, phase: Phase::Starting, start: 0.0, end: 50.0 }])
        .collect();
    let mut clock = vec![50.0; lanes as usize];
    for i in 0..tasks {
        let l = (i % lanes) as usize;
        let (load, render) = (1500.0 + (i * 37 % 55) as f64 * 100.0, 800.0 + (i * 13 % 7) as f64 * 100.0);
        let t0 = clock[l];
        segs[l].push(seg(i, Phase::Loading, t0, t0 + load));
        let mut t1 = t0 + load;
        if i % 3 == 0 {
            segs[l].push(seg(i, Phase::Blocked, t1, t1 + 200.0));
            t1 += 200.0;
        }
        segs[l].push(seg(i, Phase::Rendering, t1, t1 + render));
        clock[l] = t1 + render;
    }
    let lanes: Vec<Lane> =
        segs.into_iter().enumerate().map(|(i, s)| lane(&format!("thread {}", i + 1), s)).collect();
    trace(Strategy::Threads, lanes.len().max(1) as u32, lanes)
}

// ---- reading frames ----

fn layout() -> Layout {
    Layout::new(900.0, 500.0)
}

fn frame(trace: &Trace, t: f64) -> Vec<Shape> {
    draw(trace, t, &layout(), &Style::light())
}

fn tile(trace: &Trace, i: usize) -> Rect {
    layout().regions(&Prepared::new(trace.clone())).grid.expect("a grid").tile_rect(i)
}

fn overlaps(a: [f64; 4], r: Rect) -> bool {
    a[0] < r.right() - 1e-9
        && a[0] + a[2] > r.x + 1e-9
        && a[1] < r.bottom() - 1e-9
        && a[1] + a[3] > r.y + 1e-9
}

fn inside(a: [f64; 4], r: Rect) -> bool {
    const EPS: f64 = 1e-6;
    a[0] >= r.x - EPS
        && a[1] >= r.y - EPS
        && a[0] + a[2] <= r.right() + EPS
        && a[1] + a[3] <= r.bottom() + EPS
}

/// Images landing on a tile: picture, alpha, destination.
fn images_on(shapes: &[Shape], r: Rect) -> Vec<(Picture, f64, [f64; 4])> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Image { src, dest, alpha, .. } if overlaps(*dest, r) => Some((*src, *alpha, *dest)),
            _ => None,
        })
        .collect()
}

/// Outline colours drawn inside a tile.
fn outlines_in(shapes: &[Shape], r: Rect) -> Vec<Color> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Outlines { stroke, rects, .. } if rects.iter().any(|&a| inside(a, r)) => Some(*stroke),
            _ => None,
        })
        .collect()
}

/// Rectangles of one fill colour inside a region.
fn rects_in(shapes: &[Shape], fill: Color, r: Rect) -> Vec<[f64; 4]> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Rects { fill: f, rects } if *f == fill => Some(rects),
            _ => None,
        })
        .flatten()
        .copied()
        .filter(|&a| inside(a, r))
        .collect()
}

/// The area of `r` covered by the colour picture (the images do not overlap one another).
fn colour_area(shapes: &[Shape], r: Rect) -> f64 {
    images_on(shapes, r)
        .into_iter()
        .filter(|(p, a, _)| *p == Picture::Colour && *a == 1.0)
        .map(|(_, _, d)| {
            let w = (d[0] + d[2]).min(r.right()) - d[0].max(r.x);
            let h = (d[1] + d[3]).min(r.bottom()) - d[1].max(r.y);
            w.max(0.0) * h.max(0.0)
        })
        .sum()
}

fn assert_inside_canvas(shapes: &[Shape], w: f64, h: f64, what: &str) {
    let canvas = Rect { x: 0.0, y: 0.0, w, h };
    for s in shapes {
        if let Some(b) = s.bounds() {
            assert!(b.iter().all(|v| v.is_finite()), "{what}: non-finite {s:?}");
            assert!(
                inside(b, Rect { x: -0.5, y: -0.5, w: w + 1.0, h: h + 1.0 }),
                "{what}: {s:?} outside {canvas:?}"
            );
        }
    }
}

// ---- tiles ----

#[test]
fn tile_is_outline_before_its_task_starts() {
    let trace = two_in_a_row();
    let second = tile(&trace, 1);
    for t in [0.0, 500.0, 1999.0] {
        let shapes = frame(&trace, t);
        assert!(images_on(&shapes, second).is_empty(), "no picture at {t}");
        assert_eq!(outlines_in(&shapes, second), vec![Style::light().outline], "outline only at {t}");
    }
    assert_eq!(Prepared::new(trace).tile_state(1, 1999.0), TileState::NotStarted);
}

#[test]
fn grey_fades_in_while_loading() {
    let trace = two_in_a_row();
    let r = tile(&trace, 0);
    let style = Style::light();
    let mut last_alpha = 0.0;
    for (t, progress) in [(250.0, 0.25), (500.0, 0.5), (750.0, 0.75)] {
        let shapes = frame(&trace, t);
        let images = images_on(&shapes, r);
        assert_eq!(images.len(), 1, "{images:?}");
        let (src, alpha, dest) = images[0];
        assert_eq!(src, Picture::Grey);
        assert_eq!(dest, [r.x, r.y, r.w, r.h], "the whole slice");
        assert!(alpha > last_alpha, "fading in: {alpha} after {last_alpha}");
        last_alpha = alpha;
        // The border traced so far, clockwise from the top-left: progress × perimeter.
        let traced: f64 = rects_in(&shapes, style.loading, r).iter().map(|a| a[2].max(a[3])).sum();
        assert!((traced - progress * 4.0 * r.w).abs() < 1e-6, "{traced} at {t}");
    }
    assert_eq!(last_alpha, 1.0 - 0.25f64.powi(3) * 4.0, "cubic in-out");
    assert!(images_on(&frame(&trace, 0.0), r).is_empty(), "nothing loaded at 0");
}

#[test]
fn io_only_tiles_fade_in_colour() {
    // Nothing to render: what loads is the finished picture.
    let trace =
        trace(Strategy::Async, 1, vec![lane("coroutine 1", vec![seg(0, Phase::Loading, 0.0, 1000.0)])]);
    let r = tile(&trace, 0);
    let images = images_on(&frame(&trace, 500.0), r);
    assert_eq!(images.iter().map(|i| (i.0, i.1)).collect::<Vec<_>>(), vec![(Picture::Colour, 0.5)]);
    assert!((colour_area(&frame(&trace, 1000.0), r) - r.w * r.h).abs() < 1e-6);
}

#[test]
fn raster_reveal_follows_cpu_progress() {
    // Task 0's rendering is split by time slicing: 1.0–1.5 s, preempted, then 2.5–3.0 s.
    let trace = trace(
        Strategy::Gil,
        1,
        vec![
            lane(
                "thread 1",
                vec![
                    seg(0, Phase::Loading, 0.0, 1000.0),
                    seg(0, Phase::Rendering, 1000.0, 1500.0),
                    seg(0, Phase::Blocked, 1500.0, 2500.0),
                    seg(0, Phase::Rendering, 2500.0, 3000.0),
                ],
            ),
            lane("thread 2", vec![seg(1, Phase::Rendering, 1500.0, 2500.0)]),
        ],
    );
    let r = tile(&trace, 0);
    let cell = r.w * r.h / 100.0;
    let style = Style::light();
    for (t, cells, active) in
        [(1000.0, 0, false), (1250.0, 25, true), (1499.0, 49, true), (2000.0, 50, false), (2750.0, 75, true)]
    {
        let shapes = frame(&trace, t);
        let area = colour_area(&shapes, r);
        assert!((area - cells as f64 * cell).abs() < 1e-6, "{} cells at {t}, wanted {cells}", area / cell);
        let grey = images_on(&shapes, r)
            .into_iter()
            .any(|(p, a, d)| p == Picture::Grey && a == 1.0 && inside([r.x, r.y, r.w, r.h], rect(d)));
        assert!(grey, "the grey slice lies under the scan at {t}");
        assert_eq!(outlines_in(&shapes, r).contains(&style.rendering), active, "on a CPU at {t}?");
    }
    // At most two colour images: the full rows and the partial one.
    let colour = images_on(&frame(&trace, 2750.0), r).into_iter().filter(|i| i.0 == Picture::Colour).count();
    assert_eq!(colour, 2);
    // The CPU-only task reveals colour with no grey underneath.
    let shapes = frame(&trace, 2000.0);
    let cpu_only = tile(&trace, 1);
    assert!(images_on(&shapes, cpu_only).iter().all(|i| i.0 == Picture::Colour));
    assert!((colour_area(&shapes, cpu_only) - 50.0 * cpu_only.w * cpu_only.h / 100.0).abs() < 1e-6);
}

#[test]
fn finished_frame_shows_every_tile_in_colour() {
    for n in [1, 16, 100] {
        let trace = pixels(n, 4);
        let shapes = frame(&trace, trace.makespan);
        for i in 0..n as usize {
            let r = tile(&trace, i);
            assert!((colour_area(&shapes, r) - r.w * r.h).abs() < 1e-6, "tile {i} of {n}");
            assert!(outlines_in(&shapes, r).is_empty(), "tile {i} of {n} has no outline");
        }
        assert!(!shapes.iter().any(|s| matches!(s, Shape::Image { src: Picture::Grey, .. })), "no grey left");
        let counters = format!("{n}/{n} done");
        assert!(texts(&shapes).iter().any(|t| t.starts_with(&counters)), "{:?}", texts(&shapes));
    }
}

// ---- Gantt ----

#[test]
fn gantt_never_draws_the_future() {
    let trace = pixels(40, 6);
    let prepared = Prepared::new(trace.clone());
    let gantt = layout().regions(&prepared).gantt;
    let style = Style::light();
    for frac in [0.0, 0.1, 0.37, 0.5, 0.93, 1.0] {
        let t = trace.makespan * frac;
        let shapes = draw_prepared(&prepared, t, &layout(), &style);
        let bars: Vec<_> = [Phase::Loading, Phase::Rendering, Phase::Blocked, Phase::Starting]
            .into_iter()
            .flat_map(|p| rects_in(&shapes, style.phase(p), gantt.plot))
            .collect();
        assert_eq!(bars.is_empty(), t == 0.0, "bars at {t}");
        let now = gantt.x(t);
        for b in bars {
            assert!(b[0] + b[2] <= now + 1e-6, "bar {b:?} beyond now ({now}) at {t}");
        }
    }
}

#[test]
fn many_lanes_do_not_overflow() {
    let style = Style::light();
    for lanes in [1, 9, 50, 256, 1000] {
        let trace = pixels(lanes * 2, lanes);
        for (w, h) in [(320.0, 560.0), (1200.0, 600.0)] {
            let layout = Layout { title: "Threads".into(), ..Layout::new(w, h) };
            let prepared = Prepared::new(trace.clone());
            let gantt = layout.regions(&prepared).gantt;
            let shapes = draw_prepared(&prepared, trace.makespan / 2.0, &layout, &style);
            assert_inside_canvas(&shapes, w, h, &format!("{lanes} lanes at {w}"));
            assert!(gantt.plot.bottom() <= gantt.area.bottom() + 1e-9, "rows stay in the chart");
            // Labels never crowd: at most one per 9 px of rows.
            let labels = texts(&shapes).iter().filter(|t| t.starts_with("thread")).count();
            assert!(
                labels >= 1 && labels as f64 <= gantt.plot.h / 9.0 + 1.0,
                "{labels} labels for {lanes} lanes"
            );
            // Bars are pooled: far fewer rectangles than segments when rows are thin.
            let bars: usize =
                shapes.iter().map(|s| if let Shape::Rects { rects, .. } = s { rects.len() } else { 0 }).sum();
            assert!(bars <= 12 * lanes as usize + 200, "{bars} rects");
        }
    }
}

// ---- layout and robustness ----

#[test]
fn layout_fits_the_canvas_at_phone_and_desktop_widths() {
    let trace = pixels(16, 4);
    let title = "Threads + global lock, with a title far too long for a phone".to_owned();
    for (w, h) in
        [(320.0, 480.0), (375.0, 640.0), (700.0, 420.0), (768.0, 480.0), (1200.0, 600.0), (1600.0, 900.0)]
    {
        for style in [Style::light(), Style::dark()] {
            let layout = Layout { title: title.clone(), ..Layout::new(w, h) };
            let regions = layout.regions(&Prepared::new(trace.clone()));
            let grid = regions.grid.as_ref().expect("a grid").area;
            let g = regions.gantt.area;
            let apart = grid.right() <= g.x || grid.bottom() <= g.y;
            assert!(apart, "grid {grid:?} and chart {g:?} overlap at {w}");
            assert!(grid.w > 100.0 && regions.gantt.plot.w > 100.0, "both readable at {w}: {grid:?}");
            for frac in [0.0, 0.3, 1.0] {
                let shapes = draw(&trace, trace.makespan * frac, &layout, &style);
                assert_inside_canvas(&shapes, w, h, &format!("{w}×{h} at {frac}"));
            }
        }
    }
}

#[test]
fn handles_zero_one_and_4096_tasks() {
    let empty = Trace::new(Strategy::Async, 1);
    let instant = trace(
        Strategy::Sync,
        1,
        vec![lane("main", vec![seg(0, Phase::Loading, 0.0, 0.0), seg(0, Phase::Rendering, 0.0, 0.0)])],
    );
    let big = pixels(4096, 256);
    for (name, trace) in [("empty", &empty), ("instant", &instant), ("one", &pixels(1, 1)), ("4096", &big)] {
        for t in [0.0, trace.makespan / 2.0, trace.makespan, f64::NAN, -5.0, 1e12] {
            for (w, h) in [(320.0, 480.0), (1200.0, 640.0)] {
                let shapes = draw(trace, t, &Layout::new(w, h), &Style::light());
                assert_inside_canvas(&shapes, w, h, &format!("{name} at {t}"));
            }
        }
    }
    assert!(Layout::new(320.0, 480.0).regions(&Prepared::new(empty.clone())).grid.is_none());
    // Thousands of idle tiles are not thousands of rectangles.
    let primitives: usize =
        frame(&big, 0.0)
            .iter()
            .map(|s| {
                if let Shape::Rects { rects, .. } | Shape::Outlines { rects, .. } = s {
                    rects.len()
                } else {
                    1
                }
            })
            .sum();
    assert!(primitives < 300, "{primitives} primitives for a grid that has not started");
    let shapes = frame(&big, big.makespan);
    assert!(texts(&shapes).iter().any(|t| t.starts_with("4096/4096 done")));
    let images = shapes.iter().filter(|s| matches!(s, Shape::Image { .. })).count();
    assert!(images <= 64, "a finished 64×64 grid is drawn row by row, not tile by tile: {images}");
    assert_eq!(Prepared::new(instant).tile_state(0, 0.0), TileState::Done);
}

#[test]
fn degenerate_canvases_do_not_panic() {
    let trace = pixels(16, 4);
    for (w, h) in [(0.0, 0.0), (60.0, 40.0), (-10.0, 300.0), (2000.0, 30.0)] {
        let layout = Layout { title: "Threads".into(), grid_cols: Some(40), ..Layout::new(w, h) };
        let shapes = draw(&trace, trace.makespan / 2.0, &layout, &Style::light());
        let finite = shapes.iter().filter_map(Shape::bounds).all(|b| b.iter().all(|v| v.is_finite()));
        assert!(finite, "{w}×{h}");
    }
}

#[test]
fn draw_is_pure() {
    let trace = pixels(64, 8);
    let prepared = Prepared::new(trace.clone());
    let style = Style::dark();
    let t = trace.makespan * 0.4;
    let first = draw(&trace, t, &layout(), &style);
    // Other frames in between change nothing.
    let _ = draw_prepared(&prepared, trace.makespan, &layout(), &style);
    let _ = draw_prepared(&prepared, 0.0, &layout(), &style);
    assert_eq!(first, draw(&trace, t, &layout(), &style));
    assert_eq!(first, draw_prepared(&prepared, t, &layout(), &style));
}

// ---- helpers used above ----

fn rect(a: [f64; 4]) -> Rect {
    Rect { x: a[0], y: a[1], w: a[2], h: a[3] }
}

fn texts(shapes: &[Shape]) -> Vec<&str> {
    shapes
        .iter()
        .filter_map(|s| if let Shape::Text { text, .. } = s { Some(text.as_str()) } else { None })
        .collect()
}

#[test]
fn lane_labels_never_overlap_however_thin_the_rows() {
    for lanes in [3, 40, 333, 1000, 4096] {
        let t = trace(
            Strategy::Threads,
            lanes,
            (0..lanes)
                .map(|i| lane(&format!("thread {}", i + 1), vec![seg(i, Phase::Rendering, 0.0, 1000.0)]))
                .collect(),
        );
        for height in (400..=1400).step_by(25) {
            let shapes = draw(&t, 500.0, &Layout::new(760.0, height as f64), &Style::light());
            let mut labels: Vec<(f64, f64)> = shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Text { y, size, text, .. } if text.starts_with("thread") => Some((*y, *size)),
                    _ => None,
                })
                .collect();
            assert!(!labels.is_empty(), "{lanes} lanes: some rows are labelled");
            labels.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pair in labels.windows(2) {
                let ((y1, size), (y2, _)) = (pair[0], pair[1]);
                assert!(
                    y2 - y1 >= size,
                    "{lanes} lanes, {height} px: labels at y = {y1} and {y2} overlap (size {size})"
                );
            }
        }
    }
}

#[test]
fn panels_sized_for_one_grid_side_get_the_same_tiles_whatever_their_lanes() {
    // The same 16 pixels on 1, 4 and 16 lanes (and so on 60 lanes of 240 pixels' worth).
    for (tasks, side) in [(16, 150.0), (16, 220.0), (240, 300.0)] {
        let mut tiles = Vec::new();
        for lanes in [1, 4, 16, 60] {
            let prepared = Prepared::new(pixels(tasks, lanes.min(tasks)));
            let mut layout = Layout::new(330.0, 0.0);
            layout.height = layout.height_for_grid(&prepared, side);
            let grid = layout.regions(&prepared).grid.expect("a grid of pixels");
            tiles.push((lanes, grid.tile, grid.area.w));
        }
        let first = tiles[0];
        for t in &tiles {
            assert!(
                (t.1 - first.1).abs() < 1e-9 && (t.2 - first.2).abs() < 1e-9,
                "{tasks} pixels at side {side}: tiles differ across lane counts: {tiles:?}"
            );
        }
    }
}

#[test]
fn a_run_that_has_ended_draws_the_same_frame_from_then_on() {
    // The player skips redrawing such a panel while a longer one plays on: that is only
    // right if nothing in its picture, clock and cursor included, moves after its end.
    let t = two_in_a_row();
    let at_end = frame(&t, t.makespan);
    assert_eq!(frame(&t, t.makespan * 1.5), at_end);
    assert_eq!(frame(&t, f64::INFINITY), at_end);
    assert_ne!(frame(&t, t.makespan * 0.5), at_end, "while it runs, it changes");
}
