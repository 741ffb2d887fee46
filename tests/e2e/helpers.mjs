// Shared by every browser test: the servers, the browser, pages that record their errors,
// and helpers that drive a widget through its data-state attribute (never through sleeps).
//
// run-e2e.mjs starts the servers once and passes their addresses in CVP_* variables. A test
// file run on its own (node --test e2e/fib.test.mjs) starts its own servers instead.

import { after, before } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
export const TESTS = resolve(HERE, "..");
export const ROOT = resolve(TESTS, "..");

/// Flags for Debian's Chromium on a machine with no network but the loopback: without the
/// background-networking ones it keeps trying to reach Google's services.
export const CHROME_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--mute-audio",
];

/// Options for node:test's test(): a timeout per test (CVP_TEST_TIMEOUT_S, default 120 s),
/// so a hung page fails its own test instead of the whole file. `seconds` overrides it.
export function limit(seconds) {
  return { timeout: (seconds ?? Number(process.env.CVP_TEST_TIMEOUT_S || 120)) * 1000 };
}

export const STRATEGIES = ["sync", "async", "threads", "processes", "gil"];

/// Small jobs that keep the suite fast on a 2-core machine.
export const SMALL_FIB = { tasks: 8, n: 30 };
export const SMALL_FETCH = { tasks: 20, latency: 100, parse: 0 };

/// How long one run may take before a test gives up (a generous bound, not a sleep).
export const RUN_TIMEOUT = 90_000;
/// How long a widget may take to start its workers and report `ready`.
export const READY_TIMEOUT = 45_000;

export function distDir() {
  return resolve(process.env.CVP_DIST || join(ROOT, "dist"));
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN || "/usr/bin/chromium",
    headless: true,
    args: CHROME_ARGS,
    timeout: 60_000,
  });
}

// --- Servers -------------------------------------------------------------------------------

/// The sub-folder the site is also served from.
export const SUB_FOLDER = "/courses/os/cvp/";

/// The environment variables that carry the servers' addresses to the test files.
const SERVER_KEYS = ["CVP_SITE_ISOLATED", "CVP_SITE_PLAIN", "CVP_PARENT_ISOLATED", "CVP_PARENT_PLAIN", "CVP_SUB_ISOLATED", "CVP_SUB_PLAIN"];

/// Starts the six servers the tests use, each on a free port:
///  - the site, with the isolation headers (COOP + COEP) and without;
///  - an embedding page (tests/fixtures/parent.html) on another origin (host name
///    `localhost` instead of 127.0.0.1, and another port), with and without the headers;
///  - the site under SUB_FOLDER only, with and without the headers.
///  `probe`: a script every HTML page loads first (the cross-engine tests', tests/engines/).
export async function startServers(dist = distDir(), { probe = null } = {}) {
  if (!existsSync(join(dist, "index.html"))) {
    throw new Error(`${dist}/index.html not found: build the site first (scripts/build).`);
  }
  const { startServer } = await import(join(ROOT, "scripts", "serve.mjs"));
  const fixtures = join(TESTS, "fixtures");
  const host = "127.0.0.1";
  const servers = [
    await startServer({ dir: dist, port: 0, host, isolation: true, probe }),
    await startServer({ dir: dist, port: 0, host, isolation: false, probe }),
    await startServer({ dir: fixtures, port: 0, host, isolation: true, probe }),
    await startServer({ dir: fixtures, port: 0, host, isolation: false, probe }),
    // The site in a sub-folder of its host, as a course platform or a personal page puts it.
    await startServer({ dir: dist, port: 0, host, isolation: true, prefix: SUB_FOLDER, probe }),
    await startServer({ dir: dist, port: 0, host, isolation: false, prefix: SUB_FOLDER, probe }),
  ];
  const port = (i) => servers[i].address().port;
  return {
    urls: {
      CVP_SITE_ISOLATED: `http://127.0.0.1:${port(0)}/`,
      CVP_SITE_PLAIN: `http://127.0.0.1:${port(1)}/`,
      CVP_PARENT_ISOLATED: `http://localhost:${port(2)}/parent.html`,
      CVP_PARENT_PLAIN: `http://localhost:${port(3)}/parent.html`,
      CVP_SUB_ISOLATED: `http://127.0.0.1:${port(4)}${SUB_FOLDER}`,
      CVP_SUB_PLAIN: `http://127.0.0.1:${port(5)}${SUB_FOLDER}`,
    },
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise((ok) => {
              s.closeAllConnections?.();
              s.close(() => ok());
            }),
        ),
      ),
  };
}

/// The servers' addresses and a browser for one test file; closed after the file.
export function setup() {
  const env = { urls: null, browser: null };
  let own = null;
  before(async () => {
    if (process.env.CVP_SITE_ISOLATED) {
      env.urls = Object.fromEntries(SERVER_KEYS.map((k) => [k, process.env[k]]));
    } else {
      own = await startServers();
      env.urls = own.urls;
    }
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await own?.close();
  });
  return env;
}

