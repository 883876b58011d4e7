//! The append-only journal: the collector's source of truth for accepted submissions.
//!
//! One entry per accepted submission, framed `u32 length ‖ payload ‖ SHA-256(payload)`
//! (big-endian length), the payload being `u32 length ‖ record layout ‖ u32 length ‖
//! submission layout ‖ u32 length ‖ OCSP answer` (the layout of `ivote_protocol::ocsp`,
//! empty when the certificate's CA is not checked by OCSP). Entries are in leaf order: entry `i` holds the record of leaf `i`.
//!
//! Reading back ([`scan`]): a last entry that stops early (the file ends inside it) or whose
//! checksum fails where the file ends is a *torn write* (a crash during the append, before
//! the `fdatasync` that precedes any receipt): it is cut off. Anything else (a bad checksum
//! followed by more entries, a length above [`MAX_PAYLOAD`], a payload that does not
//! decode, a leaf index out of order) is corruption, reported with its byte offset.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use ivote_protocol::ballot_box::BallotBoxError;
use ivote_protocol::layout::{LayoutError, Reader, Writer};
use ivote_protocol::ocsp::MAX_OCSP_BYTES;
use ivote_protocol::submission::{SubmissionRecord, MAX_SUBMISSION_BYTES};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::replay::ReplayError;
use crate::store::StoreError;

/// The largest record layout (see `protocol::submission`), with room to spare.
const MAX_RECORD: usize = 1024;
/// The largest payload a frame may announce; a larger length is corruption, not a torn tail.
pub const MAX_PAYLOAD: usize = 12 + MAX_RECORD + MAX_SUBMISSION_BYTES + 1 + MAX_OCSP_BYTES;

/// One journal entry: an accepted submission and its log record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The record (its hash is the Merkle leaf).
    pub record: SubmissionRecord,
    /// The submission layout, exactly as received.
    pub submission: Vec<u8>,
    /// The OCSP answer stored with it (`ivote_protocol::ocsp::OcspEvidence::encode`).
    pub ocsp: Vec<u8>,
}

/// Why the journal cannot be used.
#[derive(Debug, Error)]
pub enum JournalError {
    /// A file operation failed.
    #[error("cannot {action} the journal {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The journal file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The journal is damaged somewhere other than a torn last entry.
    #[error(
        "the journal {} is corrupt at byte offset {offset}: {detail}; restore it from a \
         backup or replica, do not edit it",
        path.display()
    )]
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// Where the bad entry starts.
        offset: u64,
        /// What is wrong.
        detail: EntryError,
    },
}

/// What is wrong with one entry: its frame, its payload, or a check the reader of the
/// journal makes of it ([`scan`]'s `each`). Reported as [`JournalError::Corrupt`] at the
/// entry's offset.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The frame announces more than [`MAX_PAYLOAD`] bytes.
    #[error("an entry of {0} bytes (at most {MAX_PAYLOAD})")]
    TooLong(usize),
    /// The frame's SHA-256 is not its payload's.
    #[error("the entry's checksum does not match")]
    Checksum,
    /// The payload does not decode into a record and a submission.
    #[error(transparent)]
    Payload(#[from] LayoutError),
    /// Entry `entry` holds another leaf.
    #[error("entry {entry} holds leaf {leaf}: entries are out of order")]
    OutOfOrder {
        /// The entry's position in the journal.
        entry: u64,
        /// The leaf its record says.
        leaf: u64,
    },
    /// The entry fails the replay ([`crate::replay`]).
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// The store could not index the entry (boxed: a store error holds a journal error).
    #[error(transparent)]
    Index(Box<StoreError>),
    /// `collector export` could not write the entry into the ballot box.
    #[error(transparent)]
    Export(#[from] BallotBoxError),
}

impl From<StoreError> for EntryError {
    fn from(e: StoreError) -> EntryError {
        EntryError::Index(Box::new(e))
    }
}

impl Entry {
    fn payload(&self) -> Vec<u8> {
        Writer::new()
            .bytes(&self.record.to_bytes())
            .bytes(&self.submission)
            .bytes(&self.ocsp)
            .finish()
    }

    fn from_payload(payload: &[u8]) -> Result<Entry, LayoutError> {
        let mut r = Reader::new(payload, "journal entry");
        let record = r.bytes("the record", MAX_RECORD)?;
        let submission = r.bytes("the submission", MAX_SUBMISSION_BYTES)?.to_vec();
        let ocsp = r.bytes("the OCSP answer", MAX_OCSP_BYTES + 1)?.to_vec();
        r.finish()?;
        let record = SubmissionRecord::from_bytes(record)?;
        Ok(Entry {
            record,
            submission,
            ocsp,
        })
    }

    /// The framed bytes of the entry, as appended to the journal.
    pub fn frame(&self) -> Vec<u8> {
        let payload = self.payload();
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(payload.len() + 36);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&Sha256::digest(&payload));
        out
    }
}

