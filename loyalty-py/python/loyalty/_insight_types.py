"""Shapes of insights' requests and answers, as TypedDicts (for type
checkers; at run time they are plain dicts).

They mirror the core's JSON key for key: amounts, shares and visits per week
are decimal strings, exactly as the core writes them, so answers compare byte
for byte with the other bindings. Optional keys are left out of an answer,
never set to None (except `preferred_weekday` and `preferred_hour`, which the
core always writes). `Program.customer_stats` takes the orders and gives the
`Stats`; `Program.triggers` takes `TriggerCustomer`s and gives the `Triggers`
due; `Program.report` takes the orders of a period (and `ReportCustomer`s)
and gives the `Report`.

`ReportRequest` and `Report` have a key `from`, a Python keyword, so they are
written in the functional form (`TypedDict("Name", {...})`).
"""

from __future__ import annotations

from typing import List, Literal, Optional, TypedDict

from ._coupon_types import IssuedCode

__all__ = [
    "AnniversaryDate",
    "Count",
    "CouponReport",
    "CreditReport",
    "CustomerStats",
    "ExpiringPoints",
    "InsightLine",
    "InsightOrder",
    "PointsMonth",
    "PointsReport",
    "ReferralReport",
    "Report",
    "ReportCustomer",
    "ReportRequest",
    "Rfm",
    "SegmentSize",
    "Split",
    "Stats",
    "StatsRequest",
    "TierAtRisk",
    "TopCustomer",
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
    with points, `coupon_discount` the money coupons took off, `coupons` the
    ids of the coupon campaigns used (for a report's coupon redemptions)."""

    channel: str
    store: str
    payment: str
    points_paid: str
    coupon_discount: str
    lines: List[InsightLine]
    coupons: List[str]


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
    """A personal coupon code issued with a trigger, and its record (what the
    host stores and gives back to `apply_coupons` with the code)."""

    campaign: str
    code: str
    issued: IssuedCode


class _TriggerRequired(TypedDict):
    customer: str
    kind: Literal["birthday", "anniversary", "membership", "welcome", "win_back", "points_expiring", "tier_at_risk"]
    date: str
    on: str
    details: List[TriggerDetail]


class Trigger(_TriggerRequired, total=False):
    """One message due: the customer, which kind, the customer's local day it
    is due on (`date`), the day of the event it is about (`on`, Gregorian),
    the details (empty for a welcome) and a coupon code (left out when the
    program issues none with it)."""

    coupon: TriggerCoupon


class Triggers(TypedDict):
    """The answer of `Program.triggers`: every trigger due, by customer (in
    request order), then kind."""

    triggers: List[Trigger]


# --- reports ---------------------------------------------------------------------------


class _ReportCustomerRequired(TypedDict):
    id: str


class ReportCustomer(_ReportCustomerRequired, total=False):
    """What a report knows of a customer: the birth date (`YYYY-MM-DD` or a
    `datetime.date`), for the age mix, and the gender as the shop records it
    (`female`, `male`, ...; compared without case)."""

    birth_date: str
    gender: str


_ReportRequestRequired = TypedDict("_ReportRequestRequired", {"from": str, "to": str, "orders": List[InsightOrder]})


class ReportRequest(_ReportRequestRequired, total=False):
    """What a report covers: the local days `from` to `to` (`YYYY-MM-DD`,
    both included, in the program's time zone), the orders (those outside the
    period are left out), the customers' profiles (customers without one count
    as `unknown`) and how many top customers to list (`top`, 10 by default)."""

    customers: List[ReportCustomer]
    top: int


class Count(TypedDict):
    """A name and how many."""

    name: str
    count: int


class Split(TypedDict):
    """One value of a split of the orders (a payment method, a channel;
    `unknown` when orders do not say): its orders, the money paid and its
    share of the orders (4 decimals)."""

    name: str
    orders: int
    amount: str
    share: str


class TopCustomer(TypedDict):
    """A customer in a top list: orders (`visits`) and money paid (`spend`)
    in the period."""

    customer: str
    visits: int
    spend: str


class _CreditReportRequired(TypedDict):
    customers: int
    orders: int
    amount: str
    top: List[TopCustomer]


class CreditReport(_CreditReportRequired, total=False):
    """Orders paid on credit (payment method `credit`): customers, orders,
    money, and the largest credit users by amount (their `visits` and `spend`
    count credit orders only). With the ledger: the wallets with a credit
    limit at the period's end, their limits together and the credit in use
    (negative balances)."""

    wallets: int
    limit: str
    owed: str


class CouponReport(TypedDict):
    """Coupon use in the period: orders with a coupon discount or a campaign
    named, the money coupons took off, and orders per campaign, most first."""

    orders: int
    discount: str
    campaigns: List[Count]


class PointsMonth(TypedDict):
    """Points earned, spent and expired in one month (`YYYY-MM` of the
    program's calendar)."""

    month: str
    issued: str
    redeemed: str
    expired: str


class PointsReport(TypedDict):
    """Points moved in the period, from the ledger: earned (counted when
    released), spent, expired, and by month in order."""

    issued: str
    redeemed: str
    expired: str
    months: List[PointsMonth]


class ReferralReport(TypedDict):
    """Referrals whose referee signed up in the period: how many, by status
    now (`linked`, `pending`, `credited`, `cancelled`, every one listed) and
    the reasons given (cancellations, rewards not paid), most first."""

    linked: int
    statuses: List[Count]
    reasons: List[Count]


_ReportRequired = TypedDict(
    "_ReportRequired",
    {
        "from": str,
        "to": str,
        "orders": int,
        "customers": int,
        "revenue": str,
        "average_basket": str,
        "orders_per_customer": str,
        "weekday_hour": List[List[int]],
        "busiest_weekday": Optional[int],
        "busiest_hour": Optional[int],
        "payments": List[Split],
        "channels": List[Split],
        "ages": List[Count],
        "genders": List[Count],
        "top_visitors": List[TopCustomer],
        "top_spenders": List[TopCustomer],
        "credit": CreditReport,
        "coupons": CouponReport,
    },
)


class Report(_ReportRequired, total=False):
    """The answer of `Program.report`: the period, its orders and customers
    (with an order in it), the money paid, the average basket (half-even to
    the currency's minor unit), orders per customer (2 decimals), orders by
    local weekday (7 rows, Monday first) and hour (24 columns), the busiest
    weekday (1 Monday to 7) and hour (ties to the earliest; None without
    orders), payment and channel splits (most orders first, ties by name),
    customers by age at the period's end (`under_18`, `18_24`, `25_34`,
    `35_44`, `45_54`, `55_64`, `65_plus`, `unknown`, every band listed) and
    by gender (lower case, most first, `unknown` last), the top visitors
    (most orders first, ties by spend, then id) and spenders (most spend
    first, ties by orders, then id), credit and coupons.

    Only with their book: `points` (a `Ledger`), `tiers` (a `Tiers` book:
    members per tier at the period's end, lowest tier first, then `none`)
    and `referrals` (a `ReferralBook`)."""

    points: PointsReport
    tiers: List[Count]
    referrals: ReferralReport
