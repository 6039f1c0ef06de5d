//! `loyalty.Ledger`: the core's points ledger through `ffi`.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts stay
//! decimal strings), so it compares byte for byte with the other bindings.
//! The only reshaping is `statement_rows`, which flattens a statement into
//! rows with `decimal.Decimal` amounts for data frames.
//!
//! The ledger sits behind a mutex and the GIL is released while the core
//! works (see [`crate::book`], which `loyalty.Tiers` shares). A panic in the
//! core never reaches Python: it becomes a `RuntimeError`, and if it happened
//! while an event was being posted the ledger refuses every later call (its
//! state may be half changed).

use loyalty_core::ffi;
use loyalty_core::ledger::Ledger;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyType};
use serde_json::Value;

use crate::book::{Book, Fault, answer, at_text};
use crate::convert::{decimal_type, to_py};
use crate::errors::to_pyerr;
use crate::program::PyProgram;

/// The points ledger of one program.
#[pyclass(frozen, module = "loyalty", name = "Ledger")]
pub struct PyLedger {
    pub(crate) book: Book<Ledger>,
}

fn text_or_none<'py>(py: Python<'py>, m: &Value, key: &str) -> PyResult<Bound<'py, PyAny>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(py.None().into_bound(py)),
        Some(v) => to_py(py, v),
    }
}

fn decimal<'py>(py: Python<'py>, m: &Value, key: &str) -> PyResult<Bound<'py, PyAny>> {
    match m.get(key) {
        Some(Value::String(s)) => decimal_type(py)?.call1((s.as_str(),)),
        _ => Err(PyValueError::new_err(format!(
            "the engine returned a statement movement without a decimal `{key}`"
        ))),
    }
}

#[pymethods]
impl PyLedger {
    /// An empty ledger for `program`.
    #[new]
    fn new(program: Py<PyProgram>) -> Self {
        Self {
            book: Book::new(program),
        }
    }

    /// The program the ledger follows.
    #[getter(program)]
    fn get_program(&self, py: Python<'_>) -> Py<PyProgram> {
        self.book.program_object(py)
    }

    /// Rebuilds a ledger from events in the order they were posted. Events
    /// the ledger refuses are skipped, as they were when first posted.
    #[classmethod]
    fn replay(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        program: Py<PyProgram>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Self {
            book: Book::replay(py, program, events)?,
        })
    }

    /// Posts one event: `{"event": id, "status": "applied" | "duplicate"}`.
    /// The same event posted again is a duplicate and changes nothing; a
    /// refused event raises `LedgerError` and changes no balance.
    fn post<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.book.post(py, event)
    }

    /// Posts events in order, with the GIL released.
    ///
    /// With `on_error="raise"` posting stops at the first refused event and
    /// its `LedgerError` is raised: the events before it are posted, the
    /// events after it are not. With `"return"` every event is tried and a
    /// refused one's `LedgerError` takes its place in the list. An exception
    /// from the caller's own code (the iterator, a mapping) is raised in both
    /// modes, after the events before it were posted.
    #[pyo3(signature = (events, *, on_error = String::from("raise")))]
    fn post_many<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        on_error: String,
    ) -> PyResult<Bound<'py, PyList>> {
        self.book.post_many(py, events, &on_error)
    }

    /// The balance of `account` as of `at` (RFC 3339 text or an aware datetime).
    fn balance<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.book.query(py, &account, at, ffi::ledger_balance)
    }

    /// The lots of `account` with points left as of `at`, soonest-expiring first.
    fn lots<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.book.query(py, &account, at, ffi::ledger_lots)
    }

    /// Points of `account` that expire after `at` and within `days` days of it.
    fn expiring<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
        days: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.book.query(py, &account, at, |p, l, a, t| {
            ffi::ledger_expiring(p, l, a, t, days)
        })
    }

    /// Every movement of `account` up to `at`, in time order, with the
    /// balances after each.
    fn statement<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.book.query(py, &account, at, ffi::ledger_statement)
    }

    /// The statement's movements as flat rows, one dict per movement with the
    /// same keys in every row: `at`, `kind`, `event`, `change`, `order`,
    /// `note`, `available`, `pending`, `owed` and `lots` (a list of
    /// `{"lot", "points"}`). Amounts are `decimal.Decimal`; `order` and
    /// `note` are None when the movement has none.
    ///
    /// Made for data frames: `pandas.DataFrame(ledger.statement_rows(account, at))`
    /// gives one row per movement and one column per key.
    fn statement_rows<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let at = at_text(at)?;
        let statement = self
            .book
            .read(py, |p, l| ffi::ledger_statement(p, l, &account, &at))
            .map_err(Fault::into_pyerr)?
            .map_err(|f| to_pyerr(py, &f))?;
        let movements = statement
            .get("movements")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                PyValueError::new_err("the engine returned a statement without movements")
            })?;
        let rows = PyList::empty(py);
        for m in movements {
            let row = PyDict::new(py);
            for key in ["at", "kind", "event"] {
                row.set_item(key, text_or_none(py, m, key)?)?;
            }
            row.set_item("change", decimal(py, m, "change")?)?;
            for key in ["order", "note"] {
                row.set_item(key, text_or_none(py, m, key)?)?;
            }
            for key in ["available", "pending", "owed"] {
                row.set_item(key, decimal(py, m, key)?)?;
            }
            let lots = PyList::empty(py);
            for lot in m
                .get("lots")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let d = PyDict::new(py);
                d.set_item("lot", text_or_none(py, lot, "lot")?)?;
                d.set_item("points", decimal(py, lot, "points")?)?;
                lots.append(d)?;
            }
            row.set_item("lots", lots)?;
            rows.append(row)?;
        }
        Ok(rows)
    }

    /// How many points can pay for an order and the discount they give
    /// (`id`, `account`, `at`, `order_total`, optional `order` and `points`).
    /// Nothing is posted: post the answer's `event` when the sale completes.
    fn pay_with_points<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = Book::<Ledger>::value(request).map_err(|e| e.into_pyerr(py))?;
        answer(py, self.book.read(py, |p, l| ffi::ledger_pay(p, l, value)))
    }

    /// Ids of every account (points and stored value), sorted.
    fn accounts(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.book.accounts(py)
    }

    /// Number of accounts.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.book.len(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.book.repr(py)
    }
}
