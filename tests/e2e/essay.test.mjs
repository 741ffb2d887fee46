// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// The essay as a long-form page: it fits a phone's width in both themes, every internal link
// and glossary anchor resolves, every glossary term is linked from the prose, the contents
// list every section, every widget is a numbered figure, the hooks the widgets fill are in
// place, and print keeps the essay (and the canvases) while dropping the controls.
//
// What the hooks do once filled (the prediction's reveal, the reader's numbers) is tested
// with the widgets; here only that they exist where the prose expects them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SMALL_FIB, clickAndFinish, limit, mounted, setup, waitReady, withPage } from "./helpers.mjs";

const env = setup();

const STRATEGY_KEYS = ["sync", "async", "threads", "gil", "processes"];
const GLOSSARY = [
  "concurrency", "parallelism", "thread", "process", "coroutine", "future", "event-loop", "gil",
  "pool", "semaphore", "io-bound", "cpu-bound", "speedup", "amdahl", "cross-origin-isolation",
];
const WIDGET_IDS = [
  "fib", "fetch", "single-load", "single-render", "sync-4x4", "threads-4x4", "async-4x4", "compare-4x4",
  "permits", "real-io", "real-cpu", "real-mixed", "big-16x16", "race", "startup", "pipeline", "sandbox",
];
const H2_IDS = ["experiment", "pixels", "real-world", "which", "python", "start-up", "structure", "your-own", "embed", "browser"];

/// Opens the page at `width` in `scheme` (`query`: the page's address after the `?`), waits
/// for the widgets to mount and returns {page, context} (closed by the caller).
async function openAt(width, scheme, query = "") {
  const context = await env.browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
  const page = await context.newPage();
  await page.goto(`${env.urls.CVP_SITE_ISOLATED}${query ? `?${query}` : ""}`, { waitUntil: "load" });
  // Scroll through once, as a reader would, so that every widget mounts (each as it comes
  // near the screen) and lays out what it shows.
  for (const w of await page.locator("[data-widget]").all()) await mounted(w);
  await page.locator("[data-widget=anim] .cvp-player").first().waitFor();
  await page.evaluate(() => scrollTo(0, 0));
  return { page, context };
}

for (const scheme of ["light", "dark"]) {
  test(`at 360 px (${scheme}), nothing scrolls sideways but tables in their own frame`, limit(), async () => {
    const { page, context } = await openAt(360, scheme);
    try {
      const m = await page.evaluate(() => {
        const inScrollFrame = (el) => {
          for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowX)) return true;
          }
          return false;
        };
        const wide = [];
        for (const el of document.querySelectorAll("body *")) {
          const r = el.getBoundingClientRect();
          if (r.width && r.right > innerWidth + 0.5 && !inScrollFrame(el)) wide.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)} px)`);
        }
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide: wide.slice(0, 10), theme: document.documentElement.dataset.theme };
      });
      assert.equal(m.theme, scheme, "the page follows the system's colour scheme");
      assert.ok(m.scrollWidth <= 360, `the page is ${m.scrollWidth} px wide at 360 px; too wide: ${m.wide.join(", ")}`);
      assert.deepEqual(m.wide, [], "elements reaching past the screen's edge outside a scroll frame");
    } finally {
      await context.close();
    }
  });
}

test("at 360 px, a finished run's results still fit: its table scrolls in its own frame", limit(), async () => {
  const url = `${env.urls.CVP_SITE_ISOLATED}?fib.tasks=${SMALL_FIB.tasks}&fib.n=${SMALL_FIB.n}`;
  await withPage(env, url, async (page) => {
    await page.setViewportSize({ width: 360, height: 800 });
    const fib = page.locator("#fib");
    await waitReady(fib, "fib");
    await clickAndFinish(fib, "run-all", { what: "run every strategy at 360 px" });
    const m = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      rows: document.querySelectorAll("#fib table.cvp-results tbody tr").length,
      table: Math.round(document.querySelector("#fib table.cvp-results").getBoundingClientRect().right),
    }));
    assert.ok(m.rows >= 3, `the run filled the table (${m.rows} rows)`);
    assert.ok(m.scrollWidth <= 360, `after a run the page is ${m.scrollWidth} px wide at 360 px`);
    assert.ok(m.table <= 360, `the results table ends at ${m.table} px`);
  });
});

test("every internal link resolves, and every glossary term is linked from the prose", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const r = await page.evaluate(() => {
      const ids = new Set([...document.querySelectorAll("[id]")].map((e) => e.id));
      const internal = [...document.querySelectorAll("a[href]")]
        .map((a) => a.getAttribute("href"))
        .filter((h) => h.startsWith("#"));
      const glossary = document.querySelector("dl.glossary");
      const terms = [...glossary.querySelectorAll("dt[id]")].map((dt) => dt.id);
      const linked = (id) =>
        [...document.querySelectorAll(`a[href="#${id}"]`)].some((a) => !glossary.contains(a) && !a.closest("nav"));
      return {
        internal: internal.length,
        broken: internal.filter((h) => h.length < 2 || !ids.has(decodeURIComponent(h.slice(1)))),
        terms,
        unlinked: terms.filter((id) => !linked(id)),
      };
    });
    assert.ok(r.internal >= 30, `the essay links within itself (${r.internal} links)`);
    assert.deepEqual(r.broken, [], "internal links without a target");
    for (const t of GLOSSARY) assert.ok(r.terms.includes(`gl-${t}`), `glossary term gl-${t} (have: ${r.terms.join(", ")})`);
    assert.deepEqual(r.unlinked, [], "glossary terms never linked from the prose");
  });
});

test("the contents list every section, and every widget is a numbered figure", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const r = await page.evaluate(() => {
      const toc = [...document.querySelectorAll("nav.toc a[href^='#']")].map((a) => a.getAttribute("href").slice(1));
      const h2 = [...document.querySelectorAll("main h2")].map((h) => h.id);
      const figures = [...document.querySelectorAll("main [data-widget]")].map((w) => {
        const fig = w.closest("figure");
        return { id: w.id, caption: fig?.querySelector(":scope > figcaption")?.textContent.trim() ?? null };
      });
      return { toc, h2, figures };
    });
    assert.ok(!r.h2.includes(""), "every h2 has an id");
    for (const id of r.h2) assert.ok(r.toc.includes(id), `the contents link to #${id}`);
    for (const id of r.toc) assert.ok(r.h2.includes(id), `the contents link #${id} is a section heading`);
    assert.deepEqual(r.toc, r.h2, "the contents follow the sections' order");
    for (const id of H2_IDS) {
      assert.ok(r.h2.includes(id), `section #${id} is kept (links point at it)`);
    }
    r.figures.forEach((f, i) => {
      assert.ok(f.caption, `widget #${f.id} sits in a figure with a caption`);
      assert.match(f.caption, new RegExp(`^Figure ${i + 1}\\. \\S`), `widget #${f.id} is Figure ${i + 1}`);
    });
  });
});

