"""Every insights vector under tests/vectors/insights, run through the Python binding.

A vector runs `stats` steps against one program (see tests/README.md); the
calls keep no state, so each step stands alone. As in the Rust runner
(`tests/src/vectors.rs::run_insights`), each step's envelope, `{"result":
<answer>}` or `{"error": {"kind", "errors": [{"code", "path"}]}}`, is written
as canonical JSON and compared with the canonical form of the step's `expect`.

A `stats` step goes through `Program.customer_stats(orders, as_of)`; a
request that call cannot carry (a missing `as_of`, an unknown key, orders
that are not a list) goes through `customer_stats_request` as it is, so the
core sees the same request as in the Rust runner. A step with a result is also
run with its orders as a `pyarrow.Table` and as a `pandas.DataFrame`. A
malformed file fails its test, and so does a missing vectors folder.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from canonical_json import canonical
from step_vectors import MalformedVector, check_steps, envelope, load_program, mismatches, vector_files

import loyalty

INSIGHTS_DIR, INSIGHT_FILES = vector_files("insights")

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {"stats": {"request"}}


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of an insights vector."""
    check_steps(doc, OPS, ["request"])


def _keywords(request: Any) -> bool:
    """Whether a stats request is what `Program.customer_stats`'s arguments carry."""
    return (
        isinstance(request, dict)
        and set(request) == {"orders", "as_of"}
        and isinstance(request["orders"], list)
        and isinstance(request["as_of"], str)
    )


def _stats(program: loyalty.Program, request: Any) -> Any:
    if _keywords(request):
        return program.customer_stats(request["orders"], request["as_of"])
    return program.customer_stats_request(request)


def run_step(program: loyalty.Program, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {"stats": lambda: _stats(program, step["request"])}
    return envelope(calls[step["op"]])


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run); returns the mismatches."""
    program = load_program(doc)
    return mismatches(doc["steps"], lambda step: run_step(program, step))


def _id(path: pathlib.Path) -> str:
    return path.stem


def test_insight_vectors_are_found() -> None:
    assert INSIGHT_FILES, f"no insights vectors under {INSIGHTS_DIR}"


@pytest.mark.parametrize("path", INSIGHT_FILES, ids=[_id(p) for p in INSIGHT_FILES])
def test_insight_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    mismatches = run_vector(doc)
    assert not mismatches, "\n".join(mismatches)


def _text(value: Any) -> Any:
    """Integers (a vector may write an amount as a JSON integer) as decimal
    text, which means the same to the core, so that an Arrow column has one type."""
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def arrow_orders(orders: list[dict[str, Any]]) -> Any:
    """The orders as a `pyarrow.Table`, one column per key any order has (None where an order has not)."""
    keys = list(dict.fromkeys(k for o in orders for k in o))
    return pa.table({k: [_text(o.get(k)) for o in orders] for k in keys})


@pytest.mark.parametrize("path", INSIGHT_FILES, ids=[_id(p) for p in INSIGHT_FILES])
def test_insight_vector_from_tables(path: pathlib.Path) -> None:
    """The orders of every step with a result, as a pyarrow Table and as a
    pandas DataFrame, give the vector's result."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    program = load_program(doc)
    for i, step in enumerate(doc["steps"]):
        request = step["request"]
        if "result" not in step["expect"] or not _keywords(request):
            continue
        expected = canonical(step["expect"]["result"])
        for data in (arrow_orders(request["orders"]), pd.DataFrame(request["orders"])):
            actual = canonical(program.customer_stats(data, request["as_of"]))
            assert actual == expected, f"steps[{i}] from a {type(data).__name__}"


# --- the runner itself: a malformed file fails, it is never skipped -------------

_ORDER = {"id": "o-1", "customer": "c-1", "at": "2026-03-02T08:15:00+03:00", "amount": "42.50"}


