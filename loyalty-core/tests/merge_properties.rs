//! Invariants of profile merging, over random populations: the answer does
//! not depend on input order, placeholders never link, no customer holds
//! two verified phones no single profile vouches for, merging conserves
//! points, and unmerge gives every profile back exactly its own ledger.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: generators do plain arithmetic on small values, and a failure should fail loudly"
)]

use std::collections::{BTreeMap, BTreeSet};

use loyalty_core::Program;
use loyalty_core::identity::{Contact, DedupeOptions, MergeRecord, Profile};
use loyalty_core::ledger::{Ledger, LedgerEvent};
use proptest::prelude::*;
use serde_json::json;

fn program() -> Program {
    Program::from_toml(
        r#"
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"
[merge]
region = "IR"
blocklist = ["+989120000001", "shop@cafe.ir"]
"#,
    )
    .unwrap()
}

const GIVEN: &[&str] = &[
    "Sara", "سارا", "Ali", "علي", "علی", "Reza", "Maryam", "مریم", "Zahra",
];
const FAMILY: &[&str] = &[
    "Ahmadi",
    "احمدی",
    "احمدي",
    "Karimi",
    "كريمي",
    "Hosseini",
    "Rezaei",
];
/// One national number, typed several ways, for a few subscribers.
const PHONE_FORMS: &[&str] = &[
    "0912 345 {}",
    "+98 912 345 {}",
    "۰۹۱۲۳۴۵{}",
    "0098-912-345-{}",
];
const PHONE_ENDS: &[&str] = &["6789", "1122", "4455"];
const EMAILS: &[&str] = &[
    "sara.ahmadi@gmail.com",
    "SaraAhmadi+x@gmail.com",
    "ali@shop.ir",
    "reza@mail.ir",
];
const DATES: &[&str] = &["1990-05-01", "19900501", "1985-11-20", "1900-01-01"];

fn phone(form: usize, end: usize) -> String {
    PHONE_FORMS[form % PHONE_FORMS.len()].replace("{}", PHONE_ENDS[end % PHONE_ENDS.len()])
}

fn arb_profile() -> impl Strategy<Value = Profile> {
    (
        0..GIVEN.len(),
        0..FAMILY.len(),
        proptest::option::of((0..PHONE_FORMS.len(), 0..PHONE_ENDS.len(), any::<bool>())),
        proptest::option::of(0..EMAILS.len()),
        proptest::option::of(0..DATES.len()),
        0..3usize,
    )
        .prop_map(|(g, f, ph, em, d, src)| Profile {
            given_name: Some(GIVEN[g].to_owned()),
            family_name: Some(FAMILY[f].to_owned()),
            phones: ph
                .map(|(form, end, verified)| Contact {
                    value: phone(form, end),
                    verified,
                })
                .into_iter()
                .collect(),
            emails: em
                .map(|e| Contact {
                    value: EMAILS[e].to_owned(),
                    verified: false,
                })
                .into_iter()
                .collect(),
            birth_date: d.map(|d| DATES[d].to_owned()),
            source: Some(["web", "pos", "app"][src].to_owned()),
            ..Profile::default()
        })
}

/// Profiles with ids `p-0`, `p-1`, ...
fn arb_population(max: usize) -> impl Strategy<Value = Vec<Profile>> {
    proptest::collection::vec(arb_profile(), 1..max).prop_map(|ps| {
        ps.into_iter()
            .enumerate()
            .map(|(i, p)| Profile {
                id: format!("p-{i}"),
                ..p
            })
            .collect()
    })
}

