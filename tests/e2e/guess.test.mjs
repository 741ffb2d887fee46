// The reader's number before a run, in the widgets that ask one (start-up, pipeline, race):
// the guess entered before Run is scored against what that run measured (read back from the
// widget's own table), beside the forecast where there is one; a guess changed after the run
// is shown, not scored; the next run takes the guess as it then stands.

import { test } from "node:test";
import assert from "node:assert/strict";
import { clickAndFinish, limit, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();

const embed = (params) => `${env.urls.CVP_SITE_ISOLATED}embed.html?${new URLSearchParams(params)}`;

/// Enters `value` and the reason `why` into the widget's guess for `key`.
async function guess(w, key, value, why = "") {
  await w.locator(`input[name=guess-${key}]`).fill(String(value));
  await w.locator(`select[name=why-${key}]`).selectOption(why);
}

const said = async (w) => ((await w.locator("[data-say=guess]").textContent()) ?? "").trim();

/// "52 % off" for a guess `g` against a measured `m` (ratio scale), as the page rounds it.
const pctOff = (g, m) => `${Math.round(Math.abs(g / m - 1) * 100)} % off`;

test("start-up: the guess of two fresh workers' speedup is scored against N = 2 as measured", limit(180), async () => {
  await withPage(env, embed({ widget: "startup", work: 80 }), async (page) => {
    const w = page.locator("section[data-widget=startup]");
    await waitReady(w, "the start-up widget");
    assert.equal(await said(w), "", "nothing to say before a run");
    // The forecast is on the page before anything runs, from the calibration alone.
    const before = (await w.locator(".cvp-forecast").textContent()) ?? "";
    assert.match(before, /^Forecast, from the calibration \(a fresh worker started in [\d.]+ m?s; \d+ hardware threads\): for 80 ms of work, one thread/, before);
    const forecast = /two fresh workers [\d.]+ m?s, (\d+\.\d\d)× as fast/.exec(before)?.[1];
    assert.ok(forecast, before);
    await guess(w, "startup", 2, "cores");
    await clickAndFinish(w, "run", { timeout: 150_000, what: "the experiment" });
    const cell = (col) => w.locator(`tbody tr[data-n="2"] td[data-col=${col}]`).getAttribute("data-ms").then(Number);
    const measured = (await cell("one")) / (await cell("fresh"));
    const text = await said(w);
    assert.ok(text.startsWith("You guessed two fresh workers would be 2.00× as fast as one thread, because the two split the work over two cores;"), text);
    assert.ok(text.includes(`your machine measured ${measured.toFixed(2)}×`), `the measurement is N = 2's: ${measured} in ${text}`);
    assert.ok(text.includes(pctOff(2, measured)), `scored against the measurement: ${text}`);
    assert.ok(text.includes(`the forecast said ${forecast}×, and`), `the forecast shown before the run stands beside it: ${text}`);
    assert.match(text, /(bears out your reason|points to another reason)/);
    // Changed after the run: shown, not scored.
    await guess(w, "startup", 1.3, "cores");
    assert.ok((await said(w)).startsWith("You changed your guess to 1.30× after the run, so it is not scored"), await said(w));
    // The next run scores the guess it started with.
    await clickAndFinish(w, "run", { timeout: 150_000, what: "the experiment again" });
    assert.ok((await said(w)).startsWith("You guessed two fresh workers would be 1.30× as fast"), await said(w));
  });
});

test("pipeline: the guessed time is scored against the measured run, beside the simulator's ideal", limit(180), async () => {
  const params = { widget: "pipeline", items: 8, request: 60, poll: 30, transform: 40, write: 30, io: 2, threads: 1, queue: 2 };
  await withPage(env, embed(params), async (page) => {
    const w = page.locator("section[data-widget=pipeline]");
    await waitReady(w, "the pipeline widget");
    await guess(w, "pipeline", 1000, "serial");
    await clickAndFinish(w, "run", { what: "the pipeline" });
    const ms = Number(await w.locator("tr[data-way=the-pipeline] td[data-col=wall]").getAttribute("data-ms"));
    const text = await said(w);
    assert.ok(text.startsWith("You guessed the pipeline would take 1.0 s, because each page goes through all five stages"), text);
    assert.ok(text.includes(pctOff(1000, ms)), `scored against ${ms} ms: ${text}`);
    assert.match(text, /the simulator's ideal said [\d.]+ (ms|s), and your machine measured/);
    // Eight pages one after another would take 8 × 160 ms; the stages overlap, so the run
    // is nearest the ideal's rule and says so against the reader's reason.
    assert.ok(text.endsWith("The run points to another reason: once the pipeline is full, its slowest stage sets the pace."), text);
  });
});

test("race: the guessed share lost is scored in percentage points, and no forecast is claimed", limit(180), async () => {
  await withPage(env, embed({ widget: "race", increments: 300000 }), async (page) => {
    const w = page.locator("section[data-widget=race]");
    await waitReady(w, "the race widget");
    await guess(w, "race", 30, "atomic");
    await clickAndFinish(w, "run", { what: "the race" });
    const row = await w.locator("tr[data-method=racy]").evaluate((r) => ({ ...r.dataset }));
    const share = (100 * Number(row.lost)) / Number(row.total);
    const fmt = (v) => (v < 9.95 ? v.toFixed(1) : v.toFixed(0));
    const text = await said(w);
    assert.ok(text.startsWith("You guessed the separate load and store would lose 30 % of the increments, because each load and each store is atomic"), text);
    assert.ok(text.includes(`your machine measured ${fmt(share)} %`), `the share is the racy row's: ${share} in ${text}`);
    assert.ok(text.includes(`Your guess was ${fmt(Math.abs(30 - share))} percentage points off`), text);
    assert.ok(!text.includes("said"), `no forecast is claimed: ${text}`);
    assert.match(text, /Nothing forecasts this one/);
    const supported = Number(row.lost) > 0 ? "another thread's store can land between" : "the threads take turns";
    assert.ok(text.includes(`The run points to another reason: ${supported}`), text);
  });
});