test("the widgets' sections and the hooks the runs fill are in place", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const r = await page.evaluate(() => {
      const after = (a, b) => Boolean(a && b && a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      const out = { widgets: {}, hooks: {} };
      for (const w of document.querySelectorAll("[data-widget]")) out.widgets[w.id] = { widget: w.dataset.widget, preset: w.dataset.preset ?? null, tag: w.tagName };
      for (const key of ["fib", "fetch"]) {
        const form = document.querySelector(`form.predict[data-predict="${key}"]`);
        const widget = document.getElementById(key);
        const reveal = document.querySelector(`p.predict-reveal[data-reveal="${key}"]`);
        const yours = document.querySelector(`p.yours[data-yours="${key}"]`);
        out.hooks[key] = {
          legend: form?.querySelector("legend")?.textContent.trim() ?? null,
          radios: form ? [...form.querySelectorAll(`input[type=radio][name="predict-${key}"]`)].map((i) => [i.value, i.closest("label")?.textContent.trim()]) : [],
          formBeforeWidget: after(form, document.getElementById("fib")),
          revealAfterWidget: after(widget, reveal),
          revealLive: reveal?.getAttribute("aria-live") ?? null,
          yoursAfterWidget: after(widget, yours),
          yoursText: yours?.textContent.trim() ?? null,
        };
      }
      return out;
    });
    assert.deepEqual(Object.keys(r.widgets), WIDGET_IDS, "every widget, in the essay's order");
    for (const [id, w] of Object.entries(r.widgets)) {
      const expected = ["fib", "fetch", "race", "startup", "pipeline", "sandbox"].includes(id) ? [id, null] : ["anim", id];
      assert.deepEqual([w.widget, w.preset, w.tag], [...expected, "SECTION"], `#${id} keeps its element and attributes`);
    }
    for (const key of ["fib", "fetch"]) {
      const h = r.hooks[key];
      assert.match(h.legend ?? "", /which strategy will finish first/i, `${key}: the prediction asks the question`);
      assert.deepEqual(h.radios.map(([v]) => v), STRATEGY_KEYS, `${key}: one choice per strategy`);
      assert.deepEqual(h.radios.map(([, l]) => l), ["Synchronous", "Coroutines", "Threads", "Threads + global lock", "Processes"], `${key}: human labels`);
      assert.ok(h.formBeforeWidget, `${key}: the prediction comes before the first experiment`);
      assert.ok(h.revealAfterWidget, `${key}: the reveal follows its widget`);
      assert.equal(h.revealLive, "polite", `${key}: the reveal is announced`);
      assert.ok(h.yoursAfterWidget && h.yoursText, `${key}: the reader's numbers follow the widget, with neutral text before a run`);
    }
  });
});

