// cores: shared (this file measures no time and no parallelism: tests/run-e2e.mjs)
// The wasm module's shared memory: its declared maximum is one iOS Safari accepts. Shared
// memory reserves its maximum when it is made, and iOS refused 2 GiB with "Out of memory"
// where 256 MiB worked (godotengine/godot#70621, emscripten-core/emscripten#19144); this
// machine has no iOS to try, so the bound is checked on the built module itself. That the
// pool then starts is checked in every engine (tests/engines/core.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { distDir } from "./helpers.mjs";

const MIB = 1 << 20;

/// The memory imports of a wasm binary: [{module, name, shared, min, max}] (min and max in
/// bytes; max null when unbounded).
export function memoryImports(bytes) {
  let at = 8; // magic and version
  const u32 = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const name = () => {
    const len = u32();
    const s = new TextDecoder().decode(bytes.subarray(at, at + len));
    at += len;
    return s;
  };
  const found = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const [module, field, kind] = [name(), name(), bytes[at++]];
        if (kind === 0) u32(); // a function: its type index
        else if (kind === 1) { at++; const f = bytes[at++]; u32(); if (f & 1) u32(); } // a table
        else if (kind === 3) at += 2; // a global: type and mutability
        else if (kind === 2) {
          const flags = bytes[at++];
          const min = u32();
          const max = flags & 1 ? u32() : null;
          found.push({ module, name: field, shared: Boolean(flags & 2), min: min * 65536, max: max === null ? null : max * 65536 });
        } else throw new Error(`import kind ${kind} not understood`);
      }
      return found;
    }
    at = end;
  }
  return found;
}

test("the module imports one shared memory whose maximum is at most 256 MiB", async () => {
  const bytes = await readFile(join(distDir(), "cvp-web_bg.wasm"));
  const memories = memoryImports(bytes);
  assert.equal(memories.length, 1, JSON.stringify(memories));
  const [m] = memories;
  assert.equal(m.shared, true, "threads need a shared memory");
  assert.ok(m.max !== null, "a shared memory must declare its maximum");
  assert.ok(m.max <= 256 * MIB, `the maximum is ${m.max / MIB} MiB: iOS Safari refuses large ones`);
  assert.ok(m.max >= 64 * MIB, `the maximum is ${m.max / MIB} MiB: leave the runs room to grow`);
  assert.ok(m.min < m.max, `it starts below its maximum (${m.min / MIB} MiB)`);
});
