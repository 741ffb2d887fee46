# shellcheck shell=bash
# Sourced by scripts/serve, scripts/test and scripts/bench: finds or installs everything the
# threaded wasm build and the browser tests need, then exports the environment they use.
# Idempotent: on a warm machine every step is a version check and nothing is installed.
#
# Two toolchains can build std with atomics for wasm32 (wasm-bindgen-rayon needs it):
#   1. rustup's nightly with the rust-src component and the wasm32-unknown-unknown target;
#   2. Debian/Ubuntu's rustc-web + cargo-web + rust-web-src + rust-web-llvm + lld-22, a
#      stable rustc allowed to use -Z build-std by RUSTC_BOOTSTRAP=1.
# The wasm-only flags live in .cargo/config.toml under [target.wasm32-unknown-unknown];
# build-std is passed by cvp_wasm below, only to wasm builds, so host builds and native
# tests never inherit it.

set -euo pipefail

CVP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CVP_ROOT

# Pinned tool versions. Trunk 0.22 needs rustc 1.96.1, newer than Debian's rustc-web.
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
DEBIAN_RUST_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
DEBIAN_BROWSER_PACKAGES=(chromium chromium-driver)

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[1;31m[setup] error:\033[0m %s\n' "$1" >&2
  shift
  for line in "$@"; do printf '        %s\n' "$line" >&2; done
  exit 1
}

is_debian_like() {
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  . /etc/os-release
  case " ${ID:-} ${ID_LIKE:-} " in *" debian "* | *" ubuntu "*) return 0 ;; esac
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

APT_UPDATED=0
apt_install() {
  local missing
  missing=$(apt_missing "$@")
  [ -n "$missing" ] || return 0
  is_debian_like || die "missing packages: $missing" "This is not Debian or Ubuntu: install their equivalents by hand."
  say "installing Debian packages: $missing"
  if [ "$APT_UPDATED" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || die "apt-get update failed" "Check that the package archive is reachable."
    APT_UPDATED=1
  fi
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 ||
    die "apt-get install $missing failed" "Install them by hand: sudo apt-get install $missing"
}

# --- The Rust toolchain for wasm32 with atomics --------------------------------------------

nightly_ready() {
  command -v rustup >/dev/null || return 1
  timeout 20 rustup run nightly rustc --version >/dev/null 2>&1 || return 1
  timeout 20 rustup +nightly target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || return 1
  timeout 20 rustup +nightly component list --installed 2>/dev/null | grep -q '^rust-src' || return 1
}

choose_toolchain() {
  if [ "${CVP_TOOLCHAIN:-}" = nightly ] || { [ -z "${CVP_TOOLCHAIN:-}" ] && nightly_ready; }; then
    nightly_ready || die "CVP_TOOLCHAIN=nightly, but rustup's nightly lacks rust-src or the wasm32 target" \
      "rustup toolchain install nightly --component rust-src --target wasm32-unknown-unknown"
    say "toolchain: rustup nightly (rust-src, wasm32-unknown-unknown)"
    export RUSTUP_TOOLCHAIN=nightly
    CVP_CARGO=cargo
  elif is_debian_like; then
    apt_install "${DEBIAN_RUST_PACKAGES[@]}"
    [ -f /usr/lib/rustlib/src/rust/library/std/Cargo.toml ] ||
      die "rust-web-src is installed but the std sources are missing" "sudo apt-get install --reinstall rust-web-src"
    [ -e /usr/bin/rust-lld ] || die "rust-lld is a dangling link" "sudo apt-get install lld-22"
    say "toolchain: Debian's rustc-web ($(/usr/bin/rustc --version | cut -d' ' -f2)) with RUSTC_BOOTSTRAP=1"
    # Debian's cargo and rustc first: Trunk and wasm-pack run whichever `cargo` is on PATH.
    export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
    unset RUSTUP_TOOLCHAIN
    CVP_CARGO=/usr/bin/cargo
  else
    die "no toolchain can build a threaded wasm std here" \
      "Either: rustup toolchain install nightly --component rust-src --target wasm32-unknown-unknown" \
      "Or, on Debian 12+/Ubuntu 24.04+: sudo apt-get install ${DEBIAN_RUST_PACKAGES[*]}"
  fi
  export CVP_CARGO
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  # Debian's /usr/bin must stay ahead of rustup's proxies in ~/.cargo/bin.
  [ "$CVP_CARGO" = /usr/bin/cargo ] && export PATH="/usr/bin:$PATH"
  return 0
}

# --- Tools from crates.io ----------------------------------------------------------------

# The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$CVP_ROOT/Cargo.lock"
}

# cargo_tool <binary> <crate> <version> [cargo install flags...]
cargo_tool() {
  local bin=$1 crate=$2 version=$3
  shift 3
  local have
  have=$("$bin" --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$version" ] && return 0
  say "installing $crate $version with cargo install (a few minutes, once)"
  # These are build tools, not what we ship: skip the fat LTO and single codegen unit their
  # release profiles ask for (trunk's alone adds minutes of linking on 2 cores).
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    "$CVP_CARGO" install "$crate" --version "=$version" "$@" >&2 ||
    die "cargo install $crate $version failed" "See the compiler output above; try: cargo install $crate --version =$version"
}

ensure_tools() {
  local wb
  wb=$(locked_wasm_bindgen)
  [ -n "$wb" ] || die "Cargo.lock names no wasm-bindgen version" "Run: cargo generate-lockfile"
  # --locked: Trunk's own lock keeps its CSS crates on compatible versions.
  cargo_tool trunk trunk "$TRUNK_VERSION" --locked
  # Not --locked: wasm-bindgen-cli's lock names a webpki-roots release the registry lacks.
  cargo_tool wasm-bindgen wasm-bindgen-cli "$wb"
  cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"
}

# --- Browser and Node ----------------------------------------------------------------------

ensure_browser() {
  if [ -z "${CHROME_BIN:-}" ]; then
    if is_debian_like; then
      apt_install "${DEBIAN_BROWSER_PACKAGES[@]}"
      CHROME_BIN=/usr/bin/chromium
    else
      CHROME_BIN=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
    fi
  fi
  [ -x "${CHROME_BIN:-}" ] || die "no Chromium found" "Install Chromium and ChromeDriver of the same version, or set CHROME_BIN and CHROMEDRIVER."
  CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
  [ -x "$CHROMEDRIVER" ] || die "no chromedriver found" "sudo apt-get install chromium-driver (or set CHROMEDRIVER)"
  export CHROME_BIN CHROMEDRIVER
}

ensure_node_packages() {
  command -v node >/dev/null || apt_install nodejs npm
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "Node.js $major is too old for the end-to-end tests" "Install Node.js 18 or newer."
  local stamp="$CVP_ROOT/tests/node_modules/.lock-stamp"
  local want
  want=$(sha256sum "$CVP_ROOT/tests/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing the end-to-end tests' npm packages (npm ci)"
    (cd "$CVP_ROOT/tests" && npm ci --no-audit --no-fund >&2) || die "npm ci failed in tests/" "Check that the npm registry is reachable."
    echo "$want" >"$stamp"
  fi
}

# --- Running wasm builds ---------------------------------------------------------------------

# cvp_wasm <command...>: runs a wasm build with std rebuilt for atomics. Only wasm builds get
# build-std; the target flags themselves come from .cargo/config.toml.
cvp_wasm() {
  CARGO_UNSTABLE_BUILD_STD=panic_abort,std "$@"
}

cvp_setup() {
  local what=${1:-all}
  choose_toolchain
  ensure_tools
  if [ "$what" = all ]; then
    ensure_browser
    ensure_node_packages
  fi
  say "ready"
}
