// The site's service worker, for two things a plain static host cannot do:
// 1. offline use once loaded: every same-origin GET is answered from the network when it
//    can be (so a new build shows at once) and from the cache when it cannot;
// 2. cross-origin isolation on hosts that cannot send headers (GitHub Pages, say): responses
//    get Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy added, which is what
//    shared memory, and so threads, require, and Document-Isolation-Policy, which isolates
//    a page in a frame whatever embeds it (Chromium 137 and later honour it from a service
//    worker too: tests/e2e/course.test.mjs). register-sw.js reloads the page once to apply it.
const CACHE = "cvp-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function isolated(response) {
  if (response.status === 0 || response.type === "opaque") return response;
  const headers = new Headers(response.headers);
  if (!headers.has("Cross-Origin-Embedder-Policy")) headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  if (!headers.has("Cross-Origin-Opener-Policy")) headers.set("Cross-Origin-Opener-Policy", "same-origin");
  if (!headers.has("Document-Isolation-Policy")) headers.set("Document-Isolation-Policy", "isolate-and-require-corp");
  if (!headers.has("Cross-Origin-Resource-Policy")) headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// The page sends what it loaded before this worker controlled it (first visit): cache it
// too, so the site works offline from the first visit on.
// Only our own pages can message this worker; still, anything but a list of this site's
// URLs is ignored, and at most a few hundred are taken.
const sameSite = (u) => {
  try {
    const url = new URL(u);
    return url.origin === self.location.origin && url.protocol.startsWith("http");
  } catch {
    return false;
  }
};
self.addEventListener("message", (event) => {
  const { type, urls: asked } = event.data ?? {};
  if (type !== "cvp:cache" || !Array.isArray(asked)) return;
  // One by one: `addAll` keeps none if any fails, and fails on a URL listed twice (each
  // worker loads the same script). What is kept already is not fetched again: the page
  // sends what it loads for as long as it is open.
  const urls = [...new Set(asked.slice(0, 500))].filter((u) => typeof u === "string" && sameSite(u));
  const add = async (cache, url) => (await cache.match(url, { ignoreVary: true })) || cache.add(url);
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.allSettled(urls.map((u) => add(cache, u)))));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      // The network's answer goes to the page at once, and the copy for offline use is kept
      // beside it, never before it: a Cache call can take long (Firefox ESR 153 once left
      // caches.open pending for good on a page this worker had just reloaded).
      let response;
      try {
        response = await fetch(request);
      } catch (offline) {
        // ignoreVary: the server varies on Accept-Encoding (its precompressed copies), but
        // what the cache holds is already decoded, good for any request.
        const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: request.mode === "navigate", ignoreVary: true });
        if (cached) return isolated(cached);
        throw offline;
      }
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
      }
      return isolated(response);
    })(),
  );
});
