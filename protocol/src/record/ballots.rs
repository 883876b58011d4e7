//! `ballots.bin`: the ballot of **every** leaf of the closed log, whole (its proofs need the
//! challenge nonce and the district the layout carries), sorted by ballot hash (an order that
//! says nothing about who voted when), each with its selected ballot: so the record shows
//! every logged ballot whether or not it counted, and nobody can tell which did
//! (`docs/coercion.md`).
//!
//! Layout: `lp("ivote-v1/record/ballots") ‖ context (32) ‖ u64 n ‖ n × entry`, ballot hashes
//! strictly increasing (so no ballot twice), an entry being `lp(ballot layout) ‖ u8 tag ‖ …`:
//!
//! - tag `0x01`, a valid ballot: `flag F (64) ‖ selection proof` ([`SELECTION_PROOF_LEN`]) `‖
//!   u32 m ‖ m × selected ciphertext (64)`, `m` the ballot's number of selection ciphertexts
//!   (docs/crypto-spec.md, the selection proof: the selected ciphertexts re-encrypt the
//!   ballot's and `F` encrypts 1, or they encrypt zeros and `F` encrypts 0);
//! - tag `0x00`, a ballot that is not valid for the election (it does not decode for it, or
//!   a validity proof fails): nothing follows; anyone can see it is invalid.
//!
//! Each layout is at most [`MAX_BALLOT_BYTES`]. At the scale of a national election this file
//! is gigabytes: [`BallotsWriter`] and [`BallotsReader`] stream it.

use std::io::{Read, Write};

use ivote_crypto::elgamal::CIPHERTEXT_LEN;
use ivote_crypto::proofs::selection::{SelectionProof, SELECTION_PROOF_LEN};
use ivote_crypto::Ciphertext;

use super::{read_header, RecordError, BALLOTS_FILE};
use crate::ballot::{ballot_hash, Ballot};
use crate::hashes::BallotHash;
use crate::layout::{Reader, Writer};
use crate::package::ContextHash;
use crate::submission::MAX_BALLOT_BYTES;

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/ballots";
const F: &str = BALLOTS_FILE;
/// Header: lp(label) ‖ context ‖ u64 count.
const HEADER_LEN: usize = 4 + LABEL.len() + 32 + 8;
/// The most selected ciphertexts an entry may carry (no ballot layout holds more).
pub const MAX_SELECTED: usize = MAX_BALLOT_BYTES / CIPHERTEXT_LEN;

const TAG_INVALID: u8 = 0x00;
const TAG_SELECTED: u8 = 0x01;

fn io(e: std::io::Error) -> RecordError {
    RecordError::Io {
        file: F,
        detail: e.to_string(),
    }
}

/// A valid ballot's selected ballot: its ciphertexts re-encrypted or replaced by zeros, the
/// encrypted flag saying which, and the proof that it is one of the two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedBallot {
    /// `F`: an encryption of 1 (counted) or 0.
    pub flag: Ciphertext,
    /// The selection proof over the ballot's ciphertexts, [`Self::selected`] and [`Self::flag`].
    pub proof: SelectionProof,
    /// `C_1..C_m`, in the order of the ballot's selection ciphertexts.
    pub selected: Vec<Ciphertext>,
}

impl SelectedBallot {
    fn write(&self, w: &mut Writer) {
        w.fixed(&[TAG_SELECTED])
            .fixed(&self.flag.to_bytes())
            .fixed(&self.proof.to_bytes())
            .u32(u32::try_from(self.selected.len()).unwrap_or(u32::MAX));
        for c in &self.selected {
            w.fixed(&c.to_bytes());
        }
    }
}

/// One entry of the file.
#[derive(Clone, Debug)]
pub struct PublishedBallot {
    /// The ballot hash.
    pub hash: BallotHash,
    /// The ballot, as logged.
    pub ballot: Ballot,
    /// Its selected ballot; `None` for a ballot that is not valid for the election.
    pub selection: Option<SelectedBallot>,
}

/// Writes the file, ballots given in increasing hash order.
#[derive(Debug)]
pub struct BallotsWriter<W: Write> {
    out: W,
    expected: u64,
    written: u64,
    last: Option<BallotHash>,
}

impl<W: Write> BallotsWriter<W> {
    /// Starts a file of `count` ballots.
    pub fn new(mut out: W, context: &ContextHash, count: u64) -> Result<Self, RecordError> {
        let mut w = super::header(LABEL, context);
        w.u64(count);
        out.write_all(&w.finish()).map_err(io)?;
        Ok(BallotsWriter {
            out,
            expected: count,
            written: 0,
            last: None,
        })
    }

    /// Appends a ballot layout with its selected ballot (`None`: an invalid ballot); its
    /// hash must be above the previous one's.
    pub fn push(
        &mut self,
        layout: &[u8],
        selection: Option<&SelectedBallot>,
    ) -> Result<BallotHash, RecordError> {
        let hash = ballot_hash(layout);
        if self.last.is_some_and(|last| last >= hash) {
            return Err(RecordError::malformed(
                F,
                format!("ballot {} is out of hash order or repeated", hash.to_hex()),
            ));
        }
        if self.written >= self.expected || layout.len() > MAX_BALLOT_BYTES {
            return Err(RecordError::malformed(
                F,
                "more ballots than announced, or one too large",
            ));
        }
        if selection.is_some_and(|s| s.selected.is_empty() || s.selected.len() > MAX_SELECTED) {
            return Err(RecordError::malformed(
                F,
                format!(
                    "ballot {}: a selected ballot of no or too many ciphertexts",
                    hash.to_hex()
                ),
            ));
        }
        let mut w = Writer::new();
        w.bytes(layout);
        match selection {
            Some(s) => s.write(&mut w),
            None => {
                w.fixed(&[TAG_INVALID]);
            }
        }
        self.out.write_all(&w.finish()).map_err(io)?;
        self.written += 1;
        self.last = Some(hash);
        Ok(hash)
    }

