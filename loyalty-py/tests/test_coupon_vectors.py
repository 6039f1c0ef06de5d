"""Every coupon vector under tests/vectors/coupons, run through the Python binding.

A vector runs coupon calls against one program (see "Coupon vectors" in
tests/README.md); the calls keep no state, so each step stands alone. Each
step's envelope, `{"result": <answer>}` or `{"error": {"kind", "errors":
[{"code", "path"}]}}`, is written as canonical JSON and compared with the
canonical form of the step's `expect`. A `quote` step's result is
`Quote.to_dict()`. A malformed file fails its test; no files at all is a skip.
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

COUPONS_DIR, COUPON_FILES = vector_files("coupons")

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {
    "apply": {"request"},
    "check_code": {"code"},
    "generate": {"request"},
    "quote": {"request"},
}


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of a coupon vector."""
    for i, step in enumerate(check_steps(doc, OPS, ["request"])):
        if step["op"] == "check_code" and not isinstance(step["code"], str):
            raise MalformedVector(f"steps[{i}]: `code` must be a string")
        if step["op"] == "generate" and not (isinstance(step["request"], dict) and "seed" in step["request"]):
            # Codes from the operating system are not reproducible.
            raise MalformedVector(f"steps[{i}]: a `generate` step needs a `seed`")


def run_step(program: loyalty.Program, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {
        "apply": lambda: program.apply_coupons(step["request"]),
        "check_code": lambda: program.check_code(step["code"]),
        "generate": lambda: program.generate_codes(step["request"]),
        "quote": lambda: program.quote_request(step["request"]).to_dict(),
    }
    return envelope(calls[step["op"]])


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run); returns the mismatches."""
    program = load_program(doc)
    return mismatches(doc["steps"], lambda step: run_step(program, step))


def _id(path: pathlib.Path) -> str:
    return path.stem


def test_coupon_vectors_are_found() -> None:
    if not COUPON_FILES:
        pytest.skip(f"no coupon vectors under {COUPONS_DIR} yet")


@pytest.mark.parametrize("path", COUPON_FILES, ids=[_id(p) for p in COUPON_FILES])
def test_coupon_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    mismatches = run_vector(doc)
    assert not mismatches, "\n".join(mismatches)


def _expected_rejection_codes(doc: dict[str, Any]) -> set[str]:
    """Reason codes in the expected results of a vector's `apply` and `check_code` steps."""
    found: set[str] = set()
    for step in doc["steps"]:
        result = step["expect"].get("result")
        if step["op"] == "apply" and isinstance(result, dict):
            found |= {r["code"] for x in result.get("rejected", []) for r in x["reasons"]}
        elif step["op"] == "check_code" and isinstance(result, dict):
            found |= {r["code"] for r in result.get("reasons", [])}
    return found


def test_vectors_cover_every_rejection_code() -> None:
    """tests/README.md: together the vectors cover every rejection code."""
    if not COUPON_FILES:
        pytest.skip(f"no coupon vectors under {COUPONS_DIR} yet")
    covered: set[str] = set()
    for path in COUPON_FILES:
        covered |= _expected_rejection_codes(json.loads(path.read_text(encoding="utf-8")))
    assert covered <= set(loyalty.rejection_codes()), sorted(covered - set(loyalty.rejection_codes()))
    missing = [c for c in loyalty.rejection_codes() if c not in covered]
    assert not missing, f"no coupon vector expects {missing}"


# --- the checker itself: a malformed file fails, it is never skipped -------------


def _minimal() -> dict[str, Any]:
    return {
        "description": "d",
        "program_toml": (
            'schema_version = 1\nid = "p"\ncurrency = "SAR"\ntime_zone = "Asia/Riyadh"\n'
            '[[earn_rules]]\nid = "base"\nrate = { points = "1", per = "1" }\n'
            '[[coupons]]\nid = "ten-off"\ncode = "TENOFF"\ndiscount = { type = "amount_off", amount = "10" }\n'
            '[[coupons]]\nid = "gen"\ncodes = { kind = "unique", pattern = "G-##" }\n'
            'discount = { type = "points_bonus", points = "5" }\n'
        ),
        "steps": [
            {
                "op": "check_code",
                "code": "tenoff",
                "expect": {
                    "result": {
                        "input": "tenoff",
                        "ok": True,
                        "code": "TENOFF",
                        "kind": "public",
                        "campaigns": ["ten-off"],
                        "reasons": [],
                    }
                },
            },
            {
                "op": "generate",
                "request": {"campaign": "ten-off", "count": 1, "seed": "1"},
                "expect": {"error": {"kind": "request", "errors": [{"code": "not_generated", "path": "campaign"}]}},
            },
        ],
    }


