// Trunk's post-build hook (Trunk.toml), run on the staged dist/ before it replaces the old:
// 1. moves the module script Trunk writes inline into index.html (it imports the
//    wasm-bindgen glue and starts the wasm) into its own file, start.js, so that the
//    Content-Security-Policy can forbid every inline script;
// 2. drops the wasm's name section (function names for debuggers: a quarter of the file).
//    Stripping in the compiler instead also drops the target_features section
//    wasm-bindgen reads;
// 3. takes the integrity hash off the wasm's preload link: browsers ignore integrity on a
//    fetch preload (Chromium says so in the console on every visit), and one that honoured
//    it would not hand the preload to wasm-bindgen's own fetch, which has none, and would
//    download the wasm twice. The scripts and the stylesheet keep theirs;
// 4. minifies every script with terser (scripts/package.json pins it): Trunk's own
//    minifier (minify-js) cannot parse the `export { initSync, __wbg_init as default }`
//    that ends wasm-bindgen's glue (it wants a name after `as` and finds the keyword
//    `default`: "Failed to minify JS: RequiredTokenNotFound(Identifier)"), so Trunk ships
//    the glue as it is, and it never minifies the files it only copies. The integrity
//    hashes the pages give the scripts are recomputed;
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
writeFileSync(join(dir, "start.js"), `// Written by scripts/finish-dist.mjs from Trunk's inline start script.\n${body.trim()}\n`);
html = html.replace(whole, '<script type="module" src="./start.js"></script>');

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
const hash = `sha384-${createHash("sha384").update(before).digest("base64")}`;
const preload = html.match(/<link [^>]*cvp-web_bg\.wasm[^>]*>/)?.[0] ?? fail("index.html has no preload link for cvp-web_bg.wasm");
if (!preload.includes(hash)) fail("the wasm's preload link does not carry the integrity hash of the wasm Trunk built");
html = html.replace(preload, preload.replace(/ integrity="?[^" >]+"?/, ""));
writeFileSync(page, html);
console.error(`finish-dist: start.js written; wasm ${before.length} -> ${after.length} bytes without its names`);

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
console.error(`finish-dist: ${scripts.length} scripts minified, ${jsBefore} -> ${jsAfter} bytes`);

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
