//! The canvas backend: executes the renderer's shapes on a 2D canvas.
//!
//! Shapes arrive in CSS pixels; the backing store is `css × devicePixelRatio` with a
//! matching transform, so frames are sharp on HiDPI screens. The context's styles are
//! cached so that a frame of thousands of shapes in a dozen colours sets each style only
//! when it changes (parsing a CSS colour or font string is the expensive part of a call).
//!
//! A [`Shape::Raster`] (a chart of thousands of bars, painted by the renderer) goes through
//! an offscreen canvas kept from frame to frame, so that the context's transform applies
//! to it like to any other shape.

use cvp_scene::{picture, text_width, Align, Baseline, Color, Picture, Shape};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Side in px of the offscreen pictures: enough for a grid of about 500 CSS px at a
/// devicePixelRatio of 1, still smooth at 2 because the picture is made of gradients.
pub const PICTURE_SIDE: u32 = 512;

/// The colour and grey pictures, drawn once into offscreen canvases that every [`Canvas`]
/// of the page samples from.
pub struct Pictures {
    colour: HtmlCanvasElement,
    grey: HtmlCanvasElement,
    side: u32,
}

impl Pictures {
    /// Computes both pictures at `side`×`side` px.
    pub fn new(side: u32) -> Result<Self, JsValue> {
        let colour = picture::fill_rgba(Picture::Colour, side, side);
        let grey: Vec<u8> = colour
            .chunks_exact(4)
            .flat_map(|p| {
                let l = picture::luminance([p[0], p[1], p[2]]);
                [l, l, l, 255]
            })
            .collect();
        Ok(Pictures { colour: offscreen(&colour, side)?, grey: offscreen(&grey, side)?, side })
    }

    /// The pictures at [`PICTURE_SIDE`], computed on first use and shared afterwards
    /// (computing them takes a few tens of ms).
    pub fn shared() -> Result<Rc<Pictures>, JsValue> {
        thread_local! {
            static SHARED: RefCell<Option<Rc<Pictures>>> = const { RefCell::new(None) };
        }
        SHARED.with(|shared| {
            if let Some(p) = shared.borrow().as_ref() {
                return Ok(p.clone());
            }
            let p = Rc::new(Pictures::new(PICTURE_SIDE)?);
            *shared.borrow_mut() = Some(p.clone());
            Ok(p)
        })
    }

    fn get(&self, which: Picture) -> &HtmlCanvasElement {
        match which {
            Picture::Colour => &self.colour,
            Picture::Grey => &self.grey,
        }
    }
}

/// A detached canvas holding an RGBA buffer of `side`×`side` px.
fn offscreen(rgba: &[u8], side: u32) -> Result<HtmlCanvasElement, JsValue> {
    let canvas: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
    canvas.set_width(side);
    canvas.set_height(side);
    // The module's memory is shared (threads), and ImageData refuses views of shared
    // memory: copy the pixels into an unshared JavaScript array first.
    let pixels = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
    pixels.copy_from(rgba);
    let data = ImageData::new_with_js_u8_clamped_array_and_sh(&pixels, side, side)?;
    context_2d(&canvas)?.put_image_data(&data, 0.0, 0.0)?;
    Ok(canvas)
}

fn document() -> Result<web_sys::Document, JsValue> {
    web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsValue::from_str("no document"))
}

fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(JsValue::from)
}

/// A canvas element and what is needed to paint frames on it.
pub struct Canvas {
    element: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    pictures: Rc<Pictures>,
    /// CSS width, CSS height, devicePixelRatio.
    size: Cell<(f64, f64, f64)>,
    styles: RefCell<Styles>,
    /// For rasters; made on the first one.
    raster: RefCell<Option<RasterTarget>>,
}

/// What rasters go through, kept from frame to frame.
struct RasterTarget {
    /// Unshared memory the pixels are copied to (see [`offscreen`]), grown when a raster
    /// needs more and viewed at each raster's size.
    buffer: js_sys::Uint8ClampedArray,
    /// Where rasters are put before being drawn, for opaque rasters and others: each made
    /// on the first raster that needs it, and grown when one needs more (resizing a
    /// canvas reallocates it).
    canvases: [Option<(HtmlCanvasElement, CanvasRenderingContext2d)>; 2],
}

/// The context's styles as last set; `None` when unknown.
#[derive(Default)]
struct Styles {
    fill: Option<Color>,
    stroke: Option<Color>,
    line_width: Option<f64>,
    alpha: Option<f64>,
    dash: Option<Option<[f64; 2]>>,
    font: Option<(f64, bool, Arc<str>)>,
    align: Option<Align>,
    baseline: Option<Baseline>,
}

impl Canvas {
    /// Paints on `element`, sampling the page's shared pictures. The element's displayed
    /// size is up to CSS; call [`Canvas::resize`] with it before painting.
    pub fn new(element: HtmlCanvasElement) -> Result<Self, JsValue> {
        Canvas::with_pictures(element, Pictures::shared()?)
    }

