"""The Python API of lifecycle triggers: `Program.triggers` (lists, pyarrow
tables, pandas data frames; `date` or `at`; `seed`; `as_table=True`) and
`Program.triggers_request`.
"""

from __future__ import annotations

import datetime
import decimal
import re
import threading
import time
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pytest

import loyalty

PROGRAM: dict[str, Any] = {
    "schema_version": 1,
    "id": "riyadh-coffee",
    "currency": "SAR",
    "time_zone": "Asia/Riyadh",
    "coupons": [
        {
            "id": "birthday-gift",
            "codes": {"kind": "personal", "pattern": "BDY-####-####"},
            "discount": {"type": "percent", "percent": "20"},
        },
        {
            "id": "welcome-gift",
            "codes": {"kind": "personal", "pattern": "WEL-####-####"},
            "discount": {"type": "amount_off", "amount": "10"},
        },
    ],
    "triggers": {
        "birthday": {"lead_days": 0, "coupon": "birthday-gift"},
        "anniversary": {"lead_days": 7},
        "membership": {"lead_days": 0},
        "welcome": {"after_days": 0, "coupon": "welcome-gift"},
        "win_back": {"after_days": 60},
        "points_expiring": {"lead_days": 7},
        "tier_at_risk": {"lead_days": 14},
    },
}

DATE = "2026-05-10"
SEED = "7"

CUSTOMERS: list[loyalty.TriggerCustomer] = [
    # In Tehran: her birthday today, her wedding anniversary in 7 days.
    {
        "id": "sara",
        "time_zone": "Asia/Tehran",
        "birth_date": "1990-05-10",
        "anniversaries": [{"kind": "wedding", "date": "2016-05-17"}],
    },
    # A year a member today, 60 days since his last purchase, points expiring in 7 days (two lots that day).
    {
        "id": "omar",
        "member_since": "2025-05-10",
        "last_purchase": "2026-03-11",
        "expiring": [
            {"points": "120.5", "on": "2026-05-17"},
            {"points": "30", "on": "2026-05-17"},
            {"points": "5", "on": "2026-06-01"},
        ],
    },
    # Joined today; gold is evaluated in 14 days and would be lost.
    {"id": "lina", "member_since": "2026-05-10", "tier_at_risk": {"tier": "gold", "evaluation": "2026-05-24"}},
    # Nothing due.
    {"id": "noor", "birth_date": "1995-01-01"},
]

KEYS = ["id", "time_zone", "birth_date", "anniversaries", "member_since", "last_purchase", "expiring", "tier_at_risk"]


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_dict(PROGRAM)


@pytest.fixture(scope="module")
def due(program: loyalty.Program) -> loyalty.Triggers:
    return program.triggers(CUSTOMERS, date=DATE, seed=SEED)


def arrow_customers(customers: list[loyalty.TriggerCustomer]) -> Any:
    """Every column as text, None where a customer has no value; lists of structs."""
    rows: list[dict[str, Any]] = [dict(c) for c in customers]
    return pa.table({k: [c.get(k) for c in rows] for k in KEYS})


def _day(text: Any) -> Any:
    return None if text is None else datetime.date.fromisoformat(text)


def typed_arrow_customers(customers: list[loyalty.TriggerCustomer]) -> Any:
    """As a warehouse would hold them: `date32` days, decimal points, typed structs."""
    rows: list[dict[str, Any]] = [dict(c) for c in customers]
    anniversary = pa.struct([("kind", pa.string()), ("date", pa.date32())])
    expiring = pa.struct([("points", pa.decimal128(12, 2)), ("on", pa.date32())])
    risk = pa.struct([("tier", pa.string()), ("evaluation", pa.date32())])
    return pa.table(
        {
            "id": pa.array([c["id"] for c in rows], pa.string()),
            "time_zone": pa.array([c.get("time_zone") for c in rows], pa.string()),
            "birth_date": pa.array([_day(c.get("birth_date")) for c in rows], pa.date32()),
            "anniversaries": pa.array(
                [[{**a, "date": _day(a["date"])} for a in c.get("anniversaries", [])] for c in rows],
                pa.list_(anniversary),
            ),
            "member_since": pa.array([_day(c.get("member_since")) for c in rows], pa.date32()),
            "last_purchase": pa.array([_day(c.get("last_purchase")) for c in rows], pa.date32()),
            "expiring": pa.array(
                [
                    [{"points": decimal.Decimal(e["points"]), "on": _day(e["on"])} for e in c.get("expiring", [])]
                    for c in rows
                ],
                pa.list_(expiring),
            ),
            "tier_at_risk": pa.array(
                [
                    None
                    if "tier_at_risk" not in c
                    else {**c["tier_at_risk"], "evaluation": _day(c["tier_at_risk"]["evaluation"])}
                    for c in rows
                ],
                risk,
            ),
        }
    )


