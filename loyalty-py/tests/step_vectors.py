"""What the step-vector runners share (ledger, tier and coupon vectors).

A step vector (see tests/README.md) is a program and a list of steps, each one
call of the binding with its expected envelope: `{"result": <answer>}` or
`{"error": {"kind", "errors": [{"code", "path"}]}}`. Each runner says which ops
exist, which error kinds they may expect and how to make one call; the shape
checks, the envelopes and the comparison are here, once.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable
from typing import Any

from canonical_json import canonical

import loyalty

VECTORS_DIR = pathlib.Path(__file__).resolve().parent.joinpath("..", "..", "tests", "vectors")


class MalformedVector(Exception):
    """The vector file does not follow the format of tests/README.md."""


def vector_files(capability: str) -> tuple[pathlib.Path, list[pathlib.Path]]:
    """The directory of a capability's vectors and its files, sorted."""
    directory = VECTORS_DIR / capability
    return directory, sorted(directory.glob("*.json")) if directory.is_dir() else []


def code_and_path(items: Any) -> bool:
    """True for a list (possibly empty) of {"code": str, "path": str}."""
    return isinstance(items, list) and all(
        isinstance(e, dict) and set(e) == {"code", "path"} and all(isinstance(v, str) for v in e.values())
        for e in items
    )


def failure_envelope(e: loyalty.LoyaltyError) -> dict[str, Any]:
    return {
        "error": {
            "kind": e.kind,
            "errors": [{"code": x["code"], "path": x["path"]} for x in e.errors],
        }
    }


def envelope(call: Callable[[], Any]) -> dict[str, Any]:
    """One call's answer as its envelope; a LoyaltyError is an expected error, anything else fails."""
    try:
        return {"result": call()}
    except loyalty.LoyaltyError as e:
        return failure_envelope(e)


def check_steps(doc: Any, ops: dict[str, set[str]], error_kinds: Iterable[str]) -> list[dict[str, Any]]:
    """Raises MalformedVector unless `doc` is a step vector whose steps use `ops`
    (each with exactly its arguments besides `op` and `expect`) and expect only
    errors of `error_kinds`; returns the steps for the runner's own checks."""
    kinds = set(error_kinds)
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
        if op not in ops:
            raise MalformedVector(f"{where}: unknown op {op!r}; expected one of {sorted(ops)}")
        args = set(step) - {"op", "expect"}
        if args != ops[op]:
            raise MalformedVector(f"{where}: op {op!r} takes {sorted(ops[op])}, found {sorted(args)}")
        expect = step.get("expect")
        if not isinstance(expect, dict) or len(expect) != 1 or not ({"result", "error"} & set(expect)):
            raise MalformedVector(f"{where}: `expect` must be {{'result': ...}} or {{'error': ...}}")
        if "error" in expect:
            error = expect["error"]
            if (
                not isinstance(error, dict)
                or set(error) != {"kind", "errors"}
                or error["kind"] not in kinds
                or not error["errors"]
                or not code_and_path(error["errors"])
            ):
                raise MalformedVector(
                    f"{where}: an expected error is {{'kind': {' | '.join(map(repr, sorted(kinds)))}, "
                    "'errors': [{'code', 'path'}, ...]}"
                )
    return steps


def load_program(doc: dict[str, Any]) -> loyalty.Program:
    if "program" in doc:
        return loyalty.Program.from_dict(doc["program"])
    return loyalty.Program.from_toml(doc["program_toml"])


def mismatches(steps: list[dict[str, Any]], run: Callable[[dict[str, Any]], dict[str, Any]]) -> list[str]:
    """Runs every step (steps after a failed one still run); returns the mismatches."""
    out = []
    for i, step in enumerate(steps):
        actual = run(step)
        if canonical(actual) != canonical(step["expect"]):
            out.append(
                f"steps[{i}] ({step['op']}):\n  expected {canonical(step['expect'])}\n  actual   {canonical(actual)}"
            )
    return out
