//! Program JSON reader: never panics; what loads round-trips to an equal program.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::Program;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(program) = Program::from_json(text) {
        let again = Program::from_json(&program.to_json()).expect("a saved program loads again");
        assert_eq!(program, again, "parse, serialize, parse must give an equal program");
    }
});
