//! Messages to the page that embeds this one (a course page framing `embed.html`).

use crate::worker::protocol::encode;
use serde::Serialize;

/// Posts `msg` to the embedding page, if this page is framed; on a page of its own,
/// nothing is posted. "*": the widgets are meant to be embedded anywhere, and what they
/// post (measured times) is not secret.
pub fn post(msg: &impl Serialize) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let _ = parent.post_message(&encode(msg), "*");
}
