"""Shapes of the ledger's answers, as TypedDicts (for type checkers; at run time
they are plain dicts).

They mirror the core's JSON answers key for key: amounts are decimal strings,
exactly as the core writes them, so answers compare byte for byte with the other
bindings. Only `StatementRow` (from `Ledger.statement_rows`) has
`decimal.Decimal` amounts.
"""

from __future__ import annotations

import decimal
from typing import List, Literal, Optional, TypedDict

__all__ = [
    "Balance",
    "EarnEvent",
    "EarnLine",
    "Expiring",
    "ExpiringLot",
    "LotChange",
    "LotView",
    "Movement",
    "Payment",
    "PointsTotals",
    "Posting",
    "RedeemEvent",
    "ReverseEvent",
    "Statement",
    "StatementLot",
    "StatementRow",
]


class Posting(TypedDict):
    """The outcome of posting one event."""

    event: str
    status: Literal["applied", "duplicate"]


class PointsTotals(TypedDict):
    """Running totals of a points account."""

    earned: str
    redeemed: str
    expired: str
    adjusted: str
    reversed: str
    restored: str
    transferred_in: str
    transferred_out: str
    merged_in: str


class _BalanceRequired(TypedDict):
    account: str
    kind: Literal["points", "wallet"]
    as_of: str
    available: str
    pending: str
    owed: str


class Balance(_BalanceRequired, total=False):
    """An account's balance at one instant. `balance` and `credit_limit` are
    there for wallets, `totals` for points accounts, `merged_into` for an
    account merged into another."""

    balance: str
    credit_limit: str
    totals: PointsTotals
    merged_into: str


class _LotViewRequired(TypedDict):
    lot: str
    kind: Literal["earn", "adjust", "transfer", "merge", "restore"]
    status: Literal["available", "pending"]
    created_at: str
    available_at: str
    points: str
    remaining: str


class LotView(_LotViewRequired, total=False):
    """A lot with points left; no `expires_at` when it never expires by date."""

    expires_at: str


class ExpiringLot(TypedDict):
    """Points of one lot that expire in the window."""

    lot: str
    points: str
    expires_at: str
    reason: Literal["date", "inactivity"]


class Expiring(TypedDict):
    """Points that expire within a number of days."""

    account: str
    as_of: str
    within_days: int
    points: str
    lots: List[ExpiringLot]


class LotChange(TypedDict):
    """Points of one lot moved by a movement."""

    lot: str
    points: str


class _MovementRequired(TypedDict):
    at: str
    kind: Literal[
        "earn",
        "release",
        "redeem",
        "expire",
        "adjust",
        "refund",
        "reverse",
        "repay",
        "transfer_out",
        "transfer_in",
        "merge_in",
        "merge_out",
        "deposit",
        "charge",
        "limit",
    ]
    event: str
    change: str
    lots: List[LotChange]
    available: str
    pending: str
    owed: str


class Movement(_MovementRequired, total=False):
    """One statement line (`order` and `note` only when the movement has them)."""

    order: str
    note: str


class Statement(TypedDict):
    """Every movement of an account up to an instant, with running balances."""

    account: str
    kind: Literal["points", "wallet"]
    as_of: str
    movements: List[Movement]


class StatementLot(TypedDict):
    """A lot change in a statement row."""

    lot: str
    points: decimal.Decimal


class StatementRow(TypedDict):
    """One movement as a flat row with `decimal.Decimal` amounts (the same keys
    in every row)."""

    at: str
    kind: Literal[
        "earn",
        "release",
        "redeem",
        "expire",
        "adjust",
        "refund",
        "reverse",
        "repay",
        "transfer_out",
        "transfer_in",
        "merge_in",
        "merge_out",
        "deposit",
        "charge",
        "limit",
    ]
    event: str
    change: decimal.Decimal
    order: Optional[str]
    note: Optional[str]
    available: decimal.Decimal
    pending: decimal.Decimal
    owed: decimal.Decimal
    lots: List[StatementLot]


class _RedeemEventRequired(TypedDict):
    type: Literal["redeem"]
    id: str
    account: str
    at: str
    points: str


class RedeemEvent(_RedeemEventRequired, total=False):
    """A redeem event, ready to post."""

    order: str
    amount: str


class _PaymentRequired(TypedDict):
    points: str
    discount: str
    available: str
    limited_by: Literal["requested", "balance", "max_points", "max_percent", "order_total"]


class Payment(_PaymentRequired, total=False):
    """How much of an order points pay; `event` (absent when no points are
    used) is the redeem event to post when the sale completes."""

    event: RedeemEvent


class EarnLine(TypedDict):
    """One order line as a refund sees it."""

    quantity: str
    amount: str
    points: str


class _EarnEventRequired(TypedDict):
    type: Literal["earn"]
    id: str
    account: str
    at: str
    points: str


class EarnEvent(_EarnEventRequired, total=False):
    """An earn event, ready to post."""

    order: str
    amount: str
    lines: List[EarnLine]


class _ReverseEventRequired(TypedDict):
    type: Literal["reverse"]
    id: str
    at: str
    target: str


class ReverseEvent(_ReverseEventRequired, total=False):
    """A reverse event, ready to post: undoes the earn, redeem or adjust
    event `target` (the referral book gives these when it takes a credit back)."""

    reason: str
