//! A player: one clock driving one or more panels (a canvas each, drawing a trace at the
//! clock's time), with play/pause, step, scrub, speed and replay.
//!
//! The player owns only the clock (a `cvp_scene::Playback`, whose rules are tested
//! natively); every frame is `cvp_scene::draw(trace, t, layout)`, so scrubbing, stepping,
//! reduced motion and links to a moment are just other values of `t`.

use super::icons;
use crate::canvas::Canvas;
use crate::dom::{el, listener, Listener, Watch};
use crate::download;
use cvp_model::export;
use cvp_scene::{
    account, draw_prepared, format_duration, lane_rows, summary, Layout, Playback, Prepared, Start, Style,
    LANE_COLUMNS,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlButtonElement, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// One canvas and the trace it shows.
struct Panel {
    canvas: Canvas,
    element: HtmlCanvasElement,
    prepared: Option<Prepared>,
    title: String,
    show_grid: bool,
    /// What the canvas shows now: a frame asking for the same is skipped.
    drawn: Option<Drawn>,
}

/// Everything a panel's picture depends on, besides its trace and title.
#[derive(Clone, Debug, PartialEq)]
struct Drawn {
    /// The time drawn, at most the panel's makespan (the picture of a run that has ended
    /// does not change: `cvp_scene::draw` clamps it too).
    t: f64,
    width: f64,
    height: f64,
    pixel_ratio: f64,
    time_max: f64,
    style: Style,
}

/// The clock and what the browser adds to it: whether the player is on screen, and
/// whether an animation frame is already requested.
struct Clock {
    playback: Playback,
    visible: bool,
    /// The animation frame requested and not yet run.
    frame_pending: Option<i32>,
}

struct Inner {
    root: Element,
    panels: Vec<Panel>,
    clock: Clock,
    noun: &'static str,
    play: HtmlButtonElement,
    scrub: HtmlInputElement,
    time: Element,
    live: Element,
    autoplay: bool,
    /// Play when next on screen: set by autoplay and when scrolling away (or hiding the
    /// tab) paused a playing animation; cleared as soon as the reader takes control.
    resume_on_view: bool,
    frame: Option<Closure<dyn FnMut(f64)>>,
    /// The text alternative of the canvases: a table per panel.
    alt: Element,
    /// Called when the reader has moved the clock (paused, stepped, scrubbed).
    on_settle: Option<Rc<dyn Fn()>>,
    /// Its listeners and observers, removed with it: the sandbox makes a new player on every
    /// simulation, and the document outlives them all.
    listeners: Vec<Listener>,
    watches: Vec<Watch>,
}

/// A player, cheap to clone.
#[derive(Clone)]
pub struct Player(Rc<RefCell<Inner>>);

/// What an export button saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Export {
    Png,
    Csv,
    Json,
    Perfetto,
}

/// The export buttons: what they make, its key in `data-export`, their label, and what they
/// do, in words.
const EXPORTS: [(Export, &str, &str, &str); 4] = [
    (Export::Png, "png", "PNG", "Save the current frame as a PNG image, at this screen's pixel density"),
    (Export::Csv, "csv", "CSV", "Save every segment as a row: panel, lane, task, phase, start, end (ms)"),
    (
        Export::Json,
        "json",
        "JSON",
        "Save the traces in this site's own JSON format (schema cvp-trace, version 1)",
    ),
    (
        Export::Perfetto,
        "perfetto",
        "Perfetto",
        "Save the traces in Chrome's trace format, which ui.perfetto.dev and chrome://tracing open",
    ),
];

/// Speeds offered, as multiples of real time.
const SPEEDS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

