//! The collector: the online ballot box. It checks every submission, stores accepted ones
//! durably, logs them in a Merkle tree and answers with signed receipts.
//!
//! The core is pure and I/O-free: [`election::Election`] holds what is loaded once from the
//! package (keys, shapes, trust anchors, roll); [`decide::decide`] checks one submission
//! against it and a read-only view of the store, with the time passed in, and returns
//! either the facts to persist or a [`reject::Rejection`] with a stable code. Persisting
//! and responding happen at the edges. See `docs/collector.md`.

pub mod admin;
pub mod api;
pub mod client;
pub mod cmd;
pub mod decide;
pub mod election;
pub mod journal;
pub mod key_file;
pub mod ocsp;
pub mod reject;
pub mod replay;
pub mod server;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod tls;
