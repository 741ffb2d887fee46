// One way to drive every browser engine: a small W3C WebDriver client (the classic HTTP
// protocol, which ChromeDriver, geckodriver and WebKitWebDriver all speak) and the three
// engines' drivers, started on free ports. Playwright drives only its own browser builds
// here (its Firefox and WebKit are patched), so the cross-engine tests use this instead,
// and each test is written once for all three.
//
//   const engine = await startEngine("webkit", { sharedMemory: false, reducedMotion: true });
//   const page = await engine.open(url);           // a fresh session (profile, cache, storage)
//   await page.evaluate((a, b) => a + b, 1, 2);    // runs in the page, may return a promise
//   await page.close(); await engine.stop();
//
// Neither WebKitWebDriver nor classic WebDriver reports console messages, so the test
// servers put a probe before the page's own scripts (probe.js): it keeps every error the
// page, its frames and its workers raise, which `page.problems()` reads.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ENGINES = ["chromium", "firefox", "webkit"];

const WEBKIT_DIR = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1";

/// Where each engine's browser and driver are, and which Debian package has them.
export function engineInfo(name) {
  const env = process.env;
  switch (name) {
    case "chromium":
      return { browser: env.CHROME_BIN || "/usr/bin/chromium", driver: env.CHROMEDRIVER || "/usr/bin/chromedriver", packages: "chromium chromium-driver" };
    case "firefox":
      return { browser: env.FIREFOX_BIN || "/usr/bin/firefox-esr", driver: env.CVP_GECKODRIVER || "geckodriver", packages: "firefox-esr (and geckodriver, from crates.io)" };
    case "webkit":
      return { browser: env.WEBKIT_BROWSER || `${WEBKIT_DIR}/MiniBrowser`, driver: env.CVP_WEBKITDRIVER || "/usr/bin/WebKitWebDriver", packages: "webkit2gtk-driver xvfb" };
    default:
      throw new Error(`unknown engine ${name}: one of ${ENGINES.join(", ")}`);
  }
}

const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/// Starts an X server of its own for WebKitGTK (it needs a display, even for automation),
/// on the first free display number; resolves with {display, stop}.
function startXvfb() {
  return new Promise((ok, fail) => {
    const x = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let err = "";
    x.stderr.on("data", (d) => (err += d));
    x.once("error", (e) => fail(new Error(`cannot start Xvfb (Debian's xvfb package): ${e.message}`)));
    x.once("exit", (code) => fail(new Error(`Xvfb exited (${code}): ${err.trim().split("\n").pop()}`)));
    let out = "";
    x.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) ok({ display: `:${out.trim()}`, stop: () => x.kill("SIGTERM") });
    });
  });
}

/// The capabilities a new session asks for.
function capabilities(name, info, { reducedMotion }) {
  switch (name) {
    case "chromium": {
      const args = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--mute-audio", "--window-size=1200,900",
      ];
      if (reducedMotion) args.push("--force-prefers-reduced-motion");
      return { browserName: "chrome", "goog:chromeOptions": { binary: info.browser, args } };
    }
    case "firefox":
      return {
        browserName: "firefox",
        "moz:firefoxOptions": {
          binary: info.browser,
          args: ["-headless"],
          prefs: {
            "ui.prefersReducedMotion": reducedMotion ? 1 : 0,
            // No calls home on a machine whose only network is the loopback.
            "network.captive-portal-service.enabled": false,
            "network.connectivity-service.enabled": false,
            "browser.safebrowsing.update.enabled": false,
            "extensions.update.enabled": false,
            "app.update.disabledForTesting": true,
            // Console messages, workers' too, on the browser's standard output: the driver's
            // log (engine.log()) then holds them.
            "devtools.console.stdout.content": true,
          },
        },
      };
    case "webkit":
      return { browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary: info.browser, args: ["--automation"] } };
  }
}

