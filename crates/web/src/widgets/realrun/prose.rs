//! The essay's sentences about this widget's runs, where the page has them: the reader's
//! numbers (`[data-yours=fib]`) and how their prediction fared (`form[data-predict=fib]`,
//! `[data-reveal=fib]`). The sentences are `cvp_scene::prose`'s; this only finds the places.

use crate::dom::{document, listen};
use crate::worker::protocol::Capabilities;
use cvp_model::compare::Results;
use cvp_model::job::RunKind;
use cvp_model::Strategy;
use cvp_scene::prose;
use web_sys::{Element, HtmlInputElement};

fn part(selector: &str) -> Option<Element> {
    document().query_selector(selector).ok().flatten()
}

/// The strategy the reader predicted for `kind`, if they picked one.
fn predicted(kind: RunKind) -> Option<Strategy> {
    let checked = part(&format!("input[name=predict-{}]:checked", kind.key()))?;
    Strategy::from_key(&wasm_bindgen::JsCast::unchecked_into::<HtmlInputElement>(checked).value())
}

/// Writes the sentences for `results` (before any run, the page's own text stays).
pub fn show(kind: RunKind, results: &Results, caps: &Capabilities) {
    if let (Some(p), Some(text)) =
        (part(&format!("[data-yours={}]", kind.key())), prose::yours(kind, results))
    {
        p.set_text_content(Some(&text));
    }
    let runnable = Strategy::ALL.iter().filter(|&&s| caps.unavailable(s).is_none()).count();
    if let Some(p) = part(&format!("[data-reveal={}]", kind.key())) {
        let text = prose::reveal(predicted(kind), results, runnable);
        p.set_text_content(text.as_deref());
    }
}

/// Calls `f` whenever the reader changes their prediction for `kind`: within the mount of
/// the widget that asked (the form lies outside it), so a reloaded widget's old one is quiet.
pub fn on_predict(kind: RunKind, mut f: impl FnMut() + 'static) {
    if let Some(form) = part(&format!("form[data-predict={}]", kind.key())) {
        let mut f = crate::fault::scoped(move |()| f());
        listen(&form, "change", move |_| f(()));
    }
}
