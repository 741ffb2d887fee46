//! The teacher's page (`teach.html`): every widget kind with its settings as a form (the
//! same forms, made from the same field tables, as the widgets'), a live preview (the widget
//! in an iframe of `embed.html`, as a course page would show it), the embed code following
//! the form, copy buttons, and the lab questions of `cvp_model::lesson` with their answers.
//!
//! The preview's own height messages (`cvp:resize`) size the preview and the snippet's
//! height; only messages from the page's own preview frames, of its own origin, are read.

use super::form::{show_notices, Form};
use super::share::clipboard_write;
use super::{anim, pipeline, race, realrun, startup};
use crate::address::embed_url;
use crate::dom::{el, find, listen};
use cvp_model::embed::{snippet, RESIZE_TYPE};
use cvp_model::lesson::questions;
use cvp_model::query::Notice;
use cvp_model::state::field::{self, Kind, State};
use cvp_model::state::{Widget, WidgetState};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement, MessageEvent};

/// The heading a widget's snippet and card carry: the title the widget itself shows.
fn title(state: &WidgetState) -> &'static str {
    match state {
        WidgetState::Run(s) => realrun::title(s.workload.kind()),
        WidgetState::Anim(s) => s.preset.title,
        WidgetState::Sandbox(_) => anim::SANDBOX_TITLE,
        WidgetState::Startup(_) => startup::TITLE,
        WidgetState::Pipeline(_) => pipeline::TITLE,
        WidgetState::Race(_) => race::TITLE,
    }
}

/// A snippet's starting height before its preview reports one (CSS px).
const FIRST_HEIGHT: u32 = 720;

/// Builds a card per widget kind in `root`.
pub fn mount(root: &Element) {
    for widget in Widget::ALL {
        match WidgetState::read(widget, &[], None).0 {
            WidgetState::Run(s) => card(root, s, WidgetState::Run),
            WidgetState::Anim(s) => card(root, s, WidgetState::Anim),
            WidgetState::Sandbox(s) => card(root, s, WidgetState::Sandbox),
            WidgetState::Startup(s) => card(root, s, WidgetState::Startup),
            WidgetState::Pipeline(s) => card(root, s, WidgetState::Pipeline),
            WidgetState::Race(s) => card(root, s, WidgetState::Race),
        }
    }
}

/// What a card shows, written whenever its state changes.
struct Card {
    code: HtmlTextAreaElement,
    link: HtmlInputElement,
    preview: Element,
    status: Element,
    /// The preview's last reported height, for the snippet.
    height: Cell<u32>,
}

impl Card {
    fn show(&self, state: &WidgetState) {
        let url = embed_url(state);
        self.code.set_value(&snippet(&url, title(state), self.height.get()));
        self.link.set_value(&url);
        if self.preview.get_attribute("src").as_deref() != Some(url.as_str()) {
            let _ = self.preview.set_attribute("src", &url);
        }
        self.status.set_text_content(None);
    }
}

/// A card's form and what it holds: the one part that depends on the state's type, kept
/// small (the rest of the card is built once in the binary, not once per state).
struct Holder {
    element: Element,
    flags: Flags,
    /// The state shown: the form's, with the flags the form has no control for.
    current: Rc<dyn Fn() -> WidgetState>,
    /// Calls its argument with what had to change whenever the reader changes a field.
    on_change: Box<dyn FnOnce(Told)>,
}

/// What a card does with the notices of a change.
type Told = Box<dyn Fn(Vec<Notice>)>;

fn card<S: State>(root: &Element, state: S, wrap: fn(S) -> WidgetState) {
    let form = Rc::new(Form::new(state));
    let flags = flag_boxes(&state);
    let current = {
        let (form, flag_state) = (form.clone(), flags.1.clone());
        move || {
            let mut s = form.state();
            for (key, on) in flag_state.iter() {
                s = field::change(s, key, if on.get() { "1" } else { "0" }).0;
            }
            wrap(s)
        }
    };
    let element = form.element().clone();
    let on_change = Box::new(move |f: Told| form.on_change(move |_, told| f(told)));
    build(root, Holder { element, flags, current: Rc::new(current), on_change });
}

