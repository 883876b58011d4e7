//! The exported ballot box: what the collector hands to the offline tally after closing.
//!
//! One file, [`BALLOT_BOX_FILE`], written in one pass and read in one pass, so that a
//! box of hundreds of thousands of submissions never has to fit in memory:
//!
//! | field | encoding |
//! |---|---|
//! | label `"ivote-v1/ballot-box"` | `bytes` (length-prefixed) |
//! | election context hash | 32 bytes |
//! | the collector's [`FinalHead`] | 176 bytes |
//! | `final_head.head.size` entries, in leaf order: record layout, submission layout, OCSP answer | `bytes`, `bytes`, `bytes` |
//!
//! and then the end of the file. Integers are big-endian; `bytes` is a `u32` length and
//! the bytes. The record and submission layouts are those of [`crate::submission`], the
//! OCSP answer's that of [`crate::ocsp`] (empty when the certificate's CA is not checked by
//! OCSP). The
//! file has one encoding for a given log, so exporting twice gives identical bytes.
//!
//! # Final head
//!
//! When it closes, the collector signs its last tree head once more, under
//! `"ivote-v1/final-head" ‖ context hash ‖ tree head layout (112)`: this says that the log
//! ends there, which an ordinary tree head (one of many during voting) does not. Layout:
//! tree head (112) ‖ signature (64).
//!
//! The reader checks the structure only: the label, the lengths against their bounds, that
//! each record's leaf index is its position, that exactly `size` entries follow and nothing
//! after them. Whether each submission is valid (its ballot hash, certificate, signature,
//! proofs, the voter's roll entry) and whether the records give the signed root is the
//! importer's business, reported per submission.

use std::io::{Read, Write};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use thiserror::Error;

use crate::layout::{LayoutError, Writer};
use crate::ocsp::{OcspEvidence, MAX_OCSP_BYTES};
use crate::package::ContextHash;
use crate::receipt::{ReceiptError, SignedTreeHead, TREE_HEAD_LEN};
use crate::submission::MAX_SIGNATURE_BYTES;
use crate::submission::{Submission, SubmissionRecord, MAX_SUBMISSION_BYTES, MAX_VOTER_ID_LEN};

/// The file's name in an export directory.
pub const BALLOT_BOX_FILE: &str = "ballot-box.bin";
/// The label the file starts with.
pub const BALLOT_BOX_LABEL: &[u8] = b"ivote-v1/ballot-box";
/// Prefixed to the closing signature's message.
pub const FINAL_HEAD_LABEL: &[u8] = b"ivote-v1/final-head";
/// The largest record layout: fixed fields, the longest voter id and signature.
const MAX_RECORD_BYTES: usize =
    8 + 8 + 4 + MAX_VOTER_ID_LEN + 4 + 32 + 32 + 4 + MAX_SIGNATURE_BYTES;

/// Why a ballot box cannot be written or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BallotBoxError {
    /// The bytes are not a ballot box (truncated, a length over its bound, a record out of
    /// place, bytes after the last entry).
    #[error("the ballot box is malformed: {0}")]
    Malformed(String),
    /// The final head is not signed by this election's collector.
    #[error("the ballot box's final tree head is not signed by this election's collector")]
    BadSignature,
    /// The writer was given more or fewer entries than the final head's size.
    #[error("the ballot box must hold {expected} submissions (the final tree head's size), not {actual}")]
    Count {
        /// The final head's size.
        expected: u64,
        /// Entries given.
        actual: u64,
    },
    /// Reading or writing the file failed.
    #[error("reading or writing the ballot box failed: {0}")]
    Io(#[from] std::io::Error),
}

impl BallotBoxError {
    /// The stable code, e.g. `"ballot_box.malformed"`.
    pub fn code(&self) -> &'static str {
        match self {
            BallotBoxError::Malformed(_) => "ballot_box.malformed",
            BallotBoxError::BadSignature => "ballot_box.bad_signature",
            BallotBoxError::Count { .. } => "ballot_box.count",
            BallotBoxError::Io(_) => "ballot_box.io",
        }
    }
}

impl From<LayoutError> for BallotBoxError {
    fn from(e: LayoutError) -> Self {
        BallotBoxError::Malformed(e.to_string())
    }
}

