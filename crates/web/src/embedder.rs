//! Messages to the page that embeds this one (a course page framing `embed.html`): each a
//! [`ToEmbedder`], the one definition of what widgets tell their embedder.

use crate::worker::protocol::to_js;
use cvp_model::embed::ToEmbedder;
use wasm_bindgen::prelude::*;

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
/// most once a frame, however many boxes changed size in it), so that it can size the frame.
pub fn report_height() {
    let Some(window) = web_sys::window() else { return };
    if window.parent().ok().flatten().is_none_or(|parent| parent == window) {
        return;
    }
    let Some(root) = window.document().and_then(|d| d.document_element()) else { return };
    let sent = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let pending = std::rc::Rc::new(std::cell::Cell::new(false));
    let measured = root.clone();
    let on_resize = Closure::<dyn FnMut()>::new(move || {
        if pending.replace(true) {
            return;
        }
        let (sent, pending, root) = (sent.clone(), pending.clone(), measured.clone());
        let frame = Closure::once_into_js(move || {
            pending.set(false);
            let height = root.get_bounding_client_rect().height().ceil() as u32;
            if sent.replace(height) != height {
                post(&ToEmbedder::Resize { height });
            }
        });
        let _ = window.request_animation_frame(frame.unchecked_ref());
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&root);
    }
    // As long as the page.
    on_resize.forget();
}