fn build(root: &Element, holder: Holder) {
    let Holder { element: form, flags, current, on_change } = holder;
    let whole = current();
    let key = whole.widget().key();
    let notices = el("ul").class("cvp-notices").attr("aria-live", "polite").build();
    let code: HtmlTextAreaElement = el("textarea")
        .class("cvp-embed-code")
        .attr("readonly", "")
        .attr("rows", "4")
        .attr("spellcheck", "false")
        .attr("aria-label", "Embed code")
        .build()
        .unchecked_into();
    let link: HtmlInputElement = el("input")
        .class("cvp-link")
        .attr("type", "url")
        .attr("readonly", "")
        .attr("aria-label", "Link to the widget alone")
        .build()
        .unchecked_into();
    let button = |action: &str, text: &str| {
        el("button").attr("type", "button").attr("data-action", action).text(text).build()
    };
    let status =
        el("span").class("cvp-share-status").attr("role", "status").attr("aria-live", "polite").build();
    let preview = el("iframe")
        .class("teach-preview")
        .attr("title", &format!("Preview: {}", title(&whole)))
        .attr("loading", "lazy")
        .attr("allow", "cross-origin-isolated")
        .attr("height", &FIRST_HEIGHT.to_string())
        .build();
    let asked = el("ol").class("teach-questions").build();
    for q in questions(whole.widget()) {
        let settings = embed_url(&q.state());
        let item = el("li")
            .child(el("p").class("teach-ask").text(q.ask))
            .child(
                el("p")
                    .class("teach-answer")
                    .child(el("strong").text("Answer: "))
                    .child(el("span").text(q.answer)),
            )
            .child(
                el("p").class("teach-setup").child(
                    el("a")
                        .attr("href", &settings)
                        .attr("target", "_blank")
                        .attr("rel", "noopener")
                        .text("Open the widget as this question sets it"),
                ),
            )
            .build();
        let _ = asked.append_child(&item);
    }
    let section = el("section")
        .class("teach-card")
        .attr("id", &format!("teach-{key}"))
        .attr("data-teach-widget", key)
        .child(el("h2").text(title(&whole)))
        .child(
            el("div")
                .class("teach-grid")
                .child(
                    el("div")
                        .class("teach-controls")
                        .child(el("h3").text("Settings"))
                        .child(&form)
                        .child(flags.0.clone())
                        .child(notices.clone())
                        .child(el("h3").text("Embed code"))
                        .child(&code)
                        .child(
                            el("div")
                                .class("cvp-share")
                                .child(button("copy-embed", "Copy embed code"))
                                .child(button("copy-link", "Copy link"))
                                .child(&status),
                        )
                        .child(&link),
                )
                .child(el("div").class("teach-frame").child(&preview)),
        )
        .child(el("h3").text("Questions for a lab session"))
        .child(asked)
        .build();
    let _ = root.append_child(&section);

    let card = Rc::new(Card { code, link, preview, status, height: Cell::new(FIRST_HEIGHT) });
    let flag_state = flags.1;
    card.show(&current());
    {
        let (card, current) = (card.clone(), current.clone());
        on_change(Box::new(move |told| {
            show_notices(&notices, &told);
            card.show(&current());
        }));
    }
    for (i, (_, _)) in flag_state.iter().enumerate() {
        let (card, current, flag_state) = (card.clone(), current.clone(), flag_state.clone());
        if let Some(b) = find::<HtmlInputElement>(&flags.0, &format!("input[data-flag='{i}']")) {
            let boxed = b.clone();
            listen(&b, "change", move |_| {
                flag_state[i].1.set(boxed.checked());
                card.show(&current());
            });
        }
    }
    for (action, copied) in [("copy-embed", "Embed code copied."), ("copy-link", "Link copied.")] {
        let Some(b) = find::<Element>(&section, &format!("[data-action={action}]")) else { continue };
        let card = card.clone();
        listen(&b, "click", move |_| {
            let text = if action == "copy-embed" { card.code.value() } else { card.link.value() };
            if action == "copy-embed" {
                card.code.select();
            } else {
                card.link.select();
            }
            let promise = clipboard_write(&text);
            let card = card.clone();
            crate::fault::spawn_local(async move {
                let ok = match promise {
                    Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                    None => false,
                };
                card.status.set_text_content(Some(if ok {
                    copied
                } else {
                    "Selected: copy it with Ctrl+C."
                }));
            });
        });
    }
    // The preview says how tall it is: the frame and the snippet follow.
    if let Some(window) = web_sys::window() {
        let origin = window.location().origin().unwrap_or_default();
        let (card, current) = (card.clone(), current.clone());
        listen(&window, "message", move |event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else { return };
            let from = js_sys::Reflect::get(&card.preview, &"contentWindow".into()).ok();
            let same = from.zip(event.source()).is_some_and(|(a, b)| js_sys::Object::is(&a, &b));
            if !same || event.origin() != origin {
                return;
            }
            // Only its height is read, by hand: deserialising the whole ToEmbedder (every
            // result of every widget) here would cost the page's module several KB.
            let data = event.data();
            let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok();
            let resize = field("type").and_then(|t| t.as_string()).is_some_and(|t| t == RESIZE_TYPE);
            if let Some(height) =
                field("height").and_then(|h| h.as_f64()).filter(|_| resize).map(|h| h as u32)
            {
                let _ = card.preview.set_attribute("height", &height.to_string());
                // The snippet gets room for it, rounded up to 50 px.
                let rounded = height.max(200).div_ceil(50) * 50;
                if card.height.replace(rounded) != rounded {
                    card.show(&current());
                }
            }
        });
    }
}

/// A checkbox for each on-or-off field (`autorun`), which the widgets' own forms leave to
/// the URL: a course page may want its widget to run once in view. The element, and each
/// flag's key with its current value.
type Flags = (Element, Rc<Vec<(&'static str, Cell<bool>)>>);

fn flag_boxes<S: State>(state: &S) -> Flags {
    let element = el("div").class("cvp-form teach-flags").build();
    let mut flags = Vec::new();
    for f in state.fields() {
        if let Kind::Flag { doc, get, .. } = &f.kind {
            let i = flags.len();
            let input =
                el("input").attr("type", "checkbox").attr("name", f.key).attr("data-flag", &i.to_string());
            let input = if get(state) { input.attr("checked", "") } else { input };
            let label = el("label").class("teach-flag").child(input).child(el("span").text(&format!(
                "{}: {}",
                f.key,
                doc.trim_start_matches("`1` ")
            )));
            let _ = element.append_child(&label.build());
            flags.push((f.key, Cell::new(get(state))));
        }
    }
    (element, Rc::new(flags))
}
