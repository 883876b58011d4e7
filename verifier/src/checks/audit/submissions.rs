//! One streaming pass over the bundle's `ballot-box.bin`: A04 (the box is the log the record
//! describes: the same final head, and each record's hash is `log.bin`'s leaf), A06 (each
//! submission is what the collector logged: its ballot hash, certificate hash, signature and
//! voter id are the record's), and every submission's checks again, at the time the
//! collector received it, in the order of `docs/tally.md`; the first check that refuses gives
//! the submission's reason:
//!
//! 1. received before the end of the window (`tally.after_close`);
//! 2. the ballot layout (`ballot.malformed`);
//! 3. the certificate: chain to the package's trust anchors, validity at receive time, key
//!    usage, revocation in the package's CRL (`eid.*`), the voter on the roll
//!    (`eid.not_on_roll`);
//! 4. the ballot is for the voter's district (`voter.wrong_district`);
//! 5. the e-ID signature over `protocol::submission::vote_message` (`eid.bad_signature`,
//!    `eid.signature_encoding`);
//! 6. the ballot is for this election (`ballot.*`) and every validity proof verifies
//!    (`ballot.invalid_proof`, batch-verified).
//!
//! A reader thread decodes the box into chunks while the rayon pool judges the previous one;
//! each pool thread keeps the certificates it validated (a voter who revotes sends the same
//! certificate again), so only their status at the new time is checked on a revote.

use std::collections::HashMap;
use std::sync::Mutex;

use ivote_crypto::PublicKey;
use ivote_eid::{eligible_district, Crl, EidError, TrustAnchors, VoterCertificate};
use ivote_protocol::ballot::Hash32;
use ivote_protocol::ballot::{ballot_hash, verify_ballots, Ballot, BallotShapes, DecodedBallot};
use ivote_protocol::ballot_box::{BallotBoxReader, BoxEntry, BALLOT_BOX_FILE};
use ivote_protocol::package::ContextHash;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::submission::vote_message;
use ivote_protocol::VoterRoll;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::checks::{progress_bar, Options};
use crate::report::{item_file, Failure};

/// Entries per chunk handed from the reader thread to the pool.
const CHUNK: usize = 1024;
/// Entries per batch verification of proofs.
const BATCH: usize = 64;
/// Certificates a thread keeps; the cache is emptied when it is full.
const CACHE_MAX: usize = 100_000;

/// The reason code of a submission received after the window.
pub const AFTER_CLOSE: &str = "tally.after_close";
/// The reason code of a ballot for another district than the voter's.
pub const WRONG_DISTRICT: &str = "voter.wrong_district";
/// The reason code of a ballot whose proofs do not verify.
pub const INVALID_PROOF: &str = "ballot.invalid_proof";

/// What a submission is checked against.
#[derive(Debug)]
pub struct Judge<'a> {
    /// The election's context hash.
    pub context: &'a ContextHash,
    /// The joint election key.
    pub joint_key: &'a PublicKey,
    /// The contests of each district.
    pub shapes: &'a BallotShapes,
    /// The package's e-ID trust anchors.
    pub anchors: &'a TrustAnchors,
    /// The package's CRL, if any.
    pub crl: Option<&'a Crl>,
    /// The voter roll.
    pub roll: &'a VoterRoll,
    /// The end of the voting window (Unix seconds, exclusive).
    pub ends: i64,
    /// Ballot hashes whose proofs V08 already verified in `counted-ballots.bin` (increasing):
    /// the same hash is the same bytes, so those proofs are not verified twice.
    proven: &'a [Hash32],
    /// One certificate cache per pool thread (and one for the calling thread).
    caches: Vec<Mutex<HashMap<[u8; 32], VoterCertificate>>>,
}

/// Why a submission is invalid: the code of the first check that refused it, and what it said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The stable code, e.g. `eid.revoked`.
    pub code: &'static str,
    /// The checker's message.
    pub message: String,
}

/// What the checks say about one submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// A check refused it.
    Invalid(Rejection),
    /// It is not what the collector logged (A06): its checks say nothing about the count.
    Tampered,
}

/// One leaf, as the rules need it: from its record (whose hash is `log.bin`'s leaf).
#[derive(Clone, Debug)]
pub struct Leaf {
    /// Index into [`BoxPass::voters`].
    pub voter: u32,
    /// When the collector received it.
    pub received_at: i64,
    /// The ballot's hash.
    pub ballot_hash: Hash32,
    /// What the checks say.
    pub verdict: Verdict,
}

/// What the pass found.
#[derive(Debug)]
pub struct BoxPass {
    /// Every leaf read, in log order.
    pub leaves: Vec<Leaf>,
    /// The voter ids, by the index the leaves use.
    pub voters: Vec<String>,
    /// A04's failures.
    pub log_failures: Vec<Failure>,
    /// A06's failures.
    pub tamper_failures: Vec<Failure>,
}

