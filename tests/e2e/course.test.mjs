// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// Made for courses (issue 20): widgets in a course platform's page, the platforms' resize
// protocol, the teacher's page and the lesson as one zip.
//
// - Every widget kind, framed by a plain page of another origin (tests/fixtures/parent.html
//   served without headers from `localhost`, as a course platform serves its pages), is
//   cross-origin isolated by the site's own Document-Isolation-Policy and runs threads; from
//   a host without the header (the site served with no isolation headers) it falls back
//   and says why. The full page is still isolated with the new header beside the others.
// - A service worker's Document-Isolation-Policy isolates a frame of the same site; a frame
//   of another site cannot register the worker and falls back.
// - Widgets post {subject: "lti.frameResize", height} with cvp:resize's height.
// - Every snippet of docs/EMBEDDING.md, pasted as written into a plain page, loads its widget.
// - teach.html: a card per widget kind, its form changes the snippet and the preview, copy
//   buttons copy it, and the snippet it builds runs when pasted into a plain page; the
//   worksheet alone prints; lesson.zip, downloaded from it and unzipped, runs from a folder.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT, attrs, distDir, limit, setup, strategyOptions, waitReady, withPage } from "./helpers.mjs";

const env = setup();

// Pages of our own for this file: the snippets pasted into plain pages, served without any
// isolation header from `localhost` (another origin than the site's 127.0.0.1); and a parent
// page on 127.0.0.1 (another port: another origin, but the same site).
const scratch = mkdtempSync(join(tmpdir(), "cvp-course-"));
const servers = [];
let pasted = "";
let sameSite = "";
before(async () => {
  const { startServer } = await import(join(ROOT, "scripts", "serve.mjs"));
  const serve = async (opts) => {
    const s = await startServer({ port: 0, host: "127.0.0.1", isolation: false, ...opts });
    servers.push(s);
    return s.address().port;
  };
  pasted = `http://localhost:${await serve({ dir: scratch })}/`;
  sameSite = `http://127.0.0.1:${await serve({ dir: join(ROOT, "tests", "fixtures") })}/parent.html`;
});
after(() => Promise.all(servers.map((s) => new Promise((ok) => { s.closeAllConnections?.(); s.close(ok); }))));

/// Writes `html` as a page of the plain `localhost` server and returns its address.
let pages = 0;
function plainPage(html) {
  const name = `page-${++pages}.html`;
  writeFileSync(join(scratch, name), html);
  return pasted + name;
}

const embedAt = (site, params) => `${site}embed.html?${new URLSearchParams(params)}`;
const framed = (parent, src) => `${parent}?src=${encodeURIComponent(src)}`;

/// The frame of `page` showing embed.html (found again after a reload).
async function embedFrame(page) {
  for (let i = 0; i < 150; i++) {
    const f = page.frames().find((f) => f !== page.mainFrame() && f.url().includes("/embed.html"));
    if (f && (await f.evaluate(() => document.readyState).catch(() => null)) === "complete") return f;
    await page.waitForTimeout(100);
  }
  assert.fail("embed.html never loaded in a frame");
}

const results = (page) => page.evaluate(() => window.received.filter((m) => m.data?.type === "cvp:result").map((m) => m.data));
async function firstResult(page, timeout = 90_000) {
  await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:result"), null, { timeout, polling: 100 });
  return (await results(page))[0];
}

// Small settings per widget kind; the ones that run, once in view.
const KINDS = {
  fib: { strategy: "threads", tasks: 4, n: 24, autorun: 1 },
  fetch: { strategy: "threads", tasks: 8, latency: 100, autorun: 1 },
  anim: { preset: "compare-4x4" },
  sandbox: { side: 4 },
  startup: { work: 40, autorun: 1 },
  pipeline: { items: 10, request: 20, poll: 10, write: 10, transform: 10, autorun: 1 },
  race: { threads: 2, increments: 100000, autorun: 1 },
};

