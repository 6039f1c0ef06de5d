"""Canonical JSON for comparing answers (shared by the tests)."""

from __future__ import annotations

import decimal
import json
from typing import Any


def _default(value: object) -> str:
    if isinstance(value, decimal.Decimal):
        # Positional notation with exactly the digits the engine wrote.
        return format(value, "f")
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def canonical(value: Any) -> str:
    """Canonical JSON as the conformance vectors define it (see tests/README.md)."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_default,
    )
