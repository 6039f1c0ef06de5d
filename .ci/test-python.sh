#!/usr/bin/env bash
# Builds the loyalty Python wheel, checks that it installs into a clean venv,
# then runs the pytest suite and stubtest against the installed wheel.
# Idempotent; run from the repository root. Works non-interactively (CI=true).
set -euo pipefail

cd "$(git rev-parse --show-toplevel 2>/dev/null || pwd)"
[ -f loyalty-py/Cargo.toml ] || { echo "run from the repository root" >&2; exit 2; }

PYTHON="${PYTHON:-python3}"
VENV="${LOYALTY_VENV:-$PWD/.venv}"
CLEAN_VENV="$PWD/target/py-clean-venv"
WHEEL_DIR="$PWD/target/wheels"
TOOLS=(maturin==1.16.0 pytest==9.2.0 mypy==2.4.1 pytest-benchmark==5.3.1)
# Table inputs of Program.dedupe (tests/test_merge_api.py); wheels for CPython 3.11 x86_64.
TOOLS+=(pyarrow==26.0.1 pandas==3.1.1)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

step() { printf '\n==> %s\n' "$*"; }

# 1. Tools, installed only when missing.
if [ ! -x "$VENV/bin/python" ]; then
    step "creating venv $VENV"
    "$PYTHON" -m venv "$VENV"
fi
installed="$("$VENV/bin/python" -m pip freeze 2>/dev/null || true)"
missing=()
for tool in "${TOOLS[@]}"; do
    grep -qixF "$tool" <<<"$installed" || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    step "installing ${missing[*]}"
    "$VENV/bin/python" -m pip install --quiet "${missing[@]}" </dev/null
fi

# 2. The abi3 wheel (old loyalty wheels removed so exactly one is picked up).
step "maturin build --release"
mkdir -p "$WHEEL_DIR"
rm -f "$WHEEL_DIR"/loyalty-*.whl
"$VENV/bin/maturin" build --release -m loyalty-py/Cargo.toml -o "$WHEEL_DIR" </dev/null
wheels=("$WHEEL_DIR"/loyalty-*.whl)
[ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] || { echo "expected one wheel, found: ${wheels[*]}" >&2; exit 1; }
WHEEL="${wheels[0]}"
case "$(basename "$WHEEL")" in
    *-abi3-*) ;;
    *) echo "not an abi3 wheel: $WHEEL" >&2; exit 1 ;;
esac

# 3. The wheel installs with pip into a clean venv and imports.
step "installing $(basename "$WHEEL") into a clean venv"
rm -rf "$CLEAN_VENV"
"$PYTHON" -m venv "$CLEAN_VENV"
"$CLEAN_VENV/bin/python" -m pip install --quiet --no-index "$WHEEL" </dev/null
(cd "$CLEAN_VENV" && ./bin/python -c "import loyalty; print('loyalty', loyalty.__version__, 'imports from a clean venv')")

# 4. Tests and stubs against the installed wheel.
step "benchmark inputs (the criterion benchmark's program and orders)"
export LOYALTY_BENCH_DATA="$PWD/target/bench-data"
cargo run --quiet --release --locked -p loyalty-benches --example export_bench_data -- "$LOYALTY_BENCH_DATA" </dev/null

step "pytest"
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$WHEEL" </dev/null
"$VENV/bin/python" -m pytest loyalty-py/tests -p no:cacheprovider </dev/null

step "stubtest"
# From an empty folder, so nothing in the working directory shadows the installed package.
mkdir -p target/py-stubtest
(cd target/py-stubtest && "$VENV/bin/python" -m mypy.stubtest loyalty) </dev/null

step "mypy --strict on the tests (the stubs are usable as written)"
(cd loyalty-py/tests && "$VENV/bin/python" -m mypy --strict --cache-dir "$OLDPWD/target/py-mypy-cache" .) </dev/null

step "python binding: all checks passed"
