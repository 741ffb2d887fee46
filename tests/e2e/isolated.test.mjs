// The site served with COOP + COEP: cross-origin isolated, so the rayon pool starts and
// threads run on shared memory.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SMALL_FIB,
  assertRow,
  attrs,
  canvasFingerprint,
  clickAndFinish,
  parseDurationMs,
  results,
  runStrategy,
  setInputs,
  setup,
  strategyOptions,
  waitReady,
  withPage,
  limit,
} from "./helpers.mjs";

const env = setup();

test("the isolated page is cross-origin isolated and starts a pool of every hardware thread", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const { isolated, cores, sab } = await page.evaluate(() => ({
      isolated: window.crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
      sab: typeof SharedArrayBuffer === "function",
    }));
    assert.equal(isolated, true, "crossOriginIsolated should be true with COOP + COEP");
    assert.equal(sab, true, "SharedArrayBuffer should exist on an isolated page");
    for (const id of ["fib", "fetch"]) {
      const w = page.locator(`#${id}`);
      const a = await waitReady(w, `#${id}`);
      assert.match(a.className, /\bcvp-widget\b/, `#${id} should have class cvp-widget`);
      assert.match(a.className, /\bcvp-realrun\b/, `#${id} should have class cvp-realrun`);
      assert.equal(a.isolated, "true", `#${id} data-isolated`);
      assert.equal(Number(a.poolThreads), cores, `#${id} data-pool-threads should equal navigator.hardwareConcurrency (${cores})`);
      assert.equal(await w.locator("p.cvp-isolation").isVisible(), false, `#${id}: the isolation notice should stay hidden when threads work`);
      const options = await strategyOptions(w);
      for (const s of ["sync", "async", "threads", "processes", "gil"]) {
        assert.ok(options[s], `#${id}: the strategy select should offer ${s}`);
        assert.equal(options[s].disabled, false, `#${id}: ${s} should be enabled on an isolated page`);
      }
      assert.ok((await page.evaluate(() => typeof window.wasmBindings)) === "object", "window.wasmBindings should be set");
    }
  });
});

test("fib: sync then threads both finish, with rows, times and a status that reports the time", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    const { poolThreads } = await waitReady(fib);
    await setInputs(fib, SMALL_FIB);

    const sync = await runStrategy(fib, "sync");
    let table = await results(fib);
    const syncRow = assertRow(table, "sync", "after the sync run: ");
    assert.equal(syncRow.lanes, "1", "sync runs on one lane");
    const said = parseDurationMs(sync.status);
    assert.ok(said != null, `the status should give the run's time, got ${JSON.stringify(sync.status)}`);
    assert.ok(
      Math.abs(said - syncRow.ms) <= Math.max(0.06 * syncRow.ms, 2),
      `the status's time (${said} ms from ${JSON.stringify(sync.status)}) should match the table's ${syncRow.ms} ms`,
    );
    assert.match(sync.status, new RegExp(`\\b${SMALL_FIB.tasks}\\b`), "the status should say how many tasks ran");

    const threads = await runStrategy(fib, "threads");
    table = await results(fib);
    assertRow(table, "sync", "after the threads run: ");
    const threadsRow = assertRow(table, "threads", "after the threads run: ");
    const lanes = Number(threadsRow.lanes);
    assert.ok(lanes >= 1 && lanes <= Number(poolThreads), `threads lanes (${threadsRow.lanes}) should be 1..${poolThreads}`);
    assert.ok(parseDurationMs(threads.status) != null, `the status should give the threads run's time, got ${JSON.stringify(threads.status)}`);
    assert.match(threadsRow.speedup, /\d(\.\d+)?\s*×/, `with a sync row, threads should show a speedup, got ${JSON.stringify(threadsRow.speedup)}`);
    const inputs = await fib.evaluate((el) => ({
      tasks: el.querySelector("input[name=tasks]").value,
      n: el.querySelector("input[name=n]").value,
    }));
    assert.deepEqual(inputs, { tasks: String(SMALL_FIB.tasks), n: String(SMALL_FIB.n) }, "the form should keep the values that ran");
  });
});

