#!/usr/bin/env node
// WebKit's driver for the wasm tests, behind a front that sends the page through
// tests/wasm-proxy.mjs, as Firefox's already is.
//
// Why: wasm-bindgen-test-runner serves the tests with tiny_http, and a test that starts 24
// threads has 24 workers fetch the module's JavaScript (three files each) at once. Served
// directly, WebKit left one worker waiting on those fetches for good, now and then: the
// thread tests' file alone failed "the pool's 24 threads did not all start within 20 s" in
// 6 runs of 70 (2026-12-05; gdb then showed 23 of the 24 workers in the wasm thread's wait
// and one still in WebCore's event loop). Through the proxy, which gives each request a
// connection of its own, it passed 70 of 70 (30 of them behind an earlier front of the same
// kind; 30 behind that front without the proxy failed once so). The runner gives Safari's
// driver no capabilities (none can be set), so this front adds them to each new session: the
// proxy, and which browser (MiniBrowser) to start. Everything else goes through as it came.
//
//   node tests/webkit-front.mjs    # prints "webkit-front: listening on 127.0.0.1:PORT"
//   SAFARIDRIVER_REMOTE=http://127.0.0.1:PORT wasm-pack test --headless --safari ...
//
// Behind this front, JavaScriptCore computed wrong answers in the unoptimised build's canvas
// and player tests far more often than served directly (6 runs of 34, and 3 of 34 later, on
// 2026-12-05, against 1 of 25 served directly); built at opt-level 1, as the wasm tests are
// since (crates/web/.cargo/config.toml), 0 of 94. The test command runs WebKit's wasm tests
// behind it, and Firefox's through its proxy. The README's known faults have the rest.
//
// It starts the proxy, and for each session an Xvfb display and WebKitWebDriver of their own
// (JavaScriptCore sharing memory with workers, as Safari does); it stops them when stopped.

import http from "node:http";
import { startEngine } from "./engines/driver.mjs";
import { PORT as PROXY_PORT, startProxy } from "./wasm-proxy.mjs";

export const PORT = 47392;

await startProxy();
// A driver of its own for each session, as the runner's own start of WebKitWebDriver gives
// each test file: WebKitWebDriver holds one session, and one whose web process crashed cannot
// be deleted ("Maximum number of active sessions" for every file after it, seen).
let engine = await startEngine("webkit");
const caps = {
  ...engine.capabilities,
  proxy: { proxyType: "manual", httpProxy: `127.0.0.1:${PROXY_PORT}` },
};
let fresh = true;

const front = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    let body = Buffer.concat(chunks);
    if (req.method === "POST" && req.url === "/session") {
      if (!fresh) {
        await engine.stop();
        engine = await startEngine("webkit");
      }
      fresh = false;
      // The runner sends {"capabilities": {}, "desiredCapabilities": {}}: ask for ours.
      body = Buffer.from(JSON.stringify({ capabilities: { alwaysMatch: caps } }));
    }
    const target = new URL(req.url, engine.base);
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host, "content-length": body.length } },
      (reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        if (reply.statusCode >= 500) {
          // The runner prints only the status: keep the driver's words in this log.
          const chunks = [];
          reply.on("data", (c) => chunks.push(c));
          reply.on("end", () => console.log(`webkit-front: ${req.method} ${req.url}: ${reply.statusCode} ${Buffer.concat(chunks).toString().slice(0, 500)}`));
        }
        reply.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`${e.message}\n`);
    });
    upstream.end(body);
  });
});

const stop = async () => {
  front.close();
  await engine.stop();
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, stop);
front.on("error", async (e) => {
  console.error(`webkit-front: cannot listen on 127.0.0.1:${PORT}: ${e.message}`);
  await engine.stop();
  process.exit(1);
});
front.listen(PORT, "127.0.0.1", () => console.log(`webkit-front: listening on 127.0.0.1:${PORT}`));
