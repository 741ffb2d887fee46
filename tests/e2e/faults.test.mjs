// Faults, contained: a bug in one widget stops that widget alone and it can be reloaded; a
// runner that dies mid-run says so within a second and the next run works; a tab hidden
// mid-run finishes cleanly. The faults are real (a panic, a crashed worker), injected by
// a switch only a script in the page can set: window.__cvpFault.
//
// The site's wasm aborts at once on a panic (it carries no panic message: scripts/setup.sh's
// cvp_wasm), so the box says what the engine says of the trap and where in the wasm it was.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  READY_TIMEOUT,
  SMALL_FETCH,
  SMALL_FIB,
  assertNoProblems,
  assertRow,
  attrs,
  clickWhenEnabled,
  limit,
  openPage,
  results,
  runStrategy,
  setInputs,
  setup,
  waitReady,
  waitState,
  withPage,
} from "./helpers.mjs";

const env = setup();

/// Opens the page, runs `fn`, then checks the page reported nothing but what `expected`
/// matches (the injected fault's own reports).
async function withFault(url, expected, fn) {
  const session = await openPage(env.browser, url);
  try {
    await fn(session.page);
    session.problems = session.problems.filter((p) => !expected.test(p));
    assertNoProblems(session, url);
  } finally {
    await session.close();
  }
}

/// What a widget's error box says of a panic in the site's build: the engine's words for the
/// trap (Chromium's "RuntimeError: unreachable"), the function it stopped in, and why there is
/// no more.
const TRAP = /^RuntimeError: unreachable at wasm-function\[\d+\]:0x[0-9a-f]+\n\(a panic: this build leaves panic messages out/;

/// Runs `fn(page, fib, fetch)` on the isolated site with both real-run widgets ready,
/// allowing the reports of an injected panic.
async function withPanic(fn) {
  await withFault(env.urls.CVP_SITE_ISOLATED, /injected fault|RuntimeError: unreachable/, async (page) => {
    const fib = page.locator("#fib");
    const fetch = page.locator("#fetch");
    await waitReady(fib, "fib");
    await waitReady(fetch, "fetch");
    await fn(page, fib, fetch);
  });
}

test("a panic in one widget shows an error box there; the others keep working; reload brings it back", limit(), async () => {
  await withPanic(async (page, fib, fetch) => {
    await page.evaluate(() => (window.__cvpFault = "run"));
    await fib.locator("[data-action=run]").click();
    const box = fib.locator(".cvp-fault[role=alert]");
    await box.waitFor({ timeout: 5_000 });
    assert.match(await box.locator(".cvp-fault-message").textContent(), TRAP);
    assert.equal((await attrs(fib)).state, "error");

    // Every other widget still works: a real run, and an animation that steps on.
    await setInputs(fetch, SMALL_FETCH);
    await runStrategy(fetch, "async", { what: "fetch after fib's panic" });
    assertRow(await results(fetch), "async", "fetch after fib's panic: ");
    const anim = page.locator("#compare-4x4");
    await anim.scrollIntoViewIfNeeded();
    const time = anim.locator(".cvp-time").first();
    const before = await time.textContent();
    await anim.locator("[data-action=step]").first().click();
    await page.waitForFunction(([el, t]) => el.textContent !== t, [await time.elementHandle(), before], { timeout: 5_000 });

    // The broken widget comes back, and runs.
    await box.locator("[data-action=reload-widget]").click();
    await waitReady(fib, "fib after its reload");
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads", { what: "fib after its reload" });
    assertRow(await results(fib), "threads", "fib after its reload: ");
  });
});

test("a panic inside a widget's future shows its error box, and the other widgets' futures still run", limit(), async () => {
  await withPanic(async (page, fib, fetch) => {
    await setInputs(fib, SMALL_FIB);
    // The panic comes after the run, in the future that draws fib's timeline.
    await page.evaluate(() => (window.__cvpFault = "timeline"));
    await fib.locator("select[name=strategy]").selectOption("sync");
    await clickWhenEnabled(fib, "run", "the run whose timeline panics");
    const box = fib.locator(".cvp-fault[role=alert]");
    await box.waitFor({ timeout: 10_000 });
    assert.match(await box.locator(".cvp-fault-message").textContent(), TRAP);
    assert.equal((await attrs(fib)).state, "error");
    // fetch's run ends in the same kind of future: it only reaches "done" if futures
    // still run on the page after the panic.
    await setInputs(fetch, SMALL_FETCH);
    await runStrategy(fetch, "async", { what: "fetch after a panic in fib's future" });
    assertRow(await results(fetch), "async", "fetch after a panic in fib's future: ");
    assert.equal((await attrs(fetch)).state, "done");
  });
});

test("a runner that dies mid-run gives a clear error within a second, and the next run works", limit(), async () => {
  await withFault(env.urls.CVP_SITE_ISOLATED, /injected fault|runner worker stopped|unreachable/, async (page) => {
    const fetch = page.locator("#fetch");
    await waitReady(fetch, "fetch");
    await setInputs(fetch, { tasks: 20, latency: 500, parse: 0 });
    await fetch.locator("select[name=strategy]").selectOption("async");
    await page.evaluate(() => (window.__cvpFault = "runner"));
    const clicked = await page.evaluate(() => performance.now());
    await clickWhenEnabled(fetch, "run", "the run whose runner dies");
    await waitState(fetch, ["error"], { timeout: 5_000, what: "the run whose runner died" });
    const failedAt = await page.evaluate(() => performance.now());
    assert.ok(failedAt - clicked < 1_000, `the error came ${(failedAt - clicked).toFixed(0)} ms after the run started`);
    assert.match((await attrs(fetch)).status, /runner worker stopped/, "the status says what happened");
    await setInputs(fetch, SMALL_FETCH);
    for (const strategy of ["async", "threads"]) {
      await runStrategy(fetch, strategy, { what: `${strategy} on the fresh runner` });
      assertRow(await results(fetch), strategy, "on the fresh runner: ");
    }
  });
});

test("a tab hidden mid-run and shown again finishes the run and draws it", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fetch = page.locator("#fetch");
    await waitReady(fetch, "fetch");
    await setInputs(fetch, { tasks: 10, latency: 300, parse: 0 });
    await fetch.locator("select[name=strategy]").selectOption("sync");
    await clickWhenEnabled(fetch, "run", "the run behind a hidden tab");
    await waitState(fetch, ["running"], { timeout: 10_000, what: "the run behind a hidden tab" });
    // Hidden, then shown again. Headless Chromium cannot hide a tab (another tab in front
    // or a minimised window leave it "visible"), so the page is told, as a browser tells
    // it: document.hidden, visibilityState, and the visibilitychange event.
    const setHidden = (hidden) =>
      page.evaluate((hidden) => {
        for (const [key, value] of [["hidden", hidden], ["visibilityState", hidden ? "hidden" : "visible"]]) {
          Object.defineProperty(document, key, { configurable: true, get: () => value });
        }
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await setHidden(true);
    await page.waitForTimeout(1_500);
    assert.equal((await attrs(fetch)).state, "running", "the run goes on while the tab is hidden");
    await setHidden(false);
    await waitState(fetch, ["done"], { timeout: 20_000, what: "the run once the tab is shown again" });
    assertRow(await results(fetch), "sync", "after the tab came back: ");
    assert.match((await attrs(fetch)).status, /\b10 pages in/, "all ten pages were fetched");
    // Its timeline is drawn: the canvas is not blank.
    const inked = await fetch.locator("canvas").first().evaluate((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4 * 13) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 100, `the timeline is drawn after the tab came back (${inked} inked samples)`);
  });
});

