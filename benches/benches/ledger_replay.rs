//! The points ledger at scale: 10 million events over 100,000 members
//! (about two years of earnings, redemptions, refunds, adjustments and
//! transfers, see `loyalty_testkit::sample::ledger`), replayed into a fresh
//! ledger, then every member's balance and points expiring within 30 days.
//!
//! ```text
//! cargo bench -p loyalty-benches --bench ledger_replay
//! LEDGER_BENCH_EVENTS=1000000 cargo bench -p loyalty-benches --bench ledger_replay
//! ```
//!
//! `LEDGER_BENCH_EVENTS` (default 10,000,000) and `LEDGER_BENCH_ACCOUNTS`
//! (default 100,000) set the size; without `--bench` (`cargo test --benches`)
//! a small stream is used. The stream is generated once, before anything is
//! measured. Groups:
//!
//! * `ledger_replay/replay_by_tenths`: every event posted to a new ledger
//!   (events/s), a tenth of the stream per sample, so that the warm-up and
//!   nine samples are one full replay (the summary gives its time); freeing
//!   the ledger is not timed.
//! * `ledger_replay/memory_bandwidth`: summing a `u64` buffer as large as the
//!   events in memory (capped at 4 GiB), one thread: the baseline the
//!   replay's bytes per second are compared with.
//! * `ledger_queries/*`: `balance` and `expiring(30 days)` for every account
//!   as of an instant after the last event, and `balance` as of an instant in
//!   the middle of the history (which folds each account's past again).
//!
//! A summary with the full replay time, medians of the queries, bytes per
//! second and the replay-to-bandwidth ratio is printed at the end.

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use loyalty_benches::ledger::{self, Setup};
use loyalty_testkit::sample::ledger::{STREAM_PAST_AT, STREAM_QUERY_AT};

/// Per-iteration times of each measured routine, for the summary.
#[derive(Default)]
struct Times {
    /// Pass, events posted and time of each tenth of the replay.
    replay: RefCell<Vec<(u32, usize, Duration)>>,
    bandwidth: RefCell<Vec<Duration>>,
    balance: RefCell<Vec<Duration>>,
    expiring: RefCell<Vec<Duration>>,
    balance_past: RefCell<Vec<Duration>>,
}

fn median(times: &RefCell<Vec<Duration>>) -> Option<Duration> {
    let mut t = times.borrow().clone();
    t.sort();
    t.get(t.len() / 2).copied()
}

/// Runs `routine` `iters` times, timing each run; returns the total.
fn timed(record: &RefCell<Vec<Duration>>, iters: u64, mut routine: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        routine();
        let t = start.elapsed();
        record.borrow_mut().push(t);
        total = total.saturating_add(t);
    }
    total
}

fn env_or(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("{name}={v} is not a number; using {default}");
            default
        }),
        Err(_) => default,
    }
}

/// True under `cargo bench` (criterion's `--bench` without `--test` or `--list`).
fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list")
}

fn mb(bytes: f64) -> f64 {
    bytes / 1e6
}

/// The stream's size, in each benchmark's id (so runs of different sizes
/// are not compared with each other).
fn size(s: &Setup) -> String {
    format!(
        "{}_events_{}_accounts",
        s.stream.events.len(),
        s.accounts.len()
    )
}

/// Words of the baseline buffer: as many bytes as the events take in
/// memory, from 8 MiB to 4 GiB.
fn baseline_words(s: &Setup) -> usize {
    usize::try_from(s.memory_bytes / 8)
        .unwrap_or(usize::MAX)
        .clamp(1 << 20, 1 << 29)
}

fn print_setup(s: &Setup) {
    let n = s.stream.events.len();
    let per = |b: u64| b as f64 / n.max(1) as f64;
    println!(
        "ledger stream: {n} events over {} accounts, generated in {:.1} s ({:.1} s posting)",
        s.accounts.len(),
        s.generated_in.as_secs_f64(),
        s.stream.posting.as_secs_f64()
    );
    let kinds: Vec<String> = s
        .stream
        .mix
        .kinds()
        .iter()
        .map(|(k, c)| format!("{k} {:.2}%", 100.0 * *c as f64 / n.max(1) as f64))
        .collect();
    println!("  mix: {}", kinds.join(", "));
    println!(
        "  in memory {:.0} MB ({:.0} B/event), as JSON lines {:.0} MB ({:.0} B/event)",
        mb(s.memory_bytes as f64),
        per(s.memory_bytes),
        mb(s.json_bytes as f64),
        per(s.json_bytes)
    );
}

fn queries(c: &mut Criterion, s: &Setup, times: &Times) {
    let (ledger, program, accounts) = (&s.stream.ledger, &s.program, &s.accounts);
    let mut group = c.benchmark_group("ledger_queries");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(accounts.len() as u64));
    group.bench_function(BenchmarkId::new("balance_all_accounts", size(s)), |b| {
        b.iter_custom(|iters| {
            timed(&times.balance, iters, || {
                black_box(ledger::balances(ledger, program, accounts, STREAM_QUERY_AT));
            })
        });
    });
    group.bench_function(
        BenchmarkId::new("expiring_30_days_all_accounts", size(s)),
        |b| {
            b.iter_custom(|iters| {
                timed(&times.expiring, iters, || {
                    black_box(ledger::expiring(
                        ledger,
                        program,
                        accounts,
                        STREAM_QUERY_AT,
                        30,
                    ));
                })
            });
        },
    );
    group.bench_function(
        BenchmarkId::new("balance_all_accounts_in_the_past", size(s)),
        |b| {
            b.iter_custom(|iters| {
                timed(&times.balance_past, iters, || {
                    black_box(ledger::balances(ledger, program, accounts, STREAM_PAST_AT));
                })
            });
        },
    );
    group.finish();
}

