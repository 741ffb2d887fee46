// The site served WITHOUT the isolation headers, as most static hosts serve it. Its service
// worker adds the headers and reloads once, so threads work there too; with ?no-sw (or where
// service workers cannot run) there is no shared memory, so no rayon pool: the page must say
// why, disable what cannot run, and still run everything else, processes included (parallel,
// without shared memory).

import { test } from "node:test";
import assert from "node:assert/strict";
import { SMALL_FETCH, SMALL_FIB, assertRow, results, runStrategy, setInputs, setup, strategyOptions, waitIsolated, waitReady, withPage, limit } from "./helpers.mjs";

const env = setup();

// The plain site, with its service worker kept out.
const noSw = () => `${env.urls.CVP_SITE_PLAIN}?no-sw`;

test("without the headers the page is not isolated, says why, and disables threads and gil", limit(), async () => {
  await withPage(env, noSw(), async (page) => {
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), false, "crossOriginIsolated should be false without COOP/COEP");
    for (const id of ["fib", "fetch"]) {
      const w = page.locator(`#${id}`);
      const a = await waitReady(w, `#${id} without isolation`);
      assert.equal(a.isolated, "false", `#${id} data-isolated`);
      assert.equal(a.poolThreads, "0", `#${id} data-pool-threads should be 0 without isolation`);
      const note = w.locator("p.cvp-isolation");
      assert.equal(await note.isVisible(), true, `#${id}: p.cvp-isolation should be visible when threads are unavailable`);
      const text = (await note.textContent()) ?? "";
      assert.match(text, /cross-origin isolated/i, `#${id}: the notice should say the page is not cross-origin isolated: ${JSON.stringify(text)}`);
      assert.match(text, /Cross-Origin-Opener-Policy/, `#${id}: the notice should name the COOP header: ${JSON.stringify(text)}`);
      assert.match(text, /Cross-Origin-Embedder-Policy/, `#${id}: the notice should name the COEP header: ${JSON.stringify(text)}`);
      const options = await strategyOptions(w);
      for (const s of ["threads", "gil"]) {
        assert.ok(options[s], `#${id}: ${s} should still be listed`);
        assert.equal(options[s].disabled, true, `#${id}: ${s} should be disabled without isolation`);
      }
      for (const s of ["sync", "async", "processes"]) {
        assert.equal(options[s]?.disabled, false, `#${id}: ${s} should stay enabled without isolation`);
      }
      const selected = await w.locator("select[name=strategy]").inputValue();
      assert.ok(!["threads", "gil"].includes(selected), `#${id}: the selected strategy should be one that can run, got ${selected}`);
    }
  });
});

test("without the headers sync and processes runs of fib complete", limit(), async () => {
  await withPage(env, noSw(), async (page) => {
    const fib = page.locator("#fib");
    await waitReady(fib);
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "sync");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await runStrategy(fib, "processes");
    const table = await results(fib);
    assertRow(table, "sync", "fallback: ");
    const row = assertRow(table, "processes", "fallback: ");
    const lanes = Number(row.lanes);
    assert.ok(lanes >= 1 && lanes <= cores, `processes should use 1..${cores} lanes, got ${row.lanes}`);
    assert.equal(table.threads, undefined, "no threads row can exist without isolation");
  });
});

test("without the headers fetch runs with coroutines", limit(), async () => {
  await withPage(env, noSw(), async (page) => {
    const fetch = page.locator("#fetch");
    await waitReady(fetch);
    await setInputs(fetch, SMALL_FETCH);
    await runStrategy(fetch, "async");
    const row = assertRow(await results(fetch), "async", "fallback fetch: ");
    assert.ok(row.ms >= SMALL_FETCH.latency * 0.95, `every page waits its latency: ${row.ms} ms < ${SMALL_FETCH.latency} ms`);
  });
});

// What the page the service worker replaces did before it went: the worker's state when the
// reload began (beforeunload fires inside location.reload()), and whether it fetched the wasm.
const LEAVING = `addEventListener("beforeunload", () => {
  if (crossOriginIsolated) return;
  sessionStorage.setItem("cvp-test-leaving", JSON.stringify({
    worker: navigator.serviceWorker?.controller?.state ?? null,
    wasm: performance.getEntriesByType("resource").some((e) => /\\.wasm$/.test(e.name)),
  }));
});`;

test("without the headers the service worker isolates the page after one reload, and threads run", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_PLAIN, async (page) => {
    assert.equal(await waitIsolated(page, 30), true, "the service worker should make the page cross-origin isolated within 30 s");
    const reloads = await page.evaluate(() => performance.getEntriesByType("navigation")[0]?.type);
    assert.equal(reloads, "reload", "isolation should come from one reload");
    const leaving = await page.evaluate(() => JSON.parse(sessionStorage.getItem("cvp-test-leaving")));
    // Reloading while the worker still activated held the next page's scripts for good in
    // Firefox (1 visit in 10); a page about to go has no use for the 270 KB module.
    assert.deepEqual(leaving, { worker: "activated", wasm: false }, "the replaced page waited for an active worker and left the wasm alone");
    const fib = page.locator("#fib");
    const a = await waitReady(fib, "#fib after the service worker's reload");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(a.isolated, "true", "data-isolated after the reload");
    assert.equal(Number(a.poolThreads), cores, "the pool should start after the reload");
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads");
    assertRow(await results(fib), "threads", "after the service worker's reload: ");
  }, {
    init: [LEAVING],
    // The worker's script a second late, so that the page paints and could start the wasm.
    before: (context) => context.route(/\/sw\.js$/, async (route) => {
      await new Promise((ok) => setTimeout(ok, 1000));
      await route.continue();
    }),
  });
});
