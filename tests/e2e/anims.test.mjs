// The animations: every preset and the sandbox draw at start, middle and end (screenshots
// kept in tests/artifacts/anims/ to look at), are driven by keyboard, play only in view,
// and respect reduced motion.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TESTS, canvasFingerprint, limit, mounted, setup, withPage } from "./helpers.mjs";

const env = setup();
const SHOTS = join(TESTS, "artifacts", "anims");

const PRESETS = [
  "single-load", "single-render", "sync-4x4", "threads-4x4", "async-4x4", "compare-4x4",
  "permits", "real-io", "real-cpu", "real-mixed", "big-16x16",
];

/// Moves a widget's player to `fraction` of its run through the scrub control.
async function scrubTo(widget, fraction) {
  await widget.locator("[data-action=scrub]").evaluate((el, f) => {
    el.value = String(Math.round(f * 1000));
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, fraction);
}

test("every animation draws its start, middle and end, and they differ", limit(180), async () => {
  mkdirSync(SHOTS, { recursive: true });
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const found = await page.locator("[data-widget=anim]").evaluateAll((els) => els.map((e) => e.dataset.preset));
    assert.deepEqual([...found].sort(), [...PRESETS].sort(), "the page shows every preset of the post");
    for (const key of [...PRESETS, "sandbox"]) {
      const widget = page.locator(key === "sandbox" ? "[data-widget=sandbox]" : `[data-widget=anim][data-preset="${key}"]`);
      await widget.scrollIntoViewIfNeeded();
      await widget.locator("[data-state=ready], .cvp-player").first().waitFor();
      const prints = [];
      for (const [label, f] of [["start", 0], ["middle", 0.4], ["end", 1]]) {
        await scrubTo(widget, f);
        // Every panel: one that has ended looks the same from then on (its cursor stops
        // at its end), while a longer one plays on.
        const panels = await widget.locator("canvas.cvp-canvas:not([hidden])").all();
        const each = await Promise.all(panels.map((c) => canvasFingerprint(c)));
        prints.push({ colours: Math.min(...each.map((p) => p.colours)), hash: each.map((p) => p.hash).join("/") });
        await widget.screenshot({ path: join(SHOTS, `${key}-${label}.png`) });
      }
      const [start, middle, end] = prints;
      assert.ok(start.colours > 1 && end.colours > 1, `${key}: the canvas is not blank`);
      assert.notEqual(start.hash, end.hash, `${key}: the end differs from the start`);
      assert.notEqual(middle.hash, end.hash, `${key}: the middle differs from the end`);
    }
  });
});

test("the two permits (Figure 9): each panel announced by its own title, 17 s against 20 s as the essay says", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const widget = page.locator('[data-widget=anim][data-preset="permits"]');
    await widget.scrollIntoViewIfNeeded();
    await widget.locator(".cvp-panels").focus();
    await page.keyboard.press("End");
    assert.equal(
      await widget.locator(".cvp-live").textContent(),
      "4 coroutines, a pixel each: 16 pixels in 17.0 s, CPU busy 94%. 4 permits, around each load: 16 pixels in 20.0 s, CPU busy 80%.",
    );
    const essay = await page.locator("p:has(> a[href='#permits'])").textContent();
    assert.match(essay, /sixteen renders, 17 s\./);
    assert.match(essay, /idle through a whole load: 20 s\./);
  });
});

test("the keyboard drives the player: space plays and pauses, End jumps to the end", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const widget = page.locator('[data-widget=anim][data-preset="compare-4x4"]');
    await widget.scrollIntoViewIfNeeded();
    const play = widget.locator("[data-action=play]");
    await widget.locator(".cvp-panels").focus();
    await page.keyboard.press("End");
    assert.equal(await widget.locator("[data-action=scrub]").inputValue(), "1000", "End shows the final frame");
    assert.match(
      await widget.locator(".cvp-live").textContent(),
      /^Synchronous: 16 pixels in .+%\. Threads: 16 pixels in .+%\. Coroutines: 16 pixels in .+%\.$/,
      "the outcome of every panel is announced, a sentence each",
    );
    await page.keyboard.press(" ");
    assert.equal(await play.getAttribute("aria-label"), "Pause", "space starts playing (from the start)");
    await page.keyboard.press(" ");
    assert.equal(await play.getAttribute("aria-label"), "Play", "space pauses");
    await page.keyboard.press("ArrowRight");
    const stepped = Number(await widget.locator("[data-action=scrub]").inputValue());
    assert.ok(stepped > 0 && stepped < 1000, `the right arrow steps to the next event (at ${stepped}/1000)`);
    // Every control can be reached with Tab and shows where focus is.
    await play.focus();
    const outline = await play.evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, "none", "the focused button shows a focus ring");
  });
});

