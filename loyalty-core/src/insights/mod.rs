//! Insights: what a shop owner asks of the club's data.
//!
//! - [`Program::customer_stats`](crate::Program::customer_stats):
//!   per-customer statistics from orders, RFM scores (quintiles, or the
//!   cut points of `[insights.rfm]`) and named segments
//!   (`[[insights.segments]]`, tried in order). For millions of orders,
//!   [`Program::customer_stats_columns`](crate::Program::customer_stats_columns)
//!   takes the same orders as [`OrderColumns`] and gives the same answer
//!   in about half the time.
//! - [`Program::report`](crate::Program::report): a period's report
//!   (baskets, busiest times, splits, customers, and with the books given,
//!   points, tiers and referrals).
//! - [`Program::triggers`](crate::Program::triggers): the lifecycle
//!   messages due on a day (birthdays in each customer's calendar,
//!   anniversaries, win-back, points expiring, tier at risk) with fresh
//!   personal codes.
//!
//! ```
//! use loyalty_core::Program;
//! use loyalty_core::insights::{InsightOrder, StatsRequest};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "jeddah-bakery"
//! currency = "SAR"
//! time_zone = "Asia/Riyadh"
//! "#).unwrap();
//! let orders: Vec<InsightOrder> = serde_json::from_value(serde_json::json!([
//!     {"id": "o-1", "customer": "c-1", "at": "2026-03-02T08:15:00+03:00", "amount": "42.50",
//!      "channel": "pos", "lines": [{"sku": "kunafa", "category": "sweets", "quantity": "1", "amount": "42.50"}]},
//!     {"id": "o-2", "customer": "c-1", "at": "2026-03-09T08:40:00+03:00", "amount": "20.00", "channel": "pos"},
//!     {"id": "o-3", "customer": "c-2", "at": "2026-01-05T19:00:00+03:00", "amount": "300.00", "channel": "web"}
//! ])).unwrap();
//! let stats = program.customer_stats(&StatsRequest { orders, as_of: "2026-03-15T00:00:00+03:00".into() }).unwrap();
//! let c1 = &stats.customers[0];
//! assert_eq!((c1.customer.as_str(), c1.visits, c1.total_spend.to_string()), ("c-1", 2, "62.50".to_owned()));
//! assert_eq!(c1.preferred_hour, Some(8));
//! assert_eq!(c1.favourite_categories, ["sweets"]);
//! ```

mod columns;
pub(crate) mod config;
mod report;
mod stats;
pub(crate) mod triggers;

pub use columns::OrderColumns;
pub use config::{InsightsFile, RfmCutsFile, SegmentRuleFile, default_segments};
pub use report::{
    Count, CouponReport, CreditReport, PointsMonth, PointsReport, ReferralReport, Report,
    ReportBooks, ReportCustomer, ReportRequest, Split, TopCustomer,
};
pub use stats::*;
pub use triggers::{
    AfterFile, AnniversaryDate, ExpiringPoints, LeadFile, TierAtRisk, Trigger, TriggerCoupon,
    TriggerCustomer, TriggerDetail, TriggerKind, TriggerRequest, Triggers, TriggersFile,
};
