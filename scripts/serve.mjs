// A small static file server for dist/, with the headers threads need.
//
//   node scripts/serve.mjs [--dir dist] [--port 8080] [--host 127.0.0.1] [--no-isolation]
//                          [--prefix /courses/os/cvp/]
//
// Every response carries the headers of dist/_headers (www/_headers, which Netlify and
// Cloudflare Pages read too): Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, so the page is cross-origin isolated and may
// share memory with its workers (SharedArrayBuffer); Cross-Origin-Resource-Policy:
// cross-origin, so that an isolated page on another origin may embed our widgets;
// Document-Isolation-Policy: isolate-and-require-corp, so that a widget framed by a page
// that is not isolated (a course platform's) is isolated all the same where the browser
// honours it (Chromium 137 and later); and the site's Content-Security-Policy.
// --no-isolation leaves out the three that isolate: that is how most static hosts and
// course platforms serve pages, and how the fallback is tested. Port 0 picks a free port; the
// chosen URL is printed on the first line of stdout. --prefix serves the folder under that
// path only, as a host serving the site from a sub-folder does (anything else is a 404).
//
// Where the build wrote a precompressed copy beside a file (NAME.br, NAME.gz: scripts/
// finish-dist.mjs), a request whose Accept-Encoding allows it gets the copy, brotli first,
// with Content-Encoding; any other gets the file as it is. Both carry Vary: Accept-Encoding,
// so that no cache between hands one to the other.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { COMPRESSIBLE } from "./compress.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".zip": "application/zip",
  ".txt": "text/plain; charset=utf-8",
};

function parseArgs(argv) {
  const opts = { dir: "dist", port: 8080, host: "127.0.0.1", isolation: true, prefix: "/" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-isolation") opts.isolation = false;
    else if (a === "--dir") opts.dir = argv[++i];
    else if (a === "--port") opts.port = Number(argv[++i]);
    else if (a === "--host") opts.host = argv[++i];
    else if (a === "--prefix") opts.prefix = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/// "courses/os/cvp" or "/courses/os/cvp/" -> "/courses/os/cvp/".
function normalisePrefix(prefix = "/") {
  return `/${prefix.split("/").filter(Boolean).join("/")}/`.replace("//", "/");
}

/// The headers `_headers` gives every path (its `/*` block), as an object. A folder without
/// one (the tests' embedding pages) gets the isolation headers alone.
export async function siteHeaders(dir) {
  const text = await readFile(join(dir, "_headers"), "utf8").catch(() => null);
  if (text === null) {
    return {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "cross-origin",
      "Document-Isolation-Policy": "isolate-and-require-corp",
    };
  }
  const headers = {};
  let inBlock = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    if (/^\S/.test(line)) inBlock = line.trim() === "/*";
    else if (inBlock && line.includes(":")) {
      const at = line.indexOf(":");
      headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return headers;
}

const ISOLATION = ["Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy", "Document-Isolation-Policy"];

/// The precompressed copies a server looks for, best first: [coding, suffix].
const CODINGS = [
  ["br", ".br"],
  ["gzip", ".gz"],
];

/// The content codings an Accept-Encoding header allows (RFC 9110, 12.5.3): those it names
/// with a weight above 0, and through `*` those it does not name. No header: none (the
/// file as it is, which every client takes).
export function acceptedCodings(header) {
  const weights = new Map();
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find(Boolean);
    weights.set(name, q ? Number(q[1]) : 1);
  }
  const allows = (coding) => (weights.has(coding) ? weights.get(coding) > 0 : (weights.get("*") ?? 0) > 0);
  return new Set(CODINGS.map(([coding]) => coding).filter(allows));
}

/// The precompressed copy of the file at `path` to send for `acceptEncoding`, if any:
/// { coding, body }.
async function precompressed(path, acceptEncoding) {
  const accepted = acceptedCodings(acceptEncoding);
  for (const [coding, suffix] of CODINGS) {
    if (!accepted.has(coding)) continue;
    const body = await readFile(path + suffix).catch(() => null);
    if (body) return { coding, body };
  }
  return null;
}

/// The cross-engine tests' `probe`: a script file served at PROBE_PATH (under the prefix)
/// and loaded first by every HTML page, before the page's own scripts (tests/engines/
/// probe.js says why). Never used by `scripts/serve`.
export const PROBE_PATH = "__cvp-test-probe.js";

export async function startServer({ dir, port, host, isolation, prefix, probe = null }) {
  const root = resolve(dir);
  const under = normalisePrefix(prefix);
  const site = await siteHeaders(root);
  const probeSource = probe ? await readFile(probe) : null;
  const server = createServer(async (req, res) => {
    const headers = { ...site, "Cache-Control": "no-cache" };
    if (!isolation) for (const name of ISOLATION) delete headers[name];
    try {
      const url = new URL(req.url, "http://x");
      if (!`${url.pathname}/`.startsWith(under)) throw new Error("outside the prefix");
      if (url.pathname === under.slice(0, -1)) {
        // A folder's URL without its slash: relative URLs need it.
        res.writeHead(301, { ...headers, Location: under }).end();
        return;
      }
      if (probeSource && url.pathname === under + PROBE_PATH) {
        res.writeHead(200, { ...headers, "Content-Type": TYPES[".js"] }).end(probeSource);
        return;
      }
      let path = normalize(join(root, decodeURIComponent(url.pathname.slice(under.length - 1))));
      if (path !== root && !path.startsWith(root + sep)) throw Object.assign(new Error("outside"), { code: 403 });
      if ((await stat(path)).isDirectory()) path = join(path, "index.html");
      headers["Content-Type"] = TYPES[extname(path)] ?? "application/octet-stream";
      const probed = probeSource && extname(path) === ".html";
      if (COMPRESSIBLE.test(path)) {
        headers.Vary = "Accept-Encoding";
        // A page the probe goes into is sent as it is, probe added.
        const copy = probed ? null : await precompressed(path, req.headers["accept-encoding"]);
        if (copy) {
          headers["Content-Encoding"] = copy.coding;
          res.writeHead(200, headers).end(copy.body);
          return;
        }
      }
      let body = await readFile(path);
      if (probed) {
        // First of all scripts: after the doctype (a minified page has no <head> tag).
        const tag = `<script src="${under}${PROBE_PATH}"></script>`;
        const html = body.toString("utf8");
        const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
        body = doctype ? doctype[0] + tag + html.slice(doctype[0].length) : tag + html;
      }
      res.writeHead(200, headers).end(body);
    } catch (err) {
      const code = err.code === 403 ? 403 : 404;
      res.writeHead(code, { ...headers, "Content-Type": "text/plain" }).end(code === 403 ? "forbidden" : "not found");
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts = parseArgs(process.argv.slice(2));
  try {
    await stat(join(opts.dir, "index.html"));
  } catch {
    console.error(`serve: ${opts.dir}/index.html not found: build the site first (scripts/serve does).`);
    process.exit(1);
  }
  const server = await startServer(opts).catch((err) => {
    console.error(`serve: cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
    console.error("       pick another port with --port, or stop whatever holds this one.");
    process.exit(1);
  });
  const { port } = server.address();
  console.log(`http://${opts.host}:${port}${normalisePrefix(opts.prefix)}`);
  console.error(opts.isolation ? "serving with COOP/COEP: threads available" : "serving WITHOUT isolation headers: no shared memory, threads fall back");
}