def frame_with_datetime64_days(customers: list[loyalty.TriggerCustomer]) -> Any:
    """A DataFrame as `pd.read_csv(..., parse_dates=[...])` gives it: days as
    `datetime64` at midnight, NaT where a customer has none."""
    frame = pd.DataFrame(customers)
    for column in ("birth_date", "member_since", "last_purchase"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    assert frame["birth_date"].dtype.kind == "M" and frame["birth_date"].isna().sum() == 2
    return frame


# --- the answer ----------------------------------------------------------------------------


def test_every_kind_of_trigger_due_by_customer_then_kind(due: loyalty.Triggers) -> None:
    rows = [(t["customer"], t["kind"], t["date"], t["on"], t.get("details")) for t in due["triggers"]]
    assert rows == [
        ("sara", "birthday", DATE, "2026-05-10", [{"kind": "years", "value": "36"}]),
        (
            "sara",
            "anniversary",
            DATE,
            "2026-05-17",
            [{"kind": "anniversary", "value": "wedding"}, {"kind": "years", "value": "10"}],
        ),
        ("omar", "membership", DATE, "2026-05-10", [{"kind": "years", "value": "1"}]),
        ("omar", "win_back", DATE, "2026-03-11", [{"kind": "days", "value": "60"}]),
        # The two lots of 17 May, summed; the lot of 1 June is not due yet.
        ("omar", "points_expiring", DATE, "2026-05-17", [{"kind": "points", "value": "150.5"}]),
        ("lina", "welcome", DATE, "2026-05-10", []),  # no details: an empty list
        ("lina", "tier_at_risk", DATE, "2026-05-24", [{"kind": "tier", "value": "gold"}]),
    ]
    coupons = [(t["kind"], t.get("coupon", {}).get("campaign")) for t in due["triggers"]]
    assert [c for c in coupons if c[1]] == [("birthday", "birthday-gift"), ("welcome", "welcome-gift")]


def test_triggers_request_is_the_same_call(program: loyalty.Program, due: loyalty.Triggers) -> None:
    request: loyalty.TriggerRequest = {"date": DATE, "customers": CUSTOMERS, "seed": SEED}
    assert program.triggers_request(request) == due


def test_a_program_without_triggers_has_none_due() -> None:
    bare = loyalty.Program.from_dict({k: v for k, v in PROGRAM.items() if k != "triggers"})
    assert bare.triggers(CUSTOMERS, date=DATE) == {"triggers": []}


def test_no_customers_nothing_due(program: loyalty.Program) -> None:
    assert program.triggers([], date=DATE) == {"triggers": []}


# --- lists, Arrow tables and data frames ---------------------------------------------------


def test_list_table_and_data_frame_give_the_same_answer(program: loyalty.Program, due: loyalty.Triggers) -> None:
    assert program.triggers(arrow_customers(CUSTOMERS), date=DATE, seed=SEED) == due
    assert program.triggers(typed_arrow_customers(CUSTOMERS), date=DATE, seed=SEED) == due
    frame = pd.DataFrame(CUSTOMERS, index=[10, 11, 12, 13])
    assert frame["birth_date"].isna().iloc[1]  # a missing cell, left out of the customer
    assert program.triggers(frame, date=DATE, seed=SEED) == due
    # From the typed table: datetime.date objects, Decimal points, lists as numpy arrays of dicts.
    assert program.triggers(typed_arrow_customers(CUSTOMERS).to_pandas(), date=DATE, seed=SEED) == due
    # Days as datetime64 at midnight, as pandas parses dates.
    assert program.triggers(frame_with_datetime64_days(CUSTOMERS), date=DATE, seed=SEED) == due


def test_nested_columns_with_nulls_inside(program: loyalty.Program, due: loyalty.Triggers) -> None:
    """An Arrow struct or list cell of a customer without one is null (or an
    empty list), and a null field inside a struct is left out, like a missing cell."""
    table = arrow_customers(CUSTOMERS)
    assert table.column("tier_at_risk").to_pylist()[0] is None
    assert table.column("anniversaries").to_pylist()[1] is None
    assert program.triggers(table, date=DATE, seed=SEED) == due
    # lina's tier_at_risk without its evaluation: the core names the missing field.
    broken: list[Any] = [*CUSTOMERS]
    broken[2] = {**broken[2], "tier_at_risk": {"tier": "gold", "evaluation": None}}
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(arrow_customers(broken), date=DATE)
    assert (e.value.code, e.value.path) == ("missing_field", "customers[2].tier_at_risk.evaluation")


def test_a_datetime_that_is_not_a_day_is_refused_in_a_table(program: loyalty.Program) -> None:
    """Only a naive midnight is a day; an instant is never cut to its date."""
    for stamp in (pd.Timestamp("1990-05-10 13:45"), pd.Timestamp("1990-05-10", tz="Asia/Tehran")):
        frame = pd.DataFrame({"id": ["a", "b"], "birth_date": [pd.Timestamp("1990-05-10"), stamp]})
        with pytest.raises(loyalty.RequestError) as e:
            program.triggers(frame, date=DATE)
        assert (e.value.code, e.value.path) == ("invalid_timestamp", "customers[1].birth_date")


# --- date or at ----------------------------------------------------------------------------

# 20:45 UTC is 23:45 on 9 May in Riyadh (the program's zone) and 00:15 on 10 May in Tehran.
AT = "2026-05-09T20:45:00Z"


def test_date_is_everyones_day_at_is_each_customers_local_day(program: loyalty.Program, due: loyalty.Triggers) -> None:
    at = program.triggers(CUSTOMERS, at=AT, seed=SEED)
    # Only sara, in Tehran, is already on 10 May; the others' day is 9 May, with nothing due.
    assert [(t["customer"], t["kind"], t["date"]) for t in at["triggers"]] == [
        ("sara", "birthday", "2026-05-10"),
        ("sara", "anniversary", "2026-05-10"),
    ]
    assert at["triggers"] == due["triggers"][:2]
    # With date, the zone plays no part: 9 May for everyone, so nothing is due.
    assert program.triggers(CUSTOMERS, date="2026-05-09") == {"triggers": []}
    # An hour later it is 10 May in Riyadh too: the same as date 10 May.
    assert program.triggers(CUSTOMERS, at="2026-05-09T21:45:00Z", seed=SEED) == due


def test_date_as_a_date_object(program: loyalty.Program, due: loyalty.Triggers) -> None:
    assert program.triggers(CUSTOMERS, date=datetime.date(2026, 5, 10), seed=SEED) == due


def test_a_datetime_is_not_a_date(program: loyalty.Program) -> None:
    """A datetime for `date` is refused, never cut to its day (which day would depend on its zone)."""
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(CUSTOMERS, date=datetime.datetime(2026, 5, 10, tzinfo=datetime.timezone.utc))
    assert (e.value.kind, e.value.code, e.value.path) == ("request", "invalid_timestamp", "date")


def test_aware_datetime_at_is_the_same_instant(program: loyalty.Program) -> None:
    text = program.triggers(CUSTOMERS, at=AT, seed=SEED)
    utc = datetime.datetime(2026, 5, 9, 20, 45, tzinfo=datetime.timezone.utc)
    tehran = datetime.timezone(datetime.timedelta(hours=3, minutes=30))
    assert program.triggers(CUSTOMERS, at=utc, seed=SEED) == text
    assert program.triggers(CUSTOMERS, at=utc.astimezone(tehran), seed=SEED) == text
    assert program.triggers(CUSTOMERS, at="2026-05-10T00:15:00+03:30", seed=SEED) == text
    assert program.triggers(CUSTOMERS, at=pd.Timestamp(AT), seed=SEED) == text


def test_naive_datetime_at_is_refused(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(CUSTOMERS, at=datetime.datetime(2026, 5, 9, 20, 45))
    assert (e.value.kind, e.value.code, e.value.path) == ("request", "invalid_timestamp", "at")
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(CUSTOMERS, at="2026-05-09T20:45:00")
    assert (e.value.code, e.value.path) == ("invalid_timestamp", "at")


@pytest.mark.parametrize("when", [{}, {"date": DATE, "at": AT}, {"date": None, "at": None}])
def test_exactly_one_of_date_and_at(program: loyalty.Program, when: dict[str, Any]) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(CUSTOMERS, **when)
    assert (e.value.kind, e.value.code, e.value.path) == ("request", "date_and_at_not_one", "")


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"time_zone": "Europe/Londres"}, "invalid_time_zone", "customers[1].time_zone"),
        ({"time_zone": 3}, "invalid_type", "customers[1].time_zone"),
        ({"id": " "}, "empty_value", "customers[1].id"),
        ({"birth_date": "1990-02-30"}, "invalid_timestamp", "customers[1].birth_date"),
        ({"calendar": "julian"}, "unknown_variant", "customers[1].calendar"),
        ({"birthday": "1990-05-10"}, "unknown_field", "customers[1].birthday"),
        ({"expiring": [{"points": 1.5, "on": "2026-05-17"}]}, "float_not_allowed", "customers[1].expiring[0].points"),
        ({"anniversaries": [{"kind": "wedding", "date": "2016-13-01"}]}, "invalid_timestamp", "customers[1].anniversaries[0].date"),
        ({"tier_at_risk": {"tier": "gold"}}, "missing_field", "customers[1].tier_at_risk.evaluation"),
    ],
)
def test_errors_carry_code_and_path(program: loyalty.Program, change: dict[str, Any], code: str, path: str) -> None:
    customers = [CUSTOMERS[0], {**CUSTOMERS[1], **change}]
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(customers, at=AT)
    assert (e.value.kind, e.value.code, e.value.path) == ("request", code, path)
    assert e.value.errors[0]["path"] == path
    with pytest.raises(loyalty.RequestError) as again:
        program.triggers_request({"at": AT, "customers": customers})
    assert (again.value.code, again.value.path) == (code, path)


