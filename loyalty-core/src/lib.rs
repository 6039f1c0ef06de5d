#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod accrual;
pub mod calendar;
pub mod canonical;
pub mod coupons;
pub mod error;
pub mod ffi;
pub mod identity;
pub mod insights;
pub mod ledger;
pub mod model;
pub mod money;
mod parallel;
pub mod program;
pub mod referrals;
pub mod tiers;

pub use accrual::{Quote, QuoteRequest, RequestError};
pub use error::{Coded, ShapeError};
pub use program::{Program, ProgramError, ProgramErrors};
