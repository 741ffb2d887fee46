//! Rectangles painted into pixels, for charts with more bars than a canvas can afford to
//! fill one call at a time.
//!
//! A canvas `fillRect` costs about a microsecond in software-rendered Chromium whatever
//! its size, so 50,000 thin bars take tens of ms; painting them here into a buffer at
//! device resolution and handing the canvas one image costs about a nanosecond per pixel.
//!
//! Edges are anti-aliased the way a canvas fills rectangles: a pixel a rectangle covers
//! in part is blended with its coverage (the covered fraction of its area, in 256ths), so
//! the picture matches the rectangles drawn one by one. The bars of a Gantt row all span
//! the same rows of pixels, so they are composed into one line of pixels first
//! ([`Raster::add_to_line`]), then the line is painted onto each row
//! ([`Raster::paint_line`]): the same but where two bars share a pixel of a partly covered
//! row (a few levels apart there).
//!
//! Pixels are RGBA bytes, premultiplied while painting, read and written as little-endian
//! `u32`s (red in the low byte) so that two channels blend in one multiplication.

use crate::shape::{Color, Rect, Shape};

/// Columns a rectangle covers that [`Raster::add_to_line`] paints without a loop.
const PAD: usize = 4;

/// The largest device pixel ratio rasters are made at: beyond it, buffers grow without
/// any visible gain.
const MAX_RATIO: f64 = 4.0;

/// The device pixel ratio a raster is made at for a layout's `pixel_ratio`: as given, but
/// 1 if it is not a positive number, and at most [`MAX_RATIO`].
pub(crate) fn ratio(pixel_ratio: f64) -> f64 {
    if pixel_ratio.is_finite() && pixel_ratio > 0.0 {
        pixel_ratio.min(MAX_RATIO)
    } else {
        1.0
    }
}

/// An RGBA buffer aligned on the device pixel grid, painted with premultiplied alpha and
/// handed out with straight alpha (see [`Shape::Raster`]).
///
/// Rows start out as the backdrop (the background, then [`Raster::fill_stripes`]), kept
/// once for all of them and copied into a row when it is first painted over: most rows of
/// a chart are painted once, from the backdrop, never from pixels read back.
pub(crate) struct Raster {
    /// The buffer's top-left corner, in device px from the canvas's origin.
    left: f64,
    top: f64,
    width: usize,
    height: usize,
    /// Device px per CSS px.
    ratio: f64,
    /// Premultiplied RGBA, row by row; the rows still `clean` are not written yet.
    pixels: Vec<u8>,
    /// What the clean rows hold: one row of premultiplied RGBA.
    backdrop: Vec<u8>,
    /// Which rows hold the backdrop and nothing else.
    clean: Vec<bool>,
    /// Whether every pixel is opaque (then premultiplied and straight alpha agree).
    opaque: bool,
    /// The bars of a band as they are composed, premultiplied (with [`PAD`] columns more,
    /// left transparent), and the columns they cover so far (none when `lo >= hi`);
    /// transparent outside them.
    line: Vec<u32>,
    lo: usize,
    hi: usize,
    /// Device px × 256 per CSS px, the left edge and the width in device px × 256.
    unit: f64,
    origin: f64,
    limit: f64,
    /// The line over the backdrop, for the clean rows of a band.
    composed: Vec<u8>,
}

/// A colour ready to paint: premultiplied and packed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Paint {
    packed: u32,
    opaque: bool,
}

impl Paint {
    pub fn new(color: Color) -> Self {
        let px = premultiply(color);
        Paint { packed: u32::from_le_bytes(px), opaque: px[3] == 255 }
    }

    fn visible(self) -> bool {
        self.packed != 0
    }

    /// Source-over of this paint at coverage `c` (0 to 256) onto premultiplied `d`.
    #[inline]
    fn over(self, d: u32, c: u32) -> u32 {
        if self.opaque {
            lerp(d, self.packed, c)
        } else {
            over(d, scale(self.packed, c))
        }
    }
}

