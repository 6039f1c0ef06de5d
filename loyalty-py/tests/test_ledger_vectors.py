"""Every ledger vector under tests/vectors/ledger, run through the Python binding.

A vector drives one `loyalty.Ledger` through its steps (see "Ledger vectors" in
tests/README.md). Each step's envelope, `{"result": <answer>}` or
`{"error": {"kind", "errors": [{"code", "path"}]}}`, is written as canonical
JSON and compared with the canonical form of the step's `expect`. A malformed
file fails its test; no files at all is a skip.
"""

from __future__ import annotations

import decimal
import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from canonical_json import canonical
from step_vectors import MalformedVector, check_steps, envelope, load_program, mismatches, vector_files

import loyalty

LEDGER_DIR, LEDGER_FILES = vector_files("ledger")

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {
    "post": {"event"},
    "balance": {"account", "at"},
    "lots": {"account", "at"},
    "expiring": {"account", "at", "days"},
    "statement": {"account", "at"},
    "pay": {"request"},
    "earn_event": {"request", "account", "id"},
}


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of a ledger vector."""
    for i, step in enumerate(check_steps(doc, OPS, ["ledger", "request"])):
        where = f"steps[{i}]"
        for key in ("account", "at", "id"):
            if key in step and not isinstance(step[key], str):
                raise MalformedVector(f"{where}: `{key}` must be a string")
        if "days" in step and (not isinstance(step["days"], int) or isinstance(step["days"], bool)):
            raise MalformedVector(f"{where}: `days` must be an integer")


def run_step(program: loyalty.Program, ledger: loyalty.Ledger, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {
        "post": lambda: ledger.post(step["event"]),
        "balance": lambda: ledger.balance(step["account"], step["at"]),
        "lots": lambda: ledger.lots(step["account"], step["at"]),
        "expiring": lambda: ledger.expiring(step["account"], step["at"], step["days"]),
        "statement": lambda: ledger.statement(step["account"], step["at"]),
        "pay": lambda: ledger.pay_with_points(step["request"]),
        "earn_event": lambda: program.earn_event(step["request"], account=step["account"], id=step["id"]),
    }
    answer = envelope(calls[step["op"]])
    if step["op"] == "statement" and "result" in answer:
        _check_statement_rows(ledger, step, answer["result"])
    return answer


def _check_statement_rows(ledger: loyalty.Ledger, step: dict[str, Any], statement: Any) -> None:
    """`statement_rows` carries the same movements, flattened, with Decimal amounts."""
    rows = ledger.statement_rows(step["account"], step["at"])
    movements = statement["movements"]
    assert len(rows) == len(movements)
    for row, m in zip(rows, movements):
        assert row == {
            "at": m["at"],
            "kind": m["kind"],
            "event": m["event"],
            "change": decimal.Decimal(m["change"]),
            "order": m.get("order"),
            "note": m.get("note"),
            "available": decimal.Decimal(m["available"]),
            "pending": decimal.Decimal(m["pending"]),
            "owed": decimal.Decimal(m["owed"]),
            "lots": [{"lot": c["lot"], "points": decimal.Decimal(c["points"])} for c in m["lots"]],
        }
        # Same digits as the core wrote, not just the same value.
        assert [format(row[k], "f") for k in ("change", "available", "pending", "owed")] == [
            m[k] for k in ("change", "available", "pending", "owed")
        ]


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run); returns the mismatches."""
    program = load_program(doc)
    ledger = loyalty.Ledger(program)
    return mismatches(doc["steps"], lambda step: run_step(program, ledger, step))


def _id(path: pathlib.Path) -> str:
    return path.stem


def test_ledger_vectors_are_found() -> None:
    if not LEDGER_FILES:
        pytest.skip(f"no ledger vectors under {LEDGER_DIR} yet")


@pytest.mark.parametrize("path", LEDGER_FILES, ids=[_id(p) for p in LEDGER_FILES])
def test_ledger_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    mismatches = run_vector(doc)
    assert not mismatches, "\n".join(mismatches)


# --- the checker itself: a malformed file fails, it is never skipped -------------


def _minimal() -> dict[str, Any]:
    return {
        "description": "d",
        "program": {"schema_version": 1, "id": "p", "currency": "SAR", "time_zone": "Asia/Riyadh"},
        "steps": [{"op": "lots", "account": "m", "at": "2026-01-01T00:00:00Z", "expect": {"result": []}}],
    }


def test_minimal_vector_runs() -> None:
    doc = _minimal()
    check_vector(doc)
    assert run_vector(doc) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("steps"),
        lambda d: d.update(steps=[]),
        lambda d: d.pop("description"),
        lambda d: d.update(program_toml="x"),
        lambda d: d.update(extra=1),
        lambda d: d["steps"][0].update(op="delete"),
        lambda d: d["steps"][0].pop("at"),
        lambda d: d["steps"][0].update(days=3),
        lambda d: d["steps"][0].pop("expect"),
        lambda d: d["steps"][0].update(expect={"result": [], "error": {}}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "program", "errors": [{"code": "x", "path": ""}]}}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "ledger", "errors": [{"code": "x"}]}}),
        lambda d: d["steps"][0].update(at=1),
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
        test_ledger_vector(bad)
    bad.write_text(json.dumps({**_minimal(), "steps": [{"op": "nope", "expect": {"result": None}}]}), encoding="utf-8")
    with pytest.raises(MalformedVector):
        test_ledger_vector(bad)


def test_mismatch_is_reported_with_the_step() -> None:
    doc = _minimal()
    doc["steps"].append({"op": "lots", "account": "m", "at": "2026-01-01T00:00:00Z", "expect": {"result": [1]}})
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[1] (lots):")
