// Registers sw.js (offline use; isolation headers where the host sends none) and, on a
// page that is not yet cross-origin isolated, reloads once when it takes control: a
// top-level page in every browser, a page in a frame only where the worker's
// Document-Isolation-Policy can isolate it (Chromium 137 and later; no property tells, so
// the browser's brand does). A frame of another site often cannot register the worker at
// all (Chromium refuses it with third-party storage blocked): then nothing happens.
// `?no-sw` skips all of it: that is how the fallback without shared memory is tested.
const params = new URLSearchParams(location.search);
if ("serviceWorker" in navigator && isSecureContext && !params.has("no-sw")) {
  navigator.serviceWorker.register("./sw.js").then(async () => {
    // Hand the worker everything this page loaded before it took control, for offline use,
    // and what it loads later while it is still not controlled: the wasm is fetched only
    // after the first paint (start.js), often after the worker is ready.
    const ready = await navigator.serviceWorker.ready;
    const send = (urls) => ready.active?.postMessage({ type: "cvp:cache", urls });
    send([location.href.split("#")[0], ...performance.getEntriesByType("resource").map((e) => e.name)]);
    if (!navigator.serviceWorker.controller && PerformanceObserver.supportedEntryTypes?.includes("resource")) {
      new PerformanceObserver((list) => send(list.getEntries().map((e) => e.name))).observe({ type: "resource" });
    }
    const topLevel = window.top === window;
    const chromium = navigator.userAgentData?.brands?.find((b) => b.brand === "Chromium");
    const isolatesAlone = Number(chromium?.version) >= 137;
    const tried = sessionStorage.getItem("cvp-isolation-reload");
    if (crossOriginIsolated || !(topLevel || isolatesAlone) || tried) return;
    const reload = () => {
      sessionStorage.setItem("cvp-isolation-reload", "1");
      location.reload();
    };
    if (navigator.serviceWorker.controller) reload();
    else navigator.serviceWorker.addEventListener("controllerchange", reload, { once: true });
  }).catch((err) => console.warn("service worker not registered:", err));
}
