"""The Python API of insights: `Program.customer_stats` (lists, pyarrow tables,
pandas data frames; `as_table=True`), `customer_stats_request`,
`loyalty.segment_names` and a program's own `[insights]` (cut points and
segments). Triggers are in test_trigger_api.py.
"""

from __future__ import annotations

import datetime
import decimal
import json
import threading
import time
import typing
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pytest

import loyalty

PROGRAM_TOML = """
schema_version = 1
id = "jeddah-bakery"
currency = "SAR"
time_zone = "Asia/Riyadh"
"""

AS_OF = "2026-03-15T00:00:00+03:00"
RIYADH = datetime.timezone(datetime.timedelta(hours=3))

ORDERS: list[dict[str, Any]] = [
    {
        "id": "o-1",
        "customer": "c-1",
        "at": "2026-03-02T08:15:00+03:00",
        "amount": "42.50",
        "channel": "pos",
        "store": "tahlia",
        "payment": "card",
        "lines": [
            {"sku": "kunafa", "category": "sweets", "quantity": "1", "amount": "30.00"},
            {"sku": "tea", "category": "drinks", "quantity": "2", "amount": "12.50"},
        ],
    },
    {
        "id": "o-2",
        "customer": "c-1",
        "at": "2026-03-09T08:40:00+03:00",
        "amount": "20.00",
        "channel": "pos",
        "payment": "cash",
        "points_paid": "5.00",
        "lines": [{"sku": "tea", "category": "drinks", "quantity": "1", "amount": "20.00"}],
    },
    {
        "id": "o-3",
        "customer": "c-2",
        "at": "2026-01-05T19:00:00+03:00",
        "amount": "300.00",
        "channel": "web",
        "coupon_discount": "30.00",
    },
    # A line without a category; an order after as_of.
    {
        "id": "o-4",
        "customer": "c-3",
        "at": "2025-08-01T12:00:00+03:00",
        "amount": "8.00",
        "lines": [{"sku": "water", "quantity": "4", "amount": "8.00"}],
    },
    {"id": "o-5", "customer": "c-2", "at": "2026-03-20T19:00:00+03:00", "amount": "10.00"},
]

KEYS = ["id", "customer", "at", "amount", "channel", "store", "payment", "points_paid", "coupon_discount", "lines"]


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(PROGRAM_TOML)


@pytest.fixture(scope="module")
def stats(program: loyalty.Program) -> loyalty.Stats:
    return program.customer_stats(ORDERS, AS_OF)


def arrow_orders(orders: list[dict[str, Any]]) -> Any:
    """Every column, None where an order has no value."""
    return pa.table({k: [o.get(k) for o in orders] for k in KEYS})


def typed_arrow_orders(orders: list[dict[str, Any]]) -> Any:
    """As a warehouse would hold them: aware timestamps and decimal amounts."""
    line = pa.struct(
        [
            ("sku", pa.string()),
            ("category", pa.string()),
            ("quantity", pa.decimal128(10, 3)),
            ("amount", pa.decimal128(12, 2)),
        ]
    )
    money = pa.decimal128(12, 2)

    def dec(v: Any) -> Any:
        return None if v is None else decimal.Decimal(v)

    return pa.table(
        {
            "id": pa.array([o["id"] for o in orders], pa.string()),
            "customer": pa.array([o["customer"] for o in orders], pa.string()),
            "at": pa.array(
                [datetime.datetime.fromisoformat(o["at"]) for o in orders], pa.timestamp("ms", tz="Asia/Riyadh")
            ),
            "amount": pa.array([dec(o["amount"]) for o in orders], money),
            "channel": pa.array([o.get("channel") for o in orders], pa.string()),
            "store": pa.array([o.get("store") for o in orders], pa.string()),
            "payment": pa.array([o.get("payment") for o in orders], pa.string()),
            "points_paid": pa.array([dec(o.get("points_paid")) for o in orders], money),
            "coupon_discount": pa.array([dec(o.get("coupon_discount")) for o in orders], money),
            "lines": pa.array(
                [
                    None
                    if "lines" not in o
                    else [{**ln, "quantity": dec(ln["quantity"]), "amount": dec(ln["amount"])} for ln in o["lines"]]
                    for o in orders
                ],
                pa.list_(line),
            ),
        }
    )


# --- the answer ----------------------------------------------------------------------------


