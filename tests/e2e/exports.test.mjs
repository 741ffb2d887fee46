// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Every widget's player exports what it shows: the frame as PNG (at the device pixel
// ratio), and the traces as CSV, the site's own JSON, and Chrome's trace format (Perfetto).
// Each download is read back and checked against the others.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { SMALL_FIB, limit, runStrategy, setInputs, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();

/// Clicks the export button `kind` inside `loc` and returns the file's name and bytes.
async function download(page, loc, kind) {
  const [file] = await Promise.all([page.waitForEvent("download", { timeout: 15_000 }), loc.locator(`[data-export=${kind}]`).click()]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

/// Width and height from a PNG's IHDR chunk.
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG signature");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/// Downloads all four exports of `loc` and checks that they agree with each other.
async function checkExports(page, loc, titles) {
  const png = await download(page, loc, "png");
  assert.match(png.name, /^cvp-[a-z0-9-]+\.png$/);
  const canvases = await loc.locator("canvas.cvp-canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => ({ w: c.width, h: c.height, css: c.getBoundingClientRect().width })));
  const size = pngSize(png.bytes);
  assert.equal(size.width, Math.max(...canvases.map((c) => c.w)), "the PNG is as wide as the widest canvas's backing store");
  assert.equal(size.height, canvases.reduce((a, c) => a + c.h, 0), "the PNG stacks every panel");
  const dpr = await page.evaluate(() => devicePixelRatio);
  assert.ok(Math.abs(canvases[0].w - Math.round(canvases[0].css * dpr)) <= 1, `backing store at the device pixel ratio (${dpr})`);

  const csv = (await download(page, loc, "csv")).bytes.toString("utf8").trim().split("\n");
  assert.equal(csv[0], "panel,lane,lane_name,task,phase,start_ms,end_ms");
  const rows = csv.slice(1).map((l) => l.split(","));
  assert.ok(rows.length > 0, "some segments");
  for (const r of rows) {
    assert.equal(r.length, 7, `a row of 7 fields: ${r}`);
    assert.ok(Number(r[6]) >= Number(r[5]), `end >= start: ${r}`);
    assert.ok(["loading", "rendering", "starting", "blocked", "handoff"].includes(r[4]), r[4]);
  }
  assert.deepEqual([...new Set(rows.map((r) => r[0]))], titles, "one panel per title, in page order");

  const json = JSON.parse((await download(page, loc, "json")).bytes.toString("utf8"));
  assert.equal(json.schema, "cvp-trace");
  assert.equal(json.version, 1);
  assert.deepEqual(json.panels.map((p) => p.title), titles);
  const segments = json.panels.flatMap((p) => p.trace.lanes.flatMap((l) => l.segments));
  assert.equal(segments.length, rows.length, "the JSON holds the segments the CSV lists");

  const perfetto = await download(page, loc, "perfetto");
  assert.match(perfetto.name, /\.perfetto\.json$/);
  const trace = JSON.parse(perfetto.bytes.toString("utf8"));
  const complete = trace.traceEvents.filter((e) => e.ph === "X");
  assert.equal(complete.length, rows.length, "one complete event per segment");
  for (const e of complete) assert.ok(e.dur >= 0 && e.ts >= 0 && e.pid >= 1 && e.tid >= 1, JSON.stringify(e));
  const lanes = json.panels.reduce((a, p) => a + p.trace.lanes.length, 0);
  assert.equal(trace.traceEvents.filter((e) => e.name === "thread_name").length, lanes, "a named thread per lane");
  // Durations per panel add up to the JSON's, in µs.
  json.panels.forEach((p, i) => {
    const ms = p.trace.lanes.flatMap((l) => l.segments).reduce((a, s) => a + (s.end - s.start), 0);
    const us = complete.filter((e) => e.pid === i + 1).reduce((a, e) => a + e.dur, 0);
    assert.ok(Math.abs(us - ms * 1000) < 1e-3 * Math.max(1, us), `panel ${p.title}: ${us} µs vs ${ms} ms`);
  });
}

test("an animation's compared panels export as PNG, CSV, JSON and Perfetto", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const anim = page.locator("section[data-preset=compare-4x4]");
    await anim.scrollIntoViewIfNeeded();
    await anim.locator("[data-export=png]").waitFor();
    const titles = await anim.locator("canvas.cvp-canvas").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-title")));
    assert.equal(titles.length, 3, "compare-4x4 has three panels");
    await checkExports(page, anim, titles);
  });
});

test("a real run's measured timeline exports too", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const fib = page.locator("#fib");
    await waitReady(fib);
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads");
    await fib.locator("[data-export=csv]").waitFor({ state: "visible" });
    // Two panels: the run as measured, and the forecast made before it ran.
    const titles = await fib.locator("canvas.cvp-canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-title")));
    assert.equal(titles.length, 2, `measured and forecast: ${titles.join(" | ")}`);
    assert.match(titles[0], /^Threads \(measured\)$/);
    assert.match(titles[1], /^Threads \(forecast\)$/);
    await checkExports(page, fib, titles);
  });
});
