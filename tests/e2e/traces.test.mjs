// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// traces.html: a student's own program, traced by tools/pytrace.py, loads and plays; the
// page's own Perfetto export reads back as the same lanes; hostile and huge files are
// refused with their reason; and reading a file sends nothing anywhere.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, canvasFingerprint, limit, setup, waitState, withPage } from "./helpers.mjs";

const env = setup();

/// Runs tools/pytrace.py on a sample program of tests/fixtures/students; returns the file.
function pytrace(program, ...args) {
  const flags = args[0] === "--gil" ? [args.shift()] : [];
  const out = join(mkdtempSync(join(tmpdir(), "cvp-pytrace-")), program.replace(/\.py$/, ".json"));
  execFileSync("python3", [join(ROOT, "tools", "pytrace.py"), ...flags, "-o", out, join(ROOT, "tests", "fixtures", "students", program), ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 60_000,
  });
  return out;
}

/// Hands `file` (a path, or {name, mimeType, buffer}) to the page's file input and waits
/// until it is loaded or refused.
async function load(viewer, file) {
  const before = await viewer.evaluate((el) => (el.__cvpStates || []).length);
  await viewer.locator("input[type=file]").setInputFiles(file);
  await viewer.evaluate(
    (el, before) =>
      new Promise((ok, fail) => {
        const done = () => (el.__cvpStates || []).slice(before).some((s) => s.state === "loaded" || s.state === "refused");
        if (done()) return ok();
        const t = setTimeout(() => fail(new Error(`still ${el.getAttribute("data-state")}`)), 20_000);
        new MutationObserver(() => done() && (clearTimeout(t), ok())).observe(el, { attributes: true });
      }),
    before,
  );
  return {
    state: await viewer.getAttribute("data-state"),
    status: await viewer.locator(".cvp-trace-status").textContent(),
    notes: await viewer.locator(".cvp-trace-notes li").allTextContents(),
  };
}

/// The lanes the player lists in its table: [label, tasks, computing, waiting, other].
async function laneRows(viewer) {
  return viewer.locator(".cvp-alt-tables tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent)),
  );
}

const url = () => `${env.urls.CVP_SITE_ISOLATED}traces.html`;

test("a student's threads, traced by pytrace.py, load and play with the player's controls", limit(), async () => {
  const file = pytrace("threads_and_lock.py", "--gil");
  await withPage(env, url(), async (page) => {
    const viewer = page.locator("[data-traces]");
    await waitState(viewer, "empty");
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    const got = await load(viewer, file);
    assert.equal(got.state, "loaded", got.status);
    assert.match(got.status, /Loaded threads_and_lock\.json/);
    assert.match(got.notes[0], /^Read \d+ events: 5 lanes, \d+ segments/);
    assert.deepEqual(requests, [], "reading a file sends nothing");
    const rows = await laneRows(viewer);
    assert.deepEqual(rows.map((r) => r[0]), ["MainThread", "compute-1", "compute-2", "fetch-1", "fetch-2"]);
    // The table's columns: lane, tasks, computing, waiting (I/O), other (start-up, lock,
    // GIL). The fetch threads sleep 50 and 80 ms.
    for (const row of rows.slice(3)) assert.ok(parseFloat(row[3]) >= 45, `${row[0]} sleeps: ${row}`);
    const canvas = viewer.locator("canvas.cvp-canvas");
    assert.match(await canvas.getAttribute("aria-label"), /Threads \+ global lock: 5 lanes in/);
    // The legend shows the kinds the program went through: its waits, its lock, its start-ups.
    const atEnd = await canvasFingerprint(canvas);
    assert.ok(atEnd.colours > 4, `a drawn chart, ${atEnd.colours} colours`);
    // Play, from the start (the trace is shown whole at first), at a quarter speed: the
    // button turns to Pause, the clock runs to the end, and the button comes back.
    const time = () => viewer.locator(".cvp-time").textContent();
    const play = viewer.locator("[data-action=play]");
    await viewer.locator("[data-action=speed]").selectOption("0.25");
    await play.click();
    assert.equal(await play.getAttribute("aria-label"), "Pause");
    await page.waitForFunction(() => document.querySelector("[data-traces] [data-action=play]").getAttribute("aria-label") === "Play", null, { timeout: 20_000 });
    const [played, total] = (await time()).split(" / ");
    assert.equal(played, total, "played to the end");
    assert.equal((await canvasFingerprint(canvas)).hash, atEnd.hash, "the end looks as it did");
    // Replay from the start and pause at once: an earlier moment, drawn differently.
    await viewer.locator("[data-action=replay]").click();
    await play.click();
    assert.notEqual((await canvasFingerprint(canvas)).hash, atEnd.hash, "an earlier moment looks different");
    // Step and scrub.
    const paused = await time();
    await viewer.locator("[data-action=step]").click();
    assert.notEqual(await time(), paused, "step moves to the next event");
    await viewer.locator("[data-action=scrub]").fill("500");
    const half = await time();
    const [now, end] = half.split(" / ");
    assert.ok(Math.abs(parseFloat(now) / parseFloat(end) - 0.5) < 0.05, `scrubbed half way: ${half}`);
    // The site's own export reads back as the same lanes.
    const [download] = await Promise.all([page.waitForEvent("download"), viewer.locator("[data-export=perfetto]").click()]);
    const exported = readFileSync(await download.path());
    const again = await load(viewer, { name: "exported.json", mimeType: "application/json", buffer: exported });
    assert.equal(again.state, "loaded", again.status);
    assert.deepEqual(await laneRows(viewer), rows, "the export read back: the same lanes and times");
  });
});

