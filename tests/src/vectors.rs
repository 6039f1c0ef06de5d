//! Reading conformance vectors and computing the canonical answer envelope.

use std::path::{Path, PathBuf};

use loyalty_core::canonical;
use loyalty_core::ffi::{self, Failure, ProgramSource};
use serde_json::{Value, json};

/// One vector file.
#[derive(Debug, Clone)]
pub struct Vector {
    /// File path.
    pub path: PathBuf,
    /// Test name: `<capability>/<file stem>`.
    pub name: String,
    /// The whole file.
    pub doc: Value,
}

/// Directory holding `vectors/`.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Every vector under `vectors/<capability>/`, sorted by name.
pub fn load_all() -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let root = vectors_dir();
    let mut caps: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| format!("{}: {e}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    caps.sort();
    for cap in caps {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&cap)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for path in files {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let doc: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let cap_name = cap
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(Vector {
                path,
                name: format!("{cap_name}/{stem}"),
                doc,
            });
        }
    }
    Ok(out)
}

/// The failure as it appears in `expect.error` (messages left out).
pub fn failure_envelope(f: &Failure) -> Value {
    let errors: Vec<Value> = f
        .errors
        .iter()
        .map(|e| json!({"code": e.code, "path": e.path}))
        .collect();
    json!({"error": {"kind": f.kind.name(), "errors": errors}})
}

/// Runs a vector through the core and returns its answer envelope.
pub fn run(doc: &Value) -> Result<Value, String> {
    let source = match (doc.get("program"), doc.get("program_toml")) {
        (Some(p), None) => ProgramSource::Value(p.clone()),
        (None, Some(Value::String(t))) => ProgramSource::Toml(t),
        _ => return Err("a vector needs `program` (object) or `program_toml` (text)".into()),
    };
    let program = match ffi::load_program(source) {
        Ok(p) => p,
        Err(f) => return Ok(failure_envelope(&f)),
    };
    let request = doc
        .get("request")
        .cloned()
        .ok_or("a vector needs `request`")?;
    Ok(match ffi::quote(&program, request) {
        Ok(q) => json!({"quote": ffi::quote_to_value(&q)}),
        Err(f) => failure_envelope(&f),
    })
}

/// Runs a vector and compares canonical bytes with `expect`.
pub fn check(v: &Vector) -> Result<(), String> {
    let actual = run(&v.doc)?;
    let expect = v.doc.get("expect").ok_or("a vector needs `expect`")?;
    let (a, e) = (canonical::to_string(&actual), canonical::to_string(expect));
    if a == e {
        Ok(())
    } else {
        Err(format!("answer differs\n  expected: {e}\n  actual:   {a}"))
    }
}

/// Rewrites the vector's `expect` with the current answer (review the diff!).
pub fn bless(v: &Vector) -> Result<(), String> {
    let actual = run(&v.doc)?;
    let mut doc = v.doc.clone();
    if let Value::Object(map) = &mut doc {
        map.insert("expect".into(), actual);
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&v.path, format!("{text}\n")).map_err(|e| e.to_string())
}
