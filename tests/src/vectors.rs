//! Reading conformance vectors and computing the canonical answer envelope.
//!
//! Two shapes of vector (see `tests/README.md`): a quote vector (`request` and
//! one `expect`), and a step vector (`steps`, each one call with its own
//! `expect`): under `vectors/ledger/` calls of the ledger API on a fresh
//! ledger, under `vectors/tiers/` calls of the tier API on a fresh tier book,
//! under `vectors/coupons/` calls of the coupon API (which keeps no state),
//! under `vectors/merge/` calls of the profile-merging API (normalization,
//! comparison, batch dedupe, and one incremental match index per vector),
//! under `vectors/referrals/` calls of the referral API on a fresh referral book.

use std::path::{Path, PathBuf};

use loyalty_core::canonical;
use loyalty_core::ffi::{self, Failure, ProgramSource};
use loyalty_core::identity::MatchIndex;
use loyalty_core::ledger::Ledger;
use loyalty_core::program::Program;
use loyalty_core::referrals::ReferralBook;
use loyalty_core::tiers::TierBook;
use serde_json::{Map, Value, json};

/// The capability directory whose vectors are ledger step lists.
pub const LEDGER: &str = "ledger";

/// The capability directory whose vectors are tier book step lists.
pub const TIERS: &str = "tiers";

/// The capability directory whose vectors are coupon step lists.
pub const COUPONS: &str = "coupons";

/// The capability directory whose vectors are profile-merging step lists.
pub const MERGE: &str = "merge";

/// The capability directory whose vectors are referral book step lists.
pub const REFERRALS: &str = "referrals";

/// The capability directory whose vectors are insights step lists.
pub const INSIGHTS: &str = "insights";

/// Whether vectors of a capability are step lists rather than one quote.
fn is_steps(capability: &str) -> bool {
    [LEDGER, TIERS, COUPONS, MERGE, REFERRALS, INSIGHTS].contains(&capability)
}

/// One vector file.
#[derive(Debug, Clone)]
pub struct Vector {
    /// File path.
    pub path: PathBuf,
    /// Test name: `<capability>/<file stem>`.
    pub name: String,
    /// The capability directory (`accrual`, `ledger`, ...).
    pub capability: String,
    /// The whole file, or why it could not be read as JSON (the test fails).
    pub doc: Result<Value, String>,
}

/// Directory holding `vectors/`.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Every vector under `vectors/<capability>/`, sorted by name. A file that is
/// not valid JSON is still listed (with its error), so it fails as its own
/// test instead of hiding the others.
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
            .map_err(|e| format!("{}: {e}", cap.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let cap_name = cap
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for path in files {
            let doc = std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: {e}", path.display()))
                .and_then(|text| {
                    serde_json::from_str::<Value>(&text)
                        .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))
                });
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(Vector {
                path,
                name: format!("{cap_name}/{stem}"),
                capability: cap_name.clone(),
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

/// The envelope of one call: `{"result": ...}` or `{"error": ...}`.
fn envelope(answer: Result<Value, Failure>) -> Value {
    match answer {
        Ok(v) => json!({ "result": v }),
        Err(f) => failure_envelope(&f),
    }
}

fn program_source(doc: &Value) -> Result<ProgramSource<'_>, String> {
    match (doc.get("program"), doc.get("program_toml")) {
        (Some(p @ Value::Object(_)), None) => Ok(ProgramSource::Value(p.clone())),
        (None, Some(Value::String(t))) => Ok(ProgramSource::Toml(t)),
        _ => Err("a vector needs `program` (object) or `program_toml` (text)".into()),
    }
}

/// Runs a quote vector through the core and returns its answer envelope.
pub fn run(doc: &Value) -> Result<Value, String> {
    let program = match ffi::load_program(program_source(doc)?) {
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

/// The keys a ledger step of each op takes (besides `op` and `expect`).
fn ledger_step_keys(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "post" => &["event"],
        "balance" | "lots" | "statement" => &["account", "at"],
        "expiring" => &["account", "at", "days"],
        "pay" => &["request"],
        "earn_event" => &["request", "account", "id"],
        _ => return None,
    })
}

/// The keys a tier step of each op takes (besides `op` and `expect`).
fn tier_step_keys(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "post" | "order_tier" => &["event"],
        "status" | "history" => &["account", "at"],
        "check" => &[],
        _ => return None,
    })
}

/// The keys a coupon step of each op takes (besides `op` and `expect`).
fn coupon_step_keys(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "apply" | "generate" | "quote" => &["request"],
        "check_code" => &["code"],
        _ => return None,
    })
}

