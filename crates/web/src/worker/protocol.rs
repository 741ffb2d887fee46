//! Typed messages between the page, the runner and the process workers. Each direction is
//! one serde enum tagged by `type`, so a message is either understood whole or refused.

use cvp_model::job::{Job, Workload};
pub use cvp_model::machine::Capabilities;
use cvp_model::record::TaskRun;
use cvp_model::Trace;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// Page → runner.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToRunner {
    /// Run a job; the runner answers with progress, then `Done`, `Cancelled` or `Failed`.
    Run {
        /// Echoed in every answer.
        id: u32,
        /// What to run.
        job: Job,
    },
    /// Run the pipeline; answered like `Run`.
    Pipeline {
        /// Echoed in every answer.
        id: u32,
        /// Its items, stages, workers and queues.
        spec: cvp_model::pipeline::Spec,
    },
    /// Run a race of threads on one counter; answered with progress, then `Counted`,
    /// `Cancelled` or `Failed`.
    Race {
        /// Echoed in every answer.
        id: u32,
        /// Its method, threads and increments.
        race: cvp_model::race::Race,
    },
    /// Stop the current run as soon as possible.
    Cancel,
    /// Panic, as a bug would: the page sends it only when a test asks for the fault
    /// (`window.__cvpFault = "runner"`, see [`crate::test_hooks::Fault::Runner`]).
    Crash,
}

/// Runner → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromRunner {
    /// Ready for jobs.
    Ready {
        /// What it can do, and why not where it cannot.
        caps: Capabilities,
    },
    /// Tasks finished so far.
    Progress {
        /// Job id.
        id: u32,
        /// Tasks done.
        done: u32,
        /// Tasks in the job.
        total: u32,
    },
    /// The measured run.
    Done {
        /// Job id.
        id: u32,
        /// The measured timeline.
        trace: Trace,
    },
    /// The race's count and each thread's time.
    Counted {
        /// Job id.
        id: u32,
        /// What it counted.
        counted: cvp_model::race::Counted,
    },
    /// Stopped on request.
    Cancelled {
        /// Job id.
        id: u32,
    },
    /// Could not run.
    Failed {
        /// Job id (0 when the failure is not about a job).
        id: u32,
        /// What went wrong, for people.
        error: String,
    },
    /// The runner worker failed to start, or stopped (an uncaught error, a panic): sent
    /// on its behalf by its handle ([`super::spawn`]).
    Stopped {
        /// What went wrong, for people.
        error: String,
    },
}

/// Runner → process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToProcess {
    /// Run one task of `workload`.
    Task {
        /// Task index.
        task: u32,
        /// The process's lane number.
        lane: u32,
        /// Whose task it is.
        workload: Workload,
        /// When the runner sent it (absolute ms): the hand-off starts here.
        sent: f64,
        /// The runner's parse rounds per ms, so that a page's parse is the same work in
        /// every process whatever else runs while it starts.
        rounds_per_ms: f64,
    },
}

/// Process → runner.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromProcess {
    /// Instantiated and waiting for tasks.
    Ready,
    /// One task done, with its measured phases.
    Done {
        /// What the task did.
        run: TaskRun,
    },
    /// Start-up or a task failed.
    Failed {
        /// Why.
        error: String,
    },
}

/// Encodes a message between our own threads (the page, the runner, the processes): one
/// JSON string, which `postMessage` copies as it is and [`decode`] parses once. A trace of
/// a 1,000-page run crosses in a millisecond this way, where a tree of thousands of JS
/// objects, copied and walked field by field, blocked the page for tens of milliseconds.
/// JSON is the one serde format in the binary (exports and traces use it too): a second
/// one would add its own copy of every message's (de)serialiser to each visitor's download.
pub fn encode<T: Serialize>(msg: &T) -> JsValue {
    JsValue::from_str(&serde_json::to_string(msg).expect("protocol messages always serialise"))
}

/// Decodes a message [`encode`] made, with a readable error for anything unexpected.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    let text = value.as_string().ok_or_else(|| "unreadable message: not one of ours".to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("unreadable message: {e}"))
}

/// Encodes a value for JavaScript to read (embedding pages, scripts calling `run_job`): a
/// plain object, as `JSON.parse` builds it, in which `None` is `null`.
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).expect("protocol messages always serialise"))
        .expect("serde_json writes valid JSON")
}

/// Decodes a value a script gave (a plain object), with a readable error.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| "unreadable value: not JSON".to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("unreadable value: {e}"))
}
