#!/usr/bin/env bash
# shellcheck shell=bash
# The project's set-up, as functions. Sourced by scripts/serve, scripts/test, scripts/bench
# and scripts/env; run directly (`scripts/setup.sh [tools|all]`) it only installs.
#
#   cvp_setup tools|all   installs what is missing (idempotent: on a warm machine every step
#                         is a version check), fetches the crates the builds need, and
#                         exports the environment below. `tools` is what building the site
#                         needs; `all` adds wasm-pack, Chromium and the e2e tests' packages.
#   cvp_env               exports the environment only, installing nothing: the toolchain
#                         that can rebuild std with atomics, the tools' folder on PATH, the
#                         browser. Returns non-zero, with the reason, when set-up has not run.
#   cvp_wasm CMD...       runs a wasm build of the site with std rebuilt (-Z build-std).
#   step NAME USUAL CMD   runs one timed step; cvp_summary prints every step's time.
#
# Two toolchains can build std with atomics for wasm32 (wasm-bindgen-rayon needs it):
#   1. rustup's nightly with the rust-src component and the wasm32-unknown-unknown target;
#   2. Debian/Ubuntu's rustc-web + cargo-web + rust-web-src + rust-web-llvm + lld-22, a
#      stable rustc allowed to use -Z build-std by RUSTC_BOOTSTRAP=1.
# The wasm target's flags live in .cargo/config.toml; build-std lives in
# crates/web/.cargo/config.toml (cargo run inside crates/web: wasm-pack, contributors) and in
# cvp_wasm (Trunk runs cargo from the root), so host builds and native tests never see it.
#
# No tool is ever downloaded behind the user's back: Trunk runs with `offline = true`, and
# wasm-pack finds the wasm-bindgen and chromedriver installed here on PATH. Crates are
# fetched by an explicit step (fetch_crates), the workspace's and std's.
#
# Nothing here sets shell options: the scripts set `-euo pipefail` themselves, and
# scripts/env is sourced into an interactive shell, where `set -e` would close it.

CVP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CVP_ROOT

# Pinned tool versions. Trunk 0.22 needs rustc 1.96.1, newer than Debian's rustc-web.
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
DEBIAN_RUST_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
DEBIAN_BROWSER_PACKAGES=(chromium chromium-driver)
# The other two engines the tests run in: Firefox ESR, and WebKitGTK (Safari's engine) with
# its WebDriver server and MiniBrowser, which needs an X display (Xvfb) even headless.
DEBIAN_ENGINE_PACKAGES=(firefox-esr webkit2gtk-driver xvfb xauth)
# geckodriver, Firefox's WebDriver server, comes from crates.io (Debian has no package).
GECKODRIVER_VERSION=0.37.1
# The test command's lints: rustfmt and clippy of the same Rust as rustc-web.
DEBIAN_LINT_PACKAGES=(rustfmt-web rust-web-clippy)
# The crates of std that -Z build-std compiles (wasm-pack adds `test` for test builds).
CVP_BUILD_STD=panic_abort,std

