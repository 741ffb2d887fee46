//! One typed state per widget: everything a reader can set, in a form that survives a URL.
//!
//! Each state's fields are described once, in a table ([`field`]): key, range or words,
//! default, and typed accessors. `from_query` (never panics, always returns a valid state,
//! with a [`Notice`] for each value it had to change), `to_query` (its exact inverse on
//! valid states), `validate`, the widgets' forms and the README's [`parameter_table`] are
//! all walks over those tables; a state adds only the rules that tie its fields together.

pub mod field;

mod anim;
mod pipeline;
mod race;
mod run;
mod sandbox;
mod startup;

pub use anim::{AnimState, DEFAULT_PRESET};
pub use field::{SEED, TIME};
pub use pipeline::{PipelineState, PIPELINE_PARAMS};
pub use race::{most_increments, RaceState, MOST_INCREMENTS, RACE_PARAMS};
pub use run::RunState;
pub use sandbox::{SandboxState, SANDBOX_PARAMS};
pub use startup::{StartupState, WORK};

use crate::job::RunKind;
use crate::presets::Preset;
use crate::query::{find, shorten, Notice, Pairs};
use field::{Doc, Field, State};

/// Every widget the site has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Widget {
    /// A real run of fib or fetch.
    Run(RunKind),
    /// One of the post's animations.
    Anim,
    /// The simulator with every knob.
    Sandbox,
    /// The start-up experiment: one thread against fresh workers against a pool.
    Startup,
    /// The pipeline: concurrency as structure.
    Pipeline,
    /// Races: threads incrementing one counter, three ways.
    Race,
}

impl Widget {
    /// Every widget, in the README's order.
    pub const ALL: [Widget; 7] = [
        Widget::Run(RunKind::Fib),
        Widget::Run(RunKind::Fetch),
        Widget::Anim,
        Widget::Sandbox,
        Widget::Startup,
        Widget::Pipeline,
        Widget::Race,
    ];

    /// Its name in `widget=` and `data-widget`.
    pub fn key(self) -> &'static str {
        match self {
            Widget::Run(kind) => kind.key(),
            Widget::Anim => "anim",
            Widget::Sandbox => "sandbox",
            Widget::Startup => "startup",
            Widget::Pipeline => "pipeline",
            Widget::Race => "race",
        }
    }

    /// The widget named `key`.
    pub fn from_key(key: &str) -> Option<Widget> {
        Widget::ALL.into_iter().find(|w| w.key() == key)
    }
}

/// Any widget's state: what `embed.html?widget=…` describes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WidgetState {
    /// A real run.
    Run(RunState),
    /// An animation.
    Anim(AnimState),
    /// The sandbox.
    Sandbox(SandboxState),
    /// The start-up experiment.
    Startup(StartupState),
    /// The pipeline.
    Pipeline(PipelineState),
    /// The race.
    Race(RaceState),
}

impl WidgetState {
    /// Which widget this is.
    pub fn widget(&self) -> Widget {
        match self {
            WidgetState::Run(s) => Widget::Run(s.workload.kind()),
            WidgetState::Anim(_) => Widget::Anim,
            WidgetState::Sandbox(_) => Widget::Sandbox,
            WidgetState::Startup(_) => Widget::Startup,
            WidgetState::Pipeline(_) => Widget::Pipeline,
            WidgetState::Race(_) => Widget::Race,
        }
    }

    /// Reads `widget=` and then that widget's state. An unknown or missing widget shows
    /// the fib widget, with a notice.
    pub fn from_query(query: &[(String, String)]) -> (WidgetState, Vec<Notice>) {
        let (widget, mut notices) = match find(query, "widget").map(str::trim) {
            Some(key) => match Widget::from_key(key) {
                Some(widget) => (widget, Vec::new()),
                None => {
                    let names = Widget::ALL.map(Widget::key).join(", ");
                    let text = format!("widget={:?} is unknown ({names}): showing fib", shorten(key));
                    (Widget::Run(RunKind::Fib), vec![Notice(text)])
                }
            },
            None => (Widget::Run(RunKind::Fib), vec![Notice("widget= is missing: showing fib".into())]),
        };
        let (state, mut more) = WidgetState::read(widget, query, None);
        notices.append(&mut more);
        (state, notices)
    }

