"""Tables for `Program.dedupe`: a `pyarrow.Table` or `pandas.DataFrame` as
the list of profile dicts the engine takes, and its answer back as a table.

Conversion only. Neither library is imported here: a table of one can only
exist once that library is loaded, so they stay optional dependencies.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Dict, List, Optional

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
