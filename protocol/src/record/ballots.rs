//! `counted-ballots.bin`: every counted ballot, whole (its proofs need the challenge nonce and
//! the district the layout carries), sorted by ballot hash: an order that says nothing about
//! who voted when.
//!
//! Layout: `lp("ivote-v1/record/counted-ballots") ‖ context (32) ‖ u64 n ‖ n × lp(ballot
//! layout)`, each layout at most [`MAX_BALLOT_BYTES`], ballot hashes strictly increasing
//! (so no ballot is counted twice). At the scale of a national election this file is
//! gigabytes: [`CountedBallotsWriter`] and [`CountedBallotsReader`] stream it.

use std::io::{Read, Write};

use super::{read_header, RecordError, COUNTED_BALLOTS_FILE};
use crate::ballot::{ballot_hash, Ballot};
use crate::hashes::BallotHash;
use crate::layout::{Reader, Writer};
use crate::package::ContextHash;
use crate::submission::MAX_BALLOT_BYTES;

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/counted-ballots";
const F: &str = COUNTED_BALLOTS_FILE;
/// Header: lp(label) ‖ context ‖ u64 count.
const HEADER_LEN: usize = 4 + LABEL.len() + 32 + 8;

fn io(e: std::io::Error) -> RecordError {
    RecordError::Io {
        file: F,
        detail: e.to_string(),
    }
}

/// Writes the file, ballots given in increasing hash order.
#[derive(Debug)]
pub struct CountedBallotsWriter<W: Write> {
    out: W,
    expected: u64,
    written: u64,
    last: Option<BallotHash>,
}

impl<W: Write> CountedBallotsWriter<W> {
    /// Starts a file of `count` ballots.
    pub fn new(mut out: W, context: &ContextHash, count: u64) -> Result<Self, RecordError> {
        let mut w = super::header(LABEL, context);
        w.u64(count);
        out.write_all(&w.finish()).map_err(io)?;
        Ok(CountedBallotsWriter {
            out,
            expected: count,
            written: 0,
            last: None,
        })
    }

    /// Appends a ballot layout; its hash must be above the previous one's.
    pub fn push(&mut self, layout: &[u8]) -> Result<BallotHash, RecordError> {
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
        self.out
            .write_all(&Writer::new().bytes(layout).finish())
            .map_err(io)?;
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

/// Reads the file ballot by ballot (memory stays bounded by one ballot).
#[derive(Debug)]
pub struct CountedBallotsReader<R: Read> {
    input: R,
    context: ContextHash,
    count: u64,
    read: u64,
    last: Option<BallotHash>,
    done: bool,
}

impl<R: Read> CountedBallotsReader<R> {
    /// Reads the header.
    pub fn new(mut input: R) -> Result<Self, RecordError> {
        let mut head = [0u8; HEADER_LEN];
        input.read_exact(&mut head).map_err(io)?;
        let mut r = Reader::new(&head, "counted ballots");
        let context = read_header(&mut r, LABEL, F)?;
        let count = r.u64().map_err(RecordError::layout(F))?;
        Ok(CountedBallotsReader {
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

    fn next_ballot(&mut self) -> Result<(BallotHash, Ballot), RecordError> {
        let mut len = [0u8; 4];
        self.input.read_exact(&mut len).map_err(io)?;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_BALLOT_BYTES {
            return Err(RecordError::malformed(
                F,
                format!("ballot {} is {len} bytes long", self.read),
            ));
        }
        let mut layout = vec![0u8; len];
        self.input.read_exact(&mut layout).map_err(io)?;
        let hash = ballot_hash(&layout);
        if self.last.is_some_and(|last| last >= hash) {
            return Err(RecordError::malformed(
                F,
                format!("ballot {} is out of hash order or repeated", self.read),
            ));
        }
        let ballot = Ballot::from_bytes(&layout)
            .map_err(|e| RecordError::malformed(F, format!("ballot {}: {e}", self.read)))?;
        self.last = Some(hash);
        Ok((hash, ballot))
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

impl<R: Read> Iterator for CountedBallotsReader<R> {
    /// A ballot with its hash.
    type Item = Result<(BallotHash, Ballot), RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = if self.read == self.count {
            self.done = true;
            return self.check_end().err().map(Err);
        } else {
            self.next_ballot()
        };
        self.read += 1;
        self.done = item.is_err();
        Some(item)
    }
}