    /// Reads the state of a known `widget` (an animation falls back to `preset`).
    pub fn read(
        widget: Widget,
        query: &[(String, String)],
        preset: Option<&'static Preset>,
    ) -> (WidgetState, Vec<Notice>) {
        match widget {
            Widget::Run(kind) => {
                let (s, n) = RunState::from_query(kind, query);
                (WidgetState::Run(s), n)
            }
            Widget::Anim => {
                let (s, n) = AnimState::from_query(query, preset);
                (WidgetState::Anim(s), n)
            }
            Widget::Sandbox => {
                let (s, n) = SandboxState::from_query(query);
                (WidgetState::Sandbox(s), n)
            }
            Widget::Startup => {
                let (s, n) = StartupState::from_query(query);
                (WidgetState::Startup(s), n)
            }
            Widget::Pipeline => {
                let (s, n) = PipelineState::from_query(query);
                (WidgetState::Pipeline(s), n)
            }
            Widget::Race => {
                let (s, n) = RaceState::from_query(query);
                (WidgetState::Race(s), n)
            }
        }
    }

    /// This state's own keys (without `widget=`).
    pub fn to_query(&self) -> Pairs {
        match self {
            WidgetState::Run(s) => field::write(s),
            WidgetState::Anim(s) => field::write(s),
            WidgetState::Sandbox(s) => field::write(s),
            WidgetState::Startup(s) => field::write(s),
            WidgetState::Pipeline(s) => field::write(s),
            WidgetState::Race(s) => field::write(s),
        }
    }

    /// The query of `embed.html` that shows this state: `widget=` first.
    pub fn to_embed_query(&self) -> Pairs {
        let mut out = vec![("widget".to_string(), self.widget().key().to_string())];
        out.extend(self.to_query());
        out
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            WidgetState::Run(s) => field::validate(s),
            WidgetState::Anim(s) => field::validate(s),
            WidgetState::Sandbox(s) => field::validate(s),
            WidgetState::Startup(s) => field::validate(s),
            WidgetState::Pipeline(s) => field::validate(s),
            WidgetState::Race(s) => field::validate(s),
        }
    }

    /// Each field's key and README row, in the state's order.
    fn docs(&self) -> Vec<(&'static str, Doc)> {
        fn of<S: State>(s: &S) -> Vec<(&'static str, Doc)> {
            s.fields().iter().map(|f: &Field<S>| (f.key, f.doc())).collect()
        }
        match self {
            WidgetState::Run(s) => of(s),
            WidgetState::Anim(s) => of(s),
            WidgetState::Sandbox(s) => of(s),
            WidgetState::Startup(s) => of(s),
            WidgetState::Pipeline(s) => of(s),
            WidgetState::Race(s) => of(s),
        }
    }
}

/// One row of the README's table: a key, with the widgets where it means the same.
struct KeyDoc {
    key: &'static str,
    widgets: Vec<&'static str>,
    doc: Doc,
}

