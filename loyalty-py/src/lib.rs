//! Python bindings for the loyalty engine (`import loyalty`).
//!
//! The binding is thin: it converts Python values to the JSON values the
//! core's [`loyalty_core::ffi`] door takes, maps its failures to exceptions
//! and wraps its answers in typed, frozen classes. All logic lives in the core.

mod answer;
mod book;
mod convert;
mod coupons;
mod errors;
mod insights;
mod ledger;
mod merge;
mod program;
mod referrals;
mod tiers;

use loyalty_core::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Every stable error code, by kind (`program`, `request`, `ledger`, `tiers`,
/// `referrals`).
#[pyfunction]
fn error_codes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    Ok(convert::to_py(py, &ffi::error_codes())?.cast_into::<PyDict>()?)
}

/// Every stable warning code `Program.check()` can give.
#[pyfunction]
fn warning_codes(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    convert::to_py(py, &ffi::warning_codes())
}

/// The JSON Schema of the program format.
#[pyfunction]
fn program_schema(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    Ok(convert::to_py(py, &ffi::program_schema())?.cast_into::<PyDict>()?)
}

/// The compiled module `loyalty._loyalty`.
#[pymodule]
fn _loyalty(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<program::PyProgram>()?;
    m.add_class::<ledger::PyLedger>()?;
    m.add_class::<tiers::PyTiers>()?;
    m.add_class::<referrals::PyReferralBook>()?;
    m.add_class::<merge::PyMatchIndex>()?;
    m.add_class::<answer::PyQuote>()?;
    m.add_class::<answer::PyAward>()?;
    m.add_class::<answer::PyLineAward>()?;
    m.add_class::<answer::PyCapHit>()?;
    m.add_class::<answer::PyLineInfo>()?;
    m.add_class::<answer::PyMiss>()?;
    m.add("LoyaltyError", py.get_type::<errors::LoyaltyError>())?;
    m.add("ProgramError", py.get_type::<errors::ProgramError>())?;
    m.add("RequestError", py.get_type::<errors::RequestError>())?;
    m.add("LedgerError", py.get_type::<errors::LedgerError>())?;
    m.add("TierError", py.get_type::<errors::TierError>())?;
    m.add("ReferralError", py.get_type::<errors::ReferralError>())?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(warning_codes, m)?)?;
    m.add_function(wrap_pyfunction!(coupons::rejection_codes, m)?)?;
    m.add_function(wrap_pyfunction!(referrals::referral_reason_codes, m)?)?;
    m.add_function(wrap_pyfunction!(insights::segment_names, m)?)?;
    m.add_function(wrap_pyfunction!(program_schema, m)?)?;
    Ok(())
}
