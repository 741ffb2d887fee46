// embed.html in an iframe of a page on another origin (tests/fixtures/parent.html, served
// from `localhost` on another port): the widget is configured by its URL, runs on its own
// with autorun=1, and posts exactly one {type: "cvp:result", ...} to the parent per run.
//
// Two parents: one isolated (COOP + COEP, and the iframe allowed "cross-origin-isolated"),
// where every strategy can run; one plain, framing the site served by a host without any
// isolation header (Document-Isolation-Policy would isolate the frame on its own in Chromium:
// course.test.mjs), so threads and gil are unavailable and the widget must say so and fall back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SMALL_FETCH, SMALL_FIB, STRATEGIES, attrs, setup, strategyOptions, waitReady, waitState, withPage, limit } from "./helpers.mjs";

const env = setup();

const WORKLOADS = {
  fib: { ...SMALL_FIB },
  fetch: { tasks: SMALL_FETCH.tasks, latency: SMALL_FETCH.latency },
};

function embedUrl(params, site = env.urls.CVP_SITE_ISOLATED) {
  return `${site}embed.html?${new URLSearchParams(params)}`;
}

function parentUrl(parent, params) {
  // The plain parent frames the site from a host without headers (and without its service
  // worker): a frame that nothing isolates.
  const plain = parent === env.urls.CVP_PARENT_PLAIN;
  const src = plain ? embedUrl({ ...params, "no-sw": "" }, env.urls.CVP_SITE_PLAIN) : embedUrl(params);
  return `${parent}?src=${encodeURIComponent(src)}`;
}

/// The parent's received messages.
const received = (page) => page.evaluate(() => window.received);

/// Waits for the first cvp:result, then for the widget to settle, then returns every
/// message received (so "exactly one" can be checked).
async function collectResult(page, frame, what, timeout = 90_000) {
  try {
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:result"), null, { timeout, polling: 50 });
  } catch {
    const a = await attrs(frame.locator("section[data-widget]")).catch((e) => ({ error: e.message }));
    assert.fail(`${what}: no cvp:result reached the parent within ${timeout / 1000} s; widget: ${JSON.stringify(a)}`);
  }
  await waitState(frame.locator("section[data-widget]"), ["done"], { timeout: 10_000, what });
  // Anything else the run would post arrives right away: give it a moment to show up.
  await page.waitForTimeout(400);
  return received(page);
}

function checkResult(msgs, { widget, strategy, tasks, latency }, origin, what) {
  const results = msgs.filter((m) => m.data?.type === "cvp:result");
  assert.equal(results.length, 1, `${what}: exactly one cvp:result expected, got ${results.length}: ${JSON.stringify(results.map((m) => m.data))}`);
  const [{ data, fromEmbed, origin: from }] = results;
  assert.equal(fromEmbed, true, `${what}: the message should come from the iframe`);
  assert.equal(from, origin, `${what}: the message's origin should be the site's`);
  assert.equal(data.widget, widget, `${what}: widget`);
  if (strategy) assert.equal(data.strategy, strategy, `${what}: strategy`);
  assert.equal(data.tasks, tasks, `${what}: tasks`);
  assert.ok(Number.isInteger(data.threads) && data.threads >= 1, `${what}: threads should be a positive integer, got ${data.threads}`);
  if (["sync", "async"].includes(data.strategy)) assert.equal(data.threads, 1, `${what}: ${data.strategy} runs on one thread`);
  assert.ok(typeof data.wallMs === "number" && data.wallMs > 0, `${what}: wallMs should be > 0, got ${data.wallMs}`);
  assert.ok(Array.isArray(data.taskMs), `${what}: taskMs should be an array, got ${JSON.stringify(data.taskMs)}`);
  assert.equal(data.taskMs.length, tasks, `${what}: taskMs.length should equal tasks`);
  assert.ok(data.taskMs.every((ms) => typeof ms === "number" && ms >= 0), `${what}: every taskMs should be a number >= 0: ${JSON.stringify(data.taskMs)}`);
  assert.ok(data.taskMs.some((ms) => ms > 0), `${what}: some task should take time: ${JSON.stringify(data.taskMs)}`);
  if (latency) {
    const short = data.taskMs.filter((ms) => ms < latency - 5);
    assert.deepEqual(short, [], `${what}: each page takes at least its latency (${latency} ms)`);
  }
  return data;
}

const siteOrigin = (parent) => new URL(parent === env.urls.CVP_PARENT_PLAIN ? env.urls.CVP_SITE_PLAIN : env.urls.CVP_SITE_ISOLATED).origin;

