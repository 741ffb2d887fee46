// The pipeline (embed.html?widget=pipeline): the measured run follows the simulator's,
// the bottleneck sets the pace, and one comparison runs the same pages as one loop and as
// one parallel map; a cvp:result is posted for each.

import { test } from "node:test";
import assert from "node:assert/strict";
import { limit, setup, waitState, withPage } from "./helpers.mjs";

const env = setup();

function parentUrl(params) {
  const src = `${env.urls.CVP_SITE_ISOLATED}embed.html?${new URLSearchParams(params)}`;
  return `${env.urls.CVP_PARENT_ISOLATED}?src=${encodeURIComponent(src)}`;
}

const results = (page) => page.evaluate(() => window.received.filter((m) => m.data?.type === "cvp:result").map((m) => m.data));

test("pipeline: the measured run follows the simulator, and the bottleneck sets the pace", limit(180), async () => {
  // One transform thread of 120 ms per page: the bottleneck, far slower than the waits.
  const params = { widget: "pipeline", items: 12, request: 50, poll: 30, transform: 120, write: 30, io: 4, threads: 1, queue: 2, autorun: 1 };
  await withPage(env, parentUrl(params), async (page) => {
    const w = page.frameLocator("#embed").locator("section[data-widget=pipeline]");
    await waitState(w, ["done"], { timeout: 60_000, what: "the pipeline" });
    const [r] = await results(page);
    assert.equal(r.widget, "pipeline");
    assert.equal(r.bottleneck, "transform");
    // The transform computes 12 × 120 ms one after another: nothing can make it faster. The
    // work is a fixed amount calibrated at page load, and this VM's speed drifts by a third
    // from one stretch to the next, so the margins are wide; a transform that skipped its
    // work (the optimiser once dropped it) would still fail them by far.
    assert.ok(r.wallMs >= 12 * 120 * 0.6, `the bottleneck's work takes its time: ${r.wallMs} ms`);
    assert.ok(r.wallMs >= 0.6 * r.idealMs && r.wallMs <= 1.6 * r.idealMs + 200, `measured ${r.wallMs} ms against the simulator's ${r.idealMs} ms`);
    assert.equal(r.loopMs, null);
    // Both panels drawn: the simulated and the measured.
    assert.equal(await w.locator("canvas.cvp-canvas").count(), 2);
    await w.locator("[data-action=compare]").click();
    await waitState(w, ["done"], { timeout: 90_000, what: "the comparison" });
    await page.waitForFunction(() => window.received.filter((m) => m.data?.type === "cvp:result").length >= 2, null, { timeout: 10_000 });
    const c = (await results(page)).at(-1);
    // One loop does every wait and every computation in turn (the waits are timers, exact;
    // the computing drifts with the VM as above).
    const serial = 12 * (50 + 30 + 30) + 0.6 * 12 * (2 + 120);
    assert.ok(c.loopMs >= serial, `one loop adds everything up: ${c.loopMs} ms, expected >= ${serial}`);
    assert.ok(c.wallMs < c.loopMs, `the pipeline overlaps the waits with the computing: ${c.wallMs} < ${c.loopMs}`);
    // The map runs on the pipeline's one transform thread: it too waits for each page in
    // turn (a map that ignored the thread count would overlap the waits), and the pipeline,
    // which overlaps them with the computing, beats it.
    assert.ok(c.mapMs >= serial, `a map on one thread waits for each page in turn: ${c.mapMs} ms, expected >= ${serial}`);
    assert.ok(c.wallMs < c.mapMs, `the pipeline beats the map on the same threads: ${c.wallMs} < ${c.mapMs}`);
    assert.equal(await w.locator("table.cvp-pipeline tbody tr").count(), 3);
  });
});
