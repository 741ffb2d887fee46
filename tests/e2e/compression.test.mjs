// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Precompressed files: the build writes a brotli and a gzip copy beside every text and wasm
// file (scripts/finish-dist.mjs), and the serve command sends the copy a request allows,
// with Content-Encoding and Vary, or the file as it is. What arrives decodes to the file.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { COMPRESSIBLE } from "../../scripts/compress.mjs";
import { READY_TIMEOUT, distDir, limit, setup } from "./helpers.mjs";

const env = setup();

/// GET `url` with exactly this Accept-Encoding (none when null), the body as it came.
function get(url, acceptEncoding) {
  return new Promise((ok, fail) => {
    const headers = acceptEncoding === null ? {} : { "Accept-Encoding": acceptEncoding };
    request(url, { headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", fail);
    })
      .on("error", fail)
      .end();
  });
}

/// Every compressible file of dist/, as a path relative to it.
function compressibleFiles() {
  const dist = distDir();
  return readdirSync(dist, { recursive: true })
    .map(String)
    .filter((name) => COMPRESSIBLE.test(name));
}

test("the build writes a smaller brotli and gzip copy beside the page, the scripts, the stylesheet and the wasm", limit(), () => {
  const dist = distDir();
  const names = compressibleFiles();
  for (const name of ["index.html", "cvp-web.js", "cvp-web_bg.wasm", "style.css", "sw.js"]) {
    assert.ok(names.includes(name), `${name} is in dist/`);
  }
  for (const name of names) {
    const raw = readFileSync(join(dist, name));
    if (raw.length < 1000) continue; // a tiny file may not shrink: the copy is then left out
    const br = readFileSync(join(dist, `${name}.br`));
    const gz = readFileSync(join(dist, `${name}.gz`));
    assert.ok(brotliDecompressSync(br).equals(raw), `${name}.br decodes to ${name}`);
    assert.ok(gunzipSync(gz).equals(raw), `${name}.gz decodes to ${name}`);
    assert.ok(br.length < gz.length && gz.length < raw.length, `${name}: brotli ${br.length} < gzip ${gz.length} < raw ${raw.length} bytes`);
  }
});

test("the server sends brotli when asked, gzip when only that is allowed, the file as it is otherwise", limit(), async () => {
  const dist = distDir();
  const cases = [
    ["gzip, deflate, br, zstd", "br"], // what a browser sends
    ["br", "br"],
    ["gzip", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["*", "br"],
    ["identity", undefined],
    [null, undefined], // no header at all
    ["br;q=0, gzip;q=0", undefined],
  ];
  for (const base of [env.urls.CVP_SITE_ISOLATED, env.urls.CVP_SUB_PLAIN]) {
    for (const name of compressibleFiles()) {
      const raw = readFileSync(join(dist, name));
      for (const [accept, expected] of cases) {
        const sent = expected === "br" ? `${name}.br` : expected === "gzip" ? `${name}.gz` : name;
        // A tiny file has no copy: it is sent as it is, whatever the request allows.
        const coding = existsSync(join(dist, sent)) ? expected : undefined;
        const what = `${base}${name} with Accept-Encoding: ${accept}`;
        const res = await get(base + name, accept);
        assert.equal(res.status, 200, what);
        assert.equal(res.headers["content-encoding"], coding, `${what}: Content-Encoding`);
        assert.match(res.headers.vary ?? "", /accept-encoding/i, `${what}: Vary`);
        // Every other header as without the copy: type, cache, policy, isolation.
        assert.equal(res.headers["content-type"], (await get(base + name, null)).headers["content-type"], `${what}: type`);
        assert.equal(res.headers["cache-control"], "no-cache", `${what}: Cache-Control`);
        assert.match(res.headers["content-security-policy"] ?? "", /default-src 'self'/, `${what}: policy`);
        assert.equal(res.headers["cross-origin-resource-policy"], "cross-origin", `${what}: CORP`);
        const isolated = base === env.urls.CVP_SITE_ISOLATED;
        assert.equal(res.headers["cross-origin-embedder-policy"], isolated ? "require-corp" : undefined, `${what}: COEP`);
        const decoded = coding === "br" ? brotliDecompressSync(res.body) : coding === "gzip" ? gunzipSync(res.body) : res.body;
        assert.ok(decoded.equals(raw), `${what}: the bytes decode to the file`);
        if (coding) assert.ok(res.body.length < raw.length, `${what}: fewer bytes than the file`);
      }
    }
  }
});

test("a browser is sent the page and the wasm as brotli, and runs them", limit(), async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    const encodings = new Map();
    page.on("response", async (r) => encodings.set(new URL(r.url()).pathname, (await r.allHeaders())["content-encoding"]));
    await page.goto(`${env.urls.CVP_SITE_ISOLATED}?no-sw`);
    // Widgets mount as they come near the screen.
    await page.locator("#compare-4x4").scrollIntoViewIfNeeded();
    await page.locator("#compare-4x4[data-state=ready]").waitFor({ timeout: READY_TIMEOUT });
    assert.equal(encodings.get("/"), "br", "the page");
    assert.equal(encodings.get("/cvp-web_bg.wasm"), "br", "the wasm");
    assert.equal(encodings.get("/cvp-web.js"), "br", "the glue");
    // What came over the wire is the brotli copy's size.
    const wasm = await page.evaluate(() => {
      const entry = performance.getEntriesByType("resource").find((e) => e.name.endsWith("cvp-web_bg.wasm"));
      return { encoded: entry.encodedBodySize, decoded: entry.decodedBodySize };
    });
    const dist = distDir();
    assert.equal(wasm.encoded, readFileSync(join(dist, "cvp-web_bg.wasm.br")).length, "the wasm's bytes on the wire");
    assert.equal(wasm.decoded, readFileSync(join(dist, "cvp-web_bg.wasm")).length, "the wasm's bytes once decoded");
  } finally {
    await context.close();
  }
});
