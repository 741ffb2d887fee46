//! Animation widgets: a preset of the post (or the sandbox) simulated on one seeded
//! workload and played in compared panels. Their state (preset, seed, every sandbox knob,
//! the time shown) is `cvp_model::state`'s, so a link brings a frame back exactly.

use super::form::{show_notices, Form};
use super::player::Player;
use super::share::Share;
use crate::address::Host;
use crate::dom::{el, listen};
use cvp_model::query::Notice;
use cvp_model::state::{AnimState, SandboxState, WidgetState};
use cvp_model::Trace;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::Element;

thread_local! {
    /// The players of the page's presets. Their controls' listeners hold them weakly (so
    /// that the sandbox's replaced players can go), so something must own each for the
    /// page's lifetime: this list.
    static PRESET_PLAYERS: RefCell<Vec<Player>> = const { RefCell::new(Vec::new()) };
}

fn random_seed() -> u64 {
    (js_sys::Math::random() * 4_294_967_295.0) as u64
}

fn player_for(traces: &[(String, Trace)], root: &Element) -> Option<Player> {
    let titles: Vec<String> = traces.iter().map(|(l, _)| l.clone()).collect();
    match Player::new(&titles, "pixels", true, true) {
        Ok(p) => Some(p),
        Err(e) => {
            root.set_text_content(Some(&format!("This animation cannot draw here: {e:?}")));
            None
        }
    }
}

/// The time a link should bring back: none before the animation has moved.
fn link_time(player: &Player) -> Option<f64> {
    let t = player.time().round();
    (t > 0.0).then_some(t)
}

fn notices_list(notices: &[Notice]) -> Element {
    let list = el("ul").class("cvp-notices").attr("aria-live", "polite").build();
    show_notices(&list, notices);
    list
}

/// The sandbox's title, in its share row and on the teacher's page.
pub const SANDBOX_TITLE: &str = "Sandbox: your own workload";

/// Mounts the animation `state` describes into `root`, hosted as `host`.
pub fn mount_preset(root: &Element, host: Host, state: AnimState, notices: Vec<Notice>) {
    let preset = state.preset;
    let traces = preset.simulate(state.seed);
    let Some(player) = player_for(&traces, root) else { return };
    let _ = root.class_list().add_2("cvp-widget", "cvp-anim");
    let _ = root.set_attribute("data-state", cvp_model::stage::Stage::Ready.key());
    let header = el("div").class("cvp-anim-head").child(super::title(&host, preset.title)).build();
    root.set_inner_html("");
    for child in [header.clone(), notices_list(&notices), player.element()] {
        let _ = root.append_child(&child);
    }
    player.load(traces.into_iter().map(|(_, t)| t).collect(), state.t);
    PRESET_PLAYERS.with(|players| players.borrow_mut().push(player.clone()));
    let seed = Rc::new(Cell::new(state.seed));
    let share = {
        let (player, seed) = (player.clone(), seed.clone());
        Share::new(host, preset.title, root, move || {
            WidgetState::Anim(AnimState { preset, seed: seed.get(), t: link_time(&player) })
        })
    };
    let _ = root.append_child(&share.element());
    let settled = share.clone();
    player.on_settle(move || settled.changed());
    // A preset of fixed durations (the single pixels) has no other workload to draw.
    if preset.fixed_ms.is_none() {
        let reseed = el("button")
            .attr("type", "button")
            .attr("data-action", "reseed")
            .text("New random workload")
            .build();
        let _ = header.append_child(&reseed);
        let p = player.clone();
        listen(&reseed, "click", move |_| {
            seed.set(random_seed());
            p.load(preset.simulate(seed.get()).into_iter().map(|(_, t)| t).collect(), None);
            p.set_playing(true);
            share.changed();
        });
    }
}

/// Mounts the sandbox: every knob of the simulator, through one parameter table.
pub fn mount_sandbox(root: &Element, host: Host, state: SandboxState, notices: Vec<Notice>) {
    let _ = root.class_list().add_2("cvp-widget", "cvp-sandbox");
    root.set_inner_html("");
    let form = Form::new(state);
    let go = el("button")
        .attr("type", "button")
        .attr("data-action", "simulate")
        .class("primary")
        .text("Simulate")
        .build();
    let notices_el = notices_list(&notices);
    let slot = el("div").class("cvp-sandbox-player").build();
    for child in [
        super::title(&host, "Sandbox: your own workload"),
        form.element().clone(),
        el("div").class("cvp-buttons").child(&go).build(),
        notices_el.clone(),
        slot.clone(),
    ] {
        let _ = root.append_child(&child);
    }
    // What is simulated now, and its player: the share row reads both.
    let shown = Rc::new(Cell::new(state));
    let current: Rc<RefCell<Option<Player>>> = Rc::default();
    let share = {
        let (shown, current) = (shown.clone(), current.clone());
        Share::new(host, SANDBOX_TITLE, root, move || {
            let t = current.borrow().as_ref().and_then(link_time);
            WidgetState::Sandbox(SandboxState { t, ..shown.get() })
        })
    };
    let _ = root.append_child(&share.element());
    let simulate = {
        let (root, share) = (root.clone(), share.clone());
        move |state: SandboxState| {
            shown.set(state);
            let traces = state.sandbox().simulate();
            let Some(player) = player_for(&traces, &root) else { return };
            slot.set_inner_html("");
            let _ = slot.append_child(&player.element());
            player.load(traces.into_iter().map(|(_, t)| t).collect(), state.t);
            let settled = share.clone();
            player.on_settle(move || settled.changed());
            *current.borrow_mut() = Some(player);
            let _ = root.set_attribute("data-state", cvp_model::stage::Stage::Ready.key());
        }
    };
    simulate(state);
    // The form tells what it changed as the reader changes it, clamped values shown at once.
    form.on_change(move |_, told| show_notices(&notices_el, &told));
    listen(&go, "click", move |_| {
        // The form's settings, played from the start.
        simulate(SandboxState { t: None, ..form.state() });
        share.changed();
    });
}
