//! Mounting: finds the widgets a page declares and mounts each with the state its part of
//! the URL describes, on the main site or, in `embed.html`, the one widget its URL names;
//! on the teacher's page (`teach.html`), its cards.

use crate::address::{current_query, Host};
use crate::client::Runner;
use crate::dom::{document, el};
use crate::widgets::{anim, pipeline, race, realrun, startup};
use cvp_model::presets::Preset;
use cvp_model::query::{find, Notice};
use cvp_model::state::{Widget, WidgetState};
use std::cell::{Cell, OnceCell, RefCell};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;

thread_local! {
    // One runner for the whole page, woken by the first widget or script that needs it.
    static RUNNER: OnceCell<Runner> = const { OnceCell::new() };
}

/// The page's runner; its worker starts on [`Runner::wake`].
pub fn runner() -> Runner {
    RUNNER.with(|r| r.get_or_init(Runner::new).clone())
}

/// The page's runner, for a widget at `root` that runs real work: woken when the widget
/// comes within a screen of being seen.
fn runner_for(root: &Element) -> Runner {
    let runner = runner();
    let waking = runner.clone();
    crate::dom::when_near(root, move || waking.wake());
    runner
}

/// Mounts, in `embed.html`, the URL's widget at once; in `teach.html` the teacher's page; in
/// `traces.html` the trace viewer; on the main page, each `[data-widget]` as it comes within
/// a screen of view.
pub fn mount_all() {
    let doc = document();
    if let Some(host) = doc.query_selector("[data-teach]").ok().flatten() {
        crate::widgets::teach::mount(&host);
        return;
    }
    if let Some(host) = doc.query_selector("[data-traces]").ok().flatten() {
        crate::fault::begin(&host).run(|| crate::widgets::traces::mount(&host));
        return;
    }
    if let Some(host) = doc.query_selector("[data-embed]").ok().flatten() {
        crate::embedder::report_height();
        let query = current_query();
        let (state, notices) = WidgetState::from_query(&query);
        let named = find(&query, "widget").map(str::trim).and_then(Widget::from_key);
        let slot = el("section").attr("data-widget", state.widget().key()).build();
        let _ = host.append_child(&slot);
        if named.is_none() {
            // A frame with a mistyped widget shows what is wrong rather than running
            // something the course did not ask for.
            let _ = slot.set_attribute("data-state", cvp_model::stage::Stage::Failed.key());
            let asked = find(&query, "widget").map_or("no widget=".to_string(), |w| format!("widget={w:?}"));
            let names = Widget::ALL.map(Widget::key).join(", ");
            slot.set_text_content(Some(&format!(
                "This frame cannot show {asked}: use one of {names} (see the README's embedding table)."
            )));
            return;
        }
        mount(&slot, Host::Embed, state, notices);
        return;
    }
    let Ok(nodes) = doc.query_selector_all("[data-widget]") else { return };
    for i in 0..nodes.length() {
        let Some(node) = nodes.item(i) else { continue };
        let element: Element = node.unchecked_into();
        UNMOUNTED.with(|u| u.borrow_mut().push((element.clone(), false)));
        let near = element.clone();
        crate::dom::when_near(&near, move || {
            UNMOUNTED.with(|u| {
                u.borrow_mut().iter_mut().filter(|(e, _)| *e == element).for_each(|(_, n)| *n = true)
            });
            mount_soon();
        });
    }
    // Paper shows every figure: whatever has not mounted yet mounts before printing.
    if let Some(window) = web_sys::window() {
        crate::dom::listen(&window, "beforeprint", |_| {
            while let Some(element) = take_next(false) {
                mount_declared(&element);
            }
        });
    }
}

// The main page mounts its widgets as they come within a screen of view, one a task: all
// fifteen at once took one task of 1.1 s on a phone (Lighthouse's mobile profile, issue 21),
// though a reader sees two or three. Each widget's room is reserved in style.css, so that
// one mounting above the screen moves nothing on it.
thread_local! {
    /// The page's widgets not mounted yet, each with whether it has come near the screen.
    static UNMOUNTED: RefCell<Vec<(Element, bool)>> = const { RefCell::new(Vec::new()) };
    /// Whether a task to mount the next of them is already queued.
    static QUEUED: Cell<bool> = const { Cell::new(false) };
}

