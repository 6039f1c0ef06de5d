//! Insights through `ffi`: what `Program.customer_stats`,
//! `customer_stats_request`, `triggers`, `triggers_request`, `report` and
//! `report_request` call, and `loyalty.segment_names`.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts and
//! shares stay decimal strings), so it compares byte for byte with the other
//! bindings. A request the core cannot answer raises `RequestError`. A
//! `pyarrow.Table` or `pandas.DataFrame` of orders (or of trigger customers)
//! is turned into dicts (and the answer, with `as_table`, into a table) by the
//! small pure-Python module `loyalty._tables`; nothing else is reshaped. The
//! core is called with the GIL released; a report also locks the books it is
//! given (see [`Books`]) while the core reads them.

use loyalty_core::Program;
use loyalty_core::ffi::{self, ErrorKind, Failure};
use loyalty_core::insights::ReportBooks;
use loyalty_core::ledger::Ledger;
use loyalty_core::referrals::ReferralBook;
use loyalty_core::tiers::TierBook;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList};
use serde_json::{Map, Value};

use crate::book::{Book, Fault, answer, guarded};
use crate::convert::{Path, to_py, to_value};
use crate::ledger::PyLedger;
use crate::program::request_value;
use crate::referrals::PyReferralBook;
use crate::tiers::PyTiers;

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

/// `Program.triggers`: customers as a list of dicts, a `pyarrow.Table` or a
/// `pandas.DataFrame` (one customer per row); `date` (text or a
/// `datetime.date`) and `at` (RFC 3339 text or an aware `datetime`) go to the
/// core only when given, so giving both or neither is the core's
/// `date_and_at_not_one`. A whole-number `seed` is passed as its decimal text.
/// With `as_table` the answer comes back as a table, one row per trigger.
pub(crate) fn triggers<'py>(
    program: &Program,
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    date: Option<&Bound<'py, PyAny>>,
    at: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
    as_table: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let tables = py.import("loyalty._tables")?;
    // A list of customer dicts for a table, None for anything else.
    let rows = tables.call_method1("customer_rows", (customers,))?;
    let mut request = Map::new();
    request.insert(
        "customers".to_owned(),
        value_at(if rows.is_none() { customers } else { &rows }, "customers")?,
    );
    if let Some(date) = date {
        request.insert("date".to_owned(), value_at(date, "date")?);
    }
    if let Some(at) = at {
        request.insert("at".to_owned(), value_at(at, "at")?);
    }
    if let Some(seed) = seed {
        request.insert("seed".to_owned(), seed_value(seed)?);
    }
    let result = py.detach(|| guarded(|| ffi::insights_triggers(program, Value::Object(request))));
    let answer = answer(py, result)?;
    if as_table {
        return tables.call_method1("trigger_table", (customers, answer));
    }
    Ok(answer)
}

/// A seed as the core takes it: text, and a Python `int` (not a `bool`) as
/// its decimal text; anything else as it is (the core says what is wrong).
fn seed_value(seed: &Bound<'_, PyAny>) -> PyResult<Value> {
    if seed.cast::<PyInt>().is_ok()
        && seed.cast::<PyBool>().is_err()
        && let Ok(n) = seed.extract::<i128>()
    {
        return Ok(Value::String(n.to_string()));
    }
    value_at(seed, "seed")
}

/// `Program.triggers_request`: a whole `TriggerRequest` mapping.
pub(crate) fn triggers_request<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    let result = py.detach(|| guarded(|| ffi::insights_triggers(program, value)));
    answer(py, result)
}

/// The books a report may read, borrowed from the Python objects that hold
/// them (`Ledger`, `Tiers`, `ReferralBook`); each is optional.
pub(crate) struct Books<'a> {
    ledger: Option<&'a Book<Ledger>>,
    tiers: Option<&'a Book<TierBook>>,
    referrals: Option<&'a Book<ReferralBook>>,
}