    /// Ends the file (every announced ballot must have been written); returns the output.
    pub fn finish(self) -> Result<W, RecordError> {
        if self.written != self.expected {
            return Err(RecordError::malformed(
                F,
                format!(
                    "{} ballots written, {} announced",
                    self.written, self.expected
                ),
            ));
        }
        Ok(self.out)
    }
}

/// Reads the file entry by entry (memory stays bounded by one entry).
#[derive(Debug)]
pub struct BallotsReader<R: Read> {
    input: R,
    context: ContextHash,
    count: u64,
    read: u64,
    last: Option<BallotHash>,
    done: bool,
}

impl<R: Read> BallotsReader<R> {
    /// Reads the header.
    pub fn new(mut input: R) -> Result<Self, RecordError> {
        let mut head = [0u8; HEADER_LEN];
        input.read_exact(&mut head).map_err(io)?;
        let mut r = Reader::new(&head, "ballots");
        let context = read_header(&mut r, LABEL, F)?;
        let count = r.u64().map_err(RecordError::layout(F))?;
        Ok(BallotsReader {
            input,
            context,
            count,
            read: 0,
            last: None,
            done: false,
        })
    }

    /// The election's context hash, from the header.
    pub fn context(&self) -> &ContextHash {
        &self.context
    }

    /// The number of ballots the header announces.
    pub fn announced(&self) -> u64 {
        self.count
    }

    fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, RecordError> {
        let mut buf = vec![0u8; n];
        self.input.read_exact(&mut buf).map_err(io)?;
        Ok(buf)
    }

    fn read_u32(&mut self) -> Result<usize, RecordError> {
        let mut b = [0u8; 4];
        self.input.read_exact(&mut b).map_err(io)?;
        Ok(u32::from_be_bytes(b) as usize)
    }

    fn next_entry(&mut self) -> Result<PublishedBallot, RecordError> {
        let i = self.read;
        let len = self.read_u32()?;
        if len > MAX_BALLOT_BYTES {
            return Err(RecordError::malformed(
                F,
                format!("ballot {i} is {len} bytes long"),
            ));
        }
        let layout = self.read_exact(len)?;
        let hash = ballot_hash(&layout);
        if self.last.is_some_and(|last| last >= hash) {
            return Err(RecordError::malformed(
                F,
                format!("ballot {i} is out of hash order or repeated"),
            ));
        }
        let ballot = Ballot::from_bytes(&layout)
            .map_err(|e| RecordError::malformed(F, format!("ballot {i}: {e}")))?;
        let tag = self.read_exact(1)?[0];
        let selection = match tag {
            TAG_INVALID => None,
            TAG_SELECTED => Some(self.selected(i, &hash)?),
            t => {
                return Err(RecordError::malformed(
                    F,
                    format!("ballot {i} has the tag {t}, neither 0 (invalid) nor 1 (selected)"),
                ))
            }
        };
        self.last = Some(hash);
        Ok(PublishedBallot {
            hash,
            ballot,
            selection,
        })
    }

    fn selected(&mut self, i: u64, hash: &BallotHash) -> Result<SelectedBallot, RecordError> {
        let bad = |what: String| {
            RecordError::malformed(F, format!("ballot {i} ({}): {what}", hash.to_hex()))
        };
        let flag = Ciphertext::from_bytes(&self.read_exact(CIPHERTEXT_LEN)?)
            .map_err(|e| bad(format!("its flag: {e}")))?;
        let proof = SelectionProof::from_bytes(&self.read_exact(SELECTION_PROOF_LEN)?)
            .map_err(|e| bad(format!("its selection proof: {e}")))?;
        let m = self.read_u32()?;
        if m == 0 || m > MAX_SELECTED {
            return Err(bad(format!("{m} selected ciphertexts")));
        }
        let bytes = self.read_exact(m * CIPHERTEXT_LEN)?;
        let selected = bytes
            .chunks_exact(CIPHERTEXT_LEN)
            .map(Ciphertext::from_bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("a selected ciphertext: {e}")))?;
        Ok(SelectedBallot {
            flag,
            proof,
            selected,
        })
    }

    fn check_end(&mut self) -> Result<(), RecordError> {
        let mut extra = [0u8; 1];
        match self.input.read(&mut extra).map_err(io)? {
            0 => Ok(()),
            _ => Err(RecordError::malformed(
                F,
                "trailing bytes after the last ballot",
            )),
        }
    }
}

impl<R: Read> Iterator for BallotsReader<R> {
    /// A ballot with its hash and selected ballot.
    type Item = Result<PublishedBallot, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = if self.read == self.count {
            self.done = true;
            return self.check_end().err().map(Err);
        } else {
            self.next_entry()
        };
        self.read += 1;
        self.done = item.is_err();
        Some(item)
    }
}
