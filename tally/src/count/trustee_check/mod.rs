//! What a trustee checks before decrypting anything (`tally decrypt-share`): that the count
//! folder is the count of the collector's closed log for the election of the trustee's own
//! key ceremony, so that no one can pass off one voter's ballot (or a handful, mixed with
//! ciphertexts they made) as a "count" and have the trustees decrypt it.
//!
//! The folder is not trusted for any of it (its `officials-key.hex` and the package's
//! signature included):
//!
//! 1. **the ceremony**: the trustee's key share file is bound to the ceremony context hash of
//!    the ceremony the trustee took part in; the folder's package must hold that ceremony
//!    (`decrypt.other_ceremony`). The package's context hash binds that transcript, the
//!    collector's key and the manifest, and every ballot's proofs bind the context hash;
//! 2. **the log**: `log.bin`'s final head is signed by the package's collector key and its
//!    leaves hash to the signed root (`decrypt.log_not_signed`); the ballot box's records are
//!    exactly those leaves (`decrypt.box_not_the_log`);
//! 3. **the decisions**: `decisions.bin` has one decision per leaf, and what the trustee can
//!    check without the roll holds: a test vote was received before the window, a vote
//!    counted, superseded or cancelled in it; of a voter's votes in the window the last is
//!    counted and the others superseded, or all are cancelled (`decrypt.decisions_inconsistent`);
//! 4. **the ballots** ([`ballots`]): `ballots.bin` holds exactly the ballots of the leaves,
//!    each once (`decrypt.ballot_not_logged`, `decrypt.ballot_missing`); every ballot given a
//!    selected ballot is valid (decodes, every validity proof verifies against the context
//!    hash and the election key: `decrypt.invalid_proof`) and every ballot marked invalid is
//!    not (`decrypt.valid_marked_invalid`); every selection proof verifies and every flag
//!    opening (`flag-openings.bin`) opens its flag (`decrypt.bad_selection`); a ballot's
//!    flag says "counted" exactly when its leaf is decided counted
//!    (`decrypt.selection_not_the_rules`). So the sums add up exactly the counted ballots,
//!    each re-encrypted, and zeros;
//! 5. **the sums**: `aggregates.bin` is the sum of the selected ballots and of their flags,
//!    and states each district's number of counted ballots (`decrypt.aggregates_mismatch`).
//!
//! What remains trusted: the reasons of invalid submissions and the paper list (they need
//! the roll and the paper votes); the trustee sees how many leaves each rule set aside, and
//! `verifier audit` re-checks both.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

mod ballots;

use anyhow::{Context, Result};
use ivote_crypto::ContextHash;
use ivote_protocol::ballot_box::BallotBoxReader;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::record::counts::{Decisions, LeafDecision};
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{self, check_context};
use thiserror::Error;

use super::folder::CountFolder;
use super::progress;
use crate::error::Refusal;
use crate::fsio;

/// What to do when a check fails: the same for every one of them.
const DO_NOT_DECRYPT: &str = "do NOT decrypt; report this to the officials and the observers";

