// teach.html's start: the same wasm module as the other pages, which builds a card per
// widget (crates/web/src/widgets/teach.rs). This file only writes the worksheet's widget
// addresses in full, for paper, and wires its print button.
import init, * as bindings from "./cvp-web.js";

for (const p of document.querySelectorAll(".ws-url[data-path]")) {
  p.textContent = new URL(p.dataset.path, location.href).href;
}
document.querySelector("[data-action=print]")?.addEventListener("click", () => window.print());

init({ module_or_path: "./cvp-web_bg.wasm" }).then(() => {
  window.wasmBindings = bindings;
});
