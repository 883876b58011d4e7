//! Signed tree heads and receipts: the collector's signed promises, checked by the voter app.
//!
//! # Signed tree head
//!
//! The collector signs, with its Ed25519 key (whose public half is in the election
//! package), `"ivote-v1/tree-head" ‖ context hash ‖ size (u64) ‖ root (32) ‖ timestamp (i64,
//! Unix seconds)`. Layout of a [`SignedTreeHead`]: `size ‖ root ‖ timestamp ‖ signature (64)`,
//! 112 bytes.
//!
//! # Receipt
//!
//! The collector signs `"ivote-v1/receipt" ‖ context hash ‖ ballot hash ‖ voter sequence
//! number (u32) ‖ leaf index (u64) ‖ receive time (i64) ‖ record hash ‖ tree head layout
//! (112)`. Layout of a [`Receipt`]: `ballot hash (32) ‖ voter seq (u32) ‖ leaf index (u64) ‖
//! receive time (i64) ‖ record hash (32) ‖ tree head (112) ‖ number of inclusion-proof
//! hashes (u32, ≤ 64) ‖ the hashes (32 each) ‖ signature (64)`. All integers are big-endian.
//!
//! The inclusion proof shows that the record is leaf `leaf index` of the tree the head
//! signs; a voter who keeps the receipt can later prove that the collector logged the
//! ballot, and a consistency proof from the head to any later one shows it was not dropped.
//! The record hash is not taken on trust: the voter app rebuilds the record from what it
//! sent and the receipt's leaf index, receive time and sequence number
//! ([`Receipt::verify_record`]), so the collector is held to the time and number it signed.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use thiserror::Error;

use crate::hashes::{BallotHash, CertificateHash, RecordHash};
use crate::layout::{LayoutError, Reader, Writer};
use crate::merkle::{leaf_hash, verify_inclusion, NodeHash};
use crate::package::ContextHash;
use crate::submission::{Submission, SubmissionRecord};

/// Prefixed to the signed tree-head message.
pub const TREE_HEAD_LABEL: &[u8] = b"ivote-v1/tree-head";
/// Prefixed to the signed receipt message.
pub const RECEIPT_LABEL: &[u8] = b"ivote-v1/receipt";
/// Length of a signed tree head's layout.
pub const TREE_HEAD_LEN: usize = 8 + 32 + 8 + 64;
/// The longest inclusion proof (a tree of up to 2^64 leaves).
pub const MAX_PROOF_LEN: usize = 64;

/// Why a receipt or tree head is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The bytes are not a receipt or tree head layout.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// The tree head's signature is not the collector's.
    #[error("the tree head is not signed by this election's collector")]
    BadTreeHeadSignature,
    /// The receipt's signature is not the collector's.
    #[error("the receipt is not signed by this election's collector")]
    BadSignature,
    /// The inclusion proof does not put the record into the signed tree.
    #[error("the receipt's inclusion proof does not show the record in the signed tree head")]
    NotIncluded,
    /// The record hash is not the hash of the record of what the voter sent, at the
    /// receipt's leaf index, receive time and sequence number.
    #[error("the receipt's record hash is not the record of the submission that was sent, received at {received_at} as vote number {voter_seq}")]
    RecordMismatch {
        /// The receipt's receive time.
        received_at: i64,
        /// The receipt's sequence number.
        voter_seq: u32,
    },
    /// The receipt is for another ballot than the voter's.
    #[error("the receipt is for ballot {found}, not for the ballot that was sent ({expected})")]
    OtherBallot {
        /// The voter's ballot hash, hex.
        expected: String,
        /// The receipt's, hex.
        found: String,
    },
}

impl ReceiptError {
    /// The stable code, e.g. `"receipt.bad_signature"`.
    pub fn code(&self) -> &'static str {
        match self {
            ReceiptError::Layout(_) => "receipt.malformed",
            ReceiptError::BadTreeHeadSignature => "receipt.bad_tree_head_signature",
            ReceiptError::BadSignature => "receipt.bad_signature",
            ReceiptError::NotIncluded => "receipt.not_included",
            ReceiptError::OtherBallot { .. } => "receipt.other_ballot",
            ReceiptError::RecordMismatch { .. } => "receipt.record_mismatch",
        }
    }
}

