//! Insights through `ffi`: what `Program.customer_stats` and
//! `customer_stats_request` call, and `loyalty.segment_names`.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts and
//! shares stay decimal strings), so it compares byte for byte with the other
//! bindings. A request the core cannot answer raises `RequestError`. A
//! `pyarrow.Table` or `pandas.DataFrame` of orders is turned into order dicts
//! (and the answer, with `as_table`, into a table) by the small pure-Python
//! module `loyalty._tables`; nothing else is reshaped.

use loyalty_core::Program;
use loyalty_core::ffi::{self, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde_json::{Map, Value};

use crate::book::{answer, guarded};
use crate::convert::{Path, to_py, to_value};
use crate::program::request_value;

/// A Python input at `key` of a request as the core's JSON value; a bad
/// value raises `RequestError` with the path (`orders[1].amount`).
fn value_at(obj: &Bound<'_, PyAny>, key: &str) -> PyResult<Value> {
    to_value(obj, ErrorKind::Request, &Path::Key(&Path::Root, key))
        .map_err(|e| e.into_pyerr(obj.py()))
}

/// `Program.customer_stats`: orders as a list of dicts, a `pyarrow.Table` or
/// a `pandas.DataFrame`; `as_of` as RFC 3339 text or an aware `datetime`
/// (written with `isoformat()`). With `as_table` the answer comes back as a
/// table, one row per customer.
pub(crate) fn customer_stats<'py>(
    program: &Program,
    py: Python<'py>,
    orders: &Bound<'py, PyAny>,
    as_of: &Bound<'py, PyAny>,
    as_table: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let tables = py.import("loyalty._tables")?;
    // A list of order dicts for a table, None for anything else.
    let rows = tables.call_method1("order_rows", (orders,))?;
    let orders_value = value_at(if rows.is_none() { orders } else { &rows }, "orders")?;
    let mut request = Map::new();
    request.insert("orders".to_owned(), orders_value);
    request.insert("as_of".to_owned(), value_at(as_of, "as_of")?);
    let result =
        py.detach(|| guarded(|| ffi::insights_customer_stats(program, Value::Object(request))));
    let stats = answer(py, result)?;
    if as_table {
        return tables.call_method1("stats_table", (orders, stats));
    }
    Ok(stats)
}

/// `Program.customer_stats_request`: a whole `StatsRequest` mapping.
pub(crate) fn customer_stats_request<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    let result = py.detach(|| guarded(|| ffi::insights_customer_stats(program, value)));
    answer(py, result)
}

/// Every customer segment's name (`rfm.segment`), in the order the segments
/// are tried: the first that fits names the customer.
#[pyfunction]
pub(crate) fn segment_names(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    Ok(to_py(py, &ffi::segment_names())?.cast_into::<PyList>()?)
}