impl<'a> Books<'a> {
    /// The books of the Python objects given (None: not given).
    pub(crate) fn of(
        ledger: Option<&'a Bound<'_, PyLedger>>,
        tiers: Option<&'a Bound<'_, PyTiers>>,
        referrals: Option<&'a Bound<'_, PyReferralBook>>,
    ) -> Self {
        Self {
            ledger: ledger.map(|l| &l.get().book),
            tiers: tiers.map(|t| &t.get().book),
            referrals: referrals.map(|r| &r.get().book),
        }
    }

    /// `ffi::insights_report` with the GIL released. Each book given is
    /// locked while the core reads it, always in the same order (ledger, tier
    /// book, referral book) so two reports never wait on each other; a post
    /// to one of them meanwhile waits for the report, and the report for it.
    /// A panic in the core is caught while the locks are held, so it poisons
    /// none of the books (reading changes nothing).
    fn report(
        &self,
        py: Python<'_>,
        program: &Program,
        request: Value,
    ) -> Result<Result<Value, Failure>, Fault> {
        py.detach(|| {
            let ledger = self.ledger.map(Book::lock).transpose()?;
            let tiers = self.tiers.map(Book::lock).transpose()?;
            let referrals = self.referrals.map(Book::lock).transpose()?;
            let books = ReportBooks {
                ledger: ledger.as_deref(),
                tiers: tiers.as_deref(),
                referrals: referrals.as_deref(),
            };
            guarded(|| ffi::insights_report(program, request, &books))
        })
    }
}

/// The arguments of `Program.report` besides the books.
pub(crate) struct ReportArgs<'a, 'py> {
    /// Orders: a list of dicts, a `pyarrow.Table` or a `pandas.DataFrame`.
    pub(crate) orders: &'a Bound<'py, PyAny>,
    /// First day: text or a `datetime.date`.
    pub(crate) from: &'a Bound<'py, PyAny>,
    /// Last day.
    pub(crate) to: &'a Bound<'py, PyAny>,
    /// Profiles, in the same three forms as the orders; None: not given.
    pub(crate) customers: Option<&'a Bound<'py, PyAny>>,
    /// How many top customers; None: the core's default.
    pub(crate) top: Option<&'a Bound<'py, PyAny>>,
}

/// `Program.report`: a `ReportRequest` built from the arguments (a table of
/// orders or customers turned into dicts by `loyalty._tables`; `customers`
/// and `top` sent only when given), answered by the core with whichever books
/// are given. With `as_tables` the answer is also given as tables, by
/// `loyalty._tables.report_tables`.
pub(crate) fn report<'py>(
    program: &Program,
    py: Python<'py>,
    args: &ReportArgs<'_, 'py>,
    books: &Books<'_>,
    as_tables: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let tables = py.import("loyalty._tables")?;
    let rows = tables.call_method1("order_rows", (args.orders,))?;
    let mut request = Map::new();
    request.insert("from".to_owned(), value_at(args.from, "from")?);
    request.insert("to".to_owned(), value_at(args.to, "to")?);
    request.insert(
        "orders".to_owned(),
        value_at(if rows.is_none() { args.orders } else { &rows }, "orders")?,
    );
    if let Some(customers) = args.customers {
        let rows = tables.call_method1("customer_rows", (customers,))?;
        request.insert(
            "customers".to_owned(),
            value_at(if rows.is_none() { customers } else { &rows }, "customers")?,
        );
    }
    if let Some(top) = args.top {
        request.insert("top".to_owned(), value_at(top, "top")?);
    }
    let report = answer(py, books.report(py, program, Value::Object(request)))?;
    if as_tables {
        return tables.call_method1("report_tables", (args.orders, report));
    }
    Ok(report)
}

/// `Program.report_request`: a whole `ReportRequest` mapping, with the books.
pub(crate) fn report_request<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    books: &Books<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    answer(py, books.report(py, program, value))
}

/// The default customer segments' names (`rfm.segment` of a program without
/// `[[insights.segments]]`), in the order they are tried: the first that fits
/// names the customer. A program's own segments, with their sizes, are the
/// `segments` of its `customer_stats` answer.
#[pyfunction]
pub(crate) fn segment_names(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    Ok(to_py(py, &ffi::segment_names())?.cast_into::<PyList>()?)
}
