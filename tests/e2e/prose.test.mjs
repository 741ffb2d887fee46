// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// The essay quotes the reader's own runs: predict, run every strategy, and the page reveals
// how the prediction fared and describes the run with the results table's own numbers; every
// strategy's timeline stays on screen beside the simulator's prediction for it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { clickAndFinish, limit, results, setInputs, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();

test("predict, run every strategy, and the prose quotes the table", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    const yours = page.locator("[data-yours=fib]");
    const reveal = page.locator("[data-reveal=fib]");
    await waitReady(fib, "fib");
    const neutral = await yours.textContent();
    assert.equal((await reveal.textContent()).trim(), "", "nothing is revealed before a run");

    await page.locator("input[name=predict-fib][value=async]").check();
    // A number and a reason, before the run.
    await page.locator("input[name=speedup-fib]").fill("7.5");
    await page.locator("select[name=why-fib]").selectOption("turns");
    await setInputs(fib, { tasks: 8, n: 27 });
    await clickAndFinish(fib, "run-all", { what: "Run every strategy" });
    const table = await results(fib);
    const ran = Object.keys(table);
    assert.ok(ran.length >= 3, `several strategies ran: ${ran.join(", ")}`);

    const text = await yours.textContent();
    assert.notEqual(text, neutral, "the paragraph now describes the run");
    for (const [strategy, row] of Object.entries(table)) {
      assert.ok(text.includes(row.wallText), `the prose quotes ${strategy}'s time ${row.wallText}: ${text}`);
      if (strategy !== "sync") assert.ok(text.includes(row.speedup), `and its speedup ${row.speedup}: ${text}`);
    }
    const fastest = Object.entries(table).sort((a, b) => a[1].ms - b[1].ms)[0];
    const said = await reveal.textContent();
    assert.match(said, /^You predicted Coroutines/, said);
    assert.ok(said.includes(fastest[1].wallText), `the reveal names the fastest run's time: ${said}`);

    // Every strategy's measured timeline stays, each beside the forecast made before it ran,
    // and the page says how they compare.
    const panels = await fib.locator(".cvp-panels canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => c.getAttribute("aria-label")));
    for (const strategy of ran) {
      const label = (await fib.locator(`select[name=strategy] option[value=${strategy}]`).textContent()).replace(/ \(unavailable here\)$/, "");
      assert.ok(panels.some((p) => p.startsWith(`${label} (measured)`)), `${label}'s measured timeline is drawn: ${panels.join(" | ")}`);
      assert.ok(panels.some((p) => p.startsWith(`${label} (forecast)`)), `and its forecast: ${panels.join(" | ")}`);
    }
    assert.equal(panels.length, 2 * ran.length, "two panels a strategy, no more");
    assert.match(await fib.locator(".cvp-predicted").textContent(), /forecast/);

    // The number is scored against the measurement, beside the forecast made before the runs.
    const measured = table.threads.speedup;
    assert.ok(said.includes(`You guessed Threads would be 7.50× as fast as synchronous code, because the tasks take turns on one core; the forecast said `), said);
    assert.ok(said.includes(`your machine measured ${measured}.`), `the measured speedup is the table's ${measured}: ${said}`);
    const off = Math.round(Math.abs(7.5 / (table.sync.ms / table.threads.ms) - 1) * 100);
    assert.ok(new RegExp(`Your guess was (${off - 1}|${off}|${off + 1}) % off`).test(said), `${off} % off: ${said}`);
    assert.match(said, /the forecast \d+ % off\./, said);
    // A guess changed with the runs on the page is shown, not scored.
    await page.locator("input[name=speedup-fib]").fill("2");
    await page.locator("input[name=speedup-fib]").press("Tab");
    await page.waitForFunction((el) => el.textContent.includes("not scored"), await reveal.elementHandle(), { timeout: 2_000 });

    // A changed prediction is compared at once, without running again.
    await page.locator("input[name=predict-fib][value=threads]").check();
    await page.waitForFunction((el) => el.textContent.startsWith("You predicted Threads"), await reveal.elementHandle(), { timeout: 2_000 });
  });
});
