//! Set-up of the ledger benchmark (`benches/ledger_replay.rs`) and of the
//! `profile_ledger` example: the seeded event stream of the sample kit, its
//! size in bytes, and the replay and queries being measured.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use loyalty_core::Program;
use loyalty_core::ledger::{Ledger, LedgerEvent, PostStatus};
use loyalty_testkit::sample::ledger::{self as stream, LedgerStream};

/// Seed of the benchmark stream.
pub const SEED: u64 = 2024;

/// Events of the full benchmark (the size the goal is stated for).
pub const EVENTS: usize = 10_000_000;

/// Member accounts of the full benchmark.
pub const ACCOUNTS: usize = 100_000;

/// The stream and what the benchmark reports about it.
pub struct Setup {
    /// The stream's program.
    pub program: Program,
    /// The events and the ledger they built.
    pub stream: LedgerStream,
    /// Every account id of the ledger.
    pub accounts: Vec<String>,
    /// Bytes the events take in memory: the enum values and the text and
    /// lines they own.
    pub memory_bytes: u64,
    /// Bytes of the events as JSON, one per line (how a host would store them).
    pub json_bytes: u64,
    /// Time it took to generate the stream (posting included).
    pub generated_in: Duration,
}

/// Bytes one event owns outside its enum value.
fn heap_bytes(e: &LedgerEvent) -> usize {
    let text = |s: &str| s.len();
    let opt = |s: &Option<String>| s.as_deref().map_or(0, str::len);
    match e {
        LedgerEvent::Earn(x) => text(&x.id)
            .saturating_add(text(&x.account))
            .saturating_add(text(&x.at))
            .saturating_add(opt(&x.order))
            .saturating_add(
                x.lines
                    .len()
                    .saturating_mul(size_of::<loyalty_core::ledger::EarnLine>()),
            ),
        LedgerEvent::Redeem(x) => text(&x.id)
            .saturating_add(text(&x.account))
            .saturating_add(text(&x.at))
            .saturating_add(opt(&x.order)),
        LedgerEvent::Adjust(x) => text(&x.id)
            .saturating_add(text(&x.account))
            .saturating_add(text(&x.at))
            .saturating_add(text(&x.reason)),
        LedgerEvent::Refund(x) => text(&x.id)
            .saturating_add(text(&x.at))
            .saturating_add(text(&x.order))
            .saturating_add(
                x.lines
                    .len()
                    .saturating_mul(size_of::<loyalty_core::ledger::RefundLine>()),
            ),
        LedgerEvent::Transfer(x) => text(&x.id)
            .saturating_add(text(&x.account))
            .saturating_add(text(&x.to))
            .saturating_add(text(&x.at)),
        other => text(other.id()).saturating_add(text(other.at())),
    }
}

/// Bytes the events take in memory.
pub fn memory_bytes(events: &[LedgerEvent]) -> u64 {
    let own = events.iter().map(heap_bytes).fold(0_u64, |s, b| {
        s.saturating_add(u64::try_from(b).unwrap_or(u64::MAX))
    });
    let values = events.len().saturating_mul(size_of::<LedgerEvent>());
    own.saturating_add(u64::try_from(values).unwrap_or(u64::MAX))
}

/// Counts what is written to it.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self
            .0
            .saturating_add(u64::try_from(buf.len()).unwrap_or(u64::MAX));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes of the events as JSON lines.
pub fn json_bytes(events: &[LedgerEvent]) -> u64 {
    let mut count = Count(0);
    for e in events {
        if serde_json::to_writer(&mut count, e).is_ok() {
            count.0 = count.0.saturating_add(1);
        }
    }
    count.0
}

/// Generates the stream of `events` events over `accounts` members.
pub fn setup(events: usize, accounts: usize) -> Result<Setup, String> {
    let program = stream::stream_program().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let stream = stream::ledger_stream(&program, SEED, events, accounts);
    let generated_in = started.elapsed();
    if stream.refused > 0 {
        // Refused events are left out, so the replay still measures only
        // applied events; say so, since the generator aims for none.
        eprintln!(
            "note: the ledger refused {} drawn events (first: {})",
            stream.refused,
            stream.first_refusal.as_deref().unwrap_or("-")
        );
    }
    let accounts = stream.ledger.account_ids().map(str::to_owned).collect();
    Ok(Setup {
        memory_bytes: memory_bytes(&stream.events),
        json_bytes: json_bytes(&stream.events),
        program,
        stream,
        accounts,
        generated_in,
    })
}

/// Posts every event to a fresh ledger; returns it with the number of
/// events that did not apply (zero for the benchmark stream).
pub fn replay(program: &Program, events: &[LedgerEvent]) -> (Ledger, u64) {
    let mut ledger = Ledger::new();
    let not_applied = post_all(&mut ledger, program, events);
    (ledger, not_applied)
}

/// Posts `events` to `ledger`; returns how many did not apply.
pub fn post_all(ledger: &mut Ledger, program: &Program, events: &[LedgerEvent]) -> u64 {
    let mut not_applied = 0_u64;
    for e in events {
        if !matches!(ledger.post(program, e), Ok(PostStatus::Applied)) {
            not_applied = not_applied.saturating_add(1);
        }
    }
    not_applied
}

/// Every account's balance at `at`; returns the points available in all.
pub fn balances(ledger: &Ledger, program: &Program, accounts: &[String], at: &str) -> u64 {
    accounts
        .iter()
        .filter_map(|a| ledger.balance(program, black_box(a), at).ok())
        .map(|b| {
            b.available
                .floor()
                .mantissa()
                .unsigned_abs()
                .min(u128::from(u64::MAX))
        })
        .fold(0_u64, |s, p| {
            s.saturating_add(u64::try_from(p).unwrap_or(u64::MAX))
        })
}

/// Every account's points expiring within `days` of `at`; returns how many
/// lots in all.
pub fn expiring(
    ledger: &Ledger,
    program: &Program,
    accounts: &[String],
    at: &str,
    days: u32,
) -> usize {
    accounts
        .iter()
        .filter_map(|a| ledger.expiring(program, black_box(a), at, days).ok())
        .map(|x| x.lots.len())
        .fold(0, usize::saturating_add)
}

/// Sums a buffer of `u64`: the memory-bandwidth baseline (one thread, like the replay).
pub fn sum(words: &[u64]) -> u64 {
    words.iter().fold(0_u64, |s, w| s.wrapping_add(*w))
}
