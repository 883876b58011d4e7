//! Exponential ElGamal over Ristretto255.
//!
//! A value `v` encrypts under the election key `Y` with randomness `r` as
//! `(α, β) = (r·G, v·G + r·Y)`. Ciphertexts add component-wise, so the sum of ciphertexts
//! encrypts the sum of values: this is how ballots are tallied without decrypting any of them.
//! Decryption with the secret `s` (`Y = s·G`) gives the point `β − s·α = v·G`; the small `v`
//! is then found by [`crate::dlog`]. In an election nobody holds `s`: trustees produce
//! decryption shares instead ([`crate::threshold`]).

use core::ops::{Add, AddAssign, Sub};

use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::encoding::{decode_point, Reader, POINT_LEN};
use crate::error::Result;
use crate::group::g_table;

/// The election public key `Y` with a precomputed table for fast constant-time `r·Y`.
#[derive(Clone)]
pub struct PublicKey {
    point: RistrettoPoint,
    /// The canonical encoding, kept because every ballot proof's transcript absorbs it.
    encoded: [u8; 32],
    table: Box<RistrettoBasepointTable>,
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PublicKey({})", hex_encode(&self.encoded))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.point == other.point
    }
}
impl Eq for PublicKey {}

impl PublicKey {
    /// Wraps a point as a public key. The identity is refused: it would encrypt in the clear.
    pub fn from_point(point: RistrettoPoint) -> Result<Self> {
        use curve25519_dalek::traits::IsIdentity;
        if point.is_identity() {
            return Err(crate::error::CryptoError::IdentityPoint(
                "election public key",
            ));
        }
        Ok(PublicKey {
            point,
            encoded: point.compress().to_bytes(),
            table: Box::new(RistrettoBasepointTable::create(&point)),
        })
    }

    /// Decodes a canonical, non-identity point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_point(crate::encoding::decode_nonidentity_point(
            bytes,
            "election public key",
        )?)
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.encoded
    }

    /// The canonical encoding, borrowed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.encoded
    }

    /// The point `Y`.
    pub fn point(&self) -> &RistrettoPoint {
        &self.point
    }

    /// Constant-time `s·Y`.
    pub(crate) fn mul(&self, s: &Scalar) -> RistrettoPoint {
        s * &*self.table
    }
}

/// Encryption randomness `r`. Secret: whoever knows it learns the vote from the ciphertext,
/// so it zeroizes on drop and is never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Nonce(Scalar);

impl core::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Nonce(<secret>)")
    }
}

impl Nonce {
    /// A fresh uniformly random nonce.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        Nonce(Scalar::random(rng))
    }

    /// Wraps a scalar derived elsewhere (e.g. from the voter's verification seed).
    pub fn from_scalar(s: Scalar) -> Self {
        Nonce(s)
    }

    /// The secret scalar.
    pub fn scalar(&self) -> &Scalar {
        &self.0
    }
}

/// An exponential ElGamal ciphertext `(α, β)`.
///
/// The points are private so that the encoding a ciphertext may carry can never disagree
/// with them: a ciphertext decoded from bytes, or made by [`Ciphertext::encrypt`], keeps its
/// canonical encoding, because every proof transcript absorbs it and compressing a point
/// again costs as much as a fifth of a proof verification. Sums and differences carry none
/// and compress when asked.
#[derive(Clone, Copy)]
pub struct Ciphertext {
    alpha: RistrettoPoint,
    beta: RistrettoPoint,
    /// `encode(α) ‖ encode(β)`, when known.
    encoding: Option<[u8; CIPHERTEXT_LEN]>,
}

/// Length of an encoded ciphertext: `α ‖ β`.
pub const CIPHERTEXT_LEN: usize = 2 * POINT_LEN;

impl core::fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Ciphertext({})", hex_encode(&self.to_bytes()))
    }
}

impl PartialEq for Ciphertext {
    fn eq(&self, other: &Self) -> bool {
        self.alpha == other.alpha && self.beta == other.beta
    }
}
impl Eq for Ciphertext {}

impl Ciphertext {
    /// The ciphertext `(α, β)`.
    pub fn new(alpha: RistrettoPoint, beta: RistrettoPoint) -> Ciphertext {
        Ciphertext {
            alpha,
            beta,
            encoding: None,
        }
    }

    /// Encrypts `v` under `pk` with randomness `r` (constant time in `v` and `r`).
    pub fn encrypt(pk: &PublicKey, v: u64, r: &Nonce) -> Ciphertext {
        let vg = &Scalar::from(v) * g_table();
        let ct = Ciphertext::new(r.scalar() * g_table(), vg + pk.mul(r.scalar()));
        Ciphertext {
            encoding: Some(ct.to_bytes()),
            ..ct
        }
    }

    /// The same ciphertext carrying its encoding (compressed now, once), for a ciphertext that
    /// will be absorbed into a transcript and written out.
    pub(crate) fn encoded(self) -> Ciphertext {
        Ciphertext {
            encoding: Some(self.to_bytes()),
            ..self
        }
    }

