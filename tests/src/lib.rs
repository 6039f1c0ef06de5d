//! Shared test kit: the conformance vector runner, seeded sample data and the demo.

pub mod febrl;
pub mod report;
pub mod sample;
pub mod vectors;

/// The top-level README, whose Rust quickstart runs as a doctest here.
#[doc = include_str!("../../README.md")]
pub mod readme {}
