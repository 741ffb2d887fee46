//! A state's fields, each described once: its URL key, the values it takes (a parameter's
//! range and default, or a list of words), and how to get and set it. Reading a query,
//! writing one, checking a state, the form's controls and the README's rows are all walks
//! over such a table, so a field cannot be read one way and written another.

use crate::query::{find, number, shorten, Notice, Pairs, Param};

/// A state described by a table of fields. The walks below do the rest; a state adds only
/// the rules that tie its fields together.
pub trait State: Copy + 'static {
    /// Its fields, in the order its URL writes them.
    fn fields(&self) -> &'static [Field<Self>];

    /// Changes what the rules between fields forbid (too much work for one run, a range
    /// given backwards), saying so. Run after every read, of a whole query or of one field.
    fn settle(&mut self, _notices: &mut Vec<Notice>) {}

    /// Whether the rules between fields hold (each field's own range is checked apart).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// One field of a state `S`.
#[derive(Clone, Copy)]
pub struct Field<S> {
    /// Its URL key, and the name of its form control.
    pub key: &'static str,
    /// What it holds, with its accessors.
    pub kind: Kind<S>,
}

/// What a field holds. The accessors are typed, so no value is converted or looked up at
/// run time.
#[derive(Clone, Copy)]
pub enum Kind<S> {
    /// A number in its parameter's range.
    Number {
        /// Key, range, default and meaning.
        param: Param,
        /// Its value in a state.
        get: fn(&S) -> f64,
        /// Sets it; only ever given a value in range.
        set: fn(&mut S, f64),
    },
    /// A number that may be absent (an animation's time: absent, it plays).
    Optional {
        /// Range and meaning when present.
        param: Param,
        /// What absence means, for the README.
        unset: &'static str,
        /// Its value in a state.
        get: fn(&S) -> Option<f64>,
        /// Sets it; only ever given a value in range.
        set: fn(&mut S, Option<f64>),
    },
    /// One word of a list (a strategy, a preset).
    Choice {
        /// The words and the rest of the description.
        choice: Choice,
        /// Its word in a state.
        get: fn(&S) -> &'static str,
        /// Sets it; only ever given one of [`Choice::options`]'s words.
        set: fn(&mut S, &str),
    },
    /// On or off: `1` or `0` (off is left out of URLs).
    Flag {
        /// What on means, for the README.
        doc: &'static str,
        /// Its value in a state.
        get: fn(&S) -> bool,
        /// Sets it.
        set: fn(&mut S, bool),
    },
}

/// The words a choice takes.
#[derive(Clone, Copy)]
pub struct Choice {
    /// (word, label in the form), in the order the form lists them.
    pub options: fn() -> Vec<(&'static str, &'static str)>,
    /// The word when the URL has none.
    pub default: &'static str,
    /// One line for people: what it chooses.
    pub doc: &'static str,
    /// The end of the notice for an unknown word, given the word used instead
    /// (`": showing compare-4x4"`): each choice says it in its own words.
    pub instead: fn(&str) -> String,
}

/// How the reader sets a field on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    /// A number input bounded by the parameter.
    Number(Param),
    /// A list of (word, label) options.
    Select(Vec<(&'static str, &'static str)>),
    /// No form control: a link sets it (`autorun`), or the widget does (an animation's
    /// time is its player's clock).
    None,
}

/// A field's row in the README's table: (values, default, meaning).
pub type Doc = (String, String, String);

impl<S> Field<S> {
    /// A number field: its key is the parameter's.
    pub const fn number(param: Param, get: fn(&S) -> f64, set: fn(&mut S, f64)) -> Field<S> {
        Field { key: param.key, kind: Kind::Number { param, get, set } }
    }

    /// A choice of words under `key`.
    pub const fn choice(
        key: &'static str,
        choice: Choice,
        get: fn(&S) -> &'static str,
        set: fn(&mut S, &str),
    ) -> Field<S> {
        Field { key, kind: Kind::Choice { choice, get, set } }
    }