impl<'a> Judge<'a> {
    /// A judge with empty certificate caches.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        context: &'a ContextHash,
        joint_key: &'a PublicKey,
        shapes: &'a BallotShapes,
        anchors: &'a TrustAnchors,
        crl: Option<&'a Crl>,
        roll: &'a VoterRoll,
        ends: i64,
        proven: &'a [Hash32],
    ) -> Judge<'a> {
        let caches = (0..=rayon::current_num_threads())
            .map(|_| Mutex::new(HashMap::new()))
            .collect();
        Judge {
            context,
            joint_key,
            shapes,
            anchors,
            crl,
            roll,
            ends,
            proven,
            caches,
        }
    }

    /// The certificate validated at `at` (from this thread's cache when seen before) and the
    /// voter's district.
    fn eligible(
        &self,
        der: &[u8],
        fingerprint: [u8; 32],
        at: i64,
    ) -> Result<(VoterCertificate, String), EidError> {
        let slot = rayon::current_thread_index().unwrap_or(self.caches.len() - 1);
        let cache = self.caches.get(slot).and_then(|c| c.lock().ok());
        let cert = match cache {
            Some(mut cache) => match cache.get(&fingerprint) {
                Some(cert) => cert.clone(),
                None => {
                    let cert = self.anchors.validate(der, at, self.crl)?;
                    if cache.len() >= CACHE_MAX {
                        cache.clear();
                    }
                    cache.insert(fingerprint, cert.clone());
                    cert
                }
            },
            None => self.anchors.validate(der, at, self.crl)?,
        };
        // For a cached certificate this is its status at the new time; for a fresh one it
        // repeats what validate() checked, at no real cost.
        let district = eligible_district(&cert, self.crl, self.roll, at)?;
        Ok((cert.clone(), district.to_owned()))
    }

    /// Checks 1 to 6 except the proofs; the decoded ballot whose proofs remain.
    fn precheck(&self, entry: &BoxEntry) -> Result<(Hash32, DecodedBallot<'a>), Judged> {
        let (record, sub) = (&entry.record, &entry.submission);
        let hash = ballot_hash(&sub.ballot);
        let cert_hash: [u8; 32] = Sha256::digest(&sub.certificate).into();
        let differs: Vec<&str> = [
            (hash != record.ballot_hash, "ballot"),
            (Hash32(cert_hash) != record.certificate_hash, "certificate"),
            (sub.signature != record.signature, "signature"),
        ]
        .into_iter()
        .filter_map(|(d, what)| d.then_some(what))
        .collect();
        if !differs.is_empty() {
            return Err(Judged::Tampered(format!(
                "its {} differs from the logged record",
                differs.join(", ")
            )));
        }
        let invalid = |code: &'static str, message: String| {
            Judged::Done(Verdict::Invalid(Rejection { code, message }))
        };
        let at = record.received_at;
        if at >= self.ends {
            return Err(invalid(
                AFTER_CLOSE,
                "received after the end of the voting window".into(),
            ));
        }
        let ballot =
            Ballot::from_bytes(&sub.ballot).map_err(|e| invalid(e.code(), e.to_string()))?;
        let (cert, district) = self
            .eligible(&sub.certificate, cert_hash, at)
            .map_err(|e| invalid(e.code(), e.to_string()))?;
        if cert.voter_id() != record.voter_id {
            return Err(Judged::Tampered(format!(
                "its certificate is {}'s, the record says {}",
                cert.voter_id(),
                record.voter_id
            )));
        }
        if district != ballot.district {
            return Err(invalid(
                WRONG_DISTRICT,
                format!(
                    "the voter is in district {district}, the ballot is for {}",
                    ballot.district
                ),
            ));
        }
        cert.verify_signature(&vote_message(self.context, &hash), &sub.signature)
            .map_err(|e| invalid(e.code(), e.to_string()))?;
        ballot
            .decode(self.context, self.shapes)
            .map(|d| (hash, d))
            .map_err(|e| invalid(e.code(), e.to_string()))
    }

    /// Judges a batch of entries (one thread), every proof of the batch in one batch
    /// verification; results in the entries' order.
    fn judge_batch(&self, entries: &[BoxEntry], seed: [u8; 32]) -> Vec<Judged> {
        let mut out = Vec::with_capacity(entries.len());
        let mut pending = Vec::new();
        let mut decoded = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            match self.precheck(e) {
                Ok((hash, d)) => {
                    if self.proven.binary_search(&hash).is_err() {
                        pending.push(i);
                        decoded.push(d);
                    }
                    out.push(Judged::Done(Verdict::Valid));
                }
                Err(judged) => out.push(judged),
            }
        }
        let refs: Vec<&DecodedBallot<'_>> = decoded.iter().collect();
        let mut rng = ChaCha20Rng::from_seed(seed);
        for (k, contests) in verify_ballots(self.context, self.joint_key, &refs, &mut rng) {
            if let Some(slot) = pending.get(k).and_then(|&i| out.get_mut(i)) {
                *slot = Judged::Done(Verdict::Invalid(Rejection {
                    code: INVALID_PROOF,
                    message: format!(
                        "the validity proofs of contest(s) {} do not verify",
                        contests.join(", ")
                    ),
                }));
            }
        }
        out
    }
}

