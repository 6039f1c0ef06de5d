//! Customer statistics as the bindings call them, from one JSON document
//! `{"program": ..., "request": {"orders": [...], "as_of": ...}}`.
//! Invariants: every order counts once (visits, or later orders), scores
//! are 1 to 5, the answer does not depend on the order of the orders, the
//! same orders as `OrderColumns` give the same statistics, and columns
//! broken in one of several ways (picked by the input's length) are
//! refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use loyalty_core::insights::{OrderColumns, StatsRequest};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let mut request = value.get("request").cloned().unwrap_or_default();
    let Ok(answer) = ffi::insights_customer_stats(&program, request.clone()) else { return };
    let rows: StatsRequest = serde_json::from_value(request.clone()).expect("an accepted request parses");
    let mut columns = OrderColumns::from_orders(&rows.orders).expect("accepted orders are columns");
    let whole_ms = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).is_ok_and(|t| t.timestamp_subsec_nanos() % 1_000_000 == 0)
    };
    // Columns hold milliseconds: compare where nothing finer is written.
    if whole_ms(&rows.as_of) && rows.orders.iter().all(|o| whole_ms(&o.at)) {
        let from_rows = program.customer_stats(&rows).expect("accepted");
        let from_columns = program.customer_stats_columns(&columns, &rows.as_of);
        assert_eq!(from_columns.as_ref().ok(), Some(&from_rows), "columns give the rows' statistics");
    }
    if !columns.is_empty() {
        match data.len() % 6 {
            0 => drop(columns.amount.pop()),
            1 => columns.customer[0] = u32::MAX,
            2 => columns.line_offsets[0] = 1,
            3 => columns.names.push(" ".to_owned()),
            4 => columns.at_ms[0] = i64::MIN,
            _ => columns.id[0].clear(),
        }
        assert!(program.customer_stats_columns(&columns, &rows.as_of).is_err(), "broken columns are refused");
    }
    let orders = request["orders"].as_array().map_or(0, Vec::len);
    let customers = answer["customers"].as_array().cloned().unwrap_or_default();
    let visits: u64 = customers.iter().filter_map(|c| c["visits"].as_u64()).sum();
    let later = answer["later_orders"].as_u64().unwrap_or(0);
    assert_eq!(visits + later, orders as u64, "every order counts once");
    for c in &customers {
        for k in ["recency", "frequency", "monetary"] {
            let s = c["rfm"][k].as_u64().unwrap_or(0);
            assert!((1..=5).contains(&s), "{k} score {s}");
        }
    }
    if let Some(list) = request["orders"].as_array_mut() {
        list.reverse();
    }
    let again = ffi::insights_customer_stats(&program, request).expect("the same orders reversed");
    assert_eq!(again, answer, "the order of orders does not matter");
});
