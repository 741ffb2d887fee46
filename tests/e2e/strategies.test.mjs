// "Run every strategy" on both workloads, on the isolated site: every strategy runs from the
// page to completion, and the fetch numbers show what concurrency buys for I/O.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SMALL_FETCH,
  SMALL_FIB,
  STRATEGIES,
  assertRow,
  clickAndFinish,
  results,
  setInputs,
  setup,
  strategyOptions,
  waitReady,
  withPage,
  limit,
} from "./helpers.mjs";

const env = setup();

async function runAll(page, id, inputs) {
  const w = page.locator(`#${id}`);
  const a = await waitReady(w, `#${id}`);
  assert.equal(a.isolated, "true", `#${id} should be isolated on the isolated server`);
  const options = await strategyOptions(w);
  const available = STRATEGIES.filter((s) => options[s] && !options[s].disabled);
  assert.deepEqual(available, STRATEGIES, `#${id}: every strategy should be available on the isolated site`);
  await setInputs(w, inputs);
  const run = await clickAndFinish(w, "run-all", { what: `#${id} run every strategy`, timeout: 180_000 });
  const table = await results(w);
  for (const s of STRATEGIES) assertRow(table, s, `#${id} after "Run every strategy": `);
  assert.equal(Object.keys(table).length, STRATEGIES.length, `#${id}: one row per strategy, got ${Object.keys(table).join(", ")}`);
  // The sync row is the baseline of every speedup.
  assert.match(table.sync.speedup, /^1(\.0+)?\s*×$/, `#${id}: sync's speedup over itself should read 1×, got ${JSON.stringify(table.sync.speedup)}`);
  for (const s of STRATEGIES) {
    const shown = Number(/(\d+(?:\.\d+)?)/.exec(table[s].speedup)?.[1]);
    const expected = table.sync.ms / table[s].ms;
    assert.ok(
      Math.abs(shown - expected) <= 0.02 + 0.02 * expected,
      `#${id}: ${s}'s speedup ${JSON.stringify(table[s].speedup)} should be sync/${s} = ${expected.toFixed(2)}`,
    );
  }
  return { table, run };
}

test("fib: every strategy runs to completion", limit(240), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const { table } = await runAll(page, "fib", SMALL_FIB);
    assert.equal(table.sync.lanes, "1", "sync uses one lane");
  });
});

test("fetch: every strategy runs; coroutines overlap the waits, sync adds them up", limit(240), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const { tasks, latency } = SMALL_FETCH;
    const { table } = await runAll(page, "fetch", SMALL_FETCH);
    const serial = tasks * latency;
    assert.ok(table.sync.ms >= serial * 0.99, `sync waits for each page in turn: ${table.sync.ms} ms should be >= ${serial} ms`);
    assert.ok(
      table.async.ms < serial / 4,
      `coroutines wait for all pages at once: ${table.async.ms} ms should be < ${serial / 4} ms (tasks*latency/4)`,
    );
    for (const s of STRATEGIES) {
      assert.ok(table[s].ms >= latency * 0.95, `${s}: no run can beat one page's latency: ${table[s].ms} ms < ${latency} ms`);
    }
  });
});