impl Raster {
    /// A buffer covering `area` (CSS px), widened to whole device pixels at `ratio` device
    /// px per CSS px (an invalid ratio counts as 1), filled with `under` (what the canvas
    /// shows there) or transparent.
    pub fn new(area: Rect, ratio: f64, under: Option<Color>) -> Self {
        let ratio = self::ratio(ratio);
        let edge = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
        let (left, top) = ((edge(area.x) * ratio).floor(), (edge(area.y) * ratio).floor());
        let right = (edge(area.right()) * ratio).ceil().max(left);
        let bottom = (edge(area.bottom()) * ratio).ceil().max(top);
        let (width, height) = ((right - left) as usize, (bottom - top) as usize);
        let fill = under.map_or([0; 4], premultiply);
        Raster {
            left,
            top,
            width,
            height,
            ratio,
            pixels: vec![0; width * height * 4],
            backdrop: fill.repeat(width),
            clean: vec![true; height],
            opaque: fill[3] == 255,
            line: vec![0; width + PAD],
            lo: width,
            hi: 0,
            unit: ratio * 256.0,
            origin: left * 256.0,
            limit: width as f64 * 256.0,
            composed: vec![0; width * 4],
        }
    }

    /// `[v, v + len]` (CSS px) in device px from `origin`, clipped to `0..size`; `None`
    /// when that is empty (or not a number).
    fn span(&self, v: f64, len: f64, origin: f64, size: usize) -> Option<(f64, f64)> {
        let (a, b) = ((v * self.ratio - origin).max(0.0), ((v + len) * self.ratio - origin).min(size as f64));
        (v.is_finite() && len.is_finite() && b > a).then_some((a, b))
    }

    /// The rows `[y, y + h]` (CSS px) covers: the first, the end, and the span in device
    /// px from the top (for [`coverage`]).
    fn rows(&self, y: f64, h: f64) -> (usize, usize, f64, f64) {
        match self.span(y, h, self.top, self.height) {
            Some((y0, y1)) => (y0 as usize, (y1.ceil() as usize).min(self.height), y0, y1),
            None => (0, 0, 0.0, 0.0),
        }
    }

    /// Row `j`, written out first if it was clean.
    fn row_mut(&mut self, j: usize) -> &mut [u8] {
        let row = &mut self.pixels[j * self.width * 4..(j + 1) * self.width * 4];
        if std::mem::take(&mut self.clean[j]) {
            row.copy_from_slice(&self.backdrop);
        }
        row
    }

    /// Paints `[x, y, w, h]` (CSS px) over what is there, clipped to the buffer.
    pub fn fill_rect(&mut self, [x, y, w, h]: [f64; 4], paint: Paint) {
        let Some((x0, x1)) = self.span(x, w, self.left, self.width) else { return };
        if !paint.visible() {
            return;
        }
        let (i0, i1) = (x0 as usize, (x1.ceil() as usize).min(self.width));
        let (first, last) = (coverage(x0, x1, i0), coverage(x0, x1, i1 - 1));
        let (j0, j1, y0, y1) = self.rows(y, h);
        for j in j0..j1 {
            // Coverage is separable: a pixel's share is its column's times its row's.
            let cy = coverage(y0, y1, j);
            let row = &mut self.row_mut(j)[i0 * 4..i1 * 4];
            let n = row.len() / 4;
            for (k, px) in row.chunks_exact_mut(4).enumerate() {
                let cx = if k == 0 {
                    first
                } else if k == n - 1 {
                    last
                } else {
                    256
                };
                store(px, paint.over(load(px), (cx * cy + 128) >> 8));
            }
        }
    }

