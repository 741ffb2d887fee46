// Trunk's post-build hook (Trunk.toml), run on the staged dist/ before it replaces the old:
// 1. replaces the module script Trunk writes inline into index.html (it imports the
//    wasm-bindgen glue and starts the wasm) with a file of its own, start.js, so that the
//    Content-Security-Policy can forbid every inline script; and makes it wait for the
//    page's first paint: the essay needs none of the wasm, and on a phone on a slow network
//    (or a host that sends the wasm uncompressed) its download and start held the first
//    paint back by seconds (issue 21);
// 2. for the same reason takes out of the page's head the links Trunk adds to fetch the
//    glue, its snippets and the wasm early (modulepreload, preload): start.js adds the
//    module ones, with their integrity hashes, once the page has painted, and the glue
//    fetches the wasm;
// 3. drops the wasm's name section (function names for debuggers: a quarter of the file).
//    Stripping in the compiler instead also drops the target_features section
//    wasm-bindgen reads;
// 4. minifies every script with terser (scripts/package.json pins it): Trunk's own
//    minifier (minify-js) cannot parse the `export { initSync, __wbg_init as default }`
//    that ends wasm-bindgen's glue (it wants a name after `as` and finds the keyword
//    `default`: "Failed to minify JS: RequiredTokenNotFound(Identifier)"), so Trunk ships
//    the glue as it is, and it never minifies the files it only copies. start.js is written
//    after, with the integrity hashes of the minified modules, and the pages' hashes are
//    recomputed;
// 5. packs the finished site into lesson.zip, beside it: the whole site as one file for a
//    course platform, offered on teach.html (docs/DEPLOY.md);
// 6. writes a brotli (quality 11, the highest) and a gzip (level 9) copy beside every text
//    and wasm file, NAME.br and NAME.gz, for the hosts that serve them as they find them
//    (docs/DEPLOY.md) and for scripts/serve.mjs: hosts that compress as they send use a
//    lower level, and some send the wasm uncompressed. lesson.zip leaves them out.
// Fails the build, rather than ship a page that would not start, if Trunk's output no
// longer looks as expected.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";
import { precompress } from "./compress.mjs";
import { zipFolder } from "./zip.mjs";

const fail = (why) => {
  console.error(`finish-dist: ${why}`);
  process.exit(1);
};
const dir = process.env.TRUNK_STAGING_DIR ?? fail("TRUNK_STAGING_DIR is not set (this runs as Trunk's post_build hook)");
const page = join(dir, "index.html");
let html = readFileSync(page, "utf8");

// Trunk's minifier drops the attribute's quotes.
const inline = [...html.matchAll(/<script type="?module"?>([\s\S]*?)<\/script>/g)];
if (inline.length !== 1 || !inline[0][1].includes("./cvp-web.js")) {
  fail(`expected one inline module script importing ./cvp-web.js in index.html, found ${inline.length}`);
}
const [whole, body] = inline[0];
if (!/import init, \* as bindings from '\.\/cvp-web\.js';/.test(body) || !body.includes("module_or_path: './cvp-web_bg.wasm'")) {
  fail(`Trunk's start script no longer looks as expected:\n${body}`);
}