# Where `cargo install` puts the tools (its --root; the binaries go in its bin/): a folder of
# their own, shared by every clone. Not cargo's ~/.cargo/bin, where rustup's `cargo`, `rustc`
# and `rustdoc` proxies live: putting the tools first on PATH would put those first too, ahead
# of the toolchain chosen below.
CVP_TOOLS_ROOT=${CVP_TOOLS_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/cvp/tools}
export CVP_TOOLS_ROOT

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[setup]\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[1;31m[setup] error:\033[0m %s\n' "$1" >&2
  shift
  for line in "$@"; do printf '        %s\n' "$line" >&2; done
  exit 1
}

# --- Timed steps ----------------------------------------------------------------------------
# Every step that does work appends "<depth>\t<seconds>\t<name>" to $CVP_TIMINGS. The outermost
# command creates the file and prints the summary; commands it runs (scripts/test runs
# scripts/build inside one of its steps) inherit the file, and their steps are one level
# deeper: shown indented, and not added to the total a second time.

if [ -z "${CVP_TIMINGS:-}" ]; then
  CVP_TIMINGS=$(mktemp "${TMPDIR:-/tmp}/cvp-timings.XXXXXX")
  CVP_TIMINGS_OWNER=1
  CVP_STARTED=$SECONDS
  export CVP_TIMINGS
fi
CVP_STEP_DEPTH=${CVP_STEP_DEPTH:-0}

fmt_secs() {
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm %02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# step <name> <usual duration, said before it starts> <command...>
step() {
  local name=$1 usual=$2
  shift 2
  say "$name (usually $usual)"
  local t0=$SECONDS depth=$CVP_STEP_DEPTH
  CVP_STEP_DEPTH=$((depth + 1))
  export CVP_STEP_DEPTH
  "$@"
  CVP_STEP_DEPTH=$depth
  local took=$((SECONDS - t0))
  printf '%s\t%s\t%s\n' "$depth" "$took" "$name" >>"$CVP_TIMINGS"
  say "$name: done in $(fmt_secs "$took")"
}

# Prints the time of every step so far (the set-up's, the builds' and the tests'), once, from
# the outermost command. A step's inner steps end before it, so they are listed before it.
cvp_summary() {
  [ "${CVP_TIMINGS_OWNER:-0}" = 1 ] && [ -s "$CVP_TIMINGS" ] || return 0
  local total=0 depth secs name
  say "time per step:"
  while IFS=$'\t' read -r depth secs name; do
    printf '        %*s%8s  %s\n' $((4 * depth)) "" "$(fmt_secs "$secs")" "$name" >&2
    [ "$depth" = 0 ] && total=$((total + secs))
  done <"$CVP_TIMINGS"
  printf '        %8s  in all (%s since this command started)\n' "$(fmt_secs "$total")" \
    "$(fmt_secs $((SECONDS - CVP_STARTED)))" >&2
  : >"$CVP_TIMINGS"
}

# --- System packages ------------------------------------------------------------------------

is_debian_like() {
  [ -r /etc/os-release ] || return 1
  local ids
  ids=$(. /etc/os-release && echo " ${ID:-} ${ID_LIKE:-} ")
  case "$ids" in *" debian "* | *" ubuntu "*) return 0 ;; esac
  return 1
}

# Runs a command as root: directly, or through sudo when it needs no password.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "installing needs root: $*" "Run it yourself as root, then run this command again."
  fi
}

apt_missing() {
  local pkg missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  echo "${missing[@]:-}"
}

# One `apt-get update` and one `apt-get install` for every missing package.
apt_install() {
  local missing
  missing=$(apt_missing "$@")
  [ -n "$missing" ] || return 0
  is_debian_like || die "missing packages: $missing" "This is not Debian or Ubuntu: install their equivalents by hand."
  local expect="under a minute"
  case " $missing " in
    *" chromium "* | *" firefox-esr "* | *" webkit2gtk-driver "*) expect="a minute or two: the browsers are a few hundred MB" ;;
  esac
  # shellcheck disable=SC2086
  step "Debian packages: $missing" "$expect" apt_run $missing
}

apt_run() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
    die "apt-get update failed" "Check that the package archive is reachable."
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
    die "apt-get install $* failed" "Install them by hand: sudo apt-get install $*"
}

# --- The Rust toolchain for wasm32 with atomics ---------------------------------------------

nightly_ready() {
  command -v rustup >/dev/null || return 1
  timeout 20 rustup run nightly rustc --version >/dev/null 2>&1 || return 1
  timeout 20 rustup +nightly target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || return 1
  timeout 20 rustup +nightly component list --installed 2>/dev/null | grep -q '^rust-src' || return 1
}

debian_ready() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -e /usr/bin/rust-lld ] &&
    [ -f /usr/lib/rustlib/src/rust/library/std/Cargo.toml ]
}

# Which toolchain: rustup's nightly if it is complete (or CVP_TOOLCHAIN=nightly), else
# Debian's rustc-web. Prints "nightly" or "debian", or nothing when neither can be used.
pick_toolchain() {
  case "${CVP_TOOLCHAIN:-}" in
    nightly | debian) echo "$CVP_TOOLCHAIN" ;;
    *) if nightly_ready; then echo nightly; elif is_debian_like || debian_ready; then echo debian; fi ;;
  esac
}