def test_stats_of_each_customer(stats: loyalty.Stats) -> None:
    assert stats["as_of"] == AS_OF
    assert stats["later_orders"] == 1
    c1, c2, c3 = stats["customers"]
    assert (c1["customer"], c1["visits"], c1["total_spend"], c1["average_spend"]) == ("c-1", 2, "62.50", "31.25")
    assert c1["favourite_categories"] == ["drinks", "sweets"]
    assert c1["favourite_products"] == ["tea", "kunafa"]
    assert (c1["preferred_payment"], c1["preferred_weekday"], c1["preferred_hour"]) == ("card", 1, 8)
    assert (c1["points_share"], c1["coupon_share"]) == ("0.5", "0")
    assert (c2["visits"], c2["total_spend"], c2["coupon_share"]) == (1, "300.00", "1")
    assert "preferred_store" not in c2 and "preferred_payment" not in c2  # no order says: left out
    assert c3["favourite_categories"] == [] and c3["favourite_products"] == ["water"]
    assert {c["rfm"]["segment"] for c in stats["customers"]} <= set(loyalty.segment_names())
    assert c3["rfm"]["segment"] == "lapsed"  # 226 days since the only order


def test_segments_list_every_default_segment_in_order_with_its_size(stats: loyalty.Stats) -> None:
    """Every segment, in the order tried, empty ones too; the sizes count the customers' segments."""
    assert [s["segment"] for s in stats["segments"]] == loyalty.segment_names()
    counted = {name: 0 for name in loyalty.segment_names()}
    for c in stats["customers"]:
        counted[c["rfm"]["segment"]] += 1
    assert {s["segment"]: s["customers"] for s in stats["segments"]} == counted
    assert sum(s["customers"] for s in stats["segments"]) == len(stats["customers"]) == 3
    assert any(s["customers"] == 0 for s in stats["segments"])


def test_decimal_inputs_are_exact(program: loyalty.Program, stats: loyalty.Stats) -> None:
    orders = [
        {**o, "amount": decimal.Decimal(o["amount"]), "at": datetime.datetime.fromisoformat(o["at"])} for o in ORDERS
    ]
    assert program.customer_stats(orders, AS_OF) == stats


def test_customer_stats_request_is_the_same_call(program: loyalty.Program, stats: loyalty.Stats) -> None:
    assert program.customer_stats_request({"orders": ORDERS, "as_of": AS_OF}) == stats


def test_no_orders_no_customers(program: loyalty.Program) -> None:
    """No customers, and still every segment, each of size 0 (how to list a program's segments)."""
    assert program.customer_stats([], AS_OF) == {
        "as_of": AS_OF,
        "customers": [],
        "segments": [{"segment": name, "customers": 0} for name in loyalty.segment_names()],
        "later_orders": 0,
    }


# --- as_of ---------------------------------------------------------------------------------


def test_aware_datetime_as_of_is_the_same_instant(program: loyalty.Program, stats: loyalty.Stats) -> None:
    assert program.customer_stats(ORDERS, datetime.datetime(2026, 3, 15, tzinfo=RIYADH)) == stats
    # The same instant in UTC: the answer's as_of is in the program's zone.
    utc = datetime.datetime(2026, 3, 14, 21, tzinfo=datetime.timezone.utc)
    assert program.customer_stats(ORDERS, utc) == stats
    assert program.customer_stats(ORDERS, "2026-03-14T21:00:00Z") == stats


def test_naive_datetime_as_of_is_refused(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(ORDERS, datetime.datetime(2026, 3, 15))
    assert (e.value.kind, e.value.code, e.value.path) == ("request", "invalid_timestamp", "as_of")


def test_as_of_of_another_type_is_refused(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(ORDERS, 1773522000)  # type: ignore[call-overload]
    assert (e.value.code, e.value.path) == ("invalid_type", "as_of")


def test_as_of_decides_what_is_later(program: loyalty.Program) -> None:
    early = program.customer_stats(ORDERS, "2026-03-05T00:00:00+03:00")
    assert early["later_orders"] == 2
    assert [c["visits"] for c in early["customers"]] == [1, 1, 1]


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"at": "yesterday"}, "invalid_timestamp", "orders[1].at"),
        ({"at": "2026-03-09T08:40:00"}, "invalid_timestamp", "orders[1].at"),
        ({"amount": "-1"}, "negative_amount", "orders[1].amount"),
        ({"amount": "abc"}, "invalid_decimal", "orders[1].amount"),
        ({"amount": 20.0}, "float_not_allowed", "orders[1].amount"),
        ({"customer": " "}, "empty_value", "orders[1].customer"),
        ({"coupon": "SPRING"}, "unknown_field", "orders[1].coupon"),
        ({"lines": [{"sku": "tea", "quantity": "1"}]}, "missing_field", "orders[1].lines[0].amount"),
        ({"lines": [{"sku": "tea", "qty": "1", "quantity": "1", "amount": "1"}]}, "unknown_field", "orders[1].lines[0].qty"),
        ({"store": 7}, "invalid_type", "orders[1].store"),
        ({"store": object()}, "invalid_type", "orders[1].store"),
    ],
)
def test_errors_carry_code_and_path(program: loyalty.Program, change: dict[str, Any], code: str, path: str) -> None:
    orders = [ORDERS[0], {**ORDERS[1], **change}]
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(orders, AS_OF)
    assert (e.value.kind, e.value.code, e.value.path) == ("request", code, path)
    assert e.value.errors[0]["path"] == path
    with pytest.raises(loyalty.RequestError) as again:
        program.customer_stats_request({"orders": orders, "as_of": AS_OF})
    assert (again.value.code, again.value.path) == (code, path)


