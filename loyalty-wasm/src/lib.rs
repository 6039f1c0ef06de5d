//! WebAssembly bindings of the loyalty engine: a thin shell over
//! [`loyalty_core::ffi`] that only converts values between JavaScript and
//! JSON. Every rule, check and error code lives in the core.
//!
//! JavaScript sees a class `Program` and two functions, `errorCodes()` and
//! `programSchema()`. Every failure is thrown as an `Error` whose `name` is
//! `"LoyaltyError"`, carrying `kind`, `code`, `path` and `errors` (see
//! [`loyalty_error`]). The TypeScript names used below (`ProgramFile`,
//! `QuoteRequest`, `Quote`, `ErrorInfo`, ...) are generated from the core's
//! JSON Schemas by the build (`loyalty-wasm/js/scripts/gen-types.mjs`) into
//! `types.d.ts`, which the generated `.d.ts` imports.

use loyalty_core::ShapeError;
use loyalty_core::ffi::{self, ErrorKind, Failure, ProgramSource};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
import type { ProgramFile, QuoteRequest, Quote, Failure, ErrorInfo } from "./types.js";
export type * from "./types.js";

/**
 * What every function of this module throws (and what `quoteMany` returns in
 * place of a quote that failed): an `Error` named `"LoyaltyError"`. `message`,
 * `code` and `path` are those of the first error; `errors` lists them all.
 */
export interface LoyaltyError extends Error {
  name: "LoyaltyError";
  /** Whether the program or the request was at fault. */
  kind: Failure["kind"];
  /** Stable snake_case code of the first error. */
  code: string;
  /** Path of the first offending value (empty for the whole input). */
  path: string;
  /** Every error found, in input order (never empty). */
  errors: ErrorInfo[];
}

/** Every stable error code, by kind. */
export interface ErrorCodes {
  program: string[];
  request: string[];
}
"#;

/// A validated loyalty program, ready to quote.
#[wasm_bindgen]
pub struct Program {
    inner: loyalty_core::Program,
}

#[wasm_bindgen]
impl Program {
    /// Loads and validates a program: JSON text, or the program file as an
    /// object. Throws a `LoyaltyError` of kind `"program"`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | ProgramFile")] source: JsValue,
    ) -> Result<Program, JsValue> {
        let loaded = match source.as_string() {
            Some(text) => ffi::load_program(ProgramSource::Json(&text)),
            None => ffi::load_program(ProgramSource::Value(from_js(&source, ErrorKind::Program)?)),
        };
        Self::wrap(loaded)
    }

    /// Loads and validates a program written in TOML. Throws a
    /// `LoyaltyError` of kind `"program"`.
    #[wasm_bindgen(js_name = fromToml)]
    pub fn from_toml(text: &str) -> Result<Program, JsValue> {
        Self::wrap(ffi::load_program(ProgramSource::Toml(text)))
    }

    /// The program id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The program's ISO 4217 currency code.
    #[wasm_bindgen(getter)]
    pub fn currency(&self) -> String {
        self.inner.currency().code().to_owned()
    }

    /// The program's IANA time zone.
    #[wasm_bindgen(getter, js_name = timeZone)]
    pub fn time_zone(&self) -> String {
        self.inner.time_zone().name().to_owned()
    }

    /// The calendar periods and birthdays are counted in.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "NonNullable<ProgramFile[\"calendar\"]>"
    )]
    pub fn calendar(&self) -> String {
        self.inner.calendar().name().to_owned()
    }

    /// The program file as a plain object (what `JSON.stringify` writes).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ProgramFile")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.file())
    }

    /// Quotes one request. Returns the core's answer as a plain object
    /// (decimals as strings); throws a `LoyaltyError` of kind `"request"`.
    #[wasm_bindgen(unchecked_return_type = "Quote")]
    pub fn quote(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QuoteRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        match ffi::quote(&self.inner, request) {
            Ok(q) => to_js(&q),
            Err(f) => Err(loyalty_error(&f)),
        }
    }

    /// Quotes many requests. Each item is either the quote or, when that
    /// request failed, the `LoyaltyError` that `quote` would have thrown
    /// (returned, not thrown: test with `instanceof Error`). Throws only
    /// when `requests` is not an array.
    #[wasm_bindgen(
        js_name = quoteMany,
        unchecked_return_type = "Array<Quote | LoyaltyError>"
    )]
    pub fn quote_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QuoteRequest[]")] requests: JsValue,
    ) -> Result<js_sys::Array, JsValue> {
        let Some(requests) = requests.dyn_ref::<js_sys::Array>() else {
            return Err(loyalty_error(&not_json(
                ErrorKind::Request,
                "quoteMany expects an array of requests".to_owned(),
            )));
        };
        let out = js_sys::Array::new();
        for request in requests.iter() {
            let answer = self.quote(request);
            out.push(&answer.unwrap_or_else(|e| e));
        }
        Ok(out)
    }
}

