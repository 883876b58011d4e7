//! `collector export`: after the box is closed and the server stopped, writes the ballot
//! box for the offline tally: `ballot-box.bin` (protocol::ballot_box: the context, the
//! final head, every log entry's record and submission in leaf order) and
//! `ballot-box.txt` (a summary for people). The log (the journal in `--data`, or the
//! PostgreSQL database of `--store`) is read again and every entry re-checked
//! ([`crate::replay`]); the Merkle tree is rebuilt and must be the final head's.
//! Nothing in the output depends on when or where it is run: exporting twice gives
//! identical bytes.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::ballot_box::{BallotBoxError, BallotBoxWriter, FinalHead, BALLOT_BOX_FILE};
use ivote_protocol::fs::write_atomically;
use ivote_protocol::merkle::MerkleTree;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::package::load_package;
use super::{read, CmdError};
use crate::journal::{scan, Entry, EntryError, JournalError};
use crate::replay::Replay;
use crate::store::{closing_statement, read_log, StoreError, FINAL_HEAD_FILE};

/// The summary file written beside the ballot box.
pub const SUMMARY_FILE: &str = "ballot-box.txt";

/// The arguments of `collector export` (help on [`super::Command::Export`]).
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["officials_key", "context"])))]
#[command(group(clap::ArgGroup::new("storage").required(true).args(["data", "store"])))]
pub struct ExportArgs {
    /// The election package folder the collector served.
    #[arg(long, value_name = "FOLDER")]
    pub package: PathBuf,
    /// The ballot box folder of the (stopped, closed) collector.
    #[arg(long, value_name = "FOLDER")]
    pub data: Option<PathBuf>,
    /// The ballot box in PostgreSQL (the collectors' `serve --store`): its connection URL.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Where to write ballot-box.bin and ballot-box.txt (created if missing; existing files
    /// of these names are replaced).
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
    /// The officials' public key: its file (officials-key.hex) or the key itself, 64 hex
    /// digits, as they published it.
    #[arg(long, value_name = "FILE_OR_HEX")]
    pub officials_key: Option<String>,
    /// The published context hash, 64 hex digits.
    #[arg(long, value_name = "HEX")]
    pub context: Option<String>,
}

/// Why `ballot-box.bin` was not written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The journal is corrupt (`store.corrupt_journal`) or cannot be read (`export.io`).
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The database's log cannot be read or is damaged (`store.*`), or the database cannot
    /// be reached (could not run).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The log is not the one the final head closed (`export.head_mismatch`).
    #[error(
        "the log in {source_name} ({entries} whole entries{torn}) does not match the final head \
         ({size} entries and its root): the ballot box was changed after it was closed; \
         restore it from a backup or replica"
    )]
    HeadMismatch {
        /// The journal file or the database.
        source_name: String,
        /// Its whole entries.
        entries: u64,
        /// What follows them in a journal (", N bytes after them"), or nothing.
        torn: String,
        /// The final head's size.
        size: u64,
    },
    /// The output could not be written (could not run).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The ballot box writer refused (could not run).
    #[error(transparent)]
    Write(#[from] BallotBoxError),
}

impl ExportError {
    /// The stable code of a refusal; `None` when the export could not run.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            ExportError::Journal(JournalError::Corrupt { .. }) => Some("store.corrupt_journal"),
            ExportError::Journal(JournalError::Io { .. }) => Some("export.io"),
            ExportError::HeadMismatch { .. } => Some("export.head_mismatch"),
            ExportError::Store(e) => e.code(),
            ExportError::Io(_) | ExportError::Write(_) => None,
        }
    }

    /// The command's error: a refusal with its code, or could not run writing `path`.
    fn into_cmd(self, path: &Path) -> CmdError {
        match self.code() {
            Some(code) => CmdError::refused(code, self),
            None => CmdError::CouldNotRun(format!("cannot write {}: {self}", path.display())),
        }
    }
}

/// What went into the export, for the summary.
struct Counts {
    entries: u64,
    test_votes: u64,
    voters: usize,
}

/// The log being exported, entry by entry: checked, counted, written, and its tree rebuilt.
struct Exported<'a, W: Write> {
    writer: BallotBoxWriter<W>,
    replay: Replay<'a>,
    tree: MerkleTree,
    counts: Counts,
    starts: i64,
}

impl<W: Write> Exported<'_, W> {
    fn push(&mut self, entry: &Entry) -> Result<(), EntryError> {
        self.replay.check(entry)?;
        self.tree.push(entry.record.leaf_hash());
        if entry.record.received_at < self.starts {
            self.counts.test_votes += 1;
        }
        self.counts.entries += 1;
        self.writer
            .push(&entry.record.to_bytes(), &entry.submission, &entry.ocsp)?;
        Ok(())
    }

    /// Checks the whole log against the final head and ends the file.
    fn finish(
        mut self,
        final_head: &FinalHead,
        source_name: String,
        torn: u64,
    ) -> Result<Counts, ExportError> {
        self.counts.voters = self.replay.voters();
        let root = self.tree.root(self.tree.size());
        if torn > 0
            || self.counts.entries != final_head.head.size
            || root != Some(final_head.head.root)
        {
            return Err(ExportError::HeadMismatch {
                source_name,
                entries: self.counts.entries,
                torn: if torn > 0 {
                    format!(", {torn} bytes after them")
                } else {
                    String::new()
                },
                size: final_head.head.size,
            });
        }
        self.writer.finish()?;
        Ok(self.counts)
    }
}

