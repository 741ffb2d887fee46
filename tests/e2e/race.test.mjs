// The race (embed.html?widget=race, and Figure 14 on the page): threads add to one counter
// with a separate load and store, an atomic add and a lock. Embedded in an isolated page it
// runs all three, posts one cvp:result, and writes a sentence for each from what it measured:
// the racy count never above the total, the atomic add and the lock exactly the total. Where
// the page cannot share memory it runs nothing, and says so and why.

import { test } from "node:test";
import assert from "node:assert/strict";
import { clickAndFinish, limit, setup, waitState, withPage } from "./helpers.mjs";

const env = setup();

const grouped = (n) => n.toLocaleString("en-US");

/// The embedding page `parent` framing embed.html from `site` (the isolated site by default).
function parentUrl(parent, params, site = env.urls.CVP_SITE_ISOLATED) {
  const src = `${site}embed.html?${new URLSearchParams(params)}`;
  return `${parent}?src=${encodeURIComponent(src)}`;
}

/// Checks the widget's table and sentences against the result it posted.
async function checkWritten(w, data) {
  const rows = await w.locator("tbody tr").evaluateAll((rs) => rs.map((r) => ({ ...r.dataset })));
  assert.deepEqual(rows.map((r) => r.method), ["racy", "atomic", "lock"], "one row per way, in order");
  for (const [i, run] of data.runs.entries()) {
    assert.deepEqual([Number(rows[i].count), Number(rows[i].lost), Number(rows[i].total)], [run.count, run.lost, run.total], `row ${run.method}`);
    const said = (await w.locator(`.cvp-verdict [data-say=${run.method}]`).textContent()) ?? "";
    assert.ok(said.includes(`ended at ${grouped(run.count)} of ${grouped(run.total)}`), `${run.method}: the sentence gives the count measured: ${said}`);
    if (run.method === "racy") {
      if (run.lost > 0) assert.ok(said.includes(`${grouped(run.lost)} increments were lost`), said);
      else assert.match(said, /none lost this time/, "a race that lost nothing says so, and why");
    } else {
      assert.match(said, /none lost, as every run must/, said);
    }
  }
  const costs = (await w.locator(".cvp-verdict [data-say=costs]").textContent()) ?? "";
  assert.match(costs, /^Per increment, the separate load and store took [\d.]+ (ns|µs); the atomic add/, costs);
}

test("race, embedded in an isolated page: three ways run, none lost but by the racy one, and said", limit(180), async () => {
  const total = 2 * 400_000;
  await withPage(env, parentUrl(env.urls.CVP_PARENT_ISOLATED, { widget: "race", increments: 400000, autorun: 1 }), async (page) => {
    const w = page.frameLocator("#embed").locator("section[data-widget=race]");
    await waitState(w, ["done"], { timeout: 120_000, what: "the race" });
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:result"), null, { timeout: 10_000, polling: 100 });
    const results = (await page.evaluate(() => window.received)).filter((m) => m.data?.type === "cvp:result");
    assert.equal(results.length, 1, "one cvp:result per race");
    assert.equal(results[0].fromEmbed, true);
    const data = results[0].data;
    assert.deepEqual([data.widget, data.threads, data.increments], ["race", 2, 400_000]);
    assert.deepEqual(data.runs.map((r) => r.method), ["racy", "atomic", "lock"]);
    for (const run of data.runs) {
      assert.equal(run.total, total);
      assert.ok(run.count <= total, `never above the increments made: ${JSON.stringify(run)}`);
      assert.equal(run.lost, total - run.count);
      assert.ok(run.nsPerIncrement > 0 && run.wallMs > 0, JSON.stringify(run));
      if (run.method !== "racy") assert.equal(run.count, total, `${run.method} loses none: ${JSON.stringify(run)}`);
    }
    await checkWritten(w, data);
    assert.equal(await w.locator(".cvp-isolation").isVisible(), false);
  });
});

test("race on the page (Figure 14): the button runs it and the sentences follow the run", limit(180), async () => {
  await withPage(env, `${env.urls.CVP_SITE_ISOLATED}?race.increments=200000#race`, async (page) => {
    const w = page.locator("#race");
    await waitState(w, ["ready"], { timeout: 60_000, what: "the race" });
    assert.equal(await w.locator("input[name=increments]").inputValue(), "200000", "the page's address sets it");
    await clickAndFinish(w, "run", { what: "the race" });
    assert.equal(await w.getAttribute("data-state"), "done");
    const rows = await w.locator("tbody tr").evaluateAll((rs) => rs.map((r) => ({ method: r.dataset.method, count: Number(r.dataset.count), lost: Number(r.dataset.lost), total: Number(r.dataset.total) })));
    await checkWritten(w, { runs: rows });
    assert.match((await w.locator(".cvp-status").textContent()) ?? "", new RegExp(`the racy one lost ${grouped(rows[0].lost)}\\.`));
  });
});

test("race embedded in a plain page: no shared memory, so nothing runs, and it says why", limit(), async () => {
  // Framed from a host without the headers (nor Document-Isolation-Policy, nor its service
  // worker), as most course platforms frame it: nothing can isolate the widget.
  const params = { widget: "race", autorun: 1, "no-sw": "" };
  await withPage(env, parentUrl(env.urls.CVP_PARENT_PLAIN, params, env.urls.CVP_SITE_PLAIN), async (page) => {
    const w = page.frameLocator("#embed").locator("section[data-widget=race]");
    await waitState(w, ["unavailable"], { what: "the race's refusal" });
    const note = (await w.locator(".cvp-isolation").textContent()) ?? "";
    assert.match(note, /Threads are unavailable here/);
    assert.match(note, /not cross-origin isolated/);
    // In another page's frame, the fix is the frame's: the widget's own site's header.
    assert.match(note, /Document-Isolation-Policy: isolate-and-require-corp/);
    assert.equal(await w.locator("[data-action=run]").isDisabled(), true, "no run to press");
    assert.equal(await w.locator("tbody tr").count(), 0, "no race faked in the threads' place");
    const results = (await page.evaluate(() => window.received)).filter((m) => m.data?.type === "cvp:result");
    assert.equal(results.length, 0, "nothing measured, nothing posted");
  });
});
