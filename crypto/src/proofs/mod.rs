//! Zero-knowledge proofs, each with a typed statement, a fixed byte layout and a transcript
//! that absorbs the whole statement (see `docs/crypto-spec.md`).
//!
//! | proof | statement | used for |
//! |---|---|---|
//! | [`schnorr`] | knowledge of `log_G K` | key-ceremony polynomial commitments |
//! | [`dleq`] | `log_G X = log_A D` (Chaum–Pedersen) | decryption shares |
//! | [`cds_range`] | an ElGamal ciphertext encrypts a value in `[lo, hi]` (disjunctive Chaum–Pedersen) | small ranges: 0/1 selections, small sums |
//! | [`link`] | an ElGamal ciphertext and a Pedersen commitment hold the same value | bridge to Bulletproofs |
//! | [`bp_range`] | committed values lie in their ranges (aggregated Bulletproofs) | large ranges: score and cumulative contests |
//! | [`selection`] | a ballot's selected ballot re-encrypts it with a flag of 1, or encrypts zeros with a flag of 0 (CDS OR of two batched DLEQs) | the tally's counted/not-counted selection, which nobody can tell apart |

pub mod batch;
pub mod bp_range;
pub mod cds_range;
pub mod dleq;
pub mod link;
pub mod schnorr;
pub mod selection;

use merlin::Transcript;

use crate::elgamal::{Ciphertext, PublicKey};
use crate::transcript::{ContestPosition, TranscriptProtocol};

/// Which ciphertext of a contest a range statement speaks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeSubject {
    /// The selection with this index (candidate order of the manifest, from 0).
    Selection(u32),
    /// The homomorphic sum of all the contest's selections.
    Sum,
}

impl RangeSubject {
    /// The subject as absorbed: selection `i` is `i`, the sum is `u64::MAX` (never an index,
    /// since indices are `u32`).
    pub fn code(&self) -> u64 {
        match self {
            RangeSubject::Selection(i) => u64::from(*i),
            RangeSubject::Sum => u64::MAX,
        }
    }
}

/// "`ciphertext` encrypts, under `public_key`, a value in `[lo, hi]`" at one place of one
/// ballot. Both range-proof kinds (CDS and Bulletproofs) prove statements of this type.
#[derive(Clone, Copy, Debug)]
pub struct RangeStatement<'a> {
    /// The election key `Y`.
    pub public_key: &'a PublicKey,
    /// Submission nonce, district and contest.
    pub position: &'a ContestPosition,
    /// Which selection, or the sum.
    pub subject: RangeSubject,
    /// Smallest allowed value.
    pub lo: u64,
    /// Largest allowed value.
    pub hi: u64,
    /// The ciphertext.
    pub ciphertext: Ciphertext,
}

impl RangeStatement<'_> {
    /// Absorbs the whole statement, in this order: `pk`, the position (`nonce`, `district`,
    /// `contest`), `subject`, `lo`, `hi`, `alpha`, `beta`.
    pub fn append_to(&self, t: &mut Transcript) {
        t.append_bytes(b"pk", self.public_key.as_bytes());
        self.position.append_to(t);
        t.append_int(b"subject", self.subject.code());
        t.append_int(b"lo", self.lo);
        t.append_int(b"hi", self.hi);
        t.append_ciphertext(&self.ciphertext);
    }
}
