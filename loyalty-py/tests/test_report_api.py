"""The Python API of program reports: `Program.report` (lists, pyarrow tables,
pandas data frames; the ledger, tier and referral books; `as_tables=True`)
and `Program.report_request`.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

import loyalty

# One program with every book a report can read.
PROGRAM_TOML = """
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[ledger]
expiry = { after_days = 10 }

[tiers]
window = "calendar_year"

[[tiers.levels]]
id = "member"

[[tiers.levels]]
id = "silver"
qualify = { spend = "500" }

[referrals]
qualify = { min_order = "100", within_days = 30 }
return_days = 14
referrer = { points = "100" }
referee = { points = "50" }
"""

FROM, TO = "2026-03-01", "2026-03-31"

# Riyadh is UTC+3 all year. Worked out by hand below.
ORDERS: list[loyalty.InsightOrder] = [
    # Monday 2 March, 09:15.
    {
        "id": "o-1",
        "customer": "c-1",
        "at": "2026-03-02T09:15:00+03:00",
        "amount": "100.00",
        "payment": "card",
        "channel": "pos",
        "coupons": ["spring", "spring"],  # one campaign, named twice: one order of it
        "coupon_discount": "10",
    },
    # Monday 9 March, 09:40.
    {"id": "o-2", "customer": "c-1", "at": "2026-03-09T09:40:00+03:00", "amount": "50.00",
     "payment": "cash", "channel": "pos"},
    # Wednesday 4 March, 20:00.
    {"id": "o-3", "customer": "c-2", "at": "2026-03-04T20:00:00+03:00", "amount": "30.00",
     "payment": "credit", "channel": "web"},
    # 23:30 on Saturday 28 February in Riyadh: the day before the first, out.
    {"id": "o-4", "customer": "c-3", "at": "2026-02-28T20:30:00Z", "amount": "999.00", "payment": "card"},
    # 23:59 on Tuesday 31 March in Riyadh (20:59 UTC): the last day, in.
    {"id": "o-5", "customer": "c-3", "at": "2026-03-31T20:59:00Z", "amount": "20.02", "payment": "credit"},
    # Midnight starting 1 April: out.
    {"id": "o-6", "customer": "c-2", "at": "2026-04-01T00:00:00+03:00", "amount": "999.00", "channel": "web"},
]

CUSTOMERS: list[loyalty.ReportCustomer] = [
    {"id": "c-1", "birth_date": "1990-05-01", "gender": "Woman"},  # 35 on 31 March
    {"id": "c-2", "birth_date": "2008-04-01", "gender": "male"},  # 17 on 31 March, 18 the day after
    {"id": "c-3", "birth_date": "1991-03-31"},  # 35 on the period's last day (34 on its first); no gender
    {"id": "c-9", "gender": "male"},  # no order in the period: not counted
]

ORDER_KEYS = ["id", "customer", "at", "amount", "payment", "channel", "coupons", "coupon_discount"]


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(PROGRAM_TOML)


@pytest.fixture(scope="module")
def report(program: loyalty.Program) -> loyalty.Report:
    return program.report(ORDERS, FROM, TO, customers=CUSTOMERS)


def _pairs(counts: list[loyalty.Count]) -> list[tuple[str, int]]:
    return [(c["name"], c["count"]) for c in counts]


def _tops(tops: list[loyalty.TopCustomer]) -> list[tuple[str, int, str]]:
    return [(t["customer"], t["visits"], t["spend"]) for t in tops]


def _shape(value: Any, typed_dict: Any) -> None:
    """`value` has every required key of `typed_dict` and no key it does not declare."""
    keys = set(value)
    assert typed_dict.__required_keys__ <= keys, (typed_dict.__name__, keys)
    assert keys <= typed_dict.__required_keys__ | typed_dict.__optional_keys__, (typed_dict.__name__, keys)


# --- a hand-worked report -------------------------------------------------------------------


def test_totals_and_the_average_basket_rounded_half_even(report: loyalty.Report) -> None:
    """Four orders in the period (o-4 and o-6 fall outside): 100.00 + 50.00 +
    30.00 + 20.02 = 200.02; 200.02 / 4 = 50.005, half-even to the halala is
    50.00 (half-up would give 50.01); 4 orders / 3 customers = 1.33."""
    assert (report["from"], report["to"]) == (FROM, TO)
    assert (report["orders"], report["customers"]) == (4, 3)
    assert report["revenue"] == "200.02"
    assert report["average_basket"] == "50.00"
    assert report["orders_per_customer"] == "1.33"


def test_weekday_hour_cells_are_local_monday_first(report: loyalty.Report) -> None:
    grid = [[0] * 24 for _ in range(7)]
    grid[0][9] = 2  # Mondays at 9 (o-1, o-2)
    grid[1][23] = 1  # Tuesday 31 March at 23:59 local, 20:59 UTC (o-5)
    grid[2][20] = 1  # Wednesday at 20 (o-3)
    assert report["weekday_hour"] == grid
    assert (report["busiest_weekday"], report["busiest_hour"]) == (1, 9)


def test_splits_most_orders_first_ties_by_name(report: loyalty.Report) -> None:
    assert [(s["name"], s["orders"], s["amount"], s["share"]) for s in report["payments"]] == [
        ("credit", 2, "50.02", "0.5"),
        ("card", 1, "100.00", "0.25"),
        ("cash", 1, "50.00", "0.25"),
    ]
    # o-5 names no channel: `unknown`, placed by name among the ties.
    assert [(s["name"], s["orders"], s["amount"], s["share"]) for s in report["channels"]] == [
        ("pos", 2, "150.00", "0.5"),
        ("unknown", 1, "20.02", "0.25"),
        ("web", 1, "30.00", "0.25"),
    ]


def test_ages_at_the_periods_end(report: loyalty.Report) -> None:
    """c-2 is 17 on 31 March (18 only on 1 April); c-3 turns 35 on 31 March
    (34 on 1 March); c-9 has no order in the period."""
    assert _pairs(report["ages"]) == [
        ("under_18", 1),
        ("18_24", 0),
        ("25_34", 0),
        ("35_44", 2),
        ("45_54", 0),
        ("55_64", 0),
        ("65_plus", 0),
        ("unknown", 0),
    ]


def test_genders_lower_case_and_unknown_last(report: loyalty.Report) -> None:
    """By count, then name; `unknown` (c-3 has no gender) last although it
    sorts before `woman`."""
    assert _pairs(report["genders"]) == [("male", 1), ("woman", 1), ("unknown", 1)]


def test_without_profiles_every_customer_is_unknown(program: loyalty.Program) -> None:
    report = program.report(ORDERS, FROM, TO)
    assert report["ages"][-1] == {"name": "unknown", "count": 3}
    assert report["genders"] == [{"name": "unknown", "count": 3}]


def test_top_customers_credit_and_coupons(report: loyalty.Report) -> None:
    assert _tops(report["top_visitors"]) == [("c-1", 2, "150.00"), ("c-2", 1, "30.00"), ("c-3", 1, "20.02")]
    assert _tops(report["top_spenders"]) == [("c-1", 2, "150.00"), ("c-2", 1, "30.00"), ("c-3", 1, "20.02")]
    credit = report["credit"]
    assert (credit["customers"], credit["orders"], credit["amount"]) == (2, 2, "50.02")
    assert _tops(credit["top"]) == [("c-2", 1, "30.00"), ("c-3", 1, "20.02")]
    assert report["coupons"] == {"orders": 1, "discount": "10.00", "campaigns": [{"name": "spring", "count": 1}]}


def test_top_cuts_the_lists(program: loyalty.Program) -> None:
    report = program.report(ORDERS, FROM, TO, top=1)
    assert _tops(report["top_visitors"]) == [("c-1", 2, "150.00")]
    assert _tops(report["credit"]["top"]) == [("c-2", 1, "30.00")]
    assert program.report(ORDERS, FROM, TO, top=0)["top_spenders"] == []


def test_no_orders_in_the_period(program: loyalty.Program) -> None:
    report = program.report(ORDERS, "2027-01-01", "2027-01-31")
    assert (report["orders"], report["revenue"], report["average_basket"]) == (0, "0.00", "0.00")
    assert (report["busiest_weekday"], report["busiest_hour"]) == (None, None)
    assert report["weekday_hour"] == [[0] * 24 for _ in range(7)]


def test_the_answer_has_the_typed_shapes(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, "2026-02-15", TO, ledger=books.ledger, tiers=books.tiers, referrals=books.referrals)
    _shape(report, loyalty.Report)
    assert loyalty.Report.__optional_keys__ == {"points", "tiers", "referrals"}
    for split in report["payments"] + report["channels"]:
        _shape(split, loyalty.Split)
    for top in report["top_visitors"] + report["top_spenders"] + report["credit"]["top"]:
        _shape(top, loyalty.TopCustomer)
    for count in report["ages"] + report["genders"] + report["tiers"] + report["coupons"]["campaigns"]:
        _shape(count, loyalty.Count)
    _shape(report["credit"], loyalty.CreditReport)
    _shape(report["coupons"], loyalty.CouponReport)
    _shape(report["points"], loyalty.PointsReport)
    for month in report["points"]["months"]:
        _shape(month, loyalty.PointsMonth)
    _shape(report["referrals"], loyalty.ReferralReport)
    request: loyalty.ReportRequest = {"from": FROM, "to": TO, "orders": ORDERS, "customers": CUSTOMERS, "top": 3}
    _shape(request, loyalty.ReportRequest)
    for customer in CUSTOMERS:
        _shape(customer, loyalty.ReportCustomer)
    assert "coupons" in loyalty.InsightOrder.__optional_keys__


# --- the period is local days ------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        ("2026-02-28T23:30:00+03:00", False),  # 23:30 local the day before the first
        ("2026-02-28T20:30:00Z", False),  # the same instant in UTC
        ("2026-02-28T21:00:00Z", True),  # midnight local on the first day, still 28 February in UTC
        ("2026-03-01T00:00:00+03:00", True),
        ("2026-03-31T23:59:00+03:00", True),  # 23:59 local on the last day
        ("2026-03-31T20:59:59Z", True),
        ("2026-03-31T21:00:00Z", False),  # midnight local: 1 April, though 31 March in UTC
        ("2026-03-31T23:59:00-05:00", False),  # 31 March in New York, 1 April in Riyadh
    ],
)
def test_the_period_is_local_days_in_the_programs_zone(program: loyalty.Program, at: str, inside: bool) -> None:
    order: loyalty.InsightOrder = {"id": "o", "customer": "c", "at": at, "amount": "5.00"}
    assert program.report([order], FROM, TO)["orders"] == (1 if inside else 0)


def test_days_as_text_or_dates(program: loyalty.Program, report: loyalty.Report) -> None:
    dates = program.report(ORDERS, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), customers=CUSTOMERS)
    assert dates == report
    one_day = program.report(ORDERS, "2026-02-28", datetime.date(2026, 2, 28))
    assert (one_day["orders"], one_day["revenue"]) == (1, "999.00")  # only o-4, at 23:30 local


# --- the books ---------------------------------------------------------------------------


def _at(day: str, clock: str = "10:00") -> str:
    return f"2026-{day}T{clock}:00+03:00"


class Books:
    """A ledger, a tier book and a referral book built through the Python API."""

    def __init__(self, program: loyalty.Program) -> None:
        self.ledger = loyalty.Ledger(program)
        self.ledger.post_many(
            [
                # Before the period (15 February to 31 March) nothing; in it, 100 in February
                # that expires 10 days later (2 March).
                {"type": "earn", "id": "e-0", "account": "m-1", "at": _at("02-20"), "points": "100"},
                # 40 on 5 March, 30 spent on 10 March, the other 10 expire on 15 March.
                {"type": "earn", "id": "e-1", "account": "m-2", "at": _at("03-05"), "points": "40"},
                {"type": "redeem", "id": "r-1", "account": "m-2", "at": _at("03-10"), "points": "30"},
                # 23:00 on the last day: in.
                {"type": "earn", "id": "e-2", "account": "m-3", "at": _at("03-31", "23:00"), "points": "7.5"},
                # After the period: out.
                {"type": "earn", "id": "e-3", "account": "m-2", "at": _at("04-02"), "points": "5"},
                # A wallet with 50 in it, a credit limit of 50, 80 charged: 30 owed.
                {"type": "wallet_deposit", "id": "wd-1", "account": "w-1", "at": _at("03-01"), "amount": "50.00"},
                {"type": "wallet_limit", "id": "wl-1", "account": "w-1", "at": _at("03-03"), "credit_limit": "50.00"},
                {"type": "wallet_charge", "id": "wc-1", "account": "w-1", "at": _at("03-04"), "amount": "80.00"},
                # A limit given after the period: not counted.
                {"type": "wallet_limit", "id": "wl-2", "account": "w-2", "at": _at("04-02"), "credit_limit": "500"},
            ]
        )
        self.tiers = loyalty.Tiers(program)
        self.tiers.post_many(
            [
                {"type": "join", "id": "j-1", "account": "m-1", "at": _at("02-01")},
                {"type": "order", "id": "t-1", "account": "m-1", "at": _at("03-05"), "spend": "600"},  # silver
                {"type": "join", "id": "j-2", "account": "m-2", "at": _at("03-01")},
                # Silver only after the period's end: a member at its end.
                {"type": "order", "id": "t-2", "account": "m-2", "at": _at("04-03"), "spend": "600"},
            ]
        )
        self.referrals = program.referral_book()
        code = self.referrals.post({"type": "member", "id": "rm-1", "member": "sara", "at": _at("02-01")})["code"]
        self.referrals.post_many(
            [
                {"type": "signup", "id": "s-0", "referee": "ali", "code": code, "at": _at("02-10")},  # before
                # Credited (settled below).
                {"type": "signup", "id": "s-1", "referee": "reza", "code": code, "at": _at("03-02")},
                {"type": "order", "id": "ro-1", "account": "reza", "order": "o-r", "amount": "150", "at": _at("03-05")},
                # Still linked.
                {"type": "signup", "id": "s-2", "referee": "omar", "code": code, "at": _at("03-03")},
                # Cancelled: the qualifying order was refunded.
                {"type": "signup", "id": "s-3", "referee": "lina", "code": code, "at": _at("03-04")},
                {"type": "order", "id": "ro-2", "account": "lina", "order": "o-l", "amount": "150", "at": _at("03-06")},
                {"type": "refund", "id": "rr-2", "order": "o-l", "at": _at("03-08")},
                {"type": "signup", "id": "s-4", "referee": "noor", "code": code, "at": _at("04-02")},  # after
            ]
        )
        self.referrals.settle(_at("03-25"))


@pytest.fixture(scope="module")
def books(program: loyalty.Program) -> Books:
    return Books(program)


BOOK_FROM = "2026-02-15"


def test_the_ledger_gives_points_by_month_and_wallet_credit(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, BOOK_FROM, TO, ledger=books.ledger)
    assert report["points"] == {
        "issued": "147.5",
        "redeemed": "30",
        "expired": "110",
        "months": [
            {"month": "2026-02", "issued": "100", "redeemed": "0", "expired": "0"},
            {"month": "2026-03", "issued": "47.5", "redeemed": "30", "expired": "110"},
        ],
    }
    credit = report["credit"]
    assert (credit.get("wallets"), credit.get("limit"), credit.get("owed")) == (1, "50.00", "30.00")


def test_the_tier_book_gives_members_per_tier_at_the_periods_end(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, BOOK_FROM, TO, tiers=books.tiers)
    # Lowest tier first, then `none`; m-2 reaches silver only on 3 April.
    assert _pairs(report["tiers"]) == [("member", 1), ("silver", 1), ("none", 0)]
    later = program.report(ORDERS, BOOK_FROM, "2026-04-30", tiers=books.tiers)
    assert _pairs(later["tiers"]) == [("member", 0), ("silver", 2), ("none", 0)]


def test_a_member_who_joins_after_the_period_is_not_counted(program: loyalty.Program) -> None:
    tiers = loyalty.Tiers(program)
    tiers.post({"type": "join", "id": "j-1", "account": "m-1", "at": _at("03-01")})
    tiers.post({"type": "join", "id": "j-9", "account": "m-9", "at": _at("04-02")})
    assert _pairs(program.report([], FROM, TO, tiers=tiers)["tiers"]) == [("member", 1), ("silver", 0), ("none", 0)]


def test_the_referral_book_gives_the_outcomes_of_the_periods_signups(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, BOOK_FROM, TO, referrals=books.referrals)
    # reza, omar and lina signed up in the period; ali before it, noor after it.
    assert report["referrals"] == {
        "linked": 3,
        "statuses": [
            {"name": "linked", "count": 1},
            {"name": "pending", "count": 0},
            {"name": "credited", "count": 1},
            {"name": "cancelled", "count": 1},
        ],
        "reasons": [{"name": "order_refunded", "count": 1}],
    }


def test_referral_statuses_are_those_of_now(program: loyalty.Program) -> None:
    """Statuses are where each referral stands now, not at the period's end:
    once the book has seen 2 April pass, omar's window has closed."""
    books = Books(program)
    books.referrals.post({"type": "member", "id": "rm-9", "member": "nour", "at": _at("04-05")})
    report = program.report([], BOOK_FROM, TO, referrals=books.referrals)
    assert _pairs(report["referrals"]["statuses"]) == [("linked", 0), ("pending", 0), ("credited", 1), ("cancelled", 2)]
    assert _pairs(report["referrals"]["reasons"]) == [("order_refunded", 1), ("qualification_window_passed", 1)]


