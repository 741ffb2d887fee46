//! How long does a frame take to compute? Draws a 64×64-pixel run on 256 threads at
//! mid-run, the heaviest frame the site shows, and prints the median time per frame; then
//! the four simulated runs of the browser benchmark (`bench_frame` in `cvp-web`, 1200×900
//! CSS px) at mid-run and at their end, with how their Gantt bars are drawn: as rectangles,
//! or past [`RASTER_ABOVE`] bars, as one raster (whose canvas cost is not counted here).
//!
//! ```text
//! cargo run --release -p cvp-scene --example scene_bench
//! ```

use cvp_model::state::SandboxState;
use cvp_model::workload::WorkloadSpec;
use cvp_model::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
use cvp_scene::{draw, draw_prepared, Layout, Prepared, Shape, Style, RASTER_ABOVE};
use std::time::{Duration, Instant};

const TASKS: u32 = 64 * 64;
const LANES: u32 = 256;
const CORES: u32 = 8;
/// A thread computes for at most this long before another takes its core.
const SLICE: f64 = 300.0;
const FRAMES: usize = 200;

/// Threads that each start up, then load and render their share of the pixels; with
/// `sliced`, their rendering is cut into slices with waits for a core in between, as 256
/// threads sharing 8 cores would be (ten times the segments: the worst case).
fn synthetic(sliced: bool) -> Trace {
    let mut trace = Trace::new(Strategy::Threads, CORES);
    let mut clocks = vec![40.0; LANES as usize];
    trace.lanes = (1..=LANES)
        .map(|i| Lane {
            kind: LaneKind::Thread,
            label: format!("thread {i}"),
            segments: vec![Segment { task: None, phase: Phase::Starting, start: 0.0, end: 40.0 }],
        })
        .collect();
    for (id, task) in WorkloadSpec::pixels(TASKS, 7).draw().into_iter().enumerate() {
        let lane = id % LANES as usize;
        let clock = &mut clocks[lane];
        let segments = &mut trace.lanes[lane].segments;
        let start = *clock;
        let mut push = |phase, ms: f64| {
            segments.push(Segment { task: Some(id as u32), phase, start: *clock, end: *clock + ms });
            *clock += ms;
        };
        push(Phase::Loading, task.load);
        let slice = if sliced { SLICE } else { task.render };
        let mut left = task.render;
        while left > 0.0 {
            if sliced {
                push(Phase::Blocked, SLICE * (LANES / CORES) as f64 / 8.0);
            }
            push(Phase::Rendering, left.min(slice));
            left -= slice;
        }
        trace.tasks.push(TaskRecord { id: id as u32, lane: lane as u32, start, end: *clock, value: None });
    }
    trace.close();
    trace.validate().expect("a well-formed trace");
    trace
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[FRAMES / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    for sliced in [false, true] {
        bench(&synthetic(sliced), if sliced { "time-sliced rendering" } else { "load then render" });
    }
    println!("\nThe browser benchmark's runs, 1200×900 CSS px (rasters past {RASTER_ABOVE} bars):");
    for (side, workers, cores) in [(4, 0, 0), (16, 32, 0), (64, 256, 0), (64, 256, 8)] {
        sandbox(side, workers, cores);
    }
}

/// What `bench_frame(frames, side, workers, cores)` draws, at mid-run and at the end, at
/// pixel ratios 1 and 2.
fn sandbox(side: u32, workers: u32, cores: u32) {
    let state = SandboxState {
        side,
        workers,
        cores,
        strategy: Some(Strategy::Threads),
        ..SandboxState::from_query(&[]).0
    };
    let sandbox = state.sandbox();
    let prepared = Prepared::new(sandbox.simulate().remove(0).1);
    let style = Style::light();
    println!("  {side}×{side} pixels, {workers} threads on {cores} cores (0: unlimited):");
    for (when, frac) in [("mid-run", 0.5), ("end", 1.0)] {
        for ratio in [1.0, 2.0] {
            let layout = Layout { pixel_ratio: ratio, ..Layout::new(1200.0, 900.0) };
            let t = prepared.trace().makespan * frac;
            let shapes = draw_prepared(&prepared, t, &layout, &style);
            let rects: usize =
                shapes.iter().map(|s| if let Shape::Rects { rects, .. } = s { rects.len() } else { 0 }).sum();
            let raster = shapes.iter().find_map(|s| match s {
                Shape::Raster { width, height, .. } => Some(format!("raster {width}×{height} px")),
                _ => None,
            });
            let time = median(|| drop(std::hint::black_box(draw_prepared(&prepared, t, &layout, &style))));
            println!(
                "    {when:>7} ×{ratio}: {:>7.3} ms, {rects:>5} rectangles{}",
                ms(time),
                raster.map_or(String::new(), |r| format!(" + {r}"))
            );
        }
    }
}

fn bench(trace: &Trace, name: &str) {
    let segments = trace.segments().count();
    let t = trace.makespan / 2.0;
    let layout = Layout { title: "Threads".into(), ..Layout::new(1200.0, 640.0) };
    let style = Style::light();

    let start = Instant::now();
    let prepared = Prepared::new(trace.clone());
    let prepare = start.elapsed();

    let shapes = draw_prepared(&prepared, t, &layout, &style);
    let primitives: usize = shapes
        .iter()
        .map(|s| match s {
            Shape::Rects { rects, .. } | Shape::Outlines { rects, .. } => rects.len(),
            _ => 1,
        })
        .sum();
    let raster = shapes.iter().find_map(|s| match s {
        Shape::Raster { width, height, .. } => Some((width, height)),
        _ => None,
    });
    let prepared_frame = median(|| drop(std::hint::black_box(draw_prepared(&prepared, t, &layout, &style))));
    let bare_frame = median(|| drop(std::hint::black_box(draw(trace, t, &layout, &style))));

    println!("{name}: {TASKS} tasks, {LANES} lanes, {segments} segments, 1200×640 frame at t = {t:.0} ms");
    println!("  Prepared::new     {:>7.3} ms (once per trace)", ms(prepare));
    println!("  draw_prepared()   {:>7.3} ms per frame (median of {FRAMES})", ms(prepared_frame));
    println!("  draw()            {:>7.3} ms per frame (indexing included)", ms(bare_frame));
    println!("  {} shapes, {primitives} primitives (rectangles, images, texts...)", shapes.len());
    if let Some((w, h)) = raster {
        println!("  the Gantt bars as one raster of {w}×{h} px");
    }
}
