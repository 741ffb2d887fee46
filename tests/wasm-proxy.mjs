// An HTTP forward proxy for the wasm tests in Firefox: each request goes to the test runner's
// server on a connection of its own, closed after the response.
//
// Why: wasm-bindgen-test-runner serves the test page with tiny_http, and over Firefox's
// persistent connections some responses never arrive. When a test starts 24 threads, 24
// workers import the module's JavaScript at once; in runs served directly, 7 of 22 left
// workers stuck in that import for good (the pool never started); through this proxy, with
// the same Firefox, page and server, 0 of 24 did (and 0 of 12 through a proxy that cached).
// Neither the site (served by Node) nor Chromium sees it. crates/web/webdriver.json points
// Firefox at this proxy's port, which is fixed there (PORT below must match it).
//
//   node tests/wasm-proxy.mjs        # listens until stopped; prints "listening" when ready
//
// WebKit's go through it too, with tests/webkit-front.mjs, which starts it; the test command
// starts that front, and Firefox uses the proxy it started.

import http from "node:http";
import { pathToFileURL } from "node:url";

export const PORT = 47391;

/// Starts the proxy on PORT; resolves once it listens (exits the process if it cannot).
export function startProxy() {
  const server = http.createServer((req, res) => {
    // A forward proxy receives absolute URLs ("GET http://127.0.0.1:40123/run.js").
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400).end("a proxy request needs an absolute URL\n");
      return;
    }
    if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
      // Firefox's own background requests: nothing leaves this machine.
      res.writeHead(403).end("only the local test server is reachable through this proxy\n");
      return;
    }
    const headers = { ...req.headers, connection: "close" };
    delete headers["proxy-connection"];
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers, agent: false },
      (reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`${e.message}\n`);
    });
    req.pipe(upstream);
  });

  server.on("error", (e) => {
    console.error(`wasm-proxy: cannot listen on 127.0.0.1:${PORT}: ${e.message}`);
    process.exit(1);
  });
  return new Promise((ok) =>
    server.listen(PORT, "127.0.0.1", () => {
      console.log(`wasm-proxy: listening on 127.0.0.1:${PORT}`);
      ok(server);
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await startProxy();
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
}
