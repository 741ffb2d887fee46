//! traces.html: a trace file the reader drops or picks (or the sample the site ships),
//! read by `cvp_model::import` and played by the same player as every animation.
//!
//! The file is read in the page with `File.text()`: nothing is sent anywhere (the page's
//! Content-Security-Policy would not let it). The sizes and contents refused, and why,
//! are the model's; this only wires the drop zone, the file input and the player.

use super::player::Player;
use crate::dom::{el, listen};
use cvp_model::import::{from_chrome_trace, refuse_size, Imported, Shown};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlInputElement};

/// The sample: tools/pytrace.py run on tests/fixtures/students/threads_and_lock.py.
const SAMPLE: &str = "./sample-trace.json";

struct Page {
    root: Element,
    status: Element,
    notes: Element,
    holder: Element,
    /// The player of the trace shown; replaced by the next file's.
    player: Option<Player>,
}

/// Mounts the trace viewer into `root` (traces.html's `[data-traces]`).
pub fn mount(root: &Element) {
    let _ = root.class_list().add_2("cvp-widget", "cvp-traces");
    let input: HtmlInputElement = el("input")
        .attr("type", "file")
        .attr("accept", ".json,application/json")
        .attr("id", "cvp-trace-file")
        .class("cvp-file")
        .build()
        .unchecked_into();
    let sample =
        el("button").attr("type", "button").attr("data-action", "sample").text("Load the sample").build();
    let drop = el("div")
        .class("cvp-drop")
        .attr("data-drop", "")
        .child(el("p").text("Drop a trace file here (JSON, Chrome's trace format), or:"))
        .child(
            el("p")
                .class("cvp-drop-actions")
                // The input before its label, so that the label can show the input's focus.
                .child(&input)
                .child(
                    el("label").attr("for", "cvp-trace-file").class("cvp-file-label").text("Choose a file"),
                )
                .child(&sample),
        )
        .build();
    let status = el("p").class("cvp-trace-status").attr("role", "status").attr("aria-live", "polite").build();
    let notes = el("ul").class("cvp-trace-notes").build();
    let holder = el("div").class("cvp-trace-player").build();
    root.set_inner_html("");
    for child in [&drop, &status, &notes, &holder] {
        let _ = root.append_child(child);
    }
    set_shown(root, Shown::Empty);
    status.set_text_content(Some("No trace loaded yet."));
    let page = Rc::new(RefCell::new(Page { root: root.clone(), status, notes, holder, player: None }));

    let p = page.clone();
    let picked = input.clone();
    listen(&input, "change", move |_| {
        if let Some(file) = picked.files().and_then(|f| f.get(0)) {
            read_file(&p, file);
        }
        // The same file picked again (after editing it) is read again.
        picked.set_value("");
    });
    let p = page.clone();
    listen(&sample, "click", move |_| {
        set_shown(&p.borrow().root, Shown::Reading);
        let p = p.clone();
        crate::fault::spawn_local(async move {
            let text = fetch_text(SAMPLE).await;
            match text {
                Ok(text) => show(&p, "Sample: four threads and a lock (pytrace.py)", &text),
                Err(e) => refuse(&p, &format!("The sample could not be loaded: {e}")),
            }
        });
    });
    for (event, on) in [("dragenter", true), ("dragover", true), ("dragleave", false)] {
        let zone = drop.clone();
        listen(&drop, event, move |e| {
            e.prevent_default();
            crate::dom::toggle_attr(&zone, "data-over", on);
        });
    }
    let zone = drop.clone();
    let p = page.clone();
    listen(&drop, "drop", move |e| {
        e.prevent_default();
        crate::dom::toggle_attr(&zone, "data-over", false);
        let e: web_sys::DragEvent = e.unchecked_into();
        if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            read_file(&p, file);
        }
    });
}

/// The viewer's `data-state`, written from the model's type only.
fn set_shown(root: &Element, shown: Shown) {
    let _ = root.set_attribute("data-state", shown.key());
}

/// Reads `file` in the page (never uploaded), refusing one too large before reading it.
fn read_file(page: &Rc<RefCell<Page>>, file: web_sys::File) {
    if let Some(why) = refuse_size(file.size()) {
        refuse(page, &why);
        return;
    }
    let name = file.name();
    {
        let p = page.borrow();
        set_shown(&p.root, Shown::Reading);
        p.status.set_text_content(Some(&format!("Reading {name}…")));
    }
    let page = page.clone();
    crate::fault::spawn_local(async move {
        match JsFuture::from(file.text()).await.map(|t| t.as_string().unwrap_or_default()) {
            Ok(text) => show(&page, &name, &text),
            Err(e) => refuse(&page, &format!("The file could not be read: {e:?}")),
        }
    });
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{e:?}"))?.unchecked_into();
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text =
        JsFuture::from(response.text().map_err(|e| format!("{e:?}"))?).await.map_err(|e| format!("{e:?}"))?;
    Ok(text.as_string().unwrap_or_default())
}

/// Says why nothing new is shown; the trace shown before, if any, stays.
fn refuse(page: &Rc<RefCell<Page>>, why: &str) {
    let p = page.borrow();
    set_shown(&p.root, Shown::Refused);
    p.status.set_text_content(Some(&format!("Not loaded. {why}")));
    p.notes.set_text_content(None);
}

fn show(page: &Rc<RefCell<Page>>, title: &str, text: &str) {
    let Imported { trace, notes } = match from_chrome_trace(text) {
        Ok(read) => read,
        Err(why) => return refuse(page, &why),
    };
    let player = match Player::new(&[title.to_string()], "tasks", false, false) {
        Ok(player) => player,
        Err(e) => return refuse(page, &format!("This browser cannot draw it: {e:?}")),
    };
    let mut p = page.borrow_mut();
    p.holder.set_inner_html("");
    let _ = p.holder.append_child(&player.element());
    player.load(vec![trace], None);
    p.status.set_text_content(Some(&format!("Loaded {title}.")));
    p.notes.set_text_content(None);
    for note in notes {
        let _ = p.notes.append_child(&el("li").text(&note).build());
    }
    p.player = Some(player);
    set_shown(&p.root, Shown::Loaded);
}