test("asyncio tasks and multiprocessing children are lanes too", limit(), async () => {
  const tasks = pytrace("async_tasks.py");
  const processes = pytrace("processes_pool.py", "fork");
  await withPage(env, url(), async (page) => {
    const viewer = page.locator("[data-traces]");
    await waitState(viewer, "empty");
    const a = await load(viewer, tasks);
    assert.equal(a.state, "loaded", a.status);
    const rows = await laneRows(viewer);
    assert.equal(rows.filter((r) => /^Task-\d+ download$/.test(r[0])).length, 3, rows.map((r) => r[0]).join(", "));
    assert.match(await viewer.locator("canvas").getAttribute("aria-label"), /Coroutines: 5 lanes/);
    const p = await load(viewer, processes);
    assert.equal(p.state, "loaded", p.status);
    const labels = (await laneRows(viewer)).map((r) => r[0]);
    assert.ok(labels.some((l) => /^ForkPoolWorker-\d \(pid \d+\) · ForkPoolWorker-\d$/.test(l)), labels.join(", "));
    assert.match(await viewer.locator("canvas").getAttribute("aria-label"), /Processes: \d+ lanes/);
  });
});

test("the sample loads, and hostile or huge files are refused with their reason", limit(), async () => {
  await withPage(env, url(), async (page) => {
    const viewer = page.locator("[data-traces]");
    await waitState(viewer, "empty");
    await viewer.locator("[data-action=sample]").click();
    await waitState(viewer, "loaded");
    const sampleRows = await laneRows(viewer);
    assert.equal(sampleRows.length, 5);
    const refused = async (name, text) => {
      const file = typeof text === "string" ? { name, mimeType: "application/json", buffer: Buffer.from(text) } : text.path;
      const got = await load(viewer, file);
      assert.equal(got.state, "refused", `${name}: ${got.status}`);
      // What was shown stays.
      assert.deepEqual(await laneRows(viewer), sampleRows);
      return got.status;
    };
    assert.match(await refused("negative.json", '[{"ph":"X","ts":1,"dur":-3}]'), /negative duration/);
    assert.match(await refused("types.json", '[{"ph":"X","ts":"soon","dur":3}]'), /ts that is a string, not a number/);
    assert.match(await refused("nan.json", '[{"ph":"X","ts":NaN,"dur":3}]'), /not a trace/);
    assert.match(await refused("deep.json", `[{"ph":"X","ts":1,"dur":1,"args":${"[".repeat(300)}${"]".repeat(300)}}]`), /nests JSON more deeply/);
    assert.match(await refused("other.json", '{"schema":"cvp-trace","panels":[]}'), /without "traceEvents"/);
    const many = "[" + Array(200_001).fill('{"ph":"i","ts":1}').join(",") + "]";
    assert.match(await refused("many.json", many), /more than 200000 events/);
    // Too large: refused from its size, before it is read.
    const huge = join(mkdtempSync(join(tmpdir(), "cvp-huge-")), "huge.json");
    writeFileSync(huge, Buffer.alloc(33 * 1024 * 1024, 32));
    assert.match(await refused("huge.json", { path: huge }), /up to 32 MiB/);
  });
});

test("at 360 px nothing scrolls sideways, and the keyboard reaches the file and the sample", limit(), async () => {
  await withPage(env, url(), async (page) => {
    await page.setViewportSize({ width: 360, height: 800 });
    const viewer = page.locator("[data-traces]");
    await waitState(viewer, "empty");
    // Tab from the top: the file input (drawn as its label, which shows the focus), then
    // the sample button, which Enter presses.
    let found = false;
    for (let i = 0; i < 10 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => document.activeElement?.type === "file");
    }
    assert.ok(found, "Tab reaches the file input");
    const outline = await page.locator(".cvp-file-label").evaluate((l) => getComputedStyle(l).outlineStyle);
    assert.equal(outline, "solid", "its label shows the focus");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.action), "sample");
    await page.keyboard.press("Enter");
    await waitState(viewer, "loaded");
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `the page is ${wide} px wide at 360`);
  });
});
