//! `loyalty.ReferralBook`: the core's referral book through `ffi`, and what
//! `Program.referral_book`, `Program.check_referral_code` and
//! `loyalty.referral_reason_codes` call.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts stay
//! decimal strings), so it compares byte for byte with the other bindings.
//! The book sits behind a mutex and the GIL is released while the core works,
//! exactly as for `loyalty.Tiers` (see [`crate::book`]).

use loyalty_core::Program;
use loyalty_core::ffi;
use loyalty_core::referrals::ReferralBook;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyType};

use crate::book::{Book, Fault, answer, at_text, guarded};
use crate::convert::to_py;
use crate::errors::to_pyerr;
use crate::program::PyProgram;

/// Members' referral codes and who referred whom, built from the referral
/// events posted to it in time order; `settle(at)` pays the referrals whose
/// return window has closed.
///
///     book = program.referral_book()
///     code = book.post({"type": "member", "id": "e1", "member": "sara",
///                       "at": "2026-03-01T10:00:00+03:30"})["code"]
///     book.post({"type": "signup", "id": "e2", "referee": "reza",
///                "code": code, "at": "2026-03-02T10:00:00+03:30"})
#[pyclass(frozen, module = "loyalty", name = "ReferralBook")]
pub struct PyReferralBook {
    pub(crate) book: Book<ReferralBook>,
}

impl PyReferralBook {
    /// An empty referral book for `program`; `ReferralError`
    /// (`referrals_not_configured`) for a program without `[referrals]`.
    pub(crate) fn create(py: Python<'_>, program: Py<PyProgram>) -> PyResult<Self> {
        check_program(py, &program.get().inner)?;
        Ok(Self {
            book: Book::new(program),
        })
    }
}

/// Refuses a program without `[referrals]` as the core does.
fn check_program(py: Python<'_>, program: &Program) -> PyResult<()> {
    py.detach(|| guarded(|| ffi::referrals_new(program).map(drop)))
        .map_err(Fault::into_pyerr)?
        .map_err(|f| to_pyerr(py, &f))
}

#[pymethods]
impl PyReferralBook {
    /// An empty referral book for `program` (the same as
    /// `program.referral_book()`). A program without `[referrals]` is refused
    /// here with `ReferralError` (`referrals_not_configured`).
    #[new]
    fn new(py: Python<'_>, program: Py<PyProgram>) -> PyResult<Self> {
        Self::create(py, program)
    }

    /// The program the referral book follows.
    #[getter(program)]
    fn get_program(&self, py: Python<'_>) -> Py<PyProgram> {
        self.book.program_object(py)
    }

    /// Rebuilds a referral book from events in the order they were posted.
    /// Events the book refuses are skipped, as they were when first posted.
    #[classmethod]
    fn replay(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        program: Py<PyProgram>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        check_program(py, &program.get().inner)?;
        Ok(Self {
            book: Book::replay(py, program, events)?,
        })
    }

    /// Posts one referral event (`member`, `signup`, `order`, `refund`,
    /// `custom` or `merge`): a `ReferralPosting` dict with the member's
    /// `code`, the referrals it touched, every reason a signup was refused or
    /// an order did not qualify (`rejected`, with evidence), and the ledger
    /// events and coupons to pass on. The same event posted again is a
    /// duplicate and changes nothing; a refused event raises `ReferralError`
    /// and changes nothing.
    fn post<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.book.post(py, event)
    }

    /// Posts events in order, with the GIL released.
    ///
    /// With `on_error="raise"` posting stops at the first refused event and
    /// its `ReferralError` is raised: the events before it are posted, the
    /// events after it are not. With `"return"` every event is tried and a
    /// refused one's `ReferralError` takes its place in the list. An
    /// exception from the caller's own code (the iterator, a mapping) is
    /// raised in both modes, after the events before it were posted.
    #[pyo3(signature = (events, *, on_error = String::from("raise")))]
    fn post_many<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        on_error: String,
    ) -> PyResult<Bound<'py, PyList>> {
        self.book.post_many(py, events, &on_error)
    }

    /// Pays the referrals whose return window closed by `at` (RFC 3339 text
    /// or an aware datetime): a `ReferralSettlement` dict with the ledger
    /// `earn` events and coupons to pass on. Settling again pays nothing twice.
    fn settle<'py>(&self, py: Python<'py>, at: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let at = at_text(at)?;
        answer(
            py,
            self.book.write(py, |p, b| ffi::referrals_settle(p, b, &at)),
        )
    }

    /// The referral of `referee`, or None when they were never referred.
    fn referral<'py>(&self, py: Python<'py>, referee: String) -> PyResult<Bound<'py, PyAny>> {
        answer(
            py,
            self.book
                .read(py, |_, b| Ok(ffi::referrals_referral(b, &referee))),
        )
    }

    /// Every referral, by referee.
    fn referrals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = answer(py, self.book.read(py, |_, b| Ok(ffi::referrals_list(b))))?;
        Ok(list.cast_into::<PyList>()?)
    }

    /// The member a typed code belongs to (typed in any case, with or
    /// without separators), or None.
    fn resolve(&self, py: Python<'_>, code: String) -> PyResult<Option<String>> {
        let member = answer(
            py,
            self.book
                .read(py, |p, b| Ok(ffi::referrals_resolve(p, b, &code))),
        )?;
        member.extract()
    }

    /// Number of referrals.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.book.len(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.book.repr(py)
    }
}

/// `Program.check_referral_code`: what typed text is as a referral code.
pub(crate) fn check_code<'py>(
    program: &Program,
    py: Python<'py>,
    code: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let result = py.detach(|| guarded(|| ffi::referrals_check_code(program, code)));
    answer(py, result)
}

/// Every reason code a referral can be refused, stopped or capped with
/// (`rejected[].code`, `reasons[].code`).
#[pyfunction]
pub(crate) fn referral_reason_codes(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    Ok(to_py(py, &ffi::referral_reason_codes())?.cast_into::<PyList>()?)
}
