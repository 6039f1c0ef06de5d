//! Python values to `serde_json::Value` (inputs) and back (data answers).
//!
//! Inputs keep their meaning exactly: `decimal.Decimal` becomes a decimal
//! string with all its digits, dates and datetimes their ISO text, floats stay
//! floats (the core rejects them with `float_not_allowed` and the path).
//! Whatever JSON cannot carry is reported as the core would report a bad value:
//! a coded error with the path of the value.

use loyalty_core::ShapeError;
use loyalty_core::ffi::{ErrorKind, Failure};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted in an input (the limit of serde_json's text reader).
const MAX_DEPTH: usize = 128;

/// Where a value sits in the input, rendered only when an error needs it.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The whole input.
    Root,
    /// A key of a mapping.
    Key(&'a Path<'a>, &'a str),
    /// An item of a list.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The path written as the core writes paths: `earn_rules[0].rate.per`.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Root => {}
            Self::Key(parent, key) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Self::Index(parent, index) => {
                parent.write(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
}

/// Why an input could not be converted: a coded error for the user, or a
/// Python exception raised while looking at the value (e.g. by `__iter__`).
pub(crate) enum InputError {
    /// A coded error (`invalid_type`, ...).
    Coded(Failure),
    /// An exception raised by Python code.
    Python(PyErr),
}

impl From<PyErr> for InputError {
    fn from(e: PyErr) -> Self {
        Self::Python(e)
    }
}

impl InputError {
    /// The Python exception to raise.
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Coded(f) => crate::errors::to_pyerr(py, &f),
            Self::Python(e) => e,
        }
    }
}

pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// Converts a Python input to a JSON value; `kind` says which exception a bad
/// value gives (`ProgramError` or `RequestError`).
pub(crate) fn to_value(
    obj: &Bound<'_, PyAny>,
    kind: ErrorKind,
    path: &Path<'_>,
) -> Result<Value, InputError> {
    convert(obj, kind, path, 0)
}

fn convert(
    obj: &Bound<'_, PyAny>,
    kind: ErrorKind,
    path: &Path<'_>,
    depth: usize,
) -> Result<Value, InputError> {
    let coded = |code: &'static str, message: String| {
        let path = path.render();
        let shape = match code {
            "invalid_type" => ShapeError::InvalidType { path, message },
            "float_not_allowed" => ShapeError::FloatNotAllowed { path, message },
            _ => ShapeError::InvalidValue { path, message },
        };
        InputError::Coded(Failure::from_shape(kind, shape))
    };
    if depth > MAX_DEPTH {
        return Err(coded(
            "invalid_value",
            format!("nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    let inner = depth.saturating_add(1);
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_cow() {
            Ok(text) => Ok(Value::String(text.into_owned())),
            Err(_) => Err(coded(
                "invalid_value",
                "the string is not valid Unicode (lone surrogate)".to_owned(),
            )),
        };
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(coded(
            "invalid_value",
            format!("integer {} is out of range", obj.str()?),
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        // The core rejects every float with `float_not_allowed`; NaN and
        // infinities have no JSON form, so say it here with the same code.
        return Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            coded(
                "float_not_allowed",
                format!(
                    "floating-point number where a decimal string is required: \
                     write `{v}` as a decimal string"
                ),
            )
        });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = dict_key(&k, &coded)?;
            let value = convert(&v, kind, &Path::Key(path, &key), inner)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(convert(&item?, kind, &Path::Index(path, i), inner)?);
        }
        return Ok(Value::Array(items));
    }
    if obj.is_instance(decimal_type(py)?)? {
        return Ok(Value::String(decimal_text(obj)?));
    }
    if obj.cast::<PyDate>().is_ok() {
        // datetime.datetime is a subclass of datetime.date: both give ISO text.
        return Ok(Value::String(obj.call_method0("isoformat")?.extract()?));
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for pair in m.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
            let key = dict_key(&k, &coded)?;
            let value = convert(&v, kind, &Path::Key(path, &key), inner)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    Err(coded(
        "invalid_type",
        format!(
            "unsupported Python type `{}`; expected dict, list, tuple, str, int, bool, None, \
             decimal.Decimal, datetime.date or datetime.datetime",
            type_name(obj)
        ),
    ))
}

fn dict_key(
    key: &Bound<'_, PyAny>,
    coded: &impl Fn(&'static str, String) -> InputError,
) -> Result<String, InputError> {
    match key.cast::<PyString>() {
        Ok(s) => s.to_cow().map(|c| c.into_owned()).map_err(|_| {
            coded(
                "invalid_value",
                "a key is not valid Unicode (lone surrogate)".to_owned(),
            )
        }),
        Err(_) => Err(coded(
            "invalid_type",
            format!(
                "mapping keys must be str, found `{}` key {}",
                type_name(key),
                key.repr()?
            ),
        )),
    }
}

/// A `decimal.Decimal` as a decimal string with exactly its digits.
///
/// `format(d, "f")` writes it without an exponent and loses nothing; when that
/// text is a valid `rust_decimal::Decimal` we pass its canonical text, else the
/// text itself, which the core rejects with `invalid_decimal` and the path
/// (NaN, infinities, more than 28 fractional digits, out of range). Going
/// through pyo3's own `Decimal` extraction would round digits past the 28th.
fn decimal_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let text: String = obj
        .py()
        .import("builtins")?
        .call_method1("format", (obj, "f"))?
        .extract()?;
    Ok(match rust_decimal::Decimal::from_str_exact(&text) {
        Ok(d) => d.to_string(),
        Err(_) => text,
    })
}

/// A JSON value from the core (error codes, schemas, reasons) as plain Python data.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
