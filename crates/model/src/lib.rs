//! The model behind every picture on the site.
//!
//! Data flows one way: a [`workload`] (tasks with I/O and CPU durations) is run by a
//! strategy, either simulated here ([`sim`]) or run for real in the browser (the `cvp-web`
//! crate); both produce a [`trace::Trace`], which the renderer (`cvp-scene`) draws.
//! Nothing here touches a browser, so every rule is tested natively with `cargo test`.
#![deny(missing_docs)]

pub mod compare;
pub mod embed;
pub mod export;
pub mod fib;
pub mod forecast;
pub mod guess;
pub mod import;
pub mod job;
pub mod lesson;
pub mod machine;
pub mod pipeline;
pub mod presets;
pub mod query;
pub mod race;
pub mod record;
pub mod rng;
pub mod sim;
pub mod stage;
pub mod startup;
pub mod state;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod trace;
pub mod workload;

pub use trace::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
