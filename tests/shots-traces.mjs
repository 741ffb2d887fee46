// Scratch: screenshots of traces.html with the sample loaded (not a test).
import { chromium } from "playwright-core";
import { join } from "node:path";
const { startServer } = await import(join(process.cwd(), "..", "scripts", "serve.mjs"));
const server = await startServer({ dir: join(process.cwd(), "..", "dist"), port: 9417, host: "127.0.0.1", isolation: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
for (const [w, scheme] of [[1280, "light"], [1280, "dark"], [360, "light"], [360, "dark"]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 900 }, colorScheme: scheme });
  const page = await ctx.newPage();
  await page.goto("http://127.0.0.1:9417/traces.html");
  await page.locator("[data-action=sample]").click();
  await page.locator("[data-traces][data-state=loaded]").waitFor();
  await page.waitForTimeout(300);
  await page.locator("[data-traces]").screenshot({ path: `/tmp/traces-${w}-${scheme}.png` });
  await page.screenshot({ path: `/tmp/traces-page-${w}-${scheme}.png`, fullPage: true });
  await ctx.close();
}
await browser.close();
server.close();
