// Page weight and first paint: what a first visit downloads (every distinct URL, compressed
// as the serve command sends it: brotli at quality 11, and gzip -9 as other hosts may send
// it), when the first text is painted, and that the page is readable while the wasm is still
// on its way.
//
// The budgets are what the site weighs today plus a little room, so that growth fails this
// test; issue 21's targets (the wasm at most 180 KB brotli, a first visit at most 220 KB)
// are not met: docs/BENCHMARKS.md says why, lever by lever, and scripts/wasm-weight.mjs
// shows what the wasm is made of.

import { test } from "node:test";
import assert from "node:assert/strict";
import { brotli, gzip } from "../../scripts/compress.mjs";
import { READY_TIMEOUT, limit, setup, waitReady } from "./helpers.mjs";

const env = setup();

/// Everything a first visit loads, in KB of 1,000 bytes, with brotli 11 and with gzip -9:
/// measured 306.7 KB gzip on 2026-12-02, 319.7 KB on 2026-12-04 before issue 21. The
/// teacher's page (issue 20: widgets/teach.rs, cvp_model::lesson), the trace viewer's
/// reader, the forecasts and the widget kit grew the wasm the same day; issue 21's cuts
/// (immediate-abort panics, the worker protocol's messages externally tagged, the scripts
/// minified) took about 17 KB brotli and 25 KB gzip off: 296.1 KB brotli and 359.9 KB gzip
/// measured after both (the wasm 260.4 KB brotli of it). The race (Figure 14: its model,
/// widget and runner parts) then added 17.4 KB gzip to the wasm. All merged (2026-12-04,
/// 12:05 UTC): 314.0 KB brotli and 383.3 KB gzip, the wasm 274.1 KB brotli. The budgets are
/// those plus a little room (docs/BENCHMARKS.md); issue 21's targets (220 and 180 KB brotli)
/// are not met. The semaphore (a run, its simulation and its form field) then added 1.8 KB
/// brotli to the wasm: 317.2 KB brotli in all, the wasm 275.9 KB (2026-12-04, 15:00 UTC).
/// The guessed numbers of the start-up, pipeline and race widgets (their questions, scoring
/// and reveal) then added 4.2 KB brotli: 321.6 KB brotli and 392.9 KB gzip in all, the wasm
/// 280.1 KB; with the start-up forecast line and the permits figure, 322.6 KB brotli and
/// 394.3 KB gzip, the wasm 280.8 KB (2026-12-04, 17:30 UTC).
const BUDGET_KB = { brotli: 326, gzip: 398 };
/// The wasm alone, with brotli 11.
const WASM_BROTLI_BUDGET_KB = 284;
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
    sizes.set(url, { brotli: 0, gzip: 0 });
    pending.push(
      response
        .body()
        .then((body) => sizes.set(url, { brotli: brotli(body, !url.endsWith(".wasm")).length, gzip: gzip(body).length }))
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
    const rows = [...sizes].sort((a, b) => b[1].brotli - a[1].brotli);
    const kb = (n) => (n / 1000).toFixed(1).padStart(7);
    const total = { brotli: 0, gzip: 0 };
    console.log("  brotli 11    gzip -9");
    for (const [url, n] of rows) {
      console.log(`  ${kb(n.brotli)} KB ${kb(n.gzip)} KB  ${new URL(url).pathname}`);
      total.brotli += n.brotli / 1000;
      total.gzip += n.gzip / 1000;
    }
    console.log(`  ${kb(total.brotli * 1000)} KB ${kb(total.gzip * 1000)} KB  in all; budgets ${BUDGET_KB.brotli} and ${BUDGET_KB.gzip} KB`);
    const wasm = rows.find(([url]) => url.endsWith(".wasm"));
    assert.ok(wasm, "the wasm was among the downloads");
    for (const coding of ["brotli", "gzip"]) {
      assert.ok(total[coding] <= BUDGET_KB[coding], `a first visit moves ${total[coding].toFixed(1)} KB with ${coding}, over the ${BUDGET_KB[coding]} KB budget`);
    }
    const wasmKb = wasm[1].brotli / 1000;
    assert.ok(wasmKb <= WASM_BROTLI_BUDGET_KB, `the wasm is ${wasmKb.toFixed(1)} KB with brotli, over the ${WASM_BROTLI_BUDGET_KB} KB budget`);
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
