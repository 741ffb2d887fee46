//! The speedup chart: measured speedup at 1..N threads, the best the job's division allows,
//! and the Amdahl curve that fits the points.
//!
//! For `tasks` equal, independent tasks the bound is the division: `tasks / ⌈tasks / p⌉`
//! ([`cvp_model::compare::best_speedup`]). Amdahl's law says that if a fraction `f` of the
//! work cannot be split, `p` workers speed it up by at most `1 / (f + (1 - f) / p)`. The
//! serial fraction one measurement implies is the Karp-Flatt metric, `(1/S - 1/p) / (1 -
//! 1/p)`; the chart draws the Amdahl curve for the fraction that best fits *every* point
//! (least squares, see [`fit_serial_fraction`]) and calls it the *apparent* serial fraction:
//! these jobs have no serial part, so what it measures is what start-up, hand-offs, uneven
//! division and shared cores cost, as if it were one.

use crate::shape::{text_width, Align, Baseline, Color, Shape};
use crate::style::Style;
use cvp_model::compare::best_speedup;

/// Amdahl's bound on the speedup with `p` workers when a fraction `serial` is serial.
pub fn amdahl(serial: f64, p: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / p.max(1.0))
}

/// The serial fraction (Karp-Flatt) implied by speedup `s` on `p > 1` workers, in [0, 1].
pub fn serial_fraction(s: f64, p: f64) -> Option<f64> {
    (p > 1.0 && s > 0.0).then(|| ((1.0 / s - 1.0 / p) / (1.0 - 1.0 / p)).clamp(0.0, 1.0))
}

/// The serial fraction that best explains every measured `(threads, speedup)` point with
/// more than one thread, in [0, 1]; `None` without such a point.
///
/// Amdahl's law rearranged is linear in `f`: `1/S - 1/p = f (1 - 1/p)`. So with
/// `x = 1 - 1/p` and `y = 1/S - 1/p` for each point, the least-squares line through the
/// origin has slope `f = Σxy / Σx²`: one noisy point cannot set the curve alone.
pub fn fit_serial_fraction(points: &[(u32, f64)]) -> Option<f64> {
    let (sxy, sxx) = points.iter().filter(|&&(p, s)| p > 1 && s > 0.0 && s.is_finite()).fold(
        (0.0, 0.0),
        |(sxy, sxx), &(p, s)| {
            let p = p as f64;
            let (x, y) = (1.0 - 1.0 / p, 1.0 / s - 1.0 / p);
            (sxy + x * y, sxx + x * x)
        },
    );
    (sxx > 0.0).then(|| (sxy / sxx).clamp(0.0, 1.0))
}

