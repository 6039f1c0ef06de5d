//! Typed quote results: frozen classes over the core's answer types.
//!
//! Every `to_dict()` mirrors the core's JSON answer key for key (optional
//! keys left out when the core leaves them out), with `decimal.Decimal` where
//! the JSON has a decimal string, so canonical JSON of `Quote.to_dict()` equals
//! the core's canonical bytes.

use chrono::{DateTime, FixedOffset};
use loyalty_core::accrual::{Award, CapHit, LineAward, LineInfo, Miss, Quote, Reason};
use loyalty_core::ffi;
use loyalty_core::model::{Counters, WindowCounter};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::to_py;

fn repr_str(py: Python<'_>, s: &str) -> String {
    PyString::new(py, s)
        .repr()
        .map_or_else(|_| format!("{s:?}"), |r| r.to_string())
}

fn list_of<'py, T>(
    py: Python<'py>,
    items: &[T],
    to_dict: impl Fn(Python<'py>, &T) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(to_dict(py, item)?)?;
    }
    Ok(list)
}

/// The points an order or event earns, and why.
#[pyclass(frozen, eq, module = "loyalty", name = "Quote")]
#[derive(PartialEq)]
pub struct PyQuote {
    inner: Quote,
    local_time: DateTime<FixedOffset>,
}

impl PyQuote {
    /// Wraps a core answer; its `local_time` is RFC 3339 text.
    pub(crate) fn new(inner: Quote) -> PyResult<Self> {
        let local_time = DateTime::parse_from_rfc3339(&inner.local_time).map_err(|e| {
            PyValueError::new_err(format!(
                "the engine returned a local time that is not RFC 3339 ({:?}): {e}",
                inner.local_time
            ))
        })?;
        Ok(Self { inner, local_time })
    }
}

#[pymethods]
impl PyQuote {
    /// Program id.
    #[getter]
    fn program(&self) -> &str {
        &self.inner.program
    }

    /// `order` or `event`.
    #[getter]
    fn source_kind(&self) -> &'static str {
        self.inner.source.kind
    }

    /// The host's id of the order or event.
    #[getter]
    fn source_id(&self) -> &str {
        &self.inner.source.id
    }

    /// The program's currency.
    #[getter]
    fn currency(&self) -> &'static str {
        self.inner.currency
    }

    /// The moment in the program's time zone (timezone-aware).
    #[getter]
    fn local_time(&self) -> DateTime<FixedOffset> {
        self.local_time
    }

    /// Sum of the eligible spend of all lines.
    #[getter]
    fn eligible_spend(&self) -> rust_decimal::Decimal {
        self.inner.eligible_spend
    }

    /// Points earned.
    #[getter]
    fn total(&self) -> rust_decimal::Decimal {
        self.inner.total
    }

    /// Every rule that fired, in application order.
    #[getter]
    fn awards(&self) -> Vec<PyAward> {
        self.inner.awards.iter().cloned().map(PyAward).collect()
    }

    /// Every order line with its eligible spend.
    #[getter]
    fn lines(&self) -> Vec<PyLineInfo> {
        self.inner.lines.iter().cloned().map(PyLineInfo).collect()
    }

    /// Rules that did not fire and why (when the request asked to explain).
    #[getter]
    fn misses(&self) -> Vec<PyMiss> {
        self.inner.misses.iter().cloned().map(PyMiss).collect()
    }

    /// The counters to keep for the next quote.
    #[getter]
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        counters_dict(py, &self.inner.counters)
    }

    /// The answer as plain data, mirroring the core's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let q = &self.inner;
        let d = PyDict::new(py);
        d.set_item("program", &q.program)?;
        let source = PyDict::new(py);
        source.set_item("kind", q.source.kind)?;
        source.set_item("id", &q.source.id)?;
        d.set_item("source", source)?;
        d.set_item("currency", q.currency)?;
        d.set_item("local_time", &q.local_time)?;
        d.set_item("eligible_spend", q.eligible_spend)?;
        d.set_item("total", q.total)?;
        d.set_item("awards", list_of(py, &q.awards, award_dict)?)?;
        d.set_item("lines", list_of(py, &q.lines, line_info_dict)?)?;
        d.set_item("misses", list_of(py, &q.misses, miss_dict)?)?;
        d.set_item("counters", counters_dict(py, &q.counters)?)?;
        Ok(d)
    }

    /// The core's canonical JSON of the answer.
    fn to_json(&self) -> String {
        ffi::quote_to_canonical(&self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Quote(program={}, source_kind={}, source_id={}, total=Decimal('{}'))",
            repr_str(py, &self.inner.program),
            repr_str(py, self.inner.source.kind),
            repr_str(py, &self.inner.source.id),
            self.inner.total
        )
    }
}

