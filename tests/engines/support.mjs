// What the cross-engine test files share: the probe every served page loads first, and the
// servers (run-engines.mjs starts them once and passes their addresses in CVP_* variables;
// a test file run alone starts its own).

import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROBE = join(HERE, "probe.js");

export function distDir() {
  return resolve(process.env.CVP_DIST || join(HERE, "..", "..", "dist"));
}

const KEYS = ["CVP_SITE_ISOLATED", "CVP_SITE_PLAIN", "CVP_PARENT_ISOLATED", "CVP_PARENT_PLAIN", "CVP_SUB_ISOLATED", "CVP_SUB_PLAIN"];

/// The servers' addresses: the runner's, or servers of this file's own (closed by `close`).
export async function ensureServers() {
  if (process.env.CVP_PROBED === "1" && process.env.CVP_SITE_ISOLATED) {
    return { urls: Object.fromEntries(KEYS.map((k) => [k, process.env[k]])), close: async () => {} };
  }
  const { startServers } = await import("../e2e/helpers.mjs");
  return startServers(distDir(), { probe: PROBE });
}