@pytest.mark.parametrize(
    "given",
    [(), ("ledger",), ("tiers",), ("referrals",), ("ledger", "tiers"), ("ledger", "tiers", "referrals")],
    ids=lambda given: "+".join(given) or "none",
)
def test_each_part_appears_only_with_its_book(program: loyalty.Program, books: Books, given: tuple[str, ...]) -> None:
    kwargs: dict[str, Any] = {name: getattr(books, name) for name in given}
    report = program.report(ORDERS, BOOK_FROM, TO, **kwargs)
    parts = {"ledger": "points", "tiers": "tiers", "referrals": "referrals"}
    assert {k for k in ("points", "tiers", "referrals") if k in report} == {parts[g] for g in given}
    wallet = {k for k in ("wallets", "limit", "owed") if k in report["credit"]}
    assert wallet == ({"wallets", "limit", "owed"} if "ledger" in given else set())
    # The books add their parts and change nothing else.
    bare = program.report(ORDERS, BOOK_FROM, TO)
    credit = {k: v for k, v in report["credit"].items() if k not in ("wallets", "limit", "owed")}
    assert {k: v for k, v in report.items() if k not in ("points", "tiers", "referrals", "credit")} == {
        k: v for k, v in bare.items() if k != "credit"
    }
    assert credit == bare["credit"]


