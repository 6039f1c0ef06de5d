"""Every insights vector under tests/vectors/insights, run through the Python binding.

A vector runs `stats`, `triggers` and `report` steps against one program
(see tests/README.md); the calls keep no state, so each step stands alone. As in the Rust runner
(`tests/src/vectors.rs::run_insights`), each step's envelope, `{"result":
<answer>}` or `{"error": {"kind", "errors": [{"code", "path"}]}}`, is written
as canonical JSON and compared with the canonical form of the step's `expect`.

A `stats` step goes through `Program.customer_stats(orders, as_of)`; a
request that call cannot carry (a missing `as_of`, an unknown key, orders
that are not a list) goes through `customer_stats_request` as it is, so the
core sees the same request as in the Rust runner. A `triggers` step goes
through `Program.triggers_request(request)` as it is, and a `report` step
through `Program.report_request(request)` as it is (no books: vectors carry
none). A step with a result whose request the keyword call can carry is also
run with its orders (or its customers) as a `pyarrow.Table` and as a
`pandas.DataFrame`. A malformed file
fails its test, a step of an op the runner does not know fails it too (never
skipped), and so does a missing vectors folder.
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
OPS: dict[str, set[str]] = {"stats": {"request"}, "triggers": {"request"}, "report": {"request"}}


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


def _trigger_keywords(request: Any) -> bool:
    """Whether a trigger request is what `Program.triggers`'s arguments carry
    (and its customers can be the rows of a table)."""
    return (
        isinstance(request, dict)
        and "customers" in request
        and set(request) <= {"customers", "date", "at", "seed"}
        and isinstance(request["customers"], list)
        and all(isinstance(c, dict) for c in request["customers"])
        and all(isinstance(request[k], str) for k in ("date", "at", "seed") if k in request)
    )


def _report_keywords(request: Any) -> bool:
    """Whether a report request is what `Program.report`'s arguments carry
    (and its orders can be the rows of a table)."""
    return (
        isinstance(request, dict)
        and {"from", "to", "orders"} <= set(request) <= {"from", "to", "orders", "customers", "top"}
        and isinstance(request["orders"], list)
        and all(isinstance(o, dict) for o in request["orders"])
    )


def run_step(program: loyalty.Program, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope; an op without a call here
    fails (a vector of a new op must not pass unrun)."""
    calls: dict[str, Callable[[], Any]] = {
        "stats": lambda: _stats(program, step["request"]),
        "triggers": lambda: program.triggers_request(step["request"]),
        "report": lambda: program.report_request(step["request"]),
    }
    if step["op"] not in calls:
        raise MalformedVector(f"op {step['op']!r} has no call in the Python runner")
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


def arrow_rows(rows: list[dict[str, Any]]) -> Any:
    """Orders (or customers) as a `pyarrow.Table`, one column per key any row
    has (None where a row has not); lists of dicts become list<struct> columns."""
    keys = list(dict.fromkeys(k for o in rows for k in o))
    return pa.table({k: [_text(o.get(k)) for o in rows] for k in keys})


def _table_call(program: loyalty.Program, step: dict[str, Any]) -> Callable[[Any], Any] | None:
    """How a step's rows go in as a table, and which rows: None when its request
    is not what the keyword call carries."""
    request = step["request"]
    if step["op"] == "stats" and _keywords(request):
        return lambda data: program.customer_stats(data, request["as_of"])
    if step["op"] == "triggers" and _trigger_keywords(request):
        return lambda data: program.triggers(
            data, date=request.get("date"), at=request.get("at"), seed=request.get("seed")
        )
    if step["op"] == "report" and _report_keywords(request):
        return lambda data: program.report(
            data, request["from"], request["to"], customers=request.get("customers"), top=request.get("top")
        )
    return None


