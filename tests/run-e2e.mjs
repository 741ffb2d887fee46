#!/usr/bin/env node
// Runs the browser end-to-end tests against a built site.
//
//   node tests/run-e2e.mjs [--dist DIR] [e2e/some.test.mjs ...]
//
// Starts the servers on free ports (the site with and without the isolation headers, and an
// embedding page on another origin with and without them), runs tests/e2e/*.test.mjs with
// node's test runner, stops the servers and exits non-zero on any failure. A file that
// measures no time and no parallelism says so in its first lines (`// cores: shared`): those
// run first, two at a time; then the others, one at a time, as their timings need the cores.
// CHROME_BIN picks the browser (default /usr/bin/chromium). CVP_E2E_TIMEOUT_S bounds the
// whole run (default 600 s), CVP_TEST_TIMEOUT_S each test (default 120 s).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let dist = resolve(TESTS, "..", "dist");
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--dist") dist = resolve(args[++i]);
  else if (args[i] === "-h" || args[i] === "--help") {
    console.log("usage: node tests/run-e2e.mjs [--dist DIR] [tests/e2e/FILE.test.mjs ...]");
    process.exit(0);
  } else files.push(resolve(args[i]));
}

const die = (msg) => {
  console.error(`e2e: ${msg}`);
  process.exit(2);
};

if (!existsSync(join(dist, "index.html"))) die(`${dist}/index.html not found: build the site first (scripts/build).`);
const chrome = process.env.CHROME_BIN || "/usr/bin/chromium";
if (!existsSync(chrome)) die(`no browser at ${chrome}: install Debian's chromium, or set CHROME_BIN.`);

// playwright-core and axe-core (and Lighthouse), pinned in package-lock.json; installed
// here if any is missing.
const wanted = Object.keys(JSON.parse(readFileSync(join(TESTS, "package.json"), "utf8")).dependencies);
if (wanted.some((name) => !existsSync(join(TESTS, "node_modules", name, "package.json")))) {
  console.error("e2e: installing the test dependencies (npm ci)…");
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: TESTS, stdio: ["ignore", 2, 2] });
  if (npm.status !== 0) die("npm ci failed in tests/: see above.");
}

if (!files.length) {
  for (const f of readdirSync(join(TESTS, "e2e")).sort()) if (f.endsWith(".test.mjs")) files.push(join(TESTS, "e2e", f));
}
if (!files.length) die("no test files in tests/e2e.");

const { startServers } = await import("./e2e/helpers.mjs");
const servers = await startServers(dist);
for (const [k, v] of Object.entries(servers.urls)) console.error(`e2e: ${k} = ${v}`);

const totalS = Number(process.env.CVP_E2E_TIMEOUT_S || 600);

/// Whether a test file says, in its first lines, that it may share the cores.
const shares = (file) => /^\/\/ cores: shared\b/m.test(readFileSync(file, "utf8").split("\n").slice(0, 12).join("\n"));
const sharing = new Set(files.filter(shares));
const batches = [
  { files: [...sharing], concurrency: 2, what: "files that measure nothing, two at a time" },
  { files: files.filter((f) => !sharing.has(f)), concurrency: 1, what: "files that measure, one at a time" },
].filter((b) => b.files.length);

let child = null;
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`\ne2e: the whole run took more than ${totalS} s: stopping it.`);
  stop("SIGKILL"); // the runner, its test processes and their browsers
}, totalS * 1000);

function stop(signal) {
  if (!child) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

let code = 0;
for (const batch of batches) {
  if (timedOut) break;
  console.error(`e2e: ${batch.what}: ${batch.files.length}`);
  child = spawn(
    process.execPath,
    ["--test", `--test-concurrency=${batch.concurrency}`, "--test-reporter=spec", ...batch.files],
    { cwd: TESTS, stdio: "inherit", env: { ...process.env, ...servers.urls, CVP_DIST: dist }, detached: true },
  );
  const exit = await new Promise((ok) => child.on("exit", (code, signal) => ok(code ?? (signal ? 1 : 0))));
  code ||= exit;
}
clearTimeout(timer);
await servers.close();
process.exit(timedOut ? 1 : code);