def test_books_of_the_wrong_class_are_refused(program: loyalty.Program, books: Books) -> None:
    with pytest.raises(TypeError, match="Ledger"):
        program.report(ORDERS, FROM, TO, ledger=books.tiers)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="Tiers"):
        program.report(ORDERS, FROM, TO, tiers={})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="ReferralBook"):
        program.report_request({"from": FROM, "to": TO, "orders": []}, referrals=books.ledger)  # type: ignore[arg-type]


def test_report_request_takes_the_whole_request_and_the_books(
    program: loyalty.Program, books: Books, report: loyalty.Report
) -> None:
    request: loyalty.ReportRequest = {"from": FROM, "to": TO, "orders": ORDERS, "customers": CUSTOMERS}
    assert program.report_request(request) == report
    with_books = program.report_request(
        {**request, "from": BOOK_FROM, "top": 2}, ledger=books.ledger, tiers=books.tiers, referrals=books.referrals
    )
    assert with_books == program.report(
        ORDERS,
        BOOK_FROM,
        TO,
        customers=CUSTOMERS,
        top=2,
        ledger=books.ledger,
        tiers=books.tiers,
        referrals=books.referrals,
    )
    assert len(with_books["top_visitors"]) == 2


# --- lists, Arrow tables and data frames ---------------------------------------------------


