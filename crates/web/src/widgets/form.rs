//! Form pieces the widgets share: a form that holds a widget's typed state and shows it,
//! its controls made from the state's field table; and the list of notices that tells the
//! reader what was changed.
//!
//! The state, not the page, is the source of truth: a control's change sets that one field
//! through the same rules as a URL (`cvp_model::state::field::change`) and the settled state
//! is written back, so what the form shows is what runs and what a link says. A change reads
//! only the value it brings in; nothing reads the form back.

use crate::dom::{el, listen};
use cvp_model::query::Notice;
use cvp_model::state::field::{self, Control, Field, State};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// One control, known by its field's key.
enum Input {
    Number(HtmlInputElement),
    Choice(HtmlSelectElement),
}

impl Input {
    /// What the reader entered: the one value a change brings in.
    fn value(&self) -> String {
        match self {
            Input::Number(i) => i.value(),
            Input::Choice(s) => s.value(),
        }
    }

    fn show(&self, text: &str) {
        match self {
            Input::Number(i) => i.set_value(text),
            Input::Choice(s) => s.set_value(text),
        }
    }

    fn element(&self) -> &Element {
        match self {
            Input::Number(i) => i,
            Input::Choice(s) => s,
        }
    }
}

/// A widget's form: its state and the controls that show it.
pub struct Form<S: State>(Rc<Inner<S>>);

type OnChange<S> = Box<dyn FnMut(S, Vec<Notice>)>;

struct Inner<S: State> {
    element: Element,
    state: Cell<S>,
    inputs: Vec<(&'static str, Input)>,
    on_change: RefCell<Option<OnChange<S>>>,
}

impl<S: State> Form<S> {
    /// A form showing `state`: a labelled number field for each number of its table,
    /// bounded by its range, then a choice list for each choice (fields the form does not
    /// set, as `autorun`, have no control).
    pub fn new(state: S) -> Form<S> {
        let element = el("div").class("cvp-form").build();
        let mut numbers = Vec::new();
        let mut choices = Vec::new();
        for f in state.fields() {
            match f.control() {
                Control::Number(param) => {
                    let input: HtmlInputElement = el("input")
                        .attr("type", "number")
                        .attr("name", f.key)
                        .attr("min", &param.min.to_string())
                        .attr("max", &param.max.to_string())
                        .attr("step", if param.whole { "1" } else { "any" })
                        .attr("value", &param.default.to_string())
                        .attr("inputmode", if param.whole { "numeric" } else { "decimal" })
                        .build()
                        .unchecked_into();
                    numbers.push((f.key, param.doc, Input::Number(input)));
                }
                Control::Select(options) => {
                    let select: HtmlSelectElement = el("select").attr("name", f.key).build().unchecked_into();
                    for (value, label) in options {
                        let _ = select.append_child(&el("option").attr("value", value).text(label).build());
                    }
                    choices.push((f.key, "", Input::Choice(select)));
                }
                Control::None => {}
            }
        }
        let mut inputs = Vec::new();
        for (key, doc, input) in numbers.into_iter().chain(choices) {
            let label = el("label")
                .attr("title", doc)
                .child(el("span").text(&key.replace('_', " ")))
                .child(input.element())
                .build();
            let _ = element.append_child(&label);
            inputs.push((key, input));
        }
        let form =
            Form(Rc::new(Inner { element, state: Cell::new(state), inputs, on_change: RefCell::default() }));
        form.0.show(|_| true);
        for (key, input) in &form.0.inputs {
            let (weak, key) = (Rc::downgrade(&form.0), *key);
            listen(input.element(), "change", move |_| changed(&weak, key));
        }
        form
    }

    /// The element to insert.
    pub fn element(&self) -> &Element {
        &self.0.element
    }

    /// The state the form holds.
    pub fn state(&self) -> S {
        self.0.state.get()
    }

    /// Holds `state` and shows what changed (what the machine changed, what a widget runs).
    pub fn set(&self, state: S) {
        let before = self.0.state.replace(state);
        self.0.show(|f| f.text(&before) != f.text(&state));
    }

    /// The number field for `key`.
    pub fn number(&self, key: &str) -> Option<&HtmlInputElement> {
        match self.0.input(key)? {
            Input::Number(i) => Some(i),
            Input::Choice(_) => None,
        }
    }

    /// The choice list for `key`.
    pub fn select(&self, key: &str) -> Option<&HtmlSelectElement> {
        match self.0.input(key)? {
            Input::Choice(s) => Some(s),
            Input::Number(_) => None,
        }
    }

    /// Calls `f` with the settled state and what had to change, whenever the reader
    /// commits a change to a field.
    pub fn on_change(&self, f: impl FnMut(S, Vec<Notice>) + 'static) {
        *self.0.on_change.borrow_mut() = Some(Box::new(f));
    }
}

/// The reader committed a change to `key`'s control: its value sets that field, and the
/// settled state is held and shown (the changed field always, clamped or not, and any other
/// field the rules between fields changed).
fn changed<S: State>(weak: &Weak<Inner<S>>, key: &str) {
    let Some(inner) = weak.upgrade() else { return };
    let Some(raw) = inner.input(key).map(Input::value) else { return };
    let before = inner.state.get();
    let (state, notices) = field::change(before, key, &raw);
    inner.state.set(state);
    inner.show(|f| f.key == key || f.text(&before) != f.text(&state));
    // Taken out while it runs, so that it may use the form.
    let callback = inner.on_change.borrow_mut().take();
    if let Some(mut f) = callback {
        f(state, notices);
        inner.on_change.borrow_mut().get_or_insert(f);
    }
}

impl<S: State> Inner<S> {
    fn input(&self, key: &str) -> Option<&Input> {
        self.inputs.iter().find(|(k, _)| *k == key).map(|(_, i)| i)
    }

    /// Writes the held state into the controls of the fields `which` picks. Only those: a
    /// control the reader is typing in, whose change is not yet committed, keeps its text
    /// when another field changes.
    fn show(&self, which: impl Fn(&Field<S>) -> bool) {
        let state = self.state.get();
        for f in state.fields().iter().filter(|f| which(f)) {
            if let (Some(input), Some(text)) = (self.input(f.key), f.text(&state)) {
                input.show(&text);
            }
        }
    }
}

/// Replaces the items of `list` with `notices`.
pub fn show_notices(list: &Element, notices: &[Notice]) {
    list.set_inner_html("");
    for n in notices {
        let _ = list.append_child(&el("li").text(&n.0).build());
    }
}
