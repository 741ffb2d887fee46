#!/usr/bin/env node
// The browser benchmark: real runs of every strategy in headless Chromium, through the
// page's exported window.wasmBindings.run_job(job) (a Promise of the run's trace).
//
//   node tests/bench.mjs [[--dist] DIST] [--quick]
//
// DIST defaults to ./dist next to tests/. It is served with the isolation headers on a free
// port. Results go to stdout as markdown, then one line `BENCH_JSON {...}`; progress goes to
// stderr. --quick shrinks every workload (to check the bench itself, not to quote).
// CHROME_BIN picks the browser (default /usr/bin/chromium).
//
//   (a) wasm fib on one thread: 16 × fib(34), sync, warm-up once then the median of 5;
//   (b) threads at P = 1 .. hardwareConcurrency (5 interleaved rounds; min, median, max):
//       speedup over P = 1 and sync, a speedup above P marked as noise, never as met;
//   (c) every strategy of fib (50 × fib(30), 16 × fib(38)) and of fetch (50 pages × 500 ms,
//       threads also at 6 and 50; the 1000-request fan-out with coroutines), in interleaved
//       rounds (min, median, max), next to the post's Python figures;
//   (d) ms to draw one frame (scene + canvas) of simulated runs from 4×4 pixels to the
//       sandbox's largest, 64×64 pixels on 256 threads time-sliced on 8 cores;
//   (e) the page's frame rate while the widgets in view play.
// --native-ms MS (scripts/bench passes the native time of the same fib work) adds the
// ratio wasm / native to (a).

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const TESTS = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
let quick = false;
let nativeMs = null;
let dist = join(TESTS, "..", "dist");
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--quick") quick = true;
  else if (argv[i] === "--dist") dist = argv[++i];
  else if (argv[i] === "--native-ms") nativeMs = Number(argv[++i]);
  else if (!argv[i].startsWith("--")) dist = argv[i];
  else {
    console.error(`bench: unknown argument ${argv[i]}\nusage: node tests/bench.mjs [--dist] [DIST] [--quick]`);
    process.exit(2);
  }
}
dist = resolve(dist);
const log = (...a) => console.error("[bench]", ...a);
const die = (msg) => {
  console.error(`bench: ${msg}`);
  process.exit(1);
};

if (!existsSync(join(dist, "index.html"))) die(`${dist}/index.html not found: build the site first (scripts/build).`);
if (!existsSync(join(TESTS, "node_modules", "playwright-core", "package.json"))) {
  log("installing the test dependencies (npm ci)…");
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: TESTS, stdio: ["ignore", 2, 2] });
  if (npm.status !== 0) die("npm ci failed in tests/: see above.");
}

const { launchBrowser } = await import("./e2e/helpers.mjs");
const { startServer } = await import(join(TESTS, "..", "scripts", "serve.mjs"));