def arrow_orders(orders: list[loyalty.InsightOrder]) -> Any:
    """Every column as text (None where an order has no value), `coupons` a list<string> column."""
    rows: list[dict[str, Any]] = [dict(o) for o in orders]
    return pa.table({k: [o.get(k) for o in rows] for k in ORDER_KEYS})


def arrow_customers(customers: list[loyalty.ReportCustomer]) -> Any:
    """As a warehouse holds them: birth dates as `date32`."""
    rows: list[dict[str, Any]] = [dict(c) for c in customers]
    births = [None if "birth_date" not in c else datetime.date.fromisoformat(c["birth_date"]) for c in rows]
    return pa.table(
        {
            "id": pa.array([c["id"] for c in rows], pa.string()),
            "birth_date": pa.array(births, pa.date32()),
            "gender": pa.array([c.get("gender") for c in rows], pa.string()),
        }
    )


def test_list_table_and_data_frame_give_the_same_answer(program: loyalty.Program, report: loyalty.Report) -> None:
    assert program.report(arrow_orders(ORDERS), FROM, TO, customers=arrow_customers(CUSTOMERS)) == report
    frame = pd.DataFrame(ORDERS, index=[7, 8, 9, 10, 11, 12])
    assert frame["channel"].isna().iloc[4]  # a missing cell, left out of the order
    customers = pd.DataFrame(CUSTOMERS)
    assert program.report(frame, FROM, TO, customers=customers) == report
    # Birth dates as pandas parses them (midnight datetime64, NaT where none).
    customers["birth_date"] = pd.to_datetime(customers["birth_date"], format="%Y-%m-%d")
    assert customers["birth_date"].dtype.kind == "M"
    assert program.report(frame, FROM, TO, customers=customers) == report
    # From Arrow to pandas: `coupons` cells as numpy arrays, None where an order has none.
    assert program.report(arrow_orders(ORDERS).to_pandas(), FROM, TO, customers=CUSTOMERS) == report