for (const [widget, params] of Object.entries(KINDS)) {
  test(`${widget}, framed by a plain page of another origin: isolated by its own header, threads run`, limit(150), async () => {
    await withPage(env, framed(env.urls.CVP_PARENT_PLAIN, embedAt(env.urls.CVP_SITE_ISOLATED, { widget, ...params })), async (page) => {
      assert.equal(await page.evaluate(() => crossOriginIsolated), false, "the course page is not isolated");
      const frame = await embedFrame(page);
      assert.equal(await frame.evaluate(() => crossOriginIsolated), true, "Document-Isolation-Policy isolates the frame");
      const w = frame.locator(`section[data-widget=${widget}]`);
      await w.waitFor();
      if (widget === "fib" || widget === "fetch") {
        const data = await firstResult(page);
        assert.equal(data.strategy, "threads", "threads ran, not a fallback");
        const a = await attrs(w);
        assert.equal(a.isolated, "true");
        assert.ok(Number(a.poolThreads) >= 1, `a pool of threads: ${JSON.stringify(a)}`);
        assert.equal((await strategyOptions(w)).threads.disabled, false);
      } else if (widget === "startup") {
        const data = await firstResult(page, 120_000);
        assert.ok(data.points.every((p) => p.pooledMs > 0), `pooled threads measured at every N: ${JSON.stringify(data.points)}`);
      } else if (widget === "pipeline") {
        const data = await firstResult(page);
        assert.equal(data.items, 10);
        assert.ok(data.wallMs > 0);
      } else if (widget === "race") {
        // Only real threads race: the run itself is the proof that they ran.
        const data = await firstResult(page);
        assert.deepEqual(data.runs.map((r) => r.method), ["racy", "atomic", "lock"]);
        assert.ok(data.runs.every((r) => r.total === 200000 && r.count <= r.total), JSON.stringify(data.runs));
      } else {
        await w.locator(".cvp-player").first().waitFor();
      }
    });
  });
}

test("from a host without the header, a framed widget falls back and says why", limit(150), async () => {
  const src = embedAt(env.urls.CVP_SITE_PLAIN, { widget: "fib", ...KINDS.fib, "no-sw": "" });
  await withPage(env, framed(env.urls.CVP_PARENT_PLAIN, src), async (page) => {
    const frame = await embedFrame(page);
    assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
    const w = frame.locator("section[data-widget=fib]");
    const data = await firstResult(page);
    assert.notEqual(data.strategy, "threads", "threads cannot run: the widget ran another strategy");
    const note = (await w.locator("p.cvp-isolation").textContent()) ?? "";
    assert.match(note, /not cross-origin isolated/, note);
    assert.match(note, /in a frame of a page that is not cross-origin isolated/, note);
    assert.match(note, /Document-Isolation-Policy: isolate-and-require-corp/, "the reason names the header that would isolate it");
  });
  // The start-up experiment without shared memory: no pooled series, and it says so.
  const startup = embedAt(env.urls.CVP_SITE_PLAIN, { widget: "startup", ...KINDS.startup, "no-sw": "" });
  await withPage(env, framed(env.urls.CVP_PARENT_PLAIN, startup), async (page) => {
    const data = await firstResult(page, 120_000);
    assert.ok(data.points.every((p) => p.pooledMs === null), JSON.stringify(data.points));
  });
  // Animations need no threads: they play wherever they are.
  const anim = embedAt(env.urls.CVP_SITE_PLAIN, { widget: "anim", preset: "real-io", "no-sw": "" });
  await withPage(env, framed(env.urls.CVP_PARENT_PLAIN, anim), async (page) => {
    const frame = await embedFrame(page);
    await frame.locator("section[data-widget=anim] .cvp-player").waitFor();
  });
});