def test_every_bad_value_is_listed(program: loyalty.Program) -> None:
    customers = [{"id": "", "time_zone": "Mars/Olympus"}, CUSTOMERS[1], {"id": "x", "member_since": "soon"}]
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(customers, date=DATE)
    assert [(x["code"], x["path"]) for x in e.value.errors] == [
        ("empty_value", "customers[0].id"),
        ("invalid_time_zone", "customers[0].time_zone"),
        ("invalid_timestamp", "customers[2].member_since"),
    ]
    assert str(e.value) == "empty value at `customers[0].id` (and 2 more)"
    assert "Mars/Olympus" in e.value.errors[1]["message"]


def test_table_errors_name_the_row(program: loyalty.Program) -> None:
    frame = pd.DataFrame([{"id": "a"}, {"id": "b", "time_zone": "Europe/Londres"}])
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(frame, at=AT)
    assert (e.value.code, e.value.path) == ("invalid_time_zone", "customers[1].time_zone")
    table = pa.table({"id": ["a", "b"], "anniversaries": [[], [{"kind": "wedding", "date": "2016-06-31"}]]})
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(table, date=DATE)
    assert (e.value.code, e.value.path) == ("invalid_timestamp", "customers[1].anniversaries[0].date")


@pytest.mark.parametrize(
    ("customers", "when", "code", "path"),
    [
        ("sara", {"date": DATE}, "invalid_type", "customers"),
        (CUSTOMERS[0], {"date": DATE}, "invalid_type", "customers"),
        ([3], {"date": DATE}, "invalid_type", "customers[0]"),
        ([{"time_zone": "Asia/Tehran"}], {"date": DATE}, "missing_field", "customers[0].id"),
        ([], {"date": 20260510}, "invalid_type", "date"),
        ([], {"at": 1778359500}, "invalid_type", "at"),
        ([], {"date": "10/05/2026"}, "invalid_timestamp", "date"),
    ],
)
def test_arguments_of_the_wrong_shape(
    program: loyalty.Program, customers: Any, when: dict[str, Any], code: str, path: str
) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(customers, **when)
    assert (e.value.code, e.value.path) == (code, path)


