//! Batch profile merging at scale: a million seeded loyalty profiles
//! (`loyalty_testkit::sample::profiles`: Persian, Latin and Arabic names,
//! phones in every format, e-mail variants, households, placeholders)
//! through `Program::dedupe`, timed, with its peak memory and its precision,
//! recall and F1 against the truth.
//!
//! ```text
//! cargo bench -p loyalty-benches --bench profile_merge
//! MERGE_BENCH_PROFILES=100000 cargo bench -p loyalty-benches --bench profile_merge
//! ```
//!
//! `MERGE_BENCH_PROFILES` (default 1,000,000) sets the size, `MERGE_BENCH_RUNS`
//! (default 1) the timed runs, `MERGE_BENCH_EXPLAIN` (default 20,000; 0 for
//! none) the size of a sample deduplicated again with explanations, whose
//! missed and wrong links are counted by kind and a few printed with their
//! evidence. Without `--bench` (`cargo test --benches`) 5,000 profiles are
//! used. Generation is not timed. Memory is the process's peak resident set
//! (`VmHWM`, Linux only): reset before deduplicating where the kernel allows
//! (`/proc/self/clear_refs`), so the peak is that of the deduplication with
//! the profiles it reads.

use std::collections::BTreeMap;
use std::time::Instant;

use loyalty_core::Program;
use loyalty_core::identity::{DedupeOptions, Evidence, Level, Profile};
use loyalty_testkit::febrl::{self, Scores};
use loyalty_testkit::sample::profiles;

const SEED: u64 = 1404;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

/// A `/proc/self/status` value in kB.
fn status_kb(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kb: Option<u64>) -> String {
    kb.map_or("n/a".to_owned(), |k| {
        format!("{:.0} MiB", k as f64 / 1024.0)
    })
}

fn show(name: &str, s: Scores) {
    println!(
        "  {name:<8} precision {:.4}  recall {:.4}  F1 {:.4}",
        s.precision, s.recall, s.f1
    );
}

fn program() -> Result<Program, String> {
    Program::from_toml(&format!(
        "schema_version = 1\nid = \"merge-bench\"\ncurrency = \"IRR\"\n\
         time_zone = \"Asia/Tehran\"\n[merge]\nregion = \"{}\"\n",
        profiles::REGION
    ))
    .map_err(|e| e.to_string())
}

