"""Tables for `Program.dedupe`, `Program.customer_stats`, `Program.triggers`
and `Program.report`: a `pyarrow.Table` or `pandas.DataFrame` as the list of
profile (order, customer) dicts the engine takes, and its answer back as a
table (as tables, for a report).

Conversion only. Neither library is imported here for reading a table (a
table of one can only exist once that library is loaded), so they stay
optional dependencies; only `customer_stats(list_of_dicts, ..., as_table=True)`,
`triggers(list_of_dicts, ..., as_table=True)` and
`report(list_of_dicts, ..., as_tables=True)` import pyarrow, to build the
`pyarrow.Table`s they answer.
"""

from __future__ import annotations

import datetime
import json
import math
import sys
from typing import Any, Dict, List, Optional, Tuple

__all__: List[str] = []


def _kind(data: object) -> Optional[str]:
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(data, pa.Table):
        return "arrow"
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        return "pandas"
    return None


def _missing(value: object) -> bool:
    """None, NaN, `pandas.NA` and `pandas.NaT`: a cell with no value."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _plain(value: Any) -> Any:
    """numpy arrays and scalars (lists and numbers in object columns) as Python lists and numbers."""
    if not isinstance(value, (str, bytes)) and type(value).__module__ == "numpy":
        return value.tolist()
    return value


def profile_rows(data: object) -> Optional[List[Dict[str, Any]]]:
    """One profile dict per row, missing cells left out; None when `data` is not a table."""
    kind = _kind(data)
    if kind is None:
        return None
    records = data.to_pylist() if kind == "arrow" else data.to_dict("records")  # type: ignore[attr-defined]
    return [{k: _plain(v) for k, v in row.items() if not _missing(v)} for row in records]


def customer_table(data: object, rows: List[Dict[str, Any]], cluster_of: List[str]) -> Any:
    """Columns `id` and `customer`, one row per input row (a DataFrame keeps the input's index)."""
    ids = [row.get("id") for row in rows]
    if _kind(data) == "arrow":
        return sys.modules["pyarrow"].table({"id": ids, "customer": cluster_of})
    return sys.modules["pandas"].DataFrame({"id": ids, "customer": cluster_of}, index=data.index)  # type: ignore[attr-defined]


# --- insights: Program.customer_stats -------------------------------------------------


def _clean(value: Any) -> Any:
    """A cell's value as plain Python data, missing values inside it left out
    (a line's null `category`, a NaN in a struct)."""
    value = _plain(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not _missing(v)}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def order_rows(data: object) -> Optional[List[Dict[str, Any]]]:
    """One `InsightOrder` dict per row, missing cells left out (also inside the
    `lines` list); None when `data` is not a table."""
    kind = _kind(data)
    if kind is None:
        return None
    records = data.to_pylist() if kind == "arrow" else data.to_dict("records")  # type: ignore[attr-defined]
    return [{k: _clean(v) for k, v in row.items() if not _missing(v)} for row in records]


# The columns of `Program.customer_stats(..., as_table=True)`, in order, with
# their Arrow type names: text for instants, money and other decimals (exact,
# as in the dict answer), int64 for counts, days, weekday, hour and scores.
STATS_COLUMNS: List[Tuple[str, str]] = [
    ("customer", "string"),
    ("visits", "int64"),
    ("first_purchase", "string"),
    ("last_purchase", "string"),
    ("days_since_last", "int64"),
    ("total_spend", "string"),
    ("average_spend", "string"),
    ("visits_per_week", "string"),
    ("favourite_categories", "list<string>"),
    ("favourite_products", "list<string>"),
    ("preferred_channel", "string"),
    ("preferred_store", "string"),
    ("preferred_payment", "string"),
    ("preferred_weekday", "int64"),
    ("preferred_hour", "int64"),
    ("points_share", "string"),
    ("coupon_share", "string"),
    ("recency", "int64"),
    ("frequency", "int64"),
    ("monetary", "int64"),
    ("segment", "string"),
]

_RFM = ("recency", "frequency", "monetary", "segment")


def _stats_columns(stats: Dict[str, Any]) -> Dict[str, List[Any]]:
    """The `customers` of a `Stats` answer as flat columns (the `rfm` object's
    keys lifted up; an absent key is None)."""
    columns: Dict[str, List[Any]] = {name: [] for name, _ in STATS_COLUMNS}
    for c in stats["customers"]:
        rfm = c.get("rfm", {})
        for name, _ in STATS_COLUMNS:
            columns[name].append(rfm.get(name) if name in _RFM else c.get(name))
    return columns


def _pyarrow(call: str, flag: str = "as_table") -> Any:
    try:
        import pyarrow as pa  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(f"{call}(..., {flag}=True) needs pyarrow (pip install pyarrow)") from e
    return pa


def stats_table(data: object, stats: Dict[str, Any]) -> Any:
    """A `Stats` answer as a table, one row per customer: a `pandas.DataFrame`
    for a DataFrame input, else a `pyarrow.Table`. `as_of`, `later_orders`
    and `segments` (every segment of the program, in order, with its size:
    the rows cannot say it, a segment without customers has none) go to the
    table's metadata, `segments` as JSON text (`DataFrame.attrs` for pandas,
    `segments` as a list of dicts)."""
    columns = _stats_columns(stats)
    segments = [dict(s) for s in stats["segments"]]
    meta = {"as_of": stats["as_of"], "later_orders": stats["later_orders"], "segments": segments}
    if _kind(data) == "pandas":
        pd = sys.modules["pandas"]
        # Text as pandas' `str` dtype, lists as Python lists (object), counts
        # as int64; `Int64` (nullable) only where a value is missing, which
        # never happens: every customer has a visit, so a weekday and an hour.
        dtypes = {"string": "str", "list<string>": object}
        frame = pd.DataFrame(
            {
                name: pd.Series(
                    columns[name],
                    dtype=dtypes.get(kind) or ("Int64" if None in columns[name] else "int64"),
                )
                for name, kind in STATS_COLUMNS
            }
        )
        frame.attrs.update(meta)
        return frame
    pa = _pyarrow("customer_stats")
    types = {"string": pa.string(), "int64": pa.int64(), "list<string>": pa.list_(pa.string())}
    schema = pa.schema(
        [pa.field(name, types[kind]) for name, kind in STATS_COLUMNS],
        metadata={
            "loyalty.as_of": stats["as_of"],
            "loyalty.later_orders": str(stats["later_orders"]),
            "loyalty.segments": json.dumps(segments, separators=(",", ":")),
        },
    )
    return pa.table(columns, schema=schema)


# --- insights: Program.triggers --------------------------------------------------------


def _day(value: Any) -> Any:
    """A naive `datetime` at midnight (how pandas holds a date: `datetime64`)
    as the `datetime.date` it is, also inside lists and structs; anything
    else as it is (an aware or non-midnight instant stays one, and the core
    refuses it as a day at its path)."""
    if isinstance(value, dict):
        return {k: _day(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_day(v) for v in value]
    if (
        isinstance(value, datetime.datetime)
        and value.tzinfo is None
        and value.time() == datetime.time(0)
        and getattr(value, "nanosecond", 0) == 0
    ):
        return datetime.date(value.year, value.month, value.day)
    return value


def customer_rows(data: object) -> Optional[List[Dict[str, Any]]]:
    """One `TriggerCustomer` dict per row, missing cells left out (also inside
    the `anniversaries` and `expiring` lists and the `tier_at_risk` struct),
    midnight `datetime64` cells as dates; None when `data` is not a table."""
    rows = order_rows(data)
    return None if rows is None else [_day(row) for row in rows]


# The columns of `Program.triggers(..., as_table=True)`, in order, with their
# Arrow type names: text, days as `date32` (the core's `YYYY-MM-DD`, exactly),
# and the details as a map of their kind to their value text.
TRIGGER_COLUMNS: List[Tuple[str, str]] = [
    ("customer", "string"),
    ("kind", "string"),
    ("date", "date32"),
    ("on", "date32"),
    ("coupon_campaign", "string"),
    ("coupon_code", "string"),
    ("details", "map<string, string>"),
]


def _trigger_columns(answer: Dict[str, Any]) -> Dict[str, List[Any]]:
    """The `triggers` of a `Triggers` answer as flat columns: the coupon's keys
    lifted up (None without one), days as dates, the details as (kind,
    value) pairs in the answer's order (none: no pairs)."""
    columns: Dict[str, List[Any]] = {name: [] for name, _ in TRIGGER_COLUMNS}
    for t in answer["triggers"]:
        coupon = t.get("coupon") or {}
        columns["customer"].append(t["customer"])
        columns["kind"].append(t["kind"])
        columns["date"].append(datetime.date.fromisoformat(t["date"]))
        columns["on"].append(datetime.date.fromisoformat(t["on"]))
        columns["coupon_campaign"].append(coupon.get("campaign"))
        columns["coupon_code"].append(coupon.get("code"))
        columns["details"].append([(d["kind"], d["value"]) for d in t.get("details", [])])
    return columns


def trigger_table(data: object, answer: Dict[str, Any]) -> Any:
    """A `Triggers` answer as a table, one row per trigger in the answer's
    order: a `pandas.DataFrame` for a DataFrame input (days as
    `datetime64[us]`, details as dicts), else a `pyarrow.Table` (days as
    `date32`, details as `map<string, string>`)."""
    columns = _trigger_columns(answer)
    if _kind(data) == "pandas":
        pd = sys.modules["pandas"]
        dtypes = {"string": "str", "date32": "datetime64[us]"}
        series = {
            name: pd.Series(columns[name], dtype=dtypes[kind]) for name, kind in TRIGGER_COLUMNS if kind in dtypes
        }
        # A detail kind is written once per trigger, so the pairs make a dict.
        series["details"] = pd.Series([dict(pairs) for pairs in columns["details"]], dtype=object)
        return pd.DataFrame({name: series[name] for name, _ in TRIGGER_COLUMNS})
    pa = _pyarrow("triggers")
    types = {"string": pa.string(), "date32": pa.date32(), "map<string, string>": pa.map_(pa.string(), pa.string())}
    schema = pa.schema([pa.field(name, types[kind]) for name, kind in TRIGGER_COLUMNS])
    return pa.table(columns, schema=schema)


# --- insights: Program.report ----------------------------------------------------------

_COUNT = [("name", "string"), ("count", "int64")]
_SPLIT = [("name", "string"), ("orders", "int64"), ("amount", "string"), ("share", "string")]
_TOP = [("customer", "string"), ("visits", "int64"), ("spend", "string")]

# The tables of `Program.report(..., as_tables=True)`, in order, with their
# columns and Arrow type names: text for names, money and shares (exact, as in
# the dict answer), int64 for counts. A list inside a part of the report
# (`credit.top`) is named `<part>_<key>` (`credit_top`). The last four are
# there only when their book is given (the answer's `points`, `tiers`,
# `referrals`).
REPORT_TABLES: Dict[str, List[Tuple[str, str]]] = {
    # Wide: one row per local weekday, 1 (Monday) to 7, one column per hour.
    "weekday_hour": [("weekday", "int64")] + [(f"h{h:02d}", "int64") for h in range(24)],
    "payments": _SPLIT,
    "channels": _SPLIT,
    "ages": _COUNT,
    "genders": _COUNT,
    "top_visitors": _TOP,
    "top_spenders": _TOP,
    "credit_top": _TOP,
    "coupons_campaigns": _COUNT,
    "points_months": [("month", "string"), ("issued", "string"), ("redeemed", "string"), ("expired", "string")],
    "tiers": _COUNT,
    "referrals_statuses": _COUNT,
    "referrals_reasons": _COUNT,
}


def _report_parts(report: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, List[Dict[str, Any]]]]:
    """A `Report` as its scalars (`summary`) and its lists of rows: the
    top-level keys as they are, the keys of a part (`credit`, `coupons`,
    `points`, `referrals`) joined to its name with `_`; the weekday x hour
    grid as one row per weekday."""
    summary: Dict[str, Any] = {}
    lists: Dict[str, List[Dict[str, Any]]] = {}
    for key, value in report.items():
        if key == "weekday_hour":
            lists[key] = [
                {"weekday": day, **{f"h{h:02d}": n for h, n in enumerate(hours)}}
                for day, hours in enumerate(value, start=1)
            ]
        elif isinstance(value, list):
            lists[key] = value
        elif isinstance(value, dict):
            for k, v in value.items():
                (lists if isinstance(v, list) else summary)[f"{key}_{k}"] = v
        else:
            summary[key] = value
    return summary, lists


def report_tables(data: object, report: Dict[str, Any]) -> Dict[str, Any]:
    """A `Report` answer as tables: each list-shaped part as a table (see
    `REPORT_TABLES`; `pandas.DataFrame`s for a DataFrame of orders, else
    `pyarrow.Table`s) and `summary`, a dict of every scalar. A list this
    module does not know yet (one the core added) still comes back, its types
    inferred."""
    summary, lists = _report_parts(report)
    # In the order of REPORT_TABLES, whatever the answer's key order.
    lists = {name: lists[name] for name in [*REPORT_TABLES, *lists] if name in lists}
    out: Dict[str, Any] = {"summary": summary}
    if _kind(data) == "pandas":
        pd = sys.modules["pandas"]
        for name, rows in lists.items():
            columns = REPORT_TABLES.get(name)
            if columns is None:  # pragma: no cover - a list the core added
                out[name] = pd.DataFrame(rows)
                continue
            out[name] = pd.DataFrame(
                {
                    col: pd.Series([r[col] for r in rows], dtype="str" if kind == "string" else "int64")
                    for col, kind in columns
                }
            )
        return out
    pa = _pyarrow("report", "as_tables")
    types = {"string": pa.string(), "int64": pa.int64()}
    for name, rows in lists.items():
        columns = REPORT_TABLES.get(name)
        if columns is None:  # pragma: no cover - a list the core added
            out[name] = pa.Table.from_pylist(rows)
            continue
        schema = pa.schema([pa.field(col, types[kind]) for col, kind in columns])
        out[name] = pa.table({col: [r[col] for r in rows] for col, _ in columns}, schema=schema)
    return out
