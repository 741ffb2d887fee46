//! Starting our workers: the runner and the "process" workers.

use super::protocol::{encode, FromProcess, FromRunner};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/worker_entry.js")]
extern "C" {
    /// One of our workers, as its owner holds it: messages sent before the worker exists
    /// are queued, and a failure to start arrives as an ordinary message, the one the
    /// `failed` function given to `spawnWorker` builds (so JS never writes our messages).
    pub type WorkerHandle;

    #[wasm_bindgen(js_name = spawnWorker)]
    fn spawn_worker(
        main_js: &JsValue,
        module: &JsValue,
        role: &str,
        failed: &JsValue,
        memory: &JsValue,
        entry: u32,
    ) -> WorkerHandle;

    /// Sends a message to the worker.
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    pub fn post_message(this: &WorkerHandle, message: &JsValue) -> Result<(), JsValue>;

    /// Stops the worker at once.
    #[wasm_bindgen(method)]
    pub fn terminate(this: &WorkerHandle);

    /// Sets the handler of the worker's messages.
    #[wasm_bindgen(method, setter)]
    pub fn set_onmessage(this: &WorkerHandle, handler: Option<&js_sys::Function>);
}

#[wasm_bindgen]
extern "C" {
    // The URL of wasm-bindgen's glue module: workers import it to instantiate the module.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static MAIN_JS: JsValue;
}

/// Which of our workers to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Owns the rayon pool and runs jobs.
    Runner,
    /// One "process" of the processes strategy: its own instance, its own memory.
    Process,
    /// One thread of a pool this module builds: the module on the spawner's memory.
    Thread,
}

impl Role {
    const ALL: [Role; 3] = [Role::Runner, Role::Process, Role::Thread];

    /// The name passed to the worker (JS only carries it through).
    pub fn key(self) -> &'static str {
        match self {
            Role::Runner => "runner",
            Role::Process => "process",
            Role::Thread => "thread",
        }
    }

    /// The role named `key`.
    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The message its owner receives when the worker cannot start, or stops on an
    /// uncaught error: typed like the worker's own messages.
    fn failure(self, why: String) -> JsValue {
        let error = format!("the {} worker stopped: {why}", self.key());
        match self {
            Role::Runner => encode(&FromRunner::Stopped { error }),
            // A thread's owner only needs to hear that it failed.
            Role::Process | Role::Thread => encode(&FromProcess::Failed { error }),
        }
    }
}

/// Starts a worker that instantiates this same wasm module (already compiled: no second
/// download or compile) with a fresh memory.
pub fn spawn(role: Role) -> WorkerHandle {
    start(role, &JsValue::UNDEFINED, 0)
}

/// [`spawn`], handing the worker the test faults `faults` (a runner's, see
/// `test_hooks::RUNNER_POOL_HANGS`) as its entry.
pub fn spawn_with_faults(role: Role, faults: u32) -> WorkerHandle {
    start(role, &JsValue::UNDEFINED, faults)
}

/// Starts a worker that runs one rayon thread on this thread's memory: `entry` is the
/// thread's leaked `Box<ThreadBuilder>` (see `runs::threads`).
pub fn spawn_thread(entry: u32) -> WorkerHandle {
    start(Role::Thread, &wasm_bindgen::memory(), entry)
}

fn start(role: Role, memory: &JsValue, entry: u32) -> WorkerHandle {
    let failed = Closure::<dyn Fn(String) -> JsValue>::new(move |why| role.failure(why)).into_js_value();
    MAIN_JS.with(|main_js| spawn_worker(main_js, &wasm_bindgen::module(), role.key(), &failed, memory, entry))
}
