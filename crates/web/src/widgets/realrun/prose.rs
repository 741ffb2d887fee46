//! The essay's sentences about this widget's runs, where the page has them: the reader's
//! numbers (`[data-yours=fib]`) and how their prediction fared (`form[data-predict=fib]`,
//! `[data-reveal=fib]`). The sentences are `cvp_scene::prose`'s; this only finds the places.

use crate::dom::{document, listen};
use crate::worker::protocol::Capabilities;
use cvp_model::compare::Results;
use cvp_model::guess::{Guess, Reason};
use cvp_model::job::RunKind;
use cvp_model::Strategy;
use cvp_scene::prose;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

fn part(selector: &str) -> Option<Element> {
    document().query_selector(selector).ok().flatten()
}

/// The reader's guess for `kind` as the form holds it (`after_run` is the widget's to say).
fn guess(kind: RunKind, after_run: bool) -> Guess {
    let k = kind.key();
    let first = part(&format!("input[name=predict-{k}]:checked"))
        .and_then(|c| Strategy::from_key(&c.unchecked_into::<HtmlInputElement>().value()));
    let speedup = part(&format!("input[name=speedup-{k}]"))
        .map(|i| i.unchecked_into::<HtmlInputElement>().value_as_number())
        .filter(|v| v.is_finite() && *v > 0.0);
    let reason = part(&format!("select[name=why-{k}]"))
        .and_then(|s| Reason::from_key(&s.unchecked_into::<HtmlSelectElement>().value()));
    Guess { first, speedup, reason, after_run }
}

/// What the reveal needs besides the results: the forecast's speedup of the guessed
/// strategy, how many of its lanes computed at once, and whether the guess came after.
pub struct Reveal {
    /// Forecast sync time over forecast subject time, from the forecasts made before them.
    pub forecast: Option<f64>,
    /// Most lanes of the subject's run computing at once.
    pub overlap: usize,
    /// Whether the reader set the guess after both runs were on the page.
    pub after_run: bool,
}

/// Writes the sentences for `results` (before any run, the page's own text stays).
pub fn show(kind: RunKind, results: &Results, caps: &Capabilities, reveal: &Reveal) {
    if let (Some(p), Some(text)) =
        (part(&format!("[data-yours={}]", kind.key())), prose::yours(kind, results))
    {
        p.set_text_content(Some(&text));
    }
    let runnable = Strategy::ALL.iter().filter(|&&s| caps.unavailable(s).is_none()).count();
    if let Some(p) = part(&format!("[data-reveal={}]", kind.key())) {
        let text = prose::reveal(
            kind,
            &guess(kind, reveal.after_run),
            results,
            runnable,
            reveal.forecast,
            reveal.overlap,
        );
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