# --- as_tables ---------------------------------------------------------------------------

COUNT = [("name", pa.string()), ("count", pa.int64())]
SPLIT = [("name", pa.string()), ("orders", pa.int64()), ("amount", pa.string()), ("share", pa.string())]
TOP = [("customer", pa.string()), ("visits", pa.int64()), ("spend", pa.string())]
TABLES = {
    "weekday_hour": [("weekday", pa.int64())] + [(f"h{h:02d}", pa.int64()) for h in range(24)],
    "payments": SPLIT,
    "channels": SPLIT,
    "ages": COUNT,
    "genders": COUNT,
    "top_visitors": TOP,
    "top_spenders": TOP,
    "credit_top": TOP,
    "coupons_campaigns": COUNT,
    "points_months": [(name, pa.string()) for name in ("month", "issued", "redeemed", "expired")],
    "tiers": COUNT,
    "referrals_statuses": COUNT,
    "referrals_reasons": COUNT,
}
BOOK_TABLES = {"points_months", "tiers", "referrals_statuses", "referrals_reasons"}


def _rows(report: loyalty.Report) -> dict[str, list[Any]]:
    """What each table's rows are, from the dict answer."""
    return {
        "weekday_hour": [
            {"weekday": d, **{f"h{h:02d}": n for h, n in enumerate(row)}}
            for d, row in enumerate(report["weekday_hour"], start=1)
        ],
        "payments": list(report["payments"]),
        "channels": list(report["channels"]),
        "ages": list(report["ages"]),
        "genders": list(report["genders"]),
        "top_visitors": list(report["top_visitors"]),
        "top_spenders": list(report["top_spenders"]),
        "credit_top": list(report["credit"]["top"]),
        "coupons_campaigns": list(report["coupons"]["campaigns"]),
        **({"points_months": list(report["points"]["months"])} if "points" in report else {}),
        **({"tiers": list(report["tiers"])} if "tiers" in report else {}),
        **(
            {
                "referrals_statuses": list(report["referrals"]["statuses"]),
                "referrals_reasons": list(report["referrals"]["reasons"]),
            }
            if "referrals" in report
            else {}
        ),
    }


