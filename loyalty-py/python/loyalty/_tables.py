"""Tables for `Program.dedupe` and `Program.customer_stats`: a
`pyarrow.Table` or `pandas.DataFrame` as the list of profile (or order) dicts
the engine takes, and its answer back as a table.

Conversion only. Neither library is imported here for reading a table (a
table of one can only exist once that library is loaded), so they stay
optional dependencies; only `customer_stats(list_of_dicts, ..., as_table=True)`
imports pyarrow, to build the `pyarrow.Table` it answers.
"""

from __future__ import annotations

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


def stats_table(data: object, stats: Dict[str, Any]) -> Any:
    """A `Stats` answer as a table, one row per customer: a `pandas.DataFrame`
    for a DataFrame input, else a `pyarrow.Table`. `as_of` and `later_orders`
    go to the table's metadata (`DataFrame.attrs` for pandas)."""
    columns = _stats_columns(stats)
    meta = {"as_of": stats["as_of"], "later_orders": stats["later_orders"]}
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
    try:
        import pyarrow as pa  # type: ignore[import-not-found, unused-ignore]
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("customer_stats(..., as_table=True) needs pyarrow (pip install pyarrow)") from e
    types = {"string": pa.string(), "int64": pa.int64(), "list<string>": pa.list_(pa.string())}
    schema = pa.schema(
        [pa.field(name, types[kind]) for name, kind in STATS_COLUMNS],
        metadata={"loyalty.as_of": stats["as_of"], "loyalty.later_orders": str(stats["later_orders"])},
    )
    return pa.table(columns, schema=schema)