impl Player {
    /// A player with `panels` canvases titled as given. With `autoplay`, it starts when
    /// scrolled into view (unless the reader prefers reduced motion).
    pub fn new(
        titles: &[String],
        noun: &'static str,
        show_grid: bool,
        autoplay: bool,
    ) -> Result<Player, JsValue> {
        let canvases = el("div").class("cvp-panels").attr("data-count", &titles.len().to_string()).build();
        let mut panels = Vec::new();
        for title in titles {
            let element: HtmlCanvasElement = el("canvas")
                .class("cvp-canvas")
                .attr("role", "img")
                .attr("aria-label", title)
                .attr("data-title", title)
                .build()
                .unchecked_into();
            let _ = canvases.append_child(&element);
            panels.push(Panel {
                canvas: Canvas::new(element.clone())?,
                element,
                prepared: None,
                title: title.clone(),
                show_grid,
                drawn: None,
            });
        }
        let button = |action: &str, label: &str, icon: &str| {
            el("button")
                .attr("type", "button")
                .attr("data-action", action)
                .attr("aria-label", label)
                .attr("title", label)
                .markup(icon)
        };
        let play: HtmlButtonElement =
            button("play", "Play", icons::PLAY).class("primary").build().unchecked_into();
        let scrub: HtmlInputElement = el("input")
            .attr("type", "range")
            .attr("min", "0")
            .attr("max", "1000")
            .attr("value", "0")
            .attr("aria-label", "Time")
            .attr("data-action", "scrub")
            .build()
            .unchecked_into();
        let speed: HtmlSelectElement =
            el("select").attr("aria-label", "Speed").attr("data-action", "speed").build().unchecked_into();
        for s in SPEEDS {
            let label = match s {
                0.25 => "¼×".to_string(),
                0.5 => "½×".to_string(),
                s => format!("{s}×"),
            };
            let _ = speed.append_child(&el("option").attr("value", &s.to_string()).text(&label).build());
        }
        speed.set_value("1");
        let time = el("output").class("cvp-time").attr("aria-hidden", "true").text("0 ms").build();
        let live = el("p").class("cvp-live").attr("aria-live", "polite").build();
        let controls = el("div")
            .class("cvp-controls")
            .child(&play)
            .child(button("step", "Step to the next event", icons::STEP))
            .child(button("replay", "Replay from the start", icons::REPLAY))
            .child(&scrub)
            .child(&time)
            .child(el("label").class("cvp-speed").child(el("span").text("speed")).child(&speed))
            .build();
        let export = el("div")
            .class("cvp-export")
            .attr("role", "group")
            .attr("aria-label", "Export")
            .child(el("span").text("Export"))
            .children(EXPORTS.iter().map(|(_, key, label, title)| {
                el("button")
                    .attr("type", "button")
                    .attr("data-export", key)
                    .attr("title", title)
                    .text(label)
                    .build()
            }))
            .build();
        // The canvases in words: a table of each panel's lanes, for screen readers and for
        // anyone who wants the numbers (filled by `load`).
        let alt = el("details")
            .class("cvp-alt")
            .child(el("summary").text("The timelines as tables"))
            .child(el("div").class("cvp-alt-tables"))
            .build();
        let root = el("div")
            .class("cvp-player")
            .attr("tabindex", "-1")
            .child(&canvases)
            .child(&controls)
            .child(&live)
            .child(&export)
            .child(&alt)
            .build();
        let reduced_motion = prefers_reduced_motion();
        let player = Player(Rc::new(RefCell::new(Inner {
            root,
            panels,
            clock: Clock { playback: Playback::default(), visible: false, frame_pending: None },
            noun,
            play,
            scrub,
            time,
            live,
            autoplay: autoplay && !reduced_motion,
            resume_on_view: autoplay && !reduced_motion,
            frame: None,
            alt,
            on_settle: None,
            listeners: Vec::new(),
            watches: Vec::new(),
        })));
        player.wire(&controls, &speed, &canvases);
        player.wire_export(&export);
        Ok(player)
    }

    /// The element to insert into the page.
    pub fn element(&self) -> Element {
        self.0.borrow().root.clone()
    }

    /// Like [`Player::load`], retitling the panels: each trace with its title.
    pub fn load_titled(&self, panels: Vec<(String, cvp_model::Trace)>, at: Option<f64>) {
        let traces = {
            let mut inner = self.0.borrow_mut();
            let mut traces = Vec::new();
            // The aria-label follows in `describe`, once the trace is loaded.
            for (panel, (title, trace)) in inner.panels.iter_mut().zip(panels) {
                let _ = panel.element.set_attribute("data-title", &title);
                panel.title = title;
                panel.drawn = None;
                traces.push(trace);
            }
            traces
        };
        self.load(traces, at);
    }

