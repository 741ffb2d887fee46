//! The race widget: threads of the pool add to one shared counter, first with a separate
//! load and store, then with an atomic add, then under a lock; the counts, the increments
//! lost and what each increment cost, measured. The loops, the rules and every sentence
//! are `cvp_model::race`'s; this module runs the three and writes what they said.

use super::form::{show_notices, Form};
use super::share::Share;
use crate::address::Host;
use crate::client::Runner;
use crate::dom::{el, find, listen, toggle_attr};
use crate::worker::protocol::Capabilities;
use cvp_model::embed::ToEmbedder;
use cvp_model::query::Notice;
use cvp_model::race::{self, grouped, Counted, Method};
use cvp_model::state::{RaceState, WidgetState};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlButtonElement};

const TITLE: &str = "Races: threads adding to one counter";

struct Widget {
    root: Element,
    runner: Runner,
    caps: Option<Capabilities>,
    form: Form<RaceState>,
    status: Element,
    notices: Element,
    table: Element,
    verdict: Element,
    running: bool,
}

/// Mounts the race into `root`, showing `state`, hosted as `host`.
pub fn mount(root: &Element, runner: Runner, host: Host, state: RaceState, notices: Vec<Notice>) {
    let form = Form::new(state);
    let status = el("p").class("cvp-status").attr("role", "status").attr("aria-live", "polite").build();
    status.set_text_content(Some("Starting the threads…"));
    let notices_list = el("ul").class("cvp-notices").build();
    show_notices(&notices_list, &notices);
    let table = el("table")
        .class("cvp-results cvp-race")
        .attr("hidden", "")
        .child(el("caption"))
        .child(
            el("thead").child(
                el("tr").children(
                    ["each thread runs", "count", "lost", "per increment"]
                        .map(|h| el("th").attr("scope", "col").text(h).build()),
                ),
            ),
        )
        .child(el("tbody"))
        .build();
    let verdict = el("div").class("cvp-verdict").attr("aria-live", "polite").build();
    let run =
        el("button").attr("type", "button").attr("data-action", "run").class("primary").text("Run the race");
    root.set_inner_html("");
    let _ = root.class_list().add_2("cvp-widget", "cvp-race-widget");
    let _ = root.set_attribute("data-state", "starting");
    for child in [
        el("h3").text(TITLE).build(),
        form.element().clone(),
        el("div").class("cvp-buttons").child(run).build(),
        status.clone(),
        el("p").class("cvp-isolation").attr("hidden", "").build(),
        notices_list.clone(),
        table.clone(),
        verdict.clone(),
    ] {
        let _ = root.append_child(&child);
    }
    let widget = Rc::new(RefCell::new(Widget {
        root: root.clone(),
        runner: runner.clone(),
        caps: None,
        form,
        status,
        notices: notices_list,
        table,
        verdict,
        running: false,
    }));
    let weak = Rc::downgrade(&widget);
    let share = Share::new(host, TITLE, root, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        WidgetState::Race(RaceState { autorun: false, ..state })
    });
    let _ = root.append_child(&share.element());
    {
        let (w, share) = (Rc::downgrade(&widget), share.clone());
        widget.borrow().form.on_change(move |_, told| {
            if let Some(w) = w.upgrade() {
                show_notices(&w.borrow().notices, &told);
            }
            share.changed();
        });
    }
    if let Some(button) = find::<Element>(root, "[data-action=run]") {
        let w = widget.clone();
        listen(&button, "click", move |_| start(&w));
    }
    let ready = widget.clone();
    runner.when_ready(move |caps| {
        let can = {
            let mut w = ready.borrow_mut();
            w.caps = Some(caps.clone());
            match race::unavailable(caps) {
                Some(why) => {
                    let _ = w.root.set_attribute("data-state", "unavailable");
                    let note: Element = find(&w.root, ".cvp-isolation").expect("built in mount()");
                    note.set_inner_html("");
                    let _ = note.append_child(&el("strong").text("Threads are unavailable here. ").build());
                    let _ = note.append_with_str_1(&why);
                    toggle_attr(&note, "hidden", false);
                    w.status.set_text_content(Some("Nothing ran: see why below."));
                    false
                }
                None => {
                    let _ = w.root.set_attribute("data-state", "ready");
                    w.status.set_text_content(Some(&format!(
                        "Ready: the threads are Web Workers sharing one memory, on {} hardware threads.",
                        caps.hardware_threads
                    )));
                    true
                }
            }
        };
        ready.borrow().set_button();
        if can && state.autorun {
            start(&ready);
        }
    });
    let busy = Rc::downgrade(&widget);
    runner.watch_busy(move |_| {
        if let Some(w) = busy.upgrade() {
            w.borrow().set_button();
        }
    });
}

