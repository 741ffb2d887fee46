import { chromium } from "playwright-core";
const [url, out, width, scheme, sel, run] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const p = await b.newPage({ viewport: { width: Number(width), height: 900 }, colorScheme: scheme });
await p.goto(url);
const el = p.locator(sel).first();
await el.scrollIntoViewIfNeeded();
if (run) {
  await p.locator("#fib[data-state=ready]").waitFor({ timeout: 60000 });
  await p.locator("input[name=speedup-fib]").fill("1.8");
  await p.locator("select[name=why-fib]").selectOption("cores");
  await p.locator("#fib input[name=tasks]").fill("8");
  await p.locator("#fib input[name=n]").fill("30");
  await p.locator("#fib input[name=n]").press("Tab");
  await p.waitForTimeout(300);
  if (run === "run") {
    await p.locator("#fib [data-action=run-all]").click();
    await p.locator("#fib[data-state=done]").waitFor({ timeout: 90000 });
  }
}
await el.screenshot({ path: out });
await b.close();