/// Draws measured `(threads, speedup)` points, the best speedup `tasks` equal tasks allow
/// (S = p where the task count is unknown) and the fitted Amdahl curve on a `width` ×
/// `height` canvas.
pub fn speedup_chart(
    points: &[(u32, f64)],
    tasks: Option<u32>,
    width: f64,
    height: f64,
    style: &Style,
) -> Vec<Shape> {
    let mut shapes = Vec::new();
    let p_max = points.iter().map(|&(p, _)| p).max().unwrap_or(1).max(2) as f64;
    let s_max = points.iter().map(|&(_, s)| s).fold(p_max, f64::max).ceil();
    let (left, right, top, bottom) = (44.0, width - 12.0, 28.0, height - 34.0);
    if right <= left + 10.0 || bottom <= top + 10.0 {
        return shapes;
    }
    let x = |p: f64| left + (p - 1.0) / (p_max - 1.0) * (right - left);
    let y = |s: f64| bottom - s / s_max * (bottom - top);
    let text = |x: f64, y: f64, t: String, align: Align, color| label(style, x, y, t, align, color);
    shapes.push(background(width, height, style));
    shapes.push(text(left, 12.0, "speedup over 1 thread".into(), Align::Left, style.text));
    // Axes with integer ticks.
    for s in 0..=(s_max as u32) {
        let yy = y(s as f64);
        shapes.push(Shape::Line {
            x1: left,
            y1: yy,
            x2: right,
            y2: yy,
            color: style.gridline,
            width: 1.0,
            dash: None,
        });
        shapes.push(text(left - 6.0, yy, format!("{s}×"), Align::Right, style.muted));
    }
    for p in 1..=(p_max as u32) {
        shapes.push(text(x(p as f64), bottom + 12.0, p.to_string(), Align::Center, style.muted));
    }
    shapes.push(text((left + right) / 2.0, bottom + 26.0, "threads".into(), Align::Center, style.muted));
    // The bound: S = p, or for equal tasks the division's steps (drawn at whole p).
    let bound: Vec<[f64; 2]> = match tasks {
        Some(n) => (1..=p_max as u32).map(|p| [x(p as f64), y(best_speedup(n, p))]).collect(),
        None => vec![[x(1.0), y(1.0)], [x(p_max), y(p_max)]],
    };
    let dash = Some([4.0, 4.0]);
    if let [[x1, y1], [x2, y2]] = bound[..] {
        shapes.push(Shape::Line { x1, y1, x2, y2, color: style.muted, width: 1.0, dash });
    } else {
        for pair in bound.windows(2) {
            let ([x1, y1], [x2, y2]) = (pair[0], pair[1]);
            shapes.push(Shape::Line { x1, y1, x2, y2, color: style.muted, width: 1.0, dash });
        }
    }
    // The key, one line per curve: measured, Amdahl (when it can be fitted), ideal.
    let mut key = vec![("measured".to_string(), style.rendering, None)];
    // Amdahl with the serial fraction that fits every point.
    if let Some(f) = fit_serial_fraction(points) {
        let curve: Vec<[f64; 2]> = (0..=40)
            .map(|i| 1.0 + (p_max - 1.0) * i as f64 / 40.0)
            .map(|p| [x(p), y(amdahl(f, p))])
            .collect();
        shapes.push(Shape::Polyline { points: curve, color: style.loading, width: 2.0 });
        key.push((format!("Amdahl fit: apparent serial {:.1}%", f * 100.0), style.loading, None));
    }
    let bound_label = match tasks {
        Some(n) => format!("best for {n} tasks: {n} / ⌈{n} / p⌉"),
        None => "ideal (S = p)".to_string(),
    };
    key.push((bound_label, style.muted, dash));
    // The ideal line rises from the bottom left to the top right, so the plot's top left
    // corner is free for the key.
    push_key(&mut shapes, key, left + 8.0, top + 8.0, style);
    // Measured points.
    let mut measured: Vec<[f64; 2]> = points.iter().map(|&(p, s)| [x(p as f64), y(s)]).collect();
    sort_by_x(&mut measured);
    if measured.len() > 1 {
        shapes.push(Shape::Polyline { points: measured.clone(), color: style.rendering, width: 1.5 });
    }
    shapes.push(Shape::Rects {
        fill: style.rendering,
        rects: measured.iter().map(|[px, py]| [px - 4.0, py - 4.0, 8.0, 8.0]).collect(),
    });
    // A point above what p threads can do is not a result: it is said to be noise, beside it.
    for &(p, s) in points.iter().filter(|&&(p, s)| is_noise(p, s, tasks)) {
        let (px, py) = (x(p as f64), y(s));
        let align = if px > (left + right) / 2.0 { Align::Right } else { Align::Left };
        let dx = if align == Align::Right { -8.0 } else { 8.0 };
        shapes.push(text(px + dx, (py - 10.0).max(top), "noise".into(), align, style.muted));
    }
    shapes
}

/// Whether speedup `s` on `p` threads is above what they can give (by more than 5 %, the
/// noise of a rounded timer): more than `p`, or than `tasks` tasks' division allows. Such a
/// figure comes from a slow run to compare with, never from the threads.
pub fn is_noise(p: u32, s: f64, tasks: Option<u32>) -> bool {
    let bound = tasks.map_or(p.max(1) as f64, |n| best_speedup(n, p));
    s > bound * 1.05
}

