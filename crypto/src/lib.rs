//! # ivote-crypto
//!
//! The cryptographic core of ivote: the Ristretto255 group, exponential ElGamal, the
//! zero-knowledge proofs that make ballots and decryptions verifiable, and threshold keys.
//!
//! The crate is pure: it does no I/O, reads no clock and draws no randomness of its own.
//! Randomness comes in as `rng: &mut (impl RngCore + CryptoRng)`, and every proof takes the
//! election's [`ContextHash`] and its whole statement, which its merlin transcript absorbs
//! before the prover's commitments (strong Fiat–Shamir, see [`transcript`]).
//!
//! The protocol is specified in `docs/crypto-spec.md`; module docs cite its sections.
//!
//! | module | what it holds |
//! |---|---|
//! | [`group`] | generators `G`, `H`, the context hash |
//! | [`encoding`] | canonical decoding, fixed layouts |
//! | [`transcript`] | Fiat–Shamir transcripts and proof positions |
//! | [`elgamal`] | exponential ElGamal |
//! | [`dlog`] | bounded discrete logarithm (baby-step giant-step) |
//! | [`proofs`] | Schnorr, DLEQ, disjunctive Chaum–Pedersen ranges, ElGamal–Pedersen links, Bulletproofs ranges, the tally's selection proofs |
//! | [`contest`] | encrypting a whole contest and proving it valid |
//! | [`threshold`] | key-ceremony building blocks, share transport, decryption shares, Lagrange combination |

pub mod contest;
pub mod dlog;
pub mod elgamal;
pub mod encoding;
pub mod error;
pub mod group;
pub mod proofs;
pub mod threshold;
pub mod transcript;

pub use elgamal::{Ciphertext, Nonce, PublicKey};
pub use error::{CryptoError, Result};
pub use group::{ContextHash, Point, Scalar, G};
pub use transcript::ContestPosition;