def _all_books(books: Books) -> dict[str, Any]:
    return {"ledger": books.ledger, "tiers": books.tiers, "referrals": books.referrals}


def test_as_tables_of_a_list_are_pyarrow_tables(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, BOOK_FROM, TO, customers=CUSTOMERS, **_all_books(books))
    tables = program.report(ORDERS, BOOK_FROM, TO, customers=CUSTOMERS, as_tables=True, **_all_books(books))
    assert list(tables) == ["summary", *TABLES]
    for name, columns in TABLES.items():
        assert isinstance(tables[name], pa.Table), name
        assert [(f.name, f.type) for f in tables[name].schema] == columns, name
        assert tables[name].to_pylist() == [{col: row[col] for col, _ in columns} for row in _rows(report)[name]], name
    assert tables["weekday_hour"].num_rows == 7
    assert tables["weekday_hour"].column("h09").to_pylist() == [2, 0, 0, 0, 0, 0, 0]


def test_the_summary_holds_every_scalar(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, BOOK_FROM, TO, **_all_books(books))
    summary = program.report(ORDERS, BOOK_FROM, TO, as_tables=True, **_all_books(books))["summary"]
    assert summary == {
        "from": BOOK_FROM,
        "to": TO,
        "orders": 5,
        "customers": 3,
        "revenue": report["revenue"],
        "average_basket": report["average_basket"],
        "orders_per_customer": report["orders_per_customer"],
        "busiest_weekday": report["busiest_weekday"],
        "busiest_hour": report["busiest_hour"],
        "credit_customers": 2,
        "credit_orders": 2,
        "credit_amount": "50.02",
        "credit_wallets": 1,
        "credit_limit": "50.00",
        "credit_owed": "30.00",
        "coupons_orders": 1,
        "coupons_discount": "10.00",
        "points_issued": "147.5",
        "points_redeemed": "30",
        "points_expired": "110",
        "referrals_linked": 3,
    }


def test_as_tables_without_books_leave_their_tables_out(program: loyalty.Program) -> None:
    tables = program.report(ORDERS, FROM, TO, as_tables=True)
    assert set(tables) == {"summary", *TABLES} - BOOK_TABLES
    assert not {k for k in tables["summary"] if k.split("_")[0] in ("points", "referrals")}
    assert "credit_owed" not in tables["summary"]


