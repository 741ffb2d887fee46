//! Mounting: finds the widgets a page declares and mounts each, on the main site or, in
//! `embed.html`, the one widget its URL names.

use crate::client::Runner;
use crate::dom::{document, el};
use crate::widgets::anim;
use crate::widgets::realrun::{self, Kind};
use std::cell::OnceCell;
use web_sys::{Element, UrlSearchParams};

thread_local! {
    // One runner for the whole page, started by the first widget that needs it.
    static RUNNER: OnceCell<Runner> = const { OnceCell::new() };
}

/// The page's runner, started on first use.
pub fn runner() -> Runner {
    RUNNER.with(|r| r.get_or_init(Runner::start).clone())
}

/// The URL's query as pairs.
fn query() -> Vec<(String, String)> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let Ok(params) = UrlSearchParams::new_with_str(&search) else { return Vec::new() };
    js_sys::try_iter(&params)
        .ok()
        .flatten()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let pair: js_sys::Array = entry.ok()?.into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Mounts every `[data-widget]` of the document.
pub fn mount_all() {
    let doc = document();
    if let Some(host) = doc.query_selector("[data-embed]").ok().flatten() {
        mount_embed(&host);
        return;
    }
    let Ok(nodes) = doc.query_selector_all("[data-widget]") else { return };
    for i in 0..nodes.length() {
        let Some(node) = nodes.item(i) else { continue };
        let element: Element = wasm_bindgen::JsCast::unchecked_into(node);
        let name = element.get_attribute("data-widget").unwrap_or_default();
        mount(&element, &name, Vec::new(), false);
    }
}

fn mount(element: &Element, name: &str, query: Vec<(String, String)>, embedded: bool) -> bool {
    if let Some(kind) = Kind::from_key(name) {
        realrun::mount(element, kind, runner(), query, embedded);
        return true;
    }
    match name {
        "anim" => {
            let preset = cvp_model::job::find(&query, "preset")
                .map(str::to_string)
                .or_else(|| element.get_attribute("data-preset"));
            anim::mount_preset(element, &preset.unwrap_or_default(), &query);
            true
        }
        "sandbox" => {
            anim::mount_sandbox(element, &query);
            true
        }
        _ => false,
    }
}

fn mount_embed(host: &Element) {
    let query = query();
    let name = query.iter().rev().find(|(k, _)| k == "widget").map(|(_, v)| v.clone()).unwrap_or_default();
    let slot = el("section").attr("data-widget", &name).build();
    let _ = host.append_child(&slot);
    if !mount(&slot, &name, query, true) {
        slot.set_text_content(Some(&format!(
            "Unknown widget {name:?}. Use embed.html?widget=fib, fetch, anim (with preset=…) or sandbox (see the README)."
        )));
        let _ = slot.set_attribute("data-state", "error");
    }
}