/// One N of the start-up experiment: (workers, one thread ms, fresh workers ms, pooled
/// threads ms).
pub type StartupPoint = (u32, f64, f64, f64);

/// Which value of a [`StartupPoint`] a series plots.
type Pick = fn(&StartupPoint) -> f64;

/// Draws the start-up experiment: the time of the same work done by one thread, by N
/// fresh workers (start-up included) and by N threads of a running pool, against N. A
/// series that is NaN (no pool on this page) is left out.
pub fn startup_chart(points: &[StartupPoint], width: f64, height: f64, style: &Style) -> Vec<Shape> {
    let mut shapes = Vec::new();
    let n_max = points.iter().map(|p| p.0).max().unwrap_or(1).max(2) as f64;
    let t_max = points.iter().map(|p| p.1.max(p.2).max(p.3)).fold(1.0, f64::max);
    let (ticks, step) = crate::axis::ticks(t_max * 1.05, 4);
    let t_top = (ticks.last().copied().unwrap_or(t_max) + step).max(t_max * 1.05);
    // The key has a band of its own above the plot: the lines fill the plot's top.
    let (left, right, top, bottom) = (56.0, width - 12.0, 28.0 + 3.0 * 15.0 + 8.0, height - 34.0);
    if right <= left + 10.0 || bottom <= top + 10.0 {
        return shapes;
    }
    let x = |n: f64| left + (n - 1.0) / (n_max - 1.0) * (right - left);
    let y = |ms: f64| bottom - ms / t_top * (bottom - top);
    let text = |x: f64, y: f64, t: String, align: Align, color| label(style, x, y, t, align, color);
    shapes.push(background(width, height, style));
    shapes.push(text(left, 12.0, "time for the same work".into(), Align::Left, style.text));
    for &t in &ticks {
        let yy = y(t);
        shapes.push(Shape::Line {
            x1: left,
            y1: yy,
            x2: right,
            y2: yy,
            color: style.gridline,
            width: 1.0,
            dash: None,
        });
        shapes.push(text(left - 6.0, yy, crate::axis::tick_label(t, step, t_top), Align::Right, style.muted));
    }
    for n in 1..=(n_max as u32) {
        shapes.push(text(x(n as f64), bottom + 12.0, n.to_string(), Align::Center, style.muted));
    }
    shapes.push(text(
        (left + right) / 2.0,
        bottom + 26.0,
        "workers or threads (N)".into(),
        Align::Center,
        style.muted,
    ));
    let series: [(&str, Color, Pick); 3] = [
        ("one thread", style.muted, |p| p.1),
        ("N fresh workers, start-up included", style.starting, |p| p.2),
        ("N threads of a running pool", style.rendering, |p| p.3),
    ];
    let mut key = Vec::new();
    for (label, color, value) in series {
        // A series that could not run here (NaN) is left out, key included.
        let mut line: Vec<[f64; 2]> =
            points.iter().filter(|p| value(p).is_finite()).map(|p| [x(p.0 as f64), y(value(p))]).collect();
        if line.is_empty() {
            continue;
        }
        sort_by_x(&mut line);
        if line.len() > 1 {
            shapes.push(Shape::Polyline { points: line.clone(), color, width: 1.5 });
        }
        shapes.push(Shape::Rects {
            fill: color,
            rects: line.iter().map(|[px, py]| [px - 3.5, py - 3.5, 7.0, 7.0]).collect(),
        });
        key.push((label.to_string(), color, None));
    }
    push_key(&mut shapes, key, left + 8.0, 26.0, style);
    shapes
}

/// Orders a line's points from left to right (one sort for every chart: each closure
/// passed to `sort_by` is another copy of the sort in the wasm).
fn sort_by_x(points: &mut [[f64; 2]]) {
    points.sort_by(|a, b| a[0].total_cmp(&b[0]));
}