def test_as_tables_of_an_arrow_table_are_pyarrow_tables(program: loyalty.Program) -> None:
    from_list = program.report(ORDERS, FROM, TO, customers=CUSTOMERS, as_tables=True)
    from_table = program.report(arrow_orders(ORDERS), FROM, TO, customers=CUSTOMERS, as_tables=True)
    assert from_table["summary"] == from_list["summary"]
    for name in set(from_list) - {"summary"}:
        assert isinstance(from_table[name], pa.Table) and from_table[name].equals(from_list[name]), name


def test_as_tables_of_a_data_frame_are_data_frames(program: loyalty.Program, books: Books) -> None:
    report = program.report(ORDERS, BOOK_FROM, TO, customers=CUSTOMERS, **_all_books(books))
    frames = program.report(
        pd.DataFrame(ORDERS), BOOK_FROM, TO, customers=CUSTOMERS, as_tables=True, **_all_books(books)
    )
    assert list(frames) == ["summary", *TABLES]
    for name, columns in TABLES.items():
        frame = frames[name]
        assert isinstance(frame, pd.DataFrame), name
        assert list(frame.columns) == [col for col, _ in columns], name
        for col, kind in columns:
            if kind == pa.int64():
                assert frame[col].dtype == "int64", (name, col)
            else:
                assert pd.api.types.is_string_dtype(frame[col]), (name, col)
        assert frame.to_dict("records") == [{col: row[col] for col, _ in columns} for row in _rows(report)[name]], name
    assert frames["weekday_hour"].set_index("weekday").loc[1, "h09"] == 2
    # The long format, as the README shows it.
    long = frames["weekday_hour"].melt(id_vars="weekday", var_name="hour", value_name="orders")
    assert len(long) == 7 * 24 and long["orders"].sum() == report["orders"]


def test_as_tables_with_no_orders_keep_their_columns(program: loyalty.Program) -> None:
    tables = program.report([], FROM, TO, as_tables=True)
    assert tables["payments"].num_rows == 0 and [(f.name, f.type) for f in tables["payments"].schema] == SPLIT
    assert tables["weekday_hour"].num_rows == 7
    frames = program.report(pd.DataFrame({"id": [], "customer": [], "at": [], "amount": []}), FROM, TO, as_tables=True)
    assert len(frames["top_spenders"]) == 0 and frames["top_spenders"]["visits"].dtype == "int64"
    assert frames["summary"]["busiest_hour"] is None


# --- errors ------------------------------------------------------------------------------


def _errors(e: loyalty.LoyaltyError) -> list[tuple[str, str]]:
    return [(x["code"], x["path"]) for x in e.errors]


def test_every_bad_value_is_reported_with_its_code_and_path(program: loyalty.Program) -> None:
    customers: list[loyalty.ReportCustomer] = [
        {"id": "c-1"},
        {"id": "c-2", "birth_date": "1990/01/01"},
        {"id": " "},
    ]
    orders = [dict(o) for o in ORDERS]
    orders[2]["amount"] = "-1"
    with pytest.raises(loyalty.RequestError) as e:
        program.report(orders, "2026-02-30", TO, customers=customers)
    assert e.value.kind == "request"
    assert (e.value.code, e.value.path) == ("invalid_timestamp", "from")
    assert _errors(e.value) == [
        ("invalid_timestamp", "from"),
        ("invalid_timestamp", "customers[1].birth_date"),
        ("empty_value", "customers[2].id"),
        ("negative_amount", "orders[2].amount"),
    ]


def test_a_blank_customer_id_in_a_table_names_its_row(program: loyalty.Program) -> None:
    customers = pd.DataFrame({"id": ["c-1", "c-2", ""], "gender": ["f", None, "m"]})
    with pytest.raises(loyalty.RequestError) as e:
        program.report(ORDERS, FROM, TO, customers=customers)
    assert _errors(e.value) == [("empty_value", "customers[2].id")]


