// What the site's wasm weighs and what it is made of. First the shipped file's size, raw,
// with gzip -9 and with brotli 11 (the copies scripts/finish-dist.mjs writes beside it);
// then, for each part of the code (serde, the real runs, the renderer, ...), how much
// smaller the compressed code section would be without that part's functions. That is the
// figure a size cut can hope for (compression is not additive, so the parts do not sum to
// the whole).
//
//   node scripts/wasm-weight.mjs [WASM [SHIPPED]]
//
// WASM defaults to wasm-bindgen's output before scripts/finish-dist.mjs strips the names,
// target/wasm-bindgen/release/cvp-web_bg.wasm, SHIPPED to dist/cvp-web_bg.wasm (run
// scripts/build first). Functions are told apart by their names; a generic instantiation
// counts for the first part its name mentions (`drop_in_place<serde_json::Value>` is
// serde's).
import { existsSync, readFileSync } from "node:fs";
import { brotli, gzip } from "./compress.mjs";

const PARTS = [
  ["serde and JSON", /serde|zmij|itoa/],
  ["real runs (runner, pools, processes)", /rayon|crossbeam|cvp_web::(runs|worker)|cvp_model::record|futures_channel|wasm_sync/],
  ["renderer (cvp-scene)", /cvp_scene/],
  ["model and simulator (cvp-model)", /cvp_model/],
  ["widgets and page (cvp-web)", /cvp_web/],
  ["JS bindings (js-sys, web-sys, wasm-bindgen)", /js_sys|web_sys|wasm_bindgen/],
  ["std, alloc, core", /./],
];

const path = process.argv[2] ?? "target/wasm-bindgen/release/cvp-web_bg.wasm";
const shippedPath = process.argv[3] ?? "dist/cvp-web_bg.wasm";
const wasm = readFileSync(path);

/// The module's function bodies with their names (from the "name" custom section).
function functions(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const skipLimits = () => (leb() & 1 ? (leb(), leb()) : leb());
  let imported = 0;
  const bodies = [];
  const names = new Map();
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      // Imports: only functions take an index in the function space.
      for (let n = leb(); n > 0; n--) {
        for (const _ of ["module", "field"]) {
          const length = leb(); // before `at +=`, which would read `at` first
          at += length;
        }
        const kind = bytes[at++];
        if (kind === 0) (leb(), imported++);
        else if (kind === 1) (at++, skipLimits());
        else if (kind === 2) skipLimits();
        else at += 2;
      }
    } else if (id === 10) {
      for (let n = leb(), i = 0; i < n; i++) {
        const length = leb();
        bodies.push({ index: imported + i, body: bytes.subarray(at, at + length) });
        at += length;
      }
    } else if (id === 0) {
      const length = leb();
      if (bytes.subarray(at, at + length).toString() === "name") {
        at += length;
        while (at < end) {
          const sub = bytes[at++];
          const subEnd = leb() + at;
          if (sub === 1) {
            for (let n = leb(); n > 0; n--) {
              const index = leb();
              const nameLength = leb();
              names.set(index, bytes.subarray(at, at + nameLength).toString());
              at += nameLength;
            }
          }
          at = subEnd;
        }
      }
    }
    at = end;
  }
  if (names.size === 0) throw new Error(`${path} has no name section: pass wasm-bindgen's output, before the names are stripped`);
  return bodies.map((f) => ({ ...f, name: (names.get(f.index) ?? "").replace(/\[[0-9a-f]{16}\]/g, "") }));
}

const gz = (chunks) => gzip(Buffer.concat(chunks)).length;
const br = (chunks) => brotli(Buffer.concat(chunks), false).length;
const kb = (n) => (n / 1000).toFixed(1).padStart(7);
if (existsSync(shippedPath)) {
  const shipped = readFileSync(shippedPath);
  console.log(`${shippedPath} (shipped, no names): ${kb(shipped.length)} KB raw, ${kb(gz([shipped]))} KB gzip -9, ${kb(br([shipped]))} KB brotli 11\n`);
}
const all = functions(wasm);
const bodies = all.map((f) => f.body);
console.log(`${path}: ${kb(wasm.length)} KB raw; code section ${kb(gz(bodies))} KB gzip, ${kb(br(bodies))} KB brotli (${all.length} functions)\n`);
console.log("   raw KB  saved without it: gzip KB  brotli KB  part");
const partOf = (f) => PARTS.findIndex(([, pattern]) => pattern.test(f.name));
const [wholeGz, wholeBr] = [gz(bodies), br(bodies)];
PARTS.forEach(([label], i) => {
  const mine = all.filter((f) => partOf(f) === i);
  const raw = mine.reduce((sum, f) => sum + f.body.length, 0);
  const rest = all.filter((f) => partOf(f) !== i).map((f) => f.body);
  console.log(`${kb(raw)}                   ${kb(wholeGz - gz(rest))}    ${kb(wholeBr - br(rest))}  ${label} (${mine.length} functions)`);
});