/// Customer of each profile id.
fn customers(program: &Program, profiles: &[Profile]) -> BTreeMap<String, String> {
    let answer = program.dedupe(profiles, DedupeOptions::default()).unwrap();
    profiles
        .iter()
        .map(|p| p.id.clone())
        .zip(answer.cluster_of)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn clustering_does_not_depend_on_input_order(
        profiles in arb_population(24),
        order in proptest::collection::vec(any::<u32>(), 24),
    ) {
        let program = program();
        let mut shuffled = profiles.clone();
        // A permutation from random keys.
        let mut keyed: Vec<(u32, Profile)> = order.iter().copied().zip(shuffled.drain(..)).collect();
        keyed.sort_by_key(|(k, p)| (*k, p.id.clone()));
        let shuffled: Vec<Profile> = keyed.into_iter().map(|(_, p)| p).collect();
        prop_assert_eq!(customers(&program, &profiles), customers(&program, &shuffled));
        let a = program.dedupe(&profiles, DedupeOptions { explain: true, all_clusters: true }).unwrap();
        let b = program.dedupe(&shuffled, DedupeOptions { explain: true, all_clusters: true }).unwrap();
        prop_assert_eq!(a.clusters, b.clusters);
        prop_assert_eq!(a.links, b.links);
        prop_assert_eq!(a.stats, b.stats);
    }

    #[test]
    fn blocklisted_values_never_link(
        names in proptest::collection::vec((0..GIVEN.len(), 0..FAMILY.len()), 2..12),
        picks in proptest::collection::vec(0..5usize, 12),
    ) {
        let program = program();
        let placeholders = ["0000000000", "09120000001", "test@test.com", "shop@cafe.ir", "1900-01-01"];
        // Strangers (each a distinct name and one placeholder), so only the placeholders are shared.
        let mut seen = BTreeSet::new();
        let profiles: Vec<Profile> = names
            .iter()
            .filter(|n| seen.insert(**n))
            .zip(&picks)
            .enumerate()
            .map(|(i, ((g, f), pick))| {
                let value = placeholders[*pick].to_owned();
                let mut p = Profile {
                    id: format!("p-{i}"),
                    given_name: Some(format!("{}{i}", GIVEN[*g])),
                    family_name: Some(format!("{}{i}", FAMILY[*f])),
                    ..Profile::default()
                };
                match pick {
                    0 | 1 => p.phones = vec![Contact { value, verified: true }],
                    2 | 3 => p.emails = vec![Contact { value, verified: true }],
                    _ => p.birth_date = Some(value),
                }
                p
            })
            .collect();
        let answer = program.dedupe(&profiles, DedupeOptions { explain: true, all_clusters: false }).unwrap();
        prop_assert_eq!(answer.stats.customers, profiles.len());
        prop_assert!(answer.links.is_empty());
        for p in &profiles {
            let n = program.normalize_profile(p);
            prop_assert!(n.phones.is_empty() && n.emails.is_empty() && n.birth_date.is_empty(), "{:?}", n);
            prop_assert_eq!(n.rejected.len(), 1);
        }
    }

    #[test]
    fn verified_phones_of_a_customer_are_vouched_for_by_one_profile(profiles in arb_population(24)) {
        let program = program();
        let answer = program.dedupe(&profiles, DedupeOptions { explain: false, all_clusters: true }).unwrap();
        let verified = |id: &str| -> BTreeSet<String> {
            let p = profiles.iter().find(|p| p.id == id).unwrap();
            program.normalize_profile(p).phones.into_iter().filter(|c| c.verified).map(|c| c.value).collect()
        };
        for c in &answer.clusters {
            let all: BTreeSet<String> = c.members.iter().flat_map(|m| verified(m)).collect();
            prop_assert!(
                c.members.iter().any(|m| verified(m).is_superset(&all)),
                "customer {} holds verified phones {:?} no one member has", c.id, all
            );
        }
    }
}

fn ts(day: u32) -> String {
    format!("2026-03-{:02}T10:00:00+03:30", day)
}

fn earn(id: &str, account: &str, day: u32, points: u32) -> LedgerEvent {
    serde_json::from_value(json!({"type": "earn", "id": id, "account": account, "at": ts(day), "points": points.to_string()}))
        .unwrap()
}

fn redeem(id: &str, account: &str, day: u32, points: u32) -> LedgerEvent {
    serde_json::from_value(json!({"type": "redeem", "id": id, "account": account, "at": ts(day), "points": points.to_string()}))
        .unwrap()
}

