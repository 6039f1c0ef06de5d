#!/usr/bin/env bash
# Runs every test suite: Rust (fmt, clippy, unit, properties, conformance, doc),
# Python (wheel in a clean venv, pytest, stubtest) and WASM (Node, tsc, Chromium).
# Installs what it needs, idempotently; tools that take minutes to build go to
# a machine-level folder outside the clone (LOYALTY_TOOLS, default /opt/loyalty-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
export LOYALTY_TOOLS="${LOYALTY_TOOLS:-/opt/loyalty-tools}"
export PATH="$LOYALTY_TOOLS/bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "rust: format and lints"
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rust: unit, property, conformance and doc tests"
cargo test --workspace --locked

step "demo (README command 1) on a small population"
demo_report="target/demo/report.html"
rm -f "$demo_report"
demo_out="$(cargo run --quiet --locked -p loyalty-testkit --bin demo -- --customers 300 --report "$demo_report" </dev/null)"
grep -q '^Points issued' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no summary"; exit 1; }
grep -q '^Profiles merged' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no profile-merging summary"; exit 1; }
grep -Eq '^ +customers +[0-9,]+ ' <<<"$demo_out" || { echo "$demo_out"; echo "the demo's merge block lacks its customer count"; exit 1; }
grep -Eq '^ +quotes failed +0$' <<<"$demo_out" || { echo "$demo_out"; echo "the demo had failed quotes"; exit 1; }
grep -Eq '^ +events refused +0$' <<<"$demo_out" || { echo "$demo_out"; echo "the ledger refused demo events"; exit 1; }
grep -Eq '^ +books balance +yes' <<<"$demo_out" || { echo "$demo_out"; echo "the demo ledger does not balance"; exit 1; }
grep -q '^Membership tiers as of' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no tier summary"; exit 1; }
grep -Eq '^ +platinum +[0-9,]+ ' <<<"$demo_out" || { echo "$demo_out"; echo "the demo's tier table lacks a tier"; exit 1; }
grep -Eq '^ +tier events refused +0$' <<<"$demo_out" || { echo "$demo_out"; echo "the tier book refused demo events"; exit 1; }
grep -q '^Coupons (' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no coupon summary"; exit 1; }
grep -Eq '^ +coupon errors +0$' <<<"$demo_out" || { echo "$demo_out"; echo "apply_coupons refused demo requests as errors"; exit 1; }
grep -q '^Referrals' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no referral summary"; exit 1; }
grep -Eq '^ +self_referral +[1-9][0-9,]*( |$)' <<<"$demo_out" || { echo "$demo_out"; echo "the demo's referral book refused no self-referral"; exit 1; }
grep -Eq '^ +referral errors +0$' <<<"$demo_out" || { echo "$demo_out"; echo "the referral book refused demo events as errors"; exit 1; }
grep -q '^Insights as of' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no insights summary"; exit 1; }
grep -Eq '^ +segments +new [0-9,]+ ' <<<"$demo_out" || { echo "$demo_out"; echo "the demo's insights lack the segment sizes"; exit 1; }
grep -q '^Lifecycle triggers due on' <<<"$demo_out" || { echo "$demo_out"; echo "the demo printed no lifecycle triggers"; exit 1; }
grep -q "^HTML report written to $demo_report" <<<"$demo_out" && [ -s "$demo_report" ] || { echo "$demo_out"; echo "the demo wrote no HTML report"; exit 1; }
echo "demo: profiles merged, summary printed, no failed quotes, ledger balances, tier book took every event, no coupon errors, referrals settled without errors, insights and the HTML report written (rendered in Chromium with the wasm suite)"

step "rust: benchmarks compile"
cargo bench -p loyalty-benches --no-run --locked

step "fuzz: every parser and ffi entry point"
bash .ci/fuzz.sh

step "python"
bash .ci/test-python.sh

step "wasm: node, typescript, chromium"
bash .ci/test-wasm.sh

step "all suites passed"
