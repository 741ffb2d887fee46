// Page weight and first paint: what a first visit downloads (every distinct URL, gzipped
// as a static host would serve it), when the first text is painted, and that the page is
// readable while the wasm is still on its way.
//
// The budget is what the site weighs today plus a little room, so that growth fails this
// test; the target (200 KB) is not met: docs/BENCHMARKS.md says why, and
// scripts/wasm-weight.mjs shows what the wasm is made of.

import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { READY_TIMEOUT, limit, setup, waitReady } from "./helpers.mjs";

const env = setup();

/// Everything a first visit loads, gzipped (level 9), in KB of 1,000 bytes: measured 306.7 KB
/// on 2026-12-02 (the wasm 270.9 KB of it), 319.7 KB on 2026-12-04 (the wasm 282.5 KB): the
/// widget layer's refactor (typed state tables and their form, about 5 KB; the embedder
/// protocol, test hooks and listener guards, about 2.5 KB) grew it, and the budget with it.
/// Making it smaller is issue 21's work, not a reason to let it grow unseen. The teacher's
/// page (issue 20) lives in the same module: its cards (widgets/teach.rs) and the lab's
/// questions (cvp_model::lesson) added 7.4 KB to the wasm (282.5 -> 289.9 KB gzipped, built
/// 2026-12-04), after its generic part was cut to a shim (it first cost 19 KB).
/// The race (Figure 13) added 17.4 KB to the wasm (281.1 to 298.5 KB, built before and after
/// it; scripts/wasm-weight.mjs puts about 6.7 KB in its model part, the sentences, rules and
/// their messages' serde, and 3.9 KB in its widget and runner part) and 1 KB of essay. Merged
/// with main on 2026-12-04 (its traces page and lab kit had landed since the 331 KB budget),
/// a first visit moved 397.2 KB, the wasm 355.2 KB of it; merged again at 11:50 UTC (main's
/// code panels had landed), 405.3 KB.
const BUDGET_KB = 408;
/// First contentful paint, served locally: the best of three cold loads (noise only ever
/// delays a paint).
const FCP_MS = 1000;

test("a first visit stays within its weight budget", limit(), async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const sizes = new Map();
  const pending = [];
  context.on("response", (response) => {
    const url = response.url();
    if (!url.startsWith("http") || sizes.has(url)) return;
    sizes.set(url, 0);
    pending.push(
      response
        .body()
        .then((body) => sizes.set(url, gzipSync(body, { level: 9 }).length))
        .catch(() => sizes.delete(url)),
    );
  });
  try {
    const page = await context.newPage();
    await page.goto(env.urls.CVP_SITE_ISOLATED);
    // start.js sets wasmBindings once the wasm has started (after the first paint); widgets
    // and the runner wait until they come near the screen, which a first look at the top of
    // the page does not bring.
    await page.waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: READY_TIMEOUT });
    await page.waitForTimeout(1000); // late requests: the service worker's
    await Promise.all(pending);
    const rows = [...sizes].sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((sum, [, n]) => sum + n, 0) / 1000;
    for (const [url, n] of rows) console.log(`  ${(n / 1000).toFixed(1).padStart(7)} KB  ${new URL(url).pathname}`);
    console.log(`  ${total.toFixed(1).padStart(7)} KB  in all (gzip -9), budget ${BUDGET_KB} KB`);
    assert.ok(rows.some(([url]) => url.endsWith(".wasm")), "the wasm was among the downloads");
    assert.ok(total <= BUDGET_KB, `a first visit moves ${total.toFixed(1)} KB gzipped, over the ${BUDGET_KB} KB budget`);
  } finally {
    await context.close();
  }
});

test("the page is readable, and painted, before the wasm arrives", limit(), async () => {
  const paints = [];
  for (let round = 0; round < 3; round++) {
    const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
    try {
      // Hold the wasm back for good: whatever shows now shows without it.
      await context.route(/\.wasm$/, () => {});
      const page = await context.newPage();
      await page.goto(env.urls.CVP_SITE_ISOLATED, { waitUntil: "domcontentloaded" });
      await page.locator("h1").waitFor({ state: "visible" });
      const { fcp, text } = await page.evaluate(async () => {
        const entry = () => performance.getEntriesByName("first-contentful-paint")[0];
        for (let i = 0; i < 100 && !entry(); i++) await new Promise((r) => setTimeout(r, 50));
        return { fcp: entry()?.startTime ?? null, text: document.querySelector("main")?.innerText.length ?? 0 };
      });
      assert.ok(fcp !== null, "the page paints text without the wasm");
      assert.ok(text > 2000, `the essay is there without the wasm (${text} characters)`);
      paints.push(fcp);
    } finally {
      await context.close();
    }
  }
  const best = Math.min(...paints);
  console.log(`  first contentful paint: ${paints.map((p) => p.toFixed(0)).join(", ")} ms (best ${best.toFixed(0)})`);
  assert.ok(best <= FCP_MS, `first contentful paint took ${best.toFixed(0)} ms at best, over ${FCP_MS} ms`);
});

test("a first look at the page starts no worker; coming near a real run starts the runner", limit(), async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(env.urls.CVP_SITE_ISOLATED);
    // The wasm is running, and has had time to start workers if it were going to.
    await page.waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: READY_TIMEOUT });
    await page.waitForTimeout(1500);
    assert.deepEqual(page.workers().map((w) => w.url()), [], "no worker at the top of the page");
    assert.equal(await page.locator("#fib").getAttribute("data-state"), null, "fib, far below, has not mounted yet");
    await waitReady(page.locator("#fib"), "fib, scrolled into view");
    assert.ok(page.workers().length >= 1, "the runner started once fib came into view");
  } finally {
    await context.close();
  }
});