/// The keys a merge step of each op takes (besides `op` and `expect`).
fn merge_step_keys(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "normalize" => &["kind", "text"],
        "normalize_profile" | "match" => &["profile"],
        "compare" | "dedupe" => &["request"],
        _ => return None,
    })
}

/// The keys an insights step of each op takes (besides `op` and `expect`).
fn insights_step_keys(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "stats" | "triggers" | "report" => &["request"],
        _ => return None,
    })
}

/// Runs every step of an insights vector (the calls keep no state); the envelopes in order.
pub fn run_insights(doc: &Value) -> Result<Vec<Value>, String> {
    let (program, steps) = steps_program(doc, "insights")?;
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (step, op) =
                step_shape(s, insights_step_keys).map_err(|e| format!("step {i}: {e}"))?;
            let answer = match op {
                "stats" => ffi::insights_customer_stats(&program, value(step, "request")?),
                "triggers" => ffi::insights_triggers(&program, value(step, "request")?),
                "report" => ffi::insights_report(
                    &program,
                    value(step, "request")?,
                    &loyalty_core::insights::ReportBooks::default(),
                ),
                _ => return Err(format!("step {i}: unknown op `{op}`")),
            };
            Ok(envelope(answer))
        })
        .collect()
}

/// The keys a referral step of each op takes (besides `op` and `expect`).
fn referral_step_keys(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "post" => &["event"],
        "settle" => &["at"],
        "referral" => &["referee"],
        "resolve" | "check_code" => &["code"],
        "list" => &[],
        _ => return None,
    })
}

fn text<'a>(step: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    step.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{key}` must be a string"))
}

fn value(step: &Map<String, Value>, key: &str) -> Result<Value, String> {
    step.get(key)
        .cloned()
        .ok_or_else(|| format!("`{key}` is missing"))
}

/// Checks a step vector's top-level shape and loads its program; `what`
/// names the kind of vector in messages (`ledger`, `tier`).
fn steps_program<'d>(doc: &'d Value, what: &str) -> Result<(Program, &'d Vec<Value>), String> {
    let top = doc.as_object().ok_or("a vector must be a JSON object")?;
    for key in top.keys() {
        if !["description", "program", "program_toml", "steps"].contains(&key.as_str()) {
            return Err(format!("unknown key `{key}` in a {what} vector"));
        }
    }
    match top.get("description") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        _ => return Err("a vector needs a `description` (non-empty text)".into()),
    }
    let program = ffi::load_program(program_source(doc)?).map_err(|f| {
        format!(
            "the program does not load: {}",
            canonical::to_string(&failure_envelope(&f))
        )
    })?;
    let steps = match top.get("steps") {
        Some(Value::Array(s)) if !s.is_empty() => s,
        _ => return Err(format!("a {what} vector needs `steps` (a non-empty list)")),
    };
    Ok((program, steps))
}

/// Checks one step's keys against its op's; the step and its op.
fn step_shape(
    step: &Value,
    keys_of: fn(&str) -> Option<&'static [&'static str]>,
) -> Result<(&Map<String, Value>, &str), String> {
    let step = step.as_object().ok_or("a step must be an object")?;
    let op = text(step, "op")?;
    let keys = keys_of(op).ok_or_else(|| format!("unknown op `{op}`"))?;
    for key in step.keys() {
        if key != "op" && key != "expect" && !keys.contains(&key.as_str()) {
            return Err(format!("unknown key `{key}` in a `{op}` step"));
        }
    }
    for key in keys {
        if !step.contains_key(*key) {
            return Err(format!("a `{op}` step needs `{key}`"));
        }
    }
    Ok((step, op))
}

/// Runs one ledger step and returns its answer envelope; `Err` when the step
/// itself is malformed (unknown op, missing or unknown keys).
fn run_step(program: &Program, ledger: &mut Ledger, step: &Value) -> Result<Value, String> {
    let (step, op) = step_shape(step, ledger_step_keys)?;
    let answer = match op {
        "post" => ffi::ledger_post(program, ledger, value(step, "event")?),
        "balance" => {
            ffi::ledger_balance(program, ledger, text(step, "account")?, text(step, "at")?)
        }
        "lots" => ffi::ledger_lots(program, ledger, text(step, "account")?, text(step, "at")?),
        "statement" => {
            ffi::ledger_statement(program, ledger, text(step, "account")?, text(step, "at")?)
        }
        "expiring" => {
            let days = step
                .get("days")
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or("`days` must be a whole number from 0 to 2^32 - 1")?;
            ffi::ledger_expiring(
                program,
                ledger,
                text(step, "account")?,
                text(step, "at")?,
                days,
            )
        }
        "pay" => ffi::ledger_pay(program, ledger, value(step, "request")?),
        "earn_event" => ffi::earn_event(
            program,
            value(step, "request")?,
            text(step, "account")?,
            text(step, "id")?,
        ),
        _ => return Err(format!("unknown op `{op}`")),
    };
    Ok(envelope(answer))
}