/// Why a trustee refuses to decrypt a count folder. Each has a stable code (`decrypt.*`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TrusteeCheckError {
    /// The folder's package holds another key ceremony than the trustee's.
    #[error(
        "the count folder's election package holds the key ceremony {found}, but your key \
         share {share} is from the ceremony {pinned}, the one you took part in: this folder \
         is not a count of your election; {DO_NOT_DECRYPT}"
    )]
    OtherCeremony {
        /// The key share file.
        share: String,
        /// The trustee's ceremony context hash, hex.
        pinned: String,
        /// The folder's, hex.
        found: String,
    },
    /// `log.bin` is not the collector's signed log.
    #[error("log.bin is not the collector's closed log: {detail}; {DO_NOT_DECRYPT}")]
    LogNotSigned {
        /// What fails.
        detail: String,
    },
    /// The ballot box is not the log's.
    #[error("the ballot box {file} is not the log of this count: {detail}; {DO_NOT_DECRYPT}")]
    BoxNotTheLog {
        /// The box.
        file: String,
        /// What differs.
        detail: String,
    },
    /// `decisions.bin` contradicts the log.
    #[error("decisions.bin contradicts the log: {detail}; {DO_NOT_DECRYPT}")]
    DecisionsInconsistent {
        /// The first contradiction found.
        detail: String,
    },
    /// Ballots of `ballots.bin` that are not the ballot of a leaf (or appear twice).
    #[error(
        "{count} ballot(s) of ballots.bin are not the ballot of a leaf of the collector's log: \
         {}; {DO_NOT_DECRYPT}",
        hashes.join(", ")
    )]
    BallotNotLogged {
        /// How many.
        count: u64,
        /// The first ones' hashes, hex.
        hashes: Vec<String>,
    },
    /// Leaves whose ballots are not in `ballots.bin`.
    #[error(
        "{count} leaf(s) of the log have no ballot in ballots.bin: leaf {}; {DO_NOT_DECRYPT}",
        leaves.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
    )]
    BallotMissing {
        /// How many.
        count: u64,
        /// The first ones.
        leaves: Vec<u64>,
    },
    /// Ballots given a selected ballot whose proofs do not verify (or that do not decode).
    #[error(
        "{count} ballot(s) given a selected ballot are not valid ballots of this election: {}; \
         {DO_NOT_DECRYPT}",
        ballots.iter().map(|(h, why)| format!("{h} ({why})")).collect::<Vec<_>>().join(", ")
    )]
    InvalidProof {
        /// How many.
        count: u64,
        /// The first ones: hash (hex) and why.
        ballots: Vec<(String, String)>,
    },
    /// Valid ballots published as invalid (without a selected ballot).
    #[error(
        "{count} ballot(s) of ballots.bin are marked invalid but are valid ballots of this \
         election: {}; {DO_NOT_DECRYPT}",
        hashes.join(", ")
    )]
    ValidMarkedInvalid {
        /// How many.
        count: u64,
        /// The first ones' hashes, hex.
        hashes: Vec<String>,
    },
    /// Selected ballots whose selection proof fails, or whose flag opening does not open.
    #[error(
        "{count} selected ballot(s) are not proven to be their ballot or zeros (the selection \
         proof or the flag's opening fails): {}; {DO_NOT_DECRYPT}",
        hashes.join(", ")
    )]
    BadSelection {
        /// How many.
        count: u64,
        /// The first ones' ballot hashes, hex.
        hashes: Vec<String>,
    },
    /// Ballots selected otherwise than the decisions say (counted or not).
    #[error(
        "{count} ballot(s) are selected otherwise than the rules decided for their leaf: {}; \
         {DO_NOT_DECRYPT}",
        ballots.iter().map(|(h, why)| format!("{h} ({why})")).collect::<Vec<_>>().join(", ")
    )]
    SelectionNotTheRules {
        /// How many.
        count: u64,
        /// The first ones: hash (hex) and what differs.
        ballots: Vec<(String, String)>,
    },
    /// `aggregates.bin` is not the sum of the selected ballots and their flags.
    #[error(
        "aggregates.bin is not the sum of the selected ballots and their flags: it would make \
         you decrypt something else than the count; {DO_NOT_DECRYPT}"
    )]
    AggregatesMismatch,
}

impl TrusteeCheckError {
    /// The stable code, e.g. `"decrypt.invalid_proof"`.
    pub fn code(&self) -> &'static str {
        match self {
            TrusteeCheckError::OtherCeremony { .. } => "decrypt.other_ceremony",
            TrusteeCheckError::LogNotSigned { .. } => "decrypt.log_not_signed",
            TrusteeCheckError::BoxNotTheLog { .. } => "decrypt.box_not_the_log",
            TrusteeCheckError::DecisionsInconsistent { .. } => "decrypt.decisions_inconsistent",
            TrusteeCheckError::BallotNotLogged { .. } => "decrypt.ballot_not_logged",
            TrusteeCheckError::BallotMissing { .. } => "decrypt.ballot_missing",
            TrusteeCheckError::InvalidProof { .. } => "decrypt.invalid_proof",
            TrusteeCheckError::ValidMarkedInvalid { .. } => "decrypt.valid_marked_invalid",
            TrusteeCheckError::BadSelection { .. } => "decrypt.bad_selection",
            TrusteeCheckError::SelectionNotTheRules { .. } => "decrypt.selection_not_the_rules",
            TrusteeCheckError::AggregatesMismatch => "decrypt.aggregates_mismatch",
        }
    }
}

