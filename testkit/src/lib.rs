//! ivote's test fixtures, in one place: every crate's tests, the benchmarks and the
//! end-to-end crate build their demo elections here, from the manifests in
//! `docs/examples/`, so that a change to the package, the ceremony or the demo PKI is made
//! once.
//!
//! * [`manifest`]: the example manifests, and the same with the voting window moved.
//! * [`election`]: a signed election package built in memory (an honest key ceremony, the
//!   officials' and the collector's keys), with the trustees' key shares.
//! * [`demo`]: the same with a demo PKI (a CA, voters with certificates and keys, a CRL) and
//!   its roll, written to a folder in the layout the programs' command lines use.
//! * [`record`]: honest election records (log, ballots with selections, aggregates, shares,
//!   results, seal) and, in [`record::audit`], a ballot box of real signed submissions with
//!   the auditors' bundle, for the verifier's tests and benchmarks.
//!
//! Insecure by design (fixed keys, throw-away certificates): a dev-dependency only.

// Fixtures: a fixture that cannot be built is a broken test setup, so it panics with what
// went wrong instead of returning errors every test would unwrap (as the protocol's
// `test-support` ceremony does). clippy's allow-*-in-tests does not reach a library.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod demo;
pub mod election;
pub mod manifest;
pub mod record;
