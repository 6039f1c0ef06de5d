//! The committed JSON Schema of the program format must match the types.
//!
//! Regenerate after a deliberate format change with
//! `UPDATE_SCHEMA=1 cargo test -p loyalty-core --test schema`.

use std::path::Path;

#[test]
fn committed_program_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("program.schema.json");
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&loyalty_core::program::json_schema()).unwrap()
    );
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "program.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p loyalty-core --test schema` and commit it"
    );
}

#[test]
fn sample_valid_program_satisfies_required_keys_of_the_schema() {
    let schema = loyalty_core::program::json_schema();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["schema_version", "id", "currency", "time_zone"]);
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
}

#[test]
fn ffi_serves_the_committed_schema() {
    assert_eq!(
        loyalty_core::ffi::program_schema(),
        loyalty_core::program::json_schema()
    );
}
