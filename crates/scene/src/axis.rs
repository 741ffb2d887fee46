//! "Nice" ticks for the time axis, as D3's `ticks()` chooses them: steps of 1, 2 or 5
//! times a power of ten, labelled in ms below a second and in seconds above.

/// A step of 1, 2 or 5 × 10^k close to `span / count`.
pub fn nice_step(span: f64, count: usize) -> f64 {
    let raw = span / count.max(1) as f64;
    if !(raw > 0.0 && raw.is_finite()) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    // D3's thresholds: the geometric means of neighbouring nice numbers.
    let nice = if norm >= 50f64.sqrt() {
        10.0
    } else if norm >= 10f64.sqrt() {
        5.0
    } else if norm >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    nice * magnitude
}

/// Tick positions from 0 to `max` inclusive, about `count` of them, and their step.
pub fn ticks(max: f64, count: usize) -> (Vec<f64>, f64) {
    let step = nice_step(max, count);
    let n = (max / step + 1e-9).floor() as usize;
    ((0..=n).map(|i| i as f64 * step).collect(), step)
}

/// A tick label: seconds when the axis reaches a second, else ms, with as many decimals as
/// the step needs.
pub fn tick_label(ms: f64, step: f64, max: f64) -> String {
    let (value, step, unit) =
        if max >= 1000.0 { (ms / 1000.0, step / 1000.0, "s") } else { (ms, step, "ms") };
    let decimals = if step >= 1.0 { 0 } else { (-step.log10()).ceil() as usize };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice() {
        assert_eq!(ticks(20_000.0, 5), (vec![0.0, 5000.0, 10_000.0, 15_000.0, 20_000.0], 5000.0));
        assert_eq!(ticks(7.0, 4).1, 2.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(tick_label(2500.0, 500.0, 20_000.0), "2.5 s");
        assert_eq!(tick_label(200.0, 100.0, 850.0), "200 ms");
        assert_eq!(tick_label(0.5, 0.5, 3.0), "0.5 ms");
    }
}
