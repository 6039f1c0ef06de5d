//! `loyalty.Program`: loading a program and quoting requests through `ffi`.

use std::path::PathBuf;

use loyalty_core::Program;
use loyalty_core::ffi::{self, ErrorKind, Failure, ProgramSource};
use loyalty_core::program::ProgramFormat;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyMapping, PySequence, PyString};
use serde_json::{Map, Value};

use crate::answer::PyQuote;
use crate::book::{Fault, answer, guarded, raises};
use crate::convert::{InputError, Path, to_py, to_value};
use crate::errors::{LoyaltyError, to_pyerr};

/// A validated loyalty program, ready to quote. Immutable; share it freely
/// between threads.
#[pyclass(frozen, module = "loyalty", name = "Program")]
pub struct PyProgram {
    pub(crate) inner: Program,
}

fn loaded(py: Python<'_>, result: Result<Program, Failure>) -> PyResult<PyProgram> {
    result
        .map(|inner| PyProgram { inner })
        .map_err(|f| to_pyerr(py, &f))
}

fn quoted(py: Python<'_>, result: Result<loyalty_core::Quote, Failure>) -> PyResult<PyQuote> {
    result.map_err(|f| to_pyerr(py, &f)).and_then(PyQuote::new)
}

/// A request mapping as the core's JSON value; a bad value raises `RequestError`.
pub(crate) fn request_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_value(obj, ErrorKind::Request, &Path::Root).map_err(|e| e.into_pyerr(obj.py()))
}

/// An `OSError` like Python's own, so `FileNotFoundError` and friends work.
fn os_error(py: Python<'_>, e: &std::io::Error, path: &std::path::Path) -> PyErr {
    let filename = path.to_string_lossy().into_owned();
    let Some(errno) = e.raw_os_error() else {
        return PyOSError::new_err(format!("{filename}: {e}"));
    };
    let strerror = py
        .import("os")
        .and_then(|os| os.call_method1("strerror", (errno,)))
        .and_then(|s| s.extract::<String>())
        .unwrap_or_else(|_| e.to_string());
    // OSError(errno, strerror, filename) picks the subclass (FileNotFoundError, ...).
    PyOSError::new_err((errno, strerror, filename))
}

#[pymethods]
impl PyProgram {
    /// Loads a program from a mapping (as parsed from JSON).
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Self> {
        let value = to_value(d, ErrorKind::Program, &Path::Root)
            .map_err(|e: InputError| e.into_pyerr(py))?;
        let result = py.detach(|| ffi::load_program(ProgramSource::Value(value)));
        loaded(py, result)
    }

