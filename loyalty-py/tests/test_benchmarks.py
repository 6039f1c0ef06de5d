"""Batch quoting speed, on the criterion benchmark's own program and orders.

Timing is off by default (each benchmark then runs once, as a smoke test):
    cargo run --release -p loyalty-benches --example export_bench_data -- target/bench-data
    LOYALTY_BENCH_DATA=target/bench-data pytest loyalty-py/tests/test_benchmarks.py --benchmark-enable
"""

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import loyalty

DATA = os.environ.get("LOYALTY_BENCH_DATA")
pytestmark = pytest.mark.skipif(DATA is None, reason="LOYALTY_BENCH_DATA is not set (see module docstring)")


def load(name: str) -> Any:
    assert DATA is not None
    return json.loads((Path(DATA) / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("lines", [10, 200])
def test_quote_many(benchmark: Any, lines: int) -> None:
    program = loyalty.Program.from_dict(load("program.json"))
    requests = load(f"requests-{lines}.json")
    quotes = benchmark(program.quote_many, requests)
    assert len(quotes) == len(requests)
    assert all(q.total > Decimal(0) for q in quotes)
    # The same answers as quoting one by one.
    assert [q.total for q in quotes] == [program.quote_request(r).total for r in requests]
