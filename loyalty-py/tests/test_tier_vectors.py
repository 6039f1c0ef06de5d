"""Every tier vector under tests/vectors/tiers, run through the Python binding.

A vector drives one `loyalty.Tiers` through its steps, in the envelope style of
the ledger vectors (see "Ledger vectors" in tests/README.md): each step's
envelope, `{"result": <answer>}` or `{"error": {"kind", "errors": [{"code",
"path"}]}}`, is written as canonical JSON and compared with the canonical form
of the step's `expect`. A `check` step's result is the program's warnings as
`{"code", "path"}` (messages left out, as for errors). A malformed file fails
its test; no files at all is a skip.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from canonical_json import canonical
from step_vectors import (
    MalformedVector,
    check_steps,
    code_and_path,
    envelope,
    load_program,
    mismatches,
    vector_files,
)

import loyalty

TIERS_DIR, TIER_FILES = vector_files("tiers")

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {
    "post": {"event"},
    "status": {"account", "at"},
    "history": {"account", "at"},
    "order_tier": {"event"},
    "check": set(),
}


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of a tier vector."""
    for i, step in enumerate(check_steps(doc, OPS, ["tiers"])):
        where = f"steps[{i}]"
        expect = step["expect"]
        if step["op"] == "check" and not ("result" in expect and code_and_path(expect["result"])):
            raise MalformedVector(f"{where}: a `check` step expects {{'result': [{{'code', 'path'}}, ...]}}")
        for key in ("account", "at"):
            if key in step and not isinstance(step[key], str):
                raise MalformedVector(f"{where}: `{key}` must be a string")


def _warnings(program: loyalty.Program) -> list[dict[str, str]]:
    return [{"code": w["code"], "path": w["path"]} for w in program.check()]


def run_step(program: loyalty.Program, tiers: loyalty.Tiers, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {
        "post": lambda: tiers.post(step["event"]),
        "status": lambda: tiers.status(step["account"], step["at"]),
        "history": lambda: tiers.history(step["account"], step["at"]),
        "order_tier": lambda: tiers.order_tier(step["event"]),
        "check": lambda: _warnings(program),
    }
    return envelope(calls[step["op"]])


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run); returns the mismatches."""
    program = load_program(doc)
    tiers = loyalty.Tiers(program)
    return mismatches(doc["steps"], lambda step: run_step(program, tiers, step))


def _id(path: pathlib.Path) -> str:
    return path.stem


def test_tier_vectors_are_found() -> None:
    if not TIER_FILES:
        pytest.skip(f"no tier vectors under {TIERS_DIR} yet")


@pytest.mark.parametrize("path", TIER_FILES, ids=[_id(p) for p in TIER_FILES])
def test_tier_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    mismatches = run_vector(doc)
    assert not mismatches, "\n".join(mismatches)


def _snapshot(tiers: loyalty.Tiers, at: str) -> str:
    return canonical({a: [tiers.status(a, at), tiers.history(a, at)] for a in tiers.accounts()})


@pytest.mark.parametrize("path", TIER_FILES, ids=[_id(p) for p in TIER_FILES])
def test_replay_of_tier_vector_equals_posting(path: pathlib.Path) -> None:
    """`Tiers.replay` of a vector's posted events gives the book posting them one by one gives."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    program = load_program(doc)
    events = [s["event"] for s in doc["steps"] if s["op"] == "post"]
    one = loyalty.Tiers(program)
    for event in events:
        try:
            one.post(event)
        except loyalty.TierError:
            pass
    at = "2040-01-01T00:00:00Z"
    try:
        expected = _snapshot(one, at)
    except loyalty.TierError as e:
        assert e.code == "tiers_not_configured"
        return
    assert _snapshot(loyalty.Tiers.replay(program, events), at) == expected


# --- the checker itself: a malformed file fails, it is never skipped -------------


def _minimal() -> dict[str, Any]:
    return {
        "description": "d",
        "program_toml": (
            'schema_version = 1\nid = "p"\ncurrency = "SAR"\ntime_zone = "Asia/Riyadh"\n'
            '[tiers]\nwindow = "lifetime"\n[[tiers.levels]]\nid = "member"\n'
        ),
        "steps": [
            {
                "op": "history",
                "account": "m",
                "at": "2026-01-01T00:00:00+03:00",
                # Every member holds the base tier, even one never seen.
                "expect": {
                    "result": {"account": "m", "as_of": "2026-01-01T00:00:00+03:00", "tier": "member", "transitions": []}
                },
            },
            {"op": "check", "expect": {"result": []}},
        ],
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
        lambda d: d.update(description=" "),
        lambda d: d.update(program={}),
        lambda d: d.update(program_toml=1),
        lambda d: d.update(extra=1),
        lambda d: d["steps"][0].update(op="balance"),
        lambda d: d["steps"][0].pop("at"),
        lambda d: d["steps"][0].update(event={}),
        lambda d: d["steps"][0].pop("expect"),
        lambda d: d["steps"][0].update(expect={"result": [], "error": {}}),
        lambda d: d["steps"][0].update(expect={"outcome": []}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "ledger", "errors": [{"code": "x", "path": ""}]}}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "tiers", "errors": [{"code": "x"}]}}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "tiers", "errors": []}}),
        lambda d: d["steps"][0].update(at=1),
        lambda d: d["steps"][1].update(account="m"),
        lambda d: d["steps"][1].update(expect={"result": [{"code": "x", "path": "", "message": "m"}]}),
        lambda d: d["steps"][1].update(expect={"result": None}),
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
        test_tier_vector(bad)
    bad.write_text(json.dumps({**_minimal(), "steps": [{"op": "nope", "expect": {"result": None}}]}), encoding="utf-8")
    with pytest.raises(MalformedVector):
        test_tier_vector(bad)


def test_mismatch_is_reported_with_the_step() -> None:
    doc = _minimal()
    doc["steps"].append({"op": "check", "expect": {"result": [{"code": "unknown_tier", "path": "x"}]}})
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[2] (check):")


def test_errors_compare_by_kind_code_and_path() -> None:
    doc = _minimal()
    doc["steps"] = [
        {
            "op": "status",
            "account": "m",
            "at": "soon",
            "expect": {"error": {"kind": "tiers", "errors": [{"code": "invalid_timestamp", "path": "at"}]}},
        },
        {
            "op": "post",
            "event": {"type": "visit", "id": "v", "account": "m", "at": "2026-01-01T00:00:00+03:00"},
            "expect": {"result": {"event": "v", "status": "applied"}},
        },
    ]
    check_vector(doc)
    assert run_vector(doc) == []
