//! Orders as columns give what the same orders as rows give, and bad
//! columns are named in order.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use chrono::{DateTime, Duration};
use loyalty_core::insights::{InsightLine, InsightOrder, OrderColumns, StatsRequest};
use loyalty_core::{Coded, Program};
use proptest::prelude::*;
use rust_decimal::Decimal;

const AS_OF: &str = "2026-06-30T23:59:59.250+03:30";

fn program() -> Program {
    Program::from_toml(
        "schema_version = 1\nid = \"p\"\ncurrency = \"IRR\"\ntime_zone = \"Asia/Tehran\"\n",
    )
    .unwrap()
}

/// A name from a small set, with `None` and a blank one among them.
fn name(kind: &str, n: u8) -> Option<String> {
    match n {
        0 => None,
        1 => Some("  ".to_owned()),
        n => Some(format!("{kind}-{}", n - 2)),
    }
}

/// One order: customer, milliseconds before as_of (some after it), amount,
/// channel, store, payment, points paid, coupon discount, and lines of
/// (product, category, quantity, amount).
type Raw = (u16, i64, u32, [u8; 3], (u8, u8), Vec<(u8, u8, u8, u32)>);

fn raw(customers: u16, len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Raw>> {
    let line = (0u8..12, 0u8..6, 1u8..4, 0u32..90_000);
    proptest::collection::vec(
        (
            0..customers,
            -86_400_000i64..63_072_000_000,
            0u32..500_000,
            [0u8..5, 0u8..5, 0u8..5],
            (0u8..3, 0u8..3),
            proptest::collection::vec(line, 0..4),
        ),
        len,
    )
}

fn orders(raw: &[Raw]) -> Vec<InsightOrder> {
    let as_of = DateTime::parse_from_rfc3339(AS_OF).unwrap();
    let amount = |n: u8| (n > 0).then(|| Decimal::from(n) * Decimal::from(5_000));
    raw.iter()
        .enumerate()
        .map(
            |(i, (c, back, paid, [channel, store, payment], (points, coupon), lines))| {
                InsightOrder {
                    id: format!("o-{i}"),
                    customer: format!("c-{c}"),
                    at: (as_of - Duration::milliseconds(*back)).to_rfc3339(),
                    amount: Decimal::from(*paid),
                    channel: name("channel", *channel),
                    store: name("store", *store),
                    payment: name("payment", *payment),
                    points_paid: amount(*points),
                    coupon_discount: amount(*coupon),
                    lines: lines
                        .iter()
                        .map(|(sku, category, quantity, amount)| InsightLine {
                            sku: format!("sku-{sku}"),
                            category: name("category", *category),
                            quantity: Decimal::from(*quantity),
                            amount: Decimal::from(*amount),
                        })
                        .collect(),
                    coupons: Vec::new(),
                }
            },
        )
        .collect()
}

/// The statistics of `orders` as rows and as columns are equal.
fn same_answer(orders: Vec<InsightOrder>) -> Result<(), TestCaseError> {
    let program = program();
    let columns = OrderColumns::from_orders(&orders).unwrap();
    prop_assert_eq!(columns.len(), orders.len());
    let rows = program.customer_stats(&StatsRequest {
        orders,
        as_of: AS_OF.into(),
    });
    let cols = program.customer_stats_columns(&columns, AS_OF);
    prop_assert_eq!(rows.unwrap(), cols.unwrap());
    Ok(())
}

fn codes(e: &loyalty_core::accrual::RequestErrors) -> Vec<(String, String)> {
    e.errors()
        .iter()
        .map(|e| (e.code().to_owned(), e.path().to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Columns are another spelling of the same orders: the same answer,
    /// blank names, orders after as_of and favourites ties included.
    #[test]
    fn columns_answer_what_rows_answer(raw in raw(12, 0..80)) {
        same_answer(orders(&raw))?;
    }

    /// Broken values are each named at their column and row, in the order
    /// of the orders, and nothing else is: a customer past the end of
    /// `customers`, a negative amount, a product past the end of `names`, a
    /// repeated id.
    #[test]
    fn bad_values_are_named_in_order(
        raw in raw(12, 8..60),
        bad in proptest::collection::btree_map(1usize..8, 0u8..4, 1..5),
    ) {
        let mut columns = OrderColumns::from_orders(&orders(&raw)).unwrap();
        let mut want = Vec::new();
        for (&i, &how) in &bad {
            match how {
                0 => {
                    columns.customer[i] = u32::try_from(columns.customers.len()).unwrap();
                    want.push(("invalid_columns", format!("customer[{i}]")));
                }
                1 => {
                    columns.amount[i] = Decimal::NEGATIVE_ONE;
                    want.push(("negative_amount", format!("amount[{i}]")));
                }
                2 => {
                    columns.id[i] = columns.id[0].clone();
                    want.push(("duplicate_order", format!("id[{i}]")));
                }
                _ => {
                    columns.at_ms[i] = i64::MAX;
                    want.push(("invalid_timestamp", format!("at_ms[{i}]")));
                }
            }
        }
        let errors = program().customer_stats_columns(&columns, AS_OF).unwrap_err();
        let want: Vec<(String, String)> = want.into_iter().map(|(c, p)| (c.to_owned(), p)).collect();
        prop_assert_eq!(codes(&errors), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]

    /// Large enough to be spread over several workers (4,096 orders or
    /// more) and, with up to 9,000 customers, over several blocks of
    /// customers per worker, columns still give the rows' answer.
    #[test]
    fn large_columns_answer_what_rows_answer(raw in raw(9000, 4096..6000)) {
        same_answer(orders(&raw))?;
    }
}

#[test]
fn columns_of_the_wrong_length_are_named_and_nothing_else_is_checked() {
    let raw: Vec<Raw> = vec![
        (0, 1_000, 10, [2, 2, 2], (0, 0), vec![(1, 2, 1, 10)]),
        (1, 2_000, 20, [2, 2, 2], (0, 0), vec![(2, 2, 1, 20)]),
    ];
    let good = OrderColumns::from_orders(&orders(&raw)).unwrap();
    let program = program();
    let check = |columns: &OrderColumns| {
        codes(&program.customer_stats_columns(columns, AS_OF).unwrap_err())
    };
    let mut columns = good.clone();
    columns.amount.pop();
    columns.store.clear(); // an optional column may be empty
    columns.customer[0] = 99; // not checked while the shape is wrong
    assert_eq!(
        check(&columns),
        [("invalid_columns".to_owned(), "amount".to_owned())]
    );
    let mut columns = good.clone();
    columns.line_offsets = vec![0, 2, 1];
    columns.category.push(None);
    assert_eq!(
        check(&columns),
        [
            ("invalid_columns".to_owned(), "category".to_owned()),
            ("invalid_columns".to_owned(), "line_offsets".to_owned()),
        ]
    );
    let mut columns = good.clone();
    columns.line_offsets = vec![0, 1, 3];
    assert_eq!(
        check(&columns),
        [("invalid_columns".to_owned(), "line_offsets".to_owned())]
    );
    // No lines at all: the offsets may be left out.
    let mut columns = good.clone();
    columns.sku.clear();
    columns.category.clear();
    columns.quantity.clear();
    columns.line_amount.clear();
    columns.line_offsets.clear();
    let stats = program.customer_stats_columns(&columns, AS_OF).unwrap();
    assert_eq!(stats.customers.len(), 2);
    assert!(
        stats
            .customers
            .iter()
            .all(|c| c.favourite_products.is_empty())
    );
}

#[test]
fn blank_and_repeated_dictionary_entries_are_refused() {
    let raw: Vec<Raw> = vec![
        (0, 1_000, 10, [2, 3, 2], (0, 0), vec![(1, 2, 1, 10)]),
        (1, 2_000, 20, [2, 2, 2], (0, 0), vec![(2, 2, 1, 20)]),
    ];
    let mut columns = OrderColumns::from_orders(&orders(&raw)).unwrap();
    columns.customers.push("c-0".to_owned());
    columns.names.push(" ".to_owned());
    columns.names.push(columns.names[0].clone());
    columns.quantity[1] = Decimal::ZERO;
    let errors = program()
        .customer_stats_columns(&columns, AS_OF)
        .unwrap_err();
    let n = columns.names.len();
    assert_eq!(
        codes(&errors),
        [
            ("invalid_quantity".to_owned(), "quantity[1]".to_owned()),
            ("invalid_columns".to_owned(), "customers[2]".to_owned()),
            ("empty_value".to_owned(), format!("names[{}]", n - 2)),
            ("invalid_columns".to_owned(), format!("names[{}]", n - 1)),
        ]
    );
}

#[test]
fn a_later_order_by_milliseconds_is_later() {
    // as_of is …59.250: an order at …59.250 counts, one at …59.251 is later.
    let raw: Vec<Raw> = vec![
        (0, 0, 10, [0, 0, 0], (0, 0), vec![]),
        (0, -1, 20, [0, 0, 0], (0, 0), vec![]),
    ];
    let columns = OrderColumns::from_orders(&orders(&raw)).unwrap();
    let stats = program().customer_stats_columns(&columns, AS_OF).unwrap();
    assert_eq!((stats.customers[0].visits, stats.later_orders), (1, 1));
}