test("fib: threads really run at the same time (two workers' CPU segments overlap)", limit(), async (t) => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (cores < 2) return t.skip("one hardware thread: nothing to run in parallel");
    await waitReady(page.locator("#fib"));
    // Overlap in time, not speed: a busy machine slows a run but cannot hide parallelism,
    // so this cannot flake the way a timing threshold would.
    const overlap = await page.evaluate(async (threads) => {
      const trace = await window.wasmBindings.run_job({
        workload: { kind: "fib", tasks: 8, n: 32 }, strategy: "threads", threads, limit: null,
      });
      const events = trace.lanes.flatMap((l) => l.segments.filter((s) => s.phase === "rendering"))
        .flatMap((s) => [[s.start, 1], [s.end, -1]])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let now = 0, most = 0;
      for (const [, d] of events) most = Math.max(most, (now += d));
      return { most, lanes: trace.lanes.length };
    }, cores);
    assert.ok(overlap.lanes >= 2, `the run should use at least two workers, used ${overlap.lanes}`);
    assert.ok(overlap.most >= 2, `two workers should compute at the same instant, at most ${overlap.most} did`);
  });
});

test("the measured timeline draws, and scrubbing redraws it", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    await waitReady(fib);
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads");
    const player = fib.locator(".cvp-player");
    await player.scrollIntoViewIfNeeded();
    for (const action of ["play", "step", "replay", "scrub"]) {
      assert.equal(await player.locator(`[data-action=${action}]`).count(), 1, `the player should have a ${action} control`);
    }
    const canvas = player.locator("canvas.cvp-canvas").first();
    const before = await canvasFingerprint(canvas);
    assert.ok(before.width > 0 && before.height > 0, `the canvas should have a size, got ${before.width}×${before.height}`);
    assert.ok(before.colours > 1, "the canvas should not be blank after a run");
    const scrub = (to) =>
      player.locator("[data-action=scrub]").evaluate((el, to) => {
        el.value = to === "end" ? el.max || "1000" : el.min || "0";
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }, to);
    // A finished run shows its whole timeline; at time 0 nothing has run yet.
    await scrub("start");
    const atStart = await canvasFingerprint(canvas);
    assert.notEqual(atStart.hash, before.hash, "scrubbing to the start should redraw the timeline");
    await scrub("end");
    const atEnd = await canvasFingerprint(canvas);
    assert.equal(atEnd.hash, before.hash, "scrubbing back to the end should draw the finished run again, as it was");
    const a = await attrs(fib);
    assert.equal(a.state, "done", "the widget stays done while the player is used");
  });
});

test("measuring 1 to N threads draws the speedup chart against Amdahl's law", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    const { poolThreads } = await waitReady(fib);
    await setInputs(fib, SMALL_FIB);
    const chart = fib.locator("canvas.cvp-chart");
    // Hidden means no room taken either: an empty chart must not leave a blank box.
    assert.equal(await chart.isVisible(), false, "no chart before anything is measured");
    // Before the first run the timeline shows the forecast alone, nothing measured.
    const titles = await fib.locator("canvas.cvp-canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-title")));
    assert.ok(titles.length === 1 && titles[0].endsWith("(forecast)"), `only the forecast before the first run: ${titles.join(" | ")}`);
    await clickAndFinish(fib, "scale", { what: "measure 1 to N threads" });
    assert.equal(await chart.isVisible(), true, "the chart shows once measured");
    const label = await chart.getAttribute("aria-label");
    for (let p = 1; p <= Number(poolThreads); p++) {
      assert.match(label, new RegExp(`${p} threads: \\d+\\.\\d\\d×`), `the chart's text gives the speedup at ${p} threads: ${label}`);
    }
    const print = await canvasFingerprint(chart);
    assert.ok(print.colours > 2, "the chart is drawn");
  });
});