/// Runs one tier step and returns its answer envelope; `Err` when the step
/// itself is malformed (unknown op, missing or unknown keys).
fn run_tier_step(program: &Program, book: &mut TierBook, step: &Value) -> Result<Value, String> {
    let (step, op) = step_shape(step, tier_step_keys)?;
    let answer = match op {
        "post" => ffi::tiers_post(program, book, value(step, "event")?),
        "status" => ffi::tiers_status(program, book, text(step, "account")?, text(step, "at")?),
        "history" => ffi::tiers_history(program, book, text(step, "account")?, text(step, "at")?),
        "order_tier" => ffi::tiers_order_tier(program, book, value(step, "event")?),
        "check" => Ok(warnings(ffi::program_check(program))),
        _ => return Err(format!("unknown op `{op}`")),
    };
    Ok(envelope(answer))
}

/// Program warnings as a `check` step expects them: each warning's code and
/// path, in order, with messages left out (like errors').
fn warnings(all: Value) -> Value {
    match all {
        Value::Array(list) => list
            .iter()
            .map(|w| json!({"code": w.get("code"), "path": w.get("path")}))
            .collect(),
        other => other,
    }
}

/// Runs every step of a tier vector on a fresh tier book; the envelopes in order.
pub fn run_tiers(doc: &Value) -> Result<Vec<Value>, String> {
    let (program, steps) = steps_program(doc, "tier")?;
    let mut book = TierBook::new();
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| run_tier_step(&program, &mut book, s).map_err(|e| format!("step {i}: {e}")))
        .collect()
}

/// Runs one coupon step and returns its answer envelope; `Err` when the
/// step itself is malformed (unknown op, missing or unknown keys).
fn run_coupon_step(program: &Program, step: &Value) -> Result<Value, String> {
    let (step, op) = step_shape(step, coupon_step_keys)?;
    let answer = match op {
        "apply" => ffi::coupons_apply(program, value(step, "request")?),
        "check_code" => Ok(ffi::coupons_check_code(program, text(step, "code")?)),
        "generate" => {
            let request = value(step, "request")?;
            if request.get("seed").is_none() {
                return Err("a `generate` step needs a `seed`".to_owned());
            }
            ffi::coupons_generate(program, request)
        }
        "quote" => ffi::quote(program, value(step, "request")?).map(|q| ffi::quote_to_value(&q)),
        _ => return Err(format!("unknown op `{op}`")),
    };
    Ok(envelope(answer))
}

/// Runs every step of a coupon vector; the envelopes in order.
pub fn run_coupons(doc: &Value) -> Result<Vec<Value>, String> {
    let (program, steps) = steps_program(doc, "coupon")?;
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| run_coupon_step(&program, s).map_err(|e| format!("step {i}: {e}")))
        .collect()
}

/// Runs one merge step and returns its answer envelope; `Err` when the
/// step itself is malformed (unknown op, missing or unknown keys).
fn run_merge_step(
    program: &Program,
    index: &mut MatchIndex,
    step: &Value,
) -> Result<Value, String> {
    let (step, op) = step_shape(step, merge_step_keys)?;
    let answer = match op {
        "normalize" => ffi::merge_normalize(program, text(step, "kind")?, text(step, "text")?),
        "normalize_profile" => ffi::merge_normalize_profile(program, value(step, "profile")?),
        "compare" => ffi::merge_compare(program, value(step, "request")?),
        "dedupe" => ffi::merge_dedupe(program, value(step, "request")?),
        "match" => ffi::merge_index_add(index, value(step, "profile")?),
        _ => return Err(format!("unknown op `{op}`")),
    };
    Ok(envelope(answer))
}

/// Runs every step of a merge vector, `match` steps on one match index made
/// for the vector (`program.match_index()`); the envelopes in order.
pub fn run_merge(doc: &Value) -> Result<Vec<Value>, String> {
    let (program, steps) = steps_program(doc, "merge")?;
    let mut index = program.match_index();
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| run_merge_step(&program, &mut index, s).map_err(|e| format!("step {i}: {e}")))
        .collect()
}