/// The collector's signed statement of its log's size and root at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedTreeHead {
    /// Number of leaves.
    pub size: u64,
    /// Root hash of those leaves.
    pub root: NodeHash,
    /// When it was signed (Unix seconds).
    pub timestamp: i64,
    /// Ed25519 signature over [`SignedTreeHead::message`].
    pub signature: [u8; 64],
}

impl SignedTreeHead {
    fn message(context: &ContextHash, size: u64, root: &NodeHash, timestamp: i64) -> Vec<u8> {
        Writer::new()
            .fixed(TREE_HEAD_LABEL)
            .fixed(&context.0)
            .u64(size)
            .fixed(root)
            .i64(timestamp)
            .finish()
    }

    /// Signs a tree head.
    pub fn sign(
        key: &SigningKey,
        context: &ContextHash,
        size: u64,
        root: NodeHash,
        timestamp: i64,
    ) -> Self {
        let signature = key
            .sign(&Self::message(context, size, &root, timestamp))
            .to_bytes();
        SignedTreeHead {
            size,
            root,
            timestamp,
            signature,
        }
    }

    /// Checks the collector's signature.
    pub fn verify(&self, key: &VerifyingKey, context: &ContextHash) -> Result<(), ReceiptError> {
        key.verify(
            &Self::message(context, self.size, &self.root, self.timestamp),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| ReceiptError::BadTreeHeadSignature)
    }

    fn write(&self, w: &mut Writer) {
        w.u64(self.size)
            .fixed(&self.root)
            .i64(self.timestamp)
            .fixed(&self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, LayoutError> {
        Ok(SignedTreeHead {
            size: r.u64()?,
            root: r.array()?,
            timestamp: r.i64()?,
            signature: r.array()?,
        })
    }

    /// The layout (112 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let mut r = Reader::new(bytes, "signed tree head");
        let head = Self::read(&mut r)?;
        r.finish()?;
        Ok(head)
    }
}

/// What the voter gets back for an accepted submission (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// What the collector signed.
    pub content: ReceiptContent,
    /// The collector's signature.
    pub signature: [u8; 64],
}

/// A receipt's fields, which the collector signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptContent {
    /// The accepted ballot's hash.
    pub ballot_hash: BallotHash,
    /// 1 for the voter's first accepted ballot, 2 for the first revote, ...
    pub voter_seq: u32,
    /// The record's leaf index in the log.
    pub leaf_index: u64,
    /// When the collector received the submission (Unix seconds): the record's.
    pub received_at: i64,
    /// The record's hash (the Merkle leaf).
    pub record_hash: RecordHash,
    /// A tree head that includes the record.
    pub tree_head: SignedTreeHead,
    /// The record's inclusion proof in that tree.
    pub inclusion: Vec<NodeHash>,
}

impl ReceiptContent {
    fn message(&self, context: &ContextHash) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(RECEIPT_LABEL)
            .fixed(&context.0)
            .fixed(&self.ballot_hash.0)
            .u32(self.voter_seq)
            .u64(self.leaf_index)
            .i64(self.received_at)
            .fixed(&self.record_hash.0);
        self.tree_head.write(&mut w);
        w.finish()
    }

    /// Signs the receipt with the collector's key.
    pub fn sign(self, key: &SigningKey, context: &ContextHash) -> Receipt {
        let signature = key.sign(&self.message(context)).to_bytes();
        Receipt {
            content: self,
            signature,
        }
    }
}

impl Receipt {
    /// What the voter app checks: the receipt is for `ballot_hash`, both signatures are the
    /// collector's, and the record is in the signed tree.
    pub fn verify(
        &self,
        collector: &VerifyingKey,
        context: &ContextHash,
        ballot_hash: &BallotHash,
    ) -> Result<(), ReceiptError> {
        if self.content.ballot_hash != *ballot_hash {
            return Err(ReceiptError::OtherBallot {
                expected: ballot_hash.to_hex(),
                found: self.content.ballot_hash.to_hex(),
            });
        }
        self.content.tree_head.verify(collector, context)?;
        collector
            .verify(
                &self.content.message(context),
                &Signature::from_bytes(&self.signature),
            )
            .map_err(|_| ReceiptError::BadSignature)?;
        if !verify_inclusion(
            &leaf_hash(&self.content.record_hash.0),
            self.content.leaf_index,
            self.content.tree_head.size,
            &self.content.inclusion,
            &self.content.tree_head.root,
        ) {
            return Err(ReceiptError::NotIncluded);
        }
        Ok(())
    }