def test_minimal_vector_runs() -> None:
    doc = _minimal()
    check_vector(doc)
    assert run_vector(doc) == []


def test_every_op_runs_through_the_binding() -> None:
    doc = _minimal()
    program = load_program(doc)
    order = {
        "id": "o-1",
        "placed_at": "2026-03-03T20:00:00+03:00",
        "lines": [{"sku": "beans", "quantity": "1", "unit_price": "45.00"}],
    }
    applied = run_step(program, {"op": "apply", "request": {"order": order, "coupons": [{"code": "TENOFF"}]}})
    assert applied["result"]["total"] == "35.00"
    generated = run_step(program, {"op": "generate", "request": {"campaign": "gen", "count": 2, "seed": "3"}})
    assert generated == run_step(program, {"op": "generate", "request": {"campaign": "gen", "count": 2, "seed": "3"}})
    assert [c["issued"] for c in generated["result"]["codes"]] == [{"campaign": "gen", "uses": 0}] * 2
    after = applied["result"]["order_after"]
    quoted = run_step(program, {"op": "quote", "request": {"order": after, "coupons": ["gen"]}})
    awards = [(a["rule"], a["points"]) for a in quoted["result"]["awards"]]
    assert awards == [("base", decimal.Decimal("35")), ("coupon:gen", decimal.Decimal("5"))]
    failed = run_step(program, {"op": "apply", "request": {"order": order}})
    assert failed == {"error": {"kind": "request", "errors": [{"code": "missing_field", "path": "coupons"}]}}


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
        lambda d: d["steps"][0].update(op="post"),
        lambda d: d["steps"][0].pop("code"),
        lambda d: d["steps"][0].update(code=1),
        lambda d: d["steps"][0].update(request={}),
        lambda d: d["steps"][0].pop("expect"),
        lambda d: d["steps"][0].update(expect={"result": {}, "error": {}}),
        lambda d: d["steps"][0].update(expect={"outcome": {}}),
        lambda d: d["steps"][1]["request"].pop("seed"),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "tiers", "errors": [{"code": "x", "path": ""}]}}),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "request", "errors": [{"code": "x"}]}}),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "request", "errors": []}}),
        lambda d: d["steps"][1].update(
            expect={"error": {"kind": "request", "errors": [{"code": "x", "path": "", "message": "m"}]}}
        ),
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
        test_coupon_vector(bad)
    bad.write_text(json.dumps({**_minimal(), "steps": [{"op": "nope", "expect": {"result": None}}]}), encoding="utf-8")
    with pytest.raises(MalformedVector):
        test_coupon_vector(bad)


def test_mismatch_is_reported_with_the_step() -> None:
    doc = _minimal()
    doc["steps"].append({"op": "check_code", "code": "TENOFF", "expect": {"result": {"ok": False}}})
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[2] (check_code):")


def test_errors_compare_by_kind_code_and_path() -> None:
    doc = _minimal()
    doc["steps"] = [
        {
            "op": "generate",
            "request": {"campaign": "nope", "count": 1, "seed": "1"},
            "expect": {"error": {"kind": "request", "errors": [{"code": "unknown_campaign", "path": "campaign"}]}},
        },
    ]
    check_vector(doc)
    assert run_vector(doc) == []


def test_rejection_codes_of_a_vector_are_collected() -> None:
    doc = _minimal()
    doc["steps"].append(
        {"op": "check_code", "code": "G-22", "expect": {"result": {"reasons": [{"code": "bad_check_character"}]}}}
    )
    doc["steps"].append(
        {"op": "apply", "request": {}, "expect": {"result": {"rejected": [{"reasons": [{"code": "expired"}]}]}}}
    )
    assert _expected_rejection_codes(doc) == {"bad_check_character", "expired"}
