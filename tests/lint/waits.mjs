#!/usr/bin/env node
// Refuses a test that hands Playwright's waitForFunction an async predicate: it does not
// await the promise, which is truthy, so the wait passes at once whatever the page holds
// (the offline test's wait for the Cache API checked nothing that way, and the page's
// missing wasm went unseen). helpers.mjs's `until` polls and awaits instead.
//
//   node tests/lint/waits.mjs      exits 1 and names each such call

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const files = readdirSync(TESTS, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".mjs") && !f.split("/").includes("node_modules"));
const found = [];
for (const file of files) {
  const text = readFileSync(join(TESTS, file), "utf8");
  for (const m of text.matchAll(/waitForFunction\(\s*async\b/g)) {
    const line = text.slice(0, m.index).split("\n").length;
    found.push(`${relative(process.cwd(), join(TESTS, file))}:${line}`);
  }
}
if (found.length) {
  console.error(`waitForFunction given an async predicate, which it never awaits (use helpers.mjs's until):\n  ${found.join("\n  ")}`);
  process.exit(1);
}
console.log(`waits: ${files.length} test files, no async predicate handed to waitForFunction`);