test("the full page is unchanged: isolated, with the new header beside the others, threads run", limit(), async () => {
  const response = await fetch(env.urls.CVP_SITE_ISOLATED);
  for (const [name, value] of [
    ["cross-origin-opener-policy", "same-origin"],
    ["cross-origin-embedder-policy", "require-corp"],
    ["document-isolation-policy", "isolate-and-require-corp"],
  ]) assert.equal(response.headers.get(name), value, name);
  assert.equal((await fetch(env.urls.CVP_SITE_PLAIN)).headers.get("document-isolation-policy"), null, "--no-isolation drops it too");
  await withPage(env, `${env.urls.CVP_SITE_ISOLATED}?no-sw`, async (page) => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const trace = await page.evaluate(async () => {
      await new Promise((ok) => { const t = setInterval(() => window.wasmBindings && (clearInterval(t), ok()), 50); });
      return window.wasmBindings.run_job({ workload: { kind: "fib", tasks: 4, n: 30 }, strategy: "threads", threads: 2, limit: null, switch_ms: 5 });
    });
    assert.equal(trace.tasks.length, 4);
    assert.ok(trace.lanes.filter((l) => l.segments.some((s) => s.task != null)).length >= 2, "the tasks ran on two threads");
  });
});

test("a service worker's Document-Isolation-Policy isolates a frame of the same site, not of another", limit(), async () => {
  // Same site (127.0.0.1, another port): the frame registers the worker, reloads once, and
  // the worker's header isolates it.
  await withPage(env, framed(sameSite, embedAt(env.urls.CVP_SITE_PLAIN, { widget: "anim", preset: "single-load" })), async (page) => {
    let isolated = false;
    for (let i = 0; i < 100 && !isolated; i++) {
      const frame = await embedFrame(page);
      isolated = await frame.evaluate(() => crossOriginIsolated).catch(() => false);
      if (!isolated) await page.waitForTimeout(200);
    }
    assert.equal(isolated, true, "the frame is isolated once the service worker controls it");
    assert.equal(await page.evaluate(() => crossOriginIsolated), false, "its parent is not");
  });
  // Another site (localhost): Chromium refuses the worker in the frame; no reload, no isolation.
  await withPage(env, framed(env.urls.CVP_PARENT_PLAIN, embedAt(env.urls.CVP_SITE_PLAIN, { widget: "anim", preset: "single-load" })), async (page) => {
    const frame = await embedFrame(page);
    await frame.locator("section[data-widget=anim] .cvp-player").waitFor();
    await page.waitForTimeout(1500);
    assert.equal(await (await embedFrame(page)).evaluate(() => crossOriginIsolated), false);
  });
});

test("the widget posts Canvas's lti.frameResize with the height of each cvp:resize", limit(), async () => {
  await withPage(env, framed(env.urls.CVP_PARENT_PLAIN, embedAt(env.urls.CVP_SITE_ISOLATED, { widget: "anim", preset: "compare-4x4" })), async (page) => {
    const frame = await embedFrame(page);
    await frame.locator("section[data-widget] .cvp-player").waitFor();
    await page.waitForFunction(() => window.received.some((m) => m.data?.subject === "lti.frameResize" && m.data.height > 300), null, { timeout: 15_000 });
    await page.waitForTimeout(500);
    const got = await page.evaluate(() => window.received.filter((m) => m.fromEmbed).map((m) => m.data));
    const ours = got.filter((d) => d.type === "cvp:resize").map((d) => d.height);
    const lti = got.filter((d) => d.subject === "lti.frameResize");
    assert.deepEqual(lti.map((d) => d.height), ours, "one lti.frameResize per cvp:resize, same heights");
    assert.ok(lti.every((d) => Object.keys(d).sort().join() === "height,subject"), JSON.stringify(lti));
    const height = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    assert.equal(lti.at(-1).height, height, "the last one is the document's height");
  });
});

// --- docs/EMBEDDING.md -------------------------------------------------------------------