# cvp_env [nightly|debian]: exports the environment the builds and tests use, for the given
# toolchain or the one pick_toolchain finds; installs nothing. Returns 1 (after saying why)
# when a piece is missing.
cvp_env() {
  local toolchain=${1:-}
  [ -n "$toolchain" ] || toolchain=$(pick_toolchain)
  case "$toolchain" in
    nightly)
      nightly_ready || {
        warn "rustup's nightly lacks rust-src or the wasm32 target:"
        warn "  rustup toolchain install nightly --component rust-src --target wasm32-unknown-unknown"
        return 1
      }
      export RUSTUP_TOOLCHAIN=nightly
      CVP_CARGO=cargo
      export PATH="$CVP_TOOLS_ROOT/bin:$PATH"
      ;;
    debian)
      debian_ready || {
        warn "Debian's Rust for wasm is not installed (run scripts/setup.sh, or:"
        warn "  sudo apt-get install ${DEBIAN_RUST_PACKAGES[*]})"
        return 1
      }
      # Debian's cargo and rustc ahead of rustup's proxies: Trunk and wasm-pack run whichever
      # `cargo` and `rustc` come first on PATH. Our tools come first of all.
      unset RUSTUP_TOOLCHAIN
      export PATH="$CVP_TOOLS_ROOT/bin:/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
      CVP_CARGO=/usr/bin/cargo
      ;;
    *)
      warn "no toolchain can build a threaded wasm std here. Either:"
      warn "  rustup toolchain install nightly --component rust-src --target wasm32-unknown-unknown"
      warn "or, on Debian 12+/Ubuntu 24.04+: sudo apt-get install ${DEBIAN_RUST_PACKAGES[*]}"
      return 1
      ;;
  esac
  export CVP_CARGO CVP_TOOLCHAIN_KIND="$toolchain"
  CHROME_BIN=${CHROME_BIN:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
  CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
  # Not GECKODRIVER or SAFARIDRIVER: wasm-bindgen's test runner takes whichever of those is
  # set before CHROMEDRIVER, so exporting them would run `wasm-pack test --chrome` in Firefox.
  FIREFOX_BIN=${FIREFOX_BIN:-/usr/bin/firefox-esr}
  CVP_GECKODRIVER=${CVP_GECKODRIVER:-$CVP_TOOLS_ROOT/bin/geckodriver}
  CVP_WEBKITDRIVER=${CVP_WEBKITDRIVER:-/usr/bin/WebKitWebDriver}
  export CHROME_BIN CHROMEDRIVER FIREFOX_BIN CVP_GECKODRIVER CVP_WEBKITDRIVER
  return 0
}