    /// Shows `traces` (one per panel): paused at `at` when given (a link to a moment),
    /// else from the start if it will play, else at the end.
    pub fn load(&self, traces: Vec<cvp_model::Trace>, at: Option<f64>) {
        {
            let mut inner = self.0.borrow_mut();
            let loaded = traces.len().min(inner.panels.len());
            let mut traces = traces.into_iter();
            // Panels beyond the traces given are emptied: hidden, and left out of exports.
            for panel in inner.panels.iter_mut() {
                panel.prepared = traces.next().map(Prepared::new);
                panel.drawn = None;
            }
            // Panels with nothing to show yet (a measured run still to come) take no room.
            for (i, panel) in inner.panels.iter().enumerate() {
                crate::dom::toggle_attr(&panel.element, "hidden", i >= loaded);
            }
            if let Some(grid) = panel_grid(&inner.root) {
                let _ = grid.set_attribute("data-count", &loaded.max(1).to_string());
            }
            let end = inner.end();
            let start = match at {
                Some(t) => Start::At(t),
                None if inner.autoplay => Start::Beginning,
                None => Start::End,
            };
            inner.clock.playback.load(end, start);
            inner.resume_on_view = inner.autoplay && at.is_none();
        }
        self.describe();
        self.show_playing(false);
        self.announce_if_done();
        self.maybe_resume();
        self.redraw();
    }

    /// Writes each loaded panel's text alternative: a sentence as the canvas's label, and
    /// a table of its lanes (at most 64) under the player.
    fn describe(&self) {
        let inner = self.0.borrow();
        let Some(holder) = crate::dom::find::<Element>(&inner.alt, ".cvp-alt-tables") else { return };
        holder.set_text_content(None);
        for panel in &inner.panels {
            let Some(prepared) = &panel.prepared else { continue };
            let trace = prepared.trace();
            let sentence = format!("{}. {}.", panel.title, summary(trace, inner.noun));
            let _ = panel.element.set_attribute("aria-label", &sentence);
            let (rows, more) = lane_rows(trace, 64);
            let head =
                el("tr").children(LANE_COLUMNS.iter().map(|c| el("th").attr("scope", "col").text(c).build()));
            let mut body = el("tbody").children(rows.iter().map(|row| {
                el("tr")
                    .child(el("th").attr("scope", "row").text(&row[0]))
                    .children(row[1..].iter().map(|cell| el("td").text(cell).build()))
                    .build()
            }));
            if more > 0 {
                let note = el("td").attr("colspan", "5").text(&format!("and {more} more lanes"));
                body = body.child(el("tr").child(note));
            }
            let table = el("table")
                .child(el("caption").text(&sentence))
                .child(el("thead").child(head))
                .child(body)
                .build();
            let _ = holder.append_child(&table);
        }
    }

    /// Time at which the longest panel ends.
    pub fn end(&self) -> f64 {
        self.0.borrow().clock.playback.end()
    }

    /// The time shown (ms).
    pub fn time(&self) -> f64 {
        self.0.borrow().clock.playback.t()
    }

    /// Calls `f` whenever the reader has moved the clock: paused, stepped, scrubbed,
    /// jumped (not on every frame of playback).
    pub fn on_settle(&self, f: impl Fn() + 'static) {
        self.0.borrow_mut().on_settle = Some(Rc::new(f));
    }

    fn settled(&self) {
        let f = self.0.borrow().on_settle.clone();
        if let Some(f) = f {
            f();
        }
    }

    /// Jumps to `t` (clamped) and redraws.
    pub fn seek(&self, t: f64) {
        self.0.borrow_mut().clock.playback.seek(t);
        self.announce_if_done();
        self.redraw();
    }

    /// Starts or stops the clock.
    pub fn set_playing(&self, playing: bool) {
        self.0.borrow_mut().clock.playback.set_playing(playing);
        self.show_playing(playing);
        self.schedule();
    }

    /// The play button shows what pressing it will do.
    fn show_playing(&self, playing: bool) {
        {
            let inner = self.0.borrow();
            let (icon, label) = if playing { (icons::PAUSE, "Pause") } else { (icons::PLAY, "Play") };
            inner.play.set_inner_html(icon);
            let _ = inner.play.set_attribute("aria-label", label);
            let _ = inner.play.set_attribute("title", label);
        }
    }

    fn playing(&self) -> bool {
        self.0.borrow().clock.playback.playing()
    }

