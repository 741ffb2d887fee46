#!/usr/bin/env node
// The same figures in every engine, side by side: Chromium, Firefox ESR and WebKitGTK, each
// driven through its WebDriver server (tests/engines/driver.mjs), on the site served with
// the isolation headers. scripts/bench runs it after tests/bench.mjs (Chromium in depth).
//
//   node tests/bench-engines.mjs [--dist DIST] [--engines chromium,firefox,webkit] [--quick]
//
// Per engine, in a fresh session: the pool's start-up, first contentful paint, then
//   fib:     16 × fib(34) on one thread (sync), then on the pool (threads): 5 interleaved
//            rounds after one unmeasured round of each, min / median / max;
//   fetch:   1,000 pages × 500 ms with coroutines (the ideal is 500 ms), 3 rounds;
//   workers: a fresh worker's start-up (processes strategy, its Starting segments);
//   drawing: one frame of a 64 × 64, 256-thread simulated run (bench_frame), and the frame
//            rate while the sandbox plays that run (the busiest animation).
// Prints a markdown table, then `BENCH_ENGINES_JSON {...}`; progress goes to stderr.

import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINES, missing, startEngine } from "./engines/driver.mjs";

const TESTS = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
let dist = join(TESTS, "..", "dist");
let engines = ENGINES;
let quick = false;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--dist") dist = argv[++i];
  else if (argv[i] === "--engines") engines = argv[++i].split(",");
  else if (argv[i] === "--quick") quick = true;
  else {
    console.error("usage: node tests/bench-engines.mjs [--dist DIST] [--engines chromium,firefox,webkit] [--quick]");
    process.exit(2);
  }
}
dist = resolve(dist);
const log = (...a) => console.error("[bench-engines]", ...a);
if (!existsSync(join(dist, "index.html"))) {
  console.error(`bench-engines: ${dist}/index.html not found: build the site first (scripts/build).`);
  process.exit(1);
}

const { startServer } = await import(join(TESTS, "..", "scripts", "serve.mjs"));
const server = await startServer({ dir: dist, port: 0, host: "127.0.0.1", isolation: true });
const url = `http://127.0.0.1:${server.address().port}/`;

const N = quick ? 27 : 34;
const ROUNDS = quick ? 2 : 5;
const PAGES = quick ? 100 : 1000;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => (ms == null || !Number.isFinite(ms) ? "—" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const spread = (xs) => (xs.length ? `${fmt(Math.min(...xs))} / ${fmt(median(xs))} / ${fmt(Math.max(...xs))}` : "—");

const job = (strategy, workload, threads) => ({ workload, strategy, threads, limit: null });
const fib = { kind: "fib", tasks: 16, n: N };

async function measure(name) {
  const engine = await startEngine(name);
  const out = { engine: name };
  try {
    const page = await engine.open(url);
    await page.waitFor(() => Boolean(window.wasmBindings), [], { timeout: 60_000, what: "the module" });
    const caps = await page.evaluate(() => window.wasmBindings.runner_caps());
    out.hardwareThreads = caps.hardware_threads;
    out.poolThreads = caps.pool_threads;
    out.poolStartupMs = caps.pool_startup_ms;
    out.firstPaintMs = await page.evaluate(() => {
      const p = performance.getEntriesByName("first-contentful-paint")[0] || performance.getEntriesByType("paint")[0];
      return p ? p.startTime : null;
    });
    const run = (j) => page.evaluate((j) => window.wasmBindings.run_job(j).then((t) => ({ ms: t.makespan, busy: t.lanes.map((l) => l.segments.filter((s) => s.phase === "rendering").reduce((a, s) => a + s.end - s.start, 0)) })), j);
    const threads = caps.pool_threads || caps.hardware_threads;
    const strategies = caps.pool_threads ? ["sync", "threads"] : ["sync", "processes"];
    for (const s of strategies) await run(job(s, fib, s === "sync" ? 1 : threads)); // unmeasured
    out.fib = Object.fromEntries(strategies.map((s) => [s, []]));
    out.syncBusy = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [...strategies].reverse() : strategies) {
        const t = await run(job(s, fib, s === "sync" ? 1 : threads));
        out.fib[s].push(t.ms);
        if (s === "sync") out.syncBusy.push(t.busy[0] / t.ms);
        log(name, `16 × fib(${N})`, s, fmt(t.ms));
      }
    }
    out.parallelName = strategies[1];
    out.speedup = median(out.fib.sync) / median(out.fib[strategies[1]]);
    out.fetch = [];
    for (let r = 0; r < (quick ? 1 : 3); r++) {
      const t = await run(job("async", { kind: "fetch", tasks: PAGES, latency_ms: 500, parse_ms: 0 }, 1));
      out.fetch.push(t.ms);
      log(name, `${PAGES} pages, async`, fmt(t.ms));
    }
    // A fresh worker's start-up: each process lane's Starting segment.
    const starts = await page.evaluate(
      (j) =>
        window.wasmBindings.run_job(j).then((t) =>
          t.lanes.flatMap((l) => l.segments.filter((s) => s.phase === "starting").map((s) => s.end - s.start)),
        ),
      job("processes", { kind: "fib", tasks: 4, n: 20 }, 2),
    );
    out.workerStartMs = starts.length ? median(starts) : null;
    out.frameMs = await page.evaluate((frames) => window.wasmBindings.bench_frame(frames, 64, 256, 8), quick ? 5 : 30);
    await page.close();

    // The busiest animation: the sandbox's 64 × 64 run on 256 threads, every strategy.
    const anim = await engine.open(url);
    await anim.waitFor(() => document.querySelector("[data-widget=sandbox]")?.getAttribute("data-state") === "ready", [], { timeout: 60_000, what: "the sandbox" });
    out.fps = await anim.evaluate(async (ms) => {
      const w = document.querySelector("[data-widget=sandbox]");
      w.scrollIntoView({ block: "center" });
      for (const [name, value] of Object.entries({ side: "64", workers: "256", cores: "8" })) {
        const input = w.querySelector(`input[name=${name}]`);
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
      w.querySelector("[data-action=simulate]").click();
      await new Promise((r) => setTimeout(r, 500));
      const play = w.querySelector("[data-action=play]");
      if (play.getAttribute("aria-label") === "Play") play.click();
      const times = [];
      await new Promise((done) => {
        const tick = (t) => {
          times.push(t);
          if (t - times[0] < ms) requestAnimationFrame(tick);
          else done();
        };
        requestAnimationFrame(tick);
      });
      return ((times.length - 1) / (times.at(-1) - times[0])) * 1000;
    }, quick ? 1000 : 3000);
    await anim.close();
  } finally {
    await engine.stop();
  }
  return out;
}

