//! Profile merging through `ffi`: what `Program.dedupe`, `dedupe_request`,
//! `normalize`, `normalize_profile`, `compare_profiles`, `compare_request`
//! and `match_index` call, and `loyalty.MatchIndex`.
//!
//! Every answer is the core's JSON answer as plain Python data, so it
//! compares byte for byte with the other bindings. A request the core cannot
//! answer raises `RequestError`. A `pyarrow.Table` or `pandas.DataFrame` is
//! turned into profile dicts (and the answer back into a table) by the small
//! pure-Python module `loyalty._tables`; nothing else is reshaped.

use std::sync::Mutex;

use loyalty_core::Program;
use loyalty_core::ffi::{self, ErrorKind, Failure};
use loyalty_core::identity::MatchIndex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde_json::{Map, Value};

use crate::book::{Fault, answer, guarded};
use crate::convert::{Path, to_value};
use crate::program::{PyProgram, request_value};

/// A Python input at `path` of a request as the core's JSON value.
fn value_at(obj: &Bound<'_, PyAny>, key: &str) -> PyResult<Value> {
    to_value(obj, ErrorKind::Request, &Path::Key(&Path::Root, key))
        .map_err(|e| e.into_pyerr(obj.py()))
}

/// `Program.dedupe`: profiles as a list of dicts, a `pyarrow.Table` or a
/// `pandas.DataFrame`; with `as_table` a table of the same kind comes back.
pub(crate) fn dedupe<'py>(
    program: &Program,
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    explain: bool,
    all_clusters: bool,
    as_table: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let tables = py.import("loyalty._tables")?;
    // A list of profile dicts for a table, None for anything else.
    let rows = tables.call_method1("profile_rows", (data,))?;
    let is_table = !rows.is_none();
    if as_table && !is_table {
        return Err(PyTypeError::new_err(
            "as_table=True needs a pyarrow.Table or a pandas.DataFrame",
        ));
    }
    let profiles = value_at(if is_table { &rows } else { data }, "profiles")?;
    let mut request = Map::new();
    request.insert("profiles".to_owned(), profiles);
    request.insert("explain".to_owned(), Value::Bool(explain));
    request.insert("all_clusters".to_owned(), Value::Bool(all_clusters));
    let result = py.detach(|| guarded(|| ffi::merge_dedupe(program, Value::Object(request))));
    let found = answer(py, result)?;
    if as_table {
        let cluster_of = found.get_item("cluster_of")?;
        return tables.call_method1("customer_table", (data, rows, cluster_of));
    }
    Ok(found)
}

/// `Program.dedupe_request`: a whole `DedupeRequest` mapping.
pub(crate) fn dedupe_request<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    let result = py.detach(|| guarded(|| ffi::merge_dedupe(program, value)));
    answer(py, result)
}

/// `Program.normalize`: one value as matching reads it.
pub(crate) fn normalize<'py>(
    program: &Program,
    py: Python<'py>,
    kind: &str,
    text: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let result = py.detach(|| guarded(|| ffi::merge_normalize(program, kind, text)));
    answer(py, result)
}

/// `Program.normalize_profile`: a profile as matching sees it.
pub(crate) fn normalize_profile<'py>(
    program: &Program,
    py: Python<'py>,
    profile: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(profile)?;
    let result = py.detach(|| guarded(|| ffi::merge_normalize_profile(program, value)));
    answer(py, result)
}

/// `Program.compare_profiles`: the score of two profiles and its evidence.
pub(crate) fn compare<'py>(
    program: &Program,
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut request = Map::new();
    request.insert("a".to_owned(), value_at(a, "a")?);
    request.insert("b".to_owned(), value_at(b, "b")?);
    let result = py.detach(|| guarded(|| ffi::merge_compare(program, Value::Object(request))));
    answer(py, result)
}

/// `Program.compare_request`: a whole `{"a", "b"}` mapping.
pub(crate) fn compare_request<'py>(
    program: &Program,
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = request_value(request)?;
    let result = py.detach(|| guarded(|| ffi::merge_compare(program, value)));
    answer(py, result)
}

const UNUSABLE: &str = "this match index is unusable: an internal error in the loyalty engine \
                        stopped a profile half-way; make a new one with program.match_index() \
                        and add the profiles again";

/// Known profiles and their customers, for matching one profile at a time
/// (at the POS, on sign-up). Made by `Program.match_index()`.
#[pyclass(frozen, module = "loyalty", name = "MatchIndex")]
pub struct PyMatchIndex {
    program: Py<PyProgram>,
    state: Mutex<MatchIndex>,
}

impl PyMatchIndex {
    /// An empty index under `program`'s merge policy.
    pub(crate) fn new(py: Python<'_>, program: Py<PyProgram>) -> PyResult<Self> {
        let index = py
            .detach(|| guarded(|| program.get().inner.match_index()))
            .map_err(Fault::into_pyerr)?;
        Ok(Self {
            program,
            state: Mutex::new(index),
        })
    }

    /// Reads the index with the GIL released; a panic does not poison it.
    fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&MatchIndex) -> T + Send,
    ) -> Result<T, Fault> {
        py.detach(|| {
            let index = self.state.lock().map_err(|_| Fault::Unusable(UNUSABLE))?;
            guarded(|| f(&index))
        })
    }

    /// Changes the index with the GIL released. A panic unwinds through the
    /// lock and poisons it: every later call is refused.
    fn write<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut MatchIndex) -> T + Send,
    ) -> Result<T, Fault> {
        py.detach(|| {
            guarded(|| {
                let mut index = self.state.lock().map_err(|_| Fault::Unusable(UNUSABLE))?;
                Ok(f(&mut index))
            })
            .and_then(|r| r)
        })
    }
}

#[pymethods]
impl PyMatchIndex {
    /// The program whose merge policy the index follows.
    #[getter]
    fn program(&self, py: Python<'_>) -> Py<PyProgram> {
        self.program.clone_ref(py)
    }

    /// Adds a new profile, or a changed one (same id), and says which
    /// customer it is: a `MatchDecision` dict. A profile the core cannot
    /// read raises `RequestError` and changes nothing.
    fn add<'py>(
        &self,
        py: Python<'py>,
        profile: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = request_value(profile)?;
        let result: Result<Result<Value, Failure>, Fault> =
            self.write(py, |index| ffi::merge_index_add(index, value));
        answer(py, result)
    }

    /// Number of profiles in the index.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, MatchIndex::len).map_err(Fault::into_pyerr)
    }

    /// `MatchIndex(program='id', profiles=n)`; never raises for an unusable index.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let id = PyString::new(py, self.program.get().inner.id())
            .repr()?
            .to_string();
        let n = self
            .read(py, MatchIndex::len)
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        Ok(format!("MatchIndex(program={id}, profiles={n})"))
    }
}
