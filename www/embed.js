// embed.html's start (and traces.html's): the same wasm module as the main page, which mounts the widget the
// URL names and, inside a frame, posts to the embedding page what crates/model/src/embed.rs
// defines, its one definition of every message: {type: "cvp:resize", height} and Canvas's
// {subject: "lti.frameResize", height} whenever the height changes, {type: "cvp:result",
// ...} after each run. Nothing here writes a message by hand.
import init, * as bindings from "./cvp-web.js";

init({ module_or_path: "./cvp-web_bg.wasm" }).then(() => {
  window.wasmBindings = bindings;
});