/// One entry's outcome inside a batch.
enum Judged {
    Done(Verdict),
    Tampered(String),
}

fn leaf_item(index: u64, voter: &str) -> String {
    format!("leaf {index} (voter {voter})")
}

/// Reads `ballot-box.bin` from `input` once and judges every submission (A04, A06 and the
/// verdicts).
pub fn pass<I: std::io::Read + Send>(
    input: I,
    log: &LogFile,
    judge: &Judge<'_>,
    options: &Options,
    rng: &mut impl Rng,
) -> BoxPass {
    let mut out = BoxPass {
        leaves: Vec::new(),
        voters: Vec::new(),
        log_failures: Vec::new(),
        tamper_failures: Vec::new(),
    };
    let file = item_file(BALLOT_BOX_FILE);
    let reader = match BallotBoxReader::new(input) {
        Ok(r) => r,
        Err(e) => {
            out.log_failures.push(Failure {
                item: file,
                detail: format!("{e} [{}]", e.code()),
            });
            return out;
        }
    };
    if reader.context() != judge.context {
        out.log_failures.push(Failure {
            item: file.clone(),
            detail: format!(
                "it is for another election (context hash {}, this election's is {}) \
                 [record.wrong_election]",
                reader.context().to_hex(),
                judge.context.to_hex()
            ),
        });
    }
    if *reader.final_head() != log.final_head {
        out.log_failures.push(Failure {
            item: file.clone(),
            detail: format!(
                "its final head (size {}, root {}) is not log.bin's (size {}, root {})",
                reader.final_head().head.size,
                hex::encode(reader.final_head().head.root),
                log.final_head.head.size,
                hex::encode(log.final_head.head.root)
            ),
        });
    }
    let bar = progress_bar(
        options,
        reader.final_head().head.size,
        "auditing submissions",
        "submissions",
    );
    let mut master = ChaCha20Rng::from_seed(rng.gen());
    let mut voter_index: HashMap<String, u32> = HashMap::new();
    let streamed = crate::stream::in_chunks(reader, CHUNK, |chunk| {
        let batches: Vec<&[BoxEntry]> = chunk.chunks(BATCH).collect();
        let seeds: Vec<[u8; 32]> = batches.iter().map(|_| master.gen()).collect();
        let judged: Vec<Vec<Judged>> = batches
            .par_iter()
            .zip(seeds)
            .map(|(batch, seed)| judge.judge_batch(batch, seed))
            .collect();
        for (e, j) in chunk.iter().zip(judged.into_iter().flatten()) {
            let record = &e.record;
            let logged = usize::try_from(e.index)
                .ok()
                .and_then(|i| log.leaves.get(i));
            if logged != Some(&record.hash()) {
                out.log_failures.push(Failure {
                    item: leaf_item(e.index, &record.voter_id),
                    detail: match logged {
                        Some(l) => format!(
                            "its record hashes to {}, log.bin's leaf is {}",
                            record.hash().to_hex(),
                            l.to_hex()
                        ),
                        None => "log.bin has no such leaf".into(),
                    },
                });
            }
            let verdict = match j {
                Judged::Done(v) => v,
                Judged::Tampered(why) => {
                    out.tamper_failures.push(Failure {
                        item: leaf_item(e.index, &record.voter_id),
                        detail: why,
                    });
                    Verdict::Tampered
                }
            };
            let next = u32::try_from(out.voters.len()).unwrap_or(u32::MAX);
            let voter = *voter_index.entry(record.voter_id.clone()).or_insert(next);
            if voter == next {
                out.voters.push(record.voter_id.clone());
            }
            out.leaves.push(Leaf {
                voter,
                received_at: record.received_at,
                ballot_hash: record.ballot_hash,
                verdict,
            });
        }
        bar.inc(chunk.len() as u64);
    });
    let stream_error = streamed.err();
    bar.finish_and_clear();
    if let Some(e) = stream_error {
        out.log_failures.push(Failure {
            item: file,
            detail: format!("after {} entries: {e} [{}]", out.leaves.len(), e.code()),
        });
    } else if out.leaves.len() != log.leaves.len() {
        out.log_failures.push(Failure {
            item: file,
            detail: format!(
                "it holds {} submissions, log.bin {} leaves",
                out.leaves.len(),
                log.leaves.len()
            ),
        });
    }
    out
}