ensure_toolchain() {
  local packages=()
  local toolchain
  toolchain=$(pick_toolchain)
  case "$toolchain" in
    nightly) ;;
    debian)
      packages+=("${DEBIAN_RUST_PACKAGES[@]}")
      [ "$1" = all ] && packages+=("${DEBIAN_LINT_PACKAGES[@]}")
      ;;
    *) cvp_env || exit 1 ;;
  esac
  # The browser comes in the same apt-get run: one update, one install.
  if [ "$1" = all ] && [ -z "${CHROME_BIN:-}" ] && is_debian_like; then
    packages+=("${DEBIAN_BROWSER_PACKAGES[@]}")
  fi
  [ "$1" = all ] && is_debian_like && packages+=("${DEBIAN_ENGINE_PACKAGES[@]}")
  command -v node >/dev/null || packages+=(nodejs npm)
  # The lint of the page's code panels compiles and runs their Python.
  [ "$1" = all ] && ! command -v python3 >/dev/null && packages+=(python3)
  [ ${#packages[@]} = 0 ] || apt_install "${packages[@]}"
  cvp_env "$toolchain" || exit 1
  say "toolchain: $CVP_TOOLCHAIN_KIND, $("$CVP_CARGO" --version)"
  [ "$1" = all ] && [ "$toolchain" = nightly ] && ensure_nightly_lints
  return 0
}

# rustup's nightly may lack clippy or rustfmt, which the test command runs every time.
ensure_nightly_lints() {
  "$CVP_CARGO" clippy --version >/dev/null 2>&1 && "$CVP_CARGO" fmt --version >/dev/null 2>&1 && return 0
  step "rustup component add clippy rustfmt (nightly)" "under a minute" \
    timeout 600 rustup component add clippy rustfmt --toolchain nightly >&2 ||
    die "the test command runs clippy and rustfmt, and rustup could not add them to nightly" \
      "rustup component add clippy rustfmt --toolchain nightly"
}

# --- Crates the builds need -----------------------------------------------------------------

# The workspace's crates for every target, and std's own dependencies (dlmalloc and the rest),
# which -Z build-std compiles and which Trunk's offline build cannot download. `cargo fetch`
# is a quick no-op once they are in cargo's cache.
fetch_crates() {
  (cd "$CVP_ROOT" &&
    "$CVP_CARGO" fetch --locked -q &&
    CARGO_UNSTABLE_BUILD_STD="$CVP_BUILD_STD,test" "$CVP_CARGO" fetch --locked -q --target wasm32-unknown-unknown) >&2 ||
    die "cargo fetch failed" "The builds need these crates; check that the crate registry is reachable."
}

# --- Tools from crates.io -------------------------------------------------------------------

# The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$CVP_ROOT/Cargo.lock"
}

tool_version() { "$CVP_TOOLS_ROOT/bin/$1" --version 2>/dev/null | awk 'NR == 1 {print $2}' || true; }

# The three tools share one target folder, so a crate they have in common (same version and
# features) compiles once; it is removed once all three are installed.
CVP_TOOLS_BUILD="$CVP_ROOT/target/tools-build"

# cargo_tool <binary> <crate> <version> <usual time> [cargo install flags...]
cargo_tool() {
  local bin=$1 crate=$2 version=$3 usual=$4
  shift 4
  [ "$(tool_version "$bin")" = "$version" ] && return 0
  step "cargo install $crate $version" "$usual on 2 cores; cargo lists each crate as it compiles" \
    cargo_install "$crate" "$version" "$@"
  [ "$(tool_version "$bin")" = "$version" ] || die "$bin $version is not in $CVP_TOOLS_ROOT/bin after installing it"
}

cargo_install() {
  local crate=$1 version=$2
  shift 2
  # These are build tools, not what we ship: optimise them lightly (opt-level 1, which keeps
  # wasm-bindgen's processing of our module quick), skip the fat LTO and single codegen unit
  # their release profiles ask for, and strip them. About half the compile time of their own
  # release profiles.
  CARGO_TARGET_DIR="$CVP_TOOLS_BUILD" \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=off \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    "$CVP_CARGO" install --root "$CVP_TOOLS_ROOT" "$crate" --version "=$version" "$@" >&2 ||
    die "cargo install $crate $version failed" "See the compiler output above; try: cargo install $crate --version =$version"
}

ensure_tools() {
  local wb
  wb=$(locked_wasm_bindgen)
  [ -n "$wb" ] || die "Cargo.lock names no wasm-bindgen version" "Run: cargo generate-lockfile"
  # No default features: they only add TLS for downloads, which this project never lets
  # these tools make (and TLS brings `ring`, C code, to compile).
  cargo_tool wasm-bindgen wasm-bindgen-cli "$wb" "about 3 minutes" --no-default-features
  # --locked: Trunk's own lock keeps its CSS crates on compatible versions. Its default
  # features add TLS and a check for newer versions of itself.
  cargo_tool trunk trunk "$TRUNK_VERSION" "about 7 minutes" --locked --no-default-features
  if [ "$1" = all ]; then
    cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" "about 2 minutes"
    cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION" "about 3 to 4 minutes" --locked
    rm -rf "$CVP_TOOLS_BUILD"
  fi
}

