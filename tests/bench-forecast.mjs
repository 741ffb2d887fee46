#!/usr/bin/env node
// How good is the forecast? For the default fib and fetch jobs of the essay's two real-run
// widgets, press "Run every strategy" ROUNDS times and compare each run's time with the
// forecast the widget made before it (the table's forecast column): the median error per
// strategy, where error = |measured / forecast − 1|. Not a test: a figure to record.
//
//   node tests/bench-forecast.mjs [DIST] [--rounds N]
//
// DIST defaults to ./dist next to tests/, served with the isolation headers on a free port.
// Results go to stdout as markdown, then one line `BENCH_JSON {...}`; progress to stderr.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
let dist = join(TESTS, "..", "dist");
let rounds = 3;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--rounds") rounds = Number(argv[++i]);
  else if (!argv[i].startsWith("--")) dist = argv[i];
  else {
    console.error(`bench-forecast: unknown argument ${argv[i]}`);
    process.exit(2);
  }
}
dist = resolve(dist);
if (!existsSync(join(dist, "index.html"))) {
  console.error(`bench-forecast: ${dist}/index.html not found: build the site first (scripts/build).`);
  process.exit(1);
}
const log = (...a) => console.error("[bench-forecast]", ...a);
const { launchBrowser, openPage, waitReady, clickAndFinish } = await import("./e2e/helpers.mjs");
const { startServer } = await import(join(TESTS, "..", "scripts", "serve.mjs"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (r) => `${(100 * r).toFixed(0)} %`;

const server = await startServer({ dir: dist, port: 0, host: "127.0.0.1", isolation: true });
const url = `http://127.0.0.1:${server.address().port}/index.html`;
const browser = await launchBrowser();
const out = { rounds, widgets: {} };
try {
  const session = await openPage(browser, url);
  const page = session.page;
  out.hardwareThreads = await page.evaluate(() => navigator.hardwareConcurrency);
  for (const id of ["fib", "fetch"]) {
    const w = page.locator(`#${id}`);
    await waitReady(w, `#${id}`);
    out.widgets[id] = { line: await w.locator(".cvp-forecast").textContent(), runs: {} };
    for (let r = 0; r < rounds; r++) {
      log(`#${id}: round ${r + 1} of ${rounds}`);
      await clickAndFinish(w, "run-all", { timeout: 15 * 60_000, what: `#${id} run every strategy` });
      const rows = await w.locator("tr[data-strategy]").evaluateAll((trs) =>
        trs.map((tr) => ({
          strategy: tr.getAttribute("data-strategy"),
          ms: Number(tr.querySelector("[data-col=wall]").getAttribute("data-ms")),
          forecast: Number(tr.querySelector("[data-col=forecast]")?.getAttribute("data-ms")),
        })),
      );
      for (const row of rows) (out.widgets[id].runs[row.strategy] ??= []).push({ ms: row.ms, forecast: row.forecast });
    }
  }
  await session.close?.();
} finally {
  await browser.close();
  server.close();
}

console.log(`Forecast against measurement, ${rounds} rounds of "Run every strategy" on the default jobs, ${out.hardwareThreads} hardware threads.\n`);
console.log("| job | strategy | forecast (median) | measured (median) | median error |");
console.log("|---|---|---|---|---|");
for (const [id, w] of Object.entries(out.widgets)) {
  for (const [strategy, runs] of Object.entries(w.runs)) {
    const errors = runs.filter((r) => r.forecast > 0).map((r) => Math.abs(r.ms / r.forecast - 1));
    const summary = {
      forecastMs: median(runs.map((r) => r.forecast)),
      measuredMs: median(runs.map((r) => r.ms)),
      medianError: errors.length ? median(errors) : null,
    };
    Object.assign(runs, { summary });
    w.summary = { ...(w.summary || {}), [strategy]: summary };
    console.log(`| ${id} | ${strategy} | ${summary.forecastMs.toFixed(0)} ms | ${summary.measuredMs.toFixed(0)} ms | ${summary.medianError == null ? "—" : pct(summary.medianError)} |`);
  }
}
console.log(`\nBENCH_JSON ${JSON.stringify(out)}`);
