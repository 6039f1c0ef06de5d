//! Coupons through `ffi`: what `Program.apply_coupons`, `check_code` and
//! `generate_codes` and `loyalty.rejection_codes` call.
//!
//! Every answer is the core's JSON answer as plain Python data (amounts stay
//! decimal strings), so it compares byte for byte with the other bindings. A
//! request the core cannot answer raises `RequestError`; a coupon that does
//! not apply is not an error but a `rejected` entry of the answer.

use loyalty_core::Program;
use loyalty_core::ffi;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::book::{Fault, answer, guarded};
use crate::convert::to_py;
use crate::program::request_value;

/// `Program.apply_coupons`: validates and applies the coupons of a request.
pub(crate) fn apply<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    let result = py.detach(|| guarded(|| ffi::coupons_apply(program, value)));
    answer(py, result)
}

/// `Program.check_code`: what a typed code is before the host looks it up.
pub(crate) fn check_code<'py>(
    program: &Program,
    py: Python<'py>,
    code: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let check = py
        .detach(|| guarded(|| ffi::coupons_check_code(program, code)))
        .map_err(Fault::into_pyerr)?;
    to_py(py, &check)
}

/// `Program.generate_codes`: new codes for a campaign with generated codes.
pub(crate) fn generate<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    let result = py.detach(|| guarded(|| ffi::coupons_generate(program, value)));
    answer(py, result)
}

/// Every code a coupon can be rejected with (`rejected[].reasons[].code`).
#[pyfunction]
pub(crate) fn rejection_codes(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    Ok(to_py(py, &ffi::rejection_codes())?.cast_into::<PyList>()?)
}
