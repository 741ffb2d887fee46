//! Faults, contained: a panic in one widget's code replaces that widget with an error box
//! (the panic's message and a "Reload this widget" button) and leaves every other widget
//! running.
//!
//! Code that runs for a widget runs within its mount ([`Scope::run`]): DOM events through
//! [`crate::dom::listen`], animation frames, run events, the runner's busy and ready
//! callbacks ([`scoped`]), and each poll of its futures ([`spawn_local`]). A panic ends in a
//! trap (a `WebAssembly.RuntimeError`), which unwinds to the browser's event loop; that calls
//! the next callback as usual, so other widgets' state is untouched. The site's build aborts
//! at once on panic (`-Cpanic=immediate-abort`, scripts/setup.sh's `cvp_wasm`): no hook runs
//! and the panic's message is not in the wasm, so the page's listener for uncaught errors
//! finds the widget whose code was running (the trap cut its [`Scope::run`] short, leaving it
//! current) and paints the box there, with what the engine says and where in the wasm it
//! stopped. Builds that keep panic messages (the tests', a debug build) paint it from the
//! panic hook, with the message. Each mount of a widget is a new
//! *generation* (an attribute on its root); the box ends the failed generation, so that
//! the failed widget's leftover callbacks (an animation loop, say) see it is over and stop.

use std::cell::RefCell;
use std::future::Future;
use std::task::Poll;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event};

const GENERATION: &str = "data-generation";

thread_local! {
    // The widget whose code is running, and its generation then.
    static CURRENT: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// One mount of one widget: its root and generation.
#[derive(Clone)]
pub struct Scope {
    root: Element,
    generation: u32,
}

impl Scope {
    /// The current mount of the widget at `root`.
    pub fn of(root: &Element) -> Scope {
        Scope { root: root.clone(), generation: generation(root) }
    }

    /// Whether this mount still stands (no panic ended it, no reload replaced it).
    pub fn alive(&self) -> bool {
        generation(&self.root) == self.generation
    }

    /// Runs `f` as this widget's code; a dead mount's callbacks do nothing.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> Option<R> {
        if !self.alive() {
            return None;
        }
        let outer = CURRENT.with(|c| c.replace(Some(self.clone())));
        let result = f();
        CURRENT.with(|c| *c.borrow_mut() = outer);
        Some(result)
    }
}

/// The mount whose code is running now, if any.
pub fn current() -> Option<Scope> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `f` within `scope` (see [`Scope::run`]), or as is outside any mount.
pub fn run_in(scope: &Option<Scope>, f: impl FnOnce()) {
    match scope {
        Some(scope) => {
            scope.run(f);
        }
        None => f(),
    }
}

/// Wraps a callback so that it runs within the mount whose code is running now (and does
/// nothing once that mount has ended); outside any mount, it runs as is.
pub fn scoped<T>(mut f: impl FnMut(T) + 'static) -> impl FnMut(T) + 'static {
    let scope = current();
    move |x| run_in(&scope, || f(x))
}

/// Spawns `future` on this thread's event loop within the mount whose code is running now:
/// each poll runs as that widget's code, so a panic in it shows that widget's error box,
/// and once the mount has ended the future is dropped at its next wake.
pub fn spawn_local(future: impl Future<Output = ()> + 'static) {
    let scope = current();
    let mut future = Box::pin(future);
    wasm_bindgen_futures::spawn_local(std::future::poll_fn(move |cx| match &scope {
        Some(scope) => scope.run(|| future.as_mut().poll(cx)).unwrap_or(Poll::Ready(())),
        None => future.as_mut().poll(cx),
    }));
}

fn generation(root: &Element) -> u32 {
    root.get_attribute(GENERATION).and_then(|g| g.parse().ok()).unwrap_or(0)
}

/// Starts a new mount of the widget at `root` (ending any earlier one) and returns it.
pub fn begin(root: &Element) -> Scope {
    let _ = root.set_attribute(GENERATION, &(generation(root) + 1).to_string());
    Scope::of(root)
}

/// Runs an event's handler within the widget the event's target belongs to, if any.
pub fn within_event(event: &Event, f: impl FnOnce()) {
    let root = event
        .current_target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| e.closest("[data-widget]").ok().flatten());
    match root {
        Some(root) => {
            Scope::of(&root).run(f);
        }
        None => f(),
    }
}

