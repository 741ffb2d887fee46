// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// A phone's first seconds: the page paints before the wasm is even asked for, its widgets
// mount as they come within a screen of view (crates/web/src/app.rs), one a task, and each
// keeps its room before it mounts (style.css), so that nothing on the screen moves when one
// does. embed.html mounts its one widget at once. How long the tasks take is measured by
// scripts/lighthouse.mjs (docs/BENCHMARKS.md), not here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { READY_TIMEOUT, limit, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();

/// Ids of the widgets that have mounted (have a data-state).
const mounted = (page) =>
  page.evaluate(() => [...document.querySelectorAll("[data-widget]")].filter((w) => w.hasAttribute("data-state")).map((w) => w.id));

/// Resolves once the page's wasm has started (window.wasmBindings is set by start.js).
const started = (page) => page.waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: READY_TIMEOUT });

test("the wasm is asked for only after the first paint, by start.js, not by the page's head", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    // The page as served (start.js adds the module links to the live page once it has painted).
    const served = await page.evaluate(() => fetch(location.href).then((r) => r.text()));
    const head = served.slice(0, served.indexOf("<body")).match(/<(link|script)[^>]*>/g);
    await started(page);
    const t = await page.evaluate(() => ({
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
      wasm: performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"))?.startTime,
      glue: performance.getEntriesByType("resource").find((e) => e.name.endsWith("/cvp-web.js"))?.startTime,
    }));
    assert.ok(t.fcp !== undefined && t.wasm !== undefined && t.glue !== undefined, `paint and requests seen: ${JSON.stringify(t)}`);
    assert.ok(t.glue >= t.fcp && t.wasm >= t.fcp, `the glue (${t.glue} ms) and the wasm (${t.wasm} ms) were requested after the first paint (${t.fcp} ms)`);
    assert.ok(!head.some((l) => /\.wasm|cvp-web\.js|snippets/.test(l)), `the page's markup asks for none of it: ${head.join(" ")}`);
  });
});

test("at the top of the page no widget mounts; each mounts once it comes near the screen", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    await started(page);
    await page.waitForTimeout(500);
    assert.deepEqual(await mounted(page), [], "widgets mounted at the top of the page, far from the screen");
    await page.locator("#single-load").scrollIntoViewIfNeeded();
    await page.locator("#single-load[data-state=ready]").waitFor();
    const now = await mounted(page);
    assert.ok(!now.includes("sandbox") && !now.includes("big-16x16"), `widgets far below mounted too: ${now.join(", ")}`);
    // A jump far down, in one step: the widget there mounts, whatever was skipped on the way.
    await page.evaluate(() => scrollTo(0, document.getElementById("sandbox").getBoundingClientRect().top + scrollY));
    await page.locator("#sandbox[data-state=ready]").waitFor();
  });
});

for (const id of ["sandbox", "compare-4x4", "pipeline"]) {
  test(`a link to #${id} mounts it, and it stays where the link put it while its neighbours mount`, limit(), async () => {
    await withPage(env, `${env.urls.CVP_SITE_ISOLATED}#${id}`, async (page) => {
      const target = page.locator(`#${id}`);
      await waitReady(target, `#${id}, linked to`);
      // Every widget within a screen of this one has mounted by now, or is about to.
      await page.waitForTimeout(1000);
      const r = await page.evaluate((id) => ({ top: document.getElementById(id).getBoundingClientRect().top, mounted: document.querySelectorAll("[data-widget][data-state]").length }), id);
      assert.ok(Math.abs(r.top) <= 40, `#${id} is ${r.top.toFixed(0)} px from the top of the screen after ${r.mounted} widgets mounted`);
    });
  });
}

for (const width of [1280, 360]) {
  test(`at ${width} px, each widget's room before it mounts is within a fifth of its height`, limit(), async () => {
    await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
      await page.setViewportSize({ width, height: 800 });
      const rooms = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll("[data-widget]")].map((w) => [w.id, w.getBoundingClientRect().height])));
      const heights = {};
      for (const id of Object.keys(rooms)) {
        const w = page.locator(`#${id}`);
        await w.scrollIntoViewIfNeeded();
        await page.locator(`#${id}[data-state]`).waitFor();
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        heights[id] = await w.evaluate((e) => e.getBoundingClientRect().height);
      }
      const off = Object.keys(rooms)
        .filter((id) => Math.abs(rooms[id] - heights[id]) > heights[id] / 5)
        .map((id) => `${id}: room ${rooms[id].toFixed(0)} px, mounted ${heights[id].toFixed(0)} px`);
      console.log(`  ${width} px: ${Object.keys(rooms).map((id) => `${id} ${rooms[id].toFixed(0)}/${heights[id].toFixed(0)}`).join(", ")}`);
      assert.deepEqual(off, [], "rooms that differ from the mounted widget by more than a fifth (style.css, [data-widget] --room)");
    });
  });
}

test("printing mounts every widget first, so that each figure prints", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    await started(page);
    await page.evaluate(() => dispatchEvent(new Event("beforeprint")));
    const left = await page.evaluate(() => [...document.querySelectorAll("[data-widget]")].filter((w) => !w.hasAttribute("data-state")).map((w) => w.id));
    assert.deepEqual(left, [], "widgets still unmounted once beforeprint has run");
  });
});

test("embed.html mounts its one widget at once, without being scrolled to", limit(), async () => {
  await withPage(env, `${env.urls.CVP_SITE_ISOLATED}embed.html?widget=anim&preset=big-16x16`, async (page) => {
    await page.locator("[data-widget=anim][data-state=ready]").waitFor({ timeout: READY_TIMEOUT });
    assert.equal(await page.locator("h1.cvp-title").count(), 1, "the widget's title is the frame's one h1");
  });
});
