//! Generates the ledger benchmark's stream and replays it, or asks every
//! account's balance and expiring points, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile_ledger 100000 10000`
//! or `perf record -g target/release/examples/profile_ledger 1000000 100000`.
//! Arguments: events (default 100,000), accounts (default 10,000), replays
//! (default 1), then `queries` to run the queries instead of replays.

use std::time::Instant;

use loyalty_benches::ledger;
use loyalty_testkit::sample::ledger::STREAM_QUERY_AT;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: usize| {
        args.get(i)
            .and_then(|a| a.replace('_', "").parse().ok())
            .unwrap_or(default)
    };
    let (events, accounts, rounds) = (arg(0, 100_000), arg(1, 10_000), arg(2, 1));
    let queries = args.get(3).is_some_and(|a| a == "queries");
    let t = Instant::now();
    let mut setup = match ledger::setup(events, accounts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!(
        "generated {} events in {:.2} s ({:.2} s posting); mix {:?}",
        setup.stream.events.len(),
        t.elapsed().as_secs_f64(),
        setup.stream.posting.as_secs_f64(),
        setup.stream.mix
    );
    if queries {
        let (l, p, a) = (&setup.stream.ledger, &setup.program, &setup.accounts);
        for _ in 0..rounds {
            let t = Instant::now();
            let points = ledger::balances(l, p, a, STREAM_QUERY_AT);
            let b = t.elapsed();
            let t = Instant::now();
            let lots = ledger::expiring(l, p, a, STREAM_QUERY_AT, 30);
            println!(
                "{} balances in {:.3} s ({points} points); expiring in {:.3} s ({lots} lots)",
                a.len(),
                b.as_secs_f64(),
                t.elapsed().as_secs_f64()
            );
        }
        return std::process::ExitCode::SUCCESS;
    }
    drop(std::mem::take(&mut setup.stream.ledger));
    for _ in 0..rounds {
        let t = Instant::now();
        let (ledger, not_applied) = ledger::replay(&setup.program, &setup.stream.events);
        println!(
            "replayed into {} accounts in {:.2} s ({not_applied} not applied)",
            ledger.len(),
            t.elapsed().as_secs_f64()
        );
    }
    std::process::ExitCode::SUCCESS
}