/// The page's panic hook (the console's report, then the error box in the widget whose code
/// panicked) and its listener for traps that no hook saw (see the module's notes). `remount`
/// mounts a fresh widget at a root (the reload button).
pub fn install(remount: fn(&Element)) {
    if let Some(window) = web_sys::window() {
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| on_uncaught(&event, remount));
        for name in ["error", "unhandledrejection"] {
            let _ = window.add_event_listener_with_callback(name, on_error.as_ref().unchecked_ref());
        }
        // Lives as long as the page.
        on_error.forget();
    }
    std::panic::set_hook(Box::new(move |info| {
        console_error_panic_hook::hook(info);
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        if let Some(scope) = CURRENT.with(|c| c.borrow_mut().take()) {
            show(&scope.root, &message, remount);
        }
        // A panic inside a future stops the loop that polls this thread's futures, and
        // the others already woken would wait for the next wake: schedule one.
        wasm_bindgen_futures::spawn_local(async {});
    }));
}

/// The page's listener for uncaught errors and unhandled rejections: a trap (a panic that
/// no hook saw) in a widget's code shows that widget's error box.
fn on_uncaught(event: &JsValue, remount: fn(&Element)) {
    // An ErrorEvent's `error`, or an unhandled rejection's `reason`.
    let trap = ["error", "reason"].into_iter().find_map(|key| {
        js_sys::Reflect::get(event, &key.into())
            .ok()
            .filter(|value| value.is_instance_of::<js_sys::WebAssembly::RuntimeError>())
    });
    let Some(trap) = trap else { return };
    if let Some(scope) = CURRENT.with(|c| c.borrow_mut().take()) {
        show(&scope.root, &trap_message(&trap), remount);
    }
    // As in the panic hook: the futures the trap left queued run on the next wake.
    wasm_bindgen_futures::spawn_local(async {});
}

/// The best a trap can say without the panic's message: the engine's words ("RuntimeError:
/// unreachable" for a panic) and the function it stopped in, whose name the unstripped
/// `target/wasm-bindgen/release/cvp-web_bg.wasm` gives.
fn trap_message(trap: &JsValue) -> String {
    let error: &js_sys::Error = trap.unchecked_ref();
    let mut message = String::from(error.to_string());
    let stack =
        js_sys::Reflect::get(trap, &"stack".into()).ok().and_then(|s| s.as_string()).unwrap_or_default();
    if let Some(at) = stack.lines().find_map(|line| line.find("wasm-function[").map(|i| &line[i..])) {
        message.push_str(" at ");
        message.push_str(at.trim_end_matches(')'));
    }
    // Chromium and Firefox say "unreachable", WebKit "Unreachable" (no to_lowercase: its
    // Unicode tables would cost more than the whole listener).
    if ["unreachable", "Unreachable"].iter().any(|word| message.contains(word)) {
        message.push_str("\n(a panic: this build leaves panic messages out, to download less)");
    }
    message
}

/// Replaces the widget at `root` with the error box, ending its mount. Built with web-sys
/// alone: `dom`'s helpers run their callbacks through this module.
fn show(root: &Element, message: &str, remount: fn(&Element)) {
    begin(root);
    let _ = root.set_attribute("data-state", cvp_model::stage::Stage::Failed.key());
    let Some(doc) = root.owner_document() else { return };
    let make = |tag: &str, class: &str, text: &str| {
        let e = doc.create_element(tag).ok()?;
        if !class.is_empty() {
            e.set_class_name(class);
        }
        e.set_text_content(Some(text));
        Some(e)
    };
    let text = "This widget stopped because of a bug: the other widgets on the page still work.";
    let (Some(report), Some(note), Some(pre), Some(button)) = (
        make("div", "cvp-fault", ""),
        make("p", "", text),
        make("pre", "cvp-fault-message", message),
        make("button", "", "Reload this widget"),
    ) else {
        return;
    };
    let _ = report.set_attribute("role", "alert");
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("data-action", "reload-widget");
    let root_for_reload = root.clone();
    let reload = Closure::<dyn FnMut()>::new(move || {
        root_for_reload.set_text_content(None);
        remount(&root_for_reload);
    });
    let _ = button.add_event_listener_with_callback("click", reload.as_ref().unchecked_ref());
    // Lives as long as the page, like every listener of `dom::listen`.
    reload.forget();
    for child in [&note, &pre, &button] {
        let _ = report.append_child(child);
    }
    root.set_text_content(None);
    let _ = root.append_child(&report);
}
