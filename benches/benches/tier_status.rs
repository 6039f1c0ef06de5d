//! The tier book at scale, on the sample program's tiers (six months of
//! spend, reviewed on the first of every Persian month, Asia/Tehran): half
//! a million events of 10,000 members over two years (orders, check-ins,
//! payments with points and refunds, see `loyalty_testkit::sample::tiers`)
//! posted to a fresh book, every member's status as of one instant, and one
//! heavy member's history of 10,000 orders over five years.
//!
//! ```text
//! cargo bench -p loyalty-benches --bench tier_status
//! TIER_BENCH_EVENTS=2000000 TIER_BENCH_ACCOUNTS=40000 cargo bench -p loyalty-benches --bench tier_status
//! ```
//!
//! `TIER_BENCH_EVENTS` (default 500,000), `TIER_BENCH_ACCOUNTS` (default
//! 10,000) and `TIER_BENCH_HEAVY_ORDERS` (default 10,000) set the sizes;
//! without `--bench` (`cargo test --benches`) small ones are used. The
//! defaults take about 40 s. The streams are generated once, before
//! anything is measured. Groups:
//!
//! * `tier_post/post_by_tenths`: every event posted to a new book
//!   (events/s), a tenth of the stream per sample, so that the warm-up and
//!   nine samples are one full replay (the summary gives its time).
//! * `tier_status/status_all_accounts`: `status` (tier, window metrics,
//!   progress to the next tier and what keeping this one takes) of every
//!   member, as of the first instant after the stream.
//! * `tier_heavy_member/{history,status,order_tier}/N`: one member with N
//!   orders over the same five years (N = an eighth, a quarter, half and all
//!   of `TIER_BENCH_HEAVY_ORDERS`): every answer folds the member's whole
//!   history (Fenwick trees over time, so O(N log N)); the summary compares
//!   the time per event across N.

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use loyalty_benches::tiers::{self, Setup};
use loyalty_core::tiers::TierBook;

/// Per-iteration times of each measured routine, for the summary.
#[derive(Default)]
struct Times {
    /// Pass, events posted and time of each tenth of the replay.
    post: RefCell<Vec<(u32, usize, Duration)>>,
    status: RefCell<Vec<Duration>>,
    /// Per heavy-member size: history, status and order_tier times.
    heavy: RefCell<Vec<[Vec<Duration>; 3]>>,
}

fn median(times: &[Duration]) -> Option<Duration> {
    let mut t = times.to_vec();
    t.sort();
    t.get(t.len() / 2).copied()
}

/// Runs `routine` `iters` times, timing each run into `record`; returns the total.
fn timed(iters: u64, mut record: impl FnMut(Duration), mut routine: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        routine();
        let t = start.elapsed();
        record(t);
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

/// The stream's size, in each benchmark's id (so runs of different sizes
/// are not compared with each other).
fn size(s: &Setup) -> String {
    format!(
        "{}_events_{}_accounts",
        s.stream.events.len(),
        s.stream.accounts.len()
    )
}

fn print_setup(s: &Setup) {
    let n = s.stream.events.len();
    let kinds: Vec<String> = s
        .stream
        .mix
        .kinds()
        .iter()
        .map(|(k, c)| format!("{k} {:.1}%", 100.0 * *c as f64 / n.max(1) as f64))
        .collect();
    println!(
        "tier stream: {n} events over {} accounts, until {}; generated and posted in {:.1} s",
        s.stream.accounts.len(),
        s.stream.end,
        s.generated_in.as_secs_f64()
    );
    println!("  mix: {}", kinds.join(", "));
    let heavy: Vec<String> = s
        .heavy
        .iter()
        .map(|(orders, st, _)| format!("{orders} orders ({} events)", st.events.len()))
        .collect();
    println!("  heavy member over five years: {}", heavy.join(", "));
}

fn post(c: &mut Criterion, s: &Setup, times: &Times) {
    let events = &s.stream.events;
    let mut group = c.benchmark_group("tier_post");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(2));
    // As the ledger benchmark does: each sample posts the next tenth of the
    // stream into the same book, so the warm-up and the first nine samples
    // are one full replay from an empty book (then it starts over).
    let chunk = events.len().div_ceil(10).max(1);
    let state = RefCell::new((TierBook::new(), 0_usize, 0_u32));
    group.throughput(Throughput::Elements(chunk as u64));
    group.bench_function(BenchmarkId::new("post_by_tenths", size(s)), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut st = state.borrow_mut();
                let (book, next, pass) = &mut *st;
                if *next >= events.len() {
                    // Freeing the full book is not part of the replay.
                    drop(std::mem::take(book));
                    *next = 0;
                    *pass = pass.saturating_add(1);
                }
                let end = next.saturating_add(chunk).min(events.len());
                let slice = events.get(*next..end).unwrap_or_default();
                let start = Instant::now();
                let not_applied = tiers::post_all(book, &s.program, black_box(slice));
                let t = start.elapsed();
                if not_applied > 0 {
                    eprintln!("warning: {not_applied} events did not apply on replay");
                }
                times.post.borrow_mut().push((*pass, slice.len(), t));
                total = total.saturating_add(t);
                *next = end;
            }
            total
        });
    });
    group.finish();
}