test("the page's source has no inline script, handler or style (a strict CSP is coming)", () => {
  const html = readFileSync(join(ROOT, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script\b([^>]*)>/gi)].map((m) => m[1]);
  assert.deepEqual(scripts.filter((attrs) => !/\bsrc=/.test(attrs)), [], "every <script> has a src");
  assert.deepEqual(html.match(/\son[a-z]+\s*=/gi) ?? [], [], "no inline event handlers");
  assert.deepEqual(html.match(/\sstyle\s*=/gi) ?? [], [], "no style attributes");
  assert.deepEqual(html.match(/<(link|img|script)\b[^>]*\b(href|src)="https?:/gi) ?? [], [], "no external resources");
});

test("print keeps the essay, the figures' canvases and captions, on white, without controls", limit(), async () => {
  const { page, context } = await openAt(900, "dark");
  try {
    await page.emulateMedia({ media: "print" });
    const r = await page.evaluate(() => {
      const shown = (el) => {
        if (!el) return false;
        const s = getComputedStyle(el);
        const b = el.getBoundingClientRect();
        return s.display !== "none" && s.visibility !== "hidden" && b.width > 0 && b.height > 0;
      };
      const all = (sel) => [...document.querySelectorAll(sel)];
      return {
        background: getComputedStyle(document.body).backgroundColor,
        colour: getComputedStyle(document.body).color,
        h2: all("main h2").filter(shown).length,
        h2Total: all("main h2").length,
        paragraphs: all("main > p").filter(shown).length,
        paragraphsTotal: all("main > p:not(:empty)").length,
        captions: all("figcaption").filter(shown).length,
        figures: all("figure").length,
        animCanvases: all("[data-widget=anim] canvas.cvp-canvas").filter(shown).length,
        buttons: all("main button").filter(shown).length,
        forms: all("form.predict, .cvp-form, .cvp-controls").filter(shown).length,
        toc: shown(document.querySelector("nav.toc")),
      };
    });
    assert.equal(r.background, "rgb(255, 255, 255)", "white paper, even on a dark system");
    assert.equal(r.colour, "rgb(0, 0, 0)", "black text");
    assert.equal(r.h2, r.h2Total, "every section heading prints");
    assert.ok(r.paragraphs >= r.paragraphsTotal - 2 && r.paragraphs > 40, `the essay's paragraphs print (${r.paragraphs} of ${r.paragraphsTotal})`);
    assert.equal(r.captions, r.figures, "every figure's caption prints");
    assert.ok(r.animCanvases >= 10, `the animations print their current frame (${r.animCanvases} canvases)`);
    assert.equal(r.buttons, 0, "no buttons on paper");
    assert.equal(r.forms, 0, "no forms or player controls on paper");
    assert.equal(r.toc, false, "no clickable contents on paper");
    const pdf = await page.pdf({ format: "A4" });
    assert.ok(pdf.length > 50_000, `a PDF of the essay (${pdf.length} bytes)`);
  } finally {
    await context.close();
  }
});

test("the whole page works by keyboard: Tab reaches every control, each shows its focus", limit(180), async () => {
  const { page, context } = await openAt(1200, "light");
  try {
    await waitReady(page.locator("#fib"), "fib");
    // Everything a mouse can use: links, buttons, fields, the predictions, the tables'
    // summaries. Hidden ones (a widget's unused panels, print-only bits) do not count.
    const wanted = await page.evaluate(() => {
      const all = [...document.querySelectorAll("a[href], button, input, select, summary, [tabindex]:not([tabindex='-1'])")];
      // The answer of a closed <details> is not shown (Chromium still gives it boxes).
      const shut = (e) => e.closest("details:not([open]) > :not(summary)");
      const visible = all.filter((e) => e.getClientRects().length > 0 && !e.disabled && !e.closest("[hidden], [inert]") && !shut(e));
      visible.forEach((e, i) => (e.dataset.kbd = String(i)));
      return visible.length;
    });
    const reached = new Set();
    const unfocused = [];
    await page.evaluate(() => document.activeElement?.blur());
    for (let i = 0; i < wanted + 40; i++) {
      await page.keyboard.press("Tab");
      const at = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const s = getComputedStyle(e);
        const shown = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
        return { id: e.dataset.kbd ?? null, shown, what: `${e.tagName.toLowerCase()} ${e.getAttribute("data-action") ?? e.getAttribute("name") ?? e.textContent.trim().slice(0, 30)}` };
      });
      if (!at) continue;
      if (at.id !== null) reached.add(at.id);
      if (!at.shown) unfocused.push(at.what);
    }
    // Radios of a group share one Tab stop (arrows move within it): a group counts as
    // reached when one of its radios was.
    const missed = await page.evaluate((reached) => {
      const got = new Set(reached);
      const els = [...document.querySelectorAll("[data-kbd]")];
      const groups = new Set(els.filter((e) => e.type === "radio" && got.has(e.dataset.kbd)).map((e) => e.name));
      return els
        .filter((e) => !got.has(e.dataset.kbd) && !(e.type === "radio" && groups.has(e.name)))
        .map((e) => `${e.tagName.toLowerCase()} ${e.getAttribute("data-action") ?? e.getAttribute("name") ?? e.textContent.trim().slice(0, 30)}`);
    }, [...reached]);
    console.log(`  Tab reached ${reached.size} of ${wanted} controls (radio groups take one stop each)`);
    assert.deepEqual(missed, [], `controls Tab never reached (of ${wanted})`);
    assert.deepEqual([...new Set(unfocused)], [], "every control shows where the focus is");
  } finally {
    await context.close();
  }
});
