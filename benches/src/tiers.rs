//! Set-up of the tier benchmark (`benches/tier_status.rs`): the sample
//! program's tiers, the seeded tier streams of the sample kit (many members
//! over two years; one heavy member over five), and the posting and queries
//! being measured.

use std::hint::black_box;
use std::time::{Duration, Instant};

use loyalty_core::Program;
use loyalty_core::tiers::{TierBook, TierEvent, TierOrder, TierPostStatus};
use loyalty_testkit::sample::{
    self,
    tiers::{TIER_STREAM_START, TierStream, tier_stream},
};

/// Seed of the benchmark streams.
pub const SEED: u64 = 1402;

/// Events of the many-members stream (about 50 per member, as in a year of
/// the demo, over two years).
pub const EVENTS: usize = 500_000;

/// Members of the many-members stream.
pub const ACCOUNTS: usize = 10_000;

/// Days of the many-members stream: two Persian years (1402 and 1403).
pub const DAYS: u32 = 731;

/// Orders of the heavy member's history.
pub const HEAVY_ORDERS: usize = 10_000;

/// Days of the heavy member's history: five years.
pub const HEAVY_DAYS: u32 = 1826;

/// The heavy member's histories are measured at these fractions of
/// `HEAVY_ORDERS` (over the same five years), to show how a fold grows.
pub const HEAVY_SHARES: [usize; 4] = [8, 4, 2, 1];

/// The streams and the books they build.
pub struct Setup {
    /// The sample program (`tests/sample/tehran-cafe.toml`).
    pub program: Program,
    /// Many members' events.
    pub stream: TierStream,
    /// The book of every event of `stream`.
    pub book: TierBook,
    /// The heavy member's histories, smallest first: orders, stream and book.
    pub heavy: Vec<(usize, TierStream, TierBook)>,
    /// Time it took to generate the streams and build the books.
    pub generated_in: Duration,
}

/// Events a stream needs to hold about `orders` orders (86% of events are orders).
fn events_for(orders: usize) -> usize {
    orders.saturating_mul(100) / 86
}

/// Generates the streams and posts them.
pub fn setup(events: usize, accounts: usize, heavy_orders: usize) -> Result<Setup, String> {
    let program = sample::program().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let stream = tier_stream(SEED, events, accounts, TIER_STREAM_START, DAYS);
    let (book, refused) = replay(&program, &stream.events);
    if refused > 0 {
        return Err(format!("the tier book refused {refused} stream events"));
    }
    let mut heavy = Vec::new();
    for share in HEAVY_SHARES {
        let orders = heavy_orders.checked_div(share).unwrap_or(heavy_orders);
        let s = tier_stream(
            SEED.wrapping_add(1),
            events_for(orders),
            1,
            TIER_STREAM_START,
            HEAVY_DAYS,
        );
        let (b, refused) = replay(&program, &s.events);
        if refused > 0 {
            return Err(format!(
                "the tier book refused {refused} heavy-member events"
            ));
        }
        heavy.push((orders, s, b));
    }
    Ok(Setup {
        program,
        stream,
        book,
        heavy,
        generated_in: started.elapsed(),
    })
}

/// Posts every event to a fresh book; returns it with the number of events
/// that did not apply (zero for the benchmark streams).
pub fn replay(program: &Program, events: &[TierEvent]) -> (TierBook, u64) {
    let mut book = TierBook::new();
    let not_applied = post_all(&mut book, program, events);
    (book, not_applied)
}

/// Posts `events` to `book`; returns how many did not apply.
pub fn post_all(book: &mut TierBook, program: &Program, events: &[TierEvent]) -> u64 {
    let mut not_applied = 0_u64;
    for e in events {
        if !matches!(book.post(program, e), Ok(TierPostStatus::Applied)) {
            not_applied = not_applied.saturating_add(1);
        }
    }
    not_applied
}

/// Every account's status at `at`; returns how many hold a tier above the base.
pub fn statuses(book: &TierBook, program: &Program, accounts: &[String], at: &str) -> usize {
    let base = program
        .file()
        .tiers
        .as_ref()
        .and_then(|t| t.levels.first())
        .map(|l| l.id.as_str());
    accounts
        .iter()
        .filter_map(|a| book.status(program, black_box(a), at).ok())
        .filter(|s| s.tier.is_some() && s.tier.as_deref() != base)
        .count()
}

/// One account's history up to `at`; returns its number of transitions.
pub fn history(book: &TierBook, program: &Program, account: &str, at: &str) -> usize {
    book.history(program, black_box(account), at)
        .map_or(0, |h| h.transitions.len())
}

/// A new order of 1,000,000 IRR by `account` at `at`, to ask `order_tier` about.
pub fn probe(account: &str, at: &str) -> Result<TierOrder, String> {
    serde_json::from_value(serde_json::json!({
        "id": "probe", "account": account, "at": at, "spend": "1000000",
    }))
    .map_err(|e| e.to_string())
}

/// The tier `order` earns at (what a host asks before quoting it); returns
/// whether there is one.
pub fn order_tier(book: &TierBook, program: &Program, order: &TierOrder) -> bool {
    book.order_tier(program, black_box(order))
        .is_ok_and(|t| t.tier.is_some())
}
