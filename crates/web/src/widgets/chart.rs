//! Charts beside the widgets' tables (speedup, start-up): shown, sized to their laid-out
//! width (240 to 640 CSS px) at the screen's pixel density, and drawn in the page's colours.

use super::player::page_style;
use crate::canvas::Canvas;
use crate::dom::toggle_attr;
use cvp_scene::{Shape, Style};

/// Shows `chart` and draws on it, `height` CSS px tall, the shapes `draw(width, height,
/// style)` returns.
pub fn draw(chart: &Canvas, height: f64, draw: impl FnOnce(f64, f64, &Style) -> Vec<Shape>) {
    let element = chart.element();
    toggle_attr(element, "hidden", false);
    let width = (element.client_width() as f64).clamp(240.0, 640.0);
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let drawn =
        chart.resize(width, height, dpr).and_then(|()| chart.paint(&draw(width, height, &page_style())));
    if let Err(e) = drawn {
        web_sys::console::error_2(&"cannot draw the chart:".into(), &e);
    }
}
