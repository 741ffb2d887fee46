// The page's main thread stays free while the cores work: runs happen in workers, and the
// progress and drawing must never block it for long. A PerformanceObserver for long tasks
// (> 50 ms on the main thread) is installed before the page loads; only the long tasks that
// overlap a run (from data-state=running to data-state=done) count.

import { test } from "node:test";
import assert from "node:assert/strict";
import { clickAndFinish, setInputs, setup, waitReady, withPage, limit } from "./helpers.mjs";

const env = setup();

const LONGTASKS = () => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration, name: e.name });
    }).observe({ type: "longtask", buffered: true });
    window.__longTaskObserver = true;
  } catch (err) {
    window.__longTaskObserver = String(err);
  }
  // Long animation frames name the scripts that made them long: for the failure message.
  window.__longFrames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longFrames.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          scripts: (e.scripts || []).map((s) => ({
            duration: Math.round(s.duration),
            invoker: s.invoker,
            source: `${s.sourceFunctionName || "?"} ${String(s.sourceURL || "").split("/").pop()}:${s.sourceCharPosition}`,
          })),
        });
      }
    }).observe({ type: "long-animation-frame", buffered: true });
  } catch (err) {
    window.__longTaskObserver = String(err);
  }
};

// Overlapping [start, end]: began before the end and ended after the start.
const during = (tasks, start, end) => tasks.filter((e) => e.start < end && e.start + e.duration > start);

test("the observer sees long tasks (so the next test can fail)", limit(), async () => {
  await withPage(
    env,
    env.urls.CVP_SITE_ISOLATED,
    async (page) => {
      assert.equal(await page.evaluate(() => window.__longTaskObserver), true, "the longtask PerformanceObserver should be supported");
      // Blocks the main thread for 120 ms in a task of its own (code run by page.evaluate
      // itself is not a task the browser's scheduler watches).
      const window_ = await page.evaluate(async () => {
        const start = performance.now();
        await new Promise((r) =>
          setTimeout(() => {
            const t = performance.now();
            while (performance.now() - t < 120) {}
            r();
          }, 0),
        );
        await new Promise((r) => setTimeout(r, 300)); // entries are delivered after the task
        return { start, end: performance.now() };
      });
      const seen = during(await page.evaluate(() => window.__longTasks), window_.start, window_.end);
      assert.ok(seen.some((e) => e.duration >= 100), `a 120 ms busy loop should show as a long task, saw ${JSON.stringify(seen)}`);
    },
    { init: [LONGTASKS] },
  );
});

for (const [id, strategy, inputs] of [
  ["fib", "threads", { tasks: 32, n: 35 }],
  ["fib", "processes", { tasks: 32, n: 35 }],
  ["fetch", "async", { tasks: 1000, latency: 500, parse: 0 }],
]) {
  test(`no main-thread task over 50 ms during a ${id} ${strategy} run`, limit(), async () => {
    await withPage(
      env,
      env.urls.CVP_SITE_ISOLATED,
      async (page) => {
        const w = page.locator(`#${id}`);
        await waitReady(w);
        // Leave one core to the page: with every core busy, the OS time-slices the main
        // thread with the workers and any task looks long, whatever the page does.
        const cores = await page.evaluate(() => navigator.hardwareConcurrency);
        await setInputs(w, { ...inputs, threads: Math.max(1, cores - 1) });
        await w.locator("select[name=strategy]").selectOption(strategy);
        await w.scrollIntoViewIfNeeded(); // so that anything drawn on progress is drawn
        // Let the form's own work (the forecast of 1,000 pages for every strategy, 33 ms once)
        // finish drawing before the click: it belongs to the change, not to the run, and a
        // click in the same frame once made the two one 67 ms frame.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100)))));
        const { startT, doneT } = await clickAndFinish(w, "run", { what: `${id} ${strategy}` });
        await page.evaluate(() => new Promise((r) => setTimeout(r, 200))); // let the observer deliver
        const all = await page.evaluate(() => window.__longTasks);
        const bad = during(all, startT, doneT);
        const frames = during(await page.evaluate(() => window.__longFrames), startT, doneT).filter((f) => f.duration > 50);
        assert.ok(doneT - startT > 200, `the run should be long enough to mean something, took ${(doneT - startT).toFixed(0)} ms`);
        assert.deepEqual(
          bad.map((e) => `${e.duration.toFixed(0)} ms at +${(e.start - startT).toFixed(0)} ms`),
          [],
          `long main-thread tasks during a ${(doneT - startT).toFixed(0)} ms ${strategy} run; ` +
            `long animation frames then, with their scripts: ${JSON.stringify(frames.map((f) => ({ ...f, start: Math.round(f.start - startT), duration: Math.round(f.duration) })))}`,
        );
      },
      { init: [LONGTASKS] },
    );
  });
}
