//! What every widget that runs work is built from: the shell (title, buttons, status line,
//! notices, share row, in one order), the typed stage that is the only writer of the
//! widget's `data-state` and of its buttons' `disabled`, and the time cell of the results
//! tables. The widgets (real run, start-up, pipeline, race) add only what is theirs; the
//! reader's guess before a run is `super::guess`.

use super::form::show_notices;
use super::share::Share;
use crate::address::Host;
use crate::client::Runner;
use crate::dom::{el, listener, El, Listener};
use cvp_model::query::Notice;
use cvp_model::stage::Stage;
use cvp_model::state::WidgetState;
use cvp_scene::format_duration;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement};

/// What a button does, which decides when it is enabled ([`Stage::can_start`],
/// [`Stage::can_cancel`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Starts work, drawn as the widget's main action.
    Primary,
    /// Starts work.
    Start,
    /// Cancels this widget's run.
    Cancel,
}

/// A button of the shell: its `data-action`, its text and its role.
#[derive(Clone, Copy, Debug)]
pub struct Button {
    /// The `data-action` attribute (tests and styles find the button by it).
    pub action: &'static str,
    /// The label.
    pub text: &'static str,
    /// When it is enabled.
    pub role: Role,
}

/// Where the widget's own parts go around the shell's: title, `head`, buttons, `between`,
/// status, notices, `body`, share row.
pub struct Layout<'a> {
    /// The root's class besides `cvp-widget`.
    pub class: &'a str,
    /// The heading.
    pub title: &'a str,
    /// Where the widget lives, which decides the heading's level ([`super::title`]).
    pub host: &'a Host,
    /// The buttons, in order.
    pub buttons: &'a [Button],
    /// Between the heading and the buttons (the form, a notice).
    pub head: Vec<Element>,
    /// Between the buttons and the status line (a progress bar).
    pub between: Vec<Element>,
    /// After the notices (tables, charts, timelines, verdicts).
    pub body: Vec<Element>,
}

/// A mounted widget's shell, cheap to clone.
#[derive(Clone)]
pub struct Shell(Rc<Inner>);

struct Inner {
    root: Element,
    runner: Runner,
    stage: Cell<Stage>,
    status: Element,
    notices: Element,
    buttons: Vec<(Role, HtmlButtonElement)>,
    /// The buttons' click listeners, removed with the shell.
    clicks: RefCell<Vec<Listener>>,
}

impl Shell {
    /// Replaces what `root` holds with the widget laid out as `layout`, at
    /// [`Stage::Starting`], saying `starting` until the runner is ready. The buttons follow
    /// the stage and whether `runner` is busy with any widget's run.
    pub fn mount(root: &Element, runner: &Runner, layout: Layout, starting: &str) -> Shell {
        let status = el("p").class("cvp-status").attr("role", "status").attr("aria-live", "polite").build();
        status.set_text_content(Some(starting));
        let notices = el("ul").class("cvp-notices").build();
        let buttons: Vec<(Role, HtmlButtonElement)> = layout
            .buttons
            .iter()
            .map(|b| {
                let button = el("button").attr("type", "button").attr("data-action", b.action).text(b.text);
                let button = if b.role == Role::Primary { button.class("primary") } else { button };
                (b.role, button.build().unchecked_into())
            })
            .collect();
        let row = el("div").class("cvp-buttons").children(buttons.iter().map(|(_, b)| b.clone().into()));
        root.set_inner_html("");
        let _ = root.class_list().add_2("cvp-widget", layout.class);
        let parts = std::iter::once(super::title(layout.host, layout.title))
            .chain(layout.head)
            .chain([row.build()])
            .chain(layout.between)
            .chain([status.clone(), notices.clone()])
            .chain(layout.body);
        for part in parts {
            let _ = root.append_child(&part);
        }
        let shell = Shell(Rc::new(Inner {
            root: root.clone(),
            runner: runner.clone(),
            stage: Cell::new(Stage::Starting),
            status,
            notices,
            buttons,
            clicks: RefCell::new(Vec::new()),
        }));
        shell.set_stage(Stage::Starting);
        let weak = Rc::downgrade(&shell.0);
        runner.watch_busy(move |_| {
            if let Some(inner) = weak.upgrade() {
                Shell(inner).refresh();
            }
        });
        shell
    }

    /// The widget's root element.
    pub fn root(&self) -> &Element {
        &self.0.root
    }

    /// The page's runner, which runs this widget's work.
    pub fn runner(&self) -> &Runner {
        &self.0.runner
    }

    /// Where the widget is.
    pub fn stage(&self) -> Stage {
        self.0.stage.get()
    }

    /// Moves the widget to `stage`: its `data-state` and its buttons follow.
    pub fn set_stage(&self, stage: Stage) {
        self.0.stage.set(stage);
        let _ = self.0.root.set_attribute("data-state", stage.key());
        self.refresh();
    }

    /// Whether a run may start now: the widget is ready and no run is in flight on the page.
    pub fn can_start(&self) -> bool {
        self.stage().can_start(self.0.runner.busy())
    }

    /// Enables each button as its role and the stage allow.
    fn refresh(&self) {
        let (stage, busy) = (self.stage(), self.0.runner.busy());
        for (role, button) in &self.0.buttons {
            button.set_disabled(match role {
                Role::Primary | Role::Start => !stage.can_start(busy),
                Role::Cancel => !(stage.can_cancel() && busy),
            });
        }
    }

    /// Runs `f` when the button `action` is clicked.
    pub fn on(&self, action: &str, f: impl FnMut() + 'static) {
        let Some(button) = self.button(action) else { return };
        let mut f = f;
        self.0.clicks.borrow_mut().push(listener(button, "click", move |_| f()));
    }

    /// The button `action`, as built.
    pub fn button(&self, action: &str) -> Option<&HtmlButtonElement> {
        self.0
            .buttons
            .iter()
            .map(|(_, b)| b)
            .find(|b| b.get_attribute("data-action").as_deref() == Some(action))
    }

    /// Says `text` in the status line (read out by screen readers).
    pub fn say(&self, text: &str) {
        self.0.status.set_text_content(Some(text));
    }

    /// Shows `notices` (what had to change of what was asked) under the status line.
    pub fn tell(&self, notices: &[Notice]) {
        show_notices(&self.0.notices, notices);
    }

    /// Adds the share row at the end of the widget, reading the state to share from `state`.
    pub fn share(&self, host: Host, title: &str, state: impl Fn() -> WidgetState + 'static) -> Share {
        let share = Share::new(host, title, &self.0.root, state);
        let _ = self.0.root.append_child(&share.element());
        share
    }
}

/// A results table's time cell: `data-col` names the column, `data-ms` holds the time to
/// the microsecond for tests and exports, and the text is the time as the page writes it.
/// A time that could not be measured here (NaN) reads "unavailable here", with no `data-ms`.
pub fn time_cell(col: &str, ms: f64) -> El {
    let cell = el("td").attr("data-col", col);
    if ms.is_finite() {
        cell.attr("data-ms", &format!("{ms:.3}")).text(&format_duration(ms))
    } else {
        cell.text("unavailable here")
    }
}
