// The start-up experiment (embed.html?widget=startup): it runs one computation by one
// thread, by N fresh workers and by N pooled threads for N = 1 to twice the hardware
// threads, draws them, says where fresh workers pay off, and posts one cvp:result. Where
// the page cannot share memory, the pooled series is missing and the page says so.

import { test } from "node:test";
import assert from "node:assert/strict";
import { limit, setup, waitState, withPage } from "./helpers.mjs";

const env = setup();

function parentUrl(parent, params) {
  // The plain page frames the site from a host without isolation headers, whose frame
  // nothing isolates (with Document-Isolation-Policy, Chromium would: course.test.mjs).
  const plain = parent === env.urls.CVP_PARENT_PLAIN;
  const site = plain ? env.urls.CVP_SITE_PLAIN : env.urls.CVP_SITE_ISOLATED;
  const src = `${site}embed.html?${new URLSearchParams(plain ? { ...params, "no-sw": "" } : params)}`;
  return `${parent}?src=${encodeURIComponent(src)}`;
}

async function result(page) {
  await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:result"), null, { timeout: 90_000, polling: 100 });
  const results = (await page.evaluate(() => window.received)).filter((m) => m.data?.type === "cvp:result");
  assert.equal(results.length, 1, `one cvp:result per experiment, got ${results.length}`);
  assert.equal(results[0].fromEmbed, true);
  return results[0].data;
}

for (const [name, parent, isolated] of [
  ["an isolated page", "CVP_PARENT_ISOLATED", true],
  ["a plain page", "CVP_PARENT_PLAIN", false],
]) {
  test(`startup, embedded in ${name}: every N measured, drawn, and the break-even said`, limit(180), async () => {
    await withPage(env, parentUrl(env.urls[parent], { widget: "startup", work: 80, autorun: 1 }), async (page) => {
      const w = page.frameLocator("#embed").locator("section[data-widget=startup]");
      await waitState(w, ["done"], { timeout: 120_000, what: "the start-up experiment" });
      const cores = await page.frameLocator("#embed").locator("body").evaluate(() => navigator.hardwareConcurrency);
      const data = await result(page);
      assert.equal(data.widget, "startup");
      assert.equal(data.workMs, 80);
      assert.ok(data.wallMs > 0);
      assert.deepEqual(data.points.map((p) => p.n), Array.from({ length: 2 * cores }, (_, i) => i + 1), "N = 1 to twice the hardware threads");
      for (const p of data.points) {
        assert.ok(p.oneMs > 0 && p.freshMs > 0, JSON.stringify(p));
        assert.ok(p.freshStartupMs > 0, `fresh workers always pay a start-up: ${JSON.stringify(p)}`);
        assert.ok(p.freshStartupMs < p.freshMs, `their start-up is inside their time: ${JSON.stringify(p)}`);
        if (isolated) assert.ok(p.pooledMs > 0, `pooled threads run where memory is shared: ${JSON.stringify(p)}`);
        else assert.equal(p.pooledMs, null, "no pooled threads without shared memory");
      }
      // More workers cost more to start: the slowest start-up of the largest N is above N = 1's.
      assert.ok(data.points.at(-1).freshStartupMs > data.points[0].freshStartupMs, JSON.stringify(data.points));
      if (cores >= 2) {
        assert.ok(data.breakEvenMs > 0 && data.breakEvenN >= 2, `a break-even exists on ${cores} cores`);
        // The lesson is computed from this run: the break-even is what its own start-up
        // costs imply, fresh ≈ start-up + work / min(N, cores), not a figure written in.
        const p = data.points.find((q) => q.n === data.breakEvenN);
        const k = Math.min(p.n, cores);
        const implied = p.freshStartupMs / (1 - 1 / k);
        assert.ok(Math.abs(data.breakEvenMs - implied) < 1e-6 * implied + 1e-9, `break-even ${data.breakEvenMs} ms from start-up ${p.freshStartupMs} ms on ${k} cores: ${implied}`);
        assert.match((await w.locator(".cvp-verdict").textContent()) ?? "", new RegExp(`${data.breakEvenN} fresh workers pay off`));
        // Splitting the same work, fresh workers pay their start-up and pooled threads do not.
        const last = data.points.at(-1);
        if (isolated) assert.ok(last.pooledMs < last.freshMs, `pooled threads beat fresh workers at N = ${last.n}: ${JSON.stringify(last)}`);
      }
      assert.equal(await w.locator("tbody tr").count(), 2 * cores);
      assert.equal(await w.locator("canvas.cvp-chart").isVisible(), true, "the chart is drawn");
      assert.match((await w.locator(".cvp-verdict").textContent()) ?? "", /pay off/);
      if (!isolated) assert.match(await w.locator("tbody").innerText(), /unavailable here/);
    });
  });
}
