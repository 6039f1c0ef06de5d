//! Errors shared by every area: the stable-code contract and the shape errors
//! that come out of reading JSON/TOML.
//!
//! Each area has its own error enum ([`crate::program::ProgramError`],
//! [`crate::accrual::RequestError`]); all of them implement [`Coded`], so a
//! binding can report `code` and `path` without knowing the area.

use serde::de::DeserializeOwned;

use crate::money::{BAD_DECIMAL_MSG, FLOAT_MSG};

/// An error or rejection with a stable, snake_case code and the path of the
/// offending value (`earn_rules[3].when.categories`; empty for the whole input).
pub trait Coded: std::error::Error {
    /// Stable machine-readable code; callers and tests key on this, not on the message.
    fn code(&self) -> &'static str;
    /// Path of the value the error is about.
    fn path(&self) -> &str;
}

/// A value that does not have the expected shape: the errors a reader of JSON
/// or TOML can give before any meaning is checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// The text is not valid JSON or TOML.
    #[error("{format} syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// `json` or `toml`.
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A key that the format does not have (often a typo).
    #[error("unknown field `{field}` at `{path}`")]
    UnknownField {
        /// Path of the unknown key.
        path: String,
        /// The key.
        field: String,
    },
    /// A required key is absent.
    #[error("missing field `{field}` at `{path}`")]
    MissingField {
        /// Path the key should be at.
        path: String,
        /// The key.
        field: String,
    },
    /// A value of the wrong JSON type (a list where a string belongs, ...).
    #[error("invalid type at `{path}`: {message}")]
    InvalidType {
        /// Path of the value.
        path: String,
        /// What was found and what was expected.
        message: String,
    },
    /// A string that is not one of the allowed names.
    #[error("unknown variant at `{path}`: {message}")]
    UnknownVariant {
        /// Path of the value.
        path: String,
        /// The value and the allowed names.
        message: String,
    },
    /// A string that is not a decimal number.
    #[error("invalid decimal at `{path}`: {message}")]
    InvalidDecimal {
        /// Path of the value.
        path: String,
        /// The offending text.
        message: String,
    },
    /// A JSON float where a decimal string is required.
    #[error("floats are not allowed at `{path}`: {message}")]
    FloatNotAllowed {
        /// Path of the value.
        path: String,
        /// The value and how to write it.
        message: String,
    },
    /// Any other value the reader refused (a bad date, a number out of range).
    #[error("invalid value at `{path}`: {message}")]
    InvalidValue {
        /// Path of the value.
        path: String,
        /// What the reader said.
        message: String,
    },
}

impl Coded for ShapeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "syntax_error",
            Self::UnknownField { .. } => "unknown_field",
            Self::MissingField { .. } => "missing_field",
            Self::InvalidType { .. } => "invalid_type",
            Self::UnknownVariant { .. } => "unknown_variant",
            Self::InvalidDecimal { .. } => "invalid_decimal",
            Self::FloatNotAllowed { .. } => "float_not_allowed",
            Self::InvalidValue { .. } => "invalid_value",
        }
    }

    fn path(&self) -> &str {
        match self {
            Self::Syntax { .. } => "",
            Self::UnknownField { path, .. }
            | Self::MissingField { path, .. }
            | Self::InvalidType { path, .. }
            | Self::UnknownVariant { path, .. }
            | Self::InvalidDecimal { path, .. }
            | Self::FloatNotAllowed { path, .. }
            | Self::InvalidValue { path, .. } => path,
        }
    }
}

/// Joins a parent path and a key the way paths are written everywhere here.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// Text between the first pair of backticks in a serde message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')?.checked_add(1)?;
    let rest = message.get(start..)?;
    let end = rest.find('`')?;
    rest.get(..end)
}

/// Turns a serde error (message + path) into a coded [`ShapeError`].
///
/// serde reports errors as text; its messages for these cases are stable
/// (they come from `serde::de::Error`'s provided constructors), so the prefix
/// tells us which case it was.
pub(crate) fn classify_serde(path: &str, message: String) -> ShapeError {
    let path = path.to_owned();
    if message.starts_with("unknown field") {
        let field = quoted(&message).unwrap_or_default().to_owned();
        // serde_path_to_error already includes the unknown key in the path.
        ShapeError::UnknownField { path, field }
    } else if message.starts_with("missing field") {
        let field = quoted(&message).unwrap_or_default().to_owned();
        ShapeError::MissingField {
            path: join(&path, &field),
            field,
        }
    } else if message.starts_with("invalid type") {
        ShapeError::InvalidType { path, message }
    } else if message.starts_with("unknown variant") {
        ShapeError::UnknownVariant { path, message }
    } else if message.starts_with(BAD_DECIMAL_MSG) {
        ShapeError::InvalidDecimal { path, message }
    } else if message.starts_with(FLOAT_MSG) {
        ShapeError::FloatNotAllowed { path, message }
    } else if message.contains("expected struct") {
        // A list where an object belongs: serde offers to read structs from
        // sequences, and its message would name the Rust type.
        ShapeError::InvalidType {
            path,
            message: "expected an object".to_owned(),
        }
    } else if message.starts_with("data did not match any variant") {
        ShapeError::InvalidType {
            path,
            message: "expected a string or a list of strings".to_owned(),
        }
    } else {
        ShapeError::InvalidValue { path, message }
    }
}

