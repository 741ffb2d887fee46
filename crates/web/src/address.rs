//! The page's address: where each widget keeps its state in the URL.
//!
//! On the main page each widget owns the keys under its element's `id` (`fib.tasks=8`,
//! `sandbox.side=16`), so that one link carries every widget the reader changed; in
//! `embed.html` the one widget owns the plain keys (`?widget=fib&tasks=8`). The rules are
//! `cvp_model::query`'s; this module only reads and writes `location` and `history`.

use cvp_model::query::{self, Pairs};
use cvp_model::state::WidgetState;
use wasm_bindgen::JsValue;

/// Where a widget lives, which decides how its state is written into URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// On the main page, under this element id.
    Page(String),
    /// Alone in `embed.html`.
    Embed,
}

/// Keys `embed.html` reads besides a widget's state; a rewritten address keeps them.
const PAGE_KEYS: [&str; 2] = ["theme", "no-sw"];

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The current address's query, decoded.
pub fn current_query() -> Pairs {
    query::parse(&location().and_then(|l| l.search().ok()).unwrap_or_default())
}

impl Host {
    /// The widget's own pairs in the current address.
    pub fn own_query(&self) -> Pairs {
        match self {
            Host::Page(id) => query::scope(&current_query(), id),
            Host::Embed => current_query(),
        }
    }

    /// The address's query with `state` written in as this host writes it.
    fn query_with(&self, state: &WidgetState) -> Pairs {
        let now = current_query();
        match self {
            Host::Page(id) => {
                // The page fixes each animation's preset in its markup.
                let own: Pairs = state.to_query().into_iter().filter(|(k, _)| k != "preset").collect();
                query::replace_scope(&now, id, &own)
            }
            Host::Embed => {
                let kept = now.into_iter().filter(|(k, _)| PAGE_KEYS.contains(&k.as_str()));
                state.to_embed_query().into_iter().chain(kept).collect()
            }
        }
    }

    /// A full link (this page, the state, and for the main page the widget's anchor) that
    /// brings `state` back when opened.
    pub fn link(&self, state: &WidgetState) -> String {
        let Some(loc) = location() else { return String::new() };
        let base = format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
        let text = query::encode(&self.query_with(state));
        let anchor = match self {
            Host::Page(id) => format!("#{id}"),
            Host::Embed => String::new(),
        };
        format!("{base}{}{text}{anchor}", if text.is_empty() { "" } else { "?" })
    }

    /// Writes `state` into the address bar without a new history entry, so that reloading
    /// or bookmarking the page keeps it.
    pub fn publish(&self, state: &WidgetState) {
        let Some(window) = web_sys::window() else { return };
        let Ok(history) = window.history() else { return };
        let text = query::encode(&self.query_with(state));
        let hash = window.location().hash().unwrap_or_default();
        let path = window.location().pathname().unwrap_or_default();
        let url = format!("{path}{}{text}{hash}", if text.is_empty() { "" } else { "?" });
        // Browsers throttle replaceState (Chrome: 100 calls in 10 s) and throw past that;
        // widgets publish on settled changes only, and a refused update costs nothing.
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The absolute address of `embed.html` showing `state`, next to the current page
/// (so it works from a sub-folder too).
pub fn embed_url(state: &WidgetState) -> String {
    let text = query::encode(&state.to_embed_query());
    let href = location().and_then(|l| l.href().ok()).unwrap_or_default();
    match web_sys::Url::new_with_base("embed.html", &href) {
        Ok(url) => {
            url.set_search(&text);
            url.href()
        }
        Err(_) => format!("embed.html?{text}"),
    }
}

/// A ready `<iframe>` for course material showing `state`, `height` CSS px tall.
pub fn embed_snippet(state: &WidgetState, title: &str, height: u32) -> String {
    cvp_model::embed::snippet(&embed_url(state), title, height)
}
