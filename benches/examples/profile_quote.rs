//! Quotes the benchmark orders in a loop, for profilers that count
//! instructions rather than time (valgrind's callgrind is steady under load):
//! `valgrind --tool=callgrind target/release/examples/profile_quote 10 2000`.

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let lines = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let (program, requests) = match loyalty_benches::setup(lines, 64) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut awards = 0usize;
    for _ in 0..rounds {
        awards = awards.saturating_add(loyalty_benches::quote_all(&program, &requests));
    }
    println!(
        "{} quotes, {awards} awards",
        rounds.saturating_mul(requests.len())
    );
    std::process::ExitCode::SUCCESS
}
