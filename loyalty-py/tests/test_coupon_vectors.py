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

import loyalty

COUPONS_DIR = pathlib.Path(__file__).resolve().parent.joinpath("..", "..", "tests", "vectors", "coupons")
COUPON_FILES = sorted(COUPONS_DIR.glob("*.json")) if COUPONS_DIR.is_dir() else []

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {
    "apply": {"request"},
    "check_code": {"code"},
    "generate": {"request"},
    "quote": {"request"},
}


class MalformedVector(Exception):
    """The vector file does not follow the format of tests/README.md."""


def _code_and_path(items: Any) -> bool:
    """True for a non-empty list of {"code": str, "path": str}."""
    return (
        isinstance(items, list)
        and bool(items)
        and all(
            isinstance(e, dict) and set(e) == {"code", "path"} and all(isinstance(v, str) for v in e.values())
            for e in items
        )
    )


def _failure_envelope(e: loyalty.LoyaltyError) -> dict[str, Any]:
    return {
        "error": {
            "kind": e.kind,
            "errors": [{"code": x["code"], "path": x["path"]} for x in e.errors],
        }
    }


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of a coupon vector."""
    if not isinstance(doc, dict):
        raise MalformedVector("a vector is a JSON object")
    unknown = set(doc) - {"description", "program", "program_toml", "steps"}
    if unknown:
        raise MalformedVector(f"unknown keys {sorted(unknown)}")
    if not isinstance(doc.get("description"), str) or not doc["description"].strip():
        raise MalformedVector("`description` must be a non-empty string")
    if ("program" in doc) == ("program_toml" in doc):
        raise MalformedVector("a vector needs exactly one of `program` and `program_toml`")
    if "program" in doc and not isinstance(doc["program"], dict):
        raise MalformedVector("`program` must be an object")
    if "program_toml" in doc and not isinstance(doc["program_toml"], str):
        raise MalformedVector("`program_toml` must be a string")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise MalformedVector("`steps` must be a non-empty list")
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if not isinstance(step, dict):
            raise MalformedVector(f"{where} must be an object")
        op = step.get("op")
        if op not in OPS:
            raise MalformedVector(f"{where}: unknown op {op!r}; expected one of {sorted(OPS)}")
        args = set(step) - {"op", "expect"}
        if args != OPS[op]:
            raise MalformedVector(f"{where}: op {op!r} takes {sorted(OPS[op])}, found {sorted(args)}")
        expect = step.get("expect")
        if not isinstance(expect, dict) or len(expect) != 1 or not ({"result", "error"} & set(expect)):
            raise MalformedVector(f"{where}: `expect` must be {{'result': ...}} or {{'error': ...}}")
        if "error" in expect:
            error = expect["error"]
            if (
                not isinstance(error, dict)
                or set(error) != {"kind", "errors"}
                or error["kind"] != "request"
                or not _code_and_path(error["errors"])
            ):
                raise MalformedVector(
                    f"{where}: an expected error is {{'kind': 'request', 'errors': [{{'code', 'path'}}, ...]}}"
                )
        if op == "check_code" and not isinstance(step["code"], str):
            raise MalformedVector(f"{where}: `code` must be a string")
        if op == "generate" and not (isinstance(step["request"], dict) and "seed" in step["request"]):
            # Codes from the operating system are not reproducible.
            raise MalformedVector(f"{where}: a `generate` step needs a `seed`")


def load_program(doc: dict[str, Any]) -> loyalty.Program:
    if "program" in doc:
        return loyalty.Program.from_dict(doc["program"])
    return loyalty.Program.from_toml(doc["program_toml"])


def run_step(program: loyalty.Program, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {
        "apply": lambda: program.apply_coupons(step["request"]),
        "check_code": lambda: program.check_code(step["code"]),
        "generate": lambda: program.generate_codes(step["request"]),
        "quote": lambda: program.quote_request(step["request"]).to_dict(),
    }
    try:
        return {"result": calls[step["op"]]()}
    except loyalty.LoyaltyError as e:
        return _failure_envelope(e)


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run); returns the mismatches."""
    program = load_program(doc)
    mismatches = []
    for i, step in enumerate(doc["steps"]):
        actual = run_step(program, step)
        if canonical(actual) != canonical(step["expect"]):
            mismatches.append(
                f"steps[{i}] ({step['op']}):\n  expected {canonical(step['expect'])}\n  actual   {canonical(actual)}"
            )
    return mismatches


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