    /// Adds `[x, x + w]` (CSS px) in `paint` to the line being composed, over what is
    /// already there: the columns of a rectangle, to be painted over rows by
    /// [`Raster::paint_line`].
    ///
    /// Bars of a dense chart are a pixel or two wide, tens of thousands of them: the usual
    /// case takes no branch that depends on the bar's width.
    pub fn add_to_line(&mut self, x: f64, w: f64, paint: Paint) {
        if !(x.is_finite() && w.is_finite() && paint.visible()) {
            return;
        }
        // Fixed point: 256ths of a device pixel from the left edge, clamped to the line
        // (by comparisons: `f64::max` and `min` also sort out NaN, at a cost).
        let (a, b) = ((x * self.unit - self.origin), ((x + w) * self.unit - self.origin));
        let a = (if a > 0.0 { a } else { 0.0 } + 0.5) as u32;
        let b = (if b < self.limit { b } else { self.limit } + 0.5) as u32;
        if b <= a {
            return;
        }
        let (i0, i1) = ((a >> 8) as usize, ((b + 255) >> 8) as usize);
        (self.lo, self.hi) = (self.lo.min(i0), self.hi.max(i1));
        // The first column, the last (nothing more when they are the same), and between
        // them, whole columns.
        let first = b.min((a & !255) + 256) - a;
        let last = b.saturating_sub((((i1 - 1) as u32) << 8).max((a & !255) + 256));
        let line = &mut self.line[i0..i1 + PAD];
        line[0] = paint.over(line[0], first);
        let n = i1 - i0;
        if paint.opaque && n <= PAD {
            for (k, d) in line[..PAD].iter_mut().enumerate().skip(1) {
                *d = if k + 1 < n { paint.packed } else { *d };
            }
        } else {
            line[1..n.max(2) - 1].iter_mut().for_each(|d| *d = paint.over(*d, 256));
        }
        line[n - 1] = paint.over(line[n - 1], last);
    }

    /// The columns the line covers, and a new line started; `None` if it covers none.
    fn take_line(&mut self) -> Option<(usize, usize)> {
        let (lo, hi) = (self.lo, self.hi);
        (self.lo, self.hi) = (self.width, 0);
        (lo < hi).then_some((lo, hi))
    }

    /// Paints rectangles that all span `[y, y + h]` (CSS px), each `(x, w, paint)`, in
    /// order, as a line.
    #[cfg(test)]
    pub fn fill_band(&mut self, y: f64, h: f64, rects: impl IntoIterator<Item = (f64, f64, Paint)>) {
        for (x, w, paint) in rects {
            self.add_to_line(x, w, paint);
        }
        self.paint_line(y, h);
    }

    /// Paints the line composed by [`Raster::add_to_line`] over the rows `[y, y + h]` (CSS
    /// px), and starts a new one.
    pub fn paint_line(&mut self, y: f64, h: f64) {
        let Some((lo, hi)) = self.take_line() else { return };
        let (j0, j1, y0, y1) = self.rows(y, h);
        let Raster { width, pixels, backdrop, clean, line, composed, .. } = self;
        let (line, stride) = (&line[lo..hi], *width * 4);
        let (a, b) = (lo * 4, hi * 4);
        let mut composed_yet = false;
        for j in j0..j1 {
            let c = coverage(y0, y1, j);
            let row = &mut pixels[j * stride..(j + 1) * stride];
            if std::mem::take(&mut clean[j]) {
                // From the backdrop: the line over it, `c` of the way from it.
                if !composed_yet {
                    for ((f, d), &l) in
                        composed[a..b].chunks_exact_mut(4).zip(backdrop[a..b].chunks_exact(4)).zip(line)
                    {
                        store(f, over(load(d), l));
                    }
                    composed_yet = true;
                }
                row[..a].copy_from_slice(&backdrop[..a]);
                row[b..].copy_from_slice(&backdrop[b..]);
                if c == 256 {
                    row[a..b].copy_from_slice(&composed[a..b]);
                } else {
                    let from = backdrop[a..b].chunks_exact(4).zip(composed[a..b].chunks_exact(4));
                    for (px, (d, f)) in row[a..b].chunks_exact_mut(4).zip(from) {
                        store(px, lerp(load(d), load(f), c));
                    }
                }
            } else if c == 256 {
                for (px, &l) in row[a..b].chunks_exact_mut(4).zip(line) {
                    store(px, over(load(px), l));
                }
            } else {
                for (px, &l) in row[a..b].chunks_exact_mut(4).zip(line) {
                    store(px, over(load(px), scale(l, c)));
                }
            }
        }
        self.line[lo..hi].fill(0);
    }