/// Deserializes `T` from a JSON value, reporting the path of any bad value.
pub(crate) fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ShapeError> {
    // Every document read here is an object; serde would also read a
    // struct from a list of its fields in order.
    if !value.is_object() {
        return Err(ShapeError::InvalidType {
            path: String::new(),
            message: format!("expected an object, found {}", json_kind(&value)),
        });
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        classify_serde(&path, e.into_inner().to_string())
    })
}

/// Splits an event object into its `type` and the rest, so the rest can be
/// read as that type's struct with the full path of any bad value inside
/// (serde's internally tagged enums buffer their content and lose it).
pub(crate) fn split_tag(
    value: serde_json::Value,
) -> Result<(String, serde_json::Value), ShapeError> {
    use serde_json::Value;
    let Value::Object(mut map) = value else {
        return Err(ShapeError::InvalidType {
            path: String::new(),
            message: format!("expected an event object, found {}", json_kind(&value)),
        });
    };
    match map.remove("type") {
        Some(Value::String(tag)) => Ok((tag, Value::Object(map))),
        Some(other) => Err(ShapeError::InvalidType {
            path: "type".to_owned(),
            message: format!("expected a string, found {}", json_kind(&other)),
        }),
        None => Err(ShapeError::MissingField {
            path: "type".to_owned(),
            field: "type".to_owned(),
        }),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Parses JSON text into a value, with line and column on syntax errors.
pub(crate) fn parse_json(text: &str) -> Result<serde_json::Value, ShapeError> {
    serde_json::from_str(text).map_err(|e| ShapeError::Syntax {
        format: "json",
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Parses TOML text into a JSON value (TOML dates are kept as their text).
pub(crate) fn parse_toml(text: &str) -> Result<serde_json::Value, ShapeError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .and_then(|span| text.get(..span.start))
            .map(|before| {
                let line = before.matches('\n').count().saturating_add(1);
                let column = before
                    .rsplit('\n')
                    .next()
                    .map_or(0, |l| l.chars().count())
                    .saturating_add(1);
                (line, column)
            })
            .unwrap_or((0, 0));
        ShapeError::Syntax {
            format: "toml",
            line,
            column,
            message: e.message().to_owned(),
        }
    })?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        // Kept as a float so the reader rejects it with `float_not_allowed`.
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "the fields exist to be deserialized, never read")]
    struct Inner {
        name: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "the fields exist to be deserialized, never read")]
    struct Outer {
        items: Vec<Inner>,
    }

    #[test]
    fn unknown_field_path_points_at_the_key() {
        let v = serde_json::json!({"items": [{"name": "a"}, {"name": "b", "nmae": 1}]});
        let e = from_value::<Outer>(v).unwrap_err();
        assert_eq!(e.code(), "unknown_field");
        assert_eq!(e.path(), "items[1].nmae");
    }

    #[test]
    fn missing_field_path_names_the_field() {
        let e = from_value::<Outer>(serde_json::json!({"items": [{}]})).unwrap_err();
        assert_eq!(e.code(), "missing_field");
        assert_eq!(e.path(), "items[0].name");
    }

    #[test]
    fn a_list_where_an_object_belongs_is_an_invalid_type_without_rust_names() {
        for v in [
            serde_json::json!([]),
            serde_json::json!("o-1"),
            serde_json::json!({"items": [[]]}),
        ] {
            let e = from_value::<Outer>(v).unwrap_err();
            assert_eq!(e.code(), "invalid_type", "{e}");
            assert!(
                !e.to_string().contains("Outer") && !e.to_string().contains("Inner"),
                "{e}"
            );
        }
    }

    #[test]
    fn toml_syntax_error_has_a_line() {
        let e = parse_toml("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(e.code(), "syntax_error");
        assert!(matches!(e, ShapeError::Syntax { line: 2, .. }), "{e:?}");
    }
}