fn replay(program: &Program, events: &[LedgerEvent]) -> Ledger {
    let mut ledger = Ledger::new();
    for e in events {
        ledger.post(program, e).unwrap();
    }
    ledger
}

/// Per member: (day, points, redeem?) before the merge on day 15, and points
/// earned after it (days 16..) at the customer's till, by member.
type History = (Vec<Vec<(u32, u32, bool)>>, Vec<(usize, u32, u32)>);

fn arb_history() -> impl Strategy<Value = History> {
    (2..5usize).prop_flat_map(|members| {
        (
            proptest::collection::vec(
                proptest::collection::vec((1..15u32, 1..500u32, any::<bool>()), 1..6),
                members,
            ),
            proptest::collection::vec((0..members, 16..28u32, 1..500u32), 0..8),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn merge_conserves_points_and_unmerge_restores_every_ledger((before, after) in arb_history()) {
        let program = program();
        let ids: Vec<String> = (0..before.len()).map(|i| format!("m-{i}")).collect();
        let mut events = Vec::new();
        for (m, history) in before.iter().enumerate() {
            let mut held = 0u32;
            let mut sorted = history.clone();
            sorted.sort();
            for (k, (day, points, spend)) in sorted.into_iter().enumerate() {
                let id = format!("{}-{k}", ids[m]);
                if spend && held >= points {
                    held -= points;
                    events.push(redeem(&id, &ids[m], day, points));
                } else {
                    held += points;
                    events.push(earn(&id, &ids[m], day, points));
                }
            }
        }
        events.sort_by(|a, b| a.at().cmp(b.at()).then(a.id().cmp(b.id())));
        let record = MergeRecord {
            id: "merge-1".to_owned(),
            at: ts(15),
            customer: ids[0].clone(),
            members: ids.iter().map(|id| Profile { id: id.clone(), ..Profile::default() }).collect(),
            links: Vec::new(),
        };
        let unmerged = replay(&program, &events);
        let held: Vec<rust_decimal::Decimal> =
            ids.iter().map(|id| unmerged.balance(&program, id, &ts(15)).unwrap().available).collect();

        let mut merged_log = events.clone();
        let accounts: BTreeSet<String> = unmerged.account_ids().map(str::to_owned).collect();
        merged_log.extend(record.merge_events(|id| accounts.contains(id)).into_iter().map(LedgerEvent::Merge));
        let merged = replay(&program, &merged_log);
        let total: rust_decimal::Decimal = held.iter().copied().sum();
        prop_assert_eq!(merged.balance(&program, &ids[0], &ts(15)).unwrap().available, total);

        // After the merge every till posts to the customer; the host notes which card it was.
        let mut origins = BTreeMap::new();
        let mut own_log = events.clone();
        for (k, (m, day, points)) in after.iter().enumerate() {
            let id = format!("after-{k}");
            merged_log.push(earn(&id, &ids[0], *day, *points));
            own_log.push(earn(&id, &ids[*m], *day, *points));
            origins.insert(id, ids[*m].clone());
        }
        merged_log.sort_by(|a, b| a.at().cmp(b.at()).then(a.id().cmp(b.id())));
        own_log.sort_by(|a, b| a.at().cmp(b.at()).then(a.id().cmp(b.id())));
        let merged = replay(&program, &merged_log);
        let end = ts(30);
        let after_total: rust_decimal::Decimal = after.iter().map(|a| rust_decimal::Decimal::from(a.2)).sum();
        prop_assert_eq!(merged.balance(&program, &ids[0], &end).unwrap().available, total + after_total);

        let split = record.unmerge_ledger(&merged_log, &origins);
        let restored = replay(&program, &split);
        let reference = replay(&program, &own_log);
        for id in &ids {
            prop_assert_eq!(restored.balance(&program, id, &end).unwrap(), reference.balance(&program, id, &end).unwrap());
            prop_assert_eq!(restored.lots(&program, id, &end).unwrap(), reference.lots(&program, id, &end).unwrap());
        }
        // The audit record keeps the profiles exactly as they were.
        let stored: MergeRecord = serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        prop_assert_eq!(stored, record);
    }
}
