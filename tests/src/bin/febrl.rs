//! Profile merging measured on the FEBRL benchmark files: pair- and
//! cluster-level precision, recall and F1 against their truth, with the
//! program's default merge weights (nothing is fitted to the truth).
//!
//! `cargo run --release -p loyalty-testkit --bin febrl -- [DATA_DIR]`
//! (default `../shared/data/febrl`).

use std::path::PathBuf;
use std::time::Instant;

use loyalty_core::Program;
use loyalty_core::identity::{DedupeOptions, Profile};
use loyalty_testkit::febrl::{Records, cluster_scores, pair_scores, read};

fn main() {
    if let Err(e) = run() {
        eprintln!("febrl: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/data/febrl"), PathBuf::from);
    let program = Program::from_toml(
        "schema_version = 1\nid = \"febrl\"\ncurrency = \"AUD\"\ntime_zone = \"Australia/Sydney\"\n[merge]\nregion = \"AU\"\n",
    )
    .map_err(|e| e.to_string())?;
    let sets: [(&str, &[&str]); 4] = [
        ("febrl1", &["febrl1.csv"]),
        ("febrl2", &["febrl2.csv"]),
        ("febrl3", &["febrl3.csv"]),
        ("febrl4", &["febrl4a.csv", "febrl4b.csv"]),
    ];
    println!(
        "{:<8} {:>7} {:>9}  {:>24}  {:>24}  {:>8}",
        "set", "records", "customers", "pairs P / R / F1", "clusters P / R / F1", "time"
    );
    for (name, files) in sets {
        let mut all = Records {
            profiles: Vec::<Profile>::new(),
            entity: Vec::new(),
        };
        for f in files {
            let r = read(&dir.join(f))?;
            all.profiles.extend(r.profiles);
            all.entity.extend(r.entity);
        }
        let start = Instant::now();
        let answer = program
            .dedupe(&all.profiles, DedupeOptions::default())
            .map_err(|e| e.to_string())?;
        let took = start.elapsed();
        let p = pair_scores(&answer.cluster_of, &all.entity);
        let c = cluster_scores(&answer.cluster_of, &all.entity);
        println!(
            "{name:<8} {:>7} {:>9}  {:>6.4} / {:>6.4} / {:>6.4}  {:>6.4} / {:>6.4} / {:>6.4}  {:>6.0}ms",
            all.profiles.len(),
            answer.stats.customers,
            p.precision,
            p.recall,
            p.f1,
            c.precision,
            c.recall,
            c.f1,
            took.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
