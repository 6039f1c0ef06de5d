"""Shapes of the tier book's answers and events, and of program warnings, as
TypedDicts (for type checkers; at run time they are plain dicts).

They mirror the core's JSON answers key for key: amounts are decimal strings,
exactly as the core writes them, so answers compare byte for byte with the other
bindings. Optional keys are left out of an answer, never set to None. Keys that
are Python keywords (`from`) use the functional TypedDict form.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, TypedDict, Union

from ._ledger_types import EarnLine

__all__ = [
    "Benefits",
    "Metrics",
    "Needs",
    "OrderTier",
    "OverrideView",
    "PendingDowngrade",
    "ProgramWarning",
    "Progress",
    "TierHistory",
    "TierJoinEvent",
    "TierOrderEvent",
    "TierOverrideEvent",
    "TierPointsEvent",
    "TierPosting",
    "TierStatus",
    "TierVisitEvent",
    "Transition",
    "WindowView",
]


class TierPosting(TypedDict):
    """The outcome of posting one event to the tier book; `ignored` for a
    ledger event that does not count towards tiers."""

    event: str
    status: Literal["applied", "duplicate", "ignored"]


class Metrics(TypedDict):
    """Qualification metrics over a window: spend with the currency's
    minor-unit digits, points without trailing zeros."""

    spend: str
    points: str
    orders: int
    visits: int


class Needs(TypedDict, total=False):
    """What is still missing, per threshold the tier sets ("0" or 0 where met)."""

    spend: str
    points: str
    orders: int
    visits: int


class _ProgressRequired(TypedDict):
    tier: str
    match: Literal["all", "any"]
    metrics: Metrics
    needs: Needs
    met: bool


class Progress(_ProgressRequired, total=False):
    """Progress towards a tier's thresholds: "spend X more by DATE to reach /
    keep TIER". No `by` when the window never closes (rolling, lifetime)."""

    by: str


class _OverrideViewRequired(TypedDict):
    tier: str
    mode: Literal["floor", "exact"]
    since: str
    event: str


class OverrideView(_OverrideViewRequired, total=False):
    """A manual override in force (no `until` when it lasts until cleared)."""

    until: str
    reason: str


class _PendingDowngradeRequired(TypedDict):
    at: str
    evaluated_at: str


class PendingDowngrade(_PendingDowngradeRequired, total=False):
    """A downgrade waiting for its grace period to end (no `to`: no tier)."""

    to: str


_WindowViewOptional = TypedDict("_WindowViewOptional", {"from": str}, total=False)


class WindowView(_WindowViewOptional):
    """The stretch of activity qualification counts (no `from` for a lifetime window)."""

    to: str


class _BenefitsRequired(TypedDict):
    coupons: List[str]
    flags: Dict[str, Union[bool, int, str]]


class Benefits(_BenefitsRequired, total=False):
    """What a tier gives, as the program file says."""

    multiplier: str


class _TierStatusRequired(TypedDict):
    account: str
    as_of: str
    window: WindowView
    metrics: Metrics
    benefits: Benefits


class TierStatus(_TierStatusRequired, total=False):
    """A member's tier at one instant, with what it takes to go up (`next`)
    or stay (`keep`)."""

    tier: str
    since: str
    guaranteed_until: str
    earned_tier: str
    override: OverrideView
    pending_downgrade: PendingDowngrade
    next: Progress
    keep: Progress
    merged_into: str


_TransitionOptional = TypedDict(
    "_TransitionOptional",
    {"from": str, "to": str, "earned": str, "event": str, "metrics": Metrics},
    total=False,
)


class Transition(_TransitionOptional):
    """One change of the tier held, or of the tier earned under an override
    (no `from` / `to`: no tier)."""

    at: str
    cause: Literal[
        "joined",
        "qualified",
        "evaluation",
        "grace_expired",
        "refund",
        "override",
        "override_expired",
        "merge",
    ]


class _TierHistoryRequired(TypedDict):
    account: str
    as_of: str
    transitions: List[Transition]


class TierHistory(_TierHistoryRequired, total=False):
    """A member's tier transitions up to an instant, oldest first."""

    tier: str


class OrderTier(TypedDict, total=False):
    """The tier an order earns at, before it is posted: `tier` is the
    `customer.tier` to quote it with."""

    tier: str
    before: str
    after: str
    multiplier: str


class ProgramWarning(TypedDict):
    """A setting that is valid but probably not meant (`Program.check()`)."""

    code: str
    path: str
    message: str


class _TierOrderEventRequired(TypedDict):
    type: Literal["order"]
    id: str
    account: str
    at: str
    spend: str


class TierOrderEvent(_TierOrderEventRequired, total=False):
    """An order as tier qualification counts it (a ledger `earn` event with an
    `order` counts the same way)."""

    order: str
    points: str
    lines: List[EarnLine]


class TierVisitEvent(TypedDict):
    """A visit without an order (a check-in)."""

    type: Literal["visit"]
    id: str
    account: str
    at: str


class TierPointsEvent(TypedDict):
    """Points earned outside an order."""

    type: Literal["points"]
    id: str
    account: str
    at: str
    points: str


class TierJoinEvent(TypedDict):
    """The member joined: the start of membership years."""

    type: Literal["join"]
    id: str
    account: str
    at: str


class _TierOverrideEventRequired(TypedDict):
    type: Literal["override"]
    id: str
    account: str
    at: str
    tier: Optional[str]


class TierOverrideEvent(_TierOverrideEventRequired, total=False):
    """A manual tier until `until` (never when absent); `tier: None` clears
    the member's override."""

    until: str
    mode: Literal["floor", "exact"]
    reason: str
