// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Accessibility audits as checks: axe-core (pinned in package-lock.json) over the whole page
// in the light and dark themes, at 1280 and 360 px, before and after a real run (which adds
// the results tables and the reader's numbers to the prose), and over embed.html: every rule
// axe runs by default (WCAG 2.x A and AA, and its best practices), zero violations.
//
// axe is handed to the page through the DevTools protocol (page.evaluate), which the
// page's Content-Security-Policy does not govern: the page itself allows no inline script.
// Every widget mounts when it comes near the screen, so each audit first scrolls the page
// through, as a reader would, and waits until every widget has mounted.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { SMALL_FETCH, SMALL_FIB, clickAndFinish, limit, setInputs, setup, waitReady, waitState, withPage } from "./helpers.mjs";

const env = setup();
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/// Scrolls through the page until every widget has mounted (has a data-state).
async function mountEveryWidget(page) {
  for (let round = 0; round < 40; round++) {
    const left = await page.evaluate(async () => {
      const waiting = [...document.querySelectorAll("[data-widget]")].filter((w) => !w.hasAttribute("data-state"));
      for (const w of waiting) {
        w.scrollIntoView({ block: "center" });
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
      }
      return [...document.querySelectorAll("[data-widget]")].filter((w) => !w.hasAttribute("data-state")).map((w) => w.id);
    });
    if (!left.length) break;
    if (round === 39) assert.fail(`widgets that never mounted: ${left.join(", ")}`);
  }
  // Laid out and settled: the players size their canvases in the frame after they mount.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.evaluate(() => scrollTo(0, 0));
}

/// Runs axe over the whole document and returns its violations, each with the first few
/// elements it names and why (printed as they are found: a test audits several states and
/// fails at its end, with all of them).
async function audit(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      examples: v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}: ${n.failureSummary.split("\n").slice(1, 2).join(" ").trim()}`),
    }));
  });
  const lines = violations.map((v) => `${v.id} (${v.impact}, ${v.nodes} elements): ${v.help}\n      ${v.examples.join("\n      ")}`);
  console.log(`  axe, ${what}: ${violations.length} violations${lines.length ? "\n    " + lines.join("\n    ") : ""}`);
  return lines.map((l) => `${what}: ${l}`);
}

async function withScheme(page, scheme, width) {
  await page.emulateMedia({ colorScheme: scheme });
  await page.setViewportSize({ width, height: 800 });
  // theme.js follows the system's setting on its change event.
  await page.waitForFunction((scheme) => document.documentElement.dataset.theme === scheme, scheme, { timeout: 5000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

for (const width of [1280, 360]) {
  test(`axe: the whole page at ${width} px, light and dark, before and after a run`, limit(240), async () => {
    const url = `${env.urls.CVP_SITE_ISOLATED}?fib.tasks=${SMALL_FIB.tasks}&fib.n=${SMALL_FIB.n}`;
    await withPage(env, url, async (page) => {
      const found = [];
      await withScheme(page, "light", width);
      await mountEveryWidget(page);
      for (const scheme of ["light", "dark"]) {
        await withScheme(page, scheme, width);
        found.push(...(await audit(page, `the page at ${width} px, ${scheme}, before a run`)));
      }
      const fib = page.locator("#fib");
      await waitReady(fib, "fib");
      await clickAndFinish(fib, "run-all", { what: "fib: run every strategy" });
      const fetch = page.locator("#fetch");
      await waitReady(fetch, "fetch");
      await setInputs(fetch, SMALL_FETCH);
      await clickAndFinish(fetch, "run", { what: "fetch: one run" });
      for (const scheme of ["light", "dark"]) {
        await withScheme(page, scheme, width);
        found.push(...(await audit(page, `the page at ${width} px, ${scheme}, after fib's and fetch's runs`)));
      }
      assert.deepEqual(found, [], "axe found violations");
    });
  });
}

// Each widget alone, and one whose URL asked for too much (it lists what it changed).
const EMBEDS = ["widget=fib", "widget=fetch&tasks=5000&latency=-3", "widget=anim", "widget=sandbox", "widget=startup", "widget=pipeline"];
for (const query of EMBEDS) {
  test(`axe: embed.html?${query} at 360 and 1280 px, light and dark`, limit(), async () => {
    await withPage(env, `${env.urls.CVP_SITE_ISOLATED}embed.html?${query}`, async (page) => {
      const found = [];
      // Ready: a real run's widget shows what it changed in its URL once its runner is up.
      await waitState(page.locator("[data-widget]"), ["ready"], { what: `embed.html?${query}` });
      if (query.includes("5000")) assert.ok((await page.locator(".cvp-notices li").count()) >= 2, "the clamped values are listed");
      for (const width of [360, 1280]) {
        for (const scheme of ["light", "dark"]) {
          await withScheme(page, scheme, width);
          found.push(...(await audit(page, `embed.html?${query} at ${width} px, ${scheme}`)));
        }
      }
      assert.deepEqual(found, [], "axe found violations");
    });
  });
}

// The teacher's page (a card per widget, each with a live preview in a frame) and the trace
// viewer: their own markup, the widgets' parts and the frames' documents.
for (const path of ["teach.html", "traces.html"]) {
  test(`axe: ${path} at 360 and 1280 px, light and dark`, limit(), async () => {
    await withPage(env, `${env.urls.CVP_SITE_ISOLATED}${path}`, async (page) => {
      const found = [];
      await page.waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: 45_000 });
      if (path === "teach.html") await page.locator("section.teach-card").first().waitFor();
      for (const width of [360, 1280]) {
        for (const scheme of ["light", "dark"]) {
          await withScheme(page, scheme, width);
          found.push(...(await audit(page, `${path} at ${width} px, ${scheme}`)));
        }
      }
      assert.deepEqual(found, [], "axe found violations");
    });
  });
}
