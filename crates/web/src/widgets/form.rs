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
use cvp_model::state::field::{self, Control, State};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// One control, known by its field's key.
enum Input {
    Number(HtmlInputElement),
    Choice(HtmlSelectElement),
}

impl Input {
    fn element(&self) -> &Element {
        match self {
            Input::Number(i) => i,
            Input::Choice(s) => s,
        }
    }
}

/// The controls of a form, apart from the state they show: this part is the same for every
/// state, so it is built once in the binary, not once per state.
struct Controls {
    element: Element,
    inputs: Vec<(&'static str, Input)>,
}

impl Controls {
    /// A labelled number field for each number, bounded by its range, then a choice list for
    /// each choice (fields the form does not set, as `autorun`, have none).
    fn new(fields: Vec<(&'static str, Control)>) -> Controls {
        let element = el("div").class("cvp-form").build();
        let mut numbers = Vec::new();
        let mut choices = Vec::new();
        for (key, control) in fields {
            match control {
                Control::Number(param) => {
                    let input: HtmlInputElement = el("input")
                        .attr("type", "number")
                        .attr("name", key)
                        .attr("min", &param.min.to_string())
                        .attr("max", &param.max.to_string())
                        .attr("step", if param.whole { "1" } else { "any" })
                        .attr("value", &param.default.to_string())
                        .attr("inputmode", if param.whole { "numeric" } else { "decimal" })
                        .build()
                        .unchecked_into();
                    numbers.push((key, param.doc, Input::Number(input)));
                }
                Control::Select(options) => {
                    let select: HtmlSelectElement = el("select").attr("name", key).build().unchecked_into();
                    for (value, label) in options {
                        let _ = select.append_child(&el("option").attr("value", value).text(label).build());
                    }
                    choices.push((key, "", Input::Choice(select)));
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
        Controls { element, inputs }
    }

    fn input(&self, key: &str) -> Option<&Input> {
        self.inputs.iter().find(|(k, _)| *k == key).map(|(_, i)| i)
    }

    /// What the reader entered in `key`'s control: the one value a change brings in.
    fn value(&self, key: &str) -> Option<String> {
        self.input(key).map(|input| match input {
            Input::Number(i) => i.value(),
            Input::Choice(s) => s.value(),
        })
    }

    /// Shows the values of `now` (a state's query) that differ from `before`'s, and
    /// `key`'s whatever it is. Only those: a control the reader is typing in, whose change is
    /// not yet committed, keeps its text when another field changes.
    fn show(&self, before: &[(String, String)], now: &[(String, String)], key: Option<&str>) {
        for pair in now.iter().filter(|pair| Some(pair.0.as_str()) == key || !before.contains(pair)) {
            match self.input(&pair.0) {
                Some(Input::Number(i)) => i.set_value(&pair.1),
                Some(Input::Choice(s)) => s.set_value(&pair.1),
                None => {}
            }
        }
    }

    /// Calls `f` with a control's key whenever the reader commits a change to it.
    fn on_change(&self, f: Rc<dyn Fn(&'static str)>) {
        for (key, input) in &self.inputs {
            let (f, key) = (f.clone(), *key);
            listen(input.element(), "change", move |_| f(key));
        }
    }
}

/// A widget's form: its state and the controls that show it.
pub struct Form<S: State>(Rc<Inner<S>>);

type OnChange<S> = Box<dyn FnMut(S, Vec<Notice>)>;

struct Inner<S: State> {
    controls: Controls,
    state: Cell<S>,
    on_change: RefCell<Option<OnChange<S>>>,
}

impl<S: State> Form<S> {
    /// A form showing `state`, with a control for each field the reader sets.
    pub fn new(state: S) -> Form<S> {
        let controls = Controls::new(state.fields().iter().map(|f| (f.key, f.control())).collect());
        controls.show(&[], &field::write(&state), None);
        let inner = Rc::new(Inner { controls, state: Cell::new(state), on_change: RefCell::default() });
        let weak = Rc::downgrade(&inner);
        inner.controls.on_change(Rc::new(move |key| {
            if let Some(inner) = weak.upgrade() {
                inner.changed(key);
            }
        }));
        Form(inner)
    }

    /// The element to insert.
    pub fn element(&self) -> &Element {
        &self.0.controls.element
    }

    /// The state the form holds.
    pub fn state(&self) -> S {
        self.0.state.get()
    }

    /// Holds `state` and shows what changed (what the machine changed, what a widget runs).
    pub fn set(&self, state: S) {
        self.0.hold(state, None);
    }

    /// The number field for `key`.
    pub fn number(&self, key: &str) -> Option<&HtmlInputElement> {
        match self.0.controls.input(key)? {
            Input::Number(i) => Some(i),
            Input::Choice(_) => None,
        }
    }

    /// The choice list for `key`.
    pub fn select(&self, key: &str) -> Option<&HtmlSelectElement> {
        match self.0.controls.input(key)? {
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

impl<S: State> Inner<S> {
    /// The reader committed a change to `key`'s control: its value sets that field, and the
    /// settled state is held and shown (the changed field always, clamped or not, and any
    /// other field the rules between fields changed).
    fn changed(&self, key: &str) {
        let Some(raw) = self.controls.value(key) else { return };
        let (state, notices) = field::change(self.state.get(), key, &raw);
        self.hold(state, Some(key));
        // Taken out while it runs, so that it may use the form.
        let callback = self.on_change.borrow_mut().take();
        if let Some(mut f) = callback {
            f(state, notices);
            self.on_change.borrow_mut().get_or_insert(f);
        }
    }

    /// Holds `state` and shows it: the values it changed, and `key`'s (the reader's
    /// change, shown settled even when the state kept its value).
    fn hold(&self, state: S, key: Option<&str>) {
        let before = field::write(&self.state.replace(state));
        self.controls.show(&before, &field::write(&state), key);
    }
}

/// Replaces the items of `list` with `notices`.
pub fn show_notices(list: &Element, notices: &[Notice]) {
    list.set_inner_html("");
    for n in notices {
        let _ = list.append_child(&el("li").text(&n.0).build());
    }
}
