//! Writes the JSON Schemas of the boundary types (program, request, quote,
//! failure) into a directory, one `<Name>.schema.json` each. The WASM build
//! turns them into TypeScript declarations.

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: export-schemas OUT_DIR");
        return std::process::ExitCode::FAILURE;
    };
    let schemas = loyalty_core::ffi::json_schemas();
    let Some(map) = schemas.as_object() else {
        return std::process::ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create `{dir}`: {e}");
        return std::process::ExitCode::FAILURE;
    }
    for (name, schema) in map {
        let path = std::path::Path::new(&dir).join(format!("{name}.schema.json"));
        let text = serde_json::to_string_pretty(schema).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write `{}`: {e}", path.display());
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}