def _minimal() -> dict[str, Any]:
    return {
        "description": "d",
        "program": {"schema_version": 1, "id": "p", "currency": "SAR", "time_zone": "Asia/Riyadh"},
        "steps": [
            {
                "op": "stats",
                "request": {"orders": [_ORDER], "as_of": "2026-03-15T00:00:00+03:00"},
                "expect": {
                    "result": {
                        "as_of": "2026-03-15T00:00:00+03:00",
                        "customers": [
                            {
                                "customer": "c-1",
                                "visits": 1,
                                "first_purchase": "2026-03-02T08:15:00+03:00",
                                "last_purchase": "2026-03-02T08:15:00+03:00",
                                "days_since_last": 12,
                                "total_spend": "42.50",
                                "average_spend": "42.50",
                                "visits_per_week": "0.55",
                                "favourite_categories": [],
                                "favourite_products": [],
                                "preferred_weekday": 1,
                                "preferred_hour": 8,
                                "points_share": "0",
                                "coupon_share": "0",
                                "rfm": {"recency": 5, "frequency": 5, "monetary": 5, "segment": "new"},
                            }
                        ],
                        "later_orders": 0,
                    }
                },
            },
            {
                "op": "stats",
                "request": {"orders": [{**_ORDER, "at": "yesterday"}], "as_of": "2026-03-15T00:00:00+03:00"},
                "expect": {
                    "error": {"kind": "request", "errors": [{"code": "invalid_timestamp", "path": "orders[0].at"}]}
                },
            },
            {
                "op": "stats",
                "request": {"orders": []},
                "expect": {"error": {"kind": "request", "errors": [{"code": "missing_field", "path": "as_of"}]}},
            },
        ],
    }


def test_minimal_vector_runs() -> None:
    doc = _minimal()
    check_vector(doc)
    assert run_vector(doc) == []


def test_requests_the_arguments_cannot_carry_go_whole() -> None:
    assert _keywords({"orders": [], "as_of": "x"})
    assert not _keywords({"orders": []})
    assert not _keywords({"orders": [], "as_of": "x", "extra": 1})
    assert not _keywords({"orders": {}, "as_of": "x"})
    assert not _keywords({"orders": [], "as_of": 5})
    program = load_program(_minimal())
    extra = run_step(program, {"op": "stats", "request": {"orders": [], "as_of": "2026-03-15T00:00:00Z", "x": 1}})
    assert extra == {"error": {"kind": "request", "errors": [{"code": "unknown_field", "path": "x"}]}}


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("steps"),
        lambda d: d.update(steps=[]),
        lambda d: d.pop("description"),
        lambda d: d.update(description=" "),
        lambda d: d.update(program_toml="x"),
        lambda d: d.update(extra=1),
        lambda d: d["steps"][0].update(op="report"),
        lambda d: d["steps"][0].pop("request"),
        lambda d: d["steps"][0].update(orders=[]),
        lambda d: d["steps"][0].pop("expect"),
        lambda d: d["steps"][0].update(expect={"result": {}, "error": {}}),
        lambda d: d["steps"][0].update(expect={"stats": {}}),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "ledger", "errors": [{"code": "x", "path": ""}]}}),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "request", "errors": [{"code": "x"}]}}),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "request", "errors": []}}),
    ],
)
def test_malformed_vector_is_reported(change: Callable[[dict[str, Any]], Any]) -> None:
    doc = _minimal()
    change(doc)
    with pytest.raises(MalformedVector):
        check_vector(doc)


def test_malformed_file_fails_the_test(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"description": "d", "steps": [', encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        test_insight_vector(bad)
    bad.write_text(json.dumps({**_minimal(), "steps": [{"op": "nope", "expect": {"result": None}}]}), encoding="utf-8")
    with pytest.raises(MalformedVector):
        test_insight_vector(bad)


def test_mismatch_is_reported_with_the_step() -> None:
    doc = _minimal()
    doc["steps"][0]["expect"]["result"]["later_orders"] = 1
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[0] (stats):")

