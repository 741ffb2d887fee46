//! Messages to the page that embeds this one (a course page framing `embed.html`): each a
//! [`ToEmbedder`], the one definition of what widgets tell their embedder.

use crate::worker::protocol::to_js;
use cvp_model::embed::ToEmbedder;

/// Whether this page is in a frame of another page.
pub fn framed() -> bool {
    web_sys::window().is_some_and(|w| w.parent().ok().flatten().is_some_and(|parent| parent != w))
}

/// Posts `msg` to the embedding page, if this page is framed; on a page of its own,
/// nothing is posted. "*": the widgets are meant to be embedded anywhere, and what they
/// post (measured times, a height) is not secret.
pub fn post(msg: &ToEmbedder) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let _ = parent.post_message(&to_js(msg), "*");
}

/// Inside a frame, tells the embedding page the document's height whenever it changes (at
/// most once a frame, however many boxes changed size in it), so that it can size the frame:
/// as `cvp:resize` and as Canvas's `lti.frameResize` ([`ToEmbedder::height`]).
pub fn report_height() {
    let Some(window) = web_sys::window() else { return };
    if window.parent().ok().flatten().is_none_or(|parent| parent == window) {
        return;
    }
    let Some(root) = window.document().and_then(|d| d.document_element()) else { return };
    let (measured, sent) = (root.clone(), std::cell::Cell::new(0u32));
    let resized = crate::dom::on_resize(&root, move || {
        let height = measured.get_bounding_client_rect().height().ceil() as u32;
        if sent.replace(height) != height {
            ToEmbedder::height(height).iter().for_each(post);
        }
    });
    // As long as the page.
    if let Some(watch) = resized {
        watch.forever();
    }
}
