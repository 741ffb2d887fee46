// embed.html's start: mounts the widget its URL names (the same wasm module as the main
// page), and, inside a frame, tells the embedding page how tall the widget is, so that the
// page can size the frame: {type: "cvp:resize", height} (CSS pixels), sent whenever the
// height changes. Results arrive separately, as {type: "cvp:result", ...}.
import init, * as bindings from "./cvp-web.js";

init({ module_or_path: "./cvp-web_bg.wasm" }).then(() => {
  window.wasmBindings = bindings;
});

if (window.parent !== window) {
  let sent = 0;
  let pending = false;
  const post = () => {
    pending = false;
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: "cvp:resize", height }, "*");
  };
  // One message a frame at most, however many boxes changed size in it.
  new ResizeObserver(() => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(post);
    }
  }).observe(document.documentElement);
}
