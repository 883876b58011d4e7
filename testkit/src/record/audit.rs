//! An election with real e-ID (the insecure demo PKI of `ivote-eid`: a CA, voter
//! certificates and keys, a CRL), a ballot box of real signed submissions written with the
//! protocol's writer, the record of its count and the auditors' bundle, for `verifier audit`.
//! The case is a list of votes, each with the outcome the count gives it; tests change a
//! vote, an outcome or a file, then write.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use ivote_crypto::contest::EncryptionSeed;
use ivote_eid::insecure_demo_pki::{DemoCa, DemoVoter, VoterSpec};
use ivote_eid::KeyAlgorithm;
use ivote_protocol::ballot::Ballot;
use ivote_protocol::ballot_box::{BallotBoxReader, BallotBoxWriter, BALLOT_BOX_FILE};
use ivote_protocol::hashes::CertificateHash;
use ivote_protocol::package::ContextHash;
use ivote_protocol::record::counts::{Decisions, LeafDecision, RuleCounts};
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::seal::KIND_AUDITORS;
use ivote_protocol::record::{DECISIONS_FILE, FLAG_OPENINGS_FILE, PAPER_VOTES_FILE};
use ivote_protocol::roll::{demo_estonian_code, voter_id, Country};
use ivote_protocol::submission::{Submission, SubmissionRecord};
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use super::{log_of, seal_as, Record};
use crate::election::{collector_key, Election, PackageSpec};
use crate::manifest;

/// 2027-02-22T07:00:00Z, the test manifest's `voting_starts`.
pub const STARTS: i64 = manifest::EXAMPLE_STARTS;
/// 2027-02-28T18:00:00Z, its `voting_ends`.
pub const ENDS: i64 = manifest::EXAMPLE_ENDS;
const DAY: i64 = 86_400;
/// Voters 0, 2, 4 vote in north, 1, 3, 5 in south.
pub const VOTERS: usize = 6;
/// Voter 4's certificate is on the CRL.
pub const REVOKED: usize = 4;

/// One submission of the box.
#[derive(Clone, Debug)]
pub struct Vote {
    /// The voter (index).
    pub voter: usize,
    /// When the collector received it.
    pub at: i64,
    /// The selection chosen in every contest.
    pub choice: usize,
    /// Signed with garbage instead of the voter's key.
    pub bad_signature: bool,
    /// Encrypted for another election (its ballot does not decode for this one).
    pub foreign: bool,
    /// What the count decides.
    pub outcome: LeafDecision,
}

fn vote(voter: usize, at: i64, outcome: LeafDecision) -> Vote {
    Vote {
        voter,
        at,
        choice: voter % 2,
        bad_signature: false,
        foreign: false,
        outcome,
    }
}

/// A case: the election, its voters, the votes in log order and the paper list.
#[derive(Debug)]
pub struct AuditCase {
    pub election: Election,
    pub voters: Vec<DemoVoter>,
    pub roll_csv: Vec<u8>,
    pub votes: Vec<Vote>,
    /// Voters (indices) on the paper list.
    pub paper: Vec<usize>,
    /// Replaces the counted ballots (the leaves decided counted) when set.
    pub counted_override: Option<Vec<usize>>,
    /// Replaces the rule counts derived from the outcomes when set.
    pub rule_counts_override: Option<RuleCounts>,
}

/// Where a written case is.
#[derive(Debug)]
pub struct Written {
    pub _tmp: tempfile::TempDir,
    pub record: PathBuf,
    pub bundle: PathBuf,
    pub roll: PathBuf,
}

fn district(voter: usize) -> &'static str {
    if voter % 2 == 0 {
        "north"
    } else {
        "south"
    }
}

