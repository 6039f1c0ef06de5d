//! Canonical JSON: the byte-exact form answers are compared in across Rust,
//! Python, Node and the browser.
//!
//! Object keys sorted by code point, no insignificant white space, strings
//! escaped as JSON requires and nothing more (non-ASCII stays as is), numbers
//! only as integers (line indices, month numbers; decimals are strings everywhere).

use serde_json::Value;

/// Writes `value` as canonical JSON.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
    }
}

fn write_str(s: &str, out: &mut String) {
    // serde_json's string escaping is exactly the minimal JSON escaping we want.
    out.push_str(&Value::String(s.to_owned()).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sorted_at_every_level_and_no_spaces() {
        let v = serde_json::json!({"b": [{"z": 1, "a": "x"}], "a": null});
        assert_eq!(to_string(&v), r#"{"a":null,"b":[{"a":"x","z":1}]}"#);
    }

    #[test]
    fn non_ascii_is_kept_and_controls_escaped() {
        let v = serde_json::json!({"name": "نان\n"});
        assert_eq!(to_string(&v), "{\"name\":\"نان\\n\"}");
    }
}