fn main() -> Result<(), String> {
    let benching = std::env::args().any(|a| a == "--bench");
    let n = if benching {
        env("MERGE_BENCH_PROFILES", 1_000_000)
    } else {
        5_000
    };
    let runs = env("MERGE_BENCH_RUNS", 1).max(1);
    let explain = if benching {
        env("MERGE_BENCH_EXPLAIN", 20_000)
    } else {
        0
    };
    let program = program()?;

    let hwm_start = status_kb("VmHWM:");
    let t = Instant::now();
    let (list, truth) = profiles::generate_profiles(SEED, n);
    let generated = t.elapsed();
    let persons = {
        let mut t: Vec<&String> = truth.iter().collect();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    println!(
        "profile_merge: {} profiles of {} people (seed {SEED}), generated in {:.2} s (not timed)",
        list.len(),
        persons,
        generated.as_secs_f64()
    );

    let t = Instant::now();
    let normalized: usize = list
        .iter()
        .map(|p| program.normalize_profile(p).phones.len())
        .sum();
    println!(
        "  normalize_profile on every profile, one thread: {:.2} s ({normalized} phones kept)",
        t.elapsed().as_secs_f64()
    );

    let rss_before = status_kb("VmRSS:");
    let hwm_before = status_kb("VmHWM:");
    // "5" resets the peak resident set to the current one (Linux 4.0 on).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let mut times = Vec::new();
    let mut answer = None;
    for _ in 0..runs {
        // Free the last answer before the next run, not during it.
        drop(answer.take());
        let t = Instant::now();
        let a = program
            .dedupe(&list, DedupeOptions::default())
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        answer = Some(a);
    }
    let hwm_after = status_kb("VmHWM:");
    let answer = answer.ok_or("no run")?;
    let s = answer.stats;
    let text: Vec<String> = times.iter().map(|t| format!("{t:.2} s")).collect();
    println!("  dedupe wall time: {}", text.join(", "));
    println!(
        "  memory: peak RSS {} during dedupe ({}), RSS before it {}; peak before it {} \
         (at start {}); dedupe's rise over the resident profiles {}",
        mib(hwm_after),
        if reset {
            "peak reset before"
        } else {
            "peak not reset"
        },
        mib(rss_before),
        mib(hwm_before),
        mib(hwm_start),
        mib(hwm_after.zip(rss_before).map(|(a, b)| a.saturating_sub(b))),
    );
    println!(
        "  stats: profiles {} customers {} (truth {persons}) compared {} links {} refused {} \
         skipped_blocks {} rejected_values {}; clusters listed {}",
        s.profiles,
        s.customers,
        s.compared,
        s.links,
        s.refused,
        s.skipped_blocks,
        s.rejected_values,
        answer.clusters.len()
    );
    let largest = answer
        .clusters
        .iter()
        .map(|c| c.members.len())
        .max()
        .unwrap_or(1);
    println!("  largest customer: {largest} profiles");
    show(
        "clusters",
        febrl::cluster_scores(&answer.cluster_of, &truth),
    );
    if largest <= 2_000 {
        show("pairs", febrl::pair_scores(&answer.cluster_of, &truth));
    } else {
        println!("  pairs    skipped: a customer of {largest} profiles");
    }
    drop(answer);

    if explain > 0 {
        let k = explain.min(list.len());
        // Whole people only: cut the sample where a person ends.
        let mut end = k;
        while end > 0 && end < truth.len() && truth.get(end) == truth.get(end.saturating_sub(1)) {
            end = end.saturating_sub(1);
        }
        analyse(
            &program,
            list.get(..end).unwrap_or_default(),
            truth.get(..end).unwrap_or_default(),
        )?;
    }
    Ok(())
}

/// The kind of a true pair the matcher missed, from the pair's evidence.
fn missed_kind(p: &[Profile; 2], evidence: &[Evidence]) -> &'static str {
    let latin = |x: &Profile| {
        [&x.name, &x.given_name]
            .into_iter()
            .flatten()
            .any(|n| n.chars().any(|c| c.is_ascii_alphabetic()))
    };
    let shared = evidence.iter().any(|e| e.level == Level::SharedContact);
    let id = evidence.iter().any(|e| {
        matches!(e.field, "phone" | "verified_phone" | "email") && e.level == Level::Exact
    });
    let names = evidence
        .iter()
        .any(|e| e.field.ends_with("_name") && e.level != Level::Differ);
    match (latin(&p[0]) != latin(&p[1]), shared, id) {
        (true, true, _) => "Latin vs native script: shared contact taken as a household",
        (true, false, _) => "Latin vs native script, no identifier shared",
        (false, true, _) => "same script, given names differ: shared contact as household",
        (false, false, true) => "identifier shared but outweighed",
        (false, false, false) if names => "names agree, no identifier shared",
        _ => "nothing in common the matcher saw",
    }
}