impl AuditCase {
    /// The honest case: every rule at work (see the comments).
    pub fn honest(rng: &mut (impl RngCore + CryptoRng)) -> AuditCase {
        let ca = DemoCa::new(
            "Audit test CA",
            KeyAlgorithm::Ed25519,
            STARTS - 2 * 365 * DAY,
            ENDS + 5 * 365 * DAY,
        )
        .unwrap();
        let voters: Vec<DemoVoter> = (0..VOTERS as u32)
            .map(|i| {
                let code = demo_estonian_code(i).unwrap();
                ca.issue(&VoterSpec::new(
                    &code,
                    KeyAlgorithm::Ed25519,
                    STARTS - 365 * DAY,
                    ENDS + 365 * DAY,
                ))
                .unwrap()
            })
            .collect();
        let crl = ca
            .crl(
                &[voters[REVOKED].serial],
                STARTS - 30 * DAY,
                ENDS + 30 * DAY,
            )
            .unwrap();
        let mut roll_csv = b"id_code,district\n".to_vec();
        for (i, v) in voters.iter().enumerate() {
            roll_csv.extend(format!("{},{}\n", v.code, district(i)).as_bytes());
        }
        let trust_anchors_pem = ca.cert_pem();
        let election = PackageSpec {
            manifest: manifest::TWO_DISTRICTS,
            trustees: 3,
            threshold: 2,
            roll_csv: &roll_csv,
            trust_anchors_pem: trust_anchors_pem.as_bytes(),
            crl_pem: Some(crl.pem.as_bytes()),
            collector: collector_key(),
        }
        .build(rng);
        use LeafDecision::*;
        let mut bad = vote(5, STARTS + 60, Invalid("eid.bad_signature".into()));
        bad.bad_signature = true;
        let votes = vec![
            vote(0, STARTS - DAY, TestVote),  // 0: before the window
            vote(1, STARTS + 10, Superseded), // 1: revoted at 3
            vote(2, STARTS + 20, Counted),    // 2
            vote(1, STARTS + 30, Counted),    // 3: the last vote counts
            vote(3, STARTS + 40, Cancelled),  // 4: voted on paper
            vote(4, STARTS + 50, Invalid("eid.revoked".into())), // 5: revoked certificate
            bad,                              // 6: bad signature
            vote(0, STARTS + 70, Counted),    // 7: the test vote's voter
            vote(5, STARTS + 80, Counted),    // 8: garbage replaced nothing
        ];
        AuditCase {
            election,
            voters,
            roll_csv,
            votes,
            paper: vec![3],
            counted_override: None,
            rule_counts_override: None,
        }
    }

    fn voter_id(&self, voter: usize) -> String {
        voter_id(Country::EE, &self.voters[voter].code)
    }

    /// The totals the outcomes give.
    pub fn rule_counts(&self) -> RuleCounts {
        let leaves: Vec<(usize, LeafDecision)> = self
            .votes
            .iter()
            .map(|v| (v.voter, v.outcome.clone()))
            .collect();
        self.totals(&leaves)
    }

    /// The totals of `(voter, outcome)` per leaf, with this case's paper list.
    fn totals<V: Ord + Clone>(&self, leaves: &[(V, LeafDecision)]) -> RuleCounts {
        let mut c = RuleCounts {
            submissions: leaves.len() as u64,
            paper_votes: self.paper.len() as u64,
            ..RuleCounts::default()
        };
        let mut voters = std::collections::BTreeSet::new();
        let mut cancelled = std::collections::BTreeSet::new();
        let mut rejected = std::collections::BTreeMap::<String, u64>::new();
        for (voter, outcome) in leaves {
            match outcome {
                LeafDecision::Counted => c.counted += 1,
                LeafDecision::Superseded => c.superseded += 1,
                LeafDecision::Cancelled => {
                    c.cancelled_submissions += 1;
                    cancelled.insert(voter.clone());
                }
                LeafDecision::TestVote => c.test_votes += 1,
                LeafDecision::Invalid(code) => *rejected.entry(code.clone()).or_default() += 1,
            }
            if matches!(
                outcome,
                LeafDecision::Counted | LeafDecision::Superseded | LeafDecision::Cancelled
            ) {
                voters.insert(voter.clone());
            }
        }
        c.voters = voters.len() as u64;
        c.cancelled_voters = cancelled.len() as u64;
        c.rejected = rejected.into_iter().collect();
        c
    }

