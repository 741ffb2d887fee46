//! The race widget: threads of the pool add to one shared counter, first with a separate
//! load and store, then with an atomic add, then under a lock; the counts, the increments
//! lost and what each increment cost, measured. The loops, the rules and every sentence
//! are `cvp_model::race`'s, as is the guess asked before the run (the share the racy way
//! loses); this module runs the three and writes what they said.

use super::form::Form;
use super::guess::GuessBox;
use super::kit::{Button, Layout, Role, Shell};
use crate::address::Host;
use crate::client::Runner;
use crate::dom::{el, find, toggle_attr};
use cvp_model::embed::ToEmbedder;
use cvp_model::query::Notice;
use cvp_model::race::{self, grouped, Counted, Method};
use cvp_model::stage::Stage;
use cvp_model::state::{RaceState, WidgetState};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

/// The widget's heading, also its embed snippet's title.
pub const TITLE: &str = "Races: threads adding to one counter";

struct Widget {
    shell: Shell,
    form: Form<RaceState>,
    table: Element,
    verdict: Element,
    guess: GuessBox,
}

/// Mounts the race into `root`, showing `state`, hosted as `host`.
pub fn mount(root: &Element, runner: Runner, host: Host, state: RaceState, notices: Vec<Notice>) {
    let form = Form::new(state);
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
    let refusal = el("p").class("cvp-isolation").attr("hidden", "").build();
    let guess = GuessBox::new(&race::ASK);
    let shell = Shell::mount(
        root,
        &runner,
        Layout {
            class: "cvp-race-widget",
            title: TITLE,
            host: &host,
            buttons: &[Button { action: "run", text: "Run the race", role: Role::Primary }],
            head: vec![form.element().clone(), guess.controls()],
            between: vec![],
            body: vec![refusal.clone(), table.clone(), verdict.clone(), guess.said()],
        },
        "Starting the threads…",
    );
    shell.tell(&notices);
    let widget = Rc::new(RefCell::new(Widget { shell: shell.clone(), form, table, verdict, guess }));
    let weak = Rc::downgrade(&widget);
    let share = shell.share(host, TITLE, move || {
        let state = weak.upgrade().map_or(state, |w| w.borrow().form.state());
        WidgetState::Race(RaceState { autorun: false, ..state })
    });
    {
        let shell = shell.clone();
        widget.borrow().form.on_change(move |_, told| {
            shell.tell(&told);
            share.changed();
        });
    }
    {
        let w = widget.clone();
        shell.on("run", move || start(&w));
    }
    let ready = widget.clone();
    runner.when_ready(move |caps| {
        match race::unavailable(caps, crate::embedder::framed()) {
            // Nothing stands in for threads: say why, and run nothing.
            Some(why) => {
                refusal.set_inner_html("");
                let _ = refusal.append_child(&el("strong").text("Threads are unavailable here. ").build());
                let _ = refusal.append_with_str_1(&why);
                toggle_attr(&refusal, "hidden", false);
                shell.say("Nothing ran: see why below.");
                shell.set_stage(Stage::Unavailable);
            }
            None => {
                shell.say(&format!(
                    "Ready: the threads are Web Workers sharing one memory, on {} hardware threads.",
                    caps.hardware_threads
                ));
                shell.set_stage(Stage::Ready);
                if state.autorun {
                    start(&ready);
                }
            }
        }
    });
}

fn start(widget: &Rc<RefCell<Widget>>) {
    let (shell, state) = {
        let w = widget.borrow();
        if !w.shell.can_start() {
            return;
        }
        // The form told what it changed as it changed it; a run starts with a clean list.
        w.shell.tell(&[]);
        w.guess.take();
        w.shell.set_stage(Stage::Running);
        (w.shell.clone(), w.form.state())
    };
    let widget = widget.clone();
    crate::fault::spawn_local(async move {
        match run_all(&widget, &shell, state).await {
            Ok(runs) if runs.iter().all(|c| c.check().is_ok()) => shell.set_stage(Stage::Done),
            // A correct way lost increments: each sentence says it is a bug.
            Ok(_) => shell.set_stage(Stage::Failed),
            Err(e) => {
                shell.say(&format!("The race stopped: {e}"));
                shell.set_stage(Stage::Failed);
            }
        }
    });
}

async fn run_all(
    widget: &Rc<RefCell<Widget>>,
    shell: &Shell,
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
        shell.say(&format!("Running: {}…", method.label().to_lowercase()));
        let counted = shell.runner().race_to_end(state.race(method)).await?;
        show(&widget.borrow(), &counted);
        if method == Method::Racy {
            widget.borrow().guess.reveal(race::outcome(&counted));
        }
        runs.push(counted);
    }
    let w = widget.borrow();
    if let Some(costs) = race::costs(&runs) {
        let _ = w.verdict.append_child(&el("p").attr("data-say", "costs").text(&costs).build());
    }
    let lost = runs.iter().find(|c| c.race.method == Method::Racy).map_or(0, Counted::lost);
    shell.say(&format!(
        "Done: three races of {} increments each; the racy one lost {}.",
        grouped(state.race(Method::Racy).total()),
        grouped(lost)
    ));
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
