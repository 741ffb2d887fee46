// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Links that restore state: every widget writes its settings into the page's address (each
// under its own id), Copy link copies a link that brings back the same settings, seed and
// animation time in a new tab, and Embed shows an <iframe> snippet that loads, runs and
// posts its result and its height to the page that embeds it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { canvasFingerprint, clickAndFinish, limit, setup, waitReady, waitState, withPage } from "./helpers.mjs";

const env = setup();

/// Fills number fields and choices the way a reader does: each change committed.
async function setForm(w, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = w.locator(`[name=${name}]`).first();
    if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(String(value));
    else {
      await field.fill(String(value));
      await field.dispatchEvent("change");
    }
  }
}

async function formValues(w) {
  return w.locator(".cvp-form").first().evaluate((form) =>
    Object.fromEntries([...form.querySelectorAll("[name]")].map((f) => [f.name, f.value])));
}

/// Clicks Copy link and returns the link it shows (and tries to put on the clipboard).
async function copyLink(w) {
  await w.locator("[data-action=copy-link]").click();
  const link = w.locator(".cvp-link");
  await link.waitFor({ state: "visible" });
  return link.inputValue();
}

/// What a player shows: its clock's text and the first panel's pixels.
async function frame(w) {
  return {
    time: await w.locator(".cvp-time").first().textContent(),
    pixels: await canvasFingerprint(w.locator("canvas.cvp-canvas").first()),
  };
}

