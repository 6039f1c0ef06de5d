"""Every referral vector under tests/vectors/referrals, run through the Python binding.

A vector drives one `loyalty.ReferralBook` (a fresh one per vector, from
`Program.referral_book()`) through its steps, in the envelope style of the
ledger and tier vectors (see tests/README.md): each step's envelope,
`{"result": <answer>}` or `{"error": {"kind", "errors": [{"code", "path"}]}}`,
is written as canonical JSON and compared with the canonical form of the
step's `expect`. As in the Rust runner (`tests/src/vectors.rs::run_referrals`),
a program without `[referrals]` answers every step with the error the book's
construction gives. A malformed file fails its test, and so does a missing
vectors folder.
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
    envelope,
    failure_envelope,
    load_program,
    mismatches,
    vector_files,
)

import loyalty

REFERRALS_DIR, REFERRAL_FILES = vector_files("referrals")

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {
    "post": {"event"},
    "settle": {"at"},
    "referral": {"referee"},
    "resolve": {"code"},
    "check_code": {"code"},
    "list": set(),
}


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of a referral vector."""
    for i, step in enumerate(check_steps(doc, OPS, ["referrals"])):
        for key in ("at", "referee", "code"):
            if key in step and not isinstance(step[key], str):
                raise MalformedVector(f"steps[{i}]: `{key}` must be a string")


def run_step(program: loyalty.Program, book: loyalty.ReferralBook, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {
        "post": lambda: book.post(step["event"]),
        "settle": lambda: book.settle(step["at"]),
        "referral": lambda: book.referral(step["referee"]),
        "resolve": lambda: book.resolve(step["code"]),
        "check_code": lambda: program.check_referral_code(step["code"]),
        "list": lambda: book.referrals(),
    }
    return envelope(calls[step["op"]])


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run) on one fresh
    referral book; returns the mismatches."""
    program = load_program(doc)
    try:
        book = program.referral_book()
    except loyalty.ReferralError as e:
        refused = failure_envelope(e)
        return mismatches(doc["steps"], lambda step: refused)
    return mismatches(doc["steps"], lambda step: run_step(program, book, step))


def _id(path: pathlib.Path) -> str:
    return path.stem


def test_referral_vectors_are_found() -> None:
    assert REFERRAL_FILES, f"no referral vectors under {REFERRALS_DIR}"


@pytest.mark.parametrize("path", REFERRAL_FILES, ids=[_id(p) for p in REFERRAL_FILES])
def test_referral_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    mismatches = run_vector(doc)
    assert not mismatches, "\n".join(mismatches)


def _snapshot(book: loyalty.ReferralBook) -> str:
    return canonical(book.referrals())


@pytest.mark.parametrize("path", REFERRAL_FILES, ids=[_id(p) for p in REFERRAL_FILES])
def test_replay_of_referral_vector_equals_posting(path: pathlib.Path) -> None:
    """`ReferralBook.replay` of a vector's posted events gives the book posting them one by one gives."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    program = load_program(doc)
    events = [s["event"] for s in doc["steps"] if s["op"] == "post"]
    try:
        one = program.referral_book()
    except loyalty.ReferralError as e:
        assert e.code == "referrals_not_configured"
        return
    for event in events:
        try:
            one.post(event)
        except loyalty.ReferralError:
            pass
    assert _snapshot(loyalty.ReferralBook.replay(program, events)) == _snapshot(one)


# --- the runner itself: a malformed file fails, it is never skipped -------------

_PROGRAM_TOML = """
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"
[merge]
region = "IR"
[referrals]
qualify = { min_order = "500000", within_days = 30 }
return_days = 14
referrer = { points = "100" }
referee = { points = "50" }
"""

_AT = "2026-03-01T10:00:00+03:30"


def _minimal() -> dict[str, Any]:
    return {
        "description": "d",
        "program_toml": _PROGRAM_TOML,
        "steps": [
            {
                "op": "post",
                "event": {"type": "member", "id": "e1", "member": "sara", "at": _AT},
                "expect": {"result": {"event": "e1", "status": "applied", "code": "REF-XAW9-XWTN"}},
            },
            {"op": "resolve", "code": "ref xaw9 xwtn", "expect": {"result": "sara"}},
            {"op": "check_code", "code": "REF-XAW9-XWTN", "expect": {"result": {"ok": True, "code": "REF-XAW9-XWTN"}}},
            {"op": "referral", "referee": "reza", "expect": {"result": None}},
            {"op": "settle", "at": _AT, "expect": {"result": {"at": _AT}}},
            {"op": "list", "expect": {"result": []}},
        ],
    }


def test_minimal_vector_runs(tmp_path: pathlib.Path) -> None:
    doc = _minimal()
    path = tmp_path / "minimal.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    test_referral_vector(path)


def test_a_program_without_referrals_answers_every_step_with_its_error() -> None:
    doc = _minimal()
    doc["program_toml"] = _PROGRAM_TOML.split("[referrals]")[0]
    refused = {"error": {"kind": "referrals", "errors": [{"code": "referrals_not_configured", "path": ""}]}}
    for step in doc["steps"]:
        step["expect"] = refused
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
        lambda d: d["steps"][0].pop("event"),
        lambda d: d["steps"][0].update(at=_AT),
        lambda d: d["steps"][1].update(code=1),
        lambda d: d["steps"][3].update(referee=None),
        lambda d: d["steps"][4].update(at=1),
        lambda d: d["steps"][5].update(referee="reza"),
        lambda d: d["steps"][0].pop("expect"),
        lambda d: d["steps"][0].update(expect={"result": [], "error": {}}),
        lambda d: d["steps"][0].update(expect={"outcome": []}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "tiers", "errors": [{"code": "x", "path": ""}]}}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "referrals", "errors": [{"code": "x"}]}}),
        lambda d: d["steps"][0].update(expect={"error": {"kind": "referrals", "errors": []}}),
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
        test_referral_vector(bad)
    bad.write_text(json.dumps({**_minimal(), "steps": [{"op": "nope", "expect": {"result": None}}]}), encoding="utf-8")
    with pytest.raises(MalformedVector):
        test_referral_vector(bad)


def test_mismatch_is_reported_with_the_step() -> None:
    doc = _minimal()
    doc["steps"].append({"op": "resolve", "code": "REF-XAW9-XWTN", "expect": {"result": "reza"}})
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[6] (resolve):")


def test_errors_compare_by_kind_code_and_path() -> None:
    doc = _minimal()
    doc["steps"] = [
        {
            "op": "settle",
            "at": "soon",
            "expect": {"error": {"kind": "referrals", "errors": [{"code": "invalid_timestamp", "path": "at"}]}},
        },
        {
            "op": "post",
            "event": {"type": "member", "id": "e1", "member": " ", "at": _AT},
            "expect": {"error": {"kind": "referrals", "errors": [{"code": "empty_id", "path": "member"}]}},
        },
    ]
    check_vector(doc)
    assert run_vector(doc) == []
