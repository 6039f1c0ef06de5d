"""Every profile-merging vector under tests/vectors/merge, run through the Python binding.

A vector runs merge calls against one program (see "Merge vectors" in
tests/README.md): `normalize`, `normalize_profile`, `compare` and `dedupe`
keep no state; `match` steps add profiles to one `MatchIndex` per vector,
kept across that vector's steps. Each step's envelope, `{"result": <answer>}`
or `{"error": {"kind", "errors": [{"code", "path"}]}}`, is written as
canonical JSON and compared with the canonical form of the step's `expect`.

A `dedupe` step goes through `Program.dedupe(profiles, explain=...,
all_clusters=...)` and a `compare` step through `compare_profiles(a, b)`;
a request those keywords cannot carry (a missing `b`, an unknown key) goes
through `dedupe_request` / `compare_request` as it is, so the core sees the
same request as in the Rust runner. A malformed file fails its test; no
files at all is a skip.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from step_vectors import MalformedVector, check_steps, envelope, load_program, mismatches, vector_files

import loyalty

MERGE_DIR, MERGE_FILES = vector_files("merge")

# Every op, with the arguments a step of it must give (besides `op` and `expect`).
OPS: dict[str, set[str]] = {
    "normalize": {"kind", "text"},
    "normalize_profile": {"profile"},
    "compare": {"request"},
    "dedupe": {"request"},
    "match": {"profile"},
}


def check_vector(doc: Any) -> None:
    """Raises MalformedVector unless `doc` has the shape of a merge vector."""
    for i, step in enumerate(check_steps(doc, OPS, ["request"])):
        if step["op"] == "normalize" and not (isinstance(step["kind"], str) and isinstance(step["text"], str)):
            raise MalformedVector(f"steps[{i}]: `kind` and `text` must be strings")


def _keywords(request: Any) -> bool:
    """Whether a dedupe request is what `Program.dedupe`'s keywords carry."""
    return (
        isinstance(request, dict)
        and "profiles" in request
        and set(request) <= {"profiles", "explain", "all_clusters"}
        and all(isinstance(request.get(k, False), bool) for k in ("explain", "all_clusters"))
    )


def _dedupe(program: loyalty.Program, request: Any) -> Any:
    if _keywords(request):
        return program.dedupe(
            request["profiles"],
            explain=request.get("explain", False),
            all_clusters=request.get("all_clusters", False),
        )
    return program.dedupe_request(request)


def _compare(program: loyalty.Program, request: Any) -> Any:
    if isinstance(request, dict) and set(request) == {"a", "b"}:
        return program.compare_profiles(request["a"], request["b"])
    return program.compare_request(request)


def run_step(program: loyalty.Program, index: loyalty.MatchIndex, step: dict[str, Any]) -> dict[str, Any]:
    """One step through the binding, as its envelope."""
    calls: dict[str, Callable[[], Any]] = {
        "normalize": lambda: program.normalize(step["kind"], step["text"]),
        "normalize_profile": lambda: program.normalize_profile(step["profile"]),
        "compare": lambda: _compare(program, step["request"]),
        "dedupe": lambda: _dedupe(program, step["request"]),
        "match": lambda: index.add(step["profile"]),
    }
    return envelope(calls[step["op"]])


def run_vector(doc: dict[str, Any]) -> list[str]:
    """Runs every step (steps after a failed one still run) on one match index; returns the mismatches."""
    program = load_program(doc)
    index = program.match_index()
    return mismatches(doc["steps"], lambda step: run_step(program, index, step))


def _id(path: pathlib.Path) -> str:
    return path.stem


def test_merge_vectors_are_found() -> None:
    assert MERGE_FILES, f"no merge vectors under {MERGE_DIR}"


@pytest.mark.parametrize("path", MERGE_FILES, ids=[_id(p) for p in MERGE_FILES])
def test_merge_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    check_vector(doc)
    mismatches = run_vector(doc)
    assert not mismatches, "\n".join(mismatches)