/// Starts `name`'s WebDriver server. Options: `reducedMotion` (the reader's setting),
/// `sharedMemory` (WebKit only: whether JavaScriptCore may share memory with workers; WebKitGTK
/// on Linux does not unless told, Safari does).
export async function startEngine(name, { reducedMotion = false, sharedMemory = true } = {}) {
  const info = engineInfo(name);
  const port = await freePort();
  const env = { ...process.env };
  const cleanup = [];
  let args;
  if (name === "chromium") args = [`--port=${port}`];
  else if (name === "firefox") args = ["--port", String(port), "--binary", info.browser, "--log", "error"];
  else {
    args = [`--port=${port}`];
    const x = await startXvfb();
    cleanup.push(x.stop);
    env.DISPLAY = x.display;
    if (sharedMemory) env.JSC_useSharedArrayBuffer = "1";
    else delete env.JSC_useSharedArrayBuffer;
    // WebKitGTK takes prefers-reduced-motion from GTK's own setting.
    const config = mkdtempSync(join(tmpdir(), "cvp-webkit-"));
    mkdirSync(join(config, "gtk-3.0"));
    writeFileSync(join(config, "gtk-3.0", "settings.ini"), `[Settings]\ngtk-enable-animations=${reducedMotion ? "false" : "true"}\n`);
    env.XDG_CONFIG_HOME = config;
    cleanup.push(() => rmSync(config, { recursive: true, force: true }));
  }
  const driver = spawn(info.driver, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: false });
  let log = "";
  const keep = (d) => (log = (log + d).slice(-64000));
  driver.stdout.on("data", keep);
  driver.stderr.on("data", keep);
  const failedToStart = new Promise((_, fail) =>
    driver.once("error", (e) => fail(new Error(`cannot start ${info.driver} (${info.packages}): ${e.message}`))),
  );
  const base = `http://127.0.0.1:${port}`;
  // Wait for the driver to answer.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await Promise.race([fetch(`${base}/status`).then((r) => r.ok, () => false), failedToStart]);
    if (up) break;
    if (Date.now() > deadline || driver.exitCode !== null) {
      driver.kill("SIGKILL");
      for (const f of cleanup) f();
      throw new Error(`${info.driver} did not start: ${log.trim().split("\n").slice(-3).join(" | ")}`);
    }
    await sleep(100);
  }
  const caps = capabilities(name, info, { reducedMotion });
  const sessions = new Set();
  const started = uptime();
  return {
    name,
    /// The driver's address, and what a session of this engine asks for (for a client other
    /// than `open`: tests/webkit-front.mjs).
    base,
    capabilities: caps,
    /// Opens `url` in a new session: its own profile, cache, storage and service workers.
    async open(url, { width = 1200, height = 900 } = {}) {
      let created;
      try {
        created = await request(base, "POST", "/session", { capabilities: { alwaysMatch: caps } }, SESSION_MS);
      } catch (err) {
        err.message += whatTheDriverDid(driver, log);
        throw err;
      }
      const page = new Page(base, created.sessionId, name);
      page.crashes = () => crashesSince(started);
      sessions.add(page);
      page.onClose = () => sessions.delete(page);
      await page.cmd("POST", "/timeouts", { script: 120_000, pageLoad: 60_000 });
      await page.setSize(width, height).catch(() => {});
      if (url) await page.goto(url);
      return page;
    },
    log: () => log,
    async stop() {
      for (const page of [...sessions]) await page.close().catch(() => {});
      driver.kill("SIGTERM");
      await Promise.race([new Promise((ok) => driver.once("exit", ok)), sleep(3000)]);
      if (driver.exitCode === null) driver.kill("SIGKILL");
      for (const f of cleanup) f();
    },
  };
}

/// For a session that could not be made: the driver's last lines, and the browser processes
/// it had started (whether the browser started, and what state each was in).
function whatTheDriverDid(driver, log) {
  const lines = log.trim().split("\n").filter(Boolean).slice(-12);
  let children;
  try {
    children = execFileSync("ps", ["--ppid", String(driver.pid), "-o", "pid,stat,etime,args", "--no-headers"], { encoding: "utf8" }).trim();
  } catch (e) {
    children = e.status === 1 ? "" : `(ps failed: ${e.message})`;
  }
  return (
    `\n(the driver's last output: ${lines.length ? `\n  ${lines.join("\n  ")}` : "nothing"})` +
    `\n(the driver's child processes: ${children ? `\n  ${children.split("\n").join("\n  ")}` : "none"})`
  );
}

/// Seconds since boot, the clock of the kernel's log.
export function uptime() {
  try {
    return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  } catch {
    return 0;
  }
}

