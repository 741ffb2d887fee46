// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// The built site served from a sub-folder of its host (/courses/os/cvp/), as a course
// platform or a personal page puts it: every URL the site uses must be relative, the service
// worker must register (and isolate the page) under that folder, and dist/ must carry the
// `_headers` file that Netlify and Cloudflare Pages read.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, SMALL_FIB, SUB_FOLDER, assertRow, distDir, limit, results, runStrategy, setInputs, setup, waitIsolated, waitReady, withPage } from "./helpers.mjs";

const env = setup();

test("the sub-folder server serves nothing outside its folder", limit(), async () => {
  const root = new URL("/", env.urls.CVP_SUB_ISOLATED);
  assert.equal((await fetch(root)).status, 404, "the host's root is not the site: a test passing there would prove nothing");
  const bare = await fetch(env.urls.CVP_SUB_ISOLATED.replace(/\/$/, ""), { redirect: "manual" });
  assert.equal(bare.status, 301, "the folder without its slash redirects to it");
});

test("isolated, from a sub-folder: the page starts its pool and runs threads", limit(), async () => {
  await withPage(env, `${env.urls.CVP_SUB_ISOLATED}?no-sw`, async (page) => {
    assert.equal(new URL(page.url()).pathname, SUB_FOLDER);
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, "crossOriginIsolated under the sub-folder");
    const fib = page.locator("#fib");
    const a = await waitReady(fib, "#fib from a sub-folder");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(Number(a.poolThreads), cores, "the pool's workers load their scripts from the sub-folder");
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads");
    await runStrategy(fib, "processes");
    const table = await results(fib);
    assertRow(table, "threads", "sub-folder: ");
    assertRow(table, "processes", "sub-folder: ");
    // Every request the page made stayed inside the folder (withPage fails on any 404).
    const outside = await page.evaluate(
      (folder) => performance.getEntriesByType("resource").map((e) => new URL(e.name)).filter((u) => u.origin === location.origin && !u.pathname.startsWith(folder)).map((u) => u.pathname),
      SUB_FOLDER,
    );
    assert.deepEqual(outside, [], "requests outside the sub-folder");
    // Links and embed snippets made here point into the folder too.
    await fib.locator("[data-action=copy-link]").click();
    const link = new URL(await fib.locator(".cvp-link").inputValue());
    assert.equal(link.pathname, SUB_FOLDER, `Copy link stays in the folder: ${link}`);
    await fib.locator("[data-action=embed]").click();
    const code = await fib.locator(".cvp-embed-code").inputValue();
    const src = new URL(code.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&"));
    assert.equal(src.pathname, `${SUB_FOLDER}embed.html`, `the embed snippet loads embed.html from the folder: ${src}`);
  });
});

test("embed.html from a sub-folder runs its widget", limit(), async () => {
  const url = `${env.urls.CVP_SUB_ISOLATED}embed.html?widget=fib&strategy=sync&tasks=4&n=20&no-sw`;
  await withPage(env, url, async (page) => {
    const w = page.locator("main[data-embed] section[data-widget=fib]");
    await waitReady(w, "embed.html from a sub-folder");
  });
});

test("without headers, from a sub-folder: the service worker registers there and isolates the page", limit(), async () => {
  await withPage(env, env.urls.CVP_SUB_PLAIN, async (page) => {
    assert.equal(await waitIsolated(page, 30), true, "the service worker should isolate the page within 30 s");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope);
    assert.equal(new URL(scope).pathname, SUB_FOLDER, "the service worker's scope is the sub-folder");
    const fib = page.locator("#fib");
    await waitReady(fib, "#fib after the service worker's reload, in a sub-folder");
    await setInputs(fib, SMALL_FIB);
    await runStrategy(fib, "threads");
    assertRow(await results(fib), "threads", "sub-folder, service worker: ");
  });
});

test("dist/_headers gives every path the isolation headers", limit(), async () => {
  const text = await readFile(join(distDir(), "_headers"), "utf8");
  const lines = text.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  assert.equal(lines[0], "/*", "one rule, for every path");
  // Read as the test server reads it, so that what the tests serve is what hosts serve.
  const { siteHeaders } = await import(join(ROOT, "scripts", "serve.mjs"));
  const headers = await siteHeaders(distDir());
  assert.equal(headers["Cross-Origin-Opener-Policy"], "same-origin");
  assert.equal(headers["Cross-Origin-Embedder-Policy"], "require-corp");
  assert.equal(headers["Cross-Origin-Resource-Policy"], "cross-origin");
  assert.match(headers["Content-Security-Policy"] ?? "", /^default-src 'self';/, "and the site's policy");
});