    /// Moves to the next time anything starts or ends in any panel.
    pub fn step(&self) {
        {
            let mut inner = self.0.borrow_mut();
            let events: Vec<f64> = inner
                .panels
                .iter()
                .filter_map(|p| p.prepared.as_ref())
                .flat_map(|p| p.trace().segments().flat_map(|(_, s)| [s.start, s.end]).collect::<Vec<_>>())
                .collect();
            inner.clock.playback.step(events);
        }
        self.show_playing(false);
        self.announce_if_done();
        self.redraw();
    }

    fn maybe_resume(&self) {
        let go = {
            let mut inner = self.0.borrow_mut();
            let go = inner.resume_on_view
                && inner.clock.visible
                && !crate::dom::document().hidden()
                && !inner.clock.playback.playing()
                && !inner.clock.playback.finished();
            if go {
                inner.resume_on_view = false;
            }
            go
        };
        if go {
            self.set_playing(true);
        }
    }

    /// Pauses because the player left the screen (or the tab was hidden), to resume when
    /// it is back.
    fn pause_out_of_view(&self) {
        if self.playing() {
            self.set_playing(false);
            self.0.borrow_mut().resume_on_view = true;
        }
    }

    /// The reader took control: no automatic play or resume from now on.
    fn take_control(&self) {
        self.0.borrow_mut().resume_on_view = false;
    }

    fn announce_if_done(&self) {
        let inner = self.0.borrow();
        let done = inner.clock.playback.finished();
        let text = if done {
            inner
                .panels
                .iter()
                .filter_map(|p| Some((&p.title, p.prepared.as_ref()?)))
                // Each panel by its own title: two panels may run one strategy two ways.
                .map(|(title, p)| format!("{title}: {}.", account(p.trace(), inner.noun)))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            String::new()
        };
        if inner.live.text_content().unwrap_or_default() != text {
            inner.live.set_text_content(Some(&text));
        }
    }

    /// Draws every panel at the current time.
    /// Panels whose picture would not change (a run that ended while a longer one plays
    /// on, a paused frame redrawn) are skipped.
    pub fn redraw(&self) {
        let mut inner = self.0.borrow_mut();
        let (t, end) = (inner.clock.playback.t(), inner.clock.playback.end());
        let style = page_style();
        let count = inner.panels.len();
        for panel in &mut inner.panels {
            let Some(prepared) = &panel.prepared else { continue };
            let w = (panel.element.client_width() as f64).max(200.0);
            let sized = Layout { show_grid: panel.show_grid, ..Layout::new(w, 0.0) };
            let h = sized.fit_height(prepared, count);
            let wanted = Drawn {
                t: t.clamp(0.0, prepared.trace().makespan.max(0.0)),
                width: w,
                height: h,
                pixel_ratio: device_pixel_ratio(),
                time_max: end,
                style: style.clone(),
            };
            if panel.drawn.as_ref() == Some(&wanted) {
                continue;
            }
            let layout = Layout {
                height: h,
                time_max: Some(end),
                title: panel.title.clone(),
                pixel_ratio: wanted.pixel_ratio,
                ..sized
            };
            let painted = panel
                .canvas
                .resize(w, h, wanted.pixel_ratio)
                .and_then(|()| panel.canvas.paint(&draw_prepared(prepared, t, &layout, &style)));
            match painted {
                Ok(()) => panel.drawn = Some(wanted),
                Err(e) => web_sys::console::error_2(&"cannot draw:".into(), &e),
            }
        }
        inner.scrub.set_value(&format!("{:.0}", inner.clock.playback.fraction() * 1000.0));
        inner.time.set_text_content(Some(&format!("{} / {}", format_duration(t), format_duration(end))));
    }

    fn schedule(&self) {
        let mut inner = self.0.borrow_mut();
        if !inner.clock.playback.playing() || !inner.clock.visible || inner.clock.frame_pending.is_some() {
            return;
        }
        if inner.frame.is_none() {
            let weak = Rc::downgrade(&self.0);
            // Within its widget's mount: a panic stops this widget alone, and the frames of
            // a widget that stopped or was reloaded are not asked for again.
            inner.frame = Some(Closure::new(crate::fault::scoped(move |now: f64| {
                if let Some(inner) = weak.upgrade() {
                    Player(inner).tick(now);
                }
            })));
        }
        let f = inner.frame.as_ref().expect("set above");
        if let Some(w) = web_sys::window() {
            inner.clock.frame_pending = w.request_animation_frame(f.as_ref().unchecked_ref()).ok();
        }
    }