    /// The record the collector logged for `submission`, sent by the holder of the
    /// certificate with voter id `voter_id`, if this receipt is true: its leaf index,
    /// receive time and sequence number with what was sent.
    pub fn record_of(&self, submission: &Submission, voter_id: &str) -> SubmissionRecord {
        SubmissionRecord {
            leaf_index: self.content.leaf_index,
            received_at: self.content.received_at,
            voter_id: voter_id.to_owned(),
            voter_seq: self.content.voter_seq,
            ballot_hash: crate::ballot::ballot_hash(&submission.ballot),
            certificate_hash: CertificateHash::of(&submission.certificate),
            signature: submission.signature.clone(),
        }
    }

    /// The voter app's check of the record hash: it is the hash of [`Receipt::record_of`]
    /// (`receipt.record_mismatch`). Run after [`Receipt::verify`].
    pub fn verify_record(
        &self,
        submission: &Submission,
        voter_id: &str,
    ) -> Result<(), ReceiptError> {
        if self.record_of(submission, voter_id).hash() == self.content.record_hash {
            Ok(())
        } else {
            Err(ReceiptError::RecordMismatch {
                received_at: self.content.received_at,
                voter_seq: self.content.voter_seq,
            })
        }
    }

    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(&self.content.ballot_hash.0)
            .u32(self.content.voter_seq)
            .u64(self.content.leaf_index)
            .i64(self.content.received_at)
            .fixed(&self.content.record_hash.0);
        self.content.tree_head.write(&mut w);
        w.u32(u32::try_from(self.content.inclusion.len()).unwrap_or(u32::MAX));
        for h in &self.content.inclusion {
            w.fixed(h);
        }
        w.fixed(&self.signature).finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let mut r = Reader::new(bytes, "receipt");
        let ballot_hash = BallotHash(r.array()?);
        let voter_seq = r.u32()?;
        let leaf_index = r.u64()?;
        let received_at = r.i64()?;
        let record_hash = RecordHash(r.array()?);
        let tree_head = SignedTreeHead::read(&mut r)?;
        let n = r.u32()? as usize;
        if n > MAX_PROOF_LEN {
            return Err(r
                .error(format!("{n} proof hashes; at most {MAX_PROOF_LEN}"))
                .into());
        }
        let inclusion = (0..n).map(|_| r.array()).collect::<Result<Vec<_>, _>>()?;
        let signature = r.array()?;
        r.finish()?;
        Ok(Receipt {
            content: ReceiptContent {
                ballot_hash,
                voter_seq,
                leaf_index,
                received_at,
                record_hash,
                tree_head,
                inclusion,
            },
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::MerkleTree;

    const CTX: ContextHash = ContextHash([9; 32]);

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[4; 32])
    }

    fn receipt() -> Receipt {
        let mut tree = MerkleTree::new();
        for i in 0..5u8 {
            tree.push(leaf_hash(&[i; 32]));
        }
        let head = SignedTreeHead::sign(&key(), &CTX, 5, tree.root(5).unwrap(), 1_800_000_000);
        ReceiptContent {
            ballot_hash: BallotHash([7; 32]),
            voter_seq: 2,
            leaf_index: 3,
            received_at: 1_799_999_990,
            record_hash: RecordHash([3; 32]),
            tree_head: head,
            inclusion: tree.inclusion_proof(3, 5).unwrap(),
        }
        .sign(&key(), &CTX)
    }

    #[test]
    fn valid_receipt_round_trips_and_verifies() {
        let r = receipt();
        let pk = key().verifying_key();
        r.verify(&pk, &CTX, &BallotHash([7; 32])).unwrap();
        let bytes = r.to_bytes();
        assert_eq!(Receipt::from_bytes(&bytes).unwrap(), r);
        let mut long = bytes.clone();
        long.push(1);
        assert_eq!(
            Receipt::from_bytes(&long).unwrap_err().code(),
            "receipt.malformed"
        );
        let head = r.content.tree_head.to_bytes();
        assert_eq!(head.len(), TREE_HEAD_LEN);
        assert_eq!(
            SignedTreeHead::from_bytes(&head).unwrap(),
            r.content.tree_head
        );
    }

