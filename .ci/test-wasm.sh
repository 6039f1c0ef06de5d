#!/usr/bin/env bash
# WASM binding: build, optimize, generate the TypeScript types from the core's
# JSON Schemas, type-check, run every conformance vector under Node and in
# headless Chromium, and print the size of the web build.
#
# Run from anywhere (it works from the repo root); needs no stdin; idempotent.
# Tools that take minutes to build go to a machine-level folder outside the
# clone (LOYALTY_TOOLS, default /opt/loyalty-tools) so later runs reuse them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export LOYALTY_TOOLS="${LOYALTY_TOOLS:-/opt/loyalty-tools}"
export PATH="$LOYALTY_TOOLS/bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
export DEBIAN_FRONTEND=noninteractive

JS="$ROOT/loyalty-wasm/js"
PKG="$ROOT/loyalty-wasm/pkg"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

step() { printf '\n==> wasm: %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

step "tools"
command -v node >/dev/null || die "node (20 or later) is required"
command -v npm >/dev/null || die "npm is required"
rustup target list --installed | grep -qx wasm32-unknown-unknown ||
  rustup target add wasm32-unknown-unknown

# The CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)"
[ -n "$WB_VERSION" ] || die "wasm-bindgen is not in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]; then
  # Without --locked: the CLI's own lock pins a crate version the registry lacks.
  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "=$WB_VERSION" --root "$LOYALTY_TOOLS"
fi
[ "$(wasm-bindgen --version)" = "wasm-bindgen $WB_VERSION" ] || die "wasm-bindgen $WB_VERSION not on PATH"

if [ ! -x "$CHROMIUM" ] || [ ! -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ]; then
  as_root apt-get update
  as_root apt-get install -y chromium chromium-driver
fi

# npm ci only when the lock changed since the last install (it wipes node_modules).
LOCK_SUM="$(sha256sum "$JS/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$JS/node_modules/.loyalty-lock-sha256" 2>/dev/null || true)" != "$LOCK_SUM" ]; then
  (cd "$JS" && npm ci --no-audit --no-fund)
  echo "$LOCK_SUM" >"$JS/node_modules/.loyalty-lock-sha256"
fi

step "clippy for wasm32 (the workspace run checks the native build)"
cargo clippy --locked -p loyalty-wasm --all-targets --target wasm32-unknown-unknown -- -D warnings

step "build (wasm-release)"
cargo build --locked --target wasm32-unknown-unknown --profile wasm-release -p loyalty-wasm
TARGET_DIR="$(cargo metadata --locked --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
WASM="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/loyalty_wasm.wasm"
[ -f "$WASM" ] || die "no $WASM"

step "wasm-bindgen $WB_VERSION (nodejs, web) and wasm-opt -Oz"
rm -rf "$PKG/node" "$PKG/web" "$PKG/schemas"
for target in nodejs web; do
  out="$PKG/${target/nodejs/node}"
  wasm-bindgen --target "$target" --remove-name-section --out-dir "$out" "$WASM"
  (cd "$JS" && npx --no-install wasm-opt -Oz "$out/loyalty_wasm_bg.wasm" -o "$out/loyalty_wasm_bg.opt.wasm")
  mv "$out/loyalty_wasm_bg.opt.wasm" "$out/loyalty_wasm_bg.wasm"
done

step "TypeScript types from the core's JSON Schemas"
cargo run -q --locked -p loyalty-testkit --bin export-schemas -- "$PKG/schemas"
(cd "$JS" && node scripts/gen-types.mjs "$PKG/schemas" "$PKG/types.d.ts")
cp "$PKG/types.d.ts" "$PKG/node/types.d.ts"
cp "$PKG/types.d.ts" "$PKG/web/types.d.ts"
(cd "$JS" && npx --no-install tsc --noEmit -p tsconfig.json)
echo "tsc: generated declarations and types-check.ts compile"

step "node --test (nodejs build)"
(cd "$JS" && node --test --test-reporter=spec test/*.test.mjs)

step "wasm-bindgen-test: Node, then headless Chromium through chromedriver"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --locked --target wasm32-unknown-unknown -p loyalty-wasm --tests
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  cargo test --locked --target wasm32-unknown-unknown -p loyalty-wasm --tests

step "headless chromium page (web build)"
(cd "$JS" && CHROMIUM="$CHROMIUM" node scripts/chromium.mjs)

step "headless chromium: the demo's HTML report renders its charts, offline"
report="$ROOT/target/demo/report.html"
if [ ! -s "$report" ]; then
  cargo run --quiet --locked -p loyalty-testkit --bin demo -- --customers 300 --report "$report" </dev/null >/dev/null
fi
(cd "$JS" && CHROMIUM="$CHROMIUM" node scripts/report-screenshot.mjs "$report" "$ROOT/target/demo/report.png")

step "size of the web build"
RAW="$(wc -c <"$PKG/web/loyalty_wasm_bg.wasm")"
GZ="$(gzip -9 -c "$PKG/web/loyalty_wasm_bg.wasm" | wc -c)"
echo "loyalty_wasm_bg.wasm: ${RAW} bytes raw, ${GZ} bytes gzipped (-9)"
