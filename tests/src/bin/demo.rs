//! The demo: a year of a Tehran café chain's loyalty club, end to end.
//!
//! Generates the seeded sample data (customers, a year of orders and custom
//! events), replays every order and event in time order through
//! `Program::quote` of the sample program, keeping each customer's cap
//! counters, the program-wide campaign budgets and first-purchase flags the
//! way a host would, and prints a summary. Apart from the timing lines, the
//! output is the same on every run and platform for the same flags.
//!
//! ```text
//! cargo run --release -p loyalty-testkit --bin demo -- [--customers N] [--seed S]
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loyalty_core::accrual::CapKind;
use loyalty_core::model::{Counters, LineKind};
use loyalty_core::{Program, Quote, QuoteRequest};
use loyalty_testkit::sample::{self, Activity, Dataset};
use rust_decimal::Decimal;

const USAGE: &str = "usage: demo [--customers N] [--seed S]";

struct Args {
    customers: usize,
    seed: u64,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        customers: sample::DEFAULT_CUSTOMERS,
        seed: sample::DEFAULT_SEED,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Ok(None);
        }
        let value = inline
            .or_else(|| it.next())
            .ok_or_else(|| format!("`{name}` needs a value\n{USAGE}"))?;
        match name.as_str() {
            "--customers" => {
                args.customers =
                    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("`{value}` is not a positive number of customers")
                    })?;
            }
            "--seed" => {
                args.seed = value
                    .parse()
                    .map_err(|_| format!("`{value}` is not a seed (0 to 2^64-1)"))?;
            }
            _ => return Err(format!("unknown option `{name}`\n{USAGE}")),
        }
    }
    Ok(Some(args))
}

/// What the host keeps per customer between quotes.
#[derive(Default)]
struct CustomerState {
    /// Day and period counters (budgets live in [`Replay::budgets`]).
    counters: Counters,
    ordered: bool,
    orders: u64,
    points: Decimal,
}

#[derive(Default)]
struct Tally {
    count: u64,
    points: Decimal,
}

#[derive(Default)]
struct ChannelTally {
    orders: u64,
    eligible: Decimal,
    points: Decimal,
}

#[derive(Default)]
struct CapTally {
    hits: u64,
    cut: Decimal,
}

#[derive(Default)]
struct Replay {
    customers: Vec<CustomerState>,
    /// Campaign budgets are program-wide: one running total per rule.
    budgets: BTreeMap<String, Decimal>,
    quotes: u64,
    order_points: Decimal,
    event_points: Decimal,
    by_rule: BTreeMap<String, Tally>,
    by_channel: BTreeMap<String, ChannelTally>,
    by_event: BTreeMap<String, Tally>,
    caps: BTreeMap<(String, &'static str), CapTally>,
    first_purchase_on_second_profiles: u64,
    points_on_second_profiles: Decimal,
    errors: u64,
    first_error: Option<String>,
}

fn cap_name(kind: CapKind) -> &'static str {
    match kind {
        CapKind::PerOrder => "per_order",
        CapKind::PerDay => "per_day",
        CapKind::PerPeriod => "per_period",
        CapKind::Budget => "budget",
    }
}

fn add(total: &mut Decimal, x: Decimal) {
    *total = total.checked_add(x).unwrap_or(*total);
}

fn inc(n: &mut u64) {
    *n = n.saturating_add(1);
}

impl Replay {
    /// The customer's counters with the current program-wide budgets merged in.
    fn counters_for(&mut self, customer: usize) -> Counters {
        let mut counters = self
            .customers
            .get_mut(customer)
            .map(|s| std::mem::take(&mut s.counters))
            .unwrap_or_default();
        for (rule, used) in &self.budgets {
            counters.entry(rule.clone()).or_default().budget = Some(*used);
        }
        counters
    }

    /// Keeps the counters a quote returned: budgets program-wide, the rest per customer.
    fn keep(&mut self, customer: usize, mut counters: Counters) {
        for (rule, c) in &mut counters {
            if let Some(used) = c.budget.take() {
                self.budgets.insert(rule.clone(), used);
            }
        }
        counters.retain(|_, c| c.day.is_some() || c.period.is_some());
        if let Some(s) = self.customers.get_mut(customer) {
            s.counters = counters;
        }
    }

