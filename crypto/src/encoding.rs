//! Canonical byte encodings: decode-or-fail, no trailing data.
//!
//! Every object of the protocol travels as a fixed byte layout built from 32-byte canonical
//! Ristretto255 point encodings, 32-byte canonical little-endian scalars and big-endian
//! integers. [`Reader`] decodes such a layout field by field and [`Reader::finish`] rejects
//! trailing bytes, so each object has exactly one encoding (see `docs/crypto-spec.md` §2).

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;

use crate::error::{CryptoError, Result};

/// Length of an encoded point.
pub const POINT_LEN: usize = 32;
/// Length of an encoded scalar.
pub const SCALAR_LEN: usize = 32;

/// Decodes exactly 32 bytes as a canonical Ristretto255 point (the identity is allowed).
pub fn decode_point(bytes: &[u8], what: &'static str) -> Result<RistrettoPoint> {
    let arr: [u8; POINT_LEN] = bytes.try_into().map_err(|_| CryptoError::WrongLength {
        what,
        expected: POINT_LEN,
        actual: bytes.len(),
    })?;
    CompressedRistretto(arr)
        .decompress()
        .ok_or(CryptoError::NonCanonicalPoint(what))
}

/// Decodes exactly 32 bytes as a canonical Ristretto255 point that is not the identity.
pub fn decode_nonidentity_point(bytes: &[u8], what: &'static str) -> Result<RistrettoPoint> {
    let p = decode_point(bytes, what)?;
    if p.is_identity() {
        return Err(CryptoError::IdentityPoint(what));
    }
    Ok(p)
}

/// Decodes exactly 32 bytes as a canonical scalar (little-endian, below the group order).
pub fn decode_scalar(bytes: &[u8], what: &'static str) -> Result<Scalar> {
    let arr: [u8; SCALAR_LEN] = bytes.try_into().map_err(|_| CryptoError::WrongLength {
        what,
        expected: SCALAR_LEN,
        actual: bytes.len(),
    })?;
    Option::from(Scalar::from_canonical_bytes(arr)).ok_or(CryptoError::NonCanonicalScalar(what))
}

/// Reads a fixed layout field by field. Every read checks the remaining length, so a truncated
/// input is an error, never a panic; [`Reader::finish`] rejects trailing bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    what: &'static str,
    rest: &'a [u8],
    total: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`, which encode one `what`.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader {
            what,
            rest: bytes,
            total: bytes.len(),
        }
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(CryptoError::BadLayout {
                what: self.what,
                detail: format!(
                    "truncated: needs {n} more bytes at offset {}, has {}",
                    self.total - self.rest.len(),
                    self.rest.len()
                ),
            });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// Reads a canonical point (identity allowed).
    pub fn point(&mut self) -> Result<RistrettoPoint> {
        decode_point(self.take(POINT_LEN)?, self.what)
    }

    /// Reads a canonical point that must not be the identity.
    pub fn nonidentity_point(&mut self) -> Result<RistrettoPoint> {
        decode_nonidentity_point(self.take(POINT_LEN)?, self.what)
    }

    /// Reads a canonical scalar.
    pub fn scalar(&mut self) -> Result<Scalar> {
        decode_scalar(self.take(SCALAR_LEN)?, self.what)
    }

    /// Reads a big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        let arr: [u8; 4] = b.try_into().map_err(|_| CryptoError::WrongLength {
            what: self.what,
            expected: 4,
            actual: b.len(),
        })?;
        Ok(u32::from_be_bytes(arr))
    }

    /// Reads a big-endian `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let arr: [u8; 8] = b.try_into().map_err(|_| CryptoError::WrongLength {
            what: self.what,
            expected: 8,
            actual: b.len(),
        })?;
        Ok(u64::from_be_bytes(arr))
    }

    /// Number of bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Ends reading: trailing bytes are an error.
    pub fn finish(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(CryptoError::BadLayout {
                what: self.what,
                detail: format!("{} trailing bytes", self.rest.len()),
            })
        }
    }
}

/// Appends the canonical encoding of a point.
pub fn put_point(out: &mut Vec<u8>, p: &RistrettoPoint) {
    out.extend_from_slice(p.compress().as_bytes());
}

/// Appends the canonical encoding of a scalar.
pub fn put_scalar(out: &mut Vec<u8>, s: &Scalar) {
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    use curve25519_dalek::traits::Identity;

    #[test]
    fn point_round_trip_and_rejections() {
        let p = G * Scalar::from(7u64);
        let bytes = p.compress().to_bytes();
        assert_eq!(decode_point(&bytes, "p").unwrap(), p);
        assert!(matches!(
            decode_point(&bytes[..31], "p"),
            Err(CryptoError::WrongLength { .. })
        ));
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(matches!(
            decode_point(&long, "p"),
            Err(CryptoError::WrongLength { .. })
        ));
        // Ristretto encodings must be non-negative field elements below p: 0xff..ff is not.
        assert_eq!(
            decode_point(&[0xff; 32], "p"),
            Err(CryptoError::NonCanonicalPoint("p"))
        );
        // An odd ("negative") field element is never a canonical Ristretto encoding.
        let mut odd = [0u8; 32];
        odd[0] = 1;
        assert_eq!(
            decode_point(&odd, "p"),
            Err(CryptoError::NonCanonicalPoint("p"))
        );
        let id = RistrettoPoint::identity().compress().to_bytes();
        assert!(decode_point(&id, "p").is_ok());
        assert_eq!(
            decode_nonidentity_point(&id, "p"),
            Err(CryptoError::IdentityPoint("p"))
        );
    }

    #[test]
    fn scalar_rejects_non_canonical() {
        let s = Scalar::from(123456789u64);
        assert_eq!(decode_scalar(s.as_bytes(), "s").unwrap(), s);
        // The group order itself is not canonical, nor is 2^256 - 1.
        // The group order l = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let order: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        assert_eq!(
            decode_scalar(&order, "s"),
            Err(CryptoError::NonCanonicalScalar("s"))
        );
        assert_eq!(
            decode_scalar(&[0xff; 32], "s"),
            Err(CryptoError::NonCanonicalScalar("s"))
        );
        assert!(matches!(
            decode_scalar(&[0; 33], "s"),
            Err(CryptoError::WrongLength { .. })
        ));
    }

    #[test]
    fn reader_rejects_truncation_and_trailing() {
        let mut bytes = Vec::new();
        put_point(&mut bytes, &G);
        bytes.extend_from_slice(&5u32.to_be_bytes());
        let mut r = Reader::new(&bytes, "t");
        assert_eq!(r.point().unwrap(), G);
        assert_eq!(r.u32().unwrap(), 5);
        r.finish().unwrap();

        let mut r = Reader::new(&bytes[..35], "t");
        r.point().unwrap();
        assert!(matches!(r.u32(), Err(CryptoError::BadLayout { .. })));

        bytes.push(9);
        let mut r = Reader::new(&bytes, "t");
        r.point().unwrap();
        r.u32().unwrap();
        assert!(matches!(r.finish(), Err(CryptoError::BadLayout { .. })));
    }
}
