// Fails if a code panel of the page differs from the source it shows. Run by scripts/test;
// alone: node tests/lint/code-panels.mjs (or --write, to copy the sources into the page).
//
// A panel is `<code data-source="path#name">…</code>` in index.html. Its text, with the
// HTML entities undone, must equal the region of `path` between `// code-panel: name` (or
// `# code-panel: name`) and the next `code-panel-end`, without the marker lines and with
// the region's common indentation removed. Every panel must name a region that exists, and
// every region in crates/*/src and scripts/ must be shown by a panel.
//
// The Python shown is also checked as Python: each file with a region compiles
// (py_compile), and scripts/thousand-requests.py, which needs aiohttp and the network,
// runs against a stand-in for aiohttp (tests/lint/thousand-requests.py).

import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PAGE = join(ROOT, "index.html");
const WRITE = process.argv.includes("--write");
const START = /^\s*(?:\/\/|#) code-panel: ([a-z0-9-]+)\s*$/;
const END = /^\s*(?:\/\/|#) code-panel-end\s*$/;
const MARKER = /code-panel/;
const PANEL = /(<code\b[^>]*\bdata-source="([^"#]+)#([a-z0-9-]+)"[^>]*>)([\s\S]*?)(<\/code>)/g;

const errors = [];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "target" || name === "node_modules" ? [] : walk(p);
    return /\.(rs|py)$/.test(name) ? [p] : [];
  });
}

/// The regions of one file: name -> text.
function regions(file) {
  const found = new Map();
  const rel = relative(ROOT, file);
  let open = null;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const start = line.match(START);
      if (start) {
        if (open) errors.push(`${rel}:${i + 1}: region "${start[1]}" starts inside "${open.name}"`);
        if (found.has(start[1])) errors.push(`${rel}:${i + 1}: region "${start[1]}" marked twice`);
        open = { name: start[1], from: i + 1, lines: [] };
      } else if (END.test(line)) {
        if (!open) errors.push(`${rel}:${i + 1}: code-panel-end without a region`);
        else found.set(open.name, dedent(open.lines));
        open = null;
      } else if (MARKER.test(line) && /^\s*(\/\/|#)/.test(line)) {
        errors.push(`${rel}:${i + 1}: a marker this lint does not read: ${line.trim()}`);
      } else if (open) {
        open.lines.push(line);
      }
    });
  if (open) errors.push(`${rel}:${open.from}: region "${open.name}" never ends (no code-panel-end)`);
  return found;
}

function dedent(lines) {
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length);
  const cut = Math.min(...indents, Infinity);
  return lines.map((l) => l.slice(Number.isFinite(cut) ? cut : 0).trimEnd()).join("\n");
}

const unescape = (s) =>
  s
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
const escape = (s) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

// Every region of the sources, by "path#name".
const sources = new Map();
for (const dir of ["crates", "scripts"]) {
  for (const file of walk(join(ROOT, dir))) {
    if (dir === "crates" && !relative(ROOT, file).includes("/src/")) continue;
    for (const [name, text] of regions(file)) sources.set(`${relative(ROOT, file)}#${name}`, text);
  }
}

const page = readFileSync(PAGE, "utf8");
const used = new Set();
let panels = 0;
const written = page.replace(PANEL, (all, open, path, name, body, close) => {
  panels += 1;
  const key = `${path}#${name}`;
  used.add(key);
  const want = sources.get(key);
  if (want === undefined) {
    errors.push(`index.html: panel ${key} names no region (no "code-panel: ${name}" in ${path})`);
    return all;
  }
  if (WRITE) return open + escape(want) + close;
  if (/</.test(body)) errors.push(`index.html: panel ${key} holds markup; it must be the escaped source alone`);
  const have = unescape(body);
  if (have !== want) {
    const a = have.split("\n");
    const b = want.split("\n");
    const i = a.findIndex((line, k) => line !== b[k]);
    const at = i < 0 ? Math.min(a.length, b.length) : i;
    errors.push(
      `index.html: panel ${key} differs from its source at its line ${at + 1}:\n` +
        `    page:   ${JSON.stringify(a[at] ?? "(ends)")}\n    source: ${JSON.stringify(b[at] ?? "(ends)")}\n` +
        "  Run: node tests/lint/code-panels.mjs --write",
    );
  }
  return all;
});
if (/data-source="/.test(page.replace(PANEL, "")))
  errors.push('index.html: a data-source="…" outside a <code> panel, or without "#region"');
for (const key of sources.keys()) {
  if (!used.has(key)) errors.push(`${key.replace("#", ": region ")} is shown by no panel of index.html`);
}

if (WRITE && written !== page) {
  writeFileSync(PAGE, written);
  console.log("code-panels: index.html's panels rewritten from their sources");
}

// The Python on the page is Python: it compiles, and the aiohttp example runs against a
// stand-in. Compiled in memory, so that no __pycache__ is left behind.
const python = [...new Set([...sources.keys()].map((k) => k.split("#")[0]).filter((p) => p.endsWith(".py")))];
const run = (args) => spawnSync("python3", args, { cwd: ROOT, encoding: "utf8" });
for (const file of python) {
  const r = run(["-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')", file]);
  if (r.error) {
    errors.push(`python3 is needed to check the page's Python (${r.error.message}); install it: sudo apt-get install python3`);
    break;
  }
  if (r.status !== 0) errors.push(`${file} does not compile:\n${r.stderr}`);
}
const standIn = run(["-B", "tests/lint/thousand-requests.py"]);
if (!standIn.error && standIn.status !== 0)
  errors.push(`tests/lint/thousand-requests.py failed:\n${standIn.stdout}${standIn.stderr}`);

if (errors.length) {
  console.error(errors.join("\n"));
  process.exit(1);
}
console.log(`code-panels: ${panels} panels match ${sources.size} regions; ${python.length} Python files compile`);
console.log(standIn.stdout.trim().split("\n").pop());