/// One rule's contribution.
#[pyclass(frozen, eq, module = "loyalty", name = "Award")]
#[derive(PartialEq)]
pub struct PyAward(Award);

#[pymethods]
impl PyAward {
    /// Rule id.
    #[getter]
    fn rule(&self) -> &str {
        &self.0.rule
    }

    /// `rate`, `multiplier`, `bonus` or `event`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind
    }

    /// The exclusive group the rule won, if any.
    #[getter]
    fn group(&self) -> Option<&str> {
        self.0.group.as_deref()
    }

    /// What the rule worked on.
    #[getter]
    fn base(&self) -> rust_decimal::Decimal {
        self.0.base
    }

    /// The rule's multiplier, for multiplier rules.
    #[getter]
    fn multiplier(&self) -> Option<rust_decimal::Decimal> {
        self.0.multiplier
    }

    /// The lines the rule matched, with the points on each.
    #[getter]
    fn lines(&self) -> Vec<PyLineAward> {
        self.0.lines.iter().cloned().map(PyLineAward).collect()
    }

    /// Points before rounding.
    #[getter]
    fn unrounded(&self) -> rust_decimal::Decimal {
        self.0.unrounded
    }

    /// Rounded points minus unrounded points.
    #[getter]
    fn rounding(&self) -> rust_decimal::Decimal {
        self.0.rounding
    }

    /// Caps that cut the points, in the order they were applied.
    #[getter]
    fn caps(&self) -> Vec<PyCapHit> {
        self.0.caps.iter().cloned().map(PyCapHit).collect()
    }

    /// Points the rule gives.
    #[getter]
    fn points(&self) -> rust_decimal::Decimal {
        self.0.points
    }

    /// The award as plain data, mirroring the core's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        award_dict(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Award(rule={}, kind={}, points=Decimal('{}'))",
            repr_str(py, &self.0.rule),
            repr_str(py, self.0.kind),
            self.0.points
        )
    }
}

fn award_dict<'py>(py: Python<'py>, a: &Award) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("rule", &a.rule)?;
    d.set_item("kind", a.kind)?;
    if let Some(group) = &a.group {
        d.set_item("group", group)?;
    }
    d.set_item("base", a.base)?;
    if let Some(multiplier) = a.multiplier {
        d.set_item("multiplier", multiplier)?;
    }
    d.set_item("lines", list_of(py, &a.lines, line_award_dict)?)?;
    d.set_item("unrounded", a.unrounded)?;
    d.set_item("rounding", a.rounding)?;
    d.set_item("caps", list_of(py, &a.caps, cap_hit_dict)?)?;
    d.set_item("points", a.points)?;
    Ok(d)
}

/// A rule's points on one line.
#[pyclass(frozen, eq, module = "loyalty", name = "LineAward")]
#[derive(PartialEq)]
pub struct PyLineAward(LineAward);

#[pymethods]
impl PyLineAward {
    /// Index of the line in the order (from 0).
    #[getter]
    fn line(&self) -> usize {
        self.0.line
    }

    /// Eligible spend, base points or count on the line.
    #[getter]
    fn base(&self) -> rust_decimal::Decimal {
        self.0.base
    }

    /// Points from this line.
    #[getter]
    fn points(&self) -> rust_decimal::Decimal {
        self.0.points
    }

    /// The line award as plain data, mirroring the core's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        line_award_dict(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "LineAward(line={}, base=Decimal('{}'), points=Decimal('{}'))",
            self.0.line, self.0.base, self.0.points
        )
    }
}

fn line_award_dict<'py>(py: Python<'py>, l: &LineAward) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("line", l.line)?;
    d.set_item("base", l.base)?;
    d.set_item("points", l.points)?;
    Ok(d)
}

/// A cap that took points away.
#[pyclass(frozen, eq, module = "loyalty", name = "CapHit")]
#[derive(PartialEq)]
pub struct PyCapHit(CapHit);

impl PyCapHit {
    fn cap_name(&self) -> PyResult<String> {
        cap_name(&self.0)
    }
}

/// The cap's name as the core writes it (`per_order`, ...).
fn cap_name(c: &CapHit) -> PyResult<String> {
    match serde_json::to_value(c.cap) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(PyValueError::new_err(
            "the engine returned a cap without a name",
        )),
    }
}

#[pymethods]
impl PyCapHit {
    /// `per_order`, `per_day`, `per_period` or `budget`.
    #[getter]
    fn cap(&self) -> PyResult<String> {
        self.cap_name()
    }

