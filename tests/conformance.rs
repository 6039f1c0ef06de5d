//! Runs every conformance vector as its own test (custom harness, one test per file).
//!
//! `cargo test -p loyalty-testkit --test conformance [-- FILTER]`;
//! `BLESS=1` rewrites `expect` with the current answers (then review the diff).
//! A ledger vector (`vectors/ledger/`) or tier vector (`vectors/tiers/`) is
//! one test too: its steps run on a fresh ledger or tier book and every
//! step's envelope must match (see `tests/README.md`).
//! A file that cannot be read or is malformed fails as its own test.

use loyalty_testkit::vectors;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let bless = std::env::var_os("BLESS").is_some();
    let all = match vectors::load_all() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cannot load vectors: {e}");
            std::process::exit(1);
        }
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for v in all
        .iter()
        .filter(|v| filter.as_deref().is_none_or(|f| v.name.contains(f)))
    {
        let result = if bless {
            vectors::bless(v)
        } else {
            vectors::check(v)
        };
        match result {
            Ok(()) => {
                passed = passed.saturating_add(1);
                println!("test {} ... ok", v.name);
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                println!("test {} ... FAILED\n{e}", v.name);
            }
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out",
        if failed == 0 { "ok" } else { "FAILED" }
    );
    if failed > 0 || passed == 0 {
        std::process::exit(1);
    }
}
