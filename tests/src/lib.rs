//! Shared test kit: the conformance vector runner, seeded sample data and the demo.

pub mod vectors;