for (const [widget, params] of Object.entries(WORKLOADS)) {
  for (const strategy of STRATEGIES) {
    test(`isolated parent: ${widget} × ${strategy} autoruns and posts one result`, limit(), async () => {
      const url = parentUrl(env.urls.CVP_PARENT_ISOLATED, { widget, strategy, ...params, autorun: 1 });
      await withPage(env, url, async (page) => {
        assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, "the isolated parent should be cross-origin isolated");
        const frame = page.frameLocator("#embed");
        const w = frame.locator("section[data-widget]");
        // autorun moves it on from ready at once: any of these means it started.
        await waitState(w, ["ready", "running", "done"], { what: `embed ${widget}/${strategy}` });
        const a = await attrs(w);
        assert.equal(a.isolated, "true", "an iframe allowed cross-origin-isolated in an isolated parent is isolated");
        const msgs = await collectResult(page, frame, `${widget}/${strategy}`);
        checkResult(msgs, { widget, strategy, tasks: params.tasks, latency: params.latency }, siteOrigin(), `${widget}/${strategy}`);
      });
    });
  }
}

for (const [widget, params] of Object.entries(WORKLOADS)) {
  for (const strategy of STRATEGIES) {
    const unavailable = ["threads", "gil"].includes(strategy);
    test(`plain parent: ${widget} × ${strategy} ${unavailable ? "is unavailable, says so, and falls back" : "autoruns and posts one result"}`, limit(), async () => {
      const url = parentUrl(env.urls.CVP_PARENT_PLAIN, { widget, strategy, ...params, autorun: 1 });
      await withPage(env, url, async (page) => {
        assert.equal(await page.evaluate(() => window.crossOriginIsolated), false, "the plain parent is not isolated");
        const frame = page.frameLocator("#embed");
        const w = frame.locator("section[data-widget]");
        await waitState(w, ["ready", "running", "done"], { what: `embed ${widget}/${strategy} in a plain parent` });
        const a = await attrs(w);
        assert.equal(a.isolated, "false", "an iframe in a non-isolated parent cannot be isolated: data-isolated should be false");
        const options = await strategyOptions(w);
        assert.equal(options.threads?.disabled, true, "threads should be disabled in the iframe");
        assert.equal(options.gil?.disabled, true, "gil should be disabled in the iframe");
        if (unavailable) {
          const note = w.locator("p.cvp-isolation");
          assert.equal(await note.isVisible(), true, "the iframe should explain why threads are unavailable");
          assert.match((await note.textContent()) ?? "", /cross-origin isolated/i, "the explanation should mention cross-origin isolation");
        }
        const msgs = await collectResult(page, frame, `${widget}/${strategy} (plain parent)`);
        const data = checkResult(
          msgs,
          { widget, strategy: unavailable ? null : strategy, tasks: params.tasks, latency: params.latency },
          siteOrigin(env.urls.CVP_PARENT_PLAIN),
          `${widget}/${strategy} (plain parent)`,
        );
        if (unavailable) {
          assert.ok(
            ["sync", "async", "processes"].includes(data.strategy),
            `asked for ${strategy} where it cannot run, the widget should run an available strategy, ran ${data.strategy}`,
          );
        }
      });
    });
  }
}

test("bad URL values are defaulted or clamped, listed as notices, and the widget still runs", limit(180), async () => {
  const url = parentUrl(env.urls.CVP_PARENT_ISOLATED, { widget: "fib", strategy: "fork", tasks: "abc", n: 999, autorun: 1 });
  await withPage(env, url, async (page) => {
    const frame = page.frameLocator("#embed");
    const w = frame.locator("section[data-widget]");
    await waitState(w, ["running", "done"], { what: "embed with bad values" });
    const notices = await w.locator("ul.cvp-notices li").allTextContents();
    const all = notices.join(" | ");
    assert.ok(notices.length >= 1, "the widget should list what it changed in ul.cvp-notices");
    const form = await w.evaluate((el) => ({
      tasks: Number(el.querySelector("input[name=tasks]").value),
      n: Number(el.querySelector("input[name=n]").value),
      min: Number(el.querySelector("input[name=n]").min),
      max: Number(el.querySelector("input[name=n]").max),
      strategy: el.querySelector("select[name=strategy]").value,
    }));
    assert.ok(Number.isInteger(form.tasks) && form.tasks >= 1, `tasks should be a default, got ${form.tasks}`);
    assert.equal(form.n, form.max, "n=999 should be clamped to the maximum");
    const msgs = await collectResult(page, frame, "bad values", 150_000);
    const data = checkResult(msgs, { widget: "fib", strategy: null, tasks: form.tasks }, siteOrigin(), "bad values");
    assert.equal(data.strategy, form.strategy, "the run's strategy should be the one the form shows");
    assert.ok(STRATEGIES.includes(data.strategy), `an unknown strategy falls back to a real one, got ${data.strategy}`);
    // Checked last, so that a missing notice does not hide whether the run worked.
    const missing = [
      [/\bn\b/, /999/, "n=999 was clamped"],
      [/tasks/, /abc/, "tasks=abc is not a number"],
      [/strategy/, /fork/, "strategy=fork is unknown"],
    ].filter(([key, value]) => !notices.some((n) => key.test(n) && value.test(n)));
    assert.deepEqual(missing.map((m) => m[2]), [], `ul.cvp-notices should have an li for each bad value; it has: ${JSON.stringify(all)}`);
  });
});