    /// Loads a program from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: String) -> PyResult<Self> {
        let result = py.detach(|| ffi::load_program(ProgramSource::Json(&text)));
        loaded(py, result)
    }

    /// Loads a program from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: String) -> PyResult<Self> {
        let result = py.detach(|| ffi::load_program(ProgramSource::Toml(&text)));
        loaded(py, result)
    }

    /// Loads a program from a `.json` or `.toml` file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(format) = ProgramFormat::from_file_name(&name) else {
            return Err(PyValueError::new_err(format!(
                "cannot tell the program format of {:?}: the file name must end in .json or .toml",
                path.to_string_lossy()
            )));
        };
        let bytes = py
            .detach(|| std::fs::read(&path))
            .map_err(|e| os_error(py, &e, &path))?;
        let text = String::from_utf8(bytes)?;
        let result = py.detach(|| ffi::load_program(ProgramSource::Text(&text, format)));
        loaded(py, result)
    }

    /// Program id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }

    /// ISO 4217 currency code.
    #[getter]
    fn currency(&self) -> &'static str {
        self.inner.currency().code()
    }

    /// IANA time zone name.
    #[getter]
    fn time_zone(&self) -> &'static str {
        self.inner.time_zone().name()
    }

    /// The calendar periods and birthdays are counted in.
    #[getter]
    fn calendar(&self) -> &'static str {
        self.inner.calendar().name()
    }

    /// The program as JSON text that loads back into an equal program.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = |s: &str| -> PyResult<String> { Ok(PyString::new(py, s).repr()?.to_string()) };
        Ok(format!(
            "Program(id={}, currency={}, time_zone={}, calendar={})",
            r(self.inner.id())?,
            r(self.currency())?,
            r(self.time_zone())?,
            r(self.calendar())?
        ))
    }

    /// Quotes an order (or an event) for a customer. `coupons` lists the
    /// points coupons redeemed on the order (`apply_coupons(...)["points_coupons"]`).
    #[pyo3(signature = (order=None, *, event=None, customer=None, counters=None, coupons=None, explain=false))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one Python keyword per field of the quote request"
    )]
    fn quote(
        &self,
        py: Python<'_>,
        order: Option<&Bound<'_, PyAny>>,
        event: Option<&Bound<'_, PyAny>>,
        customer: Option<&Bound<'_, PyAny>>,
        counters: Option<&Bound<'_, PyAny>>,
        coupons: Option<&Bound<'_, PyAny>>,
        explain: bool,
    ) -> PyResult<PyQuote> {
        let mut request = Map::new();
        for (key, arg) in [
            ("order", order),
            ("event", event),
            ("customer", customer),
            ("counters", counters),
            ("coupons", coupons),
        ] {
            if let Some(obj) = arg {
                let value = to_value(obj, ErrorKind::Request, &Path::Key(&Path::Root, key))
                    .map_err(|e| e.into_pyerr(py))?;
                request.insert(key.to_owned(), value);
            }
        }
        request.insert("explain".to_owned(), Value::Bool(explain));
        let result = py.detach(|| ffi::quote(&self.inner, Value::Object(request)));
        quoted(py, result)
    }

    /// Quotes a whole request mapping (`order` or `event`, `customer`,
    /// `counters`, `coupons`, `explain`).
    fn quote_request(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyQuote> {
        let value = request_value(request)?;
        let result = py.detach(|| ffi::quote(&self.inner, value));
        quoted(py, result)
    }

    /// The ledger's earn event for a quote request: the quote's points for
    /// `account` under event id `id`, with the order's amount and lines so a
    /// later refund takes back exactly its share. None when the quote earns
    /// nothing. Post it with `Ledger.post`.
    #[pyo3(signature = (request, *, account, id))]
    fn earn_event<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        account: String,
        id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = request_value(request)?;
        let result = py.detach(|| guarded(|| ffi::earn_event(&self.inner, value, &account, &id)));
        answer(py, result)
    }

    /// Validates the coupons typed for an order and applies those that hold:
    /// a `CouponRequest` mapping answered with a `CouponResult` dict. A coupon
    /// that does not apply is listed in `rejected` with every reason; only a
    /// request that cannot be answered raises `RequestError`.
    fn apply_coupons<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::coupons::apply(&self.inner, py, request)
    }

    /// What a typed code is before the host looks it up (a public code, a
    /// well-formed generated code, or why not): a `CodeCheck` dict.
    fn check_code<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyAny>> {
        crate::coupons::check_code(&self.inner, py, code)
    }

    /// New codes for a campaign with generated codes: a `GenerateRequest`
    /// mapping answered with a `GeneratedCodes` dict. Without a `seed` the
    /// codes come from the operating system's secure generator.
    fn generate_codes<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::coupons::generate(&self.inner, py, request)
    }

    /// Finds which profiles are the same customer. `data` is a list of
    /// profile dicts, a `pyarrow.Table` or a `pandas.DataFrame` (one profile
    /// per row; missing cells, None and NaN, are left out). Answers a
    /// `Dedupe` dict whose `cluster_of` gives each row's customer id in input
    /// order; with `as_table=True` (tables only) a table of the same kind
    /// with columns `id` and `customer`, one row per input row, instead.
    #[pyo3(signature = (data, *, explain=false, all_clusters=false, as_table=false))]
    fn dedupe<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        explain: bool,
        all_clusters: bool,
        as_table: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::merge::dedupe(&self.inner, py, data, explain, all_clusters, as_table)
    }

    /// `dedupe` of a whole `DedupeRequest` mapping (`profiles`, `explain`,
    /// `all_clusters`), as the other bindings send it.
    fn dedupe_request<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::merge::dedupe_request(&self.inner, py, request)
    }

    /// One value as matching reads it under the program's `[merge]` policy:
    /// `kind` is `phone`, `email`, `name` or `date`. Answers `{"value": ...}`
    /// or `{"rejected": code}` (a placeholder or an invalid value).
    fn normalize<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        text: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::merge::normalize(&self.inner, py, kind, text)
    }

    /// A profile as matching sees it: a `NormalizedProfile` dict.
    fn normalize_profile<'py>(
        &self,
        py: Python<'py>,
        profile: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::merge::normalize_profile(&self.inner, py, profile)
    }

    /// Compares two profiles: `{"score", "linked", "evidence"}`.
    fn compare_profiles<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::merge::compare(&self.inner, py, a, b)
    }

    /// `compare_profiles` of a whole `{"a": profile, "b": profile}` mapping,
    /// as the other bindings send it.
    fn compare_request<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::merge::compare_request(&self.inner, py, request)
    }

    /// Statistics, RFM scores and segments of every customer with an order
    /// by `as_of`, from `orders`: a list of `InsightOrder` dicts (`id`,
    /// `customer`, `at`, `amount`, optional `channel`, `store`, `payment`,
    /// `points_paid`, `coupon_discount`, `lines`), a `pyarrow.Table` or a
    /// `pandas.DataFrame` with those columns (one order per row, `lines` a
    /// list column; missing cells, None and NaN, are left out). `as_of` is
    /// RFC 3339 text or an aware `datetime`; orders after it are left out
    /// and counted. Weekdays and hours are local to the program's time zone.
    ///
    /// Answers a `Stats` dict (its `segments` list every segment of the
    /// program, `[[insights.segments]]` or the default ones, in the order
    /// they are tried, with its number of customers, 0 included); with
    /// `as_table=True` a table with one row per customer and flat columns
    /// (`rfm`'s keys lifted up): a
    /// `pandas.DataFrame` for a DataFrame, else a `pyarrow.Table`. Money,
    /// shares and visits per week stay exact decimal text, as in the dict
    /// (`pyarrow.compute.cast(t["total_spend"], pyarrow.decimal128(38, 4))`
    /// or `df["total_spend"].map(decimal.Decimal)` to compute with them);
    /// instants stay RFC 3339 text in the program's zone. `as_of` and
    /// `later_orders` are the table's metadata (`loyalty.as_of`,
    /// `loyalty.later_orders`) or the DataFrame's `attrs`; so are the
    /// program's segments with their sizes (`loyalty.segments`, JSON text;
    /// `attrs["segments"]`, a list of dicts), which the rows cannot give
    /// (a segment without customers has no row).
    #[pyo3(signature = (orders, as_of, *, as_table=false))]
    fn customer_stats<'py>(
        &self,
        py: Python<'py>,
        orders: &Bound<'py, PyAny>,
        as_of: &Bound<'py, PyAny>,
        as_table: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::insights::customer_stats(&self.inner, py, orders, as_of, as_table)
    }

    /// `customer_stats` of a whole `StatsRequest` mapping (`orders`,
    /// `as_of`), as the other bindings send it.
    fn customer_stats_request<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::insights::customer_stats_request(&self.inner, py, request)
    }

    /// Lifecycle triggers (birthday, anniversary, membership, welcome,
    /// win-back, points expiring, tier at risk) the program's `[triggers]`
    /// make due, for `customers`: a list of `TriggerCustomer` dicts, a
    /// `pyarrow.Table` or a `pandas.DataFrame` with those columns (one
    /// customer per row; `anniversaries` and `expiring` list-of-struct
    /// columns, `tier_at_risk` a struct column; missing cells, None, NaN and
    /// NaT, are left out; a date column may be `date32` or midnight
    /// `datetime64`).
    ///
    /// Give exactly one of `date`, the local day for everyone
    /// (`YYYY-MM-DD` text or a `datetime.date`), and `at`, an instant (RFC
    /// 3339 text or an aware `datetime`; a naive one is refused) at which
    /// each customer's day is the local date in their `time_zone` (the
    /// program's by default). `seed` (a whole number, text or `int`) makes
    /// personal coupon codes repeatable; without one they come from the
    /// operating system's secure generator.
    ///
    /// Answers a `Triggers` dict; with `as_table=True` a table with one row
    /// per trigger, columns `customer`, `kind`, `date`, `on` (dates),
    /// `coupon_campaign`, `coupon_code` (None without a coupon) and
    /// `details` (a map of detail kind to value text): a `pandas.DataFrame`
    /// for a DataFrame, else a `pyarrow.Table`.
    #[pyo3(signature = (customers, *, date=None, at=None, seed=None, as_table=false))]
    fn triggers<'py>(
        &self,
        py: Python<'py>,
        customers: &Bound<'py, PyAny>,
        date: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
        seed: Option<&Bound<'py, PyAny>>,
        as_table: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::insights::triggers(&self.inner, py, customers, date, at, seed, as_table)
    }

    /// `triggers` of a whole `TriggerRequest` mapping (`date` or `at`,
    /// `customers`, `seed`), as the other bindings send it.
    fn triggers_request<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::insights::triggers_request(&self.inner, py, request)
    }

    /// A report of the period `from_` to `to` (local days of the program's
    /// time zone, both included: `YYYY-MM-DD` text or `datetime.date`) from
    /// `orders`: `InsightOrder` dicts (with an optional `coupons` list of
    /// campaign ids), a `pyarrow.Table` or a `pandas.DataFrame` with those
    /// columns; orders outside the period are left out. `customers`
    /// (`ReportCustomer`: `id`, optional `birth_date` and `gender`; a list, a
    /// table or a DataFrame) give the age and gender mix. `top` is how many
    /// top visitors, spenders and credit customers to list (10 by default).
    ///
    /// Each book given adds to the answer: a `Ledger` the points issued,
    /// redeemed and expired by month (`points`) and the wallets' credit
    /// (`credit.wallets`, `limit`, `owed`), a `Tiers` book the members per
    /// tier at the period's end (`tiers`), a `ReferralBook` the outcomes of
    /// the period's signups (`referrals`). The books are read with the GIL
    /// released and locked while the core reads them.
    ///
    /// Answers a `Report` dict; with `as_tables=True` a dict of tables (see
    /// the stubs and the README) and a `summary` dict of the scalars.
    #[pyo3(signature = (
        orders, from_, to, *, customers=None, ledger=None, tiers=None, referrals=None, top=None,
        as_tables=false
    ))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one Python keyword per part of the report request and per book"
    )]
    fn report<'py>(
        &self,
        py: Python<'py>,
        orders: &Bound<'py, PyAny>,
        from_: &Bound<'py, PyAny>,
        to: &Bound<'py, PyAny>,
        customers: Option<&Bound<'py, PyAny>>,
        ledger: Option<&Bound<'py, crate::ledger::PyLedger>>,
        tiers: Option<&Bound<'py, crate::tiers::PyTiers>>,
        referrals: Option<&Bound<'py, crate::referrals::PyReferralBook>>,
        top: Option<&Bound<'py, PyAny>>,
        as_tables: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = crate::insights::ReportArgs {
            orders,
            from: from_,
            to,
            customers,
            top,
        };
        let books = crate::insights::Books::of(ledger, tiers, referrals);
        crate::insights::report(&self.inner, py, &args, &books, as_tables)
    }

    /// `report` of a whole `ReportRequest` mapping (`from`, `to`, `orders`,
    /// `customers`, `top`), as the other bindings send it, with the same
    /// optional books.
    #[pyo3(signature = (request, *, ledger=None, tiers=None, referrals=None))]
    fn report_request<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        ledger: Option<&Bound<'py, crate::ledger::PyLedger>>,
        tiers: Option<&Bound<'py, crate::tiers::PyTiers>>,
        referrals: Option<&Bound<'py, crate::referrals::PyReferralBook>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let books = crate::insights::Books::of(ledger, tiers, referrals);
        crate::insights::report_request(&self.inner, py, request, &books)
    }

    /// An empty `MatchIndex` under the program's merge policy.
    fn match_index(slf: &Bound<'_, Self>) -> PyResult<crate::merge::PyMatchIndex> {
        crate::merge::PyMatchIndex::new(slf.py(), slf.clone().unbind())
    }

    /// An empty `ReferralBook` for this program (the same as
    /// `ReferralBook(program)`); a program without `[referrals]` raises
    /// `ReferralError` (`referrals_not_configured`).
    fn referral_book(slf: &Bound<'_, Self>) -> PyResult<crate::referrals::PyReferralBook> {
        crate::referrals::PyReferralBook::create(slf.py(), slf.clone().unbind())
    }

    /// What typed text is as a referral code, before anyone looks it up: a
    /// `ReferralCodeCheck` dict, `{"ok": True, "code": canonical}` or
    /// `{"ok": False, "reason": {...}}` (`malformed_code`,
    /// `bad_check_character`). A program without `[referrals]` raises
    /// `ReferralError` (`referrals_not_configured`).
    fn check_referral_code<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyAny>> {
        crate::referrals::check_code(&self.inner, py, code)
    }

    /// Warnings about settings that are valid but probably not meant (a tier
    /// no member can reach, retention above entry, a rule naming a tier the
    /// program does not have): a list of `{"code", "path", "message"}`,
    /// empty when there is nothing to say.
    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let warnings = py
            .detach(|| guarded(|| ffi::program_check(&self.inner)))
            .map_err(Fault::into_pyerr)?;
        Ok(to_py(py, &warnings)?.cast_into::<PyList>()?)
    }

    /// Quotes many requests with the GIL released. With `on_error="raise"`
    /// the first failing request (in input order) raises; with `"return"` its
    /// exception takes its place in the list.
    #[pyo3(signature = (requests, *, on_error = String::from("raise")))]
    fn quote_many<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyAny>,
        on_error: String,
    ) -> PyResult<Bound<'py, PyList>> {
        let raise = raises(&on_error)?;
        if requests.cast::<PyString>().is_ok()
            || requests.cast::<PyBytes>().is_ok()
            || requests.cast::<PyMapping>().is_ok()
            || requests.cast::<PySequence>().is_err()
        {
            return Err(PyTypeError::new_err(
                "requests must be a sequence of request mappings",
            ));
        }
        // Convert everything while holding the GIL ...
        let mut inputs: Vec<Result<Value, PyErr>> = Vec::new();
        for item in requests.try_iter()? {
            inputs.push(request_value(&item?));
        }
        let values: Vec<Value> = inputs
            .iter_mut()
            .filter_map(|r| r.as_mut().ok().map(std::mem::take))
            .collect();
        // ... compute without it ...
        let mut answers = py
            .detach(|| ffi::quote_many(&self.inner, values))
            .into_iter();
        // ... and convert back, in input order.
        let out = PyList::empty(py);
        for input in inputs {
            let item: PyResult<PyQuote> = match input {
                Err(e) => Err(e),
                Ok(_) => match answers.next() {
                    Some(answer) => quoted(py, answer),
                    None => Err(PyValueError::new_err("the engine returned too few answers")),
                },
            };
            match item {
                Ok(q) => out.append(Bound::new(py, q)?)?,
                Err(e) if !raise && e.is_instance_of::<LoyaltyError>(py) => {
                    out.append(e.into_value(py))?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