/// A tag's attributes (Trunk's minifier drops the quotes where it can).
const attributes = (tag) =>
  Object.fromEntries([...tag.matchAll(/\s([\w-]+)(?:=("[^"]*"|[^\s>]+))?/g)].map(([, k, v]) => [k, v?.replace(/^"|"$/g, "") ?? ""]));
const links = [...html.matchAll(/<link [^>]*>/g)].map(([tag]) => ({ tag, ...attributes(tag) }));
const modules = links.filter((l) => l.rel === "modulepreload");
if (!modules.some((l) => l.href === "./cvp-web.js") || modules.some((l) => !l.integrity)) {
  fail(`expected modulepreload links with integrity, the glue's among them: ${modules.map((l) => l.tag).join(" ")}`);
}
const wasmPreload = links.find((l) => l.rel === "preload" && l.href === "./cvp-web_bg.wasm") ?? fail("index.html has no preload link for cvp-web_bg.wasm");
for (const { tag } of [...modules, wasmPreload]) html = html.replace(tag, "");

// The scripts, minified. sw.js and theme.js are classic scripts (their top-level names are
// globals, kept); every other is a module.
const CLASSIC = new Set(["sw.js", "theme.js"]);
const scripts = readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith(".js"));
let [jsBefore, jsAfter] = [0, 0];
for (const name of scripts) {
  const path = join(dir, name);
  const source = readFileSync(path, "utf8");
  const module = !CLASSIC.has(name);
  const result = await minify(source, { module, ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } }).catch((err) =>
    fail(`terser could not minify ${name}: ${err.message}`),
  );
  writeFileSync(path, result.code);
  [jsBefore, jsAfter] = [jsBefore + source.length, jsAfter + result.code.length];
}
// The modules start.js preloads, with the hashes of their minified text.
const preloads = modules.map((l) => [l.href, `sha384-${createHash("sha384").update(readFileSync(join(dir, l.href.replace(/^\.\//, "")))).digest("base64")}`]);

const start = `// Written by scripts/finish-dist.mjs: starts the wasm once the page's first contentful
// paint has reached the screen, so that neither the module's download nor its start holds
// it back: at the paint's report, or 100 ms after the second frame began, whichever comes
// first, as a paint can go unreported (Firefox ESR 153 reported none on 4 of 6 pages the
// service worker had reloaded to isolate them, yet drew their frames). Not at the second
// frame itself: frames overlap, and Chromium began one 0.3 ms before it reported the first
// on the screen. In a hidden tab, which paints nothing, at once; and three seconds into
// the visit whatever happened.
await new Promise((painted) => {
  if (document.visibilityState === "hidden") return painted();
  setTimeout(painted, Math.max(0, 3000 - performance.now()));
  document.addEventListener("visibilitychange", painted, { once: true });
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(painted, 100)));
  if (!PerformanceObserver.supportedEntryTypes?.includes("paint")) return;
  new PerformanceObserver((entries, observer) => {
    if (entries.getEntriesByName("first-contentful-paint").length) {
      observer.disconnect();
      painted();
    }
  }).observe({ type: "paint", buffered: true });
});
// register-sw.js, a module after this one, says whether it is about to reload the page to
// isolate it: then the wasm is left for the page that replaces this one.
if (document.readyState === "loading") await new Promise((parsed) => document.addEventListener("DOMContentLoaded", parsed, { once: true }));
if (await window.cvpIsolating) await new Promise(() => {});
for (const [href, integrity] of ${JSON.stringify(preloads)}) {
  document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href, integrity, crossOrigin: "anonymous" }));
}
const bindings = await import("./cvp-web.js");
const wasm = await bindings.default({ module_or_path: "./cvp-web_bg.wasm" });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
`;
writeFileSync(join(dir, "start.js"), start);
const startHash = `sha384-${createHash("sha384").update(start).digest("base64")}`;
html = html.replace(whole, `<script type="module" src="./start.js" integrity="${startHash}"></script>`);

/// The module without its custom section called "name".
function withoutNames(wasm) {
  const leb = (at) => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return [value, at];
    }
  };
  const kept = [wasm.subarray(0, 8)];
  for (let at = 8; at < wasm.length; ) {
    const start = at;
    const id = wasm[at];
    const [size, content] = leb(at + 1);
    at = content + size;
    if (id === 0) {
      const [length, name] = leb(content);
      if (wasm.subarray(name, name + length).toString() === "name") continue;
    }
    kept.push(wasm.subarray(start, at));
  }
  return Buffer.concat(kept);
}

const wasmPath = join(dir, "cvp-web_bg.wasm");
const before = readFileSync(wasmPath);
const after = withoutNames(before);
writeFileSync(wasmPath, after);
writeFileSync(page, html);
console.error(`finish-dist: start.js written, ${modules.length} modulepreloads and the wasm preload moved into it; wasm ${before.length} -> ${after.length} bytes without its names`);

// The pages' integrity hashes, for the files as they now are.
for (const name of readdirSync(dir).filter((f) => f.endsWith(".html"))) {
  const path = join(dir, name);
  const text = readFileSync(path, "utf8").replace(/<link [^>]*>/g, (tag) => {
    const href = /href="?\.\/([^" >]+)/.exec(tag)?.[1];
    if (!href || !/ integrity=/.test(tag)) return tag;
    const digest = createHash("sha384").update(readFileSync(join(dir, href))).digest("base64");
    return tag.replace(/ integrity="?[^" >]+"?/, ` integrity="sha384-${digest}"`);
  });
  writeFileSync(path, text);
}
console.error(
  `finish-dist: ${scripts.length} scripts minified, ${jsBefore} -> ${jsAfter} bytes (with terser: Trunk's "Failed to minify JS" warning above is its own minifier giving up on the glue, as expected)`,
);

const LESSON = "lesson.zip";
const zip = zipFolder(dir, { skip: [LESSON] });
writeFileSync(join(dir, LESSON), zip);
console.error(`finish-dist: ${LESSON} written, ${zip.length} bytes`);

// Last: every file is final now.
const files = readdirSync(dir, { recursive: true }).map(String);
let raw = 0;
let br = 0;
let gz = 0;
for (const name of files) {
  const sizes = precompress(join(dir, name));
  if (!sizes) continue;
  [raw, br, gz] = [raw + sizes.raw, br + sizes.br, gz + sizes.gz];
}
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
console.error(`finish-dist: .br and .gz beside each text and wasm file: ${kb(raw)} raw, ${kb(br)} brotli, ${kb(gz)} gzip`);