// --- Pages that record their errors --------------------------------------------------------

// Runs in every frame before the page's own scripts: logs every data-state change of every
// element, with its time, on the element (el.__cvpStates) and page-wide (window.__cvpStateLog),
// so a test can wait for "a new done after my click" without racing fast runs.
const STATE_LOG = () => {
  window.__cvpStateLog = [];
  const record = (el) => {
    const entry = { state: el.getAttribute("data-state"), t: performance.now() };
    (el.__cvpStates ||= []).push(entry);
    window.__cvpStateLog.push({ ...entry, widget: el.getAttribute("data-widget"), id: el.id });
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") record(r.target);
      else for (const n of r.addedNodes) if (n.nodeType === 1 && n.hasAttribute("data-state")) record(n);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
};

const IGNORED = [/\/favicon\.ico(\?|$)/];
const ignored = (url) => IGNORED.some((re) => re.test(url || ""));

/// Opens `url` in a fresh context (own cache and storage) and records console errors, page
/// errors, crashes and failed requests into `problems`. `init`: scripts run before the page's;
/// `before(context)`: what to set up before it loads (routes, say).
export async function openPage(browser, url, { init = [], before = async () => {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = [];
  const where = (m) => {
    const l = m.location?.();
    return l?.url ? ` (at ${l.url}:${l.lineNumber})` : "";
  };
  page.on("console", (m) => {
    if (m.worker?.()) return; // reported by the worker listener below
    if (m.type() === "error" && !ignored(m.location?.()?.url) && !/favicon\.ico/.test(m.text())) {
      problems.push(`console.error: ${m.text()}${where(m)}`);
    }
  });
  page.on("worker", (w) => {
    w.on("console", (m) => {
      if (m.type() === "error") problems.push(`console.error in worker ${w.url()}: ${m.text()}${where(m)}`);
    });
  });
  page.on("pageerror", (e) => problems.push(`uncaught exception: ${e.stack || e.message}`));
  page.on("crash", () => problems.push("the page crashed"));
  page.on("response", (r) => {
    if (r.status() >= 400 && !ignored(r.url())) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on("requestfailed", (r) => {
    // ERR_ABORTED: cut short by a navigation (the service worker's one reload) or by a
    // terminated worker, not a failure of the site.
    const why = r.failure()?.errorText ?? "";
    if (!ignored(r.url()) && !/ERR_ABORTED/.test(why)) problems.push(`request failed: ${r.url()}: ${why}`);
  });
  await context.addInitScript(STATE_LOG);
  for (const script of init) await context.addInitScript(script);
  await before(context);
  await page.goto(url, { waitUntil: "load" });
  return { page, context, problems, close: () => context.close() };
}

/// Fails with every problem the page recorded (console errors, uncaught exceptions...).
export function assertNoProblems(session, what = "the page") {
  assert.deepEqual(session.problems, [], `${what} reported errors:\n  ${session.problems.join("\n  ")}`);
}

/// Opens a page for the duration of `fn`, then checks it logged no errors and closes it.
export async function withPage(env, url, fn, opts) {
  const session = await openPage(env.browser, url, opts);
  try {
    await fn(session.page, session);
  } catch (err) {
    // What the page logged often explains why the test failed: add it to the message, and
    // keep a screenshot in tests/artifacts/ (git-ignored).
    if (err && typeof err === "object") {
      let extra = "";
      if (session.problems.length) extra += `\n(the page also reported:\n  ${session.problems.join("\n  ")})`;
      const shot = join(TESTS, "artifacts", `failure-${new Date().toISOString().replace(/[:.]/g, "-")}.png`);
      if (await session.page.screenshot({ path: shot, fullPage: true, timeout: 10_000 }).then(() => true, () => false)) {
        extra += `\n(screenshot: ${shot})`;
      }
      if (extra) {
        err.message += extra;
        // The reporter prints the stack, made when the error was: add it there too.
        if (typeof err.stack === "string") err.stack = err.stack.replace(/\n\s+at /, (at) => `${extra}${at}`);
      }
    }
    await session.close();
    throw err;
  }
  try {
    assertNoProblems(session, url);
  } finally {
    await session.close();
  }
}

// --- Driving a widget ----------------------------------------------------------------------

/// A widget root: `#fib`, `#fetch`, or in embed.html `section[data-widget=fib]`.
export function widget(page, selector) {
  return page.locator(selector);
}

export async function attrs(loc) {
  return loc.evaluate((el) => ({
    state: el.getAttribute("data-state"),
    isolated: el.getAttribute("data-isolated"),
    poolThreads: el.getAttribute("data-pool-threads"),
    className: el.className,
    status: el.querySelector(".cvp-status")?.textContent ?? null,
    text: el.textContent.slice(0, 400),
  }));
}

/// Waits until the widget's data-state is one of `states`; fails at once on `error` (unless
/// asked for), with the status line in the message.
export async function waitState(loc, states, { timeout = READY_TIMEOUT, what = "" } = {}) {
  const wanted = [].concat(states);
  try {
    await loc.evaluate(
      (el, { wanted, timeout }) =>
        new Promise((ok, fail) => {
          const started = performance.now();
          const deadline = started + timeout;
          const check = () => {
            const s = el.getAttribute("data-state");
            if (wanted.includes(s)) return ok(s);
            if (s === "error" && !wanted.includes("error")) return fail(new Error("data-state=error"));
            if (s === null && performance.now() > started + 15_000) return fail(new Error("the widget never mounted (no data-state after 15 s)"));
            if (performance.now() > deadline) return fail(new Error(`timed out at data-state=${s}`));
            setTimeout(check, 25);
          };
          check();
        }),
      { wanted, timeout },
      { timeout: timeout + 5_000 },
    );
  } catch (err) {
    const a = await attrs(loc).catch(() => ({}));
    assert.fail(
      `${what ? what + ": " : ""}expected data-state ${wanted.join("|")}, got ${a.state} ` +
        `(${String(err.message).split("\n")[0]}); status: ${JSON.stringify(a.status)}; text: ${JSON.stringify(a.text)}`,
    );
  }
}

/// Polls `fn(arg)` in the page until it resolves to something truthy, which it returns;
/// fails after `timeout` ms naming `what`. For conditions that must await (the Cache API):
/// Playwright's waitForFunction does not await a promise, so an async predicate passes at
/// once, whatever it would have found (tests/lint/waits.mjs refuses one).
export async function until(page, fn, arg, { timeout = 20_000, what = "a condition", every = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last = null;
  for (;;) {
    // A navigation under way fails an evaluation: try again, and say the last failure.
    const value = await page.evaluate(fn, arg).catch((e) => ((last = e.message), null));
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
    await page.waitForTimeout(every);
  }
}

/// Waits until the page is cross-origin isolated (the service worker's reload replaces the
/// document, so it asks again until the new one answers); false after `seconds`.
export async function waitIsolated(page, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await page.evaluate(() => window.crossOriginIsolated).catch(() => false)) return true;
    await page.waitForTimeout(200);
  }
  return false;
}

/// Brings a widget of the main page near the screen and waits until it has mounted: the
/// page mounts each widget as it comes within a screen of view (crates/web/src/app.rs).
export async function mounted(loc) {
  await loc.scrollIntoViewIfNeeded();
  await loc.page().waitForFunction((el) => el.hasAttribute("data-state"), await loc.elementHandle(), { timeout: 15_000 });
  return loc;
}

/// Waits for the widget to be ready and returns its attributes.
export async function waitReady(loc, what) {
  // The runner starts when a widget that needs it comes near the screen.
  await loc.scrollIntoViewIfNeeded();
  await waitState(loc, ["ready", "done"], { timeout: READY_TIMEOUT, what: what || "widget start-up" });
  return attrs(loc);
}

/// Fills the widget's number inputs: {tasks: 8, n: 30, ...}.
export async function setInputs(loc, values) {
  for (const [name, value] of Object.entries(values)) {
    await loc.locator(`input[name=${name}]`).fill(String(value));
  }
}

/// How many data-state changes the widget has had so far (see STATE_LOG).
async function stateMark(loc) {
  return loc.evaluate((el) => (el.__cvpStates || []).length);
}

/// The data-state changes since `mark`, with their times (performance.now()).
export async function statesSince(loc, mark) {
  return loc.evaluate((el, mark) => (el.__cvpStates || []).slice(mark), mark);
}

/// Clicks the widget's [data-action=ACTION] button once it is enabled; fails with the
/// widget's state and status if it stays disabled for 10 s.
export async function clickWhenEnabled(loc, action, what = action) {
  const button = loc.locator(`[data-action=${action}]`);
  await button.waitFor({ state: "visible", timeout: 10_000 });
  const enabled = await loc
    .evaluate(
      (el, action) =>
        new Promise((ok) => {
          const end = performance.now() + 10_000;
          const check = () => {
            const b = el.querySelector(`[data-action=${action}]`);
            if (b && !b.disabled) return ok(true);
            if (performance.now() > end) return ok(false);
            setTimeout(check, 25);
          };
          check();
        }),
      action,
    )
    .catch(() => false);
  if (!enabled) {
    const a = await attrs(loc).catch(() => ({}));
    assert.fail(`${what}: the [data-action=${action}] button stayed disabled for 10 s (data-state=${a.state}; status: ${JSON.stringify(a.status)})`);
  }
  await button.click();
}

/// Clicks `action` (run or run-all) and waits for this click's run to reach done. Returns
/// {states, startT, doneT} (page times of the first running and of done).
export async function clickAndFinish(loc, action, { timeout = RUN_TIMEOUT, what = action } = {}) {
  const mark = await stateMark(loc);
  await clickWhenEnabled(loc, action, what);
  let outcome;
  try {
    outcome = await loc.evaluate(
      (el, { mark, timeout }) =>
        new Promise((ok, fail) => {
          const started = performance.now();
          const deadline = started + timeout;
          const check = () => {
            const log = (el.__cvpStates || []).slice(mark);
            const end = log.find((e) => e.state === "done" || e.state === "error");
            if (end) return ok({ log, end: end.state });
            if (!log.length && performance.now() > started + 10_000) {
              return fail(new Error("the click started nothing within 10 s (data-state never changed)"));
            }
            if (performance.now() > deadline) return fail(new Error(`timed out; states since the click: ${log.map((e) => e.state).join(" → ") || "none"}`));
            setTimeout(check, 25);
          };
          check();
        }),
      { mark, timeout },
      { timeout: timeout + 5_000 },
    );
  } catch (err) {
    const a = await attrs(loc).catch(() => ({}));
    assert.fail(`${what}: the run did not finish: ${String(err.message).split("\n")[0]}; data-state=${a.state}; status: ${JSON.stringify(a.status)}`);
  }
  const a = await attrs(loc);
  assert.equal(outcome.end, "done", `${what}: the run ended in data-state=error; status: ${JSON.stringify(a.status)}`);
  assert.ok(
    outcome.log.some((e) => e.state === "running"),
    `${what}: data-state never went through "running" (states: ${outcome.log.map((e) => e.state).join(" → ")})`,
  );
  const startT = outcome.log.find((e) => e.state === "running").t;
  const doneT = outcome.log.find((e) => e.state === "done").t;
  return { states: outcome.log.map((e) => e.state), startT, doneT, status: a.status };
}

/// Chooses `strategy` and runs it to completion.
export async function runStrategy(loc, strategy, opts = {}) {
  await loc.locator("select[name=strategy]").selectOption(strategy);
  return clickAndFinish(loc, "run", { what: `run ${strategy}`, ...opts });
}

/// The results table: {strategy: {ms, wallText, speedup, lanes, cpu}}.
export async function results(loc) {
  return loc.evaluate((el) => {
    const out = {};
    for (const tr of el.querySelectorAll("table.cvp-results tbody tr[data-strategy]")) {
      const cell = (c) => tr.querySelector(`td[data-col=${c}]`);
      const wall = cell("wall");
      out[tr.dataset.strategy] = {
        ms: wall ? Number(wall.dataset.ms) : NaN,
        wallText: wall?.textContent.trim() ?? null,
        speedup: cell("speedup")?.textContent.trim() ?? null,
        lanes: cell("lanes")?.textContent.trim() ?? null,
        cpu: cell("cpu")?.textContent.trim() ?? null,
      };
    }
    return out;
  });
}

/// The options of the strategy select: {key: {disabled, text}}.
export async function strategyOptions(loc) {
  return loc.locator("select[name=strategy]").evaluate((s) =>
    Object.fromEntries([...s.options].map((o) => [o.value, { disabled: o.disabled, text: o.textContent.trim() }])),
  );
}

/// Parses the first duration in `text` ("1.23 s", "512 ms", "850 µs", "1 min 3 s") into ms.
export function parseDurationMs(text) {
  const m = /(\d+(?:[.,]\d+)?)\s*(µs|us|ms|s|min)\b/.exec(text || "");
  if (!m) return null;
  const v = Number(m[1].replace(",", "."));
  return { "µs": v / 1000, us: v / 1000, ms: v, s: v * 1000, min: v * 60_000 }[m[2]];
}

/// Asserts the row of `strategy` exists with a positive wall time; returns it.
export function assertRow(table, strategy, what = "") {
  const row = table[strategy];
  assert.ok(row, `${what}no results row for ${strategy}; rows: ${Object.keys(table).join(", ") || "none"}`);
  assert.ok(Number.isFinite(row.ms) && row.ms > 0, `${what}the ${strategy} row's data-ms should be a positive number, got ${row.ms}`);
  return row;
}

/// A fingerprint of a canvas's pixels (to tell whether it changed), and how many distinct
/// colours it has (a blank canvas has one).
export async function canvasFingerprint(loc) {
  return loc.evaluate(async (canvas) => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const { width, height } = canvas;
    if (!width || !height) return { width, height, colours: 0, hash: 0 };
    const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const colours = new Set();
    let hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      const c = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
      if (colours.size < 64) colours.add(c);
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    return { width, height, colours: colours.size, hash };
  });
}
