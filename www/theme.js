// Picks the colour theme before the page paints, for the page and embed.html alike:
// `?theme=light` or `?theme=dark` (an embedding page with its own colours asks for one),
// else `auto`: the reader's system setting, followed as it changes. The stylesheet and the
// canvases read the choice from <html data-theme>.
(() => {
  const asked = new URLSearchParams(location.search).get("theme");
  const root = document.documentElement;
  const system = matchMedia("(prefers-color-scheme: dark)");
  const apply = () => {
    root.dataset.theme = asked === "light" || asked === "dark" ? asked : system.matches ? "dark" : "light";
  };
  apply();
  system.addEventListener("change", apply);
})();