    /// The encoding the ciphertext carries, if it has one (decoded, encrypted or
    /// [`Self::encoded`]); `None` for sums and differences.
    pub(crate) fn encoding(&self) -> Option<&[u8; CIPHERTEXT_LEN]> {
        self.encoding.as_ref()
    }

    /// The encryption of zero with randomness zero: the neutral element of `+`.
    pub fn zero() -> Ciphertext {
        Ciphertext::new(RistrettoPoint::identity(), RistrettoPoint::identity())
    }

    /// `α = r·G`.
    pub fn alpha(&self) -> RistrettoPoint {
        self.alpha
    }

    /// `β = v·G + r·Y`.
    pub fn beta(&self) -> RistrettoPoint {
        self.beta
    }

    /// Decrypts to the point `v·G` with the whole secret key `s` (tests and the per-trustee
    /// building block; elections decrypt with threshold shares).
    pub fn decrypt_to_point(&self, secret: &Scalar) -> RistrettoPoint {
        self.beta - secret * self.alpha
    }

    /// `α ‖ β`, 64 bytes.
    pub fn to_bytes(&self) -> [u8; CIPHERTEXT_LEN] {
        match self.encoding {
            Some(bytes) => bytes,
            None => {
                let mut out = [0u8; CIPHERTEXT_LEN];
                let (a, b) = out.split_at_mut(POINT_LEN);
                a.copy_from_slice(self.alpha.compress().as_bytes());
                b.copy_from_slice(self.beta.compress().as_bytes());
                out
            }
        }
    }

    /// Appends `α ‖ β`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Decodes exactly 64 bytes (canonical points; trailing bytes rejected).
    pub fn from_bytes(bytes: &[u8]) -> Result<Ciphertext> {
        let mut r = Reader::new(bytes, "ciphertext");
        let ct = Self::read(&mut r)?;
        r.finish()?;
        Ok(ct)
    }

    /// Reads `α ‖ β` from a layout, keeping the bytes.
    pub fn read(r: &mut Reader<'_>) -> Result<Ciphertext> {
        let bytes = r.take(CIPHERTEXT_LEN)?;
        let (a, b) = bytes.split_at(POINT_LEN);
        let mut encoding = [0u8; CIPHERTEXT_LEN];
        encoding.copy_from_slice(bytes);
        Ok(Ciphertext {
            alpha: decode_point(a, "ciphertext")?,
            beta: decode_point(b, "ciphertext")?,
            encoding: Some(encoding),
        })
    }
}

impl Add for Ciphertext {
    type Output = Ciphertext;
    fn add(self, rhs: Ciphertext) -> Ciphertext {
        Ciphertext::new(self.alpha + rhs.alpha, self.beta + rhs.beta)
    }
}

impl AddAssign for Ciphertext {
    fn add_assign(&mut self, rhs: Ciphertext) {
        *self = *self + rhs;
    }
}

impl Sub for Ciphertext {
    type Output = Ciphertext;
    fn sub(self, rhs: Ciphertext) -> Ciphertext {
        Ciphertext::new(self.alpha - rhs.alpha, self.beta - rhs.beta)
    }
}

impl core::iter::Sum for Ciphertext {
    fn sum<I: Iterator<Item = Ciphertext>>(iter: I) -> Ciphertext {
        iter.fold(Ciphertext::zero(), |a, b| a + b)
    }
}

pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::G;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn keypair(seed: u64) -> (Scalar, PublicKey) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let s = Scalar::random(&mut rng);
        (s, PublicKey::from_point(&s * g_table()).unwrap())
    }

    #[test]
    fn identity_key_is_refused() {
        assert!(PublicKey::from_point(RistrettoPoint::identity()).is_err());
        assert!(PublicKey::from_bytes(&[0u8; 32]).is_err());
    }

    proptest! {
        #[test]
        fn encrypt_decrypt_and_homomorphism(a in 0u64..1_000_000, b in 0u64..1_000_000, seed: u64) {
            let (s, pk) = keypair(seed);
            let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 1);
            let ca = Ciphertext::encrypt(&pk, a, &Nonce::random(&mut rng));
            let cb = Ciphertext::encrypt(&pk, b, &Nonce::random(&mut rng));
            prop_assert_eq!(ca.decrypt_to_point(&s), Scalar::from(a) * G);
            prop_assert_eq!((ca + cb).decrypt_to_point(&s), Scalar::from(a + b) * G);
            prop_assert_eq!([ca, cb].into_iter().sum::<Ciphertext>(), ca + cb);
            prop_assert_eq!(ca + cb - cb, ca);
        }

        #[test]
        fn ciphertext_round_trip(v in 0u64..10, seed: u64) {
            let (_, pk) = keypair(seed);
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let c = Ciphertext::encrypt(&pk, v, &Nonce::random(&mut rng));
            let bytes = c.to_bytes();
            prop_assert_eq!(Ciphertext::from_bytes(&bytes).unwrap(), c);
            prop_assert!(Ciphertext::from_bytes(&bytes[..63]).is_err());
            let mut long = bytes.to_vec();
            long.push(0);
            prop_assert!(Ciphertext::from_bytes(&long).is_err());
        }
    }
}