test("a new random workload redraws the compared panels on other durations; fixed demos offer none", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const single = await mounted(page.locator('[data-widget=anim][data-preset="single-load"]'));
    await single.locator(".cvp-player").waitFor();
    assert.equal(await single.locator("[data-action=reseed]").count(), 0, "a 4 s pixel has no other workload to draw");

    const widget = page.locator('[data-widget=anim][data-preset="compare-4x4"]');
    await widget.scrollIntoViewIfNeeded();
    const total = async () => (await widget.locator(".cvp-time").textContent()).split("/")[1].trim();
    const before = await total();
    await widget.locator("[data-action=reseed]").click();
    assert.equal(await widget.locator("[data-action=play]").getAttribute("aria-label"), "Pause", "the new workload plays");
    // Sixteen fresh durations from a fresh seed: the synchronous sum changes (a tie is
    // vanishingly unlikely, so a second try settles it).
    let after = await total();
    if (after === before) {
      await widget.locator("[data-action=reseed]").click();
      after = await total();
    }
    assert.notEqual(after, before, `the run's length changes with the workload (${before} → ${after})`);
  });
});

test("animations play when scrolled into view and pause when scrolled away", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    const widget = page.locator('[data-widget=anim][data-preset="real-mixed"]');
    const play = widget.locator("[data-action=play]");
    // Far off screen it has not even mounted (it mounts within a screen of view).
    assert.equal(await play.count(), 0, "far off screen, it waits");
    await widget.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.querySelector("[data-action=play]")?.getAttribute("aria-label") === "Pause", await widget.elementHandle());
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction((el) => el.querySelector("[data-action=play]").getAttribute("aria-label") === "Play", await widget.elementHandle());
  });
});

test("with reduced motion nothing autoplays and the final frame shows", limit(), async () => {
  const context = await env.browser.newContext({ reducedMotion: "reduce", viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(env.urls.CVP_SITE_ISOLATED);
    const widget = page.locator('[data-widget=anim][data-preset="sync-4x4"]');
    await widget.scrollIntoViewIfNeeded();
    await widget.locator(".cvp-player").waitFor();
    await page.waitForTimeout(500);
    assert.equal(await widget.locator("[data-action=play]").getAttribute("aria-label"), "Play", "not playing");
    assert.equal(await widget.locator("[data-action=scrub]").inputValue(), "1000", "the final frame shows");
  } finally {
    await context.close();
  }
});

test("a phone-sized screen gets the same widgets without overflowing", limit(), async () => {
  const context = await env.browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    await page.goto(env.urls.CVP_SITE_ISOLATED);
    await mounted(page.locator('[data-widget=anim][data-preset="compare-4x4"]'));
    await page.locator("[data-widget=anim] .cvp-player").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone's screen`);
    const canvas = page.locator('[data-widget=anim][data-preset="compare-4x4"] canvas.cvp-canvas').first();
    const { width, cssWidth } = await canvas.evaluate((c) => ({ width: c.width, cssWidth: c.getBoundingClientRect().width }));
    assert.ok(Math.abs(width - 2 * cssWidth) <= 2, `the canvas is drawn at the screen's pixel density (${width} px for ${cssWidth} CSS px)`);
    await page.screenshot({ path: join(SHOTS, "phone.png"), fullPage: false });
  } finally {
    await context.close();
  }
});

test("every timeline has a text alternative: a sentence, and a table reachable by keyboard", limit(), async () => {
  await withPage(env, env.urls.CVP_SITE_ISOLATED, async (page) => {
    await mounted(page.locator("#compare-4x4"));
    const anim = page.locator("#compare-4x4[data-state=ready]");
    await anim.waitFor();
    const labels = await anim.locator("canvas.cvp-canvas:not([hidden])").evaluateAll((cs) => cs.map((c) => c.getAttribute("aria-label")));
    assert.equal(labels.length, 3);
    for (const label of labels) assert.match(label, /: 16 pixels in [\d.]+ m?s, CPU busy \d+%\.$/, `a sentence: ${label}`);
    // The tables open from the keyboard: focus the summary, press Enter.
    const summary = anim.locator(".cvp-alt summary");
    await summary.focus();
    await page.keyboard.press("Enter");
    const tables = anim.locator(".cvp-alt table");
    await tables.first().waitFor({ state: "visible" });
    assert.equal(await tables.count(), 3, "one table a panel");
    const captions = await tables.locator("caption").allTextContents();
    assert.deepEqual(captions, labels, "each table's caption is its canvas's sentence");
    const lanes = await tables.first().locator("tbody tr").count();
    assert.equal(lanes, 1, "the synchronous panel has one lane");
    const header = await tables.first().locator("thead th").allTextContents();
    assert.deepEqual(header, ["lane", "tasks", "computing", "waiting (I/O)", "other"]);
  });
});
