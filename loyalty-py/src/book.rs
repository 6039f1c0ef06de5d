//! What `loyalty.Ledger`, `loyalty.Tiers` and `loyalty.ReferralBook` share: a book of posted events
//! behind a mutex, the core called with the GIL released and its panics
//! caught, events converted from Python, and `post_many`'s two error modes.
//!
//! A panic in the core never reaches Python: it becomes a `RuntimeError`, and
//! if it happened while an event was being posted the book refuses every
//! later call (its state may be half changed).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard};

use loyalty_core::Program;
use loyalty_core::ffi::{self, ErrorKind, Failure};
use loyalty_core::ledger::Ledger;
use loyalty_core::referrals::ReferralBook;
use loyalty_core::tiers::TierBook;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDateTime, PyList, PyMapping, PyString};
use serde_json::Value;

use crate::convert::{InputError, Path, to_py, to_value};
use crate::errors::to_pyerr;
use crate::program::PyProgram;

/// Why a call into the core gave no answer at all.
pub(crate) enum Fault {
    /// The core panicked (a bug in the core), with the panic's message.
    Panic(String),
    /// An earlier panic stopped an event half-way; the book is unusable.
    Poisoned {
        /// The Python class (`Ledger`, `Tiers`, `ReferralBook`).
        class: &'static str,
        /// What the book is called in messages (`ledger`, `tier book`, `referral book`).
        noun: &'static str,
    },
    /// An earlier panic stopped a change half-way; the message says what to do.
    Unusable(&'static str),
}

impl Fault {
    pub(crate) fn into_pyerr(self) -> PyErr {
        match self {
            Self::Panic(message) => PyRuntimeError::new_err(format!(
                "internal error in the loyalty engine (a bug, please report it): {message}"
            )),
            Self::Poisoned { class, noun } => PyRuntimeError::new_err(format!(
                "this {noun} is unusable: an internal error in the loyalty engine stopped an \
                 event half-way; rebuild it with {class}.replay(program, events)"
            )),
            Self::Unusable(message) => PyRuntimeError::new_err(message),
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

/// `at` as the core takes it: RFC 3339 text. A `datetime` is written with
/// `isoformat()`; a naive one has no offset, so the core refuses it with
/// `invalid_timestamp` like any text without one.
pub(crate) fn at_text(at: &Bound<'_, PyAny>) -> PyResult<String> {
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

/// `on_error` of the `*_many` methods: true for `"raise"`, false for `"return"`.
pub(crate) fn raises(on_error: &str) -> PyResult<bool> {
    match on_error {
        "raise" => Ok(true),
        "return" => Ok(false),
        other => Err(PyValueError::new_err(format!(
            "on_error must be 'raise' or 'return', not {other:?}"
        ))),
    }
}

/// A book the core builds from posted events, and its doors in `ffi`.
pub(crate) trait Events: Send + 'static {
    /// The Python class (`Ledger`, `Tiers`, `ReferralBook`).
    const CLASS: &'static str;
    /// What the book is called in messages (`ledger`, `tier book`, `referral book`).
    const NOUN: &'static str;
    /// What `len()` counts, as the repr names it (`accounts`, `referrals`).
    const COUNTS: &'static str = "accounts";
    /// The kind of error a bad event gives.
    const KIND: ErrorKind;
    /// An empty book.
    fn empty() -> Self;
    /// Posts one event through `ffi`.
    fn post(program: &Program, book: &mut Self, event: Value) -> Result<Value, Failure>;
    /// Posts events in order through `ffi`; one outcome per event.
    fn post_many(
        program: &Program,
        book: &mut Self,
        events: Vec<Value>,
    ) -> Vec<Result<Value, Failure>>;
    /// Account ids, sorted (for the referral book: the referees).
    fn account_ids(&self) -> Vec<String>;
    /// Number of accounts (for the referral book: of referrals); what `len()` answers.
    fn account_count(&self) -> usize;
}

impl Events for Ledger {
    const CLASS: &'static str = "Ledger";
    const NOUN: &'static str = "ledger";
    const KIND: ErrorKind = ErrorKind::Ledger;

    fn empty() -> Self {
        Self::new()
    }

    fn post(program: &Program, book: &mut Self, event: Value) -> Result<Value, Failure> {
        ffi::ledger_post(program, book, event)
    }

    fn post_many(
        program: &Program,
        book: &mut Self,
        events: Vec<Value>,
    ) -> Vec<Result<Value, Failure>> {
        ffi::ledger_post_many(program, book, events)
    }

    fn account_ids(&self) -> Vec<String> {
        Ledger::account_ids(self).map(str::to_owned).collect()
    }

    fn account_count(&self) -> usize {
        self.len()
    }
}

impl Events for TierBook {
    const CLASS: &'static str = "Tiers";
    const NOUN: &'static str = "tier book";
    const KIND: ErrorKind = ErrorKind::Tiers;

    fn empty() -> Self {
        Self::new()
    }

    fn post(program: &Program, book: &mut Self, event: Value) -> Result<Value, Failure> {
        ffi::tiers_post(program, book, event)
    }

    fn post_many(
        program: &Program,
        book: &mut Self,
        events: Vec<Value>,
    ) -> Vec<Result<Value, Failure>> {
        ffi::tiers_post_many(program, book, events)
    }

    fn account_ids(&self) -> Vec<String> {
        TierBook::account_ids(self).map(str::to_owned).collect()
    }

    fn account_count(&self) -> usize {
        self.len()
    }
}

impl Events for ReferralBook {
    const CLASS: &'static str = "ReferralBook";
    const NOUN: &'static str = "referral book";
    const COUNTS: &'static str = "referrals";
    const KIND: ErrorKind = ErrorKind::Referrals;

    /// The empty book `ffi::referrals_new` gives once the program is
    /// checked (the classes check it with `referrals_new` first).
    fn empty() -> Self {
        Self::default()
    }

    fn post(program: &Program, book: &mut Self, event: Value) -> Result<Value, Failure> {
        ffi::referrals_post(program, book, event)
    }

    fn post_many(
        program: &Program,
        book: &mut Self,
        events: Vec<Value>,
    ) -> Vec<Result<Value, Failure>> {
        ffi::referrals_post_many(program, book, events)
    }

    fn account_ids(&self) -> Vec<String> {
        self.referrals().map(|r| r.referee.clone()).collect()
    }

    fn account_count(&self) -> usize {
        self.referrals().count()
    }
}

/// Events to post, converted in input order while holding the GIL.
enum Item {
    /// An event for the core.
    Event(Value),
    /// An event the binding could not convert: refused like the core refuses one.
    Refused(Failure),
}

/// The events of one program's members, as a Python class keeps them.
pub(crate) struct Book<B> {
    program: Py<PyProgram>,
    state: Mutex<B>,
}

impl<B: Events> Book<B> {
    /// An empty book for `program`.
    pub(crate) fn new(program: Py<PyProgram>) -> Self {
        Self {
            program,
            state: Mutex::new(B::empty()),
        }
    }

    /// The core's program.
    pub(crate) fn program(&self) -> &Program {
        &self.program.get().inner
    }

    /// The Python program object.
    pub(crate) fn program_object(&self, py: Python<'_>) -> Py<PyProgram> {
        self.program.clone_ref(py)
    }

    fn poisoned() -> Fault {
        Fault::Poisoned {
            class: B::CLASS,
            noun: B::NOUN,
        }
    }

    /// A Python input (an event, a request) as the core takes it; a value
    /// JSON cannot carry is refused with `B::KIND`.
    pub(crate) fn value(obj: &Bound<'_, PyAny>) -> Result<Value, InputError> {
        to_value(obj, B::KIND, &Path::Root)
    }

    /// Reads the book with the GIL released. A panic is caught while the
    /// lock is held, so it does not poison it: reading changes nothing.
    pub(crate) fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Program, &B) -> T + Send,
    ) -> Result<T, Fault> {
        let program = self.program();
        py.detach(|| {
            let book = self.lock()?;
            guarded(|| f(program, &book))
        })
    }

    /// The book itself, for a reader that needs several books at once
    /// (`Program.report`). Call it with the GIL released, and catch panics
    /// while the guard is held (as `read` does), so the lock is not poisoned.
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, B>, Fault> {
        self.state.lock().map_err(|_| Self::poisoned())
    }

    /// Changes the book with the GIL released. A panic unwinds through the
    /// lock and poisons it: the change may be half done, so every later call
    /// on this book is refused.
    pub(crate) fn write<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Program, &mut B) -> T + Send,
    ) -> Result<T, Fault> {
        let program = self.program();
        py.detach(|| {
            guarded(|| {
                let mut book = self.state.lock().map_err(|_| Self::poisoned())?;
                Ok(f(program, &mut book))
            })
            .and_then(|r| r)
        })
    }

