//! Coupons: campaigns, code generation, validation with reasons, discounts,
//! stacking and exact apportionment.

mod answer;
mod apportion;
pub mod code;
mod engine;
pub mod format;
pub(crate) mod policy;

pub use answer::*;
pub use apportion::apportion;
