//! The player's listeners and observers go with it: the sandbox makes a new player on every
//! simulation, and nothing of the old ones may stay behind.

use cvp_model::state::SandboxState;
use cvp_web::address::Host;
use cvp_web::dom::{document, live_handlers};
use cvp_web::widgets::anim::mount_sandbox;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_hundred_simulations_leave_no_listener_or_observer_behind() {
    let root = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    // The smallest workload: the test counts handlers, not pixels.
    let (state, _) = SandboxState::from_query(&[("side".to_string(), "4".to_string())]);
    mount_sandbox(&root, Host::Page("leak-test".into()), state, vec![]);
    let simulate: HtmlElement =
        root.query_selector("[data-action=simulate]").unwrap().unwrap().unchecked_into();
    simulate.click();
    let after_one = live_handlers();
    for _ in 0..100 {
        simulate.click();
    }
    assert_eq!(live_handlers(), after_one, "handlers alive after 1 simulation, then after 101");
    assert_eq!(root.query_selector_all(".cvp-player").unwrap().length(), 1, "one player on the page");
    root.remove();
}