test("a request beyond the limits (a billion pages) is refused at once, with the reason", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    await waitReady(page.locator("#fib"), "fib");
    const ask = (job) =>
      page.evaluate(async (job) => {
        const t0 = performance.now();
        try {
          const trace = await window.wasmBindings.run_job(job);
          return { ok: trace.tasks.length, ms: performance.now() - t0 };
        } catch (why) {
          return { refused: String(why), ms: performance.now() - t0 };
        }
      }, job);
    const base = { strategy: "async", threads: 1, limit: null, switch_ms: 5 };
    for (const [workload, reason] of [
      [{ kind: "fetch", tasks: 1e9, latency_ms: 10, parse_ms: 0 }, /^refused: tasks=1000000000 is outside/],
      [{ kind: "fib", tasks: 64, n: 42 }, /^refused: .*work bound/],
      [{ kind: "fetch", tasks: 1000, latency_ms: 5000, parse_ms: 0 }, null],
    ]) {
      const r = await ask({ ...base, workload, ...(reason ? {} : { strategy: "sync" }) });
      assert.ok(r.refused, `refused: ${JSON.stringify(r)}`);
      assert.match(r.refused, reason ?? /^refused: Synchronous would take at least 5000 s/);
      assert.ok(r.ms < 1_000, `at once (${r.ms.toFixed(0)} ms)`);
    }
    const r = await ask({ ...base, workload: { kind: "fetch", tasks: 4, latency_ms: 10, parse_ms: 0 } });
    assert.equal(r.ok, 4, "and the runner still runs what is within the limits");
  });
});

test("a pool whose workers do not all start in time is replaced, and the reader is told", limit(), async () => {
  // As when a Firefox pool worker never reports ready: the runner's first attempt to start
  // the pool never finishes. Without the watchdog every widget stays "starting" for good.
  const hang = () => (window.__cvpFault = "pool-hang");
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    const started = Date.now();
    const a = await waitReady(fib, "fib after a pool that hung");
    const waited = Date.now() - started;
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(Number(a.poolThreads), cores, `the fresh pool has every hardware thread (status: ${a.status})`);
    assert.match(a.status, /fresh pool replaced it/, "the reader is told");
    assert.ok(waited >= 9_000, `the first attempt is given its 10 s (ready after ${waited} ms)`);
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads");
    assertRow(await results(fib), "threads", "after the pool was replaced: ");
  }, { init: [hang] });
});