    #[test]
    fn every_forgery_is_refused() {
        let pk = key().verifying_key();
        let ok = BallotHash([7; 32]);
        let code = |r: &Receipt| r.verify(&pk, &CTX, &ok).unwrap_err().code();
        assert_eq!(
            receipt()
                .verify(&pk, &CTX, &BallotHash([8; 32]))
                .unwrap_err()
                .code(),
            "receipt.other_ballot"
        );
        assert_eq!(
            receipt()
                .verify(&pk, &ContextHash([1; 32]), &ok)
                .unwrap_err()
                .code(),
            "receipt.bad_tree_head_signature"
        );
        let other = SigningKey::from_bytes(&[5; 32]).verifying_key();
        assert!(receipt().verify(&other, &CTX, &ok).is_err());
        let mut r = receipt();
        r.content.voter_seq = 1;
        assert_eq!(code(&r), "receipt.bad_signature");
        let mut r = receipt();
        r.content.received_at += 1;
        assert_eq!(code(&r), "receipt.bad_signature");
        let mut r = receipt();
        r.content.tree_head.size = 6;
        assert_eq!(code(&r), "receipt.bad_tree_head_signature");
        // Re-signed by the collector but with a record that is not in the tree.
        let mut c = receipt().content;
        c.record_hash = RecordHash([4; 32]);
        assert_eq!(code(&c.sign(&key(), &CTX)), "receipt.not_included");
        let mut c = receipt().content;
        c.leaf_index = 2;
        assert_eq!(code(&c.sign(&key(), &CTX)), "receipt.not_included");
        // Every single-bit change of the layout is refused.
        let bytes = receipt().to_bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 1;
            let res = Receipt::from_bytes(&b).and_then(|r| r.verify(&pk, &CTX, &ok));
            assert!(res.is_err(), "byte {i}");
        }
    }

    #[test]
    fn the_record_hash_is_recomputed_from_what_was_sent() {
        use crate::challenge::{Purpose, SignedChallenge};
        let sent = Submission {
            challenge: SignedChallenge::sign(&key(), CTX, [1; 32], 10, 20, Purpose::Vote),
            ballot: vec![1; 40],
            certificate: vec![2; 30],
            signature: vec![3; 64],
        };
        let honest = |received_at: i64, voter_seq: u32| {
            let record = SubmissionRecord {
                leaf_index: 0,
                received_at,
                voter_id: "PNOEE-1".into(),
                voter_seq,
                ballot_hash: crate::ballot::ballot_hash(&sent.ballot),
                certificate_hash: CertificateHash::of(&sent.certificate),
                signature: sent.signature.clone(),
            };
            let head =
                SignedTreeHead::sign(&key(), &CTX, 1, leaf_hash(&record.hash().0), received_at);
            ReceiptContent {
                ballot_hash: record.ballot_hash,
                voter_seq,
                leaf_index: 0,
                received_at,
                record_hash: record.hash(),
                tree_head: head,
                inclusion: Vec::new(),
            }
        };
        let pk = key().verifying_key();
        let r = honest(15, 2).sign(&key(), &CTX);
        r.verify(&pk, &CTX, &r.content.ballot_hash).unwrap();
        r.verify_record(&sent, "PNOEE-1").unwrap();
        assert_eq!(r.record_of(&sent, "PNOEE-1").hash(), r.content.record_hash);
        // The collector logged another time or number than it tells the voter: both
        // signatures and the inclusion proof are fine, the record is not.
        for (time, seq) in [(16, 2), (15, 1)] {
            let mut c = honest(15, 2);
            (c.received_at, c.voter_seq) = (time, seq);
            let lie = c.sign(&key(), &CTX);
            lie.verify(&pk, &CTX, &lie.content.ballot_hash).unwrap();
            assert_eq!(
                lie.verify_record(&sent, "PNOEE-1").unwrap_err().code(),
                "receipt.record_mismatch"
            );
        }
        // Another voter id or another submission than the one sent.
        assert!(r.verify_record(&sent, "PNOEE-2").is_err());
        let other = Submission {
            signature: vec![4; 64],
            ..sent.clone()
        };
        assert!(r.verify_record(&other, "PNOEE-1").is_err());
    }
}
