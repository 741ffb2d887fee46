// The one script every worker of ours runs: the runner (which owns the rayon pool and
// orchestrates runs off the page's main thread) and each "process" (a worker with its own
// wasm instance and memory). The page and the runner import this file through the
// wasm-bindgen glue to call spawnWorker; a new worker loads the same file as its script,
// waits for one init message, then instantiates the wasm module it was handed.

let scriptUrl;

// Stack of each pool thread we start (a multiple of 64 KiB): fib recurses 42 deep at most.
const THREAD_STACK = 256 * 1024;

// The worker starts from a blob copy of this file, as wasm-bindgen-rayon's helper does:
// a blob inherits the page's cross-origin policies, so it loads under COEP whatever
// headers the server puts on the file, and also when the glue is hosted elsewhere.
async function blobUrl() {
  if (!scriptUrl) {
    const source = await fetch(import.meta.url).then((r) => r.blob());
    scriptUrl = URL.createObjectURL(source);
  }
  return scriptUrl;
}

// What the page or the runner holds: it queues messages until the real worker exists,
// and turns every failure to start into an ordinary message, so that one handler covers
// start-up errors and no owner is ever left waiting in silence. The messages and the
// roles are Rust's: `failed(why)` builds the failure message, and `role` is only a name
// carried through. This file's own protocol is the two cvp_worker_* messages below.
class WorkerHandle {
  constructor() {
    this.onmessage = null;
    this.worker = null;
    this.queued = [];
    this.ended = false;
  }
  deliver(data) {
    this.onmessage?.(new MessageEvent("message", { data }));
  }
  postMessage(message) {
    if (this.worker) this.worker.postMessage(message);
    else this.queued.push(message);
  }
  terminate() {
    this.ended = true;
    this.worker?.terminate();
  }
}

// `memory` and `entry` are for a thread: the spawner's shared memory, and the thread's
// entry (opaque here) to hand back to Rust once instantiated.
export function spawnWorker(mainJS, module, role, failedMessage, memory, entry) {
  const handle = new WorkerHandle();
  const failed = (why) => handle.deliver(failedMessage(String(why)));
  blobUrl()
    .then((url) => {
      if (handle.ended) return;
      const worker = new Worker(url, { type: "module", name: `cvp-${role}` });
      worker.onmessage = (e) => {
        if (e.data?.type === "cvp_worker_failed") failed(e.data.why);
        else handle.deliver(e.data);
      };
      worker.onerror = (e) => failed(e.message || "script error");
      worker.postMessage({ type: "cvp_worker_init", mainJS, module, role, memory, entry });
      for (const message of handle.queued) worker.postMessage(message);
      handle.queued = [];
      handle.worker = worker;
    })
    .catch(failed);
  return handle;
}

// Every worker that loads the glue (rayon's too) evaluates this file: only ours get the
// init message, so the listener is harmless elsewhere.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.addEventListener("message", async function onInit({ data }) {
    if (data?.type !== "cvp_worker_init") return;
    self.removeEventListener("message", onInit);
    // A panic inside a Rust future rejects a promise that nobody holds, which the page
    // would never hear of (only uncaught errors reach a Worker's onerror): say it too.
    self.addEventListener("unhandledrejection", (e) => postMessage({ type: "cvp_worker_failed", why: `${e.reason}` }));
    // The runner starts the processes: have their script ready before the first one, so
    // that no measured start-up pays for fetching it (it is fetched once per runner).
    if (data.role === "runner") blobUrl().catch(() => {});
    try {
      const glue = await import(data.mainJS);
      // Without a memory this worker gets a fresh one, as a process would; a thread gets
      // its spawner's (and a small stack: its work is shallow recursion).
      const wasm = await glue.default({
        module_or_path: data.module,
        memory: data.memory,
        thread_stack_size: data.memory ? THREAD_STACK : undefined,
      });
      // For the soak test, which reads each worker's memory from outside.
      self.cvpMemoryBytes = glue.memory_bytes;
      if (glue.cvp_worker_main(data.role, data.entry ?? 0)) {
        // A thread whose pool ended: free its stack and thread-local storage, then go.
        wasm.__wbindgen_thread_destroy?.();
        close();
      }
    } catch (err) {
      postMessage({ type: "cvp_worker_failed", why: `${err}` });
    }
  });
}
