// Soak: many real runs (every strategy, both workloads) and many animation replays in one
// page, while the page's JS heap, the wasm memory of the page and of the runner, and the
// live workers are read at intervals. Each must level off: after the first 20 runs (every
// strategy of both workloads at both sizes: pools started, caches warm), it may grow by no
// more than its bound below.
//
// scripts/test runs a short soak (40 runs, 100 replays); the full one is
//   CVP_SOAK_RUNS=200 CVP_SOAK_REPLAYS=1000 node tests/run-e2e.mjs tests/e2e/soak.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import { limit, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();
const RUNS = Number(process.env.CVP_SOAK_RUNS ?? 40);
const REPLAYS = Number(process.env.CVP_SOAK_REPLAYS ?? 100);
const MB = 1024 * 1024;
/// Growth allowed after the baseline. The JS heap is measured after a forced garbage
/// collection; wasm memory never shrinks, so it shows its high-water mark.
const BOUND = { heap: 4 * MB, pageWasm: 4 * MB, runnerWasm: 16 * MB, workers: 0 };

const STRATEGIES = ["sync", "async", "threads", "processes", "gil"];
/// The first 20 runs are every strategy of both workloads at both sizes: the baseline.
const BASELINE = 20;
const job = (i) => {
  const strategy = STRATEGIES[i % STRATEGIES.length];
  const fib = Math.floor(i / STRATEGIES.length) % 2 === 0;
  return {
    workload: fib ? { kind: "fib", tasks: 6, n: 22 } : { kind: "fetch", tasks: 6, latency_ms: 10, parse_ms: 1 },
    strategy,
    // Threads and processes: 2, then 4 (more than this machine's pool: a pool of 4 is
    // started for the run and kept until another size is asked for).
    threads: strategy === "sync" || strategy === "async" ? 1 : 2 + 2 * (Math.floor(i / 10) % 2),
    limit: null,
    switch_ms: 5,
  };
};

assert.ok(RUNS >= 2 * BASELINE, `CVP_SOAK_RUNS must be at least ${2 * BASELINE}`);

test(`soak: ${RUNS} real runs and ${REPLAYS} animation replays level off`, limit(60 + RUNS + REPLAYS / 5), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page, session) => {
    await waitReady(page.locator("#fib"), "fib");
    const cdp = await session.context.newCDPSession(page);
    const measure = async (label) => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { usedSize } = await cdp.send("Runtime.getHeapUsage");
      const pageWasm = await page.evaluate(() => window.wasmBindings.memory_bytes());
      // The runner's memory: the largest of our workers' (its pool's threads share it; a
      // process has its own, smaller, and ends with its run).
      // A pool thread waiting for work is blocked in an atomic wait and never answers:
      // give each worker half a second.
      const ask = (w) =>
        Promise.race([w.evaluate(() => self.cvpMemoryBytes?.() ?? 0).catch(() => 0), new Promise((ok) => setTimeout(() => ok(0), 500))]);
      const sizes = await Promise.all(page.workers().map(ask));
      const m = { label, heap: usedSize, pageWasm, runnerWasm: Math.max(0, ...sizes), workers: page.workers().length };
      console.log(
        `  ${label.padEnd(22)} JS heap ${(m.heap / MB).toFixed(1)} MB, page wasm ${(m.pageWasm / MB).toFixed(1)} MB, ` +
          `runner wasm ${(m.runnerWasm / MB).toFixed(1)} MB, ${m.workers} workers`,
      );
      return m;
    };
    assert.ok(page.workers().length > 0, "the workers are visible to the test");
    const samples = [];
    const every = Math.max(1, Math.round(RUNS / 5));
    for (let i = 0; i < RUNS; i++) {
      const trace = await page.evaluate((j) => window.wasmBindings.run_job(j), job(i));
      assert.equal(trace.tasks.length, 6, `run ${i} (${job(i).strategy}) finished every task`);
      if (i + 1 === BASELINE || (i + 1) % every === 0) {
        const m = await measure(`after ${i + 1} runs`);
        if (i + 1 >= BASELINE) samples.push(m);
      }
    }
    const anim = page.locator("#compare-4x4");
    await anim.scrollIntoViewIfNeeded();
    const replay = anim.locator("[data-action=replay]").first();
    const everyReplay = Math.max(1, Math.round(REPLAYS / 5));
    for (let i = 0; i < REPLAYS; i++) {
      await replay.click();
      if (i % 7 === 0) await page.keyboard.press("End");
      if ((i + 1) % everyReplay === 0) samples.push(await measure(`after ${i + 1} replays`));
    }
    const base = samples[0];
    const last = samples.at(-1);
    for (const key of Object.keys(BOUND)) {
      const most = Math.max(...samples.map((s) => s[key]));
      assert.ok(
        most - base[key] <= BOUND[key],
        `${key} grew from ${base[key]} to ${most} (${samples.map((s) => s[key]).join(", ")}), more than the ${BOUND[key]} allowed`,
      );
    }
    assert.ok(last.workers >= 1, "the runner is still there");
  });
});