    /// Paints on `element`, sampling the given pictures.
    pub fn with_pictures(element: HtmlCanvasElement, pictures: Rc<Pictures>) -> Result<Self, JsValue> {
        let ctx = context_2d(&element)?;
        let (w, h) = (element.width() as f64, element.height() as f64);
        Ok(Canvas {
            element,
            ctx,
            pictures,
            size: Cell::new((w, h, 1.0)),
            styles: RefCell::default(),
            raster: RefCell::default(),
        })
    }

    /// The canvas element.
    pub fn element(&self) -> &HtmlCanvasElement {
        &self.element
    }

    /// Its 2D context (tests read pixels back through it).
    pub fn context(&self) -> &CanvasRenderingContext2d {
        &self.ctx
    }

    /// CSS width and height, as last given to [`Canvas::resize`].
    pub fn css_size(&self) -> (f64, f64) {
        let (w, h, _) = self.size.get();
        (w, h)
    }

    /// Sizes the backing store to `css × dpr` device pixels and scales the context so that
    /// shapes stay in CSS pixels. Does nothing when nothing changed, since resizing a
    /// canvas clears it.
    pub fn resize(&self, css_w: f64, css_h: f64, dpr: f64) -> Result<(), JsValue> {
        let dpr = if dpr.is_finite() && dpr > 0.0 { dpr } else { 1.0 };
        let (css_w, css_h) = (css_w.max(0.0), css_h.max(0.0));
        let (w, h) = ((css_w * dpr).round() as u32, (css_h * dpr).round() as u32);
        if self.size.get() == (css_w, css_h, dpr) && self.element.width() == w && self.element.height() == h {
            return Ok(());
        }
        self.element.set_width(w);
        self.element.set_height(h);
        // Setting the size reset the context, transform and styles included.
        self.ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)?;
        self.size.set((css_w, css_h, dpr));
        Ok(())
    }

    /// Clears the canvas and paints `shapes` in order.
    pub fn paint(&self, shapes: &[Shape]) -> Result<(), JsValue> {
        // Anyone may have touched the context since the last frame: trust no cache.
        *self.styles.borrow_mut() = Styles::default();
        self.ctx.set_line_join("round");
        let (w, h) = self.css_size();
        self.ctx.clear_rect(0.0, 0.0, w, h);
        for shape in shapes {
            self.shape(shape)?;
        }
        Ok(())
    }

    fn shape(&self, shape: &Shape) -> Result<(), JsValue> {
        let ctx = &self.ctx;
        self.alpha(if let Shape::Image { alpha, .. } = shape { *alpha } else { 1.0 });
        match shape {
            Shape::Rect { x, y, w, h, fill, stroke, line_width } => {
                if let Some(fill) = fill {
                    self.fill(*fill);
                    ctx.fill_rect(*x, *y, *w, *h);
                }
                if let Some(stroke) = stroke {
                    self.stroke(*stroke, *line_width, None)?;
                    ctx.stroke_rect(*x, *y, *w, *h);
                }
            }
            // One style per batch, then the rectangle calls, which canvases fast-path:
            // measured in Chromium, `fillRect` × 8,000 took half the time of one path of
            // 8,000 `rect()`s and a `fill()`, and `strokeRect` a third of a stroked path.
            Shape::Rects { fill, rects } => {
                self.fill(*fill);
                for [x, y, w, h] in rects {
                    ctx.fill_rect(*x, *y, *w, *h);
                }
            }
            Shape::Outlines { stroke, line_width, rects } => {
                self.stroke(*stroke, *line_width, None)?;
                for [x, y, w, h] in rects {
                    ctx.stroke_rect(*x, *y, *w, *h);
                }
            }
            Shape::Line { x1, y1, x2, y2, color, width, dash } => {
                self.stroke(*color, *width, *dash)?;
                ctx.begin_path();
                ctx.move_to(*x1, *y1);
                ctx.line_to(*x2, *y2);
                ctx.stroke();
            }
            Shape::Polyline { points, color, width } => {
                let Some(([x, y], rest)) = points.split_first() else { return Ok(()) };
                self.stroke(*color, *width, None)?;
                ctx.begin_path();
                ctx.move_to(*x, *y);
                for [x, y] in rest {
                    ctx.line_to(*x, *y);
                }
                ctx.stroke();
            }
            Shape::Text { x, y, text, size, bold, family, color, align, baseline } => {
                self.font(*size, *bold, family, *align, *baseline);
                self.fill(*color);
                // The renderer laid the text out at its estimated width: a font wider than
                // the estimate is squeezed to it rather than run into its neighbours (a
                // panel's title into its clock).
                ctx.fill_text_with_max_width(text, *x, *y, text_width(text, *size, *bold))?;
            }
            Shape::Image { src, source: [u, v, sw, sh], dest: [x, y, w, h], .. } => {
                let side = self.pictures.side as f64;
                // Clamped to the picture: browsers disagree on source rects that overhang it.
                let (u, v) = (u.clamp(0.0, 1.0), v.clamp(0.0, 1.0));
                let (sw, sh) = (sw.min(1.0 - u), sh.min(1.0 - v));
                if sw > 0.0 && sh > 0.0 && *w > 0.0 && *h > 0.0 {
                    ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                        self.pictures.get(*src),
                        u * side,
                        v * side,
                        sw * side,
                        sh * side,
                        *x,
                        *y,
                        *w,
                        *h,
                    )?;
                }
            }
            Shape::Raster { dest, width, height, pixels, opaque } => {
                self.raster(*dest, *width, *height, pixels, *opaque)?
            }
        }
        Ok(())
    }

    /// Draws a raster into `dest` (CSS px): puts its pixels on an offscreen canvas, then
    /// draws that through the context's transform, one pixel per device pixel when the
    /// raster was made at the canvas's pixel ratio.
    ///
    /// Opaque rasters go through a canvas without alpha, which Chromium draws several times
    /// faster (0.2 ms rather than 0.5 ms for 311×783 px in software). Putting the pixels on
    /// this canvas directly would be faster still for a lone frame, but `putImageData`
    /// makes the canvas paint everything drawn before it there and then.
    fn raster(
        &self,
        dest: [f64; 4],
        width: u32,
        height: u32,
        pixels: &[u8],
        opaque: bool,
    ) -> Result<(), JsValue> {
        if width == 0 || height == 0 || pixels.len() != width as usize * height as usize * 4 {
            return Ok(());
        }
        let mut slot = self.raster.borrow_mut();
        let target = slot.get_or_insert_with(|| RasterTarget {
            buffer: js_sys::Uint8ClampedArray::new_with_length(0),
            canvases: [None, None],
        });
        let len = pixels.len() as u32;
        if target.buffer.length() < len {
            target.buffer = js_sys::Uint8ClampedArray::new_with_length(len);
        }
        let view = target.buffer.subarray(0, len);
        view.copy_from(pixels);
        let image = ImageData::new_with_js_u8_clamped_array_and_sh(&view, width, height)?;

        let canvas = &mut target.canvases[opaque as usize];
        if canvas.is_none() {
            let element: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
            let options = js_sys::Object::new();
            js_sys::Reflect::set(&options, &"alpha".into(), &JsValue::from_bool(!opaque))?;
            let ctx = element
                .get_context_with_context_options("2d", &options)?
                .ok_or_else(|| JsValue::from_str("no 2d context"))?
                .dyn_into::<CanvasRenderingContext2d>()?;
            *canvas = Some((element, ctx));
        }
        let (canvas, ctx) = canvas.as_ref().expect("made above");
        if canvas.width() < width || canvas.height() < height {
            canvas.set_width(canvas.width().max(width));
            canvas.set_height(canvas.height().max(height));
        }
        ctx.put_image_data(&image, 0.0, 0.0)?;
        // Nearest neighbour: at the raster's own ratio this is a plain copy, and bars stay
        // sharp-edged if the ratio changed since the frame was drawn.
        self.ctx.set_image_smoothing_enabled(false);
        let [x, y, w, h] = dest;
        let (sw, sh) = (width as f64, height as f64);
        let drawn = self.ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            canvas, 0.0, 0.0, sw, sh, x, y, w, h,
        );
        self.ctx.set_image_smoothing_enabled(true);
        drawn
    }

    fn alpha(&self, alpha: f64) {
        let mut s = self.styles.borrow_mut();
        if s.alpha != Some(alpha) {
            self.ctx.set_global_alpha(alpha);
            s.alpha = Some(alpha);
        }
    }

    fn fill(&self, color: Color) {
        let mut s = self.styles.borrow_mut();
        if s.fill != Some(color) {
            self.ctx.set_fill_style_str(&color.css());
            s.fill = Some(color);
        }
    }

    fn stroke(&self, color: Color, width: f64, dash: Option<[f64; 2]>) -> Result<(), JsValue> {
        let mut s = self.styles.borrow_mut();
        if s.stroke != Some(color) {
            self.ctx.set_stroke_style_str(&color.css());
            s.stroke = Some(color);
        }
        if s.line_width != Some(width) {
            self.ctx.set_line_width(width);
            s.line_width = Some(width);
        }
        if s.dash != Some(dash) {
            let segments = js_sys::Array::new();
            for length in dash.iter().flatten() {
                segments.push(&JsValue::from_f64(*length));
            }
            self.ctx.set_line_dash(&segments)?;
            s.dash = Some(dash);
        }
        Ok(())
    }

    fn font(&self, size: f64, bold: bool, family: &Arc<str>, align: Align, baseline: Baseline) {
        let mut s = self.styles.borrow_mut();
        let same_font = matches!(&s.font, Some((sz, b, f)) if *sz == size && *b == bold && (Arc::ptr_eq(f, family) || f == family));
        if !same_font {
            let weight = if bold { "bold " } else { "" };
            self.ctx.set_font(&format!("{weight}{size}px {family}"));
            s.font = Some((size, bold, family.clone()));
        }
        if s.align != Some(align) {
            self.ctx.set_text_align(align.css());
            s.align = Some(align);
        }
        if s.baseline != Some(baseline) {
            self.ctx.set_text_baseline(baseline.css());
            s.baseline = Some(baseline);
        }
    }
}
