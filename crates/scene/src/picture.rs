//! The picture the pixels reveal: a procedural sunset over a lake.
//!
//! The post slices a photo across its grid of tiles; we have no photo (and no network), so
//! a deterministic function of (u, v) stands in. It is made of broad, contrasting bands
//! (sky, sun, two mountain ranges, a headland, water) so that even a 4×4 grid shows
//! recognisably different tiles, in colour and in grey.

use crate::shape::Picture;

/// Where the water begins, as a fraction of the height.
const HORIZON: f64 = 0.62;
/// The sun's centre and radius.
const SUN: (f64, f64, f64) = (0.64, 0.5, 0.085);

/// The colour at `(u, v)`, both in `[0, 1]`, `u` rightwards and `v` downwards.
pub fn rgb(u: f64, v: f64) -> [u8; 3] {
    let (u, v) = (u.clamp(0.0, 1.0), v.clamp(0.0, 1.0));
    let c = if v < HORIZON { land_or_sky(u, v) } else { water(u, v) };
    c.map(|x| (x.clamp(0.0, 1.0) * 255.0).round() as u8)
}

/// The luminance at `(u, v)`: what a loaded but not yet rendered pixel shows.
pub fn grey(u: f64, v: f64) -> u8 {
    luminance(rgb(u, v))
}

/// The grey level of a colour.
pub fn luminance(rgb: [u8; 3]) -> u8 {
    let [r, g, b] = rgb.map(f64::from);
    // Rec. 709 weights, applied to the gamma-encoded values: good enough for a stand-in.
    (0.2126 * r + 0.7152 * g + 0.0722 * b).round() as u8
}

/// A `w`×`h` RGBA buffer (row-major, opaque) of a picture, sampled at pixel centres: what
/// the backend uploads once into an offscreen canvas.
pub fn fill_rgba(picture: Picture, w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(w as usize * h as usize * 4);
    for y in 0..h {
        let v = (y as f64 + 0.5) / h as f64;
        for x in 0..w {
            let u = (x as f64 + 0.5) / w as f64;
            let [r, g, b] = match picture {
                Picture::Colour => rgb(u, v),
                Picture::Grey => [grey(u, v); 3],
            };
            out.extend_from_slice(&[r, g, b, 255]);
        }
    }
    out
}

type Rgb = [f64; 3];

fn land_or_sky(u: f64, v: f64) -> Rgb {
    // Nearest layer first: the headland hides the ranges, which hide the sky and the sun.
    if v > headland(u) {
        let shade = (v - headland(u)) * 1.5;
        return mix(hex(0x2a1b3d), hex(0x120c1c), shade);
    }
    if v > near_range(u) {
        let depth = ((v - near_range(u)) / 0.12).min(1.0);
        return mix(hex(0x6b3a6e), hex(0x3d2550), depth);
    }
    if v > far_range(u) {
        // Haze: the far range takes on the glow of the sky behind it.
        return mix(hex(0xb0587a), sky(u, v), 0.35);
    }
    sky(u, v)
}

fn sky(u: f64, v: f64) -> Rgb {
    let base = gradient(
        v / HORIZON,
        &[(0.0, hex(0x1b2a5e)), (0.35, hex(0x5b3a8e)), (0.7, hex(0xe8667a)), (1.0, hex(0xfdba63))],
    );
    let (su, sv, r) = SUN;
    let d = ((u - su).powi(2) + (v - sv).powi(2)).sqrt();
    if d < r {
        // A disc with a slightly warmer rim.
        return mix(hex(0xfff4c2), hex(0xffd27a), (d / r).powi(3));
    }
    let glow = (-(d - r) / 0.09).exp() * 0.7;
    mix(base, hex(0xffcf7d), glow)
}

fn water(u: f64, v: f64) -> Rgb {
    let depth = (v - HORIZON) / (1.0 - HORIZON);
    // Ripples: horizontal bands that wobble sideways, shorter towards the horizon.
    let ripple = (v * 210.0 + (u * 17.0).sin() * 2.5 + (u * 41.0).sin()).sin();
    // The mirror image of the sky, squeezed and darkened, as still water shows it.
    let mirrored = HORIZON - (v - HORIZON) * 1.4;
    let reflection = mix(sky(u, mirrored.max(0.0)), hex(0x0f3b57), 0.35 + 0.5 * depth);
    let mut c = mix(reflection, hex(0x0a2238), 0.2 * (ripple * 0.5 + 0.5));
    // The sun's path on the water: a column that widens towards the viewer.
    let half_width = 0.03 + 0.1 * depth;
    let across = ((u - SUN.0) / half_width).abs();
    if across < 1.0 && ripple > -0.2 {
        let strength = (1.0 - across).powi(2) * (1.0 - 0.6 * depth);
        c = mix(c, hex(0xffd98a), strength);
    }
    c
}

/// Top edge of the far, hazy mountain range.
fn far_range(u: f64) -> f64 {
    0.5 + 0.05 * (u * 9.0 + 1.0).sin() + 0.025 * (u * 23.0 + 2.0).sin()
}

/// Top edge of the nearer range.
fn near_range(u: f64) -> f64 {
    0.56 + 0.035 * (u * 5.0 + 0.5).sin() + 0.015 * (u * 14.0).sin()
}

/// Top edge of the dark headland on the left, which slopes into the water.
fn headland(u: f64) -> f64 {
    0.42 + 1.1 * (u - 0.02).powi(2) + 0.01 * (u * 37.0).sin()
}

fn hex(rgb: u32) -> Rgb {
    [(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff].map(|c| c as f64 / 255.0)
}

fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t)
}

/// Piecewise-linear interpolation through `(position, colour)` stops in increasing order.
fn gradient(x: f64, stops: &[(f64, Rgb)]) -> Rgb {
    let x = x.clamp(stops[0].0, stops[stops.len() - 1].0);
    let i = stops.windows(2).position(|w| x <= w[1].0).unwrap_or(stops.len() - 2);
    let ((x0, a), (x1, b)) = (stops[i], stops[i + 1]);
    mix(a, b, (x - x0) / (x1 - x0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_is_deterministic_and_varied() {
        assert_eq!(rgb(0.3, 0.7), rgb(0.3, 0.7));
        // Sky, sun, headland and water differ visibly.
        let samples = [rgb(0.5, 0.05), rgb(SUN.0, SUN.1), rgb(0.05, 0.6), rgb(0.9, 0.7)];
        for (i, a) in samples.iter().enumerate() {
            for b in &samples[i + 1..] {
                let d: i32 = (0..3).map(|k| (a[k] as i32 - b[k] as i32).abs()).sum();
                assert!(d > 60, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn grey_is_luminance_and_buffers_are_opaque() {
        assert!(grey(SUN.0, SUN.1) > grey(0.5, 0.02), "the sun is brighter than the zenith");
        let buf = fill_rgba(Picture::Grey, 8, 4);
        assert_eq!(buf.len(), 8 * 4 * 4);
        assert!(buf.chunks(4).all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 255));
    }
}