def test_vectors_cover_every_op() -> None:
    used = {s["op"] for p in MERGE_FILES for s in json.loads(p.read_text(encoding="utf-8"))["steps"]}
    assert used == set(OPS), sorted(set(OPS) - used)


# --- the runner itself, on vectors made here ---------------------------------------

_PROGRAM: dict[str, Any] = {
    "schema_version": 1,
    "id": "tehran-cafe",
    "currency": "IRR",
    "time_zone": "Asia/Tehran",
    "merge": {"region": "IR"},
}
_POS = {"id": "pos-7", "source": "pos", "name": "سارا احمدی", "phones": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}
_APP = {"id": "app-3", "source": "app", "name": "سارا احمدي", "phones": "+98 912 345 6789"}


def _minimal() -> dict[str, Any]:
    program = loyalty.Program.from_dict(_PROGRAM)
    index = program.match_index()
    return {
        "description": "d",
        "program": _PROGRAM,
        "steps": [
            {"op": "normalize", "kind": "phone", "text": "۰۹۱۲ ۳۴۵ ۶۷۸۹", "expect": {"result": {"value": "+989123456789"}}},
            {"op": "normalize_profile", "profile": _POS, "expect": {"result": program.normalize_profile(_POS)}},
            {
                "op": "compare",
                "request": {"a": _POS, "b": _APP},
                "expect": {"result": program.compare_profiles(_POS, _APP)},
            },
            {
                "op": "dedupe",
                "request": {"profiles": [_POS, _APP], "explain": True},
                "expect": {"result": program.dedupe([_POS, _APP], explain=True)},
            },
            {"op": "match", "profile": _POS, "expect": {"result": index.add(_POS)}},
            {"op": "match", "profile": _APP, "expect": {"result": index.add(_APP)}},
        ],
    }


def test_minimal_vector_runs(tmp_path: pathlib.Path) -> None:
    doc = _minimal()
    assert doc["steps"][5]["expect"]["result"]["joined"] is True
    path = tmp_path / "minimal.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    test_merge_vector(path)


def test_match_index_is_kept_across_steps() -> None:
    doc = _minimal()
    # Alone, the app profile joins nobody: the second match step sees the first's profile.
    doc["steps"] = [doc["steps"][5]]
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[0] (match):")


def test_requests_the_keywords_cannot_carry_reach_the_core_as_they_are() -> None:
    doc = _minimal()
    missing = {"kind": "request", "errors": [{"code": "missing_field", "path": "b"}]}
    unknown = {"kind": "request", "errors": [{"code": "unknown_field", "path": "sort"}]}
    doc["steps"] = [
        {"op": "compare", "request": {"a": _POS}, "expect": {"error": missing}},
        {"op": "dedupe", "request": {"profiles": [_POS], "sort": True}, "expect": {"error": unknown}},
        {
            "op": "dedupe",
            "request": {"profiles": "p-1"},
            "expect": {"error": {"kind": "request", "errors": [{"code": "invalid_type", "path": "profiles"}]}},
        },
    ]
    check_vector(doc)
    assert run_vector(doc) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("steps"),
        lambda d: d.update(steps=[]),
        lambda d: d.pop("description"),
        lambda d: d.update(extra=1),
        lambda d: d["steps"][0].update(op="post"),
        lambda d: d["steps"][0].pop("kind"),
        lambda d: d["steps"][0].update(kind=1),
        lambda d: d["steps"][0].update(profile={}),
        lambda d: d["steps"][4].pop("profile"),
        lambda d: d["steps"][3].update(profile={}),
        lambda d: d["steps"][0].pop("expect"),
        lambda d: d["steps"][0].update(expect={"result": {}, "error": {}}),
        lambda d: d["steps"][1].update(expect={"error": {"kind": "ledger", "errors": [{"code": "x", "path": ""}]}}),
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
        test_merge_vector(bad)


def test_mismatch_is_reported_with_the_step() -> None:
    doc = _minimal()
    doc["steps"].append({"op": "normalize", "kind": "email", "text": "a@b.co", "expect": {"result": {"value": "x"}}})
    (mismatch,) = run_vector(doc)
    assert mismatch.startswith("steps[6] (normalize):")
