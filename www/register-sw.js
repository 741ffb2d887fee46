// Registers sw.js (offline use; isolation headers where the host sends none) and, on a
// page that is not yet cross-origin isolated, reloads once when it takes control: a
// top-level page in every browser, a page in a frame only where the worker's
// Document-Isolation-Policy can isolate it (Chromium 137 and later; no property tells, so
// the browser's brand does). A frame of another site often cannot register the worker at
// all (Chromium refuses it with third-party storage blocked): then nothing happens.
// `?no-sw` skips all of it: that is how the fallback without shared memory is tested.
const params = new URLSearchParams(location.search);
const KEY = "cvp-isolation-reload";
if ("serviceWorker" in navigator && isSecureContext && !params.has("no-sw")) {
  const topLevel = window.top === window;
  // A page the worker controlled from its first request has had a copy of each kept.
  const controlledFromStart = navigator.serviceWorker.controller !== null;
  const chromium = navigator.userAgentData?.brands?.find((b) => b.brand === "Chromium");
  const isolatesAlone = Number(chromium?.version) >= 137;
  // A frame whose storage is blocked (a third-party frame, often) cannot remember that it
  // reloaded, so it does not reload at all: a loop is worse than no threads.
  const tried = (() => {
    try {
      return sessionStorage.getItem(KEY) !== null;
    } catch {
      return true;
    }
  })();
  const reloads = !crossOriginIsolated && (topLevel || isolatesAlone) && !tried;
  // start.js asks this before it fetches the wasm, which a page about to be replaced
  // need not download: true once the reload is under way; false when none will come (no
  // worker, or none took control within 10 s).
  let settle;
  window.cvpIsolating = reloads ? new Promise((ok) => (settle = ok)) : Promise.resolve(false);
  if (reloads) setTimeout(() => settle(false), 10_000);
  navigator.serviceWorker.register("./sw.js").then(async () => {
    const ready = await navigator.serviceWorker.ready;
    if (reloads) {
      const reload = () => {
        // Not while the worker is still activating: Firefox ESR 153 then at times held the
        // new page's first scripts for good (12 visits in 120; none in 70 since).
        const worker = navigator.serviceWorker.controller;
        if (worker && worker.state !== "activated") return worker.addEventListener("statechange", reload, { once: true });
        sessionStorage.setItem(KEY, "1");
        settle(true);
        location.reload();
      };
      if (navigator.serviceWorker.controller) reload();
      else navigator.serviceWorker.addEventListener("controllerchange", reload, { once: true });
      return;
    }
    // A page that reloads needs nothing more: the next one loads through the worker, which
    // keeps a copy of each answer. So does a page the worker controlled from the start.
    if (controlledFromStart) return;
    // Hand the worker everything this page loaded without it, for offline use: what loaded
    // before it took control, and what loads after, since a fetch begun before it took
    // control ends without it. The wasm is fetched only after the first paint (start.js),
    // often about then: once, the worker was ready and in control before the wasm arrived,
    // a check of "not controlled yet" skipped the wasm, and the page did not start offline.
    // The worker skips what it keeps already.
    const send = (urls) => ready.active?.postMessage({ type: "cvp:cache", urls });
    send([location.href.split("#")[0], ...performance.getEntriesByType("resource").map((e) => e.name)]);
    if (PerformanceObserver.supportedEntryTypes?.includes("resource")) {
      new PerformanceObserver((list) => send(list.getEntries().map((e) => e.name))).observe({ type: "resource" });
    }
  }).catch((err) => {
    settle?.(false);
    console.warn("service worker not registered:", err);
  });
} else {
  window.cvpIsolating = Promise.resolve(false);
}
