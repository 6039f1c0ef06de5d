//! `loyalty.Ledger`: the core's points ledger through `ffi`.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts stay
//! decimal strings), so it compares byte for byte with the other bindings.
//! The only reshaping is `statement_rows`, which flattens a statement into
//! rows with `decimal.Decimal` amounts for data frames.
//!
//! The ledger sits behind a mutex and the GIL is released while the core
//! works. A panic in the core never reaches Python: it becomes a
//! `RuntimeError`, and if it happened while an event was being posted the
//! ledger refuses every later call (its state may be half changed).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use loyalty_core::Program;
use loyalty_core::ffi::{self, ErrorKind, Failure};
use loyalty_core::ledger::Ledger;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDateTime, PyDict, PyList, PyMapping, PyString, PyType};
use serde_json::Value;

use crate::convert::{InputError, Path, decimal_type, to_py, to_value};
use crate::errors::to_pyerr;
use crate::program::PyProgram;

/// Why a call into the core gave no answer at all.
pub(crate) enum Fault {
    /// The core panicked (a bug in the core), with the panic's message.
    Panic(String),
    /// An earlier panic stopped an event half-way; the ledger is unusable.
    Poisoned,
}

impl Fault {
    pub(crate) fn into_pyerr(self) -> PyErr {
        match self {
            Self::Panic(message) => PyRuntimeError::new_err(format!(
                "internal error in the loyalty engine (a bug, please report it): {message}"
            )),
            Self::Poisoned => PyRuntimeError::new_err(
                "this ledger is unusable: an internal error in the loyalty engine stopped an \
                 event half-way; rebuild it with Ledger.replay(program, events)",
            ),
        }
    }
}

/// Runs `f`, catching a panic so that it never unwinds into Python.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Fault> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic without a message".to_owned());
        Fault::Panic(message)
    })
}

/// A core answer as Python data, or its failure as a `LoyaltyError`.
pub(crate) fn answer<'py>(
    py: Python<'py>,
    result: Result<Result<Value, Failure>, Fault>,
) -> PyResult<Bound<'py, PyAny>> {
    match result.map_err(Fault::into_pyerr)? {
        Ok(value) => to_py(py, &value),
        Err(failure) => Err(to_pyerr(py, &failure)),
    }
}

fn ledger_value(obj: &Bound<'_, PyAny>) -> Result<Value, InputError> {
    to_value(obj, ErrorKind::Ledger, &Path::Root)
}

/// `at` as the core takes it: RFC 3339 text. A `datetime` is written with
/// `isoformat()`; a naive one has no offset, so the core refuses it with
/// `invalid_timestamp` like any text without one.
fn at_text(at: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = at.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if at.cast::<PyDateTime>().is_ok() {
        return at.call_method0("isoformat")?.extract();
    }
    let type_name = at
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    Err(PyTypeError::new_err(format!(
        "`at` must be an RFC 3339 string or a datetime.datetime, not {type_name}"
    )))
}

/// Events to post, converted in input order while holding the GIL.
enum Item {
    /// An event for the core.
    Event(Value),
    /// An event the binding could not convert: refused like the core refuses one.
    Refused(Failure),
}

/// Converts every event of an iterable. A Python exception raised by the
/// caller's own code (an iterator, a mapping's `__getitem__`) ends the list:
/// it is returned with the events before it, which are still posted.
fn collect_events(events: &Bound<'_, PyAny>) -> PyResult<(Vec<Item>, Option<PyErr>)> {
    if events.cast::<PyString>().is_ok()
        || events.cast::<PyBytes>().is_ok()
        || events.cast::<PyMapping>().is_ok()
    {
        return Err(PyTypeError::new_err(
            "events must be an iterable of event mappings",
        ));
    }
    let iter = events
        .try_iter()
        .map_err(|_| PyTypeError::new_err("events must be an iterable of event mappings"))?;
    let mut items = Vec::new();
    for next in iter {
        let converted = next
            .map_err(InputError::Python)
            .and_then(|e| ledger_value(&e));
        match converted {
            Ok(value) => items.push(Item::Event(value)),
            Err(InputError::Coded(failure)) => items.push(Item::Refused(failure)),
            Err(InputError::Python(e)) => return Ok((items, Some(e))),
        }
    }
    Ok((items, None))
}

/// The points ledger of one program.
#[pyclass(frozen, module = "loyalty", name = "Ledger")]
pub struct PyLedger {
    program: Py<PyProgram>,
    ledger: Mutex<Ledger>,
}

impl PyLedger {
    fn program(&self) -> &Program {
        &self.program.get().inner
    }