@pytest.mark.parametrize(
    ("kwargs", "code", "path"),
    [
        ({"from_": "2026-03-01T00:00:00+03:00"}, "invalid_timestamp", "from"),
        ({"from_": datetime.datetime(2026, 3, 1)}, "invalid_timestamp", "from"),  # a date, not an instant
        ({"from_": 20260301}, "invalid_type", "from"),
        ({"to": "31 March"}, "invalid_timestamp", "to"),
        ({"top": -1}, "invalid_value", "top"),
        ({"top": "3"}, "invalid_type", "top"),
        ({"customers": [{"id": "c-1", "age": 30}]}, "unknown_field", "customers[0].age"),
        ({"customers": [{"id": "c-1", "birth_date": 1.5}]}, "invalid_type", "customers[0].birth_date"),
        ({"orders": [{**ORDERS[0], "amount": 1.5}]}, "float_not_allowed", "orders[0].amount"),
        ({"orders": [{**ORDERS[0], "coupons": "spring"}]}, "invalid_type", "orders[0].coupons"),
    ],
)
def test_bad_arguments_carry_code_and_path(
    program: loyalty.Program, kwargs: dict[str, Any], code: str, path: str
) -> None:
    args: dict[str, Any] = {"orders": ORDERS, "from_": FROM, "to": TO, **kwargs}
    with pytest.raises(loyalty.RequestError) as e:
        program.report(**args)
    assert (e.value.code, e.value.path) == (code, path)


def test_report_request_errors(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.report_request({"from": FROM, "orders": []})
    assert _errors(e.value) == [("missing_field", "to")]
    with pytest.raises(loyalty.RequestError) as e:
        program.report_request({"from": FROM, "to": TO, "orders": [], "as_of": "x"})
    assert _errors(e.value) == [("unknown_field", "as_of")]
    with pytest.raises(loyalty.RequestError) as e:
        program.report_request([])  # type: ignore[arg-type]
    assert _errors(e.value) == [("invalid_type", "")]


# --- the GIL and threads -------------------------------------------------------------------


def _big_ledger(program: loyalty.Program, accounts: int) -> loyalty.Ledger:
    ledger = loyalty.Ledger(program)
    events: list[dict[str, Any]] = []
    for i in range(accounts):
        for month in range(1, 4):
            at = f"2026-{month:02d}-{month:02d}T10:00:00+03:00"
            events.append({"type": "earn", "id": f"e-{i}-{month}", "account": f"m-{i}", "at": at, "points": "10"})
        events.append({"type": "redeem", "id": f"r-{i}", "account": f"m-{i}", "at": _at("03-04"), "points": "5"})
    ledger.post_many(events)
    return ledger


def test_the_gil_is_released_while_the_core_reads_the_books(program: loyalty.Program) -> None:
    """Another thread runs while the core reads a big ledger: the longest time
    it is held up is a conversion (with the GIL), not the whole call."""
    ledger = _big_ledger(program, 15_000)

    def call() -> Any:
        return program.report(ORDERS, "2026-01-01", TO, ledger=ledger)

    assert call()["points"]["issued"] == "450000"
    alone = min(_timed(call) for _ in range(2))
    held_up = min(_longest_pause_while(call) for _ in range(3))
    # Holding the GIL throughout, the other thread would wait the whole call.
    assert held_up < 0.8 * alone, f"held up {held_up * 1000:.0f} ms by a call of {alone * 1000:.0f} ms"


def _timed(call: Any) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _longest_pause_while(call: Any) -> float:
    """Runs `call` in a thread; the longest this thread waits between two ticks meanwhile."""
    done = threading.Event()

    def work() -> None:
        call()
        done.set()

    worker = threading.Thread(target=work)
    longest = 0.0
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    return longest


def test_reports_and_posts_from_threads(program: loyalty.Program) -> None:
    """Reports reading the same books from several threads while another
    thread posts to them: no deadlock, and every report sees whole events."""
    books = Books(program)
    expected = program.report(ORDERS, BOOK_FROM, TO, **_all_books(books))
    results: list[Any] = []
    errors: list[BaseException] = []

    def report() -> None:
        try:
            for _ in range(20):
                results.append(program.report(ORDERS, BOOK_FROM, TO, **_all_books(books)))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def post() -> None:
        try:
            for i in range(50):
                # After the period: the reports' answers do not change (for
                # the referral book, whose statuses are those of now, before
                # omar's qualification window closes on 2 April).
                at = _at("05-01")
                books.ledger.post({"type": "earn", "id": f"x-{i}", "account": f"n-{i}", "at": at, "points": "1"})
                books.tiers.post({"type": "order", "id": f"x-{i}", "account": "m-1", "at": at, "spend": "1"})
                books.referrals.post({"type": "member", "id": f"x-{i}", "member": f"n-{i}", "at": _at("03-26")})
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=report) for _ in range(4)] + [threading.Thread(target=post)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a report or a post never finished"
    assert not errors, errors
    assert len(results) == 80 and all(r == expected for r in results)
    assert len(books.ledger.accounts()) == 3 + 2 + 50
