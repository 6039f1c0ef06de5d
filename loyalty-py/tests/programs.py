"""Programs and requests shared by the API and error tests."""

from __future__ import annotations

from typing import Any

PROGRAM: dict[str, Any] = {
    "schema_version": 1,
    "id": "riyadh-coffee",
    "currency": "SAR",
    "time_zone": "Asia/Riyadh",
    "eligibility": {"exclude_skus": ["bag-fee"]},
    "earn_rules": [
        {"id": "base", "rate": {"points": "1", "per": "10"}},
        {
            "id": "big-spender",
            "bonus": {"points": "100"},
            "when": {"min_spend": "500"},
            "cap": {"per_order": "60", "per_day": "80"},
        },
        {
            "id": "bakery-x2",
            "multiplier": "2",
            "group": "treats",
            "when": {"categories": ["bakery"]},
        },
        {"id": "survey", "event": {"type": "survey_answered", "points": "25"}},
        {"id": "gold-only", "bonus": {"points": "5"}, "when": {"tiers": ["gold"]}},
    ],
}

PROGRAM_TOML = """
schema_version = 1
id = "tehran-cafe-club"
currency = "IRR"
time_zone = "Asia/Tehran"
calendar = "persian"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "100000" }
"""

ORDER: dict[str, Any] = {
    "id": "o-1",
    "placed_at": "2026-03-03T20:00:00+03:00",
    "lines": [
        {"sku": "espresso-machine", "categories": ["equipment"], "quantity": "1", "unit_price": "520.00"},
        {"sku": "croissant", "categories": ["bakery"], "quantity": "2", "unit_price": "9.75"},
        {"sku": "bag-fee", "quantity": "1", "unit_price": "0.50"},
    ],
}

COUNTERS: dict[str, Any] = {"big-spender": {"day": {"window": "2026-03-03", "points": "50"}}}

EVENT: dict[str, Any] = {
    "id": "ev-7",
    "type": "survey_answered",
    "occurred_at": "2026-03-03T21:30:00Z",
}