fn evidence_text(evidence: &[Evidence]) -> String {
    evidence
        .iter()
        .map(|e| {
            format!(
                "{}:{}{:+}{}",
                e.field,
                e.level.code(),
                e.weight,
                e.value
                    .as_deref()
                    .map(|v| format!("({v})"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn brief(p: &Profile) -> String {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("updated");
    }
    v.to_string()
}

/// A true pair in two customers: the two profiles, the score and the evidence.
type Missed = (usize, usize, f64, Vec<Evidence>);

/// Deduplicates a sample with explanations and reports missed and wrong links.
fn analyse(program: &Program, list: &[Profile], truth: &[String]) -> Result<(), String> {
    let answer = program
        .dedupe(
            list,
            DedupeOptions {
                explain: true,
                all_clusters: false,
            },
        )
        .map_err(|e| e.to_string())?;
    println!(
        "\nSample of {} profiles with explanations: customers {}",
        list.len(),
        answer.stats.customers
    );
    show("clusters", febrl::cluster_scores(&answer.cluster_of, truth));
    show("pairs", febrl::pair_scores(&answer.cluster_of, truth));
    let index: BTreeMap<&str, usize> = list
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();

    // Missed: true pairs (each profile with the person's first) in two customers.
    let mut missed: BTreeMap<&str, Vec<Missed>> = BTreeMap::new();
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut total = 0usize;
    for (i, t) in truth.iter().enumerate() {
        let f = *first.entry(t.as_str()).or_insert(i);
        if f == i {
            continue;
        }
        // Missed only when no profile of the person is in i's customer yet.
        let same = (f..i).any(|j| {
            truth.get(j) == Some(t) && answer.cluster_of.get(j) == answer.cluster_of.get(i)
        });
        if same {
            continue;
        }
        let (Some(a), Some(b)) = (list.get(f), list.get(i)) else {
            continue;
        };
        let c = program.compare_profiles(a, b);
        let (score, evidence) = (c.score, c.evidence);
        let kind = missed_kind(&[a.clone(), b.clone()], &evidence);
        total = total.saturating_add(1);
        missed
            .entry(kind)
            .or_default()
            .push((f, i, score, evidence));
    }
    println!("Profiles not joined to their person's first profile: {total}, by kind:");
    for (kind, list) in &missed {
        println!("  {:>6}  {kind}", list.len());
    }
    for (kind, examples) in &missed {
        println!("  e.g. {kind}:");
        for (a, b, score, evidence) in examples.iter().take(2) {
            let (Some(pa), Some(pb)) = (list.get(*a), list.get(*b)) else {
                continue;
            };
            println!("    {}\n    {}", brief(pa), brief(pb));
            println!("      score {score:.1}: {}", evidence_text(evidence));
        }
    }

    // Wrong: links taken between profiles of different people.
    let mut wrong: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (x, l) in answer.links.iter().enumerate() {
        let (Some(&a), Some(&b)) = (index.get(l.a.as_str()), index.get(l.b.as_str())) else {
            continue;
        };
        if l.refused.is_none() && truth.get(a) != truth.get(b) {
            let mut why: Vec<&str> = l
                .evidence
                .iter()
                .filter(|e| e.weight > 0.0)
                .map(|e| e.field)
                .collect();
            why.dedup();
            wrong.entry(why.join("+")).or_default().push(x);
        }
    }
    let refused = answer.links.iter().filter(|l| l.refused.is_some());
    let refused_true = refused
        .clone()
        .filter(|l| {
            let (a, b) = (index.get(l.a.as_str()), index.get(l.b.as_str()));
            a.zip(b)
                .is_some_and(|(a, b)| truth.get(*a) == truth.get(*b))
        })
        .count();
    println!(
        "Links refused by protection: {} ({refused_true} of them between one person's profiles)",
        refused.count()
    );
    println!(
        "Links taken between different people: {}, by positive evidence:",
        wrong.values().map(Vec::len).sum::<usize>()
    );
    for (why, links) in &wrong {
        println!("  {:>6}  {why}", links.len());
    }
    for links in wrong.values() {
        for &x in links.iter().take(2) {
            let Some(l) = answer.links.get(x) else {
                continue;
            };
            let (Some(&a), Some(&b)) = (index.get(l.a.as_str()), index.get(l.b.as_str())) else {
                continue;
            };
            let (Some(pa), Some(pb)) = (list.get(a), list.get(b)) else {
                continue;
            };
            println!("    {}\n    {}", brief(pa), brief(pb));
            println!("      score {:.1}: {}", l.score, evidence_text(&l.evidence));
        }
    }
    Ok(())
}