fn refuse(e: TrusteeCheckError) -> anyhow::Error {
    Refusal::from(e).into()
}

/// What the checks found, for the trustee to read: the leaves of the log and what the rules
/// did with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedCount {
    /// Leaves of the log.
    pub leaves: u64,
    /// Counted ballots (each proof verified, summed).
    pub counted: u64,
    /// Superseded by a later vote.
    pub superseded: u64,
    /// Cancelled by a paper vote.
    pub cancelled: u64,
    /// Test votes.
    pub test_votes: u64,
    /// Invalid submissions.
    pub invalid: u64,
}

/// Step 1: refuses a folder whose package holds another ceremony than the one the trustee's
/// key share file (`share_bytes`, named `share`) is bound to. Reads only the file's public
/// fields: no passphrase yet.
pub fn check_ceremony(folder: &CountFolder, share: &str, share_bytes: &[u8]) -> Result<()> {
    let found = folder.package.ceremony.context;
    // A file that is no key share is refused by the key share's loader, with its own message.
    let Some(pinned) = crate::secret_file::bound_ceremony_context(share_bytes) else {
        return Ok(());
    };
    if pinned != found {
        return Err(refuse(TrusteeCheckError::OtherCeremony {
            share: share.to_owned(),
            pinned: pinned.to_hex(),
            found: found.to_hex(),
        }));
    }
    Ok(())
}

/// Steps 2 to 5 (module docs): the log, the box, the decisions, every counted ballot and
/// the sums.
pub fn check_count(folder: &CountFolder, box_path: &Path) -> Result<CheckedCount> {
    let p = &folder.package;
    let context = p.context_hash;
    let log = load_log(folder)?;
    let decisions = Decisions::from_bytes(&fsio::read(&folder.path(record::DECISIONS_FILE))?)
        .and_then(|d| check_context(record::DECISIONS_FILE, &d.context, &context).map(|()| d))
        .map_err(|e| folder.damaged(&e))?;
    if decisions.outcomes.len() != log.leaves.len() {
        return Err(refuse(TrusteeCheckError::DecisionsInconsistent {
            detail: format!(
                "{} decisions for {} leaves",
                decisions.outcomes.len(),
                log.leaves.len()
            ),
        }));
    }
    let starts = p.manifest.voting_starts().as_second();
    let logged = read_box(box_path, &context, &log, &decisions.outcomes, starts)?;
    ballots::check(folder, &logged)?;
    let mut found = CheckedCount {
        leaves: log.leaves.len() as u64,
        ..CheckedCount::default()
    };
    for d in &decisions.outcomes {
        match d {
            LeafDecision::Counted => found.counted += 1,
            LeafDecision::Superseded => found.superseded += 1,
            LeafDecision::Cancelled => found.cancelled += 1,
            LeafDecision::TestVote => found.test_votes += 1,
            LeafDecision::Invalid(_) => found.invalid += 1,
        }
    }
    Ok(found)
}

/// `log.bin`: for this election, signed by the package's collector key, its leaves hashing
/// to the signed root.
fn load_log(folder: &CountFolder) -> Result<LogFile> {
    let p = &folder.package;
    let log = LogFile::from_bytes(&fsio::read(&folder.path(record::LOG_FILE))?)
        .and_then(|l| check_context(record::LOG_FILE, &l.context, &p.context_hash).map(|()| l))
        .map_err(|e| folder.damaged(&e))?;
    if log
        .final_head
        .verify(&p.collector_key, &p.context_hash)
        .is_err()
    {
        return Err(refuse(TrusteeCheckError::LogNotSigned {
            detail: "its final head is not signed by the collector key of the election package"
                .into(),
        }));
    }
    if !log.root_matches() {
        return Err(refuse(TrusteeCheckError::LogNotSigned {
            detail: "its leaves do not hash to the root the collector signed".into(),
        }));
    }
    Ok(log)
}