/// The collector's closing statement (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinalHead {
    /// The log's last signed tree head.
    pub head: SignedTreeHead,
    /// The collector's signature that it is the last.
    pub signature: [u8; 64],
}

impl FinalHead {
    /// Length of the layout.
    pub const LEN: usize = TREE_HEAD_LEN + 64;

    fn message(head: &SignedTreeHead, context: &ContextHash) -> Vec<u8> {
        Writer::new()
            .fixed(FINAL_HEAD_LABEL)
            .fixed(&context.0)
            .fixed(&head.to_bytes())
            .finish()
    }

    /// Signs `head` as the last one.
    pub fn sign(head: SignedTreeHead, key: &SigningKey, context: &ContextHash) -> FinalHead {
        let signature = key.sign(&Self::message(&head, context)).to_bytes();
        FinalHead { head, signature }
    }

    /// Checks both signatures: the tree head's and the closing one.
    pub fn verify(&self, key: &VerifyingKey, context: &ContextHash) -> Result<(), BallotBoxError> {
        self.head
            .verify(key, context)
            .map_err(|_| BallotBoxError::BadSignature)?;
        key.verify(
            &Self::message(&self.head, context),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| BallotBoxError::BadSignature)
    }

    /// The layout: tree head ‖ signature.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        let (head, signature) = out.split_at_mut(TREE_HEAD_LEN);
        head.copy_from_slice(&self.head.to_bytes());
        signature.copy_from_slice(&self.signature);
        out
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<FinalHead, BallotBoxError> {
        if bytes.len() != Self::LEN {
            return Err(BallotBoxError::Malformed(format!(
                "a final tree head is {} bytes, not {}",
                Self::LEN,
                bytes.len()
            )));
        }
        let (head, signature) = bytes.split_at(TREE_HEAD_LEN);
        let head = SignedTreeHead::from_bytes(head).map_err(|e| match e {
            ReceiptError::Layout(e) => BallotBoxError::from(e),
            other => BallotBoxError::Malformed(other.to_string()),
        })?;
        let signature = signature
            .try_into()
            .map_err(|_| BallotBoxError::Malformed("bad signature length".into()))?;
        Ok(FinalHead { head, signature })
    }
}

/// Writes a ballot box entry by entry (see the module docs).
#[derive(Debug)]
pub struct BallotBoxWriter<W: Write> {
    out: W,
    expected: u64,
    written: u64,
}

impl<W: Write> BallotBoxWriter<W> {
    /// Writes the header. `final_head.head.size` entries must follow.
    pub fn new(
        mut out: W,
        context: &ContextHash,
        final_head: &FinalHead,
    ) -> Result<Self, BallotBoxError> {
        let header = Writer::new()
            .bytes(BALLOT_BOX_LABEL)
            .fixed(&context.0)
            .fixed(&final_head.to_bytes())
            .finish();
        out.write_all(&header)?;
        Ok(BallotBoxWriter {
            out,
            expected: final_head.head.size,
            written: 0,
        })
    }

    /// Appends the next entry: leaf `written`'s record layout, its submission layout and the
    /// OCSP answer stored with it ([`OcspEvidence::encode`], empty for none).
    pub fn push(
        &mut self,
        record: &[u8],
        submission: &[u8],
        ocsp: &[u8],
    ) -> Result<(), BallotBoxError> {
        if self.written >= self.expected {
            return Err(BallotBoxError::Count {
                expected: self.expected,
                actual: self.written.saturating_add(1),
            });
        }
        let entry = Writer::new()
            .bytes(record)
            .bytes(submission)
            .bytes(ocsp)
            .finish();
        self.out.write_all(&entry)?;
        self.written += 1;
        Ok(())
    }

