//! ivote's test fixtures, in one place: every crate's tests, the benchmarks and the
//! end-to-end crate build their demo elections here, from the manifests in
//! `docs/examples/`, so that a change to the package, the ceremony or the demo PKI is made
//! once.
//!
//! * [`manifest`]: the example manifests, and the same with the voting window moved.
//! * [`election`]: a signed election package built in memory (an honest key ceremony, the
//!   officials' and the collector's keys), with the trustees' key shares.
//! * [`pki`]: a demo PKI (a CA, voters with certificates and keys, each on the roll or not,
//!   valid, revoked or expired, a CRL) and its roll.
//! * [`demo`]: the package with a demo PKI and its roll, written to a folder in the layout
//!   the programs' command lines use, with the sealed secret files `tally` reads.
//! * [`cli`]: the programs' command lines over that layout (`tally package build`,
//!   `collector serve`).
//! * [`record`]: honest election records (log, ballots with selections, aggregates, shares,
//!   results, seal) and, in [`record::audit`], a ballot box of real signed submissions with
//!   the auditors' bundle, for the verifier's tests and benchmarks.
//! * [`tls`]: a test CA and a server certificate for the collector's HTTPS listener.
//! * [`softhsm`]: SoftHSM2 tokens holding demo voters' keys and certificates, for the
//!   voter app's smart-card tests.
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

pub mod cli;
pub mod demo;
pub mod election;
pub mod manifest;
pub mod pki;
pub mod postgres;
pub mod record;
pub mod softhsm;
pub mod tls;