    /// Paints rectangles that all span `[y, y + h]` (CSS px), each `(x, w, paint)`, as a
    /// line (see [`Raster::add_to_line`]), into the backdrop where they cover whole rows:
    /// stripes under everything else, such as grid lines, best painted first.
    pub fn fill_stripes(&mut self, y: f64, h: f64, rects: impl IntoIterator<Item = (f64, f64, Paint)>) {
        for (x, w, paint) in rects {
            self.add_to_line(x, w, paint);
        }
        let Some((lo, hi)) = self.take_line() else { return };
        let (j0, j1, y0, y1) = self.rows(y, h);
        // The rows the stripes do not cover whole keep the backdrop as it was.
        let whole = (j0..j1).filter(|&j| coverage(y0, y1, j) == 256);
        let (first, end) = (whole.clone().min().unwrap_or(0), whole.max().map_or(0, |j| j + 1));
        for j in (0..first).chain(end.max(first)..self.height) {
            self.row_mut(j);
        }
        let Raster { width, pixels, backdrop, clean, line, .. } = self;
        let (line, stride) = (&line[lo..hi], *width * 4);
        for j in j0..j1 {
            let c = coverage(y0, y1, j);
            if !clean[j] {
                let row = &mut pixels[j * stride + lo * 4..j * stride + hi * 4];
                for (px, &l) in row.chunks_exact_mut(4).zip(line) {
                    store(px, over(load(px), scale(l, c)));
                }
            }
        }
        for (d, &l) in backdrop[lo * 4..hi * 4].chunks_exact_mut(4).zip(line) {
            store(d, over(load(d), l));
        }
        self.line[lo..hi].fill(0);
    }

    /// The finished buffer as a shape, with straight alpha; `None` when it has no pixels.
    pub fn into_shape(mut self) -> Option<Shape> {
        if self.width == 0 || self.height == 0 {
            return None;
        }
        for j in 0..self.height {
            self.row_mut(j);
        }
        if !self.opaque {
            for px in self.pixels.chunks_exact_mut(4) {
                let a = px[3] as u32;
                // Premultiplied channels never exceed alpha (see `over`), so a transparent
                // pixel is already 0, 0, 0, 0 and an opaque one is unchanged.
                if a != 0 && a != 255 {
                    for c in &mut px[..3] {
                        *c = ((*c as u32 * 255 + a / 2) / a).min(255) as u8;
                    }
                }
            }
        }
        let r = self.ratio;
        Some(Shape::Raster {
            dest: [self.left / r, self.top / r, self.width as f64 / r, self.height as f64 / r],
            width: self.width as u32,
            height: self.height as u32,
            pixels: self.pixels,
            opaque: self.opaque,
        })
    }
}

/// How much of pixel `k` the span `[a, b]` covers, in 256ths.
#[inline]
fn coverage(a: f64, b: f64, k: usize) -> u32 {
    let c = b.min(k as f64 + 1.0) - a.max(k as f64);
    (c * 256.0 + 0.5) as u32
}

/// A colour premultiplied by its alpha, on the 0–255 scale.
fn premultiply(color: Color) -> [u8; 4] {
    let a = if color.a.is_nan() { 0.0 } else { color.a.clamp(0.0, 1.0) };
    let ch = |c: u8| (c as f64 * a + 0.5) as u8;
    [ch(color.r), ch(color.g), ch(color.b), (255.0 * a + 0.5) as u8]
}

#[inline]
fn load(px: &[u8]) -> u32 {
    // One 4-byte load: from separate bytes, LLVM loads each byte on its own.
    u32::from_le_bytes(px[..4].try_into().expect("a pixel"))
}

#[inline]
fn store(px: &mut [u8], v: u32) {
    px.copy_from_slice(&v.to_le_bytes());
}

// Pixel arithmetic, two channels at a time: `& LOW` keeps red and blue (or, shifted,
// green and alpha) in two 16-bit lanes, where products of bytes never carry over.
const LOW: u32 = 0x00ff_00ff;
const HALF: u32 = 0x0080_0080;

/// `d + (s − d) × c / 256` in each byte, rounded: source-over of an opaque colour at
/// coverage `c` (0 to 256), whatever the destination's alpha.
#[inline]
fn lerp(d: u32, s: u32, c: u32) -> u32 {
    let k = 256 - c;
    let rb = ((s & LOW) * c + (d & LOW) * k + HALF) >> 8 & LOW;
    let ga = ((s >> 8 & LOW) * c + (d >> 8 & LOW) * k + HALF) >> 8 & LOW;
    rb | ga << 8
}