fn status(c: &mut Criterion, s: &Setup, times: &Times) {
    let accounts = &s.stream.accounts;
    let mut group = c.benchmark_group("tier_status");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(accounts.len() as u64));
    group.bench_function(BenchmarkId::new("status_all_accounts", size(s)), |b| {
        b.iter_custom(|iters| {
            timed(
                iters,
                |t| times.status.borrow_mut().push(t),
                || {
                    black_box(tiers::statuses(
                        &s.book,
                        &s.program,
                        accounts,
                        &s.stream.end,
                    ));
                },
            )
        });
    });
    group.finish();
}

fn heavy(c: &mut Criterion, s: &Setup, times: &Times) -> Result<(), String> {
    let mut group = c.benchmark_group("tier_heavy_member");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    times
        .heavy
        .borrow_mut()
        .resize_with(s.heavy.len(), Default::default);
    for (i, (orders, stream, book)) in s.heavy.iter().enumerate() {
        let Some(account) = stream.accounts.first() else {
            continue;
        };
        let at = &stream.end;
        let probe = tiers::probe(account, at)?;
        group.throughput(Throughput::Elements(stream.events.len() as u64));
        let record = |which: usize, t: Duration| {
            if let Some(v) = times
                .heavy
                .borrow_mut()
                .get_mut(i)
                .and_then(|r| r.get_mut(which))
            {
                v.push(t);
            }
        };
        group.bench_function(BenchmarkId::new("history", orders), |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    |t| record(0, t),
                    || {
                        black_box(tiers::history(book, &s.program, account, at));
                    },
                )
            });
        });
        group.bench_function(BenchmarkId::new("status", orders), |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    |t| record(1, t),
                    || {
                        black_box(tiers::statuses(
                            book,
                            &s.program,
                            std::slice::from_ref(account),
                            at,
                        ));
                    },
                )
            });
        });
        group.bench_function(BenchmarkId::new("order_tier", orders), |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    |t| record(2, t),
                    || {
                        black_box(tiers::order_tier(book, &s.program, &probe));
                    },
                )
            });
        });
    }
    group.finish();
    Ok(())
}

fn summary(s: &Setup, t: &Times) {
    let n = s.stream.events.len();
    println!(
        "\ntier summary ({n} events, {} accounts; medians)",
        s.stream.accounts.len()
    );
    // The first pass over the whole stream, from an empty book.
    let (posted, took) = t
        .post
        .borrow()
        .iter()
        .filter(|(pass, _, _)| *pass == 0)
        .fold((0_usize, Duration::ZERO), |(n, d), (_, k, t)| {
            (n.saturating_add(*k), d.saturating_add(*t))
        });
    if posted == n {
        let secs = took.as_secs_f64();
        println!(
            "  post, all events             {secs:>8.3} s   {:.3} M events/s, {:.2} µs per event",
            n as f64 / secs / 1e6,
            secs * 1e6 / n.max(1) as f64
        );
    }
    if let Some(d) = median(&t.status.borrow()) {
        let accounts = s.stream.accounts.len().max(1) as f64;
        println!(
            "  status, every account        {:>8.3} s   {:.1} µs per account, {:.2} µs per event of the book",
            d.as_secs_f64(),
            d.as_secs_f64() * 1e6 / accounts,
            d.as_secs_f64() * 1e6 / n.max(1) as f64
        );
    }
    println!(
        "  heavy member, five years      events     history      status  order_tier   history µs/event"
    );
    let heavy = t.heavy.borrow();
    let mut first: Option<(f64, f64)> = None;
    for ((orders, stream, _), times) in s.heavy.iter().zip(heavy.iter()) {
        let ms = |v: &Vec<Duration>| median(v).map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
        let [h, st, ot] = times;
        let events = stream.events.len() as f64;
        let per = ms(h) * 1e3 / events.max(1.0);
        let growth = first.map_or_else(String::new, |(e0, t0)| {
            let (x, y) = (events / e0, ms(h) / t0);
            // n log n over n: how much more a fold of x times the events
            // should take than x times the time.
            let nlogn = x * events.ln() / e0.ln();
            format!(
                "   x{x:.0} events: x{y:.1} time (n log n: x{nlogn:.1}, n²: x{:.0})",
                x * x
            )
        });
        if first.is_none() {
            first = Some((events, ms(h)));
        }
        println!(
            "    {orders:>6} orders          {:>7}  {:>8.2} ms {:>8.2} ms {:>8.2} ms   {per:>8.2}{growth}",
            stream.events.len(),
            ms(h),
            ms(st),
            ms(ot)
        );
    }
}

fn main() {
    let full = benchmarking();
    let events = env_or(
        "TIER_BENCH_EVENTS",
        if full { tiers::EVENTS } else { 20_000 },
    );
    let accounts = env_or(
        "TIER_BENCH_ACCOUNTS",
        if full { tiers::ACCOUNTS } else { 1_000 },
    );
    let heavy_orders = env_or(
        "TIER_BENCH_HEAVY_ORDERS",
        if full { tiers::HEAVY_ORDERS } else { 1_000 },
    );
    eprintln!(
        "generating {events} tier events over {accounts} accounts and a member with {heavy_orders} orders ..."
    );
    let setup = match tiers::setup(events, accounts, heavy_orders) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot set the benchmark up: {e}");
            std::process::exit(1);
        }
    };
    print_setup(&setup);
    let mut c = Criterion::default().configure_from_args();
    let times = Times::default();
    status(&mut c, &setup, &times);
    if let Err(e) = heavy(&mut c, &setup, &times) {
        eprintln!("cannot set the heavy member up: {e}");
        std::process::exit(1);
    }
    post(&mut c, &setup, &times);
    c.final_summary();
    if full {
        summary(&setup, &times);
    }
}
