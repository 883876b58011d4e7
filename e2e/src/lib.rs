//! The test rig, outside the product: drives the real ivote programs as separate processes,
//! for the one-command demo (`src/bin/demo.rs`), the national-scale run
//! (`src/bin/national.rs`), the collector's load generator (`src/bin/collector-load.rs` over
//! [`load`]), the dishonest collector's kit ([`forge`]) and the end-to-end tests (`tests/`):
//! the same code sets up an election, runs the collector, casts and checks votes, counts and
//! verifies, so the demo shows exactly what the tests check. [`booth`] builds the browser
//! booth and votes in it with headless Chromium.

pub mod booth;
pub mod collector;
pub mod flow;
pub mod forge;
pub mod load;
pub mod national;
pub mod plan;
pub mod programs;
pub mod setup;
pub mod terminal;
pub mod voting;