/// A chart's 11 px label, centred vertically on `y`.
fn label(style: &Style, x: f64, y: f64, text: String, align: Align, color: Color) -> Shape {
    Shape::Text {
        x,
        y,
        text,
        size: 11.0,
        bold: false,
        family: style.font.clone(),
        color,
        align,
        baseline: Baseline::Middle,
    }
}

/// A chart's background, the whole canvas.
fn background(width: f64, height: f64, style: &Style) -> Shape {
    Shape::Rect {
        x: 0.0,
        y: 0.0,
        w: width,
        h: height,
        fill: Some(style.background),
        stroke: None,
        line_width: 0.0,
    }
}

/// One entry of the chart's key: a label, its line's colour and dash.
type KeyEntry = (String, Color, Option<[f64; 2]>);

/// Draws `entries` one per line from (`x`, `top`): a short line swatch, then its label,
/// on a patch of background so that grid lines do not run through the words.
fn push_key(shapes: &mut Vec<Shape>, entries: Vec<KeyEntry>, x: f64, top: f64, style: &Style) {
    const SWATCH: f64 = 14.0;
    const LINE: f64 = 15.0;
    let widest = entries.iter().map(|(label, _, _)| text_width(label, 11.0, false)).fold(0.0, f64::max);
    shapes.push(Shape::Rect {
        x: x - 4.0,
        y: top - 2.0,
        w: SWATCH + widest + 14.0,
        h: entries.len() as f64 * LINE + 4.0,
        fill: Some(style.background),
        stroke: None,
        line_width: 0.0,
    });
    for (i, (label, color, dash)) in entries.into_iter().enumerate() {
        let y = top + (i as f64 + 0.5) * LINE;
        shapes.push(Shape::Line { x1: x, y1: y, x2: x + SWATCH, y2: y, color, width: 2.0, dash });
        shapes.push(Shape::Text {
            x: x + SWATCH + 6.0,
            y,
            text: label,
            size: 11.0,
            bold: false,
            family: style.font.clone(),
            color: style.muted,
            align: Align::Left,
            baseline: Baseline::Middle,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amdahl_and_karp_flatt_agree() {
        assert_eq!(amdahl(0.0, 4.0), 4.0);
        assert_eq!(amdahl(1.0, 4.0), 1.0);
        let f = 0.1;
        let s = amdahl(f, 8.0);
        assert!((serial_fraction(s, 8.0).unwrap() - f).abs() < 1e-12);
        assert_eq!(serial_fraction(1.9, 1.0), None);
    }

    #[test]
    fn the_fit_uses_every_point() {
        // Exact Amdahl points give back their fraction.
        let exact: Vec<(u32, f64)> = (1..=8).map(|p| (p, amdahl(0.2, p as f64))).collect();
        assert!((fit_serial_fraction(&exact).unwrap() - 0.2).abs() < 1e-12);
        // One noisy last point (a speedup above the thread count) no longer sets the curve
        // alone, as a fit through the last point would (its Karp-Flatt fraction is 0).
        let mut noisy: Vec<(u32, f64)> = (1..=3).map(|p| (p, amdahl(0.3, p as f64))).collect();
        noisy.push((4, 4.2));
        assert_eq!(serial_fraction(4.2, 4.0), Some(0.0));
        let f = fit_serial_fraction(&noisy).unwrap();
        assert!(f > 0.05 && f < 0.3, "{f}");
        assert_eq!(fit_serial_fraction(&[(1, 1.0)]), None);
        assert_eq!(fit_serial_fraction(&[]), None);
    }

    #[test]
    fn chart_stays_inside_and_marks_every_point() {
        let points = [(1, 1.0), (2, 1.93), (3, 2.7), (4, 3.4)];
        let shapes = speedup_chart(&points, None, 360.0, 220.0, &Style::light());
        for s in &shapes {
            if let Some([x, y, w, h]) = s.bounds() {
                assert!(x >= -0.5 && y >= -0.5 && x + w <= 360.5 && y + h <= 220.5, "{s:?}");
            }
        }
        let marks = shapes.iter().find_map(|s| match s {
            Shape::Rects { rects, .. } => Some(rects.len()),
            _ => None,
        });
        assert_eq!(marks, Some(4));
        for label in ["Amdahl fit: apparent serial", "measured", "ideal"] {
            assert!(
                shapes.iter().any(|s| matches!(s, Shape::Text { text, .. } if text.starts_with(label))),
                "the key names the {label} line"
            );
        }
    }

    #[test]
    fn with_its_task_count_the_bound_is_the_division_not_s_equals_p() {
        let points = [(1, 1.0), (2, 1.9), (3, 2.5)];
        let dashed = |shapes: &[Shape]| -> Vec<[f64; 4]> {
            shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Line { x1, y1, x2, y2, dash: Some(_), .. } => Some([*x1, *y1, *x2, *y2]),
                    _ => None,
                })
                .collect()
        };
        let ideal = dashed(&speedup_chart(&points, None, 360.0, 220.0, &Style::light()));
        let shapes = speedup_chart(&points, Some(16), 360.0, 220.0, &Style::light());
        let steps = dashed(&shapes);
        // Drawn first, before the key's own dashed sample: one line for S = p, one segment
        // per step (p = 1 to 2, 2 to 3) for the division.
        assert_eq!((ideal.len(), steps.len()), (2, 3), "{ideal:?} {steps:?}");
        // At p = 3, 16 tasks allow 16 / 6 = 2.67×, below S = 3: the line ends lower.
        let (end_ideal, end_bound) = (ideal[0][3], steps[1][3]);
        assert!(end_bound > end_ideal + 1.0, "the bound at p = 3 ({end_bound}) is below S = 3 ({end_ideal})");
        assert!(shapes
            .iter()
            .any(|s| matches!(s, Shape::Text { text, .. } if text.starts_with("best for 16 tasks"))));
    }

    #[test]
    fn the_start_up_chart_draws_three_series_inside() {
        let points: Vec<StartupPoint> =
            (1..=4).map(|n| (n, 200.0, 60.0 + 200.0 / n as f64, 200.0 / n as f64)).collect();
        let shapes = startup_chart(&points, 480.0, 240.0, &Style::light());
        let lines = shapes.iter().filter(|s| matches!(s, Shape::Polyline { .. })).count();
        assert_eq!(lines, 3);
        for s in &shapes {
            if let Shape::Polyline { points, .. } = s {
                assert!(points.iter().all(|[x, y]| (0.0..=480.0).contains(x) && (0.0..=240.0).contains(y)));
            }
        }
        assert!(startup_chart(&[], 10.0, 10.0, &Style::light()).is_empty());
        assert!(!startup_chart(&[], 300.0, 200.0, &Style::light()).is_empty());
    }

    #[test]
    fn a_speedup_above_what_the_threads_allow_is_labelled_noise() {
        assert!(is_noise(2, 3.1, None) && is_noise(3, 2.9, Some(16)), "16 tasks on 3 threads: 2.67 at most");
        assert!(!is_noise(2, 2.05, None) && !is_noise(3, 2.6, Some(16)));
        let noisy = |points: &[(u32, f64)]| {
            speedup_chart(points, Some(8), 360.0, 220.0, &Style::light())
                .iter()
                .filter(|s| matches!(s, Shape::Text { text, .. } if text == "noise"))
                .count()
        };
        assert_eq!(noisy(&[(1, 1.0), (2, 3.1)]), 1);
        assert_eq!(noisy(&[(1, 1.0), (2, 1.9)]), 0);
    }

    #[test]
    fn tiny_or_empty_inputs_do_not_panic() {
        assert!(speedup_chart(&[], None, 360.0, 220.0, &Style::light()).len() > 1);
        assert!(speedup_chart(&[(1, 1.0)], None, 10.0, 10.0, &Style::light()).is_empty());
    }
}