/// Runs `export`.
pub fn run(a: ExportArgs) -> Result<(), CmdError> {
    let (_, package, _) =
        load_package(&a.package, a.officials_key.as_deref(), a.context.as_deref())?;
    let context = package.context_hash;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CmdError::CouldNotRun(format!("cannot start the runtime: {e}")))?;
    let (closing, place) = match (&a.data, &a.store) {
        (_, Some(url)) => {
            let stored = runtime
                .block_on(closing_statement(url, &context))
                .map_err(|e| ExportError::from(e).into_cmd(Path::new("the database")))?;
            (stored, "the database".to_owned())
        }
        (Some(data), None) => {
            let path = data.join(FINAL_HEAD_FILE);
            let stored = match path.exists() {
                true => Some(read(&path)?),
                false => None,
            };
            (stored, path.display().to_string())
        }
        (None, None) => {
            return Err(CmdError::CouldNotRun(
                "give the ballot box: --data FOLDER or --store URL".into(),
            ))
        }
    };
    let Some(closing) = closing else {
        return Err(CmdError::refused(
            "export.not_closed",
            format!(
                "the ballot box in {place} is not closed (no closing statement): close it \
                 first (`collector close`, or wait for the end of voting), then stop the \
                 collector"
            ),
        ));
    };
    let final_head = FinalHead::from_bytes(&closing)
        .and_then(|f| f.verify(&package.collector_key, &context).map(|()| f))
        .map_err(|e| CmdError::refused(e.code(), format!("{place}: {e}")))?;
    let shapes = BallotShapes::from_manifest(&package.manifest)
        .map_err(|e| CmdError::refused(e.code(), format!("the package's manifest: {e}")))?;
    std::fs::create_dir_all(&a.out).map_err(|e| {
        CmdError::CouldNotRun(format!("cannot create the folder {}: {e}", a.out.display()))
    })?;

    let box_path = a.out.join(BALLOT_BOX_FILE);
    let starts = package.manifest.voting_starts().as_second();
    let mut counts = None;
    write_atomically(&box_path, |out| {
        let mut exported = Exported {
            writer: BallotBoxWriter::new(&mut *out, &context, &final_head)?,
            replay: Replay::new(&context, &shapes),
            tree: MerkleTree::new(),
            counts: Counts {
                entries: 0,
                test_votes: 0,
                voters: 0,
            },
            starts,
        };
        let (source_name, torn) = match (&a.data, &a.store) {
            (_, Some(url)) => {
                let mut leaf = 0;
                runtime.block_on(read_log(url, |entry| {
                    exported.push(&entry).map_err(|e| {
                        let detail = e.to_string();
                        StoreError::BadRow { leaf, detail }
                    })?;
                    leaf += 1;
                    Ok::<(), StoreError>(())
                }))?;
                ("the database".to_owned(), 0)
            }
            (Some(data), None) => {
                let journal_path = data.join("journal");
                let journal = File::open(&journal_path)?;
                let len = journal.metadata()?.len();
                let end = scan(&journal_path, journal, len, |_, entry| {
                    exported.push(&entry)
                })?;
                (journal_path.display().to_string(), end.torn)
            }
            (None, None) => return Err(io::Error::other("no ballot box was given").into()),
        };
        counts = Some(exported.finish(&final_head, source_name, torn)?);
        Ok(())
    })
    .map_err(|e: ExportError| e.into_cmd(&box_path))?;
    let counts = counts.ok_or_else(|| CmdError::CouldNotRun("the export did not run".into()))?;
    let bin = read(&box_path)?;
    let summary = summary(&context.to_hex(), &final_head, &counts, &bin);
    write_atomically(&a.out.join(SUMMARY_FILE), |w| {
        w.write_all(summary.as_bytes())
    })
    .map_err(|e| CmdError::CouldNotRun(format!("cannot write {}: {e}", a.out.display())))?;
    print!("{summary}");
    println!("written: {}", path_list(&a.out));
    Ok(())
}

fn path_list(out: &Path) -> String {
    format!(
        "{}, {}",
        out.join(BALLOT_BOX_FILE).display(),
        out.join(SUMMARY_FILE).display()
    )
}

/// The human-readable summary (deterministic: no dates, no paths).
fn summary(context: &str, f: &FinalHead, c: &Counts, bin: &[u8]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "ivote ballot box");
    let _ = writeln!(s, "election context:     {context}");
    let _ = writeln!(
        s,
        "final head:           {} entries, root {}, closed at {} (Unix time)",
        f.head.size,
        hex::encode(f.head.root),
        f.head.timestamp
    );
    let _ = writeln!(s, "submissions:          {}", c.entries);
    let _ = writeln!(s, "voters:               {}", c.voters);
    let _ = writeln!(
        s,
        "test votes:           {} (received before voting started; the tally drops them)",
        c.test_votes
    );
    let _ = writeln!(
        s,
        "{BALLOT_BOX_FILE} SHA-256: {}",
        hex::encode(Sha256::digest(bin))
    );
    s
}
