//! Animation widgets: a preset of the post (or the sandbox) simulated on one seeded
//! workload and played in compared panels.

use super::form::{param_field, show_notices};
use super::player::Player;
use crate::dom::{el, listen};
use cvp_model::job::find;
use cvp_model::presets::{Preset, Sandbox, SANDBOX_PARAMS};
use cvp_model::{Strategy, Trace};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlSelectElement};

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

/// Mounts the preset named `key` into `root`; `seed` from the URL or `data-seed`.
pub fn mount_preset(root: &Element, key: &str, query: &[(String, String)]) {
    let Some(preset) = Preset::find(key) else {
        root.set_text_content(Some(&format!("Unknown animation {key:?}.")));
        let _ = root.set_attribute("data-state", "error");
        return;
    };
    let seed = find(query, "seed")
        .map(str::to_string)
        .or_else(|| root.get_attribute("data-seed"))
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1);
    let traces = preset.simulate(seed);
    let Some(player) = player_for(&traces, root) else { return };
    let _ = root.class_list().add_2("cvp-widget", "cvp-anim");
    let _ = root.set_attribute("data-state", "ready");
    let header = el("div").class("cvp-anim-head").child(el("h3").text(preset.title)).build();
    root.set_inner_html("");
    let _ = root.append_child(&header);
    let _ = root.append_child(&player.element());
    player.load(traces.into_iter().map(|(_, t)| t).collect());
    PRESET_PLAYERS.with(|players| players.borrow_mut().push(player.clone()));
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
            p.load(preset.simulate(random_seed()).into_iter().map(|(_, t)| t).collect());
            p.set_playing(true);
        });
    }
}

/// Mounts the sandbox: every knob of the simulator, read through one parameter table.
pub fn mount_sandbox(root: &Element, query: &[(String, String)]) {
    let _ = root.class_list().add_2("cvp-widget", "cvp-sandbox");
    root.set_inner_html("");
    let form = el("div").class("cvp-form").build();
    let mut inputs = Vec::new();
    for p in &SANDBOX_PARAMS {
        let (label, input) = param_field(p);
        let _ = form.append_child(&label);
        inputs.push((p.key, input));
    }
    let strategy: HtmlSelectElement = el("select").attr("name", "strategy").build().unchecked_into();
    let _ = strategy.append_child(&el("option").attr("value", "all").text("compare all").build());
    for s in Strategy::ALL {
        let _ = strategy.append_child(&el("option").attr("value", s.key()).text(s.label()).build());
    }
    strategy.set_value(find(query, "strategy").filter(|k| Strategy::from_key(k).is_some()).unwrap_or("all"));
    let _ = form.append_child(&el("label").child(el("span").text("strategy")).child(&strategy).build());
    let go = el("button")
        .attr("type", "button")
        .attr("data-action", "simulate")
        .class("primary")
        .text("Simulate")
        .build();
    let notices = el("ul").class("cvp-notices").attr("aria-live", "polite").build();
    let slot = el("div").class("cvp-sandbox-player").build();
    for child in [
        el("h3").text("Sandbox: your own workload").build(),
        form,
        el("div").class("cvp-buttons").child(&go).build(),
        notices.clone(),
        slot.clone(),
    ] {
        let _ = root.append_child(&child);
    }
    let current: Rc<RefCell<Option<Player>>> = Rc::default();
    let simulate = {
        let root = root.clone();
        let strategy = strategy.clone();
        let inputs = inputs.clone();
        move |pairs: &[(String, String)]| {
            let (sandbox, told) = Sandbox::from_query(pairs);
            show_notices(&notices, &told);
            // Write the clamped values back, so the form shows what was simulated.
            let (spec, panels) = (&sandbox.spec, &sandbox.panels);
            for (key, input) in &inputs {
                let v = match *key {
                    "side" => sandbox.side as f64,
                    "load_min" => spec.load.min,
                    "load_max" => spec.load.max,
                    "render_min" => spec.render.min,
                    "render_max" => spec.render.max,
                    "workers" => panels.first().and_then(|(_, c)| c.workers).unwrap_or(0) as f64,
                    "cores" => panels.first().and_then(|(_, c)| c.cores).unwrap_or(0) as f64,
                    "startup" => panels.first().map_or(0.0, |(_, c)| c.startup_ms),
                    _ => spec.seed as f64,
                };
                input.set_value(&v.to_string());
            }
            let keys: Vec<&str> = sandbox.panels.iter().map(|(_, c)| c.strategy.key()).collect();
            strategy.set_value(if keys.len() == 1 { keys[0] } else { "all" });
            let traces = sandbox.simulate();
            let Some(player) = player_for(&traces, &root) else { return };
            slot.set_inner_html("");
            let _ = slot.append_child(&player.element());
            player.load(traces.into_iter().map(|(_, t)| t).collect());
            *current.borrow_mut() = Some(player);
            let _ = root.set_attribute("data-state", "ready");
        }
    };
    // The first simulation reads the URL itself: a number field would silently drop a
    // value such as "abc" that the reader should hear about.
    simulate(query);
    listen(&go, "click", move |_| {
        let mut pairs: Vec<(String, String)> =
            inputs.iter().map(|(k, i)| (k.to_string(), i.value())).collect();
        pairs.push(("strategy".into(), strategy.value()));
        simulate(&pairs);
    });
}