test("Copy link brings back every widget's settings, seed and animation time in a new tab", limit(180), async () => {
  const site = env.urls.CVP_SITE_ISOLATED;
  let link;
  const before = {};
  await withPage(env, site, async (page) => {
    const fib = page.locator("#fib");
    await waitReady(fib, "fib");
    await setForm(fib, { tasks: 3, n: 25, threads: 1, strategy: "processes" });
    before.fib = await formValues(fib);
    link = await copyLink(fib);
    assert.match(link, /[?&]fib\.tasks=3(&|#|$)/, link);
    assert.match(link, /[?&]fib\.strategy=processes(&|#|$)/, link);
    assert.ok(link.endsWith("#fib"), `a widget's link opens at the widget: ${link}`);
    assert.equal(new URL(page.url()).search, new URL(link).search, "the address bar follows the widget");

    const fetchW = page.locator("#fetch");
    await waitReady(fetchW, "fetch");
    // Out of range: the form shows the clamped value, and so does the link.
    await setForm(fetchW, { strategy: "async", latency: 123, limit: 4, tasks: 5000 });
    before.fetch = await formValues(fetchW);
    assert.equal(before.fetch.tasks, "1000", "tasks=5000 is clamped in the form");
    const told = await fetchW.locator(".cvp-notices li").allTextContents();
    assert.ok(told.some((t) => t.startsWith("tasks=5000")), `the reader is told: ${JSON.stringify(told)}`);

    const anim = page.locator("#threads-4x4");
    await anim.scrollIntoViewIfNeeded();
    await anim.locator("[data-action=reseed]").click();
    for (let i = 0; i < 3; i++) await anim.locator("[data-action=step]").click();
    before.anim = await frame(anim);
    const animLink = await copyLink(anim);
    assert.match(animLink, /[?&]threads-4x4\.seed=\d+/, animLink);
    assert.match(animLink, /[?&]threads-4x4\.t=\d+/, animLink);

    const sandbox = page.locator("#sandbox");
    await sandbox.scrollIntoViewIfNeeded();
    await setForm(sandbox, { side: 5, cores: 2, workers: 3, seed: 77, strategy: "async" });
    await sandbox.locator("[data-action=simulate]").click();
    for (let i = 0; i < 4; i++) await sandbox.locator("[data-action=step]").click();
    before.sandbox = { form: await formValues(sandbox), ...(await frame(sandbox)) };
    link = await copyLink(sandbox);
    for (const key of ["fib.n=25", "fetch.latency=123", "threads-4x4.t=", "sandbox.side=5", "sandbox.strategy=async"]) {
      assert.ok(link.includes(key), `one link carries every widget changed (${key}): ${link}`);
    }
    assert.ok(!link.includes("compare-4x4."), `widgets the reader left alone stay out of the link: ${link}`);
  });

  await withPage(env, link, async (page) => {
    const fib = page.locator("#fib");
    await waitReady(fib, "fib from a link");
    assert.deepEqual(await formValues(fib), before.fib, "fib's settings come back");
    const fetchW = page.locator("#fetch");
    await waitReady(fetchW, "fetch from a link");
    assert.deepEqual(await formValues(fetchW), before.fetch, "fetch's settings come back");
    const anim = page.locator("#threads-4x4");
    await anim.scrollIntoViewIfNeeded();
    assert.deepEqual(await frame(anim), before.anim, "the animation shows the same workload at the same time, paused");
    assert.equal(await anim.locator("[data-action=play]").getAttribute("aria-label"), "Play", "a link to a moment opens paused");
    const sandbox = page.locator("#sandbox");
    await sandbox.scrollIntoViewIfNeeded();
    assert.deepEqual({ form: await formValues(sandbox), ...(await frame(sandbox)) }, before.sandbox, "the sandbox comes back");
    // And the link made here is the same link.
    const again = await copyLink(sandbox);
    assert.equal(new URL(again).search, new URL(link).search, "a link to a restored page is the same link");
    // The fib widget runs what the link says.
    await clickAndFinish(fib, "run");
    const row = await fib.locator("tr[data-strategy]").first().getAttribute("data-strategy");
    assert.equal(row, "processes");
  });
});

/// The <iframe> an Embed button offers, and its src, decoded.
async function embedSnippet(w) {
  await w.locator("[data-action=embed]").click();
  const code = w.locator(".cvp-embed-code");
  await code.waitFor({ state: "visible" });
  const snippet = await code.inputValue();
  assert.match(snippet, /^<iframe src="[^"]+"/, snippet);
  assert.match(snippet, /allow="cross-origin-isolated"/, snippet);
  assert.match(snippet, /title="[^"]+"/, snippet);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  return { snippet, src: new URL(src) };
}

test("Embed shows a snippet that loads the same settings, runs, and posts its result and height", limit(180), async () => {
  let fibSrc, animSrc, animFrame;
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    await waitReady(fib, "fib");
    await setForm(fib, { tasks: 3, n: 22, strategy: "sync" });
    ({ src: fibSrc } = await embedSnippet(fib));
    assert.equal(fibSrc.pathname, "/embed.html");
    assert.deepEqual(
      Object.fromEntries(["widget", "tasks", "n", "strategy"].map((k) => [k, fibSrc.searchParams.get(k)])),
      { widget: "fib", tasks: "3", n: "22", strategy: "sync" },
    );
    // The snippet follows later changes while it is open.
    await setForm(fib, { tasks: 4 });
    const code = await fib.locator(".cvp-embed-code").inputValue();
    fibSrc = new URL(code.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&"));
    assert.equal(fibSrc.searchParams.get("tasks"), "4", "the snippet shows the current settings");

    const anim = page.locator("#compare-4x4");
    await anim.scrollIntoViewIfNeeded();
    for (let i = 0; i < 5; i++) await anim.locator("[data-action=step]").click();
    animFrame = await anim.locator(".cvp-time").textContent();
    ({ src: animSrc } = await embedSnippet(anim));
    assert.equal(animSrc.searchParams.get("preset"), "compare-4x4");
  });

  fibSrc.searchParams.set("autorun", "1");
  const parent = (src) => `${env.urls.CVP_PARENT_ISOLATED}?src=${encodeURIComponent(src)}`;
  await withPage(env, parent(fibSrc.href), async (page) => {
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:result"), null, { timeout: 90_000 });
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:resize" && m.data.height > 200), null, { timeout: 10_000 });
    const result = (await page.evaluate(() => window.received)).find((m) => m.data?.type === "cvp:result");
    assert.equal(result.fromEmbed, true);
    assert.deepEqual([result.data.widget, result.data.strategy, result.data.tasks], ["fib", "sync", 4]);
  });
  await withPage(env, parent(animSrc.href), async (page) => {
    const inner = page.frameLocator("#embed").locator("section[data-widget=anim]");
    await waitState(inner, ["ready"], { what: "the embedded animation" });
    assert.equal(await inner.locator(".cvp-time").textContent(), animFrame, "the frame opens at the same moment");
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:resize"), null, { timeout: 10_000 });
  });
});

test("inside embed.html, Copy link gives the frame's own address with the current settings", limit(), async () => {
  const url = `${env.urls.CVP_SITE_ISOLATED}embed.html?widget=sandbox&side=3&theme=dark`;
  await withPage(env, url, async (page) => {
    const w = page.locator("section[data-widget=sandbox]");
    await waitState(w, ["ready"], { what: "embedded sandbox" });
    await setForm(w, { side: 6 });
    await w.locator("[data-action=simulate]").click();
    const link = new URL(await copyLink(w));
    assert.equal(link.pathname, "/embed.html");
    assert.equal(link.searchParams.get("widget"), "sandbox");
    assert.equal(link.searchParams.get("side"), "6");
    assert.equal(link.searchParams.get("theme"), "dark", "the frame's own keys are kept");
    assert.equal(new URL(page.url()).searchParams.get("side"), "6", "the frame's address follows");
  });
});