test("an unknown widget shows an error state and posts nothing", limit(), async () => {
  const url = parentUrl(env.urls.CVP_PARENT_ISOLATED, { widget: "nope", autorun: 1 });
  await withPage(env, url, async (page) => {
    const frame = page.frameLocator("#embed");
    const section = frame.locator("main[data-embed] section");
    await section.first().waitFor({ timeout: 30_000 });
    await waitState(section.first(), ["error"], { what: "unknown widget" });
    const text = (await section.first().textContent()) ?? "";
    assert.match(text, /nope/, `the error should name the unknown widget: ${JSON.stringify(text)}`);
    assert.match(text, /fib/, `the error should say which widgets exist: ${JSON.stringify(text)}`);
    await page.waitForTimeout(300);
    assert.deepEqual((await received(page)).filter((m) => m.data?.type === "cvp:result"), [], "no result for an unknown widget");
  });
});

test("embed.html loads on its own (not framed) and exposes window.wasmBindings", limit(), async () => {
  await withPage(env, embedUrl({ widget: "fetch" }), async (page) => {
    const w = page.locator("main[data-embed] section[data-widget=fetch]");
    await waitReady(w, "embed.html opened directly");
    await page.waitForFunction(() => typeof window.wasmBindings === "object", null, { timeout: 10_000 });
  });
});

/// The frame showing embed.html inside the parent page.
async function embedFrame(page) {
  await page.waitForFunction(() => document.getElementById("embed")?.contentWindow, null, { timeout: 10_000 });
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f !== page.mainFrame() && new URL(f.url(), "http://x").pathname.endsWith("/embed.html"));
    if (frame) return frame;
    await page.waitForTimeout(100);
  }
  assert.fail("embed.html never loaded in the parent's frame");
}

test("in a frame, embed.html posts its height as it changes, and takes ?theme=", limit(), async () => {
  const url = parentUrl(env.urls.CVP_PARENT_PLAIN, { widget: "anim", preset: "compare-4x4", theme: "dark" });
  await withPage(env, url, async (page) => {
    const frame = await embedFrame(page);
    await frame.locator("section[data-widget] .cvp-player").waitFor();
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:resize" && m.data.height > 300), null, { timeout: 15_000 });
    // Let the layout settle, then the last height sent is the document's.
    await page.waitForTimeout(500);
    const sizes = (await received(page)).filter((m) => m.data?.type === "cvp:resize");
    assert.ok(sizes.every((m) => m.fromEmbed && Number.isInteger(m.data.height)), JSON.stringify(sizes));
    const height = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    assert.equal(sizes.at(-1).data.height, height, "the last cvp:resize is the widget's height");
    // A narrower frame makes the panels stack: the page is told the new, taller height.
    await page.evaluate(() => { document.getElementById("embed").width = "380"; });
    await page.waitForFunction((h) => window.received.filter((m) => m.data?.type === "cvp:resize").at(-1).data.height > h, height, { timeout: 10_000 });
    // theme=dark, whatever the system says (this browser's is light).
    assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), "dark");
    assert.equal(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(21, 24, 28)");
  });
});

test("theme=light holds on a dark system; without theme, the frame follows the system", limit(), async () => {
  for (const [theme, want] of [["light", "light"], ["auto", "dark"], [null, "dark"]]) {
    const params = { widget: "anim", preset: "single-load", ...(theme ? { theme } : {}) };
    await withPage(env, parentUrl(env.urls.CVP_PARENT_PLAIN, params), async (page) => {
      await page.emulateMedia({ colorScheme: "dark" });
      const frame = await embedFrame(page);
      await frame.locator("section[data-widget] .cvp-player").waitFor();
      await frame.waitForFunction((w) => document.documentElement.dataset.theme === w, want, { timeout: 5_000 }).catch(() => {});
      assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), want, `theme=${theme}`);
    });
  }
});

test("no URL can start a run of minutes: too long is refused and said, too much CPU is clamped", limit(), async () => {
  // 1,000 pages × 5 s one after another (83 minutes), with 200 ms of parse each (200 s of CPU).
  const params = { widget: "fetch", strategy: "sync", tasks: 1000, latency: 5000, parse: 200, autorun: 1 };
  await withPage(env, parentUrl(env.urls.CVP_PARENT_ISOLATED, params), async (page) => {
    const w = page.frameLocator("#embed").locator("section[data-widget=fetch]");
    await waitState(w, ["ready"], { what: "a fetch asked for 83 minutes" });
    await w.locator(".cvp-status", { hasText: "at most" }).waitFor({ timeout: 10_000 });
    const status = (await w.locator(".cvp-status").textContent()) ?? "";
    assert.match(status, /would take at least \d+ s/, status);
    const notices = await w.locator("ul.cvp-notices li").allTextContents();
    assert.ok(notices.some((n) => n.startsWith("parse=200 × 1000 pages")), JSON.stringify(notices));
    assert.ok(Number(await w.locator("input[name=parse]").inputValue()) <= 20, "the parse is clamped in the form");
    await page.waitForTimeout(500);
    assert.equal((await attrs(w)).state, "ready", "nothing ran");
    assert.deepEqual((await received(page)).filter((m) => m.data?.type === "cvp:result"), [], "no result");
  });
});