/// Each byte × `c` / 256 (`c` from 0 to 256), rounded down.
#[inline]
fn scale(p: u32, c: u32) -> u32 {
    ((((p & LOW) * c) >> 8) & LOW) | ((((p >> 8) & LOW) * c) & !LOW)
}

/// Premultiplied source-over: `s + d × (255 − s_alpha) / 255` in each byte, the quotient
/// approximated as `d × (256 − s_alpha) / 256` rounded down (under a level off; exact
/// when `s` is opaque or transparent).
///
/// For `d` ≤ 255 the second term is at most `255 − s_alpha`, and exactly that for 255: no
/// byte of the sum exceeds 255 (nor carries into the next), an opaque pixel stays opaque,
/// and since no channel of either term exceeds its alpha, neither does the sum's.
#[inline]
fn over(d: u32, s: u32) -> u32 {
    let k = 256 - (s >> 24);
    s + (((((d & LOW) * k) >> 8) & LOW) | ((((d >> 8) & LOW) * k) & !LOW))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: Color = Color::hex(0xff0000);
    const NONE: Option<Color> = None;

    fn pixel(r: &Raster, i: usize, j: usize) -> [u8; 4] {
        let k = if r.clean[j] { i * 4 } else { (j * r.width + i) * 4 };
        (if r.clean[j] { &r.backdrop } else { &r.pixels })[k..k + 4].try_into().unwrap()
    }

    fn paint(c: Color) -> Paint {
        Paint::new(c)
    }

    #[test]
    fn snaps_outwards_to_device_pixels() {
        let r = Raster::new(Rect { x: 10.3, y: 5.0, w: 20.0, h: 10.25 }, 2.0, NONE);
        assert_eq!((r.left, r.top, r.width, r.height), (20.0, 10.0, 41, 21));
        let Some(Shape::Raster { dest, width, height, pixels, opaque }) = r.into_shape() else { panic!() };
        assert_eq!(dest, [10.0, 5.0, 20.5, 10.5]);
        assert_eq!((width, height, pixels.len(), opaque), (41, 21, 41 * 21 * 4, false));
        assert!(Raster::new(Rect { x: 3.0, y: 3.0, w: 0.0, h: 5.0 }, 1.0, NONE).into_shape().is_none());
    }

    #[test]
    fn partly_covered_pixels_are_blended_by_coverage() {
        let mut r = Raster::new(Rect { x: 0.0, y: 0.0, w: 4.0, h: 2.0 }, 1.0, NONE);
        r.fill_rect([0.5, 0.0, 2.0, 1.0], paint(RED));
        assert_eq!(pixel(&r, 0, 0), [128, 0, 0, 128], "half covered: half alpha (premultiplied)");
        assert_eq!(pixel(&r, 1, 0), [255, 0, 0, 255]);
        assert_eq!(pixel(&r, 2, 0), [128, 0, 0, 128]);
        assert_eq!(pixel(&r, 3, 0), [0, 0, 0, 0]);
        assert_eq!(pixel(&r, 1, 1), [0, 0, 0, 0]);
        // Blue over the half-red pixel, half covered.
        r.fill_rect([0.0, 0.0, 0.5, 1.0], paint(Color::hex(0x0000ff)));
        assert_eq!(pixel(&r, 0, 0), [64, 0, 128, 192], "128 × ½ red, 128 blue");
        let Some(Shape::Raster { pixels, .. }) = r.into_shape() else { panic!() };
        assert_eq!(&pixels[..4], &[85, 0, 170, 192], "straight alpha out");
        assert_eq!(&pixels[4..8], &[255, 0, 0, 255]);
    }

    #[test]
    fn paints_over_what_lies_under() {
        let white = Color::hex(0xffffff);
        let mut r = Raster::new(Rect { x: 0.0, y: 0.0, w: 3.0, h: 3.0 }, 1.0, Some(white));
        r.fill_rect([0.0, 0.25, 3.0, 2.5], paint(RED));
        assert_eq!(pixel(&r, 1, 1), [255, 0, 0, 255]);
        assert_eq!(pixel(&r, 1, 0), [255, 64, 64, 255], "three quarters red over white");
        assert_eq!(pixel(&r, 0, 2), [255, 64, 64, 255]);
        let Some(Shape::Raster { pixels, opaque, .. }) = r.into_shape() else { panic!() };
        assert!(opaque && pixels.chunks(4).all(|p| p[3] == 255));
    }

    #[test]
    fn thin_rectangles_and_translucent_colours() {
        let mut r = Raster::new(Rect { x: 0.0, y: 0.0, w: 2.0, h: 1.0 }, 1.0, NONE);
        r.fill_rect([0.25, 0.0, 0.5, 1.0], paint(RED.with_alpha(0.5)));
        assert_eq!(pixel(&r, 0, 0), [64, 0, 0, 64]);
        r.fill_rect([0.25, 0.0, 0.5, 1.0], paint(RED));
        assert_eq!(pixel(&r, 0, 0), [160, 0, 0, 160], "½ red over ¼ red");
        // Outside the buffer or degenerate: nothing.
        r.fill_rect([-5.0, 0.0, 2.0, 1.0], paint(RED));
        r.fill_rect([1.0, 0.0, f64::NAN, 1.0], paint(RED));
        r.fill_rect([1.0, 0.0, 1.0, 1.0], paint(RED.with_alpha(0.0)));
        r.fill_band(0.0, 1.0, [(1.0, f64::INFINITY, paint(RED)), (1.0, 1.0, paint(RED.with_alpha(0.0)))]);
        assert_eq!(pixel(&r, 1, 0), [0, 0, 0, 0]);
    }

    #[test]
    fn a_band_is_its_rectangles() {
        // Bars meeting on pixel boundaries, in a band covering a row and a half, over grid
        // lines that miss the top row.
        let bars = [(0.0, 2.0, RED), (2.0, 3.0, Color::hex(0x00ff00)), (5.0, 0.5, RED.with_alpha(0.5))];
        let lines = [(0.75, 1.0, Color::hex(0x808080)), (3.5, 0.5, Color::hex(0x0000ff).with_alpha(0.5))];
        for under in [None, Some(Color::hex(0xffffff))] {
            let area = Rect { x: 0.0, y: 0.0, w: 6.0, h: 3.0 };
            let (mut one, mut band) = (Raster::new(area, 2.0, under), Raster::new(area, 2.0, under));
            for (x, w, c) in lines {
                one.fill_rect([x, 0.4, w, 2.6], paint(c));
            }
            band.fill_stripes(0.4, 2.6, lines.map(|(x, w, c)| (x, w, paint(c))));
            for (x, w, c) in bars {
                one.fill_rect([x, 0.25, w, 0.75], paint(c));
            }
            band.fill_band(0.25, 0.75, bars.map(|(x, w, c)| (x, w, paint(c))));
            assert!(band.line.iter().all(|&p| p == 0), "the line is left transparent");
            assert_eq!(band.clean.iter().filter(|c| **c).count(), 4, "rows under the stripes only");
            let pixels = |r: Raster| match r.into_shape() {
                Some(Shape::Raster { pixels, .. }) => pixels,
                _ => panic!(),
            };
            let (one, band) = (pixels(one), pixels(band));
            // Rounded differently: a level or two apart at most.
            let apart = one.iter().zip(&band).map(|(a, b)| a.abs_diff(*b)).max();
            assert!(apart <= Some(2), "under {under:?}: {apart:?}\n{one:?}\n{band:?}");
        }
    }

    #[test]
    fn pixel_arithmetic_rounds_and_never_overflows() {
        for a in [0u32, 1, 77, 128, 254, 255] {
            for c in [0u32, 1, 100, 255] {
                let c = c.min(a);
                let p = c | c << 8 | c << 16 | a << 24;
                for k in [0, 1, 128, 255, 256] {
                    let s = scale(p, k);
                    assert_eq!(s >> 24, (a * k) >> 8);
                    assert!(s & 0xff <= s >> 24);
                }
                let white = u32::MAX;
                let o = over(white, p);
                assert_eq!(o >> 24, 255, "over opaque stays opaque");
                assert_eq!(o & 0xff, c + ((255 * (255 - a)) as f64 / 255.0).round() as u32);
                let o = over(p, p);
                assert!(o & 0xff <= o >> 24 && o >> 24 <= 255);
            }
        }
    }
}
