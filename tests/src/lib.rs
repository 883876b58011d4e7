//! Drives the real ivote programs as separate processes, for the one-command demo
//! (`src/bin/demo.rs`), the national-scale run (`src/bin/national.rs`) and the end-to-end
//! tests (`tests/`): the same code sets up an election, runs the collector, casts and
//! checks votes, counts and verifies, so the demo shows exactly what the tests check.

pub mod collector;
pub mod flow;
pub mod national;
pub mod plan;
pub mod programs;
pub mod setup;
pub mod terminal;
pub mod voting;