/// Every `<!-- snippet: NAME -->` block of EMBEDDING.md: {name, lang, code}.
function docSnippets() {
  const doc = readFileSync(join(ROOT, "docs", "EMBEDDING.md"), "utf8");
  return [...doc.matchAll(/<!-- snippet: (\w+) -->\n```(\w+)\n([\s\S]*?)\n```/g)].map(([, name, lang, code]) => ({ name, lang, code }));
}

/// What IPython's IFrame writes for `code` (the Jupyter snippet), or null without IPython.
function ipythonHtml(code) {
  try {
    return execFileSync("python3", ["-c", `import sys\nexec(sys.stdin.read().replace("IFrame(", "_f = IFrame(", 1))\nprint(_f._repr_html_())`], { input: code, encoding: "utf8" });
  } catch {
    return null;
  }
}

const PASTE_PROBE = `<script>window.received = []; addEventListener("message", (e) => window.received.push({ fromEmbed: true, data: e.data }));</script>`;

test("every snippet of docs/EMBEDDING.md, pasted into a plain page, loads its widget", limit(240), async (t) => {
  const snippets = docSnippets();
  assert.deepEqual(snippets.map((s) => s.name), ["plain", "canvas", "moodle", "jupyter", "reveal", "markdown"]);
  const site = env.urls.CVP_SITE_ISOLATED;
  for (const { name, lang, code } of snippets) {
    let html = code.replaceAll("https://YOUR-HOST/", site);
    if (lang === "python") {
      html = ipythonHtml(html);
      if (html === null) {
        t.diagnostic("jupyter: IPython is not installed here, so its snippet was not rendered");
        continue;
      }
    } else if (lang === "markdown") {
      // mdBook and MkDocs copy raw HTML through as it is: the iframe is the page's.
      html = html.slice(html.indexOf("<iframe"), html.indexOf("</iframe>") + 9);
    }
    const page = html.startsWith("<!doctype") ? html.replace("<body>", `<body>${PASTE_PROBE}`) : `<!doctype html><meta charset="utf-8"><title>${name}</title>${PASTE_PROBE}${html}`;
    await withPage(env, plainPage(page), async (p) => {
      const frame = await embedFrame(p);
      await frame.locator("section[data-widget]").waitFor();
      assert.equal(await frame.evaluate(() => crossOriginIsolated), true, `${name}: the widget is isolated in Chromium`);
      await p.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:resize"), null, { timeout: 20_000 });
      const iframe = p.locator("iframe");
      assert.equal(await iframe.getAttribute("allow"), "cross-origin-isolated", name);
      assert.ok((await iframe.getAttribute("title"))?.length > 5, `${name}: a title`);
      if (name === "plain") {
        // Its script follows the widget's height, which changes as the widget gets ready.
        const fits = () => p.evaluate(() => {
          const last = window.received.filter((m) => m.data?.type === "cvp:resize").at(-1).data.height;
          return Number(document.querySelector("iframe").getAttribute("height")) === last ? last : null;
        });
        let fitted = null;
        for (let i = 0; i < 40 && fitted === null; i++) {
          await p.waitForTimeout(250);
          fitted = await fits();
        }
        assert.ok(fitted !== null, "the plain page's script fits the frame to the last height it was told");
      }
    });
  }
});

// --- teach.html ----------------------------------------------------------------------------

const teach = () => `${env.urls.CVP_SITE_ISOLATED}teach.html`;
const heightless = (code) => code.replace(/height="\d+"/, 'height="H"');

