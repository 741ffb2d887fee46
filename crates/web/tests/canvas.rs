//! The renderer and the canvas backend together: a known trace at a known time paints
//! known pixels (colour where rendered, grey where loaded, nothing in the future).

use cvp_model::testing::{busy, from_lanes, lane, seg};
use cvp_model::{LaneKind, Phase, Strategy, Trace};
use cvp_scene::{draw, draw_prepared, picture, Layout, Prepared, Shape, Style};
use cvp_web::canvas::Canvas;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlCanvasElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Four tasks in a row on one lane, each loading for 1 s, then rendering for 1 s.
fn trace() -> Trace {
    let segments = (0..4u32)
        .flat_map(|i| {
            let s = i as f64 * 2000.0;
            [seg(i, Phase::Loading, s, s + 1000.0), seg(i, Phase::Rendering, s + 1000.0, s + 2000.0)]
        })
        .collect();
    from_lanes(Strategy::Sync, 1, vec![lane(LaneKind::Main, "main", segments)])
}

fn pixel(c: &Canvas, x: f64, y: f64, dpr: f64) -> [u8; 4] {
    let d = c.context().get_image_data((x * dpr).floor(), (y * dpr).floor(), 1.0, 1.0).unwrap().data();
    [d[0], d[1], d[2], d[3]]
}

#[wasm_bindgen_test]
fn a_known_trace_paints_known_pixels() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    let canvas = Canvas::new(el).unwrap();
    let dpr = 2.0;
    canvas.resize(900.0, 500.0, dpr).unwrap();
    assert_eq!(canvas.element().width(), 1800);
    let trace = trace();
    let layout = Layout { title: "Synchronous".into(), ..Layout::new(900.0, 500.0) };
    let style = Style::light();
    let regions = layout.regions(&Prepared::new(trace.clone()));
    let grid = regions.grid.clone().unwrap();
    // t = 3.5 s: tile 0 done, tile 1 rendering (50%), tiles 2 and 3 not started.
    let shapes = draw(&trace, 3500.0, &layout, &style);
    canvas.paint(&shapes).unwrap();

    let r = grid.tile_rect(0);
    let (x, y) = (r.x + r.w * 0.5, r.y + r.h * 0.3);
    let src = grid.source(r);
    let (u, v) = (src[0] + 0.5 * src[2], src[1] + 0.3 * src[3]);
    let want = picture::rgb(u, v);
    let got = pixel(&canvas, x, y, dpr);
    web_sys::console::log_1(&format!("done tile: got {got:?} want {want:?}").into());
    for k in 0..3 {
        assert!((got[k] as i32 - want[k] as i32).abs() <= 12, "done tile {got:?} vs {want:?}");
    }

    // Tile 1 at 50%: the top half in colour, the bottom in grey.
    let r1 = grid.tile_rect(1);
    let bottom = pixel(&canvas, r1.x + r1.w * 0.5, r1.y + r1.h * 0.8, dpr);
    assert!(bottom[0] == bottom[1] && bottom[1] == bottom[2], "grey bottom half {bottom:?}");
    // Tile 3 not started: background in its middle.
    let r3 = grid.tile_rect(3);
    assert_eq!(pixel(&canvas, r3.x + r3.w * 0.5, r3.y + r3.h * 0.5, dpr), [255, 255, 255, 255]);
    // A loading bar in the Gantt chart at t = 0.5 s.
    let g = &regions.gantt;
    let (by, bh) = g.bar(0);
    let bar = pixel(&canvas, g.x(500.0), by + bh / 2.0, dpr);
    assert_eq!(&bar[..3], &[0x4e, 0x79, 0xa7], "loading blue");
    // Nothing drawn after now (3.5 s) in the bar row.
    let future = pixel(&canvas, g.x(6500.0), by + bh / 2.0, dpr);
    assert_eq!(future, [255, 255, 255, 255]);
}

/// `lanes` threads, each alternating loading and rendering `per_lane` segments of 50 ms.
fn dense(lanes: u32, per_lane: u32) -> Trace {
    busy(lanes, per_lane, 50.0, None)
}

#[wasm_bindgen_test]
fn a_dense_gantt_chart_drawn_as_a_raster_paints_its_bars() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let style = Style::light();
    let colour = |p: Phase| {
        let c = style.phase(p);
        [c.r, c.g, c.b, 255]
    };
    // 64 lanes × 200 bars: past the renderer's threshold, the bars arrive as one raster.
    let prepared = Prepared::new(dense(64, 200));
    for dpr in [1.0, 2.0] {
        let el: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
        doc.body().unwrap().append_child(&el).unwrap();
        let canvas = Canvas::new(el).unwrap();
        canvas.resize(1200.0, 640.0, dpr).unwrap();
        let layout = Layout { show_grid: false, pixel_ratio: dpr, ..Layout::new(1200.0, 640.0) };
        let now = 7000.0;
        let shapes = draw_prepared(&prepared, now, &layout, &style);
        assert!(shapes.iter().any(|s| matches!(s, Shape::Raster { .. })), "drawn as a raster at ×{dpr}");
        canvas.paint(&shapes).unwrap();

        let g = &layout.regions(&prepared).gantt;
        for lane in [0, 31, 63] {
            let (y, h) = g.bar(lane);
            let mid = y + h / 2.0;
            // Segment 2k loads over [100k, 100k + 50] ms, segment 2k + 1 renders after it.
            assert_eq!(pixel(&canvas, g.x(1025.0), mid, dpr), colour(Phase::Loading), "lane {lane} ×{dpr}");
            assert_eq!(pixel(&canvas, g.x(6075.0), mid, dpr), colour(Phase::Rendering), "lane {lane} ×{dpr}");
            assert_eq!(pixel(&canvas, g.x(8250.0), mid, dpr), [255, 255, 255, 255], "the future is empty");
        }
        canvas.element().remove();
    }
}

#[wasm_bindgen_test]
fn text_never_runs_past_the_width_the_renderer_laid_it_out_at() {
    use cvp_scene::{text_width, Align, Baseline, Color};
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    let canvas = Canvas::new(el).unwrap();
    canvas.resize(400.0, 60.0, 1.0).unwrap();
    // Twenty narrow letters in a monospace font: the estimate gives each 0.3 em, the font
    // draws each 0.6 em, twice as wide as the layout left room for.
    let (text, size) = ("i".repeat(20), 20.0);
    let estimate = text_width(&text, size, true);
    canvas
        .paint(&[Shape::Text {
            x: 10.0,
            y: 30.0,
            text: text.clone(),
            size,
            bold: true,
            family: "monospace".into(),
            color: Color::hex(0x000000),
            align: Align::Left,
            baseline: Baseline::Middle,
        }])
        .unwrap();
    let inked = |x: f64| (0..60).any(|y| pixel(&canvas, x, y as f64, 1.0)[3] > 0);
    assert!(inked(10.0 + estimate * 0.5), "the text is drawn");
    let past = (10.0 + estimate + 2.0) as u32;
    let overrun: Vec<u32> = (past..400).filter(|&x| inked(x as f64)).collect();
    assert!(overrun.is_empty(), "ink past the laid-out width ({estimate} px) at x = {overrun:?}");
}
