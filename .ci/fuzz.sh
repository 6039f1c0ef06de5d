#!/usr/bin/env bash
# Builds every fuzz target and runs each for FUZZ_SECONDS (default 15) from the
# committed seeds. cargo-fuzz is built once per machine into LOYALTY_TOOLS.
# The machine has only the stable toolchain: RUSTC_BOOTSTRAP lets cargo-fuzz
# pass its flags, and without a sanitizer runtime we fuzz for panics and
# failed assertions (the code has no unsafe to check for memory errors).
set -euo pipefail
cd "$(dirname "$0")/../loyalty-core/fuzz"
export LOYALTY_TOOLS="${LOYALTY_TOOLS:-/opt/loyalty-tools}"
export PATH="$LOYALTY_TOOLS/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  env -u CARGO_TARGET_DIR cargo install cargo-fuzz --version =0.13.2 --locked --root "$LOYALTY_TOOLS"
fi
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-15}"
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  log="$(mktemp)"
  if ! cargo fuzz run --sanitizer none -O "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$seconds" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $target FAILED (the crashing input is under loyalty-core/fuzz/artifacts/$target)"
    exit 1
  fi
  grep -E '^Done' "$log" || true
  rm -f "$log"
done