@pytest.mark.parametrize("path", INSIGHT_FILES, ids=[_id(p) for p in INSIGHT_FILES])
def test_insight_vector_from_tables(path: pathlib.Path) -> None:
    """The orders (customers) of every step with a result, as a pyarrow Table
    and as a pandas DataFrame, give the vector's result."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    program = load_program(doc)
    for i, step in enumerate(doc["steps"]):
        call = _table_call(program, step)
        if "result" not in step["expect"] or call is None:
            continue
        rows = step["request"]["customers" if step["op"] == "triggers" else "orders"]
        expected = canonical(step["expect"]["result"])
        for data in (arrow_rows(rows), pd.DataFrame(rows)):
            actual = canonical(call(data))
            assert actual == expected, f"steps[{i}] ({step['op']}) from a {type(data).__name__}"


# --- the runner itself: a malformed file fails, it is never skipped -------------

_ORDER = {"id": "o-1", "customer": "c-1", "at": "2026-03-02T08:15:00+03:00", "amount": "42.50"}


_UNKNOWN_SPLIT = [{"name": "unknown", "orders": 1, "amount": "42.50", "share": "1"}]
_TOP = [{"customer": "c-1", "visits": 1, "spend": "42.50"}]
# One order, on Monday 2 March at 08:15 local, naming no payment, channel or profile.
_REPORT = {
    "from": "2026-03-01",
    "to": "2026-03-31",
    "orders": 1,
    "customers": 1,
    "revenue": "42.50",
    "average_basket": "42.50",
    "orders_per_customer": "1",
    "weekday_hour": [[1 if (day, hour) == (0, 8) else 0 for hour in range(24)] for day in range(7)],
    "busiest_weekday": 1,
    "busiest_hour": 8,
    "payments": _UNKNOWN_SPLIT,
    "channels": _UNKNOWN_SPLIT,
    "ages": [
        {"name": band, "count": 1 if band == "unknown" else 0}
        for band in ["under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus", "unknown"]
    ],
    "genders": [{"name": "unknown", "count": 1}],
    "top_visitors": _TOP,
    "top_spenders": _TOP,
    "credit": {"customers": 0, "orders": 0, "amount": "0.00", "top": []},
    "coupons": {"orders": 0, "discount": "0.00", "campaigns": []},
}


def _minimal() -> dict[str, Any]:
    return {
        "description": "d",
        "program": {
            "schema_version": 1,
            "id": "p",
            "currency": "SAR",
            "time_zone": "Asia/Riyadh",
            "triggers": {"birthday": {"lead_days": 0}},
        },
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
                        "segments": [
                            {"segment": name, "customers": 1 if name == "new" else 0}
                            for name in ["new", "lapsed", "one_time", "vip", "loyal", "at_risk", "hibernating", "regular"]
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
            {
                "op": "triggers",
                "request": {"date": "2026-03-03", "customers": [{"id": "c-1", "birth_date": "1990-03-03"}]},
                "expect": {
                    "result": {
                        "triggers": [
                            {
                                "customer": "c-1",
                                "kind": "birthday",
                                "date": "2026-03-03",
                                "on": "2026-03-03",
                                "details": [{"kind": "years", "value": "36"}],
                            }
                        ]
                    }
                },
            },
            {
                "op": "triggers",
                "request": {"customers": [{"id": "c-1", "time_zone": "Asia/Nowhere"}], "at": "2026-03-03T00:00:00Z"},
                "expect": {
                    "error": {"kind": "request", "errors": [{"code": "invalid_time_zone", "path": "customers[0].time_zone"}]}
                },
            },
            {
                "op": "report",
                # The second order is at 23:30 local the day before the first: out.
                "request": {
                    "from": "2026-03-01",
                    "to": "2026-03-31",
                    "orders": [_ORDER, {**_ORDER, "id": "o-2", "at": "2026-02-28T20:30:00Z"}],
                },
                "expect": {"result": _REPORT},
            },
            {
                "op": "report",
                "request": {"from": "2026-03-32", "to": "2026-03-31", "orders": []},
                "expect": {"error": {"kind": "request", "errors": [{"code": "invalid_timestamp", "path": "from"}]}},
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
        lambda d: d["steps"][0].update(op="forecast"),
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
    doc["steps"][3]["expect"]["result"]["triggers"][0]["on"] = "2026-03-04"
    first, second = run_vector(doc)
    assert first.startswith("steps[0] (stats):")
    assert second.startswith("steps[3] (triggers):")


def test_triggers_steps_go_through_triggers_request() -> None:
    """The whole request reaches the core, so a key the keyword call has no
    argument for is the core's unknown_field, as in the Rust runner."""
    program = load_program(_minimal())
    step = {"op": "triggers", "request": {"customers": [], "date": "2026-03-03", "day": "x"}}
    assert not _trigger_keywords(step["request"])
    assert run_step(program, step) == {
        "error": {"kind": "request", "errors": [{"code": "unknown_field", "path": "day"}]}
    }
    assert run_step(program, {"op": "triggers", "request": []}) == {
        "error": {"kind": "request", "errors": [{"code": "invalid_type", "path": ""}]}
    }
    assert _trigger_keywords({"customers": [{"id": "c"}], "at": "x", "seed": "1"})
    assert not _trigger_keywords({"customers": [{"id": "c"}], "seed": 1})
    assert not _trigger_keywords({"customers": ["c"], "date": "x"})


def test_report_steps_go_through_report_request() -> None:
    """The whole request reaches the core (no books), so a key the keyword
    call has no argument for is the core's unknown_field, as in the Rust
    runner; a report step with a result also runs from tables."""
    program = load_program(_minimal())
    step = {"op": "report", "request": {"from": "2026-03-01", "to": "2026-03-31", "orders": [], "as_of": "x"}}
    assert not _report_keywords(step["request"])
    assert run_step(program, step) == {
        "error": {"kind": "request", "errors": [{"code": "unknown_field", "path": "as_of"}]}
    }
    assert run_step(program, {"op": "report", "request": None}) == {
        "error": {"kind": "request", "errors": [{"code": "invalid_type", "path": ""}]}
    }
    assert _report_keywords({"from": "a", "to": "b", "orders": [{"id": "o"}], "customers": [], "top": 3})
    assert not _report_keywords({"from": "a", "orders": []})
    assert not _report_keywords({"from": "a", "to": "b", "orders": ["o"]})
    doc = _minimal()
    report_step = doc["steps"][5]
    call = _table_call(program, report_step)
    assert call is not None
    rows = report_step["request"]["orders"]
    for data in (arrow_rows(rows), pd.DataFrame(rows)):
        assert canonical(call(data)) == canonical(_REPORT)


def test_an_op_the_runner_cannot_call_fails_never_skips() -> None:
    """Both the shape check and the runner itself refuse an op they do not know."""
    program = load_program(_minimal())
    with pytest.raises(MalformedVector, match="forecast"):
        run_step(program, {"op": "forecast", "request": {}, "expect": {"result": None}})
    doc = _minimal()
    doc["steps"][3]["op"] = "trigger"
    with pytest.raises(MalformedVector, match="unknown op 'trigger'"):
        check_vector(doc)