    fn run(&mut self, program: &Program, data: &Dataset, bar: &ProgressBar) {
        self.customers = data
            .customers
            .iter()
            .map(|_| CustomerState::default())
            .collect();
        for (i, activity) in data.timeline().enumerate() {
            if i % 512 == 0 {
                bar.set_position(u64::try_from(i).unwrap_or(u64::MAX));
            }
            let (index, mut request) = match activity {
                Activity::Order(o) => (o.customer, QuoteRequest::for_order(o.order.clone())),
                Activity::Event(e) => (
                    e.customer,
                    QuoteRequest {
                        event: Some(e.event.clone()),
                        ..QuoteRequest::default()
                    },
                ),
            };
            let Some(customer) = data.customers.get(index) else {
                continue;
            };
            let is_order = request.order.is_some();
            let ordered = self.customers.get(index).is_some_and(|s| s.ordered);
            request.customer = customer.profile.clone();
            request.customer.first_purchase = is_order && !customer.has_history && !ordered;
            request.counters = self.counters_for(index);
            inc(&mut self.quotes);
            match program.quote(&request) {
                Ok(quote) => {
                    let second = customer.duplicate_of.is_some();
                    self.record(&quote, &request, second);
                    if let Some(s) = self.customers.get_mut(index) {
                        add(&mut s.points, quote.total);
                        if is_order {
                            s.ordered = true;
                            inc(&mut s.orders);
                        }
                    }
                    self.keep(index, quote.counters);
                }
                Err(e) => {
                    inc(&mut self.errors);
                    if self.first_error.is_none() {
                        let source = request
                            .order
                            .as_ref()
                            .map(|o| o.id.clone())
                            .or_else(|| request.event.as_ref().map(|e| e.id.clone()))
                            .unwrap_or_default();
                        self.first_error = Some(format!("{source}: {e}"));
                    }
                    self.keep(index, request.counters);
                }
            }
        }
        bar.set_position(bar.length().unwrap_or(0));
    }

    fn record(&mut self, quote: &Quote, request: &QuoteRequest, second_profile: bool) {
        for award in &quote.awards {
            let t = self.by_rule.entry(award.rule.clone()).or_default();
            inc(&mut t.count);
            add(&mut t.points, award.points);
            for hit in &award.caps {
                let c = self
                    .caps
                    .entry((award.rule.clone(), cap_name(hit.cap)))
                    .or_default();
                inc(&mut c.hits);
                add(&mut c.cut, hit.cut);
            }
            if second_profile && award.rule == "first-purchase" {
                inc(&mut self.first_purchase_on_second_profiles);
            }
        }
        if second_profile {
            add(&mut self.points_on_second_profiles, quote.total);
        }
        if let Some(order) = &request.order {
            add(&mut self.order_points, quote.total);
            let channel = order.channel.clone().unwrap_or_else(|| "-".to_owned());
            let c = self.by_channel.entry(channel).or_default();
            inc(&mut c.orders);
            add(&mut c.eligible, quote.eligible_spend);
            add(&mut c.points, quote.total);
        } else if let Some(event) = &request.event {
            add(&mut self.event_points, quote.total);
            let t = self.by_event.entry(event.event_type.clone()).or_default();
            inc(&mut t.count);
            add(&mut t.points, quote.total);
        }
    }
}

/// A whole number with thousands separators: `1234567.89` -> `1,234,568`.
fn num(d: impl Into<Decimal>) -> String {
    let d: Decimal = d.into();
    let text = d
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let mut out = String::from(sign);
    let len = digits.len();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && len.saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `part` as a percentage of `whole`, one decimal.
fn pct(part: Decimal, whole: Decimal) -> String {
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(whole))
        .map_or_else(|| "-".to_owned(), |p| format!("{:.1}%", p.round_dp(1)))
}