    fn tick(&self, now: f64) {
        let playing = {
            let mut inner = self.0.borrow_mut();
            inner.clock.frame_pending = None;
            if !inner.clock.playback.playing() {
                return;
            }
            inner.clock.playback.tick(now)
        };
        self.redraw();
        if playing {
            self.schedule();
        } else {
            self.show_playing(false);
            self.announce_if_done();
        }
    }

    fn set_visible(&self, visible: bool) {
        self.0.borrow_mut().clock.visible = visible;
        if visible {
            self.maybe_resume();
            self.redraw();
        } else {
            self.pause_out_of_view();
        }
    }

    fn wire(&self, controls: &Element, speed: &HtmlSelectElement, canvases: &Element) {
        let weak = Rc::downgrade(&self.0);
        let with = move |f: fn(&Player)| {
            let weak = weak.clone();
            move |_| {
                if let Some(inner) = weak.upgrade() {
                    let p = Player(inner);
                    p.take_control();
                    f(&p);
                    p.settled();
                }
            }
        };
        let find = |action: &str| {
            controls
                .query_selector(&format!("[data-action={action}]"))
                .ok()
                .flatten()
                .expect("built in new()")
        };
        self.keep(listener(&find("play"), "click", with(|p| p.set_playing(!p.playing()))));
        self.keep(listener(&find("step"), "click", with(Player::step)));
        self.keep(listener(
            &find("replay"),
            "click",
            with(|p| {
                p.seek(0.0);
                p.set_playing(true);
            }),
        ));
        // Dragging moves the clock on every input; the clock settles when the thumb is let
        // go ("change"), so the address bar is not rewritten on every pixel.
        let weak_scrub = Rc::downgrade(&self.0);
        self.keep(listener(&find("scrub"), "input", move |_| {
            let Some(inner) = weak_scrub.upgrade() else { return };
            let p = Player(inner);
            p.take_control();
            let v: f64 = p.0.borrow().scrub.value().parse().unwrap_or(0.0);
            p.set_playing(false);
            p.seek(v / 1000.0 * p.end());
        }));
        self.keep(listener(&find("scrub"), "change", with(|_| {})));
        let s = speed.clone();
        let weak = Rc::downgrade(&self.0);
        self.keep(listener(speed, "change", move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().clock.playback.set_speed(s.value().parse().unwrap_or(1.0));
            }
        }));
        // Keyboard: space/k play or pause, arrows step, Home/End jump. On the whole player,
        // so the canvas area works once focused, like a video.
        let weak = Rc::downgrade(&self.0);
        let root = self.0.borrow().root.clone();
        self.keep(listener(&root, "keydown", move |e| {
            let Some(inner) = weak.upgrade() else { return };
            let p = Player(inner);
            let e: web_sys::KeyboardEvent = e.unchecked_into();
            let target_is_control = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "SELECT" | "BUTTON"));
            let handled = match e.key().as_str() {
                " " | "k" if !target_is_control || e.key() == "k" => {
                    p.set_playing(!p.playing());
                    true
                }
                "ArrowRight" if !target_is_control => {
                    p.step();
                    true
                }
                "Home" => {
                    p.seek(0.0);
                    true
                }
                "End" => {
                    p.set_playing(false);
                    p.seek(p.end());
                    true
                }
                _ => false,
            };
            if handled {
                p.take_control();
                e.prevent_default();
                p.settled();
            }
        }));
        let _ = canvases.set_attribute("tabindex", "0");
        self.observe();
    }

    /// The export buttons save what the panels show.
    fn wire_export(&self, export: &Element) {
        for (kind, key, _, _) in EXPORTS {
            let Some(button) = crate::dom::find::<Element>(export, &format!("[data-export={key}]")) else {
                continue;
            };
            let weak = Rc::downgrade(&self.0);
            self.keep(listener(&button, "click", move |_| {
                let Some(inner) = weak.upgrade() else { return };
                if let Err(e) = Player(inner).export(kind) {
                    web_sys::console::error_2(&format!("export {key} failed:").into(), &e);
                }
            }));
        }
    }

    /// Saves the panels as `kind`: the frame on screen as PNG, or every panel's whole trace
    /// as CSV, JSON or Chrome's trace format.
    fn export(&self, kind: Export) -> Result<(), JsValue> {
        let inner = self.0.borrow();
        let (canvases, panels): (Vec<HtmlCanvasElement>, Vec<export::Panel>) = inner
            .panels
            .iter()
            .filter_map(|p| {
                let trace = p.prepared.as_ref()?.trace().clone();
                Some((p.element.clone(), export::Panel { title: p.title.clone(), trace }))
            })
            .unzip();
        let stem = file_stem(&panels);
        match kind {
            Export::Png => download::png(&format!("{stem}.png"), &canvases, &page_style().background.css()),
            Export::Csv => download::text(&format!("{stem}.csv"), "text/csv", &export::to_csv(&panels)),
            Export::Json => {
                download::text(&format!("{stem}.json"), "application/json", &export::to_json(&panels))
            }
            Export::Perfetto => download::text(
                &format!("{stem}.perfetto.json"),
                "application/json",
                &export::to_chrome_trace(&panels),
            ),
        }
    }

    /// Plays only while on screen and while the tab is visible; redraws on resize.
    fn observe(&self) {
        let weak = Rc::downgrade(&self.0);
        let on_intersect = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let Some(inner) = weak.upgrade() else { return };
            let visible = entries
                .iter()
                .any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
            Player(inner).set_visible(visible);
        });
        let root = self.0.borrow().root.clone();
        if let Ok(observer) = web_sys::IntersectionObserver::new(on_intersect.as_ref().unchecked_ref()) {
            observer.observe(&root);
            let watch = Watch::new(move || observer.disconnect(), on_intersect);
            self.0.borrow_mut().watches.push(watch);
        } else {
            self.0.borrow_mut().clock.visible = true;
        }
        let weak = Rc::downgrade(&self.0);
        let resized = crate::dom::on_resize(&root, move || {
            if let Some(inner) = weak.upgrade() {
                Player(inner).redraw();
            }
        });
        self.0.borrow_mut().watches.extend(resized);
        let weak = Rc::downgrade(&self.0);
        self.keep(listener(&crate::dom::document(), "visibilitychange", move |_| {
            let Some(inner) = weak.upgrade() else { return };
            let p = Player(inner);
            if crate::dom::document().hidden() {
                p.pause_out_of_view();
            } else {
                p.maybe_resume();
            }
        }));
    }

    /// Keeps `listener` as long as this player.
    fn keep(&self, listener: Listener) {
        self.0.borrow_mut().listeners.push(listener);
    }
}

