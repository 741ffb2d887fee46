// Cancel: a big run stops quickly, the widget says so and is ready again, and the workers
// (the rayon pool, or the process workers) still run the next job.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SMALL_FIB, assertRow, attrs, results, runStrategy, setInputs, setup, statesSince, clickWhenEnabled, waitState, waitReady, withPage, limit } from "./helpers.mjs";

const env = setup();

// 64 × fib(40): tens of seconds of work, far more than the test waits.
const BIG = { tasks: 64, n: 40 };

async function cancelRun(page, strategy) {
  const fib = page.locator("#fib");
  await waitReady(fib);
  await setInputs(fib, BIG);
  await fib.locator("select[name=strategy]").selectOption(strategy);
  const mark = await fib.evaluate((el) => (el.__cvpStates || []).length);
  await clickWhenEnabled(fib, "run", `big ${strategy} run`);
  await waitState(fib, ["running"], { timeout: 10_000, what: `big ${strategy} run` });
  const cancel = fib.locator("[data-action=cancel]");
  await page.waitForTimeout(300);
  assert.equal((await attrs(fib)).state, "running", `the big ${strategy} run should still be running after 300 ms`);
  assert.equal(await cancel.isEnabled(), true, "Cancel should be enabled while the widget runs");
  const clickedAt = await page.evaluate(() => performance.now());
  await cancel.click();
  await waitState(fib, ["ready"], { timeout: 2_000, what: `data-state back to ready within 2 s of cancelling ${strategy}` });
  const states = await statesSince(fib, mark);
  const readyAt = states.filter((e) => e.state === "ready").at(-1).t;
  const a = await attrs(fib);
  assert.match(a.status, /cancell?ed/i, `the status should say the run was cancelled, got ${JSON.stringify(a.status)}`);
  assert.doesNotMatch(a.status, /…$|\.\.\.$/, `the status should say it is cancelled, not cancelling: ${JSON.stringify(a.status)}`);
  assert.ok(!states.some((e) => e.state === "done"), `a cancelled run must not reach done (states: ${states.map((e) => e.state).join(" → ")})`);
  assert.equal((await results(fib))[strategy], undefined, `the cancelled ${strategy} run should leave no result row`);
  // The buttons come back: Run enabled, Cancel disabled.
  await fib.locator("[data-action=run]").waitFor({ state: "visible" });
  await page.waitForFunction((el) => !el.querySelector("[data-action=run]").disabled, await fib.elementHandle(), { timeout: 2_000 }).catch(() => {
    assert.fail(`Run should be enabled again after cancelling ${strategy}`);
  });
  assert.equal(await cancel.isDisabled(), true, "Cancel should be disabled once nothing runs");
  return { fib, cancelMs: readyAt - clickedAt };
}

for (const strategy of ["threads", "processes", "sync", "async", "gil"]) {
  test(`cancelling a big ${strategy} run stops it, and the next run works`, limit(), async () => {
    await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
      const { fib, cancelMs } = await cancelRun(page, strategy);
      assert.ok(cancelMs <= 2_000, `cancelling took ${cancelMs.toFixed(0)} ms`);
      await setInputs(fib, SMALL_FIB);
      await runStrategy(fib, strategy, { timeout: 30_000, what: `a small ${strategy} run after a cancel` });
      assertRow(await results(fib), strategy, "after cancel: ");
      const a = await attrs(fib);
      assert.equal(Number(a.poolThreads) > 0, true, "the pool should still be there after a cancel");
      assert.match(a.status, new RegExp(`\\b${SMALL_FIB.tasks}\\b`), `the status should report the small run: ${JSON.stringify(a.status)}`);
    });
  });
}