fn replay(c: &mut Criterion, s: &Setup, times: &Times) {
    let events = &s.stream.events;
    let mut group = c.benchmark_group("ledger_replay");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(2));

    // The baseline first, while the replay's ledger does not exist yet.
    let buffer: Vec<u64> = (0..baseline_words(s) as u64).collect();
    group.throughput(Throughput::Bytes(
        (buffer.len() as u64).saturating_mul(size_of::<u64>() as u64),
    ));
    group.bench_function(BenchmarkId::new("memory_bandwidth", size(s)), |b| {
        b.iter_custom(|iters| {
            timed(&times.bandwidth, iters, || {
                black_box(ledger::sum(black_box(&buffer)));
            })
        });
    });
    drop(buffer);

    // A replay of 10 million events takes minutes, and criterion wants at
    // least ten samples after a warm-up: so each sample posts the next tenth
    // of the stream into the same ledger, and the warm-up and the first nine
    // samples are one full replay from an empty ledger (then it starts over).
    let chunk = events.len().div_ceil(10).max(1);
    let state = RefCell::new((loyalty_core::ledger::Ledger::new(), 0_usize, 0_u32));
    group.throughput(Throughput::Elements(chunk as u64));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function(BenchmarkId::new("replay_by_tenths", size(s)), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut st = state.borrow_mut();
                let (ledger, next, pass) = &mut *st;
                if *next >= events.len() {
                    // Freeing the full ledger is not part of the replay.
                    drop(std::mem::take(ledger));
                    *next = 0;
                    *pass = pass.saturating_add(1);
                }
                let end = next.saturating_add(chunk).min(events.len());
                let slice = events.get(*next..end).unwrap_or_default();
                let start = Instant::now();
                let not_applied = ledger::post_all(ledger, &s.program, black_box(slice));
                let t = start.elapsed();
                if not_applied > 0 {
                    eprintln!("warning: {not_applied} events did not apply on replay");
                }
                times.replay.borrow_mut().push((*pass, slice.len(), t));
                total = total.saturating_add(t);
                *next = end;
            }
            total
        });
    });
    group.finish();
    drop(state);
}

fn summary(s: &Setup, t: &Times) {
    let n = s.stream.events.len() as f64;
    println!(
        "\nledger summary ({} events, {} accounts; medians)",
        s.stream.events.len(),
        s.accounts.len()
    );
    let bandwidth = median(&t.bandwidth)
        .map(|d| (baseline_words(s) as f64) * size_of::<u64>() as f64 / d.as_secs_f64());
    // The first pass over the whole stream, from an empty ledger.
    let (posted, replay) = t
        .replay
        .borrow()
        .iter()
        .filter(|(pass, _, _)| *pass == 0)
        .fold((0_usize, Duration::ZERO), |(n, d), (_, k, t)| {
            (n.saturating_add(*k), d.saturating_add(*t))
        });
    if posted == s.stream.events.len() {
        let secs = replay.as_secs_f64();
        println!(
            "  replay, all events           {secs:>8.3} s   {:.3} M events/s, {:.0} MB/s of events in memory, {:.0} MB/s as JSON",
            n / secs / 1e6,
            mb(s.memory_bytes as f64 / secs),
            mb(s.json_bytes as f64 / secs)
        );
        let tenths: Vec<String> = t
            .replay
            .borrow()
            .iter()
            .filter(|(pass, _, _)| *pass == 0)
            .map(|(_, _, d)| format!("{:.2}", d.as_secs_f64()))
            .collect();
        println!("    by tenth of the stream (s): {}", tenths.join(" "));
        if let Some(bw) = bandwidth {
            println!(
                "  memory bandwidth (1 thread)  {:>8.0} MB/s   the replay runs at 1/{:.0} of it (in-memory bytes), 1/{:.0} (JSON bytes)",
                mb(bw),
                bw / (s.memory_bytes as f64 / secs),
                bw / (s.json_bytes as f64 / secs)
            );
        }
    }
    let per_account = |d: Duration| d.as_secs_f64() * 1e6 / s.accounts.len().max(1) as f64;
    for (name, times) in [
        ("balance, every account     ", &t.balance),
        ("expiring 30 d, every acct. ", &t.expiring),
        ("balance in the past, every ", &t.balance_past),
    ] {
        if let Some(d) = median(times) {
            println!(
                "  {name}  {:>8.3} s   {:.2} µs per account",
                d.as_secs_f64(),
                per_account(d)
            );
        }
    }
}

fn main() {
    let full = benchmarking();
    let events = env_or(
        "LEDGER_BENCH_EVENTS",
        if full { ledger::EVENTS } else { 20_000 },
    );
    let accounts = env_or(
        "LEDGER_BENCH_ACCOUNTS",
        if full { ledger::ACCOUNTS } else { 1_000 },
    );
    eprintln!("generating {events} ledger events over {accounts} accounts ...");
    let mut setup = match ledger::setup(events, accounts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot set the benchmark up: {e}");
            std::process::exit(1);
        }
    };
    print_setup(&setup);
    let mut c = Criterion::default().configure_from_args();
    let times = Times::default();
    queries(&mut c, &setup, &times);
    // Only the events stay: the replay builds its own ledger.
    drop(std::mem::take(&mut setup.stream.ledger));
    replay(&mut c, &setup, &times);
    c.final_summary();
    if full {
        summary(&setup, &times);
    }
}