const results = [];
for (const name of engines) {
  const why = missing(name);
  if (why) {
    log(`${name}: skipped: ${why}`);
    continue;
  }
  log(`${name}…`);
  results.push(await measure(name));
}
server.close();

const row = (label, f) => `| ${label} | ${results.map(f).join(" | ")} |`;
console.log(`| ${"figure"} | ${results.map((r) => r.engine).join(" | ")} |`);
console.log(`|---|${results.map(() => "---:").join("|")}|`);
console.log(row("hardware threads the engine reports", (r) => r.hardwareThreads));
console.log(row("first contentful paint", (r) => fmt(r.firstPaintMs)));
console.log(row("the pool's start-up (before the first run)", (r) => (r.poolThreads ? `${fmt(r.poolStartupMs)} (${r.poolThreads} threads)` : "no pool")));
console.log(row(`16 × fib(${N}), sync: min / median / max`, (r) => spread(r.fib.sync)));
console.log(row(`16 × fib(${N}), sync: lane busy (median)`, (r) => `${(100 * median(r.syncBusy)).toFixed(0)} %`));
console.log(row(`16 × fib(${N}), threads (or processes): min / median / max`, (r) => spread(r.fib[r.parallelName])));
// The engine may report more hardware threads than the machine has (WebKit says 4 on 2
// cores): a speedup above either is noise to explain, never a target met.
const cores = availableParallelism();
console.log(row("speedup over sync (medians)", (r) => {
  const limit = Math.min(r.hardwareThreads, cores);
  return `${r.speedup.toFixed(2)}× ${r.parallelName}${r.speedup > limit ? ` (noise: above the ${limit} cores)` : ""}`;
}));
console.log(row(`${PAGES} pages × 500 ms, coroutines`, (r) => spread(r.fetch)));
console.log(row("a fresh worker's start-up (median)", (r) => fmt(r.workerStartMs)));
console.log(row("one frame of 64 × 64 on 256 threads", (r) => fmt(r.frameMs)));
console.log(row("frame rate, sandbox 64 × 64 playing", (r) => (r.fps ? `${r.fps.toFixed(1)} fps` : "—")));
console.log(`BENCH_ENGINES_JSON ${JSON.stringify(results)}`);
