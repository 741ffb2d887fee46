// The one script every worker of ours runs: the runner (which owns the rayon pool and
// orchestrates runs off the page's main thread) and each "process" (a worker with its own
// wasm instance and memory). The page and the runner import this file through the
// wasm-bindgen glue to call spawnWorker; a new worker loads the same file as its script,
// waits for one init message, then instantiates the wasm module it was handed.

export function spawnWorker(mainJS, module, role) {
  const worker = new Worker(import.meta.url, { type: "module", name: `cvp-${role}` });
  worker.postMessage({ type: "cvp_worker_init", mainJS, module, role });
  return worker;
}

// Every worker that loads the glue (rayon's too) evaluates this file: only ours get the
// init message, so the listener is harmless elsewhere.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.addEventListener("message", async function onInit({ data }) {
    if (data?.type !== "cvp_worker_init") return;
    self.removeEventListener("message", onInit);
    try {
      const glue = await import(data.mainJS);
      // No memory passed: this worker gets a fresh one, as a process would.
      await glue.default({ module_or_path: data.module });
      glue.cvp_worker_main(data.role);
    } catch (err) {
      postMessage({ type: "failed", id: 0, error: `worker start-up failed: ${err}` });
    }
  });
}
