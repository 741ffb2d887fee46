//! Form pieces the widgets share: number fields generated from a parameter table, and the
//! list of notices that tells the reader what was changed.

use crate::dom::el;
use cvp_model::job::{Notice, Param};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

/// A labelled number field for `param`, bounded by its range, starting at its default.
pub fn param_field(param: &Param) -> (Element, HtmlInputElement) {
    let input: HtmlInputElement = el("input")
        .attr("type", "number")
        .attr("name", param.key)
        .attr("min", &param.min.to_string())
        .attr("max", &param.max.to_string())
        .attr("value", &param.default.to_string())
        .attr("inputmode", "numeric")
        .build()
        .unchecked_into();
    let label = el("label")
        .attr("title", param.doc)
        .child(el("span").text(&param.key.replace('_', " ")))
        .child(&input)
        .build();
    (label, input)
}

/// Replaces the items of `list` with `notices`.
pub fn show_notices(list: &Element, notices: &[Notice]) {
    list.set_inner_html("");
    for n in notices {
        let _ = list.append_child(&el("li").text(&n.0).build());
    }
}
