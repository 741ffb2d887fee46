// The cross-engine tests' probe. The test servers (startServer's `probe` option) load it
// before any other script of every HTML page they serve, because classic WebDriver cannot
// run a script before the page's own or hear its console. It keeps, on window.__cvpProbe:
//  - problems: console.error calls, uncaught exceptions and rejections, and errors that
//    escape a worker (the page's own or a frame's), each as a line of text;
//  - states: every data-state change of every element, with its time, as the Playwright
//    tests' init script does (so a test waits for "done after my click" without racing);
//  - downloads: each file the page hands the reader through <a download> (name, type,
//    size, and its text when it is text), so that an export can be checked without a
//    download folder.
(() => {
  if (window.__cvpProbe) return;
  const probe = (window.__cvpProbe = { problems: [], states: [], downloads: [] });
  const text = (v) => {
    if (v instanceof Error) return v.stack || v.message;
    if (typeof v === "object" && v !== null) {
      try {
        return JSON.stringify(v);
      } catch {
        return String(v);
      }
    }
    return String(v);
  };
  const error = console.error.bind(console);
  console.error = (...args) => {
    probe.problems.push(`console.error: ${args.map(text).join(" ")}`);
    error(...args);
  };
  addEventListener("error", (e) => probe.problems.push(`uncaught exception: ${e.message} (at ${e.filename}:${e.lineno})`));
  addEventListener("unhandledrejection", (e) => probe.problems.push(`unhandled rejection: ${text(e.reason)}`));
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) {
      super(...args);
      this.addEventListener("error", (e) => probe.problems.push(`error in a worker: ${e.message || "(no message)"}`));
    }
  };

  const record = (el) => {
    const entry = { state: el.getAttribute("data-state"), t: performance.now() };
    (el.__cvpStates ||= []).push(entry);
    probe.states.push({ ...entry, widget: el.getAttribute("data-widget"), id: el.id });
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") record(r.target);
      else for (const n of r.addedNodes) if (n.nodeType === 1 && n.hasAttribute("data-state")) record(n);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });

  const blobs = new Map();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (object) {
    const url = createObjectURL.call(URL, object);
    if (object instanceof Blob) blobs.set(url, object);
    return url;
  };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    const blob = blobs.get(this.href);
    const data = /^data:([^;,]*)/.exec(this.href);
    if (this.hasAttribute("download") && (blob || data)) {
      const entry = blob
        ? { name: this.download, type: blob.type, size: blob.size, text: null }
        : { name: this.download, type: data[1], size: this.href.length, text: null, dataUrl: this.href.slice(0, 64) };
      probe.downloads.push(entry);
      if (blob && !/^image\//.test(blob.type)) blob.text().then((t) => (entry.text = t));
      return; // kept, not saved: a headless browser's download folder is not ours to read
    }
    return click.call(this);
  };
})();
