//! Referral credit: member codes, attribution at signup, the referee's
//! qualifying event, rewards on both sides, caps and fraud guards.
//!
//! The program's `[referrals]` section says what counts and what is paid; a
//! [`ReferralBook`] keeps members' codes and each referral, and the host
//! posts [`ReferralEvent`]s to it in time order:
//!
//! 1. `member`: a member joins and gets a code (derived from the member id,
//!    or drawn from the host's `seed`), in the code format of coupons (a check
//!    character catches every single typo and every swap of neighbours);
//! 2. `signup`: a referee types a code. The first link stands. A signup is
//!    refused with **every** reason that holds, each with its evidence:
//!    `malformed_code`, `bad_check_character`, `unknown_code`,
//!    `already_referred`, `self_referral` (the same account, a shared phone,
//!    e-mail, card, device, payment token or address after normalization, or
//!    profiles that profile merging links), `referral_cycle`,
//!    `velocity_exceeded`, `existing_customer`;
//! 3. `order` (or a `custom` event): the referee's first order of at least
//!    `qualify.min_order` within `qualify.within_days` makes the referral
//!    pending until the order's return window (`return_days`) closes
//!    (`below_minimum`, `qualification_window_passed` otherwise);
//! 4. `refund`: a qualifying order refunded below the minimum cancels the
//!    referral (`order_refunded`), and takes back what was paid;
//! 5. `merge`: accounts profile merging found to be one customer; a referral
//!    between them is cancelled (`self_referral`) and taken back;
//! 6. time passing pays the referrals whose window closed: ledger `earn`
//!    events and coupons to issue, for the referrer (unless `cap_reached` for
//!    the period), bonuses at their n-th success, and the referee. Each event
//!    first lets time pass to its instant (what fell due is in its answer);
//!    [`ReferralBook::settle`] does it when nothing else happens. So the book
//!    is a fold over its events, and replaying them rebuilds it.
//!
//! ```
//! use loyalty_core::Program;
//! use loyalty_core::referrals::{ReferralBook, ReferralEvent};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "tehran-cafe"
//! currency = "IRR"
//! time_zone = "Asia/Tehran"
//! [merge]
//! region = "IR"
//! [referrals]
//! qualify = { min_order = "500000", within_days = 30 }
//! return_days = 14
//! referrer = { points = "100" }
//! referee = { points = "50" }
//! "#).unwrap();
//! let mut book = ReferralBook::new(&program).unwrap();
//! let post = |book: &mut ReferralBook, json: serde_json::Value| {
//!     book.post(&program, &serde_json::from_value::<ReferralEvent>(json).unwrap()).unwrap()
//! };
//! let code = post(&mut book, serde_json::json!({"type": "member", "id": "e1", "member": "sara",
//!     "at": "2026-03-01T10:00:00+03:30",
//!     "identity": {"profile": {"id": "sara", "phones": "0912 345 6789"}}})).code.unwrap();
//!
//! // The same phone typed another way: refused as a self-referral, with the evidence.
//! let refused = post(&mut book, serde_json::json!({"type": "signup", "id": "e2", "referee": "sara2",
//!     "code": code.to_lowercase(), "at": "2026-03-02T10:00:00+03:30",
//!     "identity": {"profile": {"id": "sara2", "phones": "+98 912 345 6789"}}}));
//! assert_eq!(refused.rejected[0].code.code(), "self_referral");
//! assert_eq!(refused.rejected[0].evidence[0].value, "+989123456789");
//!
//! // A friend signs up and orders; paid when the return window closes.
//! post(&mut book, serde_json::json!({"type": "signup", "id": "e3", "referee": "reza",
//!     "code": code, "at": "2026-03-02T10:00:00+03:30"}));
//! post(&mut book, serde_json::json!({"type": "order", "id": "e4", "account": "reza",
//!     "order": "o-1", "amount": "750000", "at": "2026-03-05T12:00:00+03:30"}));
//! assert!(book.settle(&program, "2026-03-18T00:00:00+03:30").unwrap().ledger.is_empty());
//! let paid = book.settle(&program, "2026-03-20T00:00:00+03:30").unwrap();
//! assert_eq!(paid.ledger.len(), 2); // 100 points to sara, 50 to reza
//! ```

mod book;
pub(crate) mod policy;

pub(crate) use book::derived_seed as book_seed;
pub use book::*;
pub use policy::{
    BonusFile, CapFile, CapPeriod, QualifyFile, ReferralCodesFile, ReferralsFile, RewardFile,
    VelocityFile,
};
