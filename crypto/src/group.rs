//! The group: Ristretto255, its two generators and the election context hash.
//!
//! `G` is the Ristretto basepoint. `H` is a second generator whose discrete logarithm with
//! respect to `G` nobody knows: it is bulletproofs' `PedersenGens::default().B_blinding`
//! (Ristretto hash-to-group of SHA3-512 of `G`'s encoding), so our Pedersen commitments are
//! exactly the ones bulletproofs range proofs speak about. `H` must never be the election key:
//! t trustees together know `log_G Y`, and a commitment base whose logarithm someone knows
//! is not binding for them.

use std::sync::OnceLock;

use bulletproofs::PedersenGens;
use curve25519_dalek::constants::{RISTRETTO_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE};
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};

pub use curve25519_dalek::ristretto::CompressedRistretto;
pub use curve25519_dalek::scalar::Scalar;
pub use curve25519_dalek::traits::{Identity, IsIdentity, MultiscalarMul, VartimeMultiscalarMul};

/// A group element. Re-exported so that users of this crate need not depend on dalek.
pub type Point = RistrettoPoint;

/// The generator `G` (the Ristretto basepoint).
pub const G: RistrettoPoint = RISTRETTO_BASEPOINT_POINT;

/// Precomputed table for constant-time fixed-base multiplication by `G`.
pub fn g_table() -> &'static RistrettoBasepointTable {
    RISTRETTO_BASEPOINT_TABLE
}

/// The second generator `H` (see the module docs).
pub fn h() -> RistrettoPoint {
    pedersen_gens().B_blinding
}

/// The Pedersen generators `(B, B_blinding) = (G, H)` shared with bulletproofs.
pub fn pedersen_gens() -> PedersenGens {
    static GENS: OnceLock<PedersenGens> = OnceLock::new();
    *GENS.get_or_init(PedersenGens::default)
}

/// The election context hash: 32 bytes that seal the election package (manifest, roll,
/// trust anchors, joint key...). Every transcript absorbs it, so a proof made for one
/// election never verifies in another. How it is computed is the package's business
/// (`ivote-protocol`'s package index); this crate only absorbs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContextHash(pub [u8; 32]);

impl ContextHash {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses exactly 64 lower-case hex digits (e.g. a hash pinned in a config file);
    /// upper case is refused so that one hash has one spelling.
    pub fn from_hex(s: &str) -> Option<Self> {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(ContextHash(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h_is_bulletproofs_blinding_base_and_distinct_from_g() {
        assert_eq!(h(), PedersenGens::default().B_blinding);
        assert_eq!(pedersen_gens().B, G);
        assert_ne!(h(), G);
        assert!(!h().is_identity());
    }
}