    /// The configured limit.
    #[getter]
    fn limit(&self) -> rust_decimal::Decimal {
        self.0.limit
    }

    /// Points already counted against it before this quote.
    #[getter]
    fn used(&self) -> rust_decimal::Decimal {
        self.0.used
    }

    /// Points this cap removed.
    #[getter]
    fn cut(&self) -> rust_decimal::Decimal {
        self.0.cut
    }

    /// The cap hit as plain data, mirroring the core's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        cap_hit_dict(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "CapHit(cap={}, limit=Decimal('{}'), cut=Decimal('{}'))",
            repr_str(py, &self.cap_name()?),
            self.0.limit,
            self.0.cut
        ))
    }
}

fn cap_hit_dict<'py>(py: Python<'py>, c: &CapHit) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("cap", cap_name(c)?)?;
    d.set_item("limit", c.limit)?;
    d.set_item("used", c.used)?;
    d.set_item("cut", c.cut)?;
    Ok(d)
}

/// An order line as the engine saw it.
#[pyclass(frozen, eq, module = "loyalty", name = "LineInfo")]
#[derive(PartialEq)]
pub struct PyLineInfo(LineInfo);

#[pymethods]
impl PyLineInfo {
    /// Index of the line (from 0).
    #[getter]
    fn line(&self) -> usize {
        self.0.line
    }

    /// Its SKU.
    #[getter]
    fn sku(&self) -> &str {
        &self.0.sku
    }

    /// Spend on the line that can earn points.
    #[getter]
    fn eligible(&self) -> rust_decimal::Decimal {
        self.0.eligible
    }

    /// Why the line cannot earn at all, if so.
    #[getter]
    fn excluded(&self) -> Option<&'static str> {
        self.0.excluded
    }

    /// The line as plain data, mirroring the core's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        line_info_dict(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "LineInfo(line={}, sku={}, eligible=Decimal('{}'))",
            self.0.line,
            repr_str(py, &self.0.sku),
            self.0.eligible
        )
    }
}

fn line_info_dict<'py>(py: Python<'py>, l: &LineInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("line", l.line)?;
    d.set_item("sku", &l.sku)?;
    d.set_item("eligible", l.eligible)?;
    if let Some(excluded) = l.excluded {
        d.set_item("excluded", excluded)?;
    }
    Ok(d)
}

/// A rule that did not fire.
#[pyclass(frozen, eq, module = "loyalty", name = "Miss")]
#[derive(PartialEq)]
pub struct PyMiss(Miss);

#[pymethods]
impl PyMiss {
    /// Rule id.
    #[getter]
    fn rule(&self) -> &str {
        &self.0.rule
    }

    /// Every condition that failed, as dicts with a stable `code`.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        list_of(py, &self.0.reasons, reason_dict)
    }

    /// The miss as plain data, mirroring the core's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        miss_dict(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Miss(rule={}, reasons={})",
            repr_str(py, &self.0.rule),
            self.0.reasons.len()
        )
    }
}

fn miss_dict<'py>(py: Python<'py>, m: &Miss) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("rule", &m.rule)?;
    d.set_item("reasons", list_of(py, &m.reasons, reason_dict)?)?;
    Ok(d)
}

/// A reason as the core serializes it, with `Decimal` for its decimal fields.
fn reason_dict<'py>(py: Python<'py>, r: &Reason) -> PyResult<Bound<'py, PyDict>> {
    let value = serde_json::to_value(r)
        .map_err(|e| PyValueError::new_err(format!("cannot serialize a reason: {e}")))?;
    let d = to_py(py, &value)?.cast_into::<PyDict>()?;
    if let Reason::MinSpendNotMet { required, actual }
    | Reason::MinQuantityNotMet { required, actual } = r
    {
        d.set_item("required", required)?;
        d.set_item("actual", actual)?;
    }
    Ok(d)
}

fn counters_dict<'py>(py: Python<'py>, counters: &Counters) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (rule, c) in counters {
        let entry = PyDict::new(py);
        if let Some(day) = &c.day {
            entry.set_item("day", window_dict(py, day)?)?;
        }
        if let Some(period) = &c.period {
            entry.set_item("period", window_dict(py, period)?)?;
        }
        if let Some(budget) = c.budget {
            entry.set_item("budget", budget)?;
        }
        d.set_item(rule, entry)?;
    }
    Ok(d)
}

fn window_dict<'py>(py: Python<'py>, w: &WindowCounter) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("window", &w.window)?;
    d.set_item("points", w.points)?;
    Ok(d)
}