    /// A query by account and instant.
    pub(crate) fn query<'py>(
        &self,
        py: Python<'py>,
        account: &str,
        at: &Bound<'py, PyAny>,
        f: impl FnOnce(&Program, &B, &str, &str) -> Result<Value, Failure> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at = at_text(at)?;
        answer(py, self.read(py, |p, b| f(p, b, account, &at)))
    }

    /// Converts every event of an iterable. A Python exception raised by the
    /// caller's own code (an iterator, a mapping's `__getitem__`) ends the
    /// list: it is returned with the events before it, which are still posted.
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
                .and_then(|e| Self::value(&e));
            match converted {
                Ok(value) => items.push(Item::Event(value)),
                Err(InputError::Coded(failure)) => items.push(Item::Refused(failure)),
                Err(InputError::Python(e)) => return Ok((items, Some(e))),
            }
        }
        Ok((items, None))
    }

    /// Rebuilds a book from events in the order they were posted. Events the
    /// book refuses are skipped, as they were when first posted.
    pub(crate) fn replay(
        py: Python<'_>,
        program: Py<PyProgram>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let (items, fatal) = Self::collect_events(events)?;
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
        let book = Self::new(program);
        book.write(py, |p, b| {
            // Refused events change nothing; their failures are dropped.
            drop(B::post_many(p, b, values));
        })
        .map_err(Fault::into_pyerr)?;
        Ok(book)
    }

    /// Posts one event.
    pub(crate) fn post<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = Self::value(event).map_err(|e| e.into_pyerr(py))?;
        answer(py, self.write(py, |p, b| B::post(p, b, value)))
    }

    /// Posts events in order, with the GIL released.
    ///
    /// With `on_error="raise"` posting stops at the first refused event and
    /// its error is raised: the events before it are posted, the events
    /// after it are not. With `"return"` every event is tried and a refused
    /// one's error takes its place in the list. An exception from the
    /// caller's own code (the iterator, a mapping) is raised in both modes,
    /// after the events before it were posted.
    pub(crate) fn post_many<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let raise = raises(on_error)?;
        let (items, fatal) = Self::collect_events(events)?;
        let out = PyList::empty(py);
        if raise {
            let (done, failure) = self
                .write(py, |p, b| {
                    let mut done = Vec::new();
                    for item in items {
                        let result = match item {
                            Item::Event(v) => B::post(p, b, v),
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
                .write(py, |p, b| {
                    let mut items = items;
                    let values: Vec<Value> = items
                        .iter_mut()
                        .filter_map(|item| match item {
                            Item::Event(v) => Some(std::mem::take(v)),
                            Item::Refused(_) => None,
                        })
                        .collect();
                    let mut answers = B::post_many(p, b, values).into_iter();
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

    /// Ids of every account, sorted.
    pub(crate) fn accounts(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.read(py, |_, b| b.account_ids())
            .map_err(Fault::into_pyerr)
    }

    /// Number of accounts.
    pub(crate) fn len(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, |_, b| b.account_count())
            .map_err(Fault::into_pyerr)
    }

    /// `Class(program='id', accounts=n)` (`referrals=n` for the referral
    /// book); never raises, not even for a book left unusable by a panic.
    pub(crate) fn repr(&self, py: Python<'_>) -> PyResult<String> {
        let id = PyString::new(py, self.program().id()).repr()?.to_string();
        let accounts = self
            .read(py, |_, b| b.account_count())
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        Ok(format!(
            "{}(program={id}, {}={accounts})",
            B::CLASS,
            B::COUNTS
        ))
    }
}