def test_every_bad_order_is_listed(program: loyalty.Program) -> None:
    orders = [ORDERS[0], {**ORDERS[1], "id": "o-1"}, {**ORDERS[2], "at": "yesterday"}]
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(orders, AS_OF)
    assert [(x["code"], x["path"]) for x in e.value.errors] == [
        ("duplicate_order", "orders[1].id"),
        ("invalid_timestamp", "orders[2].at"),
    ]
    assert (e.value.code, e.value.path) == ("duplicate_order", "orders[1].id")
    assert "o-1" in str(e.value)


def test_missing_field_names_the_order(program: loyalty.Program) -> None:
    order = {k: v for k, v in ORDERS[1].items() if k != "customer"}
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats([ORDERS[0], order], AS_OF)
    assert (e.value.code, e.value.path) == ("missing_field", "orders[1].customer")


@pytest.mark.parametrize(
    ("orders", "code", "path"),
    [
        ("o-1", "invalid_type", "orders"),
        (ORDERS[0], "invalid_type", "orders"),
        ([3], "invalid_type", "orders[0]"),
    ],
)
def test_orders_of_the_wrong_shape(program: loyalty.Program, orders: Any, code: str, path: str) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(orders, AS_OF)
    assert (e.value.code, e.value.path) == (code, path)


