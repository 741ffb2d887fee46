//! The widgets, each mounted on an element that declares it with `data-widget`.

pub mod anim;
mod chart;
mod form;
mod guess;
mod icons;
mod kit;
pub mod pipeline;
pub mod player;
pub mod race;
pub mod realrun;
mod share;
pub mod startup;
pub mod teach;
pub mod traces;

use crate::address::Host;
use crate::dom::el;
use web_sys::Element;

/// A widget's title. On the page it sits under its section's `h2`, so it is an `h3`; alone
/// in `embed.html` it is the frame's one `h1` (a page needs one, and its headings go down a
/// level at a time).
pub(crate) fn title(host: &Host, text: &str) -> Element {
    el(if *host == Host::Embed { "h1" } else { "h3" }).class("cvp-title").text(text).build()
}