/// How a scan ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanEnd {
    /// Number of entries read.
    pub entries: u64,
    /// Bytes of whole, valid entries (where the next append goes).
    pub valid_len: u64,
    /// Bytes of a torn last entry after `valid_len` (0 if none).
    pub torn: u64,
}

/// Reads every entry of a journal of `len` bytes from `input`, calling `each(offset, entry)`
/// in leaf order. `each` may refuse an entry (reported as corruption at that offset). See
/// the module docs for torn tails and corruption.
pub fn scan(
    path: &Path,
    input: impl Read,
    len: u64,
    mut each: impl FnMut(u64, Entry) -> Result<(), EntryError>,
) -> Result<ScanEnd, JournalError> {
    let mut input = BufReader::new(input);
    let corrupt = |offset: u64, detail: EntryError| JournalError::Corrupt {
        path: path.to_owned(),
        offset,
        detail,
    };
    let io = |source| JournalError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let mut pos = 0u64;
    let mut entries = 0u64;
    let torn = |pos: u64, entries: u64| ScanEnd {
        entries,
        valid_len: pos,
        torn: len - pos,
    };
    while pos < len {
        let rest = len - pos;
        let mut header = [0u8; 4];
        if rest < 4 {
            return Ok(torn(pos, entries));
        }
        input.read_exact(&mut header).map_err(io)?;
        let n = u32::from_be_bytes(header) as usize;
        if n > MAX_PAYLOAD {
            return Err(corrupt(pos, EntryError::TooLong(n)));
        }
        let frame_len = 4 + n as u64 + 32;
        if rest < frame_len {
            return Ok(torn(pos, entries));
        }
        let mut payload = vec![0u8; n];
        input.read_exact(&mut payload).map_err(io)?;
        let mut sum = [0u8; 32];
        input.read_exact(&mut sum).map_err(io)?;
        if Sha256::digest(&payload).as_slice() != sum {
            if rest == frame_len {
                return Ok(torn(pos, entries));
            }
            return Err(corrupt(pos, EntryError::Checksum));
        }
        let entry = Entry::from_payload(&payload).map_err(|e| corrupt(pos, e.into()))?;
        if entry.record.leaf_index != entries {
            return Err(corrupt(
                pos,
                EntryError::OutOfOrder {
                    entry: entries,
                    leaf: entry.record.leaf_index,
                },
            ));
        }
        each(pos, entry).map_err(|e| corrupt(pos, e))?;
        entries += 1;
        pos += frame_len;
    }
    Ok(ScanEnd {
        entries,
        valid_len: pos,
        torn: 0,
    })
}

/// Opens the journal at `path`, creating it if it does not exist. A new journal is synced,
/// and so is its folder, before anything is appended: the `fdatasync` after each append
/// makes the entries durable, but only the folder's sync makes the file's name durable, and
/// without it a crash after the first receipts could lose the whole journal.
fn open_or_create(path: &Path) -> io::Result<File> {
    let open = |create_new| {
        OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(create_new)
            .open(path)
    };
    match open(true) {
        Ok(file) => {
            file.sync_all()?;
            ivote_protocol::fs::sync_folder_of(path)?;
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => open(false),
        Err(e) => Err(e),
    }
}

/// The journal file, open for appending and for reading entries back by offset.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    len: u64,
}

impl Journal {
    /// Opens (or creates) the journal and scans it (see [`scan`]); a torn last entry is cut
    /// off (and reported in the returned [`ScanEnd`]).
    pub fn open(
        path: &Path,
        each: impl FnMut(u64, Entry) -> Result<(), EntryError>,
    ) -> Result<(Journal, ScanEnd), JournalError> {
        let io = |action| {
            move |source| JournalError::Io {
                action,
                path: path.to_owned(),
                source,
            }
        };
        let file = open_or_create(path).map_err(io("open or create"))?;
        let len = file.metadata().map_err(io("read the size of"))?.len();
        let end = scan(path, &file, len, each)?;
        if end.torn > 0 {
            file.set_len(end.valid_len).map_err(io("truncate"))?;
            file.sync_data().map_err(io("sync"))?;
        }
        let journal = Journal {
            path: path.to_owned(),
            file,
            len: end.valid_len,
        };
        Ok((journal, end))
    }

