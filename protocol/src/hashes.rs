//! The 32-byte hashes that name objects of the protocol, one type per kind of object, so that
//! a ballot's hash can never be passed where a certificate's or a log record's is meant.
//!
//! | type | SHA-256 over | defined in |
//! |---|---|---|
//! | [`BallotHash`] | `"ivote-v1/ballot"` ‖ ballot layout | [`crate::ballot`] |
//! | [`CertificateHash`] | the voter's certificate, DER | this module |
//! | [`RecordHash`] | `"ivote-v1/record"` ‖ leaf index ‖ receive time ‖ ballot hash ‖ voter commitment (a log leaf) | [`crate::submission`] |
//! | [`VoterCommitment`] | `"ivote-v1/record-voter"` ‖ voter id ‖ sequence number ‖ certificate hash ‖ signature | [`crate::submission`] |
//!
//! Each is written as 64 lower-case hex digits where text is needed (a ballot id in a URL).

use sha2::{Digest, Sha256};

macro_rules! hash_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// Lower-case hex.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// Parses exactly 64 hex digits.
            pub fn from_hex(s: &str) -> Option<Self> {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out).ok()?;
                Some($name(out))
            }
        }
    };
}

hash_type!(
    /// Names a ballot: the ballot id of the verification endpoint, the tracking code's source.
    BallotHash
);
hash_type!(
    /// Names a voter's certificate inside a log record.
    CertificateHash
);
hash_type!(
    /// Names a submission record: a leaf of the collector's log, what a receipt commits to.
    RecordHash
);
hash_type!(
    /// Hides who cast a logged submission (voter id, sequence number, certificate,
    /// signature) in the public log: it binds the record hash to them without naming the
    /// voter or linking two of their submissions.
    VoterCommitment
);

impl CertificateHash {
    /// The hash of a certificate's DER bytes.
    pub fn of(der: &[u8]) -> Self {
        CertificateHash(Sha256::digest(der).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_other_lengths() {
        let h = BallotHash([0xAB; 32]);
        assert_eq!(BallotHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(BallotHash::from_hex(&h.to_hex()[2..]), None);
        assert_eq!(BallotHash::from_hex("zz"), None);
    }

    #[test]
    fn certificate_hash_is_sha256_of_der() {
        assert_eq!(
            CertificateHash::of(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
