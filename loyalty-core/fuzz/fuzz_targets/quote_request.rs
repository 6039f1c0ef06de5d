//! Quote requests against a fixed program exercising every feature: never panic,
//! and every answer keeps the total equal to the sum of its awards.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use loyalty_core::{Program, QuoteRequest};

const PROGRAM: &str = include_str!("../program.toml");

fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| Program::from_toml(PROGRAM).expect("fuzz program is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(request) = QuoteRequest::from_json(text) else { return };
    if let Ok(quote) = program().quote(&request) {
        let sum: rust_decimal::Decimal = quote.awards.iter().map(|a| a.points).sum();
        assert_eq!(quote.total, sum);
    }
});
