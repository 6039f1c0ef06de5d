//! Shared test kit: the conformance vector runner, seeded sample data and the demo.

pub mod sample;
pub mod vectors;
