//! Program files: the format (version 1), loading from JSON or TOML, and
//! validation into a compiled [`Program`].
//!
//! ```
//! use loyalty_core::program::Program;
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "riyadh-coffee"
//! currency = "SAR"
//! time_zone = "Asia/Riyadh"
//!
//! [[earn_rules]]
//! id = "base"
//! rate = { points = "1", per = "10" }
//! "#).unwrap();
//! assert_eq!(program.id(), "riyadh-coffee");
//!
//! let err = Program::from_json(r#"{"schema_version": 1, "id": "x", "currency": "SAR",
//!     "time_zone": "Asia/Riyadh", "earn_rules": [{"id": "base"}]}"#).unwrap_err();
//! use loyalty_core::Coded;
//! assert_eq!(err.errors()[0].code(), "missing_effect");
//! assert_eq!(err.errors()[0].path(), "earn_rules[0]");
//! ```

mod check;
pub(crate) mod compile;
/// Compiled rule types, shared with the accrual engine.
pub(crate) mod compile_types {
    pub(crate) use super::compile::{Conditions, Effect, Rule};
}
mod error;
pub mod format;

pub use check::{PROGRAM_WARNING_CODES, ProgramWarning};
pub use compile::{Program, compile};
pub use error::{PROGRAM_ERROR_CODES, ProgramError, ProgramErrors};
pub use format::{ProgramFile, SCHEMA_VERSION};

use crate::error::{from_value, parse_json, parse_toml};

/// The text formats a program can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramFormat {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl ProgramFormat {
    /// The format a file name's extension stands for (`.json`, `.toml`).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "toml" => Some(Self::Toml),
            _ => None,
        }
    }
}

impl Program {
    /// Loads a program from JSON text.
    pub fn from_json(text: &str) -> Result<Self, ProgramErrors> {
        Self::from_value(parse_json(text)?)
    }

    /// Loads a program from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ProgramErrors> {
        Self::from_value(parse_toml(text)?)
    }

    /// Loads a program from text in the given format.
    pub fn from_text(text: &str, format: ProgramFormat) -> Result<Self, ProgramErrors> {
        match format {
            ProgramFormat::Json => Self::from_json(text),
            ProgramFormat::Toml => Self::from_toml(text),
        }
    }

    /// Loads a program from an already parsed JSON value (a Python dict, a JS object).
    pub fn from_value(value: serde_json::Value) -> Result<Self, ProgramErrors> {
        compile(from_value::<ProgramFile>(value)?)
    }

    /// The program as JSON text that loads back into an equal program.
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string(&self.file).unwrap_or_default()
    }
}

/// The JSON Schema of the program format, generated from the types.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ProgramFile)).unwrap_or_default()
}
