//! `loyalty.Tiers`: the core's tier book through `ffi`.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts stay
//! decimal strings), so it compares byte for byte with the other bindings.
//! The book sits behind a mutex and the GIL is released while the core works,
//! exactly as for `loyalty.Ledger` (see [`crate::book`]).

use loyalty_core::ffi;
use loyalty_core::tiers::TierBook;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyType};

use crate::book::{Book, answer};
use crate::program::PyProgram;

/// The membership tiers of one program's members, built from the events
/// posted to it.
#[pyclass(frozen, module = "loyalty", name = "Tiers")]
pub struct PyTiers {
    pub(crate) book: Book<TierBook>,
}

#[pymethods]
impl PyTiers {
    /// An empty tier book for `program`. A program without `[tiers]` is
    /// refused here with `TierError` (`tiers_not_configured`).
    #[new]
    fn new(py: Python<'_>, program: Py<PyProgram>) -> PyResult<Self> {
        ffi::tiers_new(&program.get().inner).map_err(|f| crate::errors::to_pyerr(py, &f))?;
        Ok(Self {
            book: Book::new(program),
        })
    }

    /// The program the tier book follows.
    #[getter(program)]
    fn get_program(&self, py: Python<'_>) -> Py<PyProgram> {
        self.book.program_object(py)
    }

    /// Rebuilds a tier book from events in the order they were posted.
    /// Events the book refuses are skipped, as they were when first posted.
    #[classmethod]
    fn replay(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        program: Py<PyProgram>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        ffi::tiers_new(&program.get().inner).map_err(|f| crate::errors::to_pyerr(py, &f))?;
        Ok(Self {
            book: Book::replay(py, program, events)?,
        })
    }

    /// Posts one tier event or ledger event:
    /// `{"event": id, "status": "applied" | "duplicate" | "ignored"}`.
    /// The same event posted again is a duplicate and changes nothing; a
    /// ledger event that does not count towards tiers (an adjustment, a
    /// transfer, a wallet event) is ignored; a refused event raises
    /// `TierError` and changes nothing.
    fn post<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.book.post(py, event)
    }

    /// Posts events in order, with the GIL released.
    ///
    /// With `on_error="raise"` posting stops at the first refused event and
    /// its `TierError` is raised: the events before it are posted, the
    /// events after it are not. With `"return"` every event is tried and a
    /// refused one's `TierError` takes its place in the list. An exception
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

    /// The tier `account` holds as of `at` (RFC 3339 text or an aware
    /// datetime), with its window's metrics and what it takes to go up
    /// (`next`) or stay (`keep`).
    fn status<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.book.query(py, &account, at, ffi::tiers_status)
    }

    /// Every change of `account`'s tier up to `at`, oldest first.
    fn history<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.book.query(py, &account, at, ffi::tiers_history)
    }

    /// The tier an order earns at, before it is posted: a tier `order` event,
    /// or a ledger `earn` event with an `order`. Nothing is posted.
    fn order_tier<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = Book::<TierBook>::value(event).map_err(|e| e.into_pyerr(py))?;
        answer(
            py,
            self.book
                .read(py, |p, b| ffi::tiers_order_tier(p, b, value)),
        )
    }

    /// Ids of every account, sorted.
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
