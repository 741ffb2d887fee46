//! The state of the start-up experiment.

use super::field::{self, Field, State};
use crate::query::{Notice, Pairs, Param};

/// The start-up experiment's amount of work: ms of one idle core.
pub const WORK: Param = Param::real("work", 1.0, 2000.0, 200.0, "computation to split, in ms of one core");

/// The state of the start-up experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StartupState {
    /// The computation to split (ms of one idle core).
    pub work_ms: f64,
    /// Run once loaded.
    pub autorun: bool,
}

const FIELDS: [Field<StartupState>; 2] = [
    Field::number(WORK, |s| s.work_ms, |s, v| s.work_ms = v),
    Field::autorun(|s| s.autorun, |s, on| s.autorun = on),
];

impl State for StartupState {
    fn fields(&self) -> &'static [Field<StartupState>] {
        &FIELDS
    }
}

impl StartupState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (StartupState, Vec<Notice>) {
        field::read(field::defaults(StartupState { work_ms: 0.0, autorun: false }), query)
    }

    /// The query that [`StartupState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        field::write(self)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        field::validate(self)
    }
}
