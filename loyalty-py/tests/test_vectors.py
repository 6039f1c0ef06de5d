"""Every quote conformance vector under tests/vectors, run through the Python binding.

Ledger vectors (tests/vectors/ledger), tier vectors (tests/vectors/tiers),
coupon vectors (tests/vectors/coupons), merge vectors (tests/vectors/merge),
referral vectors (tests/vectors/referrals) and insights vectors
(tests/vectors/insights) have steps instead of one request; they run in
test_ledger_vectors.py, test_tier_vectors.py, test_coupon_vectors.py,
test_merge_vectors.py, test_referral_vectors.py and test_insight_vectors.py.

The answer envelope is built from the binding's own typed answer
(`Quote.to_dict()` or the exception's attributes) and compared, as canonical
JSON bytes, with the vector's `expect`.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
from canonical_json import canonical

import loyalty

VECTORS_DIR = pathlib.Path(__file__).resolve().parent.joinpath("..", "..", "tests", "vectors")
# Directories of step vectors, each with its own runner.
STEP_DIRS = {"ledger", "tiers", "coupons", "merge", "referrals", "insights"}
VECTOR_FILES = sorted(p for p in VECTORS_DIR.glob("*/*.json") if p.parent.name not in STEP_DIRS)


def _expects_quote(path: pathlib.Path) -> bool:
    try:
        return "quote" in json.loads(path.read_text(encoding="utf-8"))["expect"]
    except (ValueError, KeyError, TypeError):
        return True  # let test_vector_to_json_matches_core report the broken file


QUOTE_VECTORS = [p for p in VECTOR_FILES if _expects_quote(p)]


def _id(path: pathlib.Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_vectors_are_found() -> None:
    assert VECTORS_DIR.is_dir(), VECTORS_DIR
    assert VECTOR_FILES, f"no vectors under {VECTORS_DIR}"


def _failure_envelope(e: loyalty.LoyaltyError) -> dict[str, Any]:
    return {
        "error": {
            "kind": e.kind,
            "errors": [{"code": x["code"], "path": x["path"]} for x in e.errors],
        }
    }


def run_vector(doc: dict[str, Any]) -> dict[str, Any]:
    has_dict, has_toml = "program" in doc, "program_toml" in doc
    assert has_dict != has_toml, "a vector needs `program` or `program_toml`"
    try:
        if has_dict:
            program = loyalty.Program.from_dict(doc["program"])
        else:
            program = loyalty.Program.from_toml(doc["program_toml"])
    except loyalty.LoyaltyError as e:
        return _failure_envelope(e)
    try:
        quote = program.quote_request(doc["request"])
    except loyalty.LoyaltyError as e:
        return _failure_envelope(e)
    return {"quote": quote.to_dict()}


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[_id(p) for p in VECTOR_FILES])
def test_vector(path: pathlib.Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    actual = canonical(run_vector(doc))
    expected = canonical(doc["expect"])
    assert actual == expected


@pytest.mark.parametrize("path", QUOTE_VECTORS, ids=[_id(p) for p in QUOTE_VECTORS])
def test_vector_to_json_matches_core(path: pathlib.Path) -> None:
    """For answers, the core's own canonical bytes equal ours and the vector's."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    program = (
        loyalty.Program.from_dict(doc["program"])
        if "program" in doc
        else loyalty.Program.from_toml(doc["program_toml"])
    )
    quote = program.quote_request(doc["request"])
    assert quote.to_json() == canonical(quote.to_dict())
    assert quote.to_json() == canonical(doc["expect"]["quote"])
