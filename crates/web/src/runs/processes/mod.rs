//! Processes: workers with their own wasm instance and memory, as `multiprocessing` starts
//! processes. The [`host`] side (in the runner) starts them for a run and feeds them tasks;
//! the [`worker`] side runs in each of them.

pub mod host;
pub mod worker;
