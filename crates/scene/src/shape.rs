//! The display list: the few shapes a frame is made of, in CSS pixels.
//!
//! Shapes are plain data so that frames can be compared, tested and replayed; the canvas
//! backend (`cvp-web`) executes them in order. Batched variants ([`Shape::Rects`],
//! [`Shape::Outlines`]) exist because a 64×64 grid or a Gantt chart of 256 lanes is
//! thousands of rectangles in a handful of colours: one path and one fill per colour is
//! what keeps a frame cheap. Beyond a few thousand rectangles even that is too slow for
//! a canvas, and the Gantt chart arrives as one [`Shape::Raster`] of its bars instead.

use std::sync::Arc;

/// A colour with straight (not premultiplied) alpha.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Color {
    /// Red, 0 to 255.
    pub r: u8,
    /// Green, 0 to 255.
    pub g: u8,
    /// Blue, 0 to 255.
    pub b: u8,
    /// Opacity, 0 (transparent) to 1 (opaque).
    pub a: f64,
}

impl Color {
    /// An opaque colour from a `0xRRGGBB` literal, as palettes are usually written.
    pub const fn hex(rgb: u32) -> Self {
        Color { r: (rgb >> 16) as u8, g: (rgb >> 8) as u8, b: rgb as u8, a: 1.0 }
    }

    /// The same colour with another opacity.
    pub const fn with_alpha(self, a: f64) -> Self {
        Color { a, ..self }
    }

    /// The CSS form: `#rrggbb` when opaque, `rgba(r,g,b,a)` otherwise.
    pub fn css(&self) -> String {
        if self.a >= 1.0 {
            format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
        } else {
            // Three decimals are finer than an 8-bit alpha channel can show.
            let a = (self.a.max(0.0) * 1000.0).round() / 1000.0;
            format!("rgba({},{},{},{a})", self.r, self.g, self.b)
        }
    }
}

/// Which of the two procedural pictures an [`Shape::Image`] samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Picture {
    /// The full-colour picture (a rendered pixel).
    Colour,
    /// Its luminance (a loaded but not yet rendered pixel).
    Grey,
}

/// Horizontal anchoring of a text's `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// `x` is the left edge.
    Left,
    /// `x` is the centre.
    Center,
    /// `x` is the right edge.
    Right,
}

impl Align {
    /// The canvas `textAlign` keyword.
    pub fn css(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// Vertical anchoring of a text's `y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    /// `y` is the top of the em box.
    Top,
    /// `y` is the middle of the em box.
    Middle,
    /// `y` is the alphabetic baseline.
    Alphabetic,
    /// `y` is the bottom of the em box.
    Bottom,
}

impl Baseline {
    /// The canvas `textBaseline` keyword.
    pub fn css(self) -> &'static str {
        match self {
            Baseline::Top => "top",
            Baseline::Middle => "middle",
            Baseline::Alphabetic => "alphabetic",
            Baseline::Bottom => "bottom",
        }
    }
}

/// One drawing instruction. Coordinates are CSS pixels from the canvas's top-left corner;
/// rectangles in batches are `[x, y, w, h]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// One rectangle, filled and/or stroked (the stroke is centred on the edge).
    Rect {
        /// Left edge.
        x: f64,
        /// Top edge.
        y: f64,
        /// Width.
        w: f64,
        /// Height.
        h: f64,
        /// Fill colour, if filled.
        fill: Option<Color>,
        /// Stroke colour, if stroked.
        stroke: Option<Color>,
        /// Stroke width.
        line_width: f64,
    },
    /// Many rectangles of one colour: one path, one fill.
    Rects {
        /// The colour of all of them.
        fill: Color,
        /// `[x, y, w, h]` each.
        rects: Vec<[f64; 4]>,
    },
    /// Many rectangle outlines of one colour: one path, one stroke.
    Outlines {
        /// The colour of all of them.
        stroke: Color,
        /// Stroke width.
        line_width: f64,
        /// `[x, y, w, h]` each.
        rects: Vec<[f64; 4]>,
    },
    /// A straight line, solid or dashed.
    Line {
        /// Start x.
        x1: f64,
        /// Start y.
        y1: f64,
        /// End x.
        x2: f64,
        /// End y.
        y2: f64,
        /// Colour.
        color: Color,
        /// Width.
        width: f64,
        /// `[on, off]` dash lengths, or `None` for a solid line.
        dash: Option<[f64; 2]>,
    },
    /// An open polyline.
    Polyline {
        /// `[x, y]` vertices in order.
        points: Vec<[f64; 2]>,
        /// Colour.
        color: Color,
        /// Width.
        width: f64,
    },
    /// One line of text.
    Text {
        /// Anchor x (see `align`).
        x: f64,
        /// Anchor y (see `baseline`).
        y: f64,
        /// The text.
        text: String,
        /// Font size in CSS px.
        size: f64,
        /// Bold or regular.
        bold: bool,
        /// CSS font family list, shared by every text of a frame.
        family: Arc<str>,
        /// Colour.
        color: Color,
        /// What `x` anchors.
        align: Align,
        /// What `y` anchors.
        baseline: Baseline,
    },
    /// A piece of one of the pictures, scaled into a rectangle.
    Image {
        /// Which picture.
        src: Picture,
        /// `[u, v, w, h]`: the source rectangle in normalised picture coordinates (0 to 1).
        source: [f64; 4],
        /// `[x, y, w, h]`: where it lands, in CSS px.
        dest: [f64; 4],
        /// Opacity, 0 to 1.
        alpha: f64,
    },
    /// Pixels painted by the renderer, at device resolution, drawn over what is there
    /// (source-over, like the rectangles they replace).
    ///
    /// `dest` lies on the device pixel grid of the [`Layout::pixel_ratio`](crate::Layout)
    /// the frame was drawn for, and `width`×`height` = `dest`'s size × that ratio, so
    /// drawing it at that ratio maps one pixel to one device pixel, with no resampling.
    Raster {
        /// `[x, y, w, h]`: where it lands, in CSS px.
        dest: [f64; 4],
        /// Columns, in device px.
        width: u32,
        /// Rows, in device px.
        height: u32,
        /// `width × height × 4` bytes: R, G, B, A row by row from the top-left, with
        /// straight (not premultiplied) alpha, as `ImageData` takes them. Where nothing was
        /// painted, all four are 0.
        pixels: Vec<u8>,
        /// Every pixel is opaque (the renderer painted what lies under the raster into it):
        /// drawing it is the same as replacing the pixels under `dest`.
        opaque: bool,
    },
}

