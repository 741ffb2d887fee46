// Fails if any crate's modules import each other in a cycle (file to file, or folder to
// folder): the architecture reads one way, workload -> strategy -> trace -> renderer ->
// widget, and inside each crate too. Run by scripts/test; alone: node tests/lint/imports.mjs
//
// It reads `use crate::…`, `crate::…` paths and `super::…` in each crate's src/, without
// comments. Doc links (in comments) do not count. A module that names an item the crate
// root itself defines (`crate::some_fn`, not a module's item the root re-exports) climbs
// back up to the root, which sits above every module: that fails too.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".rs") ? [p] : [];
  });
}

/// Module path (a::b) of each file of a crate's src/, and its text without comments.
function modules(src) {
  const files = new Map();
  for (const file of walk(src)) {
    let mod = relative(src, file).replace(/\.rs$/, "").replace(/\/mod$/, "").replaceAll("/", "::");
    if (mod === "lib" || mod === "main") mod = "";
    files.set(mod, readFileSync(file, "utf8").replace(/\/\/.*$/gm, ""));
  }
  return files;
}

/// Names the crate root defines itself (not modules, not re-exports): a module that names
/// one of them reaches back up to the root.
function rootItems(files) {
  const root = files.get("") ?? "";
  const items = new Set();
  const item = /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+)*(?:fn|struct|enum|const|static|type|trait|union)\s+([A-Za-z_][A-Za-z0-9_]*)/gm;
  for (const [, name] of root.matchAll(item)) items.add(name);
  return items;
}

/// The modules `mod` imports: the longest known prefix of each path it names. A path to an
/// item the root defines is the root, "".
function imports(mod, text, files, root = new Set()) {
  const parent = mod.includes("::") ? mod.slice(0, mod.lastIndexOf("::")) : "";
  const out = new Set();
  const add = (base, path) => {
    const parts = path.split("::");
    for (let i = parts.length; i > 0; i--) {
      const cand = [base, ...parts.slice(0, i)].filter(Boolean).join("::");
      if (files.has(cand)) {
        if (cand !== mod) out.add(cand);
        return;
      }
    }
    if (!base && root.has(parts[0]) && mod !== "") out.add("");
  };
  for (const [, kind, group] of text.matchAll(/\b(crate|super)::\{([^}]*)\}/g)) {
    for (const [name] of group.matchAll(/[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*/g)) add(kind === "crate" ? "" : parent, name);
  }
  for (const [, kind, path] of text.matchAll(/\b(crate|super)::([A-Za-z_][A-Za-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)/g)) {
    add(kind === "crate" ? "" : parent, path);
  }
  return out;
}

function cycles(edges) {
  const found = [];
  const state = new Map();
  const visit = (u, stack) => {
    state.set(u, 1);
    stack.push(u);
    for (const v of edges.get(u) ?? []) {
      if (state.get(v) === 1) found.push([...stack.slice(stack.indexOf(v)), v].join(" -> "));
      else if (!state.get(v)) visit(v, stack);
    }
    stack.pop();
    state.set(u, 2);
  };
  for (const u of edges.keys()) if (!state.get(u)) visit(u, []);
  return found;
}

let problems = [];
for (const crate of readdirSync(join(ROOT, "crates"))) {
  const files = modules(join(ROOT, "crates", crate, "src"));
  const root = rootItems(files);
  const edges = new Map([...files].map(([mod, text]) => [mod, imports(mod, text, files, root)]));
  // The crate root declares every module: it is above them, not part of any cycle, and
  // nothing below it may reach back up to what it defines.
  edges.delete("");
  for (const [mod, set] of edges) {
    if (set.delete("")) problems.push(`${crate}: ${mod} reaches back up to the crate root (src/lib.rs): move what both need into a module`);
  }
  const folders = new Map();
  for (const [a, bs] of edges) {
    for (const b of bs) {
      const [fa, fb] = [a.split("::")[0], b.split("::")[0]];
      if (fa !== fb) folders.set(fa, (folders.get(fa) ?? new Set()).add(fb));
    }
  }
  problems.push(...cycles(edges).map((c) => `${crate}: files import each other: ${c}`));
  problems.push(...cycles(folders).map((c) => `${crate}: folders import each other: ${c}`));
}
problems = [...new Set(problems)];
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("no import cycles between files or folders, and no module reaches back up to its crate root");