    /// The box's entries: each vote encrypted, signed and logged.
    fn entries(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> (Vec<Ballot>, Vec<(SubmissionRecord, Submission)>) {
        let e = &self.election;
        let mut seq = [0u32; VOTERS];
        let mut ballots = Vec::new();
        let mut entries = Vec::new();
        for (leaf, v) in self.votes.iter().enumerate() {
            let voter = &self.voters[v.voter];
            let challenge = e.challenge(v.at, rng);
            let nonce = challenge.ballot_nonce(&CertificateHash::of(voter.cert_der()));
            let ballot = if v.foreign {
                let shapes = &e.shapes;
                let choices: Vec<Vec<u64>> = shapes
                    .district(district(v.voter))
                    .unwrap()
                    .iter()
                    .map(|(_, s)| {
                        (0..s.selections().len())
                            .map(|i| u64::from(i == v.choice))
                            .collect()
                    })
                    .collect();
                Ballot::encrypt(
                    &ContextHash([7; 32]),
                    &e.package.ceremony.joint_key,
                    shapes,
                    district(v.voter),
                    nonce,
                    &choices,
                    &EncryptionSeed::random(rng),
                    rng,
                )
                .unwrap()
            } else {
                e.ballot(
                    district(v.voter),
                    v.choice,
                    nonce,
                    &EncryptionSeed::random(rng),
                    rng,
                )
            };
            let sign = |m: &[u8]| {
                Ok::<_, Infallible>(if v.bad_signature {
                    vec![3; 64]
                } else {
                    voter.key().unwrap().sign(m).unwrap()
                })
            };
            let context = &e.package.context_hash;
            let sealed = Submission::seal_layout(
                context,
                &challenge,
                ballot.to_bytes(),
                voter.cert_der(),
                sign,
            )
            .unwrap();
            seq[v.voter] += 1;
            let record = SubmissionRecord {
                leaf_index: leaf as u64,
                received_at: v.at,
                voter_id: self.voter_id(v.voter),
                voter_seq: seq[v.voter],
                ballot_hash: sealed.ballot_hash,
                certificate_hash: CertificateHash(Sha256::digest(voter.cert_der()).into()),
                signature: sealed.submission.signature.clone(),
            };
            ballots.push(ballot);
            entries.push((record, sealed.submission));
        }
        (ballots, entries)
    }

    /// Writes the record, the bundle and the roll; `alter` may change the box's entries
    /// before they are written (the log keeps the records given).
    pub fn write_with(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
        alter: impl FnOnce(&mut Vec<(SubmissionRecord, Submission)>),
    ) -> Written {
        let e = &self.election;
        let (ballots, mut entries) = self.entries(rng);
        let records: Vec<SubmissionRecord> = entries.iter().map(|(r, _)| r.clone()).collect();
        let counted_leaves: Vec<usize> = self.counted_override.clone().unwrap_or_else(|| {
            (0..self.votes.len())
                .filter(|&i| self.votes[i].outcome == LeafDecision::Counted)
                .collect()
        });
        let counted: Vec<Ballot> = counted_leaves.iter().map(|&i| ballots[i].clone()).collect();
        let others: Vec<Ballot> = (0..ballots.len())
            .filter(|i| !counted_leaves.contains(i))
            .map(|i| ballots[i].clone())
            .collect();
        let rule_counts = self
            .rule_counts_override
            .clone()
            .unwrap_or_else(|| self.rule_counts());
        let log = log_of(e, &records);
        alter(&mut entries);
        let mut w =
            BallotBoxWriter::new(Vec::new(), &e.package.context_hash, &log.final_head).unwrap();
        for (r, s) in &entries {
            w.push(&r.to_bytes(), &s.to_bytes(), &[]).unwrap();
        }
        let outcomes = self.votes.iter().map(|v| v.outcome.clone()).collect();
        self.write_files(
            rng,
            Files {
                records,
                log,
                counted,
                others,
                rule_counts,
                ballot_box: w.finish().unwrap(),
                outcomes,
            },
        )
    }

    /// The honest ballot box of the case (signed by the election's collector key), as the
    /// collector exports it: what a dishonest collector's forgery starts from.
    pub fn honest_box(&self, rng: &mut (impl RngCore + CryptoRng)) -> Vec<u8> {
        let e = &self.election;
        let (_, entries) = self.entries(rng);
        let records: Vec<SubmissionRecord> = entries.iter().map(|(r, _)| r.clone()).collect();
        let log = log_of(e, &records);
        let mut w =
            BallotBoxWriter::new(Vec::new(), &e.package.context_hash, &log.final_head).unwrap();
        for (r, s) in &entries {
            w.push(&r.to_bytes(), &s.to_bytes(), &[]).unwrap();
        }
        w.finish().unwrap()
    }

    /// Writes the record and the bundle of `ballot_box` (e.g. a collector's forgery), as
    /// officials who count it anyway would: the log is the box's, each leaf decided as
    /// `outcomes` says, the counted ballots those of the leaves decided counted, the rule
    /// counts their totals.
    pub fn write_box(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
        ballot_box: Vec<u8>,
        outcomes: Vec<LeafDecision>,
    ) -> Written {
        let e = &self.election;
        let reader = BallotBoxReader::new(&ballot_box[..]).unwrap();
        let final_head = *reader.final_head();
        let entries: Vec<_> = reader.map(Result::unwrap).collect();
        assert_eq!(entries.len(), outcomes.len(), "one outcome per leaf");
        let records: Vec<SubmissionRecord> = entries.iter().map(|x| x.record.clone()).collect();
        let (counted, others): (Vec<_>, Vec<_>) = entries
            .iter()
            .zip(&outcomes)
            .map(|(x, o)| {
                let b = Ballot::from_bytes(&x.submission.ballot).unwrap();
                (b, *o == LeafDecision::Counted)
            })
            .partition(|(_, counted)| *counted);
        let counted = counted.into_iter().map(|(b, _)| b).collect();
        let others = others.into_iter().map(|(b, _)| b).collect();
        let leaves: Vec<(String, LeafDecision)> = records
            .iter()
            .zip(&outcomes)
            .map(|(r, o)| (r.voter_id.clone(), o.clone()))
            .collect();
        let rule_counts = self.totals(&leaves);
        let log = LogFile::of_records(e.package.context_hash, final_head, &records);
        self.write_files(
            rng,
            Files {
                records,
                log,
                counted,
                others,
                rule_counts,
                ballot_box,
                outcomes,
            },
        )
    }

    fn write_files(&self, rng: &mut (impl RngCore + CryptoRng), f: Files) -> Written {
        let e = &self.election;
        let tmp = tempfile::tempdir().unwrap();
        let (record_dir, bundle_dir) = (tmp.path().join("record"), tmp.path().join("auditors"));
        std::fs::create_dir_all(&record_dir).unwrap();
        std::fs::create_dir_all(&bundle_dir).unwrap();
        let mut record = Record::honest(e, f.counted, 0, rng);
        // Every logged ballot is published: those that did not count too, each with a
        // selected ballot of zeros, and the sums and decryption redone over all of them.
        record.others = f.others;
        record.select(e, rng);
        record.aggregates = record.sums(e);
        record.decrypt(e, rng);
        record.records = f.records;
        record.log = f.log;
        record.rule_counts = f.rule_counts;
        record.write(e, &record_dir);
        std::fs::write(bundle_dir.join(BALLOT_BOX_FILE), f.ballot_box).unwrap();
        let decisions = Decisions {
            context: e.package.context_hash,
            outcomes: f.outcomes,
        };
        std::fs::write(bundle_dir.join(DECISIONS_FILE), decisions.to_bytes()).unwrap();
        std::fs::write(
            bundle_dir.join(FLAG_OPENINGS_FILE),
            record.flag_openings(e).to_bytes().unwrap(),
        )
        .unwrap();
        if !self.paper.is_empty() {
            let mut csv = "id_code\n".to_owned();
            for &p in &self.paper {
                csv.push_str(&format!("{}\n", self.voters[p].code));
            }
            std::fs::write(bundle_dir.join(PAPER_VOTES_FILE), csv).unwrap();
        }
        seal_as(e, &bundle_dir, KIND_AUDITORS);
        let roll = tmp.path().join("roll.csv");
        std::fs::write(&roll, &self.roll_csv).unwrap();
        Written {
            _tmp: tmp,
            record: record_dir,
            bundle: bundle_dir,
            roll,
        }
    }

    /// Writes the case unaltered.
    pub fn write(&self, rng: &mut (impl RngCore + CryptoRng)) -> Written {
        self.write_with(rng, |_| {})
    }
}

/// What [`AuditCase::write_files`] writes.
struct Files {
    records: Vec<SubmissionRecord>,
    log: LogFile,
    counted: Vec<Ballot>,
    /// The other logged ballots (superseded, cancelled, test votes, invalid submissions).
    others: Vec<Ballot>,
    rule_counts: RuleCounts,
    ballot_box: Vec<u8>,
    outcomes: Vec<LeafDecision>,
}

/// Reseals the bundle in `dir` after a test changed a file.
pub fn reseal_bundle(e: &Election, dir: &Path) {
    seal_as(e, dir, KIND_AUDITORS);
}