fn ratio(part: Decimal, whole: u64) -> String {
    part.checked_div(Decimal::from(whole))
        .map_or_else(|| "-".to_owned(), |p| format!("{:.1}", p.round_dp(1)))
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn data_summary(out: &mut String, data: &Dataset) -> std::fmt::Result {
    let profiles = data.customers.len();
    let second = data.duplicates().count();
    let cards = data
        .customers
        .iter()
        .filter(|c| c.profile.card.is_some())
        .count();
    let tiers: Vec<String> = ["bronze", "silver", "gold"]
        .iter()
        .map(|tier| {
            let n = data
                .customers
                .iter()
                .filter(|c| c.profile.tier.as_deref() == Some(tier))
                .count();
            format!("{tier} {}", num(n as u64))
        })
        .collect();
    let new_members = data.customers.iter().filter(|c| !c.has_history).count();
    let lines: usize = data
        .orders
        .iter()
        .map(|o| o.order.lines.len())
        .fold(0, usize::saturating_add);
    let mut sales = Decimal::ZERO;
    for o in &data.orders {
        for l in &o.order.lines {
            if l.kind != LineKind::Shipping {
                let total = l
                    .quantity
                    .checked_mul(l.unit_price)
                    .and_then(|g| g.checked_sub(l.discount))
                    .unwrap_or_default();
                add(&mut sales, total);
            }
        }
    }
    writeln!(
        out,
        "Data (seed {}, fingerprint {:016x})",
        data.seed,
        data.fingerprint()
    )?;
    writeln!(
        out,
        "  customer profiles   {:>12}   {} people; {} second profiles flagged for merging",
        num(profiles as u64),
        num(data.persons() as u64),
        num(second as u64)
    )?;
    writeln!(
        out,
        "  card holders        {:>12}   new members this year: {}",
        num(cards as u64),
        num(new_members as u64)
    )?;
    writeln!(
        out,
        "  tiers               {:>12}   {}",
        "",
        tiers.join(" · ")
    )?;
    writeln!(
        out,
        "  orders              {:>12}   {} lines; sales {} IRR",
        num(data.orders.len() as u64),
        num(lines as u64),
        num(sales)
    )?;
    writeln!(
        out,
        "  custom events       {:>12}",
        num(data.events.len() as u64)
    )?;
    Ok(())
}

fn replay_summary(
    out: &mut String,
    program: &Program,
    data: &Dataset,
    r: &Replay,
) -> std::fmt::Result {
    let total = r
        .order_points
        .checked_add(r.event_points)
        .unwrap_or_default();
    writeln!(out, "\nPoints issued         {:>12}", num(total))?;
    writeln!(
        out,
        "  on orders           {:>12}   {} per order",
        num(r.order_points),
        ratio(r.order_points, data.orders.len() as u64)
    )?;
    writeln!(out, "  on custom events    {:>12}", num(r.event_points))?;
    writeln!(out, "  quotes failed       {:>12}", num(r.errors))?;
    if let Some(e) = &r.first_error {
        writeln!(out, "    first failure: {e}")?;
    }

    writeln!(out, "\nPoints by rule (application order)")?;
    writeln!(
        out,
        "  {:<20} {:<10} {:>9} {:>11} {:>7}",
        "rule", "kind", "fired", "points", "share"
    )?;
    let kinds: BTreeMap<&str, &str> = program
        .file()
        .earn_rules
        .iter()
        .map(|r| {
            let kind = if r.rate.is_some() {
                "rate"
            } else if r.multiplier.is_some() {
                "multiplier"
            } else if r.bonus.is_some() {
                "bonus"
            } else {
                "event"
            };
            (r.id.as_str(), kind)
        })
        .collect();
    for rule in program.rule_ids() {
        let t = r.by_rule.get(rule);
        let points = t.map_or(Decimal::ZERO, |t| t.points);
        writeln!(
            out,
            "  {:<20} {:<10} {:>9} {:>11} {:>7}",
            rule,
            kinds.get(rule).copied().unwrap_or("-"),
            num(t.map_or(0, |t| t.count)),
            num(points),
            pct(points, total)
        )?;
    }

    writeln!(out, "\nOrders and points per channel")?;
    writeln!(
        out,
        "  {:<8} {:>9} {:>22} {:>11} {:>13}",
        "channel", "orders", "eligible spend (IRR)", "points", "points/order"
    )?;
    for (channel, c) in &r.by_channel {
        writeln!(
            out,
            "  {:<8} {:>9} {:>22} {:>11} {:>13}",
            channel,
            num(c.orders),
            num(c.eligible),
            num(c.points),
            ratio(c.points, c.orders)
        )?;
    }

    writeln!(out, "\nCustom events")?;
    writeln!(out, "  {:<20} {:>9} {:>11}", "type", "events", "points")?;
    for (kind, t) in &r.by_event {
        writeln!(
            out,
            "  {:<20} {:>9} {:>11}",
            kind,
            num(t.count),
            num(t.points)
        )?;
    }

    let hits = r.caps.values().map(|c| c.hits).fold(0, u64::saturating_add);
    writeln!(out, "\nCaps hit: {} times", num(hits))?;
    writeln!(
        out,
        "  {:<20} {:<11} {:>9} {:>11}",
        "rule", "cap", "hits", "points cut"
    )?;
    for ((rule, cap), c) in &r.caps {
        writeln!(
            out,
            "  {:<20} {:<11} {:>9} {:>11}",
            rule,
            cap,
            num(c.hits),
            num(c.cut)
        )?;
    }
    for (rule, used) in &r.budgets {
        writeln!(out, "  budget used by {rule}: {}", num(*used))?;
    }

    writeln!(out, "\nTop 10 earners")?;
    writeln!(
        out,
        "  {:>2}  {:<8} {:<7} {:<5} {:>7} {:>9}  name",
        "#", "customer", "tier", "chan", "orders", "points"
    )?;
    let mut ranking: Vec<(usize, &CustomerState)> = r.customers.iter().enumerate().collect();
    ranking.sort_by(|a, b| b.1.points.cmp(&a.1.points).then(a.0.cmp(&b.0)));
    for (rank, (i, s)) in ranking.iter().take(10).enumerate() {
        let Some(c) = data.customers.get(*i) else {
            continue;
        };
        writeln!(
            out,
            "  {:>2}  {:<8} {:<7} {:<5} {:>7} {:>9}  {}",
            rank.saturating_add(1),
            c.id(),
            c.profile.tier.as_deref().unwrap_or("-"),
            c.channel,
            num(s.orders),
            num(s.points),
            c.name
        )?;
    }

    writeln!(
        out,
        "\nSecond profiles of one person (to be merged): {} points earned on them, \
         {} first-purchase bonuses that merging would have refused",
        num(r.points_on_second_profiles),
        num(r.first_purchase_on_second_profiles)
    )?;
    Ok(())
}

fn progress_bar(len: u64) -> ProgressBar {
    // Drawn on stderr so stdout stays a clean report; hidden when stderr is
    // not a terminal (CI logs, pipes).
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(
        "replaying {bar:30} {human_pos}/{human_len} quotes, {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let program = sample::program().map_err(|e| format!("sample program: {e}"))?;
    let loaded = started.elapsed();

    let t = Instant::now();
    let data = sample::generate(args.seed, args.customers);
    let generated = t.elapsed();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Tehran Café Club: a year of loyalty (1404 = 2025-03-21 .. 2026-03-20)\n\
         program `{}`: {} rules, {}, {}, {} calendar\n",
        program.id(),
        program.rule_ids().count(),
        program.currency().code(),
        program.time_zone(),
        program.calendar().name()
    );
    let _ = data_summary(&mut out, &data);
    print!("{out}");

    let steps = data.orders.len().saturating_add(data.events.len());
    let bar = progress_bar(u64::try_from(steps).unwrap_or(u64::MAX));
    let t = Instant::now();
    let mut replay = Replay::default();
    replay.run(&program, &data, &bar);
    let replayed = t.elapsed();
    bar.finish_and_clear();

    let mut out = String::new();
    let _ = replay_summary(&mut out, &program, &data, &replay);
    let per_second = replay.quotes as f64 / replayed.as_secs_f64().max(1e-9);
    let _ = writeln!(
        out,
        "\nTiming (varies by machine and run)\n  \
         load program {}  generate data {}  replay {}\n  \
         {} quotes, {} quotes/s on one thread; total {}",
        seconds(loaded),
        seconds(generated),
        seconds(replayed),
        num(replay.quotes),
        num(per_second.round() as u64),
        seconds(started.elapsed()),
    );
    print!("{out}");
    if replay.errors > 0 {
        return Err(format!("{} quotes failed", replay.errors));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