impl Widget {
    fn can_run(&self) -> bool {
        self.caps.as_ref().is_some_and(|c| race::unavailable(c).is_none())
            && !self.running
            && !self.runner.busy()
    }

    fn set_button(&self) {
        if let Some(b) = find::<HtmlButtonElement>(&self.root, "[data-action=run]") {
            b.set_disabled(!self.can_run());
        }
    }
}

fn start(widget: &Rc<RefCell<Widget>>) {
    let (runner, state) = {
        let mut w = widget.borrow_mut();
        if !w.can_run() {
            return;
        }
        let state = w.form.state();
        // The form told what it changed as it changed it; a run starts with a clean list.
        show_notices(&w.notices, &[]);
        w.running = true;
        w.set_button();
        let _ = w.root.set_attribute("data-state", "running");
        (w.runner.clone(), state)
    };
    let widget = widget.clone();
    crate::fault::spawn_local(async move {
        let result = run_all(&widget, &runner, state).await;
        let mut w = widget.borrow_mut();
        w.running = false;
        let state = match result {
            Ok(runs) if runs.iter().all(|c| c.check().is_ok()) => "done",
            Ok(_) => "error",
            Err(e) => {
                w.status.set_text_content(Some(&format!("The race stopped: {e}")));
                "error"
            }
        };
        let _ = w.root.set_attribute("data-state", state);
        w.set_button();
    });
}

async fn run_all(
    widget: &Rc<RefCell<Widget>>,
    runner: &Runner,
    state: RaceState,
) -> Result<Vec<Counted>, String> {
    {
        let w = widget.borrow();
        if let Some(caption) = find::<Element>(&w.table, "caption") {
            caption.set_text_content(Some(&format!(
                "Measured on this machine: {} threads, {} increments each, {} in all",
                state.threads,
                grouped(state.increments as u64),
                grouped(state.race(Method::Racy).total())
            )));
        }
        if let Some(body) = find::<Element>(&w.table, "tbody") {
            body.set_inner_html("");
        }
        w.verdict.set_inner_html("");
        toggle_attr(&w.table, "hidden", false);
    }
    let mut runs = Vec::new();
    for method in Method::ALL {
        widget
            .borrow()
            .status
            .set_text_content(Some(&format!("Running: {}…", method.label().to_lowercase())));
        let counted = runner.race_to_end(state.race(method)).await?;
        show(&widget.borrow(), &counted);
        runs.push(counted);
    }
    let w = widget.borrow();
    if let Some(costs) = race::costs(&runs) {
        let _ = w.verdict.append_child(&el("p").attr("data-say", "costs").text(&costs).build());
    }
    let lost = runs.iter().find(|c| c.race.method == Method::Racy).map_or(0, Counted::lost);
    w.status.set_text_content(Some(&format!(
        "Done: three races of {} increments each; the racy one lost {}.",
        grouped(state.race(Method::Racy).total()),
        grouped(lost)
    )));
    crate::embedder::post(&ToEmbedder::race(&runs));
    Ok(runs)
}

/// Adds `c`'s row to the table and its sentence under it.
fn show(w: &Widget, c: &Counted) {
    let method = c.race.method;
    if let Some(body) = find::<Element>(&w.table, "tbody") {
        let row = el("tr")
            .attr("data-method", method.key())
            .attr("data-count", &c.count.to_string())
            .attr("data-total", &c.race.total().to_string())
            .attr("data-lost", &c.lost().to_string())
            .attr("data-ns", &format!("{:.3}", c.ns_per_increment()))
            .child(
                el("th")
                    .attr("scope", "row")
                    .child(el("span").text(method.label()))
                    .child(el("code").text(method.code())),
            )
            .child(el("td").text(&grouped(c.count)))
            .child(el("td").text(&grouped(c.lost())))
            .child(el("td").text(&race::ns(c.ns_per_increment())));
        let _ = body.append_child(&row.build());
    }
    let _ = w.verdict.append_child(&el("p").attr("data-say", method.key()).text(&c.sentence()).build());
}