    /// Checks that every entry was written and flushes; the caller syncs the file.
    pub fn finish(mut self) -> Result<W, BallotBoxError> {
        if self.written != self.expected {
            return Err(BallotBoxError::Count {
                expected: self.expected,
                actual: self.written,
            });
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One submission of the box, decoded (layouts only).
#[derive(Clone, Debug)]
pub struct BoxEntry {
    /// Its leaf index (its position in the box).
    pub index: u64,
    /// The collector's record (the Merkle leaf).
    pub record: SubmissionRecord,
    /// What the voter sent.
    pub submission: Submission,
    /// The OCSP answer the collector stored with it, if its CA is checked by OCSP.
    pub ocsp: Option<OcspEvidence>,
}

/// Reads a ballot box entry by entry; an [`Iterator`] over the entries.
#[derive(Debug)]
pub struct BallotBoxReader<R: Read> {
    input: R,
    context: ContextHash,
    final_head: FinalHead,
    next: u64,
    failed: bool,
}

impl<R: Read> BallotBoxReader<R> {
    /// Reads the header.
    pub fn new(mut input: R) -> Result<Self, BallotBoxError> {
        let label = read_field(&mut input, "the label", BALLOT_BOX_LABEL.len())?;
        if label != BALLOT_BOX_LABEL {
            return Err(BallotBoxError::Malformed(
                "the file does not start with the ballot box label (is it a ballot box?)".into(),
            ));
        }
        let mut context = [0u8; 32];
        read_exact(&mut input, &mut context, "the context hash")?;
        let mut head = [0u8; FinalHead::LEN];
        read_exact(&mut input, &mut head, "the final tree head")?;
        Ok(BallotBoxReader {
            input,
            context: ContextHash(context),
            final_head: FinalHead::from_bytes(&head)?,
            next: 0,
            failed: false,
        })
    }

    /// The election the box claims to be for.
    pub fn context(&self) -> &ContextHash {
        &self.context
    }

    /// The collector's final head (not yet verified: see [`FinalHead::verify`]).
    pub fn final_head(&self) -> &FinalHead {
        &self.final_head
    }

    fn read_entry(&mut self) -> Result<BoxEntry, BallotBoxError> {
        let index = self.next;
        let at = |e: BallotBoxError| match e {
            BallotBoxError::Malformed(m) => {
                BallotBoxError::Malformed(format!("entry {index}: {m}"))
            }
            other => other,
        };
        let record = read_field(&mut self.input, "the record", MAX_RECORD_BYTES).map_err(at)?;
        let record = SubmissionRecord::from_bytes(&record).map_err(|e| at(e.into()))?;
        if record.leaf_index != index {
            return Err(at(BallotBoxError::Malformed(format!(
                "its record says leaf {}",
                record.leaf_index
            ))));
        }
        let submission =
            read_field(&mut self.input, "the submission", MAX_SUBMISSION_BYTES).map_err(at)?;
        let submission = Submission::from_bytes(&submission).map_err(|e| at(e.into()))?;
        let ocsp =
            read_field(&mut self.input, "the OCSP answer", MAX_OCSP_BYTES + 1).map_err(at)?;
        let ocsp = OcspEvidence::decode(&ocsp).map_err(|e| at(e.into()))?;
        Ok(BoxEntry {
            index,
            record,
            submission,
            ocsp,
        })
    }

    fn check_end(&mut self) -> Result<(), BallotBoxError> {
        let mut byte = [0u8; 1];
        match self.input.read(&mut byte)? {
            0 => Ok(()),
            _ => Err(BallotBoxError::Malformed(format!(
                "bytes follow the last of the {} entries the final tree head counts",
                self.final_head.head.size
            ))),
        }
    }
}

impl<R: Read> Iterator for BallotBoxReader<R> {
    type Item = Result<BoxEntry, BallotBoxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = if self.next < self.final_head.head.size {
            self.read_entry().map(Some)
        } else if self.next == self.final_head.head.size {
            self.check_end().map(|()| None)
        } else {
            return None;
        };
        self.next = self.next.saturating_add(1);
        match result {
            Ok(entry) => entry.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

fn read_exact<R: Read>(input: &mut R, buf: &mut [u8], what: &str) -> Result<(), BallotBoxError> {
    input.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            BallotBoxError::Malformed(format!("the file ends inside {what}"))
        }
        _ => BallotBoxError::Io(e),
    })
}

/// A `u32` length (at most `max`) and that many bytes.
fn read_field<R: Read>(input: &mut R, what: &str, max: usize) -> Result<Vec<u8>, BallotBoxError> {
    let mut len = [0u8; 4];
    read_exact(input, &mut len, what)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(BallotBoxError::Malformed(format!(
            "{what} is {len} bytes long; at most {max} are allowed"
        )));
    }
    let mut buf = vec![0u8; len];
    read_exact(input, &mut buf, what)?;
    Ok(buf)
}

#[cfg(test)]
mod tests;
