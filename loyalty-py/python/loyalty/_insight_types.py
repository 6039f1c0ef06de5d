"""Shapes of insights' requests and answers, as TypedDicts (for type
checkers; at run time they are plain dicts).

They mirror the core's JSON key for key: amounts, shares and visits per week
are decimal strings, exactly as the core writes them, so answers compare byte
for byte with the other bindings. Optional keys are left out of an answer,
never set to None (except `preferred_weekday` and `preferred_hour`, which the
core always writes). `Program.customer_stats` takes the orders and gives the
answer.
"""

from __future__ import annotations

from typing import List, Literal, Optional, TypedDict

__all__ = [
    "CustomerStats",
    "InsightLine",
    "InsightOrder",
    "Rfm",
    "Stats",
    "StatsRequest",
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
    quintile among the customers, and the named segment."""

    recency: int
    frequency: int
    monetary: int
    # Every name `loyalty.segment_names()` lists, in its order (the order the
    # segments are tried; the first that fits names the customer).
    segment: Literal["new", "lapsed", "one_time", "vip", "loyal", "at_risk", "hibernating", "regular"]


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


class Stats(TypedDict):
    """The answer of `Program.customer_stats`: `as_of` in the program's time
    zone, one entry per customer with an order by then (by customer id), and
    how many orders came after `as_of` and were left out."""

    as_of: str
    customers: List[CustomerStats]
    later_orders: int
