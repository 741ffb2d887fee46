//! Saving files from the page: a text made in Rust, or a canvas as PNG, handed to the
//! browser as a download. No server is involved.

use crate::dom::{document, el};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement, Url};

/// Offers `text` as a file named `name` of type `mime`.
pub fn text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&JsValue::from_str(text)), &opts)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    url_as(name, &url);
    // The download has its own reference by now; free the blob a little later.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Offers `canvases`, stacked top to bottom on `background`, as one PNG named `name`. The
/// canvases' backing stores are already at the device pixel ratio, so the image is too.
pub fn png(name: &str, canvases: &[HtmlCanvasElement], background: &str) -> Result<(), JsValue> {
    let width = canvases.iter().map(HtmlCanvasElement::width).max().unwrap_or(0).max(1);
    let height = canvases.iter().map(HtmlCanvasElement::height).sum::<u32>().max(1);
    let out: HtmlCanvasElement = document().create_element("canvas")?.unchecked_into();
    out.set_width(width);
    out.set_height(height);
    let ctx: CanvasRenderingContext2d =
        out.get_context("2d")?.ok_or_else(|| JsValue::from_str("no 2d context"))?.unchecked_into();
    ctx.set_fill_style_str(background);
    ctx.fill_rect(0.0, 0.0, width as f64, height as f64);
    let mut y = 0.0;
    for c in canvases {
        ctx.draw_image_with_html_canvas_element(c, 0.0, y)?;
        y += c.height() as f64;
    }
    url_as(name, &out.to_data_url_with_type("image/png")?);
    Ok(())
}

/// Follows `url` as a download named `name`.
fn url_as(name: &str, url: &str) {
    let a: HtmlElement = el("a").attr("href", url).attr("download", name).build().unchecked_into();
    a.click();
}