test("teach.html: a card per widget kind, with its form, preview, snippet and questions", limit(), async () => {
  await withPage(env, teach(), async (page) => {
    const cards = page.locator("section.teach-card");
    await cards.first().waitFor();
    assert.deepEqual(await cards.evaluateAll((cs) => cs.map((c) => c.dataset.teachWidget)), ["fib", "fetch", "anim", "sandbox", "startup", "pipeline", "race"]);
    for (const card of await cards.all()) {
      const key = await card.getAttribute("data-teach-widget");
      assert.ok((await card.locator(".cvp-form input, .cvp-form select").count()) >= 1, `${key}: controls`);
      const code = await card.locator(".cvp-embed-code").inputValue();
      assert.match(code, new RegExp(`embed\\.html\\?widget=${key}&amp;`), `${key}: ${code}`);
      const src = await card.locator("iframe.teach-preview").getAttribute("src");
      assert.equal(code.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&"), src, `${key}: the preview shows what the snippet embeds`);
      const n = await card.locator(".teach-questions > li").count();
      assert.ok(n >= 2 && n <= 3, `${key}: ${n} questions`);
      assert.equal(await card.locator(".teach-answer").count(), n, `${key}: an answer each`);
    }
    // The essay's fib snippet of EMBEDDING.md is what this page writes for those settings.
    const fib = page.locator("#teach-fib");
    for (const [name, value] of [["tasks", "8"], ["n", "30"]]) {
      await fib.locator(`input[name=${name}]`).fill(value);
      await fib.locator(`input[name=${name}]`).dispatchEvent("change");
    }
    const doc = readFileSync(join(ROOT, "docs", "EMBEDDING.md"), "utf8");
    const documented = doc.match(/## What every snippet carries\n\n```html\n([\s\S]*?)\n```/)[1].replace("https://YOUR-HOST/", env.urls.CVP_SITE_ISOLATED);
    await page.waitForFunction(() => document.querySelector("#teach-fib .cvp-embed-code").value.includes("tasks=8&amp;n=30"));
    assert.equal(heightless(await fib.locator(".cvp-embed-code").inputValue()), heightless(documented));
  });
});

test("teach.html: the form changes the snippet and preview, Copy copies it, and the pasted snippet runs", limit(180), async () => {
  let snippet = "";
  await withPage(env, teach(), async (page) => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(env.urls.CVP_SITE_ISOLATED).origin });
    const fib = page.locator("#teach-fib");
    await fib.locator("input[name=tasks]").fill("3");
    await fib.locator("input[name=tasks]").dispatchEvent("change");
    await fib.locator("input[name=n]").fill("21");
    await fib.locator("input[name=n]").dispatchEvent("change");
    await fib.locator("select[name=strategy]").selectOption("sync");
    await fib.locator("input[name=autorun]").check();
    const code = fib.locator(".cvp-embed-code");
    await page.waitForFunction(() => /strategy=sync.*tasks=3&amp;n=21.*autorun=1/.test(document.querySelector("#teach-fib .cvp-embed-code").value));
    snippet = await code.inputValue();
    const src = snippet.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
    assert.equal(await fib.locator("iframe.teach-preview").getAttribute("src"), src, "the preview follows");
    // A value out of range is clamped and said, as in the widget.
    await fib.locator("input[name=tasks]").fill("999");
    await fib.locator("input[name=tasks]").dispatchEvent("change");
    await fib.locator(".cvp-notices li").first().waitFor();
    assert.match(await code.inputValue(), /tasks=64/);
    await fib.locator("input[name=tasks]").fill("3");
    await fib.locator("input[name=tasks]").dispatchEvent("change");
    await page.waitForFunction(() => document.querySelector("#teach-fib .cvp-embed-code").value.includes("tasks=3"));
    // The height follows the preview, which may have reported it meanwhile.
    assert.equal(heightless(await code.inputValue()), heightless(snippet));
    // The preview reports its height: the frame and the snippet take it.
    await page.waitForFunction(() => document.querySelector("#teach-fib iframe").getAttribute("height") !== "720", null, { timeout: 20_000 });
    await fib.locator("[data-action=copy-embed]").click();
    await fib.locator(".cvp-share-status", { hasText: "copied" }).waitFor();
    snippet = await code.inputValue();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet, "Copy embed code copies the snippet");
    await fib.locator("[data-action=copy-link]").click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await fib.locator(".cvp-link").inputValue());
  });
  // Pasted into a plain page of another origin, it runs and posts its result.
  await withPage(env, plainPage(`<!doctype html><meta charset="utf-8"><title>pasted</title>${PASTE_PROBE}<h1>Week 3</h1>\n${snippet}`), async (page) => {
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === "cvp:result"), null, { timeout: 90_000 });
    const [data] = await results(page);
    assert.deepEqual([data.widget, data.strategy, data.tasks], ["fib", "sync", 3]);
  });
});