/// Runs one referral step and returns its answer envelope; `Err` when the
/// step itself is malformed (unknown op, missing or unknown keys).
fn run_referral_step(
    program: &Program,
    book: &mut ReferralBook,
    step: &Value,
) -> Result<Value, String> {
    let (step, op) = step_shape(step, referral_step_keys)?;
    let answer = match op {
        "post" => ffi::referrals_post(program, book, value(step, "event")?),
        "settle" => ffi::referrals_settle(program, book, text(step, "at")?),
        "referral" => Ok(ffi::referrals_referral(book, text(step, "referee")?)),
        "resolve" => Ok(ffi::referrals_resolve(program, book, text(step, "code")?)),
        "check_code" => ffi::referrals_check_code(program, text(step, "code")?),
        "list" => Ok(ffi::referrals_list(book)),
        _ => return Err(format!("unknown op `{op}`")),
    };
    Ok(envelope(answer))
}

/// Runs every step of a referral vector on a fresh referral book (a program
/// without `[referrals]` answers every step with its error); the envelopes in order.
pub fn run_referrals(doc: &Value) -> Result<Vec<Value>, String> {
    let (program, steps) = steps_program(doc, "referral")?;
    let mut book = match ffi::referrals_new(&program) {
        Ok(book) => book,
        Err(f) => return Ok(steps.iter().map(|_| failure_envelope(&f)).collect()),
    };
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            run_referral_step(&program, &mut book, s).map_err(|e| format!("step {i}: {e}"))
        })
        .collect()
}

/// Runs every step of a ledger, tier, coupon, merge or referral vector; the envelopes in order.
fn run_steps(capability: &str, doc: &Value) -> Result<Vec<Value>, String> {
    match capability {
        REFERRALS => run_referrals(doc),
        INSIGHTS => run_insights(doc),
        TIERS => run_tiers(doc),
        COUPONS => run_coupons(doc),
        MERGE => run_merge(doc),
        _ => run_ledger(doc),
    }
}

/// Runs every step of a ledger vector on a fresh ledger; the envelopes in order.
pub fn run_ledger(doc: &Value) -> Result<Vec<Value>, String> {
    let (program, steps) = steps_program(doc, "ledger")?;
    let mut ledger = Ledger::new();
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| run_step(&program, &mut ledger, s).map_err(|e| format!("step {i}: {e}")))
        .collect()
}

fn step_op(step: &Value) -> &str {
    step.get("op").and_then(Value::as_str).unwrap_or("?")
}

fn check_steps(capability: &str, doc: &Value) -> Result<(), String> {
    let actual = run_steps(capability, doc)?;
    let steps = doc
        .get("steps")
        .and_then(Value::as_array)
        .ok_or("a step vector needs `steps`")?;
    let mut report = String::new();
    for (i, (step, got)) in steps.iter().zip(&actual).enumerate() {
        let Some(expect) = step.get("expect") else {
            return Err(format!("step {i} ({}) has no `expect`", step_op(step)));
        };
        let (a, e) = (canonical::to_string(got), canonical::to_string(expect));
        if a != e {
            report.push_str(&format!(
                "step {i} ({}) differs\n  expected: {e}\n  actual:   {a}\n",
                step_op(step)
            ));
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report)
    }
}

/// Runs a vector and compares canonical bytes with `expect` (for a step
/// vector, every step's).
pub fn check(v: &Vector) -> Result<(), String> {
    let doc = v.doc.as_ref().map_err(Clone::clone)?;
    if is_steps(&v.capability) {
        return check_steps(&v.capability, doc);
    }
    let actual = run(doc)?;
    let expect = doc.get("expect").ok_or("a vector needs `expect`")?;
    let (a, e) = (canonical::to_string(&actual), canonical::to_string(expect));
    if a == e {
        Ok(())
    } else {
        Err(format!("answer differs\n  expected: {e}\n  actual:   {a}"))
    }
}

/// Rewrites the vector's `expect` (every step's, for a step vector) with
/// the current answers (review the diff!).
pub fn bless(v: &Vector) -> Result<(), String> {
    let mut doc = v.doc.clone()?;
    if is_steps(&v.capability) {
        let actual = run_steps(&v.capability, &doc)?;
        if let Some(Value::Array(steps)) = doc.get_mut("steps") {
            for (step, got) in steps.iter_mut().zip(actual) {
                if let Value::Object(map) = step {
                    map.insert("expect".into(), got);
                }
            }
        }
    } else {
        let actual = run(&doc)?;
        if let Value::Object(map) = &mut doc {
            map.insert("expect".into(), actual);
        }
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&v.path, format!("{text}\n")).map_err(|e| e.to_string())
}
