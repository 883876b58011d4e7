//! Builds honest election records in memory and on disk with the real formats
//! (`ivote_protocol::record` writers, the crypto library, the package and ceremony of
//! [`crate::election`]), for the verifier's tests and benchmarks. Tests then alter exactly
//! one thing.

pub mod audit;

use std::path::Path;

use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::dlog::DlogTable;
use ivote_crypto::proofs::selection::{FlagOpening, Selector};
use ivote_crypto::threshold::decryption::{combine, DecryptionShare};
use ivote_crypto::Ciphertext;
use ivote_protocol::ballot::Ballot;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::{BallotHash, CertificateHash};
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::package::hex_file;
use ivote_protocol::receipt::{Receipt, ReceiptContent, SignedTreeHead};
use ivote_protocol::record::aggregates::{positions, Aggregate, Aggregates, FlagSum};
use ivote_protocol::record::ballots::{BallotsWriter, SelectedBallot};
use ivote_protocol::record::counts::RuleCounts;
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::results::Results;
use ivote_protocol::record::seal::{RecordIndex, KIND_RECORD};
use ivote_protocol::record::shares::ShareFile;
use ivote_protocol::record::{self as rec, decryption_shares_file};
use ivote_protocol::submission::{LogLeaf, SubmissionRecord};
use rand::rngs::OsRng;
use rand::{CryptoRng, Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::election::Election;
use crate::manifest;

/// The record tests' election: [`manifest::TWO_DISTRICTS`], 3 trustees, threshold 2.
pub fn test_election(rng: &mut (impl RngCore + CryptoRng)) -> Election {
    Election::new(manifest::TWO_DISTRICTS, 3, 2, rng)
}

/// `count` ballots of [`test_election`], alternating districts and candidates.
pub fn ballots(e: &Election, count: usize, rng: &mut (impl RngCore + CryptoRng)) -> Vec<Ballot> {
    (0..count)
        .map(|i| {
            let district = if i % 2 == 0 { "north" } else { "south" };
            e.ballot(
                district,
                i % 3,
                rng.gen(),
                &EncryptionSeed::random(rng),
                rng,
            )
        })
        .collect()
}

/// Every file of a record, as values a test can alter before writing.
#[derive(Debug)]
pub struct Record {
    /// The counted ballots.
    pub ballots: Vec<Ballot>,
    /// The logged ballots that did not count (superseded ones).
    pub others: Vec<Ballot>,
    /// Each logged ballot's selected ballot and flag opening, by ballot hash ([`select`]); a
    /// ballot without one gets one when written (counted if it is in [`Self::ballots`]).
    pub selections: std::collections::HashMap<BallotHash, (SelectedBallot, FlagOpening)>,
    pub records: Vec<SubmissionRecord>,
    pub log: LogFile,
    pub aggregates: Aggregates,
    pub shares: Vec<ShareFile>,
    pub results: Results,
    pub rule_counts: RuleCounts,
}

impl Record {
    /// The honest record of `ballots` (each a different voter's last vote), with
    /// `superseded` earlier votes (of the first voters, in the same districts) in the log
    /// before them.
    pub fn honest(
        e: &Election,
        ballots: Vec<Ballot>,
        superseded: usize,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Record {
        let context = e.package.context_hash;
        let others: Vec<Ballot> = ballots
            .iter()
            .take(superseded)
            .map(|b| e.ballot(&b.district, 0, rng.gen(), &EncryptionSeed::random(rng), rng))
            .collect();
        let mut records = Vec::new();
        for (i, earlier) in others.iter().enumerate() {
            records.push(SubmissionRecord {
                leaf_index: records.len() as u64,
                received_at: 1_803_000_000 + i as i64,
                voter_id: format!("voter{i}"),
                voter_seq: 1,
                ballot_hash: earlier.hash(),
                certificate_hash: CertificateHash([1; 32]),
                signature: vec![2; 64],
            });
        }
        for (i, b) in ballots.iter().enumerate() {
            records.push(SubmissionRecord {
                leaf_index: records.len() as u64,
                received_at: 1_803_100_000 + i as i64,
                voter_id: format!("voter{i}"),
                voter_seq: if i < superseded { 2 } else { 1 },
                ballot_hash: b.hash(),
                certificate_hash: CertificateHash([1; 32]),
                signature: vec![2; 64],
            });
        }
        let log = log_of(e, &records);
        let counted = ballots.len() as u64;
        let rule_counts = RuleCounts {
            submissions: records.len() as u64,
            voters: counted,
            counted,
            superseded: superseded as u64,
            ..RuleCounts::default()
        };
        let mut r = Record {
            ballots,
            others,
            selections: Default::default(),
            records,
            log,
            aggregates: Aggregates {
                context,
                aggregates: Vec::new(),
                flags: Vec::new(),
            },
            shares: Vec::new(),
            results: Results {
                context,
                aggregates_hash: [0; 32],
                trustees: Vec::new(),
                counts: Vec::new(),
            },
            rule_counts,
        };
        r.select(e, rng);
        r.aggregates = r.sums(e);
        r.decrypt(e, rng);
        r
    }

    /// Logs and counts one more ballot, as a new voter's last vote (a test's own, maybe bad,
    /// ballot): a leaf for it ([`Self::next_leaf`]), the log re-signed, the rule counts
    /// updated (not the sums).
    pub fn add_counted(&mut self, e: &Election, ballot: Ballot) {
        let logged = self.next_leaf(ballot.hash());
        self.ballots.push(ballot);
        self.rule_counts.counted += 1;
        self.rule_counts.voters += 1;
        self.rule_counts.submissions += 1;
        self.records.push(logged);
        self.log = log_of(e, &self.records);
    }

    /// A selected ballot and flag opening for every ballot that has none yet: a
    /// re-encryption for a counted ballot, zeros for the others (except an invalid one, which
    /// the tally publishes marked invalid: [`Self::write`]).
    pub fn select(&mut self, e: &Election, rng: &mut (impl RngCore + CryptoRng)) {
        let context = e.package.context_hash;
        let selector = Selector::new(&context, &e.package.ceremony.joint_key);
        let all = self.ballots.iter().map(|b| (b, true)).chain(
            self.others
                .iter()
                .filter(|b| valid(e, b))
                .map(|b| (b, false)),
        );
        for (b, counted) in all {
            self.selections
                .entry(b.hash())
                .or_insert_with(|| select_one(e, &selector, b, counted, rng));
        }
    }

    /// The sums of the selected ballots and their flags, with each district's counted
    /// ballots (the ballots of [`Self::ballots`]).
    pub fn sums(&self, e: &Election) -> Aggregates {
        // A ballot logged twice (a test's dishonest collector) is published, so summed, once:
        // as [`Self::write`] does, its counted copy.
        let mut seen = std::collections::HashSet::new();
        let counted: Vec<&Ballot> = self
            .ballots
            .iter()
            .filter(|b| seen.insert(b.hash()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let selected = self
            .ballots
            .iter()
            .chain(&self.others)
            .filter(|b| seen.insert(b.hash()))
            .filter_map(|b| {
                self.selections
                    .get(&b.hash())
                    .map(|(s, _)| (b.district.as_str(), s))
            });
        aggregate(e, selected, &counted)
    }

    /// The auditors' flag openings, in ballot hash order.
    pub fn flag_openings(&self, e: &Election) -> FlagOpenings {
        let mut openings: Vec<(BallotHash, FlagOpening)> = self
            .selections
            .iter()
            .map(|(h, (_, o))| (*h, o.clone()))
            .collect();
        openings.sort_by_key(|(h, _)| *h);
        FlagOpenings {
            context: e.package.context_hash,
            openings,
        }
    }

    /// Every trustee's decryption shares of the current aggregates, and the results from the
    /// first `t` trustees.
    pub fn decrypt(&mut self, e: &Election, rng: &mut (impl RngCore + CryptoRng)) {
        let context = e.package.context_hash;
        let aggregates_hash: [u8; 32] = Sha256::digest(self.aggregates.to_bytes()).into();
        self.shares = e
            .keys
            .iter()
            .map(|k| ShareFile {
                context,
                aggregates_hash,
                trustee: k.index(),
                shares: self
                    .aggregates
                    .targets()
                    .iter()
                    .map(|(position, ct)| {
                        DecryptionShare::create(&context, k, ct, position, rng).unwrap()
                    })
                    .collect(),
            })
            .collect();
        let t = e.package.ceremony.params().t() as usize;
        let table = DlogTable::new(1 << 16);
        let counts = self
            .aggregates
            .targets()
            .iter()
            .enumerate()
            .map(|(i, (_, ct))| {
                let m = combine(ct, self.shares.iter().take(t).map(|f| &f.shares[i])).unwrap();
                table.solve(&m).unwrap_or(u64::MAX)
            })
            .collect();
        self.results = Results {
            context,
            aggregates_hash,
            trustees: (1..=t as u32).collect(),
            counts,
        };
    }

    /// Writes the record into `dir` and seals it with the officials' key.
    pub fn write(&self, e: &Election, dir: &Path) {
        let context = e.package.context_hash;
        ivote_protocol::fs::write_package_dir(&dir.join(rec::PACKAGE_DIR), &e.files).unwrap();
        std::fs::write(
            dir.join(rec::OFFICIALS_KEY_FILE),
            hex_file(e.officials.verifying_key().as_bytes()),
        )
        .unwrap();
        std::fs::write(dir.join(rec::LOG_FILE), self.log.to_bytes()).unwrap();
        // A counted ballot a test added without a selection gets one now (it changes no
        // sum); a ballot that did not count and has none is published marked invalid.
        let selector = Selector::new(&context, &e.package.ceremony.joint_key);
        let mut entries: Vec<(Vec<u8>, Option<SelectedBallot>)> = self
            .ballots
            .iter()
            .map(|b| (b, true))
            .chain(self.others.iter().map(|b| (b, false)))
            .map(|(b, counted)| {
                let s = match (self.selections.get(&b.hash()), counted) {
                    (Some((s, _)), _) => Some(s.clone()),
                    (None, true) => Some(select_one(e, &selector, b, true, &mut OsRng).0),
                    (None, false) => None,
                };
                (b.to_bytes(), s)
            })
            .collect();
        // A ballot logged twice (a test's dishonest collector) is published once, as the
        // file allows: its counted copy, which comes first.
        entries.sort_by_key(|(l, _)| ivote_protocol::ballot::ballot_hash(l));
        entries.dedup_by_key(|(l, _)| ivote_protocol::ballot::ballot_hash(l));
        let file = std::fs::File::create(dir.join(rec::BALLOTS_FILE)).unwrap();
        let mut w = BallotsWriter::new(
            std::io::BufWriter::new(file),
            &context,
            entries.len() as u64,
        )
        .unwrap();
        for (layout, selected) in &entries {
            w.push(layout, selected.as_ref()).unwrap();
        }
        std::io::Write::flush(&mut w.finish().unwrap()).unwrap();
        std::fs::write(dir.join(rec::AGGREGATES_FILE), self.aggregates.to_bytes()).unwrap();
        for s in &self.shares {
            std::fs::write(dir.join(decryption_shares_file(s.trustee)), s.to_bytes()).unwrap();
        }
        std::fs::write(dir.join(rec::RESULTS_FILE), self.results.to_bytes()).unwrap();
        std::fs::write(
            dir.join(rec::RULE_COUNTS_FILE),
            self.rule_counts.to_bytes(&context),
        )
        .unwrap();
        reseal(e, dir);
    }

    /// A record for one more leaf, holding `ballot`: the next index, a second after the last
    /// leaf, a new voter (append it to `records` and rebuild the log with [`log_of`]).
    pub fn next_leaf(&self, ballot: BallotHash) -> SubmissionRecord {
        let n = self.records.len();
        SubmissionRecord {
            leaf_index: n as u64,
            received_at: self
                .records
                .last()
                .map_or(1_803_100_000, |r| r.received_at + 1),
            voter_id: format!("voter{n}-extra"),
            voter_seq: 1,
            ballot_hash: ballot,
            certificate_hash: CertificateHash([1; 32]),
            signature: vec![2; 64],
        }
    }

    /// A receipt for leaf `leaf`, with a tree head of the final log.
    pub fn receipt(&self, e: &Election, leaf: usize) -> Receipt {
        let mut tree = MerkleTree::new();
        for r in &self.records {
            tree.push(r.leaf_hash());
        }
        let size = tree.size();
        let r = &self.records[leaf];
        ReceiptContent {
            ballot_hash: r.ballot_hash,
            voter_seq: r.voter_seq,
            leaf_index: leaf as u64,
            received_at: r.received_at,
            record_hash: r.hash(),
            tree_head: self.log.final_head.head,
            inclusion: tree.inclusion_proof(leaf as u64, size).unwrap(),
        }
        .sign(&e.collector, &e.package.context_hash)
    }
}

/// The log of `records`, with the collector's final head: leaf `i` is the `i`-th record's
/// published parts, hashed at index `i` (whatever index the record carries).
pub fn log_of(e: &Election, records: &[SubmissionRecord]) -> LogFile {
    let context = e.package.context_hash;
    let leaves: Vec<LogLeaf> = records.iter().map(SubmissionRecord::log_leaf).collect();
    let mut tree = MerkleTree::new();
    for (i, l) in leaves.iter().enumerate() {
        tree.push(l.leaf_hash(i as u64));
    }
    let head = SignedTreeHead::sign(
        &e.collector,
        &context,
        tree.size(),
        tree.root(tree.size()).unwrap(),
        1_803_200_000,
    );
    LogFile {
        context,
        final_head: FinalHead::sign(head, &e.collector, &context),
        leaves,
    }
}

/// Whether a ballot is valid for the election (decodes, every proof verifies).
fn valid(e: &Election, b: &Ballot) -> bool {
    b.check(
        &e.package.context_hash,
        &e.package.ceremony.joint_key,
        &e.shapes,
        &mut OsRng,
    )
    .is_ok()
}

/// A ballot's selected ballot (a re-encryption if `counted`, zeros if not) and its flag
/// opening.
fn select_one(
    e: &Election,
    selector: &Selector,
    b: &Ballot,
    counted: bool,
    rng: &mut (impl RngCore + CryptoRng),
) -> (SelectedBallot, FlagOpening) {
    // A ballot that does not fit the election (a test's bad ballot) gets a selected ballot
    // of one ciphertext: what a dishonest tally could publish for it.
    let ciphertexts = b
        .selections(&e.package.context_hash, &e.shapes)
        .unwrap_or_else(|_| vec![Ciphertext::zero()]);
    let s = selector.select(&ciphertexts, counted, rng).unwrap();
    (
        SelectedBallot {
            flag: s.flag,
            proof: s.proof,
            selected: s.selected,
        },
        s.opening,
    )
}

/// The aggregates of selected ballots (`(district, selected ballot)`), with each district's
/// number of `counted` ballots.
fn aggregate<'a>(
    e: &Election,
    selected: impl Iterator<Item = (&'a str, &'a SelectedBallot)>,
    counted: &[&Ballot],
) -> Aggregates {
    let context = e.package.context_hash;
    let mut aggregates: Vec<Aggregate> = positions(&e.package.manifest)
        .into_iter()
        .map(|position| Aggregate {
            position,
            ballots: 0,
            ciphertext: Ciphertext::zero(),
        })
        .collect();
    let mut flags: Vec<FlagSum> = e
        .package
        .manifest
        .districts()
        .iter()
        .map(|d| FlagSum {
            district: d.id.as_str().to_owned(),
            ciphertext: Ciphertext::zero(),
        })
        .collect();
    for (district, s) in selected {
        // A test's ballot for a district the election does not have adds to no sum.
        let Some(first) = aggregates
            .iter()
            .position(|a| a.position.district == district)
        else {
            continue;
        };
        for (a, ct) in aggregates.iter_mut().skip(first).zip(&s.selected) {
            a.ciphertext += *ct;
        }
        if let Some(f) = flags.iter_mut().find(|f| f.district == district) {
            f.ciphertext += s.flag;
        }
    }
    for b in counted {
        for a in aggregates
            .iter_mut()
            .filter(|a| a.position.district == b.district)
        {
            a.ballots += 1;
        }
    }
    Aggregates {
        context,
        aggregates,
        flags,
    }
}

/// Writes a fresh seal over every file of the record `dir`.
pub fn reseal(e: &Election, dir: &Path) {
    seal_as(e, dir, KIND_RECORD);
}

/// Every file under `dir`, as `/`-separated names relative to it, sorted (as the seal
/// lists them).
fn list(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                pending.push((entry.path(), format!("{name}/")));
            } else {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

/// Writes a fresh seal of `kind` over every file of `dir`.
pub fn seal_as(e: &Election, dir: &Path, kind: &str) {
    let files = list(dir)
        .into_iter()
        .filter(|n| n != rec::INDEX_FILE && n != rec::SIGNATURE_FILE)
        .map(|n| {
            let bytes = std::fs::read(n.split('/').fold(dir.to_path_buf(), |p, part| p.join(part)))
                .unwrap();
            let hash: [u8; 32] = Sha256::digest(bytes).into();
            (n, hash)
        })
        .collect();
    let index = RecordIndex {
        context: e.package.context_hash,
        kind: kind.into(),
        files,
    };
    std::fs::write(dir.join(rec::INDEX_FILE), index.to_bytes()).unwrap();
    std::fs::write(dir.join(rec::SIGNATURE_FILE), index.sign(&e.officials)).unwrap();
}