/// The README's table of URL parameters, generated from the states' field tables (a test
/// keeps the README equal to it). A key that means the same in several widgets is one row.
pub fn parameter_table() -> String {
    let all = Widget::ALL.map(Widget::key).map(|k| format!("`{k}`")).join(", ");
    let mut rows = vec![KeyDoc {
        key: "widget",
        widgets: vec!["all (embed.html)"],
        doc: (all, String::new(), "which widget".into()),
    }];
    for widget in Widget::ALL {
        for (key, doc) in WidgetState::read(widget, &[], None).0.docs() {
            match rows.iter_mut().find(|r| r.key == key && r.doc == doc) {
                Some(row) => row.widgets.push(widget.key()),
                None => rows.push(KeyDoc { key, widgets: vec![widget.key()], doc }),
            }
        }
    }
    rows.push(KeyDoc {
        key: "theme",
        widgets: vec!["all"],
        doc: (
            "`light`, `dark`, `auto`".into(),
            "`auto`".into(),
            "colours (`auto`: the reader's system setting)".into(),
        ),
    });
    let mut out =
        String::from("| parameter | widgets | values | default | meaning |\n|---|---|---|---|---|\n");
    for KeyDoc { key, widgets, doc: (values, default, meaning) } in rows {
        let default = if default.is_empty() { "–".to_string() } else { default };
        out.push_str(&format!("| `{key}` | {} | {values} | {default} | {meaning} |\n", widgets.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field::Control;
    use super::*;
    use crate::job::{most_fib_tasks, Workload};
    use crate::query::pairs;

    /// Every field of every widget's state, with the control the form makes of it.
    fn controls(widget: Widget) -> Vec<(&'static str, Control)> {
        fn of<S: State>(s: &S) -> Vec<(&'static str, Control)> {
            s.fields().iter().map(|f| (f.key, f.control())).collect()
        }
        match WidgetState::read(widget, &[], None).0 {
            WidgetState::Run(s) => of(&s),
            WidgetState::Anim(s) => of(&s),
            WidgetState::Sandbox(s) => of(&s),
            WidgetState::Startup(s) => of(&s),
            WidgetState::Pipeline(s) => of(&s),
            WidgetState::Race(s) => of(&s),
        }
    }

    #[test]
    fn a_form_change_goes_through_the_rules_of_a_url() {
        let fib = RunState::from_query(RunKind::Fib, &pairs(&[("tasks", "64"), ("n", "30")])).0;
        let (more, told) = field::change(fib, "n", "42");
        assert_eq!(more.workload, Workload::Fib { tasks: most_fib_tasks(42), n: 42 });
        assert!(told[0].0.starts_with("tasks=64 × fib(42)"), "{told:?}");
        let (cleared, told) = field::change(fib, "n", " ");
        assert_eq!(
            (cleared, told),
            (RunState { workload: Workload::Fib { tasks: 64, n: 39 }, ..fib }, vec![])
        );
        let sandbox = SandboxState::from_query(&[]).0;
        let (swapped, told) = field::change(sandbox, "load_min", "9000");
        assert_eq!((swapped.load.min, swapped.load.max), (7000.0, 9000.0));
        assert!(told[0].0.starts_with("load_min=9000 is above load_max=7000"), "{told:?}");
        let (same, told) = field::change(sandbox, "strategy", "fork");
        assert_eq!(same, sandbox);
        assert!(told[0].0.starts_with("strategy=\"fork\" is unknown"), "{told:?}");
    }

    #[test]
    fn every_field_has_a_form_control_and_a_readme_row() {
        let table = parameter_table();
        for widget in Widget::ALL {
            for (key, control) in controls(widget) {
                let row = table
                    .lines()
                    .find(|row| {
                        let cells: Vec<&str> = row.split(" | ").collect();
                        cells[0] == format!("| `{key}`") && cells[1].split(", ").any(|w| w == widget.key())
                    })
                    .unwrap_or_else(|| panic!("{}'s {key} has no README row:\n{table}", widget.key()));
                match control {
                    // The control takes what the README says: the same range, the same words.
                    Control::Number(p) => {
                        assert!(row.contains(&format!(" | {} | ", p.range_text())), "{row}")
                    }
                    Control::Select(options) => {
                        let words = options.iter().map(|(w, _)| format!("`{w}`")).collect::<Vec<_>>();
                        assert!(row.contains(&format!(" | {} | ", words.join(", "))), "{row}");
                    }
                    // Only the link (`autorun`) or the player (`t`) sets what has no control.
                    Control::None => assert!(["autorun", "t"].contains(&key), "{key} has no control"),
                }
            }
        }
    }
}