/// Queues a task that mounts the widget nearest the screen, unless one is queued.
fn mount_soon() {
    if QUEUED.replace(true) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let next = Closure::once_into_js(mount_next);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), 0);
}

/// Mounts one widget that came near the screen, the nearest (the one a link jumped to, or
/// the reader scrolled to, before those the margin brought in on the way), and queues the
/// next: between two widgets the page paints and answers input.
fn mount_next() {
    QUEUED.set(false);
    let Some(element) = take_next(true) else { return };
    // Queued before mounting, so that a widget that panics stops only itself.
    if UNMOUNTED.with(|u| u.borrow().iter().any(|(_, near)| *near)) {
        mount_soon();
    }
    mount_declared(&element);
}

/// Takes the unmounted widget nearest the screen (`near_only`: of those that came near).
fn take_next(near_only: bool) -> Option<Element> {
    UNMOUNTED.with(|u| {
        let mut unmounted = u.borrow_mut();
        let nearest = (0..unmounted.len())
            .filter(|&i| unmounted[i].1 || !near_only)
            .min_by(|&a, &b| off_screen(&unmounted[a].0).total_cmp(&off_screen(&unmounted[b].0)))?;
        Some(unmounted.remove(nearest).0)
    })
}

/// How far `element` is from the screen, in CSS px (0 when on it).
fn off_screen(element: &Element) -> f64 {
    let height =
        web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(0.0);
    let rect = element.get_bounding_client_rect();
    (rect.top() - height).max(-rect.bottom()).max(0.0)
}

/// Mounts a widget the page's markup declares: `data-widget`, `data-preset` for an
/// animation, and an `id` under which its state lives in the page's URL.
fn mount_declared(element: &Element) {
    let name = element.get_attribute("data-widget").unwrap_or_default();
    let preset = element.get_attribute("data-preset").and_then(|k| Preset::find(&k));
    let Some(widget) = Widget::from_key(&name) else {
        element.set_text_content(Some(&format!("Unknown widget {name:?}.")));
        let _ = element.set_attribute("data-state", cvp_model::stage::Stage::Failed.key());
        return;
    };
    let id = match element.id() {
        id if !id.is_empty() => id,
        _ => preset.map_or(name.clone(), |p| p.key.to_string()),
    };
    let host = Host::Page(id);
    let (state, notices) = WidgetState::read(widget, &host.own_query(), preset);
    mount(element, host, state, notices);
}

/// Mounts a fresh widget where one stopped (the error box's "Reload this widget").
pub fn remount(element: &Element) {
    if element.has_attribute("data-traces") {
        crate::widgets::traces::mount(element);
    } else if document().query_selector("[data-embed]").ok().flatten().is_some() {
        let (state, notices) = WidgetState::from_query(&current_query());
        mount(element, Host::Embed, state, notices);
    } else {
        mount_declared(element);
    }
}

/// Mounts one widget, as a new mount of its root ([`crate::fault`]): a panic in its code
/// from now on stops this widget alone.
fn mount(element: &Element, host: Host, state: WidgetState, notices: Vec<Notice>) {
    crate::fault::begin(element).run(|| mount_widget(element, host, state, notices));
}

fn mount_widget(element: &Element, host: Host, state: WidgetState, notices: Vec<Notice>) {
    match state {
        WidgetState::Run(s) => realrun::mount(element, runner_for(element), host, s, notices),
        WidgetState::Anim(s) => anim::mount_preset(element, host, s, notices),
        WidgetState::Sandbox(s) => anim::mount_sandbox(element, host, s, notices),
        WidgetState::Startup(s) => startup::mount(element, runner_for(element), host, s, notices),
        WidgetState::Pipeline(s) => pipeline::mount(element, runner_for(element), host, s, notices),
        WidgetState::Race(s) => race::mount(element, runner_for(element), host, s, notices),
    }
}
