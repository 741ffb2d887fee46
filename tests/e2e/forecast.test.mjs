// The forecast comes before the run: once the runner is ready (its calibration measured as
// it started), the real-run widget says each runnable strategy's forecast time for the
// form's job and draws the chosen strategy's forecast timeline, before anything runs. After
// a run, its table row shows the forecast made before it, the very figure the line said,
// and its timeline is drawn above that forecast.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SMALL_FIB, limit, runStrategy, setInputs, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();

/// The forecast line's times by strategy label, as written ("Threads 560 ms").
async function forecastTimes(widget) {
  const line = await widget.locator(".cvp-forecast").textContent();
  assert.match(line, /^Forecast for this job on your machine: /, line);
  const list = line.slice("Forecast for this job on your machine: ".length, line.indexOf(". From a calibration"));
  return { line, times: Object.fromEntries(list.split(", ").map((part) => [part.replace(/ [\d.]+ m?s$/, ""), part.match(/[\d.]+ m?s$/)[0]])) };
}

for (const [name, site, threads] of [
  ["an isolated page", "CVP_SITE_ISOLATED", true],
  ["a page without isolation", "CVP_SITE_PLAIN", false],
]) {
  // The plain site's service worker would add the headers; ?no-sw keeps it out.
  const url = () => (threads ? env.urls[site] : `${env.urls[site]}?no-sw`);
  test(`fib on ${name}: a forecast for every runnable strategy before the run, and the run beside it`, limit(), async () => {
    await withPage(env, url(), async (page) => {
      const fib = page.locator("#fib");
      await waitReady(fib);
      await fib.locator(".cvp-forecast:not([hidden])").waitFor({ timeout: 5_000 });
      const first = await fib.locator(".cvp-forecast").textContent();
      await setInputs(fib, SMALL_FIB);
      await fib.locator("input[name=n]").press("Tab");
      // The forecast follows the form: a smaller job, a new line.
      await page.waitForFunction(([el, was]) => el.textContent !== was, [await fib.locator(".cvp-forecast").elementHandle(), first], { timeout: 5_000 });
      const before = await forecastTimes(fib);
      const labels = Object.keys(before.times);
      assert.ok(before.line.includes(`one fib(27) took`), `the calibration is said: ${before.line}`);
      assert.deepEqual(labels.includes("Threads"), threads, `threads are forecast only where they run: ${before.line}`);
      assert.ok(labels.includes("Synchronous") && labels.includes("Processes"), before.line);
      // Before any run, the chosen strategy's forecast timeline is drawn, and nothing measured.
      const titles = await fib.locator("canvas.cvp-canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-title")));
      assert.equal(titles.length, 1, titles.join(" | "));
      assert.match(titles[0], / \(forecast\)$/);
      assert.equal(await fib.locator("tr[data-strategy]").count(), 0, "nothing measured yet");

      const strategy = threads ? "threads" : "processes";
      const label = threads ? "Threads" : "Processes";
      await runStrategy(fib, strategy);
      const cell = fib.locator(`tr[data-strategy=${strategy}] td[data-col=forecast]`);
      assert.equal(await cell.textContent(), before.times[label], "the row's forecast is the one said before the run");
      const wall = Number(await fib.locator(`tr[data-strategy=${strategy}] td[data-col=wall]`).getAttribute("data-ms"));
      assert.ok(wall > 0);
      const after = await fib.locator("canvas.cvp-canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-title")));
      assert.deepEqual(after, [`${label} (measured)`, `${label} (forecast)`]);
      const note = await fib.locator(".cvp-predicted").textContent();
      assert.ok(/forecast/.test(note), note);
      // A miss is explained with the run's numbers, or the run came within the noise.
      if (!note.startsWith("Each run came within")) assert.match(note, new RegExp(`^${label} took \\d+ % (longer|less) than forecast`), note);
    });
  });
}
