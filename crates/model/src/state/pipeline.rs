//! The state of the pipeline widget.

use super::field::{self, param, Field, State};
use crate::pipeline::Spec;
use crate::query::{Notice, Pairs, Param};

/// The pipeline's numbers: items, each stage's time per item, workers, queue places.
pub const PIPELINE_PARAMS: [Param; 9] = [
    Param::whole("items", 1.0, 200.0, 40.0, "pages through the pipeline"),
    Param::real("request", 1.0, 2000.0, 200.0, "request: waiting for the server (ms)"),
    Param::real("poll", 1.0, 2000.0, 100.0, "poll: waiting for the result (ms)"),
    Param::real("collect", 0.1, 50.0, 2.0, "collect: light CPU work on one coroutine (ms)"),
    Param::real("transform", 1.0, 500.0, 40.0, "transform: CPU work on the threads (ms)"),
    Param::real("write", 1.0, 2000.0, 100.0, "write: waiting for the disk (ms)"),
    Param::whole("io", 1.0, 64.0, 4.0, "coroutines in each waiting stage"),
    Param::whole("threads", 1.0, 16.0, 2.0, "threads of the transform stage"),
    Param::whole("queue", 1.0, 64.0, 4.0, "places in each queue between stages"),
];

/// The state of the pipeline widget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PipelineState {
    /// What to run.
    pub spec: Spec,
    /// Run once loaded.
    pub autorun: bool,
}

/// The field of stage `i`'s time per item (`Spec::ms` is in stage order).
const fn stage<const I: usize>(key: &str) -> Field<PipelineState> {
    Field::number(param(&PIPELINE_PARAMS, key), |s| s.spec.ms[I], |s, v| s.spec.ms[I] = v)
}

const FIELDS: [Field<PipelineState>; 10] = [
    Field::number(param(&PIPELINE_PARAMS, "items"), |s| s.spec.items as f64, |s, v| s.spec.items = v as u32),
    stage::<0>("request"),
    stage::<1>("poll"),
    stage::<2>("collect"),
    stage::<3>("transform"),
    stage::<4>("write"),
    Field::number(
        param(&PIPELINE_PARAMS, "io"),
        |s| s.spec.io_workers as f64,
        |s, v| s.spec.io_workers = v as u32,
    ),
    Field::number(
        param(&PIPELINE_PARAMS, "threads"),
        |s| s.spec.threads as f64,
        |s, v| s.spec.threads = v as u32,
    ),
    Field::number(param(&PIPELINE_PARAMS, "queue"), |s| s.spec.queue as f64, |s, v| s.spec.queue = v as u32),
    Field::autorun(|s| s.autorun, |s, on| s.autorun = on),
];

impl State for PipelineState {
    fn fields(&self) -> &'static [Field<PipelineState>] {
        &FIELDS
    }
}

impl PipelineState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (PipelineState, Vec<Notice>) {
        // Every number is set from the table.
        let blank = Spec { items: 0, ms: [0.0; 5], io_workers: 0, threads: 0, queue: 0 };
        field::read(field::defaults(PipelineState { spec: blank, autorun: false }), query)
    }

    /// The query that [`PipelineState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        field::write(self)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        field::validate(self)
    }
}