impl Program {
    fn wrap(loaded: Result<loyalty_core::Program, Failure>) -> Result<Program, JsValue> {
        loaded
            .map(|inner| Program { inner })
            .map_err(|f| loyalty_error(&f))
    }
}

/// Every stable error code, by kind (`{program: [...], request: [...]}`).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCodes")]
pub fn error_codes() -> Result<JsValue, JsValue> {
    to_js(&ffi::error_codes())
}

/// The JSON Schema of the program format.
#[wasm_bindgen(js_name = programSchema, unchecked_return_type = "Record<string, unknown>")]
pub fn program_schema() -> Result<JsValue, JsValue> {
    to_js(&ffi::program_schema())
}

/// The JS `Error` thrown for a failure: `name` `"LoyaltyError"`, the core's
/// message, and `kind`, `code`, `path` (of the first error) and `errors`
/// (`[{code, path, message}]`).
pub fn loyalty_error(failure: &Failure) -> JsValue {
    let error = js_sys::Error::new(&failure.to_string());
    error.set_name("LoyaltyError");
    let first = failure.first();
    let errors = to_js(&failure.errors).unwrap_or_else(|e| e);
    for (key, value) in [
        ("kind", JsValue::from_str(failure.kind.name())),
        ("code", JsValue::from_str(first.map_or("", |e| e.code))),
        (
            "path",
            JsValue::from_str(first.map_or("", |e| e.path.as_str())),
        ),
        ("errors", errors),
    ] {
        // Setting a property on a fresh, unfrozen Error cannot fail.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
    }
    error.into()
}

// `JSON.stringify` with a replacer that refuses what JSON cannot carry instead
// of silently dropping it. A module snippet, not `new Function`, so pages with
// a strict Content-Security-Policy can load it.
#[wasm_bindgen(inline_js = r#"
export function to_json_text(value) {
  return JSON.stringify(value, (key, v) => {
    const t = typeof v;
    if (t === "function" || t === "symbol" || t === "bigint") {
      throw new TypeError(`${key ? "`" + key + "` is a " : "a "}${t}, which JSON cannot carry`);
    }
    if (t === "number" && !Number.isFinite(v)) {
      throw new TypeError(`${key ? "`" + key + "` is " : ""}${v}, which JSON cannot carry`);
    }
    return v;
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn to_json_text(value: &JsValue) -> Result<Option<String>, JsValue>;
}

/// A JS value as JSON, crossing the boundary once as text (walking objects
/// field by field across it cost more than quoting). Whole numbers arrive as
/// JSON integers and fractional ones as floats, which the core refuses with
/// `float_not_allowed`; `Date`s arrive as ISO strings; `undefined` fields are
/// absent. Functions, symbols, BigInts and non-finite numbers are `invalid_type`.
fn from_js(value: &JsValue, kind: ErrorKind) -> Result<Value, JsValue> {
    let text = match to_json_text(value) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return Err(loyalty_error(&not_json(
                kind,
                "`undefined` has no JSON form".to_owned(),
            )));
        }
        Err(e) => {
            let message = e.dyn_ref::<js_sys::Error>().map_or_else(
                || "the value has no JSON form".to_owned(),
                |e| String::from(e.message()),
            );
            return Err(loyalty_error(&not_json(kind, message)));
        }
    };
    serde_json::from_str(&text).map_err(|e| loyalty_error(&not_json(kind, e.to_string())))
}

/// A value with no JSON form (a function, a symbol, a huge BigInt): the
/// core's `invalid_type` for the whole input.
fn not_json(kind: ErrorKind, message: String) -> Failure {
    Failure::from_shape(
        kind,
        ShapeError::InvalidType {
            path: String::new(),
            message,
        },
    )
}

/// A Rust value as a plain JS value (maps as objects, `None` as `null`),
/// through one `JSON.parse`: exact, since the core wrote the JSON, and far
/// cheaper than building the object field by field across the boundary.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}