# wasm-pack refuses to build unless rustc's sysroot has a wasm32-unknown-unknown folder
# (rustup users get one with the target). Debian ships no std for wasm32 with rustc-web, and
# this project rebuilds std from source anyway (-Z build-std), so the folder may be empty:
# create it, or the plain `wasm-pack test` fails before it compiles anything.
ensure_wasm_pack_target_dir() {
  local libdir
  libdir=$("${RUSTC:-rustc}" --target wasm32-unknown-unknown --print target-libdir 2>/dev/null) || return 0
  [ -d "$libdir" ] && return 0
  say "creating $libdir (empty: std is rebuilt from source; wasm-pack only checks it exists)"
  as_root mkdir -p "$libdir"
}

# --- Browser and Node -----------------------------------------------------------------------

ensure_browser() {
  [ -x "${CHROME_BIN:-}" ] || die "no Chromium found" "Install Chromium and ChromeDriver of the same version, or set CHROME_BIN and CHROMEDRIVER."
  [ -x "${CHROMEDRIVER:-}" ] || die "no chromedriver found" "sudo apt-get install chromium-driver (or set CHROMEDRIVER)"
  [ -x "$FIREFOX_BIN" ] || die "no Firefox found at $FIREFOX_BIN" "sudo apt-get install firefox-esr (or set FIREFOX_BIN)"
  [ -x "$CVP_GECKODRIVER" ] || die "no geckodriver found" "scripts/setup.sh all installs it (or set CVP_GECKODRIVER)"
  [ -x "$CVP_WEBKITDRIVER" ] || die "no WebKitWebDriver found" "sudo apt-get install webkit2gtk-driver xvfb (or set CVP_WEBKITDRIVER)"
  command -v Xvfb >/dev/null || die "no Xvfb found" "sudo apt-get install xvfb"
}

# ensure_node_packages DIR WHAT: `npm ci` in DIR (tests/ or scripts/) unless its
# package-lock.json is the one installed last.
ensure_node_packages() {
  local dir=$1 what=$2
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "Node.js $major is too old for the build and the end-to-end tests" "Install Node.js 18 or newer."
  local stamp="$CVP_ROOT/$dir/node_modules/.lock-stamp"
  local want
  # Both files: package.json's overrides pin what the lock file alone does not.
  want=$(cat "$CVP_ROOT/$dir/package.json" "$CVP_ROOT/$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  step "npm ci in $dir/ ($what)" "up to a minute" npm_ci "$dir"
  echo "$want" >"$stamp"
}

npm_ci() {
  (cd "$CVP_ROOT/$1" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
    die "npm ci failed in $1/" "Check that the npm registry is reachable."
}

# --- Running wasm builds --------------------------------------------------------------------

# cvp_wasm <command...>: runs the site's wasm build with std rebuilt for atomics. The target
# flags come from .cargo/config.toml (crates/web/.cargo/config.toml says the same build-std
# for cargo runs from inside crates/web), plus one for the site alone, appended to them:
# panics abort at once, with no message formatted (rust-lang/rust#146317; both toolchains
# have it), which leaves their text and std's formatting machinery out of the download
# (docs/BENCHMARKS.md has the figures). src/fault.rs still shows the error box. The wasm
# tests keep the messages.
cvp_wasm() {
  CARGO_UNSTABLE_BUILD_STD="$CVP_BUILD_STD" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:+ $CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS}" \
    "$@"
}

cvp_setup() {
  local what=${1:-all}
  ensure_toolchain "$what"
  step "fetch the workspace's and std's crates" "a few seconds; nothing once cached" fetch_crates
  ensure_tools "$what"
  ensure_node_packages scripts "terser, which minifies the site's JavaScript"
  if [ "$what" = all ]; then
    ensure_browser
    ensure_wasm_pack_target_dir
    ensure_node_packages tests "playwright-core, axe-core, lighthouse; no browser download"
  fi
  say "ready"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-all}" in
    tools | all) cvp_setup "${1:-all}" ;;
    *) die "usage: scripts/setup.sh [tools|all]" ;;
  esac
  cvp_summary
fi
