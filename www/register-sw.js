// Registers sw.js (offline use; isolation headers where the host sends none) and, on a
// top-level page that is not yet cross-origin isolated, reloads once when it takes control.
// `?no-sw` skips all of it: that is how the fallback without shared memory is tested.
const params = new URLSearchParams(location.search);
if ("serviceWorker" in navigator && isSecureContext && !params.has("no-sw")) {
  navigator.serviceWorker.register("./sw.js").then(async () => {
    // Hand the worker everything this page loaded before it took control, for offline use.
    const ready = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType("resource").map((e) => e.name);
    ready.active?.postMessage({ type: "cvp:cache", urls: [location.href.split("#")[0], ...loaded] });
    const topLevel = window.top === window;
    const tried = sessionStorage.getItem("cvp-isolation-reload");
    if (crossOriginIsolated || !topLevel || tried) return;
    const reload = () => {
      sessionStorage.setItem("cvp-isolation-reload", "1");
      location.reload();
    };
    if (navigator.serviceWorker.controller) reload();
    else navigator.serviceWorker.addEventListener("controllerchange", reload, { once: true });
  }).catch((err) => console.warn("service worker not registered:", err));
}
