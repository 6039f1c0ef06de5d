//! Customer statistics of the benchmark orders, timed, for profilers:
//! `perf record -g target/release/examples/profile_insights 1000000 100000 3 columns`
//! (orders, customers, rounds, and `columns` for the orders as
//! [`loyalty_core::insights::OrderColumns`]).

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
    let columns = std::env::args().nth(4).is_some_and(|a| a == "columns");
    let request = loyalty_benches::insights::request(orders, customers);
    let table = match columns
        .then(|| loyalty_core::insights::OrderColumns::from_orders(&request.orders))
        .transpose()
    {
        Ok(table) => table,
        Err(e) => {
            eprintln!("{e:?}");
            return std::process::ExitCode::FAILURE;
        }
    };
    for _ in 0..rounds {
        let started = std::time::Instant::now();
        let stats = match &table {
            Some(table) => program.customer_stats_columns(table, &request.as_of),
            None => program.customer_stats(&request),
        };
        match stats {
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
