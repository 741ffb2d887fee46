// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Once loaded, the site works offline: its service worker caches what the first visit
// loaded, and answers from the cache when the network is gone.

import { test } from "node:test";
import assert from "node:assert/strict";
import { READY_TIMEOUT, limit, mounted, setup, until, waitReady } from "./helpers.mjs";

const env = setup();

/// Opens the site in `context` and waits until its runner is ready and the service worker
/// has kept the page and everything of this site it loaded, the module among them.
async function firstVisit(context) {
  const page = await context.newPage();
  await page.goto(env.urls.CVP_SITE_ISOLATED);
  await waitReady(page.locator("#fib"), "fib");
  await until(
    page,
    async (page) => {
      const urls = new Set();
      for (const name of await caches.keys()) {
        for (const r of await (await caches.open(name)).keys()) urls.add(r.url);
      }
      const loaded = performance
        .getEntriesByType("resource")
        .map((e) => e.name)
        .filter((u) => new URL(u).origin === location.origin);
      return urls.has(page) && loaded.some((u) => u.endsWith("cvp-web_bg.wasm")) && loaded.every((u) => urls.has(u));
    },
    env.urls.CVP_SITE_ISOLATED,
    { what: "the service worker to keep the page and all it loaded" },
  );
  return page;
}

test("after one visit the page, its animations and its runs work offline", limit(), async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await firstVisit(context);
    await context.setOffline(true);
    await page.reload();
    await mounted(page.locator("#compare-4x4"));
    await page.locator('[data-widget=anim][data-preset="compare-4x4"][data-state=ready]').waitFor({ timeout: READY_TIMEOUT });
    const fib = page.locator("#fib");
    await waitReady(fib, "fib offline");
    await fib.locator("input[name=tasks]").fill("4");
    await fib.locator("input[name=n]").fill("25");
    await fib.locator("select[name=strategy]").selectOption("sync");
    await fib.locator("[data-action=run]").click();
    await page.locator("#fib[data-state=done]").waitFor({ timeout: READY_TIMEOUT });
    assert.match(await fib.locator(".cvp-status").textContent(), /4 tasks in/, "an offline run completes");
  } finally {
    await context.close();
  }
});

test("a later visit, which the worker controls from its start, fetches none of its files twice", limit(), async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    await (await firstVisit(context)).close();
    // What leaves for the network: the worker's own fetches (the page's go through it).
    const fetched = new Map();
    context.on("request", (r) => r.serviceWorker() && fetched.set(r.url(), (fetched.get(r.url()) ?? 0) + 1));
    const page = await context.newPage();
    await page.goto(env.urls.CVP_SITE_ISOLATED);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true, "controlled from the start");
    await waitReady(page.locator("#fib"), "fib");
    // Room for a page that would send the worker what it loaded, and a worker that would
    // fetch it again.
    await page.waitForTimeout(1500);
    assert.ok([...fetched.keys()].some((u) => u.endsWith("/cvp-web_bg.wasm")), "the module came through the worker");
    // Each worker imports the module's JavaScript for itself, so those come once per worker.
    const perWorker = (u) => u.endsWith("/cvp-web.js") || u.includes("/snippets/");
    const twice = [...fetched].filter(([u, n]) => n > 1 && !perWorker(u));
    assert.deepEqual(twice, [], "each of the page's files is fetched once");
  } finally {
    await context.close();
  }
});
