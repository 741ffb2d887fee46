#!/usr/bin/env node
// Prints the kernel's reports of processes that crashed since a moment (seconds since boot,
// as /proc/uptime gives them): scripts/test calls it when a browser's tests fail, since a
// crashed web process shows in the tests only as a lost page or an odd driver error.
//
//   node tests/crashes.mjs SECONDS_SINCE_BOOT

import { crashesSince } from "./engines/driver.mjs";

const since = Number(process.argv[2]);
if (!Number.isFinite(since)) {
  console.error("usage: node tests/crashes.mjs SECONDS_SINCE_BOOT");
  process.exit(2);
}
const lines = crashesSince(since);
if (lines.length) console.error(`the kernel logged ${lines.length} crash(es) meanwhile:\n  ${lines.join("\n  ")}`);
