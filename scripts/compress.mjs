// Brotli and gzip as the site uses them, in one place: scripts/finish-dist.mjs writes the
// precompressed copies with these, scripts/wasm-weight.mjs and the weight test measure with
// them, so that every figure is of the bytes a visitor is sent.
//
// Brotli at quality 11 (the highest) with a 16 MiB window (the largest the format allows
// without its "large window" extension, which browsers do not decode), and gzip at level 9.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/// The files worth compressing: text, and the wasm. Images are compressed already.
export const COMPRESSIBLE = /\.(html|js|mjs|css|wasm|json|webmanifest|svg|txt|map)$/;

export const brotli = (bytes, text = true) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });

export const gzip = (bytes) => gzipSync(bytes, { level: 9 });

/// Writes PATH.br and PATH.gz beside a compressible file at PATH and returns the three
/// sizes; returns null for any other path (a folder, an image, a copy already made). A copy
/// that would not be smaller than the file is not written (a tiny file), and the size
/// returned for it is the raw one: what a server then sends.
export function precompress(path) {
  if (!COMPRESSIBLE.test(path) || !existsSync(path) || !statSync(path).isFile()) return null;
  const bytes = readFileSync(path);
  const br = brotli(bytes, !path.endsWith(".wasm"));
  const gz = gzip(bytes);
  const sizes = { raw: bytes.length, br: bytes.length, gz: bytes.length };
  for (const [ext, copy] of [["br", br], ["gz", gz]]) {
    if (copy.length >= bytes.length) continue;
    writeFileSync(`${path}.${ext}`, copy);
    sizes[ext] = copy.length;
  }
  return sizes;
}
