"""Shapes of insights' requests and answers, as TypedDicts (for type
checkers; at run time they are plain dicts).

They mirror the core's JSON key for key: amounts, shares and visits per week
are decimal strings, exactly as the core writes them, so answers compare byte
for byte with the other bindings. Optional keys are left out of an answer,
never set to None (except `preferred_weekday` and `preferred_hour`, which the
core always writes). `Program.customer_stats` takes the orders and gives the
`Stats`; `Program.triggers` takes `TriggerCustomer`s and gives the `Triggers`
due.
"""

from __future__ import annotations

from typing import List, Literal, Optional, TypedDict

__all__ = [
    "AnniversaryDate",
    "CustomerStats",
    "ExpiringPoints",
    "InsightLine",
    "InsightOrder",
    "Rfm",
    "SegmentSize",
    "Stats",
    "StatsRequest",
    "TierAtRisk",
    "Trigger",
    "TriggerCoupon",
    "TriggerCustomer",
    "TriggerDetail",
    "TriggerRequest",
    "Triggers",
]


class _InsightLineRequired(TypedDict):
    sku: str
    quantity: str
    amount: str


class InsightLine(_InsightLineRequired, total=False):
    """One line of an order: the product (`sku`), its `category`, units and
    what was paid for it (decimal text or `decimal.Decimal`)."""

    category: str


class _InsightOrderRequired(TypedDict):
    id: str
    customer: str
    at: str
    amount: str


class InsightOrder(_InsightOrderRequired, total=False):
    """One order as insights read it: the customer (after profile merging),
    when (RFC 3339 with an offset), what was paid after discounts, and
    optionally where, how and what. `points_paid` is the money's worth paid
    with points, `coupon_discount` the money coupons took off."""

    channel: str
    store: str
    payment: str
    points_paid: str
    coupon_discount: str
    lines: List[InsightLine]


class StatsRequest(TypedDict):
    """The orders, in any order, and the instant the statistics are as of
    (RFC 3339 with an offset; later orders are left out)."""

    orders: List[InsightOrder]
    as_of: str


class Rfm(TypedDict):
    """Recency, frequency and monetary scores, 1 (lowest) to 5 (highest), by
    quintile among the customers or by the program's cut points
    (`[insights.rfm]`), and the named segment: the first of the program's
    `[[insights.segments]]` rules the customer fits, or without them the
    first of the default rules (`loyalty.segment_names()`)."""

    recency: int
    frequency: int
    monetary: int
    segment: str


class _CustomerStatsRequired(TypedDict):
    customer: str
    visits: int
    first_purchase: str
    last_purchase: str
    days_since_last: int
    total_spend: str
    average_spend: str
    visits_per_week: str
    favourite_categories: List[str]
    favourite_products: List[str]
    preferred_weekday: Optional[int]
    preferred_hour: Optional[int]
    points_share: str
    coupon_share: str
    rfm: Rfm


class CustomerStats(_CustomerStatsRequired, total=False):
    """One customer's statistics: visits, first and last purchase (in the
    program's time zone), whole days since the last, money paid in all and
    per visit, visits per week (2 decimals), up to 3 favourite categories (by
    money) and products (by units), the most used channel, store and payment
    method (left out when no order says), the most frequent local weekday (1
    Monday to 7 Sunday) and hour, the shares of visits paid partly with
    points and with a coupon (4 decimals), and the RFM scores."""

    preferred_channel: str
    preferred_store: str
    preferred_payment: str


class SegmentSize(TypedDict):
    """How many customers a segment has."""

    segment: str
    customers: int


class Stats(TypedDict):
    """The answer of `Program.customer_stats`: `as_of` in the program's time
    zone, one entry per customer with an order by then (by customer id),
    every segment of the program in the order its rules are tried with its
    number of customers (0 included), and how many orders came after
    `as_of` and were left out."""

    as_of: str
    customers: List[CustomerStats]
    segments: List[SegmentSize]
    later_orders: int


# --- triggers --------------------------------------------------------------------------


class AnniversaryDate(TypedDict):
    """A date to remember: what it is (`wedding`) and the day, `YYYY-MM-DD`
    (or a `datetime.date`)."""

    kind: str
    date: str


class ExpiringPoints(TypedDict):
    """Points (decimal text or `decimal.Decimal`) that expire on a day,
    `YYYY-MM-DD`, as the ledger's `expiring` gives them."""

    points: str
    on: str


class TierAtRisk(TypedDict):
    """A tier the customer would lose at its evaluation day, `YYYY-MM-DD`."""

    tier: str
    evaluation: str


class _TriggerCustomerRequired(TypedDict):
    id: str


class TriggerCustomer(_TriggerCustomerRequired, total=False):
    """What the host knows of one customer. Days are `YYYY-MM-DD` (or
    `datetime.date`), Gregorian; `calendar` is the one the customer keeps
    their dates in (the program's by default), `time_zone` their IANA zone,
    used with `at` (the program's by default)."""

    time_zone: str
    calendar: Literal["gregorian", "persian", "islamic-umm-al-qura"]
    birth_date: str
    anniversaries: List[AnniversaryDate]
    member_since: str
    last_purchase: str
    expiring: List[ExpiringPoints]
    tier_at_risk: TierAtRisk


class _TriggerRequestRequired(TypedDict):
    customers: List[TriggerCustomer]


class TriggerRequest(_TriggerRequestRequired, total=False):
    """Who to look at, and when: exactly one of `date` (`YYYY-MM-DD`, every
    customer's local day) and `at` (an RFC 3339 instant: each customer's day
    is the local date then in their time zone). `seed`, a whole number as
    text, makes the coupon codes repeatable."""

    date: str
    at: str
    seed: str


class TriggerDetail(TypedDict):
    """One detail of a trigger: `kind` (`years`, `points`, `tier`, `days`,
    `anniversary`) and its value as text."""

    kind: str
    value: str


class TriggerCoupon(TypedDict):
    """A personal coupon code issued with a trigger (the host stores it as issued)."""

    campaign: str
    code: str


class _TriggerRequired(TypedDict):
    customer: str
    kind: Literal["birthday", "anniversary", "membership", "welcome", "win_back", "points_expiring", "tier_at_risk"]
    date: str
    on: str


class Trigger(_TriggerRequired, total=False):
    """One message due: the customer, which kind, the customer's local day it
    is due on (`date`), the day of the event it is about (`on`, Gregorian),
    the details (left out when none) and a coupon code (left out when the
    program issues none with it)."""

    details: List[TriggerDetail]
    coupon: TriggerCoupon


class Triggers(TypedDict):
    """The answer of `Program.triggers`: every trigger due, by customer (in
    request order), then kind."""

    triggers: List[Trigger]
