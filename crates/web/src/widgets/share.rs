//! Sharing a widget's state: the address bar follows it, **Copy link** copies a link that
//! brings it back, and **Embed** shows a ready `<iframe>` for course material.

use crate::address::{embed_snippet, Host};
use crate::dom::{el, find, listen, toggle_attr};
use cvp_model::state::WidgetState;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

/// The share row of one widget, cheap to clone.
#[derive(Clone)]
pub struct Share(Rc<Inner>);

struct Inner {
    host: Host,
    title: String,
    /// The widget's whole element: the embed snippet's height is measured on it.
    widget: Element,
    row: Element,
    state: Box<dyn Fn() -> WidgetState>,
}

impl Share {
    /// A share row for the widget in `widget`, hosted as `host`, whose current state
    /// `state` reads.
    pub fn new(
        host: Host,
        title: &str,
        widget: &Element,
        state: impl Fn() -> WidgetState + 'static,
    ) -> Share {
        let button = |action: &str, text: &str| {
            el("button").attr("type", "button").attr("data-action", action).text(text)
        };
        let row = el("div")
            .class("cvp-share")
            .attr("role", "group")
            .attr("aria-label", "Share")
            .child(button("copy-link", "Copy link").attr("title", "Copy a link that brings back these settings"))
            .child(
                button("embed", "Embed")
                    .attr("aria-expanded", "false")
                    .attr("title", "Show an <iframe> that puts this widget, as set now, in your course material"),
            )
            .child(el("span").class("cvp-share-status").attr("role", "status").attr("aria-live", "polite"))
            .child(
                el("input")
                    .class("cvp-link")
                    .attr("type", "url")
                    .attr("readonly", "")
                    .attr("hidden", "")
                    .attr("aria-label", "Link to these settings"),
            )
            .child(
                el("div")
                    .class("cvp-embed")
                    .attr("hidden", "")
                    .child(
                        el("textarea")
                            .class("cvp-embed-code")
                            .attr("readonly", "")
                            .attr("rows", "4")
                            .attr("spellcheck", "false")
                            .attr("aria-label", "Embed code"),
                    )
                    .child(el("p").class("cvp-embed-note").text(
                        "Paste it into a page of your course. Threads need shared memory: when your page is \
                         cross-origin isolated, allow=\"cross-origin-isolated\" lets the frame share it; \
                         elsewhere the widget explains why threads are missing and every other strategy runs.",
                    )),
            )
            .build();
        let share = Share(Rc::new(Inner {
            host,
            title: title.to_string(),
            widget: widget.clone(),
            row,
            state: Box::new(state),
        }));
        share.wire();
        share
    }

    /// The element to insert.
    pub fn element(&self) -> Element {
        self.0.row.clone()
    }

    /// The reader changed something: the address bar and whatever the row shows follow.
    pub fn changed(&self) {
        let state = (self.0.state)();
        self.0.host.publish(&state);
        if let Some(link) = self.part::<HtmlInputElement>(".cvp-link").filter(|l| !l.hidden()) {
            link.set_value(&self.0.host.link(&state));
        }
        if self.part::<Element>(".cvp-embed").is_some_and(|e| !e.has_attribute("hidden")) {
            self.fill_snippet(&state);
        }
    }

    fn part<T: JsCast>(&self, selector: &str) -> Option<T> {
        find::<T>(&self.0.row, selector)
    }

    fn fill_snippet(&self, state: &WidgetState) {
        // Room for the widget as it is now, rounded up; the frame can follow its content
        // with the resize messages (see the README).
        let height = ((self.0.widget.scroll_height().max(400) + 40 + 49) / 50 * 50) as u32;
        if let Some(code) = self.part::<HtmlTextAreaElement>(".cvp-embed-code") {
            code.set_value(&embed_snippet(state, &self.0.title, height));
        }
    }

    fn wire(&self) {
        let weak = Rc::downgrade(&self.0);
        if let Some(b) = self.part::<Element>("[data-action=copy-link]") {
            let weak = weak.clone();
            listen(&b, "click", move |_| {
                if let Some(inner) = weak.upgrade() {
                    Share(inner).copy_link();
                }
            });
        }
        if let Some(b) = self.part::<Element>("[data-action=embed]") {
            listen(&b, "click", move |_| {
                if let Some(inner) = weak.upgrade() {
                    Share(inner).toggle_embed();
                }
            });
        }
    }

    fn status(&self, text: &str) {
        if let Some(s) = self.part::<Element>(".cvp-share-status") {
            s.set_text_content(Some(text));
        }
    }

    fn copy_link(&self) {
        let state = (self.0.state)();
        self.0.host.publish(&state);
        let url = self.0.host.link(&state);
        let Some(link) = self.part::<HtmlInputElement>(".cvp-link") else { return };
        link.set_value(&url);
        link.set_hidden(false);
        link.select();
        let copied = clipboard_write(&url);
        let share = self.clone();
        crate::fault::spawn_local(async move {
            let ok = match copied {
                Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                None => false,
            };
            share.status(if ok { "Link copied." } else { "Copy the link below." });
        });
    }

    fn toggle_embed(&self) {
        let Some(panel) = self.part::<Element>(".cvp-embed") else { return };
        let open = panel.has_attribute("hidden");
        if open {
            self.fill_snippet(&(self.0.state)());
        }
        toggle_attr(&panel, "hidden", !open);
        if let Some(b) = self.part::<Element>("[data-action=embed]") {
            let _ = b.set_attribute("aria-expanded", if open { "true" } else { "false" });
        }
        if let (true, Some(code)) = (open, self.part::<HtmlTextAreaElement>(".cvp-embed-code")) {
            code.select();
        }
    }
}

/// `navigator.clipboard.writeText(text)`, where the browser offers it (secure pages only).
pub(super) fn clipboard_write(text: &str) -> Option<js_sys::Promise> {
    let navigator = web_sys::window()?.navigator();
    let clipboard =
        js_sys::Reflect::get(&navigator, &"clipboard".into()).ok().filter(|c| !c.is_undefined())?;
    let write: js_sys::Function =
        js_sys::Reflect::get(&clipboard, &"writeText".into()).ok()?.dyn_into().ok()?;
    write.call1(&clipboard, &JsValue::from_str(text)).ok()?.dyn_into().ok()
}
