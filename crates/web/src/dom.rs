//! A few helpers to build and update the DOM from Rust without ceremony.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event};

/// The page's document. Only called on the page (widgets never run in workers).
pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("widgets run on a page with a document")
}

/// An element under construction.
pub struct El(Element);

/// Starts building a `<tag>`.
pub fn el(tag: &str) -> El {
    El(document().create_element(tag).expect("valid tag names only"))
}

impl El {
    /// Adds classes (space-separated).
    pub fn class(self, classes: &str) -> Self {
        for c in classes.split_whitespace() {
            let _ = self.0.class_list().add_1(c);
        }
        self
    }

    /// Sets an attribute.
    pub fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Sets the text content.
    pub fn text(self, text: &str) -> Self {
        self.0.set_text_content(Some(text));
        self
    }

    /// Sets the inner markup (for trusted, constant markup such as icons only).
    pub fn markup(self, markup: &str) -> Self {
        self.0.set_inner_html(markup);
        self
    }

    /// Appends a child.
    pub fn child(self, child: impl AsRef<web_sys::Node>) -> Self {
        let _ = self.0.append_child(child.as_ref());
        self
    }

    /// Appends several children.
    pub fn children<I: IntoIterator<Item = Element>>(self, children: I) -> Self {
        for c in children {
            let _ = self.0.append_child(&c);
        }
        self
    }

    /// The element.
    pub fn build(self) -> Element {
        self.0
    }
}

impl AsRef<web_sys::Node> for El {
    fn as_ref(&self) -> &web_sys::Node {
        &self.0
    }
}

/// Adds an event listener that lives as long as the page. It runs within the widget its
/// target belongs to, so that a panic in it stops that widget alone ([`crate::fault`]).
/// For one that must go with its owner, keep a [`listener`] instead.
pub fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut(Event) + 'static) {
    listener(target, event, f).forever();
}

/// Adds an event listener, as [`listen`] does, that is removed when the returned guard is
/// dropped: for owners that come and go (a player replaced on every simulation) while their
/// target stays (the document).
pub fn listener(target: &web_sys::EventTarget, event: &str, mut f: impl FnMut(Event) + 'static) -> Listener {
    let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        crate::fault::within_event(&e.clone(), || f(e));
    });
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    LIVE.with(|n| n.set(n.get() + 1));
    Listener { target: target.clone(), event: event.to_string(), closure: Some(closure) }
}

thread_local! {
    /// Listeners and observers alive on this page (the leak test reads it).
    static LIVE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many listeners ([`listener`], [`listen`]) and observers ([`Watch`]) this page holds:
/// flat across a widget's rebuilds when nothing leaks.
pub fn live_handlers() -> usize {
    LIVE.with(|n| n.get())
}

/// An event listener, removed (and its closure freed) when dropped.
#[must_use = "the listener is removed when this is dropped: keep it, or call forever()"]
pub struct Listener {
    target: web_sys::EventTarget,
    event: String,
    closure: Option<Closure<dyn FnMut(Event)>>,
}

impl Listener {
    /// Keeps the listener for the rest of the page's life.
    pub fn forever(mut self) {
        if let Some(closure) = self.closure.take() {
            closure.forget();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(closure) = self.closure.take() {
            let _ = self
                .target
                .remove_event_listener_with_callback(&self.event, closure.as_ref().unchecked_ref());
            LIVE.with(|n| n.set(n.get() - 1));
        }
    }
}

/// An observer (IntersectionObserver, ResizeObserver) and its callback: disconnected and
/// freed when dropped.
#[must_use = "the observer is disconnected when this is dropped"]
pub struct Watch {
    disconnect: Option<Box<dyn FnOnce()>>,
    _callback: Box<dyn std::any::Any>,
}

impl Watch {
    /// Guards an observer already observing, whose callback is `callback`.
    pub fn new(disconnect: impl FnOnce() + 'static, callback: impl std::any::Any) -> Watch {
        LIVE.with(|n| n.set(n.get() + 1));
        Watch { disconnect: Some(Box::new(disconnect)), _callback: Box::new(callback) }
    }

    /// Keeps the observer for the rest of the page's life.
    pub fn forever(self) {
        std::mem::forget(self);
    }
}

/// Calls `f` when `element`'s size changes, at most once a frame and in the frame after the
/// change: called inside the observer's callback, work that changes the element's size asks
/// for another notification in the same frame, which Firefox reports as an uncaught error
/// ("ResizeObserver loop completed with undelivered notifications"). `None` where the
/// browser has no ResizeObserver.
pub fn on_resize(element: &Element, f: impl Fn() + 'static) -> Option<Watch> {
    use std::cell::Cell;
    use std::rc::Rc;
    let f: Rc<dyn Fn()> = Rc::new(f);
    let pending = Rc::new(Cell::new(false));
    let callback = Closure::<dyn FnMut()>::new(move || {
        let Some(window) = web_sys::window() else { return };
        if pending.replace(true) {
            return;
        }
        let (f, pending) = (f.clone(), pending.clone());
        let frame = Closure::once_into_js(move || {
            pending.set(false);
            f();
        });
        let _ = window.request_animation_frame(frame.unchecked_ref());
    });
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(element);
    Some(Watch::new(move || observer.disconnect(), callback))
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(disconnect) = self.disconnect.take() {
            disconnect();
            LIVE.with(|n| n.set(n.get() - 1));
        }
    }
}

/// Finds a descendant by CSS selector and casts it.
pub fn find<T: JsCast>(root: &Element, selector: &str) -> Option<T> {
    root.query_selector(selector).ok().flatten().and_then(|e| e.dyn_into().ok())
}

/// Sets or removes a boolean attribute such as `disabled` or `hidden`.
pub fn toggle_attr(e: &Element, name: &str, on: bool) {
    let _ = if on { e.set_attribute(name, "") } else { e.remove_attribute(name) };
}

/// Calls `f` once `element` comes within a screen's height of the viewport (at once where
/// the browser has no IntersectionObserver).
pub fn when_near(element: &Element, f: impl FnOnce() + 'static) {
    use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};
    let f = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let pending = f.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: IntersectionObserver| {
            if entries.iter().any(|e| e.unchecked_into::<IntersectionObserverEntry>().is_intersecting()) {
                observer.disconnect();
                if let Some(f) = pending.take() {
                    f();
                }
            }
        },
    );
    let options = IntersectionObserverInit::new();
    options.set_root_margin("100% 0px");
    match IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options) {
        Ok(observer) => {
            observer.observe(element);
            // Lives as long as the page, like every listener of `listen`.
            callback.forget();
        }
        Err(_) => {
            if let Some(f) = f.take() {
                f();
            }
        }
    }
}

/// Resolves once the page has painted what changed before the call (two animation frames
/// later), or after 100 ms where frames do not come; at once in a hidden tab, which paints
/// nothing (and whose timers the browser may slow to one a second).
pub async fn painted() {
    let Some(window) = web_sys::window().filter(|_| !document().hidden()) else { return };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let (again, page) = (resolve.clone(), window.clone());
        let second = Closure::once_into_js(move || {
            let _ = page.request_animation_frame(again.unchecked_ref());
        });
        let _ = window.request_animation_frame(second.unchecked_ref());
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 100);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