/// Reads the box: its records must be the log's leaves, in order; checks the decisions
/// against the records (module docs, step 3). Returns every leaf's ballot hash with the leaf
/// and its decision.
fn read_box(
    box_path: &Path,
    context: &ContextHash,
    log: &LogFile,
    outcomes: &[LeafDecision],
    starts: i64,
) -> Result<HashMap<BallotHash, (u64, LeafDecision)>> {
    let file = box_path.display().to_string();
    let not_the_log = |detail: String| {
        refuse(TrusteeCheckError::BoxNotTheLog {
            file: file.clone(),
            detail,
        })
    };
    let inconsistent = |detail: String| refuse(TrusteeCheckError::DecisionsInconsistent { detail });
    let input = File::open(box_path).with_context(|| format!("cannot open {file}"))?;
    let reader = BallotBoxReader::new(BufReader::with_capacity(1 << 20, input))
        .map_err(|e| not_the_log(e.to_string()))?;
    if reader.context() != context || reader.final_head().to_bytes() != log.final_head.to_bytes() {
        return Err(not_the_log(
            "its header (election or final head) is not log.bin's".into(),
        ));
    }
    let bar = progress::bar(log.leaves.len() as u64, "checking the box against the log");
    let mut logged: HashMap<BallotHash, (u64, LeafDecision)> = HashMap::new();
    // Per voter: the decision of their latest vote in the window so far.
    let mut latest: HashMap<String, (u64, LeafDecision)> = HashMap::new();
    let mut n = 0u64;
    for entry in reader {
        let e = entry.map_err(|e| not_the_log(e.to_string()))?;
        let i = n;
        n += 1;
        bar.inc(1);
        let (Some(leaf), Some(decision)) = (log.leaves.get(i as usize), outcomes.get(i as usize))
        else {
            return Err(not_the_log(format!(
                "it has more entries than the log's {} leaves",
                log.leaves.len()
            )));
        };
        if *leaf != e.record.log_leaf() {
            return Err(not_the_log(format!(
                "its record {i} is not leaf {i} of the log"
            )));
        }
        let decision = decision.clone();
        if let Some((other, _)) = logged.insert(e.record.ballot_hash, (i, decision.clone())) {
            return Err(inconsistent(format!(
                "leaf {i}'s ballot is the ballot of leaf {other} as well"
            )));
        }
        let at = e.record.received_at;
        match decision {
            LeafDecision::Invalid(_) => continue,
            LeafDecision::TestVote if at < starts => continue,
            LeafDecision::TestVote => {
                return Err(inconsistent(format!(
                    "leaf {i} is called a test vote, but it was received in the voting window"
                )))
            }
            _ if at < starts => {
                return Err(inconsistent(format!(
                    "leaf {i} was received before the voting window (a test vote), but is \
                     decided \"{}\"",
                    decision.describe()
                )))
            }
            _ => {}
        }
        if let Some((prev, before)) = latest.get(&e.record.voter_id) {
            let ok = match before {
                LeafDecision::Cancelled => decision == LeafDecision::Cancelled,
                LeafDecision::Superseded => decision != LeafDecision::Cancelled,
                _ => false,
            };
            if !ok {
                return Err(inconsistent(format!(
                    "leaf {prev} is decided \"{}\" but the same voter voted again at leaf {i} \
                     (decided \"{}\")",
                    before.describe(),
                    decision.describe()
                )));
            }
        }
        latest.insert(e.record.voter_id.clone(), (i, decision));
    }
    bar.finish_and_clear();
    if n != log.leaves.len() as u64 {
        return Err(not_the_log(format!(
            "it has {n} entries, the log {} leaves",
            log.leaves.len()
        )));
    }
    if let Some((leaf, d)) = latest
        .values()
        .filter(|(_, d)| !matches!(d, LeafDecision::Counted | LeafDecision::Cancelled))
        .min_by_key(|(leaf, _)| *leaf)
    {
        return Err(inconsistent(format!(
            "leaf {leaf} is its voter's last vote in the window, but is decided \"{}\"",
            d.describe()
        )));
    }
    Ok(logged)
}
