//! Customer statistics of the benchmark orders, timed, for profilers:
//! `perf record -g target/release/examples/profile_insights 1000000 100000 3`
//! (orders, customers, rounds).

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut next = |default: usize| args.next().and_then(|a| a.parse().ok()).unwrap_or(default);
    let (orders, customers, rounds) = (next(1_000_000), next(100_000), next(3));
    let program = match loyalty_benches::insights::program() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let request = loyalty_benches::insights::request(orders, customers);
    for _ in 0..rounds {
        let started = std::time::Instant::now();
        match program.customer_stats(&request) {
            Ok(stats) => println!(
                "{} customers in {:.3} s",
                stats.customers.len(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => {
                eprintln!("{e:?}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
