#!/usr/bin/env node
// Runs the cross-engine core set (tests/engines/*.test.mjs) against a built site, once per
// engine, each through its WebDriver server: Chromium (chromedriver), Firefox ESR
// (geckodriver) and WebKitGTK (WebKitWebDriver, under an Xvfb display of its own).
//
//   node tests/run-engines.mjs [--dist DIR] [--engines chromium,firefox,webkit] [FILE ...]
//
// The servers start once, with the test probe on every page (tests/engines/probe.js); the
// files run one at a time, as the timings need the cores. Prints each engine's time and
// exits non-zero if any engine failed or is missing. CVP_ENGINES picks engines too.

import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crashesSince, ENGINES, missing, uptime } from "./engines/driver.mjs";
import { PROBE } from "./engines/support.mjs";

const TESTS = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let dist = resolve(TESTS, "..", "dist");
let engines = (process.env.CVP_ENGINES || ENGINES.join(",")).split(",").filter(Boolean);
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--dist") dist = resolve(args[++i]);
  else if (args[i] === "--engines") engines = args[++i].split(",").filter(Boolean);
  else if (args[i] === "-h" || args[i] === "--help") {
    console.log("usage: node tests/run-engines.mjs [--dist DIR] [--engines chromium,firefox,webkit] [FILE ...]");
    process.exit(0);
  } else files.push(resolve(args[i]));
}
const die = (msg) => {
  console.error(`engines: ${msg}`);
  process.exit(2);
};
for (const e of engines) if (!ENGINES.includes(e)) die(`unknown engine ${e}: one of ${ENGINES.join(", ")}`);
if (!existsSync(join(dist, "index.html"))) die(`${dist}/index.html not found: build the site first (scripts/build).`);
const absent = engines.map((e) => [e, missing(e)]).filter(([, why]) => why);
if (absent.length) die(absent.map(([e, why]) => `${e}: ${why}`).join("; ") + " (scripts/setup.sh all installs them)");
if (!files.length) {
  for (const f of readdirSync(join(TESTS, "engines")).sort()) if (f.endsWith(".test.mjs")) files.push(join(TESTS, "engines", f));
}

const { startServers } = await import("./e2e/helpers.mjs");
const servers = await startServers(dist, { probe: PROBE });
const totalS = Number(process.env.CVP_ENGINES_TIMEOUT_S || 900);
const took = [];
let failed = [];

for (const engine of engines) {
  console.error(`\nengines: ${engine}`);
  const started = Date.now();
  const since = uptime();
  const child = spawn(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...files], {
    cwd: TESTS,
    stdio: "inherit",
    env: { ...process.env, ...servers.urls, CVP_PROBED: "1", CVP_DIST: dist, CVP_ENGINE: engine },
    detached: true,
  });
  const timer = setTimeout(() => {
    console.error(`\nengines: ${engine} took more than ${totalS} s: stopping it.`);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }, totalS * 1000);
  const code = await new Promise((ok) => child.on("exit", (code, signal) => ok(code ?? (signal ? 1 : 0))));
  clearTimeout(timer);
  // A browser process that crashed leaves a line in the kernel's log and, in the tests, often
  // only an odd WebDriver error: print the kernel's lines beside them.
  const crashes = crashesSince(since);
  if (crashes.length) console.error(`\nengines: the kernel logged ${crashes.length} crash(es) during ${engine}'s run:\n  ${crashes.join("\n  ")}`);
  took.push([engine, Math.round((Date.now() - started) / 1000), code === 0 ? "passed" : "FAILED"]);
  if (code !== 0) failed.push(engine);
}
await servers.close();
console.error("\nengines: time per engine");
for (const [engine, s, outcome] of took) console.error(`  ${engine.padEnd(9)} ${String(s).padStart(4)} s  ${outcome}`);
if (failed.length) {
  console.error(`engines: failed in ${failed.join(", ")}`);
  process.exit(1);
}