def test_whole_request_errors(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers_request({"date": DATE})
    assert (e.value.code, e.value.path) == ("missing_field", "customers")
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers_request({"day": DATE, "customers": []})
    assert (e.value.code, e.value.path) == ("unknown_field", "day")
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers_request([])  # type: ignore[arg-type]
    assert (e.value.code, e.value.path) == ("invalid_type", "")
    # The request is the core's: its seed is text (the keyword call also takes an int).
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers_request({"date": DATE, "customers": CUSTOMERS, "seed": 7})
    assert (e.value.code, e.value.path) == ("invalid_type", "seed")


# --- seeded coupon codes -------------------------------------------------------------------


def _codes(answer: loyalty.Triggers) -> list[tuple[str, str, str]]:
    return [(t["customer"], t["coupon"]["campaign"], t["coupon"]["code"]) for t in answer["triggers"] if "coupon" in t]


def test_seeded_coupons_are_the_same_on_every_call(program: loyalty.Program, due: loyalty.Triggers) -> None:
    codes = _codes(due)
    assert [(c, campaign) for c, campaign, _ in codes] == [("sara", "birthday-gift"), ("lina", "welcome-gift")]
    for _ in range(3):
        assert _codes(program.triggers(CUSTOMERS, date=DATE, seed=SEED)) == codes
    assert _codes(program.triggers(CUSTOMERS, date=DATE, seed=7)) == codes  # an int seed is its text
    assert _codes(program.triggers(typed_arrow_customers(CUSTOMERS), date=DATE, seed=SEED)) == codes
    assert _codes(program.triggers(CUSTOMERS, date=DATE, seed="8")) != codes


def test_seeded_codes_come_with_their_issued_record(program: loyalty.Program, due: loyalty.Triggers) -> None:
    """Each code is a personal code of its campaign, with the record apply_coupons wants back;
    each campaign draws from its own seed, so the raw seed's codes are not the ones given."""
    for t in due["triggers"]:
        if "coupon" not in t:
            continue
        coupon = t["coupon"]
        assert coupon["issued"] == {"campaign": coupon["campaign"], "customer": t["customer"], "uses": 0}
        check = program.check_code(coupon["code"])
        assert (check["ok"], check["kind"], check["campaigns"]) == (True, "personal", [coupon["campaign"]])
    raw = program.generate_codes({"campaign": "birthday-gift", "customers": ["sara"], "seed": SEED})
    assert _codes(due)[0][2] != raw["codes"][0]["code"]


def test_without_a_seed_codes_differ_between_calls(program: loyalty.Program) -> None:
    first = _codes(program.triggers(CUSTOMERS, date=DATE))
    second = _codes(program.triggers(CUSTOMERS, date=DATE))
    assert first != second
    assert all(re.fullmatch(r"(BDY|WEL)-[0-9A-Z]{4}-[0-9A-Z]{4}", code) for _, _, code in first + second)


@pytest.mark.parametrize(
    ("seed", "code"), [("seven", "invalid_seed"), (-1, "invalid_seed"), (True, "invalid_type"), (7.0, "invalid_type")]
)
def test_a_bad_seed_is_refused(program: loyalty.Program, seed: Any, code: str) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.triggers(CUSTOMERS, date=DATE, seed=seed)
    assert (e.value.code, e.value.path) == (code, "seed")


# --- as_table ------------------------------------------------------------------------------

COLUMNS = [
    ("customer", pa.string()),
    ("kind", pa.string()),
    ("date", pa.date32()),
    ("on", pa.date32()),
    ("coupon_campaign", pa.string()),
    ("coupon_code", pa.string()),
    ("details", pa.map_(pa.string(), pa.string())),
]


def _flat(answer: loyalty.Triggers) -> list[dict[str, Any]]:
    """What a table row is: days as dates, the coupon's keys lifted up, details as (kind, value) pairs."""
    return [
        {
            "customer": t["customer"],
            "kind": t["kind"],
            "date": datetime.date.fromisoformat(t["date"]),
            "on": datetime.date.fromisoformat(t["on"]),
            "coupon_campaign": t["coupon"]["campaign"] if "coupon" in t else None,
            "coupon_code": t["coupon"]["code"] if "coupon" in t else None,
            "details": [(d["kind"], d["value"]) for d in t.get("details", [])],
        }
        for t in answer["triggers"]
    ]


def test_as_table_of_a_list_is_a_pyarrow_table(program: loyalty.Program, due: loyalty.Triggers) -> None:
    table = program.triggers(CUSTOMERS, date=DATE, seed=SEED, as_table=True)
    assert isinstance(table, pa.Table)
    assert [(f.name, f.type) for f in table.schema] == COLUMNS
    assert table.num_rows == len(due["triggers"]) == 7
    assert table.to_pylist() == _flat(due)
    assert table.column("coupon_code").null_count == 5
    # What the docstring promises: a detail as a column.
    years = pc.map_lookup(table["details"], pa.scalar("years"), "first").to_pylist()
    assert years == ["36", "10", "1", None, None, None, None]


def test_as_table_of_an_arrow_table_is_a_pyarrow_table(program: loyalty.Program) -> None:
    from_list = program.triggers(CUSTOMERS, date=DATE, seed=SEED, as_table=True)
    from_table = program.triggers(typed_arrow_customers(CUSTOMERS), date=DATE, seed=SEED, as_table=True)
    assert isinstance(from_table, pa.Table)
    assert from_table.equals(from_list, check_metadata=True)


def test_as_table_of_a_data_frame_is_a_data_frame(program: loyalty.Program, due: loyalty.Triggers) -> None:
    frame = program.triggers(pd.DataFrame(CUSTOMERS, index=[5, 6, 7, 8]), date=DATE, seed=SEED, as_table=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [name for name, _ in COLUMNS]
    assert list(frame.index) == list(range(7))  # one row per trigger, not per customer
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in ("customer", "kind", "coupon_campaign", "coupon_code"))
    assert frame["date"].dtype == "datetime64[us]" and frame["on"].dtype == "datetime64[us]"
    assert frame["details"].dtype == object
    assert frame["on"].dt.date.tolist() == [r["on"] for r in _flat(due)]
    assert frame["details"].tolist() == [dict(r["details"]) for r in _flat(due)]
    assert frame["details"].str.get("years").tolist()[:3] == ["36", "10", "1"]
    assert frame["coupon_code"].isna().tolist() == [r["coupon_code"] is None for r in _flat(due)]
    assert frame.loc[frame["coupon_code"].notna(), "coupon_code"].tolist() == [c for _, _, c in _codes(due)]


def test_as_table_with_nothing_due_has_the_columns(program: loyalty.Program) -> None:
    table = program.triggers([], date=DATE, as_table=True)
    assert table.num_rows == 0 and [(f.name, f.type) for f in table.schema] == COLUMNS
    frame = program.triggers(pd.DataFrame({"id": ["noor"]}), date=DATE, as_table=True)
    assert len(frame) == 0 and list(frame.columns) == [name for name, _ in COLUMNS]
    assert frame["date"].dtype == "datetime64[us]" and pd.api.types.is_string_dtype(frame["customer"])


def test_as_table_of_at_gives_each_customers_day(program: loyalty.Program) -> None:
    table = program.triggers(arrow_customers(CUSTOMERS), at=AT, as_table=True)
    assert table.column("date").to_pylist() == [datetime.date(2026, 5, 10)] * 2


# --- the GIL -------------------------------------------------------------------------------


def test_the_gil_is_released_while_the_core_works(program: loyalty.Program) -> None:
    """Another thread runs while the core computes: the longest time it is
    held up is a conversion (with the GIL), not the whole call."""
    customers = [
        {
            "id": f"c-{i}",
            "calendar": "persian",
            "birth_date": f"19{50 + i % 50}-0{1 + i % 9}-{1 + i % 28:02d}",
            "member_since": f"20{10 + i % 15}-0{1 + i % 9}-{1 + i % 28:02d}",
            "anniversaries": [{"kind": "wedding", "date": f"20{i % 20:02d}-1{i % 3}-{1 + i % 28:02d}"}],
        }
        for i in range(20_000)
    ]
    alone = min(_timed(lambda: program.triggers(customers, date=DATE, seed=SEED)) for _ in range(2))
    held_up = min(_longest_pause_while(lambda: program.triggers(customers, date=DATE, seed=SEED)) for _ in range(3))
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


def test_from_threads(program: loyalty.Program, due: loyalty.Triggers) -> None:
    results: list[Any] = []

    def work() -> None:
        for _ in range(20):
            results.append(program.triggers(CUSTOMERS, date=DATE, seed=SEED))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == due for r in results)
