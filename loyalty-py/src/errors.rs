//! Exceptions: the core's [`Failure`] mapped to `LoyaltyError` subclasses.

use loyalty_core::ffi::{ErrorKind, Failure};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pyo3::create_exception!(
    loyalty,
    LoyaltyError,
    PyValueError,
    "Base of every error the engine reports. `code` and `path` are those of the first \
     error; `errors` lists them all as dicts {code, path, message}; `kind` is \
     'program', 'request', 'ledger', 'tiers' or 'referrals'."
);
pyo3::create_exception!(
    loyalty,
    ProgramError,
    LoyaltyError,
    "The program is invalid."
);
pyo3::create_exception!(
    loyalty,
    RequestError,
    LoyaltyError,
    "The request is invalid: a quote, coupons to apply or codes to generate."
);
pyo3::create_exception!(
    loyalty,
    LedgerError,
    LoyaltyError,
    "The ledger refused an event, a query or a payment request; no balance changed."
);
pyo3::create_exception!(
    loyalty,
    TierError,
    LoyaltyError,
    "The tier book refused an event or a query; no tier changed."
);
pyo3::create_exception!(
    loyalty,
    ReferralError,
    LoyaltyError,
    "The referral book refused an event or a query, or the program has no referrals; \
     nothing changed."
);

/// The Python exception for a failure (`ProgramError`, `RequestError`,
/// `LedgerError`, `TierError` or `ReferralError`).
pub(crate) fn to_pyerr(py: Python<'_>, failure: &Failure) -> PyErr {
    build(py, failure).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, failure: &Failure) -> PyResult<PyErr> {
    let message = failure.to_string();
    let err = match failure.kind {
        ErrorKind::Program => ProgramError::new_err(message),
        ErrorKind::Request => RequestError::new_err(message),
        ErrorKind::Ledger => LedgerError::new_err(message),
        ErrorKind::Tiers => TierError::new_err(message),
        ErrorKind::Referrals => ReferralError::new_err(message),
    };
    let value = err.value(py);
    let (code, path) = failure
        .first()
        .map_or(("", ""), |e| (e.code, e.path.as_str()));
    value.setattr("code", code)?;
    value.setattr("path", path)?;
    value.setattr("kind", failure.kind.name())?;
    let errors = PyList::empty(py);
    for e in &failure.errors {
        let d = PyDict::new(py);
        d.set_item("code", e.code)?;
        d.set_item("path", &e.path)?;
        d.set_item("message", &e.message)?;
        errors.append(d)?;
    }
    value.setattr("errors", errors)?;
    Ok(err)
}
