//! Builds honest election records in memory and on disk with the real formats
//! (`ivote_protocol::record` writers, the crypto library, the package and ceremony of
//! [`crate::election`]), for the verifier's tests and benchmarks. Tests then alter exactly
//! one thing.

pub mod audit;

use std::path::Path;

use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::dlog::DlogTable;
use ivote_crypto::threshold::decryption::{combine, DecryptionShare};
use ivote_crypto::Ciphertext;
use ivote_protocol::ballot::Ballot;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::{BallotHash, CertificateHash};
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::package::hex_file;
use ivote_protocol::receipt::{Receipt, ReceiptContent, SignedTreeHead};
use ivote_protocol::record::aggregates::{positions, Aggregate, Aggregates};
use ivote_protocol::record::ballots::CountedBallotsWriter;
use ivote_protocol::record::counts::RuleCounts;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::results::Results;
use ivote_protocol::record::seal::{RecordIndex, KIND_RECORD};
use ivote_protocol::record::shares::ShareFile;
use ivote_protocol::record::{self as rec, decryption_shares_file};
use ivote_protocol::submission::{LogLeaf, SubmissionRecord};
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
    pub ballots: Vec<Ballot>,
    pub records: Vec<SubmissionRecord>,
    pub log: LogFile,
    pub aggregates: Aggregates,
    pub shares: Vec<ShareFile>,
    pub results: Results,
    pub rule_counts: RuleCounts,
}

impl Record {
    /// The honest record of `ballots` (each a different voter's last vote), with
    /// `superseded` earlier votes in the log before them.
    pub fn honest(
        e: &Election,
        ballots: Vec<Ballot>,
        superseded: usize,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Record {
        let context = e.package.context_hash;
        let mut records = Vec::new();
        for i in 0..superseded {
            records.push(SubmissionRecord {
                leaf_index: records.len() as u64,
                received_at: 1_803_000_000 + i as i64,
                voter_id: format!("voter{i}"),
                voter_seq: 1,
                ballot_hash: BallotHash(rng.gen()),
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
        let aggregates = aggregate(e, &ballots);
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
            records,
            log,
            aggregates,
            shares: Vec::new(),
            results: Results {
                context,
                aggregates_hash: [0; 32],
                trustees: Vec::new(),
                counts: Vec::new(),
            },
            rule_counts,
        };
        r.decrypt(e, rng);
        r
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
                    .aggregates
                    .iter()
                    .map(|a| {
                        DecryptionShare::create(&context, k, &a.ciphertext, &a.position, rng)
                            .unwrap()
                    })
                    .collect(),
            })
            .collect();
        let t = e.package.ceremony.params().t() as usize;
        let table = DlogTable::new(1 << 16);
        let counts = (0..self.aggregates.aggregates.len())
            .map(|i| {
                let a = &self.aggregates.aggregates[i];
                let m = combine(
                    &a.ciphertext,
                    self.shares.iter().take(t).map(|f| &f.shares[i]),
                )
                .unwrap();
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
        let mut layouts: Vec<Vec<u8>> = self.ballots.iter().map(Ballot::to_bytes).collect();
        layouts.sort_by_key(|l| ivote_protocol::ballot::ballot_hash(l));
        let file = std::fs::File::create(dir.join(rec::COUNTED_BALLOTS_FILE)).unwrap();
        let mut w = CountedBallotsWriter::new(
            std::io::BufWriter::new(file),
            &context,
            layouts.len() as u64,
        )
        .unwrap();
        for l in &layouts {
            w.push(l).unwrap();
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

/// The aggregates of `ballots`: each ballot decoded once, its selections added at its
/// district's positions.
pub fn aggregate(e: &Election, ballots: &[Ballot]) -> Aggregates {
    let context = e.package.context_hash;
    let mut aggregates: Vec<Aggregate> = positions(&e.package.manifest)
        .into_iter()
        .map(|position| Aggregate {
            position,
            ballots: 0,
            ciphertext: Ciphertext::zero(),
        })
        .collect();
    for b in ballots {
        let first = aggregates
            .iter()
            .position(|a| a.position.district == b.district)
            .unwrap();
        let d = b.decode(&context, &e.shapes).unwrap();
        let cts = d.contests().flat_map(|c| c.selections());
        for (a, ct) in aggregates.iter_mut().skip(first).zip(cts) {
            a.ciphertext += *ct;
        }
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