    /// The `autorun` flag of the widgets that run work.
    pub const fn autorun(get: fn(&S) -> bool, set: fn(&mut S, bool)) -> Field<S> {
        let doc = "`1` runs once loaded and in view (within a screen of it)";
        Field { key: "autorun", kind: Kind::Flag { doc, get, set } }
    }

    /// The time `t` of an animation: absent, it plays when scrolled into view.
    pub const fn time(get: fn(&S) -> Option<f64>, set: fn(&mut S, Option<f64>)) -> Field<S> {
        Field { key: TIME.key, kind: Kind::Optional { param: TIME, unset: "none (plays)", get, set } }
    }

    /// How the reader sets it.
    pub fn control(&self) -> Control {
        match &self.kind {
            Kind::Number { param, .. } => Control::Number(*param),
            Kind::Choice { choice, .. } => Control::Select((choice.options)()),
            Kind::Optional { .. } | Kind::Flag { .. } => Control::None,
        }
    }

    /// Its value as a URL writes it; `None` when the URL leaves it out.
    pub fn text(&self, state: &S) -> Option<String> {
        match &self.kind {
            Kind::Number { get, .. } => Some(number(get(state))),
            Kind::Optional { get, .. } => get(state).map(number),
            Kind::Choice { get, .. } => Some(get(state).to_string()),
            Kind::Flag { get, .. } => get(state).then(|| "1".to_string()),
        }
    }

    /// Sets the field from a raw URL value (`None`: the URL has none), changing what must
    /// change and saying so. A choice that the URL leaves out keeps the state's word, so a
    /// caller can start from its own default (the page's preset).
    pub fn read(&self, state: &mut S, raw: Option<&str>, notices: &mut Vec<Notice>) {
        // The work is done by functions that do not depend on `S`, so that the binary holds
        // it once rather than once per state.
        let raw = raw.map(str::trim);
        match &self.kind {
            Kind::Number { param, set, .. } => set(state, param.read(raw, notices)),
            Kind::Optional { param, set, .. } => set(state, optional(param, raw, notices)),
            Kind::Choice { choice, get, set } => {
                if let Some(word) = choice.pick(self.key, raw, get(state), notices) {
                    set(state, word);
                }
            }
            Kind::Flag { set, .. } => set(state, flag(self.key, raw, notices)),
        }
    }

    /// Sets the field to its default.
    fn reset(&self, state: &mut S) {
        match &self.kind {
            Kind::Number { param, set, .. } => set(state, param.default),
            Kind::Optional { set, .. } => set(state, None),
            Kind::Choice { choice, set, .. } => set(state, choice.default),
            Kind::Flag { set, .. } => set(state, false),
        }
    }

    /// Whether its value is one [`Field::read`] could have produced.
    pub fn check(&self, state: &S) -> Result<(), String> {
        match &self.kind {
            Kind::Number { param, get, .. } => in_range(param, get(state)),
            Kind::Optional { param, get, .. } => get(state).map_or(Ok(()), |v| in_range(param, v)),
            Kind::Choice { choice, get, .. } => choice.check(self.key, get(state)),
            Kind::Flag { .. } => Ok(()),
        }
    }

    /// Its row in the README's table.
    pub fn doc(&self) -> Doc {
        let words = |list: &[(&str, &str)]| list.iter().map(|(w, _)| format!("`{w}`")).collect::<Vec<_>>();
        match &self.kind {
            Kind::Number { param, .. } => (param.range_text(), param.default.to_string(), param.doc.into()),
            Kind::Optional { param, unset, .. } => (param.range_text(), unset.to_string(), param.doc.into()),
            Kind::Choice { choice, .. } => {
                (words(&(choice.options)()).join(", "), format!("`{}`", choice.default), choice.doc.into())
            }
            Kind::Flag { doc, .. } => ("`1`, `0`".into(), "`0`".into(), doc.to_string()),
        }
    }
}

