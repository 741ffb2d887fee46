//! Form pieces the widgets share: a form generated from a parameter table (number fields,
//! plus choice lists), read as query pairs and filled from them, so that a widget's state
//! goes through the same `from_query`/`to_query` as its URL; and the list of notices that
//! tells the reader what was changed.

use crate::dom::{el, listen};
use cvp_model::query::{Notice, Pairs, Param};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// One field, known by its query key.
enum Field {
    Number(HtmlInputElement),
    Choice(HtmlSelectElement),
}

/// The fields of a widget's form, in order.
pub struct Form {
    element: Element,
    fields: Vec<(&'static str, Field)>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Form {
        Form { element: el("div").class("cvp-form").build(), fields: Vec::new() }
    }

    /// Adds a labelled number field for each of `params`, bounded by its range.
    pub fn numbers(mut self, params: &[Param]) -> Form {
        for param in params {
            let input: HtmlInputElement = el("input")
                .attr("type", "number")
                .attr("name", param.key)
                .attr("min", &param.min.to_string())
                .attr("max", &param.max.to_string())
                .attr("step", if param.whole { "1" } else { "any" })
                .attr("value", &param.default.to_string())
                .attr("inputmode", if param.whole { "numeric" } else { "decimal" })
                .build()
                .unchecked_into();
            self.add(param.key, param.doc, input.clone().into());
            self.fields.push((param.key, Field::Number(input)));
        }
        self
    }

    /// Adds a choice list for `key`: (value, label) options.
    pub fn choice(mut self, key: &'static str, options: &[(&str, &str)]) -> Form {
        let select: HtmlSelectElement = el("select").attr("name", key).build().unchecked_into();
        for (value, label) in options {
            let _ = select.append_child(&el("option").attr("value", value).text(label).build());
        }
        self.add(key, "", select.clone().into());
        self.fields.push((key, Field::Choice(select)));
        self
    }

    fn add(&self, key: &str, doc: &str, control: Element) {
        let label = el("label")
            .attr("title", doc)
            .child(el("span").text(&key.replace('_', " ")))
            .child(&control)
            .build();
        let _ = self.element.append_child(&label);
    }

    /// The element to insert.
    pub fn element(&self) -> &Element {
        &self.element
    }

    /// Every field's value, as query pairs.
    pub fn pairs(&self) -> Pairs {
        self.fields
            .iter()
            .map(|(key, field)| {
                let value = match field {
                    Field::Number(i) => i.value(),
                    Field::Choice(s) => s.value(),
                };
                (key.to_string(), value)
            })
            .collect()
    }

    /// Shows `pairs` in the fields of the same keys (others are left alone).
    pub fn fill(&self, pairs: &[(String, String)]) {
        for (key, value) in pairs {
            match self.fields.iter().find(|(k, _)| k == key).map(|(_, f)| f) {
                Some(Field::Number(i)) => i.set_value(value),
                Some(Field::Choice(s)) => s.set_value(value),
                None => {}
            }
        }
    }

    /// The number field for `key`.
    pub fn number(&self, key: &str) -> Option<&HtmlInputElement> {
        self.fields.iter().find_map(|(k, f)| match f {
            Field::Number(i) if *k == key => Some(i),
            _ => None,
        })
    }

    /// The choice list for `key`.
    pub fn select(&self, key: &str) -> Option<&HtmlSelectElement> {
        self.fields.iter().find_map(|(k, f)| match f {
            Field::Choice(s) if *k == key => Some(s),
            _ => None,
        })
    }

    /// Calls `f` whenever the reader commits a change to any field.
    pub fn on_change(&self, mut f: impl FnMut() + 'static) {
        listen(&self.element, "change", move |_| f());
    }
}

/// Replaces the items of `list` with `notices`.
pub fn show_notices(list: &Element, notices: &[Notice]) {
    list.set_inner_html("");
    for n in notices {
        let _ = list.append_child(&el("li").text(&n.0).build());
    }
}