    fn io(&self, action: &'static str) -> impl FnOnce(io::Error) -> JournalError + '_ {
        move |source| JournalError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }

    /// Appends framed entries and `fdatasync`s; returns the offset the bytes start at.
    pub fn append_synced(&mut self, frames: &[u8]) -> Result<u64, JournalError> {
        let offset = self.len;
        self.file.write_all(frames).map_err(self.io("append to"))?;
        self.file.sync_data().map_err(self.io("sync"))?;
        self.len += frames.len() as u64;
        Ok(offset)
    }

    /// A handle to read entries back while the journal is being appended to.
    pub fn reader(&self) -> Result<JournalReader, JournalError> {
        Ok(JournalReader {
            path: self.path.clone(),
            file: self.file.try_clone().map_err(self.io("reopen"))?,
        })
    }
}

/// Reads single entries by offset.
#[derive(Debug)]
pub struct JournalReader {
    path: PathBuf,
    file: File,
}

impl JournalReader {
    /// The entry whose frame starts at `offset` (an offset the scan or an append gave).
    pub fn read(&self, offset: u64) -> Result<Entry, JournalError> {
        let corrupt = |detail: EntryError| JournalError::Corrupt {
            path: self.path.clone(),
            offset,
            detail,
        };
        let io = |source| JournalError::Io {
            action: "read",
            path: self.path.clone(),
            source,
        };
        let mut header = [0u8; 4];
        self.file.read_exact_at(&mut header, offset).map_err(io)?;
        let n = u32::from_be_bytes(header) as usize;
        if n > MAX_PAYLOAD {
            return Err(corrupt(EntryError::TooLong(n)));
        }
        let mut frame = vec![0u8; n + 32];
        self.file
            .read_exact_at(&mut frame, offset + 4)
            .map_err(io)?;
        let (payload, sum) = frame.split_at(n);
        if Sha256::digest(payload).as_slice() != sum {
            return Err(corrupt(EntryError::Checksum));
        }
        Entry::from_payload(payload).map_err(|e| corrupt(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use ivote_protocol::hashes::{BallotHash, CertificateHash};

    use super::*;

    fn entry(i: u64) -> Entry {
        Entry {
            record: SubmissionRecord {
                leaf_index: i,
                received_at: 1_800_000_000 + i as i64,
                voter_id: format!("PNOEE-{i}"),
                voter_seq: 1,
                ballot_hash: BallotHash([i as u8; 32]),
                certificate_hash: CertificateHash([2; 32]),
                signature: vec![3; 64],
            },
            submission: vec![i as u8; 100 + i as usize],
            ocsp: if i % 2 == 0 {
                Vec::new()
            } else {
                vec![1, 0x30, i as u8]
            },
        }
    }

    #[test]
    fn a_new_journal_goes_through_the_synced_creation_then_is_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        // Created (create_new: the path that syncs the file and its folder)...
        let (mut journal, end) = Journal::open(&path, |_, _| Ok(())).unwrap();
        assert_eq!(end.entries, 0);
        assert!(path.exists());
        journal.append_synced(&entry(0).frame()).unwrap();
        drop(journal);
        // ...then opened as it is, never created again over it.
        let (_, end) = Journal::open(&path, |_, _| Ok(())).unwrap();
        assert_eq!(end.entries, 1);
        // A journal whose folder is missing is an error naming the step, not a panic.
        let err = Journal::open(&dir.path().join("no").join("journal"), |_, _| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot open or create the journal"), "{err}");
    }

    fn journal(n: u64) -> Vec<u8> {
        (0..n).flat_map(|i| entry(i).frame()).collect()
    }

    fn run(bytes: &[u8]) -> Result<(Vec<Entry>, ScanEnd), JournalError> {
        let mut seen = Vec::new();
        let end = scan(Path::new("j"), bytes, bytes.len() as u64, |_, e| {
            seen.push(e);
            Ok(())
        })?;
        Ok((seen, end))
    }

    #[test]
    fn entries_round_trip() {
        let bytes = journal(3);
        let (seen, end) = run(&bytes).unwrap();
        assert_eq!(seen, (0..3).map(entry).collect::<Vec<_>>());
        assert_eq!((end.entries, end.torn), (3, 0));
        assert_eq!(end.valid_len, bytes.len() as u64);
    }

    #[test]
    fn a_torn_tail_is_cut_at_the_last_whole_entry() {
        let bytes = journal(3);
        let two = journal(2).len();
        for cut in [two + 1, two + 3, two + 10, bytes.len() - 1] {
            let (seen, end) = run(&bytes[..cut]).unwrap();
            assert_eq!(seen.len(), 2);
            assert_eq!(end.valid_len, two as u64);
            assert_eq!(end.torn, (cut - two) as u64);
        }
        // A last entry whose bytes never reached the disk (zeros) is torn too.
        let mut zeroed = bytes.clone();
        zeroed[two + 10..].fill(0);
        let (_, end) = run(&zeroed).unwrap();
        assert_eq!(end.valid_len, two as u64);
    }

    #[test]
    fn damage_before_the_tail_is_corruption_with_its_offset() {
        let bytes = journal(3);
        let one = journal(1).len();
        let mut bad = bytes.clone();
        bad[one + 20] ^= 1;
        let err = run(&bad).unwrap_err();
        assert!(
            matches!(err, JournalError::Corrupt { offset, .. } if offset == one as u64),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("byte offset {one}")));
        let mut huge = bytes.clone();
        huge[one..one + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            run(&huge).unwrap_err(),
            JournalError::Corrupt { .. }
        ));
        // Entries swapped: leaf order is checked.
        let swapped: Vec<u8> = [entry(1).frame(), entry(0).frame()].concat();
        assert!(matches!(
            run(&swapped).unwrap_err(),
            JournalError::Corrupt { offset: 0, .. }
        ));
    }
}