def test_whole_request_errors(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats_request({"orders": ORDERS})
    assert (e.value.code, e.value.path) == ("missing_field", "as_of")
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats_request({"orders": ORDERS, "as_of": AS_OF, "explain": True})
    assert (e.value.code, e.value.path) == ("unknown_field", "explain")
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats_request([])  # type: ignore[arg-type]
    assert (e.value.code, e.value.path) == ("invalid_type", "")


def test_table_errors_name_the_row(program: loyalty.Program) -> None:
    frame = pd.DataFrame([ORDERS[0], {**ORDERS[1], "at": "2026-03-09 08:40"}]).drop(columns=["lines"])
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(frame, AS_OF)
    assert (e.value.code, e.value.path) == ("invalid_timestamp", "orders[1].at")
    # A naive timestamp column has no offset.
    naive = pa.table({"id": ["a"], "customer": ["c"], "at": pa.array([datetime.datetime(2026, 3, 1)]), "amount": ["1"]})
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(naive, AS_OF)
    assert (e.value.code, e.value.path) == ("invalid_timestamp", "orders[0].at")
    # Floats are refused, as anywhere else in the package.
    floats = pa.table({"id": ["a", "b"], "customer": ["c", "c"], "at": [AS_OF, AS_OF], "amount": [1.0, 2.5]})
    with pytest.raises(loyalty.RequestError) as e:
        program.customer_stats(floats, AS_OF)
    assert (e.value.code, e.value.path) == ("float_not_allowed", "orders[0].amount")


def test_huge_amounts_are_an_answer_or_an_error_never_a_crash(program: loyalty.Program) -> None:
    big = "79228162514264337593543950335"  # the largest decimal the core holds
    orders = [{**ORDERS[2], "id": f"o-{i}", "amount": big, "coupon_discount": big} for i in range(3)]
    try:
        answer = program.customer_stats(orders, AS_OF)
    except loyalty.RequestError as e:
        assert e.code and e.kind == "request"
    else:
        assert answer["customers"][0]["visits"] == 3


# --- tables --------------------------------------------------------------------------------


def test_list_table_and_data_frame_give_the_same_stats(program: loyalty.Program, stats: loyalty.Stats) -> None:
    assert program.customer_stats(arrow_orders(ORDERS), AS_OF) == stats
    assert program.customer_stats(typed_arrow_orders(ORDERS), AS_OF) == stats
    frame = pd.DataFrame(ORDERS, index=[10, 11, 12, 13, 14])
    assert frame["store"].isna().iloc[1]  # a missing cell, left out of the order
    assert program.customer_stats(frame, AS_OF) == stats
    # A frame from the typed table: pandas timestamps, Decimal objects, lines as numpy arrays of dicts.
    assert program.customer_stats(typed_arrow_orders(ORDERS).to_pandas(), AS_OF) == stats


def test_null_inside_a_line_is_left_out(program: loyalty.Program, stats: loyalty.Stats) -> None:
    table = arrow_orders(ORDERS)
    # o-4's line has no category: in the table its struct holds a null category.
    assert table.column("lines").to_pylist()[3] == [{"sku": "water", "category": None, "quantity": "4", "amount": "8.00"}]
    assert program.customer_stats(table, AS_OF) == stats


# The flat columns of as_table=True and their Arrow types.
COLUMNS = [
    ("customer", pa.string()),
    ("visits", pa.int64()),
    ("first_purchase", pa.string()),
    ("last_purchase", pa.string()),
    ("days_since_last", pa.int64()),
    ("total_spend", pa.string()),
    ("average_spend", pa.string()),
    ("visits_per_week", pa.string()),
    ("favourite_categories", pa.list_(pa.string())),
    ("favourite_products", pa.list_(pa.string())),
    ("preferred_channel", pa.string()),
    ("preferred_store", pa.string()),
    ("preferred_payment", pa.string()),
    ("preferred_weekday", pa.int64()),
    ("preferred_hour", pa.int64()),
    ("points_share", pa.string()),
    ("coupon_share", pa.string()),
    ("recency", pa.int64()),
    ("frequency", pa.int64()),
    ("monetary", pa.int64()),
    ("segment", pa.string()),
]
RFM = ("recency", "frequency", "monetary", "segment")


def _flat(stats: loyalty.Stats) -> list[dict[str, Any]]:
    """What a table row is: the customer's stats with `rfm` lifted up, None for a left-out key."""
    out = []
    for c in stats["customers"]:
        d: dict[str, Any] = {**c}
        rfm = d.pop("rfm")
        out.append({name: rfm[name] if name in RFM else d.get(name) for name, _ in COLUMNS})
    return out


def test_as_table_columns_and_types(program: loyalty.Program, stats: loyalty.Stats) -> None:
    table = program.customer_stats(arrow_orders(ORDERS), AS_OF, as_table=True)
    assert isinstance(table, pa.Table)
    assert [(f.name, f.type) for f in table.schema] == COLUMNS
    assert table.num_rows == 3
    assert table.to_pylist() == _flat(stats)
    assert table.schema.metadata == {
        b"loyalty.as_of": AS_OF.encode(),
        b"loyalty.later_orders": b"1",
        b"loyalty.segments": json.dumps(stats["segments"], separators=(",", ":")).encode(),
    }
    assert table.column("preferred_store").null_count == 2


def test_as_table_carries_the_segment_sizes_the_rows_cannot(program: loyalty.Program, stats: loyalty.Stats) -> None:
    """Counting the `segment` column misses the empty segments and the program's
    order; the sizes are in the metadata (Arrow, JSON text) and `attrs` (pandas)."""
    table = program.customer_stats(ORDERS, AS_OF, as_table=True)
    assert json.loads(table.schema.metadata[b"loyalty.segments"]) == stats["segments"]
    counts = table.group_by("segment").aggregate([("customer", "count")])
    assert counts.num_rows < len(stats["segments"])
    frame = program.customer_stats(pd.DataFrame(ORDERS), AS_OF, as_table=True)
    assert frame.attrs["segments"] == stats["segments"]
    sizes = pd.DataFrame(frame.attrs["segments"])
    assert sizes["segment"].tolist() == loyalty.segment_names() and sizes["customers"].sum() == len(frame)


def test_as_table_of_a_list_is_a_pyarrow_table(program: loyalty.Program, stats: loyalty.Stats) -> None:
    table = program.customer_stats(ORDERS, AS_OF, as_table=True)
    assert isinstance(table, pa.Table)
    assert table.equals(program.customer_stats(typed_arrow_orders(ORDERS), AS_OF, as_table=True), check_metadata=True)


def test_as_table_of_no_orders_has_the_columns(program: loyalty.Program) -> None:
    table = program.customer_stats([], AS_OF, as_table=True)
    assert table.num_rows == 0
    assert [(f.name, f.type) for f in table.schema] == COLUMNS
    frame = program.customer_stats(pd.DataFrame({k: [] for k in KEYS}), AS_OF, as_table=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [name for name, _ in COLUMNS] and len(frame) == 0
    assert frame["visits"].dtype == "int64"


def test_as_table_of_a_data_frame_is_a_data_frame(program: loyalty.Program, stats: loyalty.Stats) -> None:
    frame = program.customer_stats(pd.DataFrame(ORDERS), AS_OF, as_table=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [name for name, _ in COLUMNS]
    assert frame.attrs == {"as_of": AS_OF, "later_orders": 1, "segments": stats["segments"]}
    ints = [name for name, t in COLUMNS if t == pa.int64()]
    assert all(frame[name].dtype == "int64" for name in ints)
    assert all(pd.api.types.is_string_dtype(frame[name]) for name, t in COLUMNS if t == pa.string())
    assert frame["favourite_categories"].tolist() == [["drinks", "sweets"], [], []]
    assert frame["preferred_store"].isna().tolist() == [False, True, True]
    rows = [{k: (None if not isinstance(v, list) and pd.isna(v) else v) for k, v in r.items()} for r in frame.to_dict("records")]
    assert rows == _flat(stats)
    # The same data as the pyarrow table.
    table = program.customer_stats(ORDERS, AS_OF, as_table=True)
    assert pa.Table.from_pandas(frame, preserve_index=False).select(["visits", "total_spend"]).to_pylist() == table.select(
        ["visits", "total_spend"]
    ).to_pylist()


def test_money_columns_convert_to_decimal_exactly(program: loyalty.Program, stats: loyalty.Stats) -> None:
    """What the docstring says: cast to decimal128(38, 4), or map decimal.Decimal."""
    table = program.customer_stats(ORDERS, AS_OF, as_table=True)
    frame = program.customer_stats(pd.DataFrame(ORDERS), AS_OF, as_table=True)
    for name in ("total_spend", "average_spend", "visits_per_week", "points_share", "coupon_share"):
        expected = [decimal.Decimal(c[name]) for c in stats["customers"]]
        assert pc.cast(table[name], pa.decimal128(38, 4)).to_pylist() == expected
        assert frame[name].map(decimal.Decimal).tolist() == expected


# --- segment names -------------------------------------------------------------------------

SEGMENTS = ["new", "lapsed", "one_time", "vip", "loyal", "at_risk", "hibernating", "regular"]


def test_default_segment_names_have_not_drifted(program: loyalty.Program) -> None:
    """The core's default list, a program's segments without `[insights]` and
    the contract here are one list; `segment_names()` is a fresh copy."""
    names = loyalty.segment_names()
    assert names == SEGMENTS
    assert [s["segment"] for s in program.customer_stats([], AS_OF)["segments"]] == SEGMENTS
    names.clear()
    assert loyalty.segment_names() == SEGMENTS


def test_segment_is_any_text_not_the_default_names() -> None:
    """A program names its own segments, so `Rfm["segment"]` and
    `SegmentSize["segment"]` are `str`, not a literal of the default names."""
    assert typing.get_type_hints(loyalty.Rfm)["segment"] is str
    assert typing.get_type_hints(loyalty.SegmentSize) == {"segment": str, "customers": int}
    segments = typing.get_type_hints(loyalty.Stats)["segments"]
    assert (typing.get_origin(segments), typing.get_args(segments)) == (list, (loyalty.SegmentSize,))


# --- a program's own [insights] ------------------------------------------------------------

CUSTOM_TOML = (
    PROGRAM_TOML
    + """
[insights.rfm]
recency_days = [7, 30, 90, 180]
frequency = [2, 3, 5, 8]
monetary = ["20", "50", "100", "250"]

[[insights.segments]]
name = "big_spenders"
monetary = [5, 5]

[[insights.segments]]
name = "regulars"
visits = [2, 1000]

[[insights.segments]]
name = "quiet"
no_purchase_for_days = 90

[[insights.segments]]
name = "everyone_else"
"""
)


def test_custom_segments_flow_through_customer_stats() -> None:
    """Cut points score each customer on their own (not by quintile), the
    program's rules name them, and `segments` lists the program's segments in
    its order with their sizes, an empty one included, in every form of the answer."""
    custom = loyalty.Program.from_toml(CUSTOM_TOML)
    stats = custom.customer_stats(ORDERS, AS_OF)
    scores = {c["customer"]: c["rfm"] for c in stats["customers"]}
    assert scores == {
        # 5 days since the last order, 2 visits, 62.50 spent.
        "c-1": {"recency": 5, "frequency": 2, "monetary": 3, "segment": "regulars"},
        # 68 days, 1 visit, 300.00.
        "c-2": {"recency": 3, "frequency": 1, "monetary": 5, "segment": "big_spenders"},
        # 226 days, 1 visit, 8.00.
        "c-3": {"recency": 1, "frequency": 1, "monetary": 1, "segment": "quiet"},
    }
    assert stats["segments"] == [
        {"segment": "big_spenders", "customers": 1},
        {"segment": "regulars", "customers": 1},
        {"segment": "quiet", "customers": 1},
        {"segment": "everyone_else", "customers": 0},
    ]
    # segment_names() stays the default list: it is not the program's.
    assert loyalty.segment_names() == SEGMENTS
    assert custom.customer_stats_request({"orders": ORDERS, "as_of": AS_OF}) == stats
    assert custom.customer_stats(arrow_orders(ORDERS), AS_OF) == stats
    table = custom.customer_stats(ORDERS, AS_OF, as_table=True)
    assert table.column("segment").to_pylist() == ["regulars", "big_spenders", "quiet"]
    assert json.loads(table.schema.metadata[b"loyalty.segments"]) == stats["segments"]
    frame = custom.customer_stats(pd.DataFrame(ORDERS), AS_OF, as_table=True)
    assert frame["segment"].tolist() == ["regulars", "big_spenders", "quiet"]
    assert frame.attrs["segments"] == stats["segments"]
    # The program as JSON keeps its [insights].
    assert loyalty.Program.from_json(custom.to_json()).customer_stats(ORDERS, AS_OF) == stats


@pytest.mark.parametrize(
    ("insights", "code", "path"),
    [
        ("[insights.rfm]\nrecency_days = [7, 30, 30, 180]", "cut_points_not_increasing", "insights.rfm.recency_days"),
        ("[insights.rfm]\nfrequency = [2, 4, 8]", "cut_points_not_increasing", "insights.rfm.frequency"),
        ('[insights.rfm]\nmonetary = ["1", "x", "10", "99"]', "invalid_decimal", "insights.rfm.monetary[1]"),
        (
            '[[insights.segments]]\nname = "quiet"\nrecency = [0, 2]\n[[insights.segments]]\nname = "rest"',
            "invalid_score_range",
            "insights.segments[0].recency",
        ),
        (
            '[[insights.segments]]\nname = "a"\nvisits = [1, 1]\n[[insights.segments]]\nname = "a"',
            "duplicate_segment",
            "insights.segments[1].name",
        ),
        ('[[insights.segments]]\nname = "a"\nvisits = [1, 1]', "segments_not_exhaustive", "insights.segments"),
    ],
)
def test_insights_section_errors_carry_code_and_path(insights: str, code: str, path: str) -> None:
    with pytest.raises(loyalty.ProgramError) as e:
        loyalty.Program.from_toml(PROGRAM_TOML + insights)
    assert (e.value.kind, e.value.code, e.value.path) == ("program", code, path)


# --- the GIL -------------------------------------------------------------------------------


def test_the_gil_is_released_while_the_core_works(program: loyalty.Program) -> None:
    """Another thread runs while the core computes: the longest time it is
    held up is the conversion of the orders (with the GIL), not the whole call."""
    orders = [
        {
            "id": f"o-{i}",
            "customer": f"c-{i % 50}",
            "at": f"2026-0{1 + i % 2}-{1 + i % 28:02d}T{i % 24:02d}:15:00+03:00",
            "amount": "12.50",
            "channel": "pos",
        }
        for i in range(40_000)
    ]
    alone = min(_timed(lambda: program.customer_stats(orders, AS_OF)) for _ in range(2))
    held_up = min(_longest_pause_while(lambda: program.customer_stats(orders, AS_OF)) for _ in range(3))
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


def test_from_threads(program: loyalty.Program, stats: loyalty.Stats) -> None:
    results: list[Any] = []

    def work() -> None:
        for _ in range(20):
            results.append(program.customer_stats(ORDERS, AS_OF))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == stats for r in results)