impl Choice {
    /// The word to set for a raw URL value: `None` keeps the state's `current` word (when
    /// the URL has none, or an unknown one, which a notice names).
    fn pick(
        &self,
        key: &str,
        raw: Option<&str>,
        current: &str,
        notices: &mut Vec<Notice>,
    ) -> Option<&'static str> {
        let word = raw.filter(|w| !w.is_empty())?;
        let known = (self.options)().into_iter().map(|(w, _)| w).find(|w| *w == word);
        if known.is_none() {
            let instead = (self.instead)(current);
            notices.push(Notice(format!("{key}={:?} is unknown{instead}", shorten(word))));
        }
        known
    }

    /// Whether `word` is one of the choice's words.
    fn check(&self, key: &str, word: &str) -> Result<(), String> {
        match (self.options)().iter().any(|(w, _)| *w == word) {
            true => Ok(()),
            false => Err(format!("{key}={word} is not one of its words")),
        }
    }
}

/// A flag from a raw URL value: `1` or `true` is on; nothing, `0` or `false` is off; anything
/// else is off, with a notice.
fn flag(key: &str, raw: Option<&str>, notices: &mut Vec<Notice>) -> bool {
    match raw {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            notices.push(Notice(format!("{key}={:?} is not 1 or 0: using 0", shorten(other))));
            false
        }
    }
}

/// An optional number from a raw URL value: none when the URL has none.
fn optional(param: &Param, raw: Option<&str>, notices: &mut Vec<Notice>) -> Option<f64> {
    raw.filter(|v| !v.is_empty()).map(|v| param.read(Some(v), notices))
}

/// `blank` with every field at its default: a state's default is its table's.
pub fn defaults<S: State>(mut blank: S) -> S {
    for field in blank.fields() {
        field.reset(&mut blank);
    }
    blank
}

/// Reads every field of `state` from `query`, then settles the rules between them.
pub fn read<S: State>(mut state: S, query: &[(String, String)]) -> (S, Vec<Notice>) {
    let mut notices = Vec::new();
    for field in state.fields() {
        field.read(&mut state, find(query, field.key), &mut notices);
    }
    state.settle(&mut notices);
    (state, notices)
}

/// `state` with the field `key` set from what the reader entered (blank: its default), then
/// settled: a form's change goes through the same rules as a URL.
pub fn change<S: State>(mut state: S, key: &str, raw: &str) -> (S, Vec<Notice>) {
    let mut notices = Vec::new();
    if let Some(field) = state.fields().iter().find(|f| f.key == key) {
        match raw.trim() {
            "" => field.reset(&mut state),
            raw => field.read(&mut state, Some(raw), &mut notices),
        }
    }
    state.settle(&mut notices);
    (state, notices)
}

/// The query that [`read`] reads back as `state`.
pub fn write<S: State>(state: &S) -> Pairs {
    state.fields().iter().filter_map(|f| Some((f.key.to_string(), f.text(state)?))).collect()
}

/// Whether every field is in range and the rules between them hold.
pub fn validate<S: State>(state: &S) -> Result<(), String> {
    state.fields().iter().try_for_each(|f| f.check(state))?;
    state.check()
}

/// Whether `v` is one of `p`'s values.
pub fn in_range(p: &Param, v: f64) -> Result<(), String> {
    let whole_ok = !p.whole || v.fract() == 0.0;
    if v.is_finite() && (p.min..=p.max).contains(&v) && whole_ok {
        Ok(())
    } else {
        Err(format!("{}={} is outside {}", p.key, number(v), p.range_text()))
    }
}

/// The parameter `key` of `list`, found while compiling: a key that is not in the list does
/// not build, where a look-up at run time would panic in a reader's tab.
pub const fn param(list: &[Param], key: &str) -> Param {
    let mut i = 0;
    while i < list.len() {
        if same(list[i].key, key) {
            return list[i];
        }
        i += 1;
    }
    panic!("no parameter has this key")
}

/// `a == b`, for `const` code (where `==` on `str` is not yet allowed).
pub const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The animation time a link brings back: `t`, in ms.
pub const TIME: Param = Param::real("t", 0.0, 1e9, 0.0, "animation time to show, paused (ms)");

/// The seed of an animation's workload.
pub const SEED: Param =
    Param::whole("seed", 0.0, 4_294_967_295.0, 1.0, "workload seed (the same seed draws the same pixels)");
