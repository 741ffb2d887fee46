// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Security: the Content-Security-Policy arrives with every file and nothing in the site
// breaks it; no request leaves the site's origin; an embedding page cannot make a widget
// run anything by posting messages to it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  READY_TIMEOUT,
  clickAndFinish,
  distDir,
  limit,
  mounted,
  setInputs,
  setup,
  waitReady,
  widget,
  withPage,
} from "./helpers.mjs";

const env = setup();

// Runs before the page's scripts, in every frame: keeps each violation of the policy.
const RECORD_VIOLATIONS = () => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`),
  );
};

test("every page and script of the site comes with the policy, which is strict", limit(), async () => {
  for (const path of ["", "embed.html", "start.js", "cvp-web.js", "cvp-web_bg.wasm", "sw.js"]) {
    const response = await fetch(env.urls.CVP_SITE_ISOLATED + path);
    assert.equal(response.status, 200, `${path || "/"} is served`);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/, `${path || "/"} carries the policy`);
    const scripts = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
    assert.ok(!/'unsafe-inline'|'unsafe-eval'|\*|https?:/.test(scripts), `scripts come from the site alone: ${scripts}`);
    assert.match(scripts, /'wasm-unsafe-eval'/, "and wasm may compile");
  }
});

test("the built pages hold no inline script, event handler or style attribute", limit(), () => {
  const dist = distDir();
  const pages = readdirSync(dist).filter((f) => f.endsWith(".html"));
  assert.ok(pages.includes("index.html") && pages.includes("embed.html"));
  for (const name of pages) {
    const html = readFileSync(join(dist, name), "utf8");
    const inline = [...html.matchAll(/<script\b([^>]*)>/g)].filter(([, attrs]) => !/\bsrc=/.test(attrs));
    assert.deepEqual(inline.map(([tag]) => tag), [], `${name}: every script has a src`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${name}: no inline event handler`);
    assert.doesNotMatch(html, /\sstyle\s*=/i, `${name}: no style attribute`);
  }
});

test("runs and animations work under the policy, and stay on the site's origin", limit(), async () => {
  const origin = new URL(env.urls.CVP_SITE_ISOLATED).origin;
  const elsewhere = [];
  await withPage(
    env,
    env.urls.CVP_SITE_ISOLATED,
    async (page, session) => {
      session.context.on("request", (r) => {
        const url = r.url();
        if (!url.startsWith("blob:") && !url.startsWith("data:") && new URL(url).origin !== origin) elsewhere.push(url);
      });
      const fib = widget(page, "#fib");
      await waitReady(fib, "fib");
      // Threads (the pool's workers) and processes (their own workers and wasm instances).
      await setInputs(fib, { tasks: "4", n: "24", threads: "2" });
      for (const strategy of ["threads", "processes", "async"]) {
        await fib.locator("select[name=strategy]").selectOption(strategy);
        await clickAndFinish(fib, "run", { what: `fib ${strategy} under the policy` });
      }
      await mounted(page.locator("#compare-4x4"));
      await page.locator("#compare-4x4[data-state=ready]").waitFor({ timeout: READY_TIMEOUT });
      const violations = await page.evaluate(() => window.__cspViolations);
      assert.deepEqual(violations, [], "nothing broke the policy");
    },
    { init: [RECORD_VIOLATIONS] },
  );
  assert.deepEqual(elsewhere, [], "no request left the site's origin");
});

test("an embedding page's messages start nothing in a widget", limit(), async () => {
  const site = new URL(env.urls.CVP_SITE_ISOLATED);
  const src = `${site.origin}/embed.html?widget=fib&tasks=4&n=20&strategy=sync`;
  await withPage(env, `${env.urls.CVP_PARENT_ISOLATED}?src=${encodeURIComponent(src)}`, async (page) => {
    const frame = page.frameLocator("#embed");
    const fib = frame.locator("section[data-widget=fib]");
    await waitReady(fib, "the embedded fib");
    // Everything a hostile page might try: the runner's own message shapes with a huge
    // job, the widget's results and resizes echoed back, junk of every type.
    await page.evaluate(() => {
      const target = document.getElementById("embed").contentWindow;
      const huge = { workload: { kind: "fib", tasks: 1e9, n: 60 }, strategy: "threads", threads: 64, limit: null, switch_ms: 1 };
      const messages = [
        { run: { id: 1, job: huge } },
        { pipeline: { id: 2, spec: { items: 1e9 } } },
        "cancel",
        JSON.stringify({ run: { id: 1, job: huge } }),
        { type: "run", id: 1, job: huge },
        { type: "pipeline", id: 2, spec: { items: 1e9 } },
        { type: "race", id: 3, race: { method: "lock", threads: 64, per_thread: 1e15 } },
        { type: "cancel" },
        { type: "cvp:result", strategy: "sync" },
        { type: "cvp:resize", height: 1e9 },
        { type: "cvp_worker_init", mainJS: "data:text/javascript,alert(1)" },
        "run",
        null,
        42,
        [1, 2, 3],
      ];
      for (let i = 0; i < 20; i++) for (const m of messages) target.postMessage(m, "*");
    });
    await page.waitForTimeout(1500);
    const states = await fib.evaluate((el) => (el.__cvpStates || []).map((s) => s.state));
    assert.ok(!states.includes("running"), `the widget never ran: ${states.join(" → ")}`);
    assert.equal(await fib.getAttribute("data-state"), "ready", "and is still ready for its own reader");
  });
});