impl Shape {
    /// The rectangle `[x, y, w, h]` the shape may paint, strokes included; text is
    /// estimated with [`text_width`]. `None` for empty batches.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        match self {
            Shape::Rect { x, y, w, h, stroke, line_width, .. } => {
                let s = if stroke.is_some() { line_width / 2.0 } else { 0.0 };
                Some([x - s, y - s, w + 2.0 * s, h + 2.0 * s])
            }
            Shape::Rects { rects, .. } => union(rects.iter().copied()),
            Shape::Outlines { rects, line_width, .. } => {
                let s = line_width / 2.0;
                union(rects.iter().map(|[x, y, w, h]| [x - s, y - s, w + 2.0 * s, h + 2.0 * s]))
            }
            Shape::Line { x1, y1, x2, y2, width, .. } => {
                let s = width / 2.0;
                Some([x1.min(*x2) - s, y1.min(*y2) - s, (x2 - x1).abs() + 2.0 * s, (y2 - y1).abs() + 2.0 * s])
            }
            Shape::Polyline { points, width, .. } => {
                let s = width / 2.0;
                union(points.iter().map(|[x, y]| [x - s, y - s, 2.0 * s, 2.0 * s]))
            }
            Shape::Text { x, y, text, size, bold, align, baseline, .. } => {
                let w = text_width(text, *size, *bold);
                let left = match align {
                    Align::Left => *x,
                    Align::Center => x - w / 2.0,
                    Align::Right => x - w,
                };
                // The em box; descenders of an alphabetic baseline hang ~0.25 em below it.
                let top = match baseline {
                    Baseline::Top => *y,
                    Baseline::Middle => y - size / 2.0,
                    Baseline::Alphabetic => y - size * 0.8,
                    Baseline::Bottom => y - size,
                };
                Some([left, top, w, *size])
            }
            Shape::Image { dest, .. } | Shape::Raster { dest, .. } => Some(*dest),
        }
    }
}

fn union(rects: impl Iterator<Item = [f64; 4]>) -> Option<[f64; 4]> {
    rects
        .map(|[x, y, w, h]| [x, y, x + w, y + h])
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
        .map(|[x0, y0, x1, y1]| [x0, y0, x1 - x0, y1 - y0])
}

/// An estimate of a text's width in CSS px, for layout and truncation without a canvas.
///
/// It errs wide (system-ui averages ~0.52 em per character for lowercase and digits), so
/// text laid out with it fits wherever the real font is used.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size * weight(bold)
}

fn char_em(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '·' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '/' => 0.4,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.85,
        '…' => 0.9,
        c if c.is_ascii_uppercase() => 0.68,
        _ => 0.56,
    }
}

fn weight(bold: bool) -> f64 {
    if bold {
        1.06
    } else {
        1.0
    }
}

/// `text`, cut with an ellipsis so that it fits in `max_width` px (possibly to nothing).
pub fn truncate(text: &str, size: f64, bold: bool, max_width: f64) -> String {
    if text_width(text, size, bold) <= max_width {
        return text.to_owned();
    }
    let px = |c: char| char_em(c) * size * weight(bold);
    let budget = max_width - px('…');
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        if width + px(c) > budget {
            break;
        }
        width += px(c);
        out.push(c);
    }
    if !out.is_empty() {
        out.push('…');
    }
    out
}

/// An axis-aligned rectangle in CSS px.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// `x + w`.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// `y + h`.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// `[x, y, w, h]`, the form batched shapes use.
    pub fn to_array(self) -> [f64; 4] {
        [self.x, self.y, self.w, self.h]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_colours() {
        assert_eq!(Color::hex(0x4e79a7).css(), "#4e79a7");
        assert_eq!(Color::hex(0x000000).with_alpha(0.7).css(), "rgba(0,0,0,0.7)");
    }

    #[test]
    fn truncation_fits_and_keeps_short_text() {
        assert_eq!(truncate("main", 12.0, false, 100.0), "main");
        let cut = truncate("coroutine 1234", 12.0, false, 40.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut, 12.0, false) <= 40.0);
        assert_eq!(truncate("coroutine", 12.0, false, 2.0), "");
    }
}
