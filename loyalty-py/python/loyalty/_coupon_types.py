"""Shapes of the coupons' requests and answers, as TypedDicts (for type
checkers; at run time they are plain dicts).

They mirror the core's JSON key for key: amounts are decimal strings, exactly
as the core writes them, so answers compare byte for byte with the other
bindings. Optional keys are left out of an answer, never set to None.

A reason a coupon was refused (`RejectedCoupon["reasons"]`,
`CodeCheck["reasons"]`) is a dict with a stable `code` (one of
`loyalty.rejection_codes()`) and that code's numbers, e.g.
`{"code": "min_spend_not_met", "required": "100", "actual": "84.50"}`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, TypedDict

__all__ = [
    "AcceptedCoupon",
    "CodeCheck",
    "CouponCounter",
    "CouponInput",
    "CouponLine",
    "CouponRequest",
    "CouponResult",
    "DiscountCap",
    "GenerateRequest",
    "GeneratedCode",
    "GeneratedCodes",
    "Gift",
    "GuessOdds",
    "IssuedCode",
    "LineDiscount",
    "PointsEffect",
    "RejectedCoupon",
]


class _IssuedCodeRequired(TypedDict):
    campaign: str


class IssuedCode(_IssuedCodeRequired, total=False):
    """The host's record of a generated code, as `generate_codes` gave it
    (with `uses` always): send it back as a coupon's `issued`, with the uses
    so far. `customer` only for a personal code."""

    customer: str
    uses: int


class _CouponInputRequired(TypedDict):
    code: str


class CouponInput(_CouponInputRequired, total=False):
    """One code as typed (case, spaces and separators of generated codes do
    not matter), with its record when it is a generated code."""

    issued: IssuedCode


class CouponCounter(TypedDict, total=False):
    """A campaign's usage so far (every key always in an answer's `counters`):
    uses by everybody, uses by the request's customer, and the money given
    away (counted against the campaign's budget)."""

    uses: int
    customer_uses: int
    discount: str


class _CouponRequestRequired(TypedDict):
    order: Dict[str, Any]
    coupons: List[CouponInput]


class CouponRequest(_CouponRequestRequired, total=False):
    """Coupons typed at checkout for an order (the order as a quote takes
    it), with the counters the previous answer returned."""

    customer: Dict[str, Any]
    counters: Dict[str, CouponCounter]


class LineDiscount(TypedDict):
    """Money a coupon takes off one line (`line` indexes the order's lines)."""

    line: int
    discount: str


class DiscountCap(TypedDict):
    """What cut a discount: the coupon's `max`, what is left of the
    campaign's `budget`, or what the `lines` still cost."""

    by: Literal["max", "budget", "lines"]
    uncapped: str


class Gift(TypedDict):
    """The `reward` line a `free_gift` coupon added (after the order's lines)."""

    line: int
    sku: str
    value: str


class _PointsEffectRequired(TypedDict):
    rule: str


class PointsEffect(_PointsEffectRequired, total=False):
    """What a points coupon gives: a `multiplier` or `bonus` points, applied
    by the quote under `rule` (`coupon:<campaign>`)."""

    multiplier: str
    bonus: str


class _AcceptedCouponRequired(TypedDict):
    code: str
    campaign: str
    kind: Literal[
        "percent",
        "amount_off",
        "amount_off_each",
        "fixed_price",
        "buy_x_get_y",
        "free_shipping",
        "free_gift",
        "points_multiplier",
        "points_bonus",
    ]
    discount: str
    lines: List[LineDiscount]


class AcceptedCoupon(_AcceptedCouponRequired, total=False):
    """A coupon applied, in the order coupons were applied; `code` is the
    canonical code, `code_uses` (generated codes only) its uses to store."""

    capped: DiscountCap
    gift: Gift
    points: PointsEffect
    code_uses: int


class _RejectedCouponRequired(TypedDict):
    code: str
    reasons: List[Dict[str, Any]]


class RejectedCoupon(_RejectedCouponRequired, total=False):
    """A coupon refused, with every reason (never empty); `code` as typed,
    `campaign` when the code was recognised."""

    campaign: str


class CouponLine(TypedDict):
    """A line with what coupons took off it (gifts last)."""

    line: int
    sku: str
    amount: str
    discount: str
    total: str


class CouponResult(TypedDict):
    """The coupons' outcome on one order (`Program.apply_coupons`).

    Quote `order_after` (with `coupons=points_coupons`) to earn on what the
    customer paid, and keep `counters` for the next request.
    """

    program: str
    order: str
    currency: str
    local_time: str
    subtotal: str
    discount: str
    total: str
    accepted: List[AcceptedCoupon]
    rejected: List[RejectedCoupon]
    lines: List[CouponLine]
    order_after: Dict[str, Any]
    points_coupons: List[str]
    counters: Dict[str, CouponCounter]


class _CodeCheckRequired(TypedDict):
    input: str
    ok: bool
    campaigns: List[str]
    reasons: List[Dict[str, Any]]


class CodeCheck(_CodeCheckRequired, total=False):
    """What a typed code is before the host looks it up
    (`Program.check_code`): the canonical `code` and its `kind` when `ok`,
    the reasons when not."""

    code: str
    kind: Literal["public", "unique", "personal"]


class _GenerateRequestRequired(TypedDict):
    campaign: str


class GenerateRequest(_GenerateRequestRequired, total=False):
    """Asks for codes: `count` unique codes, or one personal code per
    customer. The same `seed` (a whole number as text) gives the same codes
    in every binding; without one the operating system's generator is used.
    New codes differ from `existing`."""

    count: int
    customers: List[str]
    seed: str
    existing: List[str]


class GeneratedCode(TypedDict):
    """One new code and its record (store it; send it back as `issued`)."""

    code: str
    issued: IssuedCode


class GuessOdds(TypedDict):
    """How likely one guess is to hit an issued code: `issued` out of
    `space` (an exact integer as text), `per_guess` like `3.94e-11`."""

    issued: int
    space: str
    per_guess: str


class GeneratedCodes(TypedDict):
    """Codes generated for a campaign (`Program.generate_codes`)."""

    campaign: str
    codes: List[GeneratedCode]
    odds: GuessOdds