test("teach.html's worksheet prints alone, and the page fits a phone", limit(), async () => {
  await withPage(env, teach(), async (page) => {
    await page.locator("section.teach-card").first().waitFor();
    const urls = await page.locator(".ws-url").allTextContents();
    assert.ok(urls.length >= 5 && urls.every((u) => u.startsWith(env.urls.CVP_SITE_ISOLATED)), `absolute addresses on paper: ${urls}`);
    await page.emulateMedia({ media: "print" });
    const shown = await page.evaluate(() => [...document.querySelectorAll("main > *")].filter((e) => getComputedStyle(e).display !== "none").map((e) => e.id || e.className));
    assert.deepEqual(shown, ["worksheet"], "only the worksheet is printed");
    const steps = await page.locator(".ws-steps > li").count();
    assert.equal(steps, 5);
    const pdf = await page.pdf({ format: "A4" });
    const pagesInPdf = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    assert.ok(pagesInPdf >= 2 && pagesInPdf <= 5, `the worksheet prints on ${pagesInPdf} A4 pages`);
    await page.emulateMedia({ media: "screen" });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(300);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `no sideways scroll at 360 px: ${wide}`);
  });
});

test("lesson.zip, downloaded from teach.html and unzipped, runs from a sub-folder", limit(180), async () => {
  const folder = "/courses/week3/cvp/";
  const unzipped = join(scratch, "lesson");
  mkdirSync(unzipped);
  await withPage(env, teach(), async (page) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("[data-action=download-lesson]").click()]);
    const zip = join(scratch, "lesson.zip");
    await download.saveAs(zip);
    execFileSync("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, unzipped]);
  });
  const list = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? list(join(dir, f)) : [join(dir, f)]));
  const files = (dir) => list(dir).map((f) => relative(dir, f)).sort();
  // Not the precompressed copies (NAME.br, NAME.gz): a course platform serves the files as they are.
  const site = files(distDir()).filter((f) => f !== "lesson.zip" && !/\.(br|gz)$/.test(f));
  assert.deepEqual(files(unzipped), site, "the zip holds the whole site");
  const { startServer } = await import(join(ROOT, "scripts", "serve.mjs"));
  const server = await startServer({ dir: unzipped, port: 0, host: "127.0.0.1", isolation: true, prefix: folder });
  servers.push(server);
  const base = `http://127.0.0.1:${server.address().port}${folder}`;
  await withPage(env, `${base}?no-sw`, async (page) => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const fib = page.locator("#fib");
    await waitReady(fib, "fib from the unzipped lesson");
    assert.ok(Number((await attrs(fib)).poolThreads) >= 1);
    const outside = await page.evaluate((f) => performance.getEntriesByType("resource").map((e) => new URL(e.name)).filter((u) => u.origin === location.origin && !u.pathname.startsWith(f)).map((u) => u.pathname), folder);
    assert.deepEqual(outside, [], "nothing requested outside the folder");
  });
  await withPage(env, `${base}teach.html?no-sw`, async (page) => {
    await page.locator("section.teach-card").first().waitFor();
    const src = await page.locator("#teach-fib iframe.teach-preview").getAttribute("src");
    assert.ok(src.startsWith(`${base}embed.html?`), `the lesson's snippets point into its folder: ${src}`);
  });
});