// The post's Python figures (seconds), for the table.
const PYTHON = {
  fib: { sync: 27.8, async: 65.0, threads: 33.0, processes: 18.2 },
  fetch: { sync: 15.7, async: 1.4, threads: 1.88, processes: 4.92 },
};
const STRATEGIES = ["sync", "async", "threads", "processes", "gil"];
const JOB_TIMEOUT_MS = 15 * 60_000;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => (ms == null || !Number.isFinite(ms) ? "—" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const x = (r) => (r == null || !Number.isFinite(r) ? "—" : `${r.toFixed(2)}×`);
/// min / median / max of a list of ms.
const spread = (xs) => `${fmt(Math.min(...xs))} / ${fmt(median(xs))} / ${fmt(Math.max(...xs))}`;
/// A speedup, marked when it exceeds what `limit` hardware threads can give: noise to
/// explain (a slow spell during the baseline), never a target met.
const xs = (r, limit) =>
  r != null && Number.isFinite(r) && r > limit * 1.0001 ? `${x(r)} (noise: above the ${limit}× that ${limit === 1 ? "one thread allows" : `${limit} threads allow`})` : x(r);

/// (e): the page's frame rate while the widgets in view play, `ms` of frames per view, each
/// in a fresh page (so that only the widgets in view play: the others wait off screen).
async function frameRates(browser, url, ms) {
  const views = [
    { label: "the three strategies side by side, 4×4", height: 900, target: '[data-preset="compare-4x4"]' },
    { label: "the 16×16 on at most 32 workers", height: 900, target: '[data-preset="big-16x16"]' },
    { label: "a 1200×2400 window: the real-world three", height: 2400, target: '[data-preset="real-cpu"]' },
    {
      label: "sandbox: 64×64 on 256 threads, 8 cores, every strategy",
      height: 900,
      target: "[data-widget=sandbox]",
      form: { side: "64", workers: "256", cores: "8" },
    },
  ];
  const results = [];
  for (const view of views) {
    const page = await browser.newPage({ viewport: { width: 1200, height: view.height } });
    try {
      await page.goto(url, { waitUntil: "load" });
      const widget = page.locator(`${view.target}[data-state=ready]`);
      await widget.waitFor({ timeout: 60_000 });
      await widget.evaluate((e) => e.scrollIntoView({ block: "center" }));
      if (view.form) {
        for (const [name, value] of Object.entries(view.form)) await widget.locator(`input[name=${name}]`).fill(value);
        await widget.locator("[data-action=simulate]").click();
      }
      // Whatever is in view starts playing; measure from 40 % of the way in, where the
      // charts are full (the start of an animation is its cheapest part to draw).
      await page.waitForTimeout(300);
      // Scrubbing pauses a player: play it again.
      await page.evaluate(() => {
        for (const play of document.querySelectorAll('[data-action=play][aria-label="Pause"]')) {
          const scrub = play.closest("[data-widget]").querySelector("[data-action=scrub]");
          scrub.value = String(0.4 * Number(scrub.max));
          scrub.dispatchEvent(new Event("input"));
          if (play.getAttribute("aria-label") === "Play") play.click();
        }
      });
      const playing = () => page.locator('[data-action=play][aria-label="Pause"]').count();
      const before = await playing();
      const gaps = await page.evaluate(
        (ms) =>
          new Promise((done) => {
            const times = [];
            const tick = () => {
              const t = performance.now();
              times.push(t);
              if (t - times[0] < ms) requestAnimationFrame(tick);
              else done(times.slice(1).map((t, i) => t - times[i]));
            };
            requestAnimationFrame(tick);
          }),
        ms,
      );
      const after = await playing();
      const total = gaps.reduce((a, b) => a + b, 0);
      results.push({
        label: view.label,
        playing: before === after ? `${before}` : `${before}, then ${after}`,
        fps: (gaps.length / total) * 1000,
        worst_ms: Math.max(...gaps),
        over_20ms: gaps.filter((g) => g > 20).length,
        frames: gaps.length,
      });
      log(`frame rate, ${view.label}: ${results.at(-1).fps.toFixed(1)} fps`);
    } finally {
      await page.close();
    }
  }
  return results;
}

const server = await startServer({ dir: dist, port: 0, host: "127.0.0.1", isolation: true });
const url = `http://127.0.0.1:${server.address().port}/index.html`;
const browser = await launchBrowser();
let exitCode = 0;
try {
  // Reduced motion: the animations at the top of the page stay still, and leave the cores
  // to the runs being measured ((e) measures the animations on their own).
  const page = await browser.newPage({ reducedMotion: "reduce" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e.message)));
  page.on("console", (m) => m.type() === "error" && !/favicon/.test(m.location()?.url || "") && errors.push(m.text()));
  log(`opening ${url}`);
  await page.goto(url, { waitUntil: "load" });
  await page
    .waitForFunction(() => typeof window.wasmBindings === "object" && window.wasmBindings !== null, null, { timeout: 60_000 })
    .catch(() => die(`window.wasmBindings never appeared (page errors: ${errors.join(" | ") || "none"})`));
  const exported = await page.evaluate(() => Object.keys(window.wasmBindings).sort());
  if (!exported.includes("run_job")) die(`window.wasmBindings has no run_job (it exports: ${exported.join(", ")})`);
  // Start the page's runner and its pool first, so that the first measurement is not start-up.
  await page
    .evaluate(() => Promise.race([window.wasmBindings.runner_caps(), new Promise((_, no) => setTimeout(() => no(new Error("timeout")), 60_000))]))
    .catch(() => log("the runner did not report ready within 60 s; measuring anyway"));
  const env = await page.evaluate(() => ({
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: window.crossOriginIsolated,
  }));
  const cores = env.hardwareConcurrency;
  const browserVersion = browser.version();
  log(`Chromium ${browserVersion}, ${cores} hardware threads, crossOriginIsolated=${env.crossOriginIsolated}`);
  if (!env.crossOriginIsolated) die("the page is not cross-origin isolated: threads cannot run");

  /// One run_job: the trace's makespan, and the wall time seen by the page around the call.
  async function runJob(job) {
    const run = page.evaluate(async (job) => {
      const get = (o, k) => (o instanceof Map ? o.get(k) : o?.[k]);
      const t0 = performance.now();
      const trace = await window.wasmBindings.run_job(job);
      const wall = performance.now() - t0;
      const lanes = get(trace, "lanes");
      const tasks = get(trace, "tasks");
      return {
        makespan: Number(get(trace, "makespan")),
        wall,
        strategy: get(trace, "strategy"),
        cores: get(trace, "cores"),
        lanes: lanes?.length ?? null,
        tasks: tasks?.length ?? null,
      };
    }, job);
    let timer;
    const timeout = new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`run_job took over ${JOB_TIMEOUT_MS / 60_000} min: ${JSON.stringify(job)}`)), JOB_TIMEOUT_MS);
    });
    try {
      const r = await Promise.race([run, timeout]);
      if (!Number.isFinite(r.makespan) || r.makespan <= 0) throw new Error(`run_job returned no makespan: ${JSON.stringify(r)}`);
      if (r.tasks != null && r.tasks !== job.workload.tasks) throw new Error(`run_job ran ${r.tasks} tasks, asked ${job.workload.tasks}`);
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  // sync and async run on one thread whatever `threads` says: say 1, so the output does too.
  const lanesFor = (strategy, threads) => (strategy === "sync" || strategy === "async" ? 1 : threads);
  const SWITCH_MS = 5;
  const fibJob = (tasks, n, strategy, threads = cores) => ({
    workload: { kind: "fib", tasks, n },
    strategy,
    threads: lanesFor(strategy, threads),
    limit: null,
    switch_ms: SWITCH_MS,
  });
  const fetchJob = (tasks, latency_ms, strategy, threads = cores, limit = null) => ({
    workload: { kind: "fetch", tasks, latency_ms, parse_ms: 0 },
    strategy,
    threads: lanesFor(strategy, threads),
    limit,
    switch_ms: SWITCH_MS,
  });
  const describe = (job) =>
    job.workload.kind === "fib"
      ? `${job.workload.tasks} × fib(${job.workload.n})`
      : `${job.workload.tasks} pages × ${job.workload.latency_ms} ms`;

  /// Runs `job` `times` times (after `warmup` unmeasured runs): the median makespan. With
  /// `adaptive`, one run, and two more if it took under 2 s (short runs are noisy).
  async function measure(job, { times = 1, warmup = 0, adaptive = false } = {}) {
    for (let i = 0; i < warmup; i++) await runJob(job);
    const runs = [];
    for (let i = 0; i < times; i++) runs.push(await runJob(job));
    if (adaptive && runs[0].makespan < 2000) for (let i = 0; i < 2; i++) runs.push(await runJob(job));
    const ms = median(runs.map((r) => r.makespan));
    log(`${describe(job)} ${job.strategy} P=${job.threads}: ${fmt(ms)} (${runs.map((r) => fmt(r.makespan)).join(", ")})`);
    return { ms, runs: runs.map((r) => r.makespan), lanes: runs[0].lanes, wallMs: median(runs.map((r) => r.wall)) };
  }

  const out = { browser: browserVersion, cores, userAgent: env.userAgent, quick };

  // (a) single-thread fib.
  const [aTasks, aN] = quick ? [4, 28] : [16, 34];
  const single = await measure(fibJob(aTasks, aN, "sync", 1), { times: 5, warmup: 1 });
  out.fib_single = { tasks: aTasks, n: aN, median_ms: single.ms, runs_ms: single.runs };
  console.log(`## Browser benchmark (Chromium ${browserVersion}, ${cores} hardware threads)\n`);
  console.log(`wasm fib, one thread: ${aTasks} × fib(${aN}) = ${fmt(single.ms)} (median of 5 after a warm-up; ${single.runs.map(fmt).join(", ")})`);
  if (nativeMs > 0 && !quick) {
    out.fib_single.native_ms = nativeMs;
    out.fib_single.wasm_over_native = single.ms / nativeMs;
    console.log(`native fib, same work: ${fmt(nativeMs)}; wasm / native = ${(single.ms / nativeMs).toFixed(2)}`);
  }
  console.log("");

  // (b) threads scaling.
  // Rounds of 1, 2, … P threads rather than all runs of one P then the next: a slow spell
  // of a shared machine then slows every P alike instead of skewing one.
  const ROUNDS = 5;
  const scalingRuns = Array.from({ length: cores }, () => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let p = 1; p <= cores; p++) scalingRuns[p - 1].push(await runJob(fibJob(aTasks, aN, "threads", p)));
  }
  const scaling = scalingRuns.map((runs, i) => {
    const ms = median(runs.map((r) => r.makespan));
    log(`${aTasks} × fib(${aN}) threads P=${i + 1}: ${fmt(ms)} (${runs.map((r) => fmt(r.makespan)).join(", ")})`);
    return { threads: i + 1, median_ms: ms, runs_ms: runs.map((r) => r.makespan), lanes: runs[0].lanes };
  });
  const p1 = scaling[0].median_ms;
  for (const s of scaling) {
    s.speedup_vs_p1 = p1 / s.median_ms;
    s.speedup_vs_sync = single.ms / s.median_ms;
  }
  out.threads_scaling = scaling;
  console.log(`### Threads scaling: ${aTasks} × fib(${aN}), ${ROUNDS} interleaved rounds\n`);
  console.log("| threads | min / median / max | median vs threads P=1 | median vs sync |");
  console.log("| ---: | ---: | ---: | ---: |");
  for (const s of scaling) {
    console.log(`| ${s.threads} | ${spread(s.runs_ms)} | ${xs(s.speedup_vs_p1, s.threads)} | ${xs(s.speedup_vs_sync, s.threads)} |`);
  }
  console.log("");

  // (c) every strategy, in interleaved rounds: each round runs every variant once, so a
  // slow spell of a shared machine lands on all of them rather than on one.
  const ROUNDS_C = quick ? 1 : 3;
  const basic = (job) => STRATEGIES.map((s) => ({ s, job: job(s) }));
  const suites = quick
    ? [
        { key: "fib", label: "10 × fib(25)", python: PYTHON.fib, variants: basic((s) => fibJob(10, 25, s)) },
        {
          key: "fetch",
          label: "10 pages × 50 ms",
          python: PYTHON.fetch,
          variants: [...basic((s) => fetchJob(10, 50, s)), { s: "threads", job: fetchJob(10, 50, "threads", 10) }],
        },
        { key: "fanout", label: "100 requests × 50 ms", variants: [{ s: "async", job: fetchJob(100, 50, "async") }] },
      ]
    : [
        { key: "fib", label: "50 × fib(30)", python: PYTHON.fib, variants: basic((s) => fibJob(50, 30, s)) },
        { key: "fib38", label: "16 × fib(38)", variants: basic((s) => fibJob(16, 38, s)) },
        {
          key: "fetch",
          label: "50 pages × 500 ms",
          python: PYTHON.fetch,
          variants: [
            ...basic((s) => fetchJob(50, 500, s)),
            { s: "threads", job: fetchJob(50, 500, "threads", 6) },
            { s: "threads", job: fetchJob(50, 500, "threads", 50) },
          ],
        },
        { key: "fanout", label: "1000 requests × 500 ms", variants: [{ s: "async", job: fetchJob(1000, 500, "async") }] },
      ];
  out.strategies = {};
  const rows = [];
  for (const suite of suites) {
    const runs = suite.variants.map(() => []);
    for (let round = 0; round < ROUNDS_C; round++) {
      for (const [i, { job }] of suite.variants.entries()) {
        try {
          runs[i].push(await runJob(job));
        } catch (err) {
          log(`${suite.label} ${job.strategy} P=${job.threads} failed: ${err.message}`);
          runs[i].error = String(err.message);
          exitCode = 1;
        }
      }
    }
    const results = suite.variants.map(({ s, job }, i) => {
      const ms = runs[i].map((r) => r.makespan);
      if (!ms.length) return { s, threads: job.threads, error: runs[i].error };
      log(`${suite.label} ${s} P=${job.threads}: ${spread(ms)}`);
      return { s, threads: job.threads, ms: median(ms), runs_ms: ms, lanes: runs[i][0].lanes };
    });
    const base = results.find((r) => r.s === "sync")?.ms;
    for (const r of results) {
      if (r.ms && base) r.speedup_vs_sync = base / r.ms;
      rows.push({ suite, r });
    }
    out.strategies[suite.key] = { label: suite.label, rounds: ROUNDS_C, results };
  }
  console.log(`### Every strategy, ${ROUNDS_C} interleaved rounds, next to the post's Python figures\n`);
  console.log(`The lock (\`gil\`) switches every ${SWITCH_MS} ms, as CPython does by default. P: threads or processes.`);
  console.log(`Threads beyond the page's pool of ${cores} run on a pool of their own size, started for the run (its`);
  console.log("start-up is inside the time) unless the run before used the same size; processes start for every run.\n");
  console.log("| workload | strategy | P | min / median / max | median speedup vs sync | Python (post) | Python speedup |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const { suite, r } of rows) {
    const s = r.s;
    // The post's figures are for its own worker counts: show them on the default rows only.
    const isDefault = s === "sync" || s === "async" || r.threads === cores;
    let py = isDefault ? suite.python?.[s] : null;
    let note = "";
    // CPython's threads hold the GIL: on CPU work they compare with our gil row.
    if (isDefault && suite.python && suite.key === "fib" && (s === "threads" || s === "gil")) {
      py = suite.python.threads;
      note = " †";
    }
    const pySpeed = py != null && suite.python?.sync ? suite.python.sync / py : null;
    const time = r.error ? `failed: ${r.error.slice(0, 60)}` : spread(r.runs_ms);
    // I/O-bound speedups are not bounded by the cores (waits overlap); CPU-bound ones are.
    const limit = suite.key.startsWith("fib") ? Math.min(r.threads, cores) : Infinity;
    console.log(
      `| ${suite.label} | ${s} | ${r.threads} | ${time} | ${xs(r.speedup_vs_sync, limit)} | ${py != null ? `${py.toFixed(py < 10 ? 2 : 1)} s${note}` : "—"} | ${pySpeed != null ? x(pySpeed) + note : "—"} |`,
    );
  }
  console.log("\n† CPython's threads run under the GIL, so on CPU-bound work they compare with our `gil` row;");
  console.log("  our `threads` row is what the same threads do without a global lock.\n");

  // (d) drawing one frame.
  const frames = quick ? 10 : 60;
  out.draw_frame = [];
  console.log("### Drawing one frame (scene + canvas, 1200×900 CSS px, software rendering)\n");
  console.log("| simulated run | ms per frame |\n| --- | ---: |");
  for (const [label, side, workers, cores] of [
    ["4×4 pixels, a thread each (the post's size)", 4, 0, 0],
    ["16×16 pixels, 32 threads (the post's largest)", 16, 32, 0],
    ["64×64 pixels, 256 threads (the sandbox's largest grid)", 64, 256, 0],
    ["64×64 pixels, 256 threads on 8 cores (time-sliced)", 64, 256, 8],
  ]) {
    const ms = await page.evaluate(async (a) => Number(await window.wasmBindings.bench_frame(...a)), [frames, side, workers, cores]);
    out.draw_frame.push({ label, side, workers, cores, frames, ms_per_frame: ms });
    console.log(`| ${label} | ${ms.toFixed(2)} |`);
  }
  console.log("");

  // (e) frame rate of the page itself while the widgets on screen play.
  out.frame_rate = await frameRates(browser, url, quick ? 1000 : 4000);
  console.log("### Frame rate while the widgets on screen play (requestAnimationFrame, software rendering)\n");
  console.log("| on screen | widgets playing | frames per second | slowest frame | frames over 20 ms |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of out.frame_rate) {
    console.log(`| ${r.label} | ${r.playing} | ${r.fps.toFixed(1)} | ${r.worst_ms.toFixed(1)} ms | ${r.over_20ms} |`);
  }
  console.log("");

  if (errors.length) {
    log(`the page reported errors during the bench:\n  ${errors.join("\n  ")}`);
    out.page_errors = errors;
  }
  console.log(`BENCH_JSON ${JSON.stringify(out)}`);
} catch (err) {
  console.error(`bench: ${err.stack || err.message}`);
  exitCode = 1;
} finally {
  await browser.close();
  server.closeAllConnections?.();
  server.close();
}
process.exit(exitCode);