impl Drop for Inner {
    /// A replaced player (the sandbox makes a new one per simulation) may have a frame
    /// requested: cancel it, or the browser would call the closure dropped with it.
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.clock.frame_pending, web_sys::window()) {
            let _ = w.cancel_animation_frame(id);
        }
    }
}

impl Inner {
    fn end(&self) -> f64 {
        self.panels.iter().filter_map(|p| p.prepared.as_ref()).map(|p| p.trace().makespan).fold(0.0, f64::max)
    }
}

/// The grid that holds a player's canvases.
fn panel_grid(root: &Element) -> Option<Element> {
    crate::dom::find::<Element>(root, ".cvp-panels")
}

fn device_pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0)
}

/// A file name for an export of `panels`: "cvp-" and their titles, in lower case.
fn file_stem(panels: &[export::Panel]) -> String {
    let words: Vec<String> = panels
        .iter()
        .flat_map(|p| p.title.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut stem = format!("cvp-{}", if words.is_empty() { "trace".to_string() } else { words.join("-") });
    stem.truncate(64);
    stem.trim_end_matches('-').to_string()
}

/// The renderer's colours for the page's theme: what www/theme.js chose (from `?theme=` or
/// the reader's system), else the system's setting.
pub fn page_style() -> Style {
    let chosen = crate::dom::document().document_element().and_then(|e| e.get_attribute("data-theme"));
    let dark = match chosen.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    };
    if dark {
        Style::dark()
    } else {
        Style::light()
    }
}