/// The kernel's reports of processes that crashed (a segfault, a trap) since `since` (seconds
/// since boot, `uptime()`): the one witness of a browser crash that WebDriver does not report
/// (a web process names the crashed thread: WebKitWebProces, SkiaGPUWorker, WatchDogQueue...).
/// Empty where the kernel's log cannot be read.
export function crashesSince(since) {
  let out;
  try {
    out = execFileSync("dmesg", [], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return [];
  }
  return out
    .split("\n")
    .filter((l) => /segfault|trap/.test(l))
    .filter((l) => Number(/^\[\s*([\d.]+)\]/.exec(l)?.[1] ?? 0) >= since)
    .map((l) => l.trim());
}

/// How long one command may go unanswered: past the session's script timeout (120 s), a
/// driver that has not answered has stopped answering (WebKit's did once, mid-test, on a busy
/// machine), and the test should say which command it was stuck on.
const COMMAND_MS = 125_000;
/// How long a new session may take: 0.4 to 0.6 s in WebKit here (150 of them), a few seconds
/// for Firefox's first. WebKitWebDriver never answers when its browser exits at start (tried
/// with a browser that exits at once), so the driver's output says why sooner.
const SESSION_MS = 45_000;

async function request(base, method, path, body, ms = COMMAND_MS) {
  let res;
  try {
    res = await fetch(base + path, {
      method,
      headers: body ? { "content-type": "application/json; charset=utf-8" } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(ms),
    });
  } catch (e) {
    if (e.name !== "TimeoutError") throw e;
    throw new Error(`${method} ${path}: the driver did not answer within ${ms / 1000} s`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  if (!res.ok || json.value?.error) {
    const v = json.value || {};
    throw Object.assign(new Error(`${method} ${path}: ${v.error || res.status}: ${String(v.message || text).slice(0, 500)}`), { webdriver: v.error });
  }
  return json.value;
}

/// Errors that mean the document went away under the command (a navigation, the service
/// worker's one reload): the same command on the new document may succeed.
const TRANSIENT = /no such window|no such frame|stale element|document unloaded|navigat|JavaScript execution context|context was destroyed|unloaded|detached/i;

export class Page {
  constructor(base, id, engine) {
    this.base = base;
    this.id = id;
    this.engine = engine;
  }

  async cmd(method, path, body) {
    try {
      return await request(this.base, method, `/session/${this.id}${path}`, body);
    } catch (e) {
      // WebKitWebDriver says this when the page's process answered a script with nothing,
      // which is what a reply lost with its process looks like (WebDriver/Session.cpp parses
      // the empty reply). Say so, with the kernel's word on the crash if it has one.
      if (/Could not parse script result/.test(e.message)) {
        const seen = this.crashes?.() ?? [];
        e.message +=
          "\n(the page's web process went away while the script ran" +
          (seen.length ? `; the kernel logged:\n  ${seen.join("\n  ")})` : "; the kernel's log shows no crash, or cannot be read)") +
          (seen.some((l) => /libjavascriptcore/.test(l)) ? "\n(a crash in JavaScriptCore: see the README's WebKit faults)" : "");
      }
      throw e;
    }
  }

  goto(url) {
    return this.cmd("POST", "/url", { url });
  }

  url() {
    return this.cmd("GET", "/url");
  }

  setSize(width, height) {
    return this.cmd("POST", "/window/rect", { width, height });
  }

  /// Runs `fn(...args)` in the page (args and the result as JSON) and returns its result;
  /// a promise is awaited. A thrown error comes back as an Error with the page's message.
  async evaluate(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      const args = Array.prototype.slice.call(arguments, 0, -1);
      Promise.resolve().then(() => (${fn}).apply(null, args)).then(
        (value) => done({ ok: true, value: value === undefined ? null : value }),
        (e) => done({ ok: false, thrown: String((e && e.message) || e) }));`;
    const out = await this.cmd("POST", "/execute/async", { script, args });
    if (!out || !out.ok) throw new Error(`in the page: ${out?.thrown ?? "no answer"}`);
    return out.value;
  }

  /// Polls `fn(...args)` in the page until it returns something truthy, which it returns;
  /// fails after `timeout` ms with `what` and the last value. Survives navigations.
  async waitFor(fn, args = [], { timeout = 30_000, what = "condition", every = 100 } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await this.evaluate(fn, ...args);
        if (last) return last;
      } catch (e) {
        if (!TRANSIENT.test(e.message)) throw e;
        last = e.message;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what} (last: ${JSON.stringify(last)})`);
      await sleep(every);
    }
  }

  /// Clicks the element `selector` as a user would (the driver's click: scrolled into
  /// view, hit-tested).
  async click(selector) {
    const el = await this.cmd("POST", "/element", { using: "css selector", value: selector });
    const ref = Object.values(el)[0];
    await this.cmd("POST", `/element/${ref}/click`, {});
  }

  /// Switches into the iframe `selector` (null: back to the top document).
  async frame(selector) {
    if (selector === null) return this.cmd("POST", "/frame", { id: null });
    const el = await this.cmd("POST", "/element", { using: "css selector", value: selector });
    return this.cmd("POST", "/frame", { id: el });
  }

  /// A PNG of the viewport.
  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  /// What probe.js recorded: console errors, uncaught exceptions and rejections, worker
  /// errors, in this document and its same-origin frames.
  problems() {
    return this.evaluate(() => (window.__cvpProbe ? window.__cvpProbe.problems : ["the test probe is not on this page"]));
  }

  async close() {
    this.onClose?.();
    await this.cmd("DELETE", "");
  }
}

/// Whether `name`'s browser and driver are installed (a reason when not).
export function missing(name) {
  const info = engineInfo(name);
  const found = (p) => (p.includes("/") ? existsSync(p) : (process.env.PATH || "").split(":").some((d) => existsSync(join(d, p))));
  const absent = [info.browser, info.driver].filter((p) => !found(p));
  if (name === "webkit" && !found("Xvfb")) absent.push("Xvfb");
  return absent.length ? `${absent.join(", ")} not found (install ${info.packages})` : null;
}