    /// Reads the ledger with the GIL released. A panic is caught while the
    /// lock is held, so it does not poison it: reading changes nothing.
    fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Program, &Ledger) -> T + Send,
    ) -> Result<T, Fault> {
        let program = self.program();
        py.detach(|| {
            let ledger = self.ledger.lock().map_err(|_| Fault::Poisoned)?;
            guarded(|| f(program, &ledger))
        })
    }

    /// Changes the ledger with the GIL released. A panic unwinds through the
    /// lock and poisons it: the change may be half done, so every later call
    /// on this ledger is refused.
    fn write<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Program, &mut Ledger) -> T + Send,
    ) -> Result<T, Fault> {
        let program = self.program();
        py.detach(|| {
            guarded(|| {
                let mut ledger = self.ledger.lock().map_err(|_| Fault::Poisoned)?;
                Ok(f(program, &mut ledger))
            })
            .and_then(|r| r)
        })
    }

    /// A query by account and instant.
    fn query<'py>(
        &self,
        py: Python<'py>,
        account: &str,
        at: &Bound<'py, PyAny>,
        f: impl FnOnce(&Program, &Ledger, &str, &str) -> Result<Value, Failure> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at = at_text(at)?;
        answer(py, self.read(py, |p, l| f(p, l, account, &at)))
    }
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
            program,
            ledger: Mutex::new(Ledger::new()),
        }
    }

    /// The program the ledger follows.
    #[getter(program)]
    fn get_program(&self, py: Python<'_>) -> Py<PyProgram> {
        self.program.clone_ref(py)
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
        let (items, fatal) = collect_events(events)?;
        if let Some(e) = fatal {
            return Err(e);
        }
        let values: Vec<Value> = items
            .into_iter()
            .filter_map(|item| match item {
                Item::Event(v) => Some(v),
                Item::Refused(_) => None,
            })
            .collect();
        let ledger = Self::new(program);
        ledger
            .write(py, |p, l| {
                // Refused events change nothing; their failures are dropped.
                drop(ffi::ledger_post_many(p, l, values));
            })
            .map_err(Fault::into_pyerr)?;
        Ok(ledger)
    }

    /// Posts one event: `{"event": id, "status": "applied" | "duplicate"}`.
    /// The same event posted again is a duplicate and changes nothing; a
    /// refused event raises `LedgerError` and changes no balance.
    fn post<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let value = ledger_value(event).map_err(|e| e.into_pyerr(py))?;
        answer(py, self.write(py, |p, l| ffi::ledger_post(p, l, value)))
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
        let raise = match on_error.as_str() {
            "raise" => true,
            "return" => false,
            other => {
                return Err(PyValueError::new_err(format!(
                    "on_error must be 'raise' or 'return', not {other:?}"
                )));
            }
        };
        let (items, fatal) = collect_events(events)?;
        let out = PyList::empty(py);
        if raise {
            let (done, failure) = self
                .write(py, |p, l| {
                    let mut done = Vec::new();
                    for item in items {
                        let result = match item {
                            Item::Event(v) => ffi::ledger_post(p, l, v),
                            Item::Refused(f) => Err(f),
                        };
                        match result {
                            Ok(v) => done.push(v),
                            Err(f) => return (done, Some(f)),
                        }
                    }
                    (done, None)
                })
                .map_err(Fault::into_pyerr)?;
            if let Some(f) = failure {
                return Err(to_pyerr(py, &f));
            }
            for v in &done {
                out.append(to_py(py, v)?)?;
            }
        } else {
            let outcomes = self
                .write(py, |p, l| {
                    let mut items = items;
                    let values: Vec<Value> = items
                        .iter_mut()
                        .filter_map(|item| match item {
                            Item::Event(v) => Some(std::mem::take(v)),
                            Item::Refused(_) => None,
                        })
                        .collect();
                    let mut answers = ffi::ledger_post_many(p, l, values).into_iter();
                    items
                        .into_iter()
                        .map(|item| match item {
                            Item::Event(_) => answers.next(),
                            Item::Refused(f) => Some(Err(f)),
                        })
                        .collect::<Vec<_>>()
                })
                .map_err(Fault::into_pyerr)?;
            for outcome in outcomes {
                match outcome {
                    Some(Ok(v)) => out.append(to_py(py, &v)?)?,
                    Some(Err(f)) => out.append(to_pyerr(py, &f).into_value(py))?,
                    None => {
                        return Err(PyValueError::new_err("the engine returned too few answers"));
                    }
                }
            }
        }
        match fatal {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// The balance of `account` as of `at` (RFC 3339 text or an aware datetime).
    fn balance<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.query(py, &account, at, ffi::ledger_balance)
    }

    /// The lots of `account` with points left as of `at`, soonest-expiring first.
    fn lots<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.query(py, &account, at, ffi::ledger_lots)
    }

    /// Points of `account` that expire after `at` and within `days` days of it.
    fn expiring<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
        days: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.query(py, &account, at, |p, l, a, t| {
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
        self.query(py, &account, at, ffi::ledger_statement)
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
        let value = ledger_value(request).map_err(|e| e.into_pyerr(py))?;
        answer(py, self.read(py, |p, l| ffi::ledger_pay(p, l, value)))
    }

    /// Ids of every account (points and stored value), sorted.
    fn accounts(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.read(py, |_, l| {
            l.account_ids().map(str::to_owned).collect::<Vec<_>>()
        })
        .map_err(Fault::into_pyerr)
    }

    /// Number of accounts.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, |_, l| l.len()).map_err(Fault::into_pyerr)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let id = PyString::new(py, self.program().id()).repr()?.to_string();
        // A repr never raises, not even for a ledger left unusable by a panic.
        let accounts = self
            .read(py, |_, l| l.len())
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        Ok(format!("Ledger(program={id}, accounts={accounts})"))
    }
}
