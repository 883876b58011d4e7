use ed25519_dalek::SigningKey;
use ivote_crypto::elgamal::{Ciphertext, Nonce, PublicKey};
use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::G;
use rand::rngs::OsRng;

use super::aggregates::{Aggregate, Aggregates, FlagSum};
use super::ballots::{BallotsReader, BallotsWriter, SelectedBallot};
use super::counts::{Decisions, LeafDecision, RuleCounts};
use super::flag_openings::FlagOpenings;
use super::log::LogFile;
use super::results::Results;
use super::seal::{valid_name, RecordIndex, KIND_RECORD};
use super::*;
use crate::ballot::{ballot_hash, Ballot};
use crate::ballot_box::FinalHead;
use crate::hashes::{BallotHash, VoterCommitment};
use crate::merkle::{leaf_hash, MerkleTree};
use crate::receipt::SignedTreeHead;
use crate::submission::LogLeaf;

const CTX: ContextHash = ContextHash([7; 32]);

fn flip_each_byte<T>(bytes: &[u8], decode: impl Fn(&[u8]) -> Result<T, RecordError>) {
    for i in 0..bytes.len() {
        let mut b = bytes.to_vec();
        b.truncate(i);
        assert!(decode(&b).is_err(), "truncated at {i}");
    }
    let mut long = bytes.to_vec();
    long.push(0);
    assert!(decode(&long).is_err(), "trailing byte");
}

#[test]
fn aggregates_round_trip_and_refusals() {
    let pk = PublicKey::from_point(G * ivote_crypto::Scalar::from(5u64)).unwrap();
    let a = Aggregates {
        context: CTX,
        aggregates: (0..3)
            .map(|s| Aggregate {
                position: TallyPosition {
                    district: "d1".into(),
                    contest: "c1".into(),
                    selection: s,
                },
                ballots: 4,
                ciphertext: Ciphertext::encrypt(&pk, 1, &Nonce::random(&mut OsRng)),
            })
            .collect(),
        flags: vec![FlagSum {
            district: "d1".into(),
            ciphertext: Ciphertext::encrypt(&pk, 4, &Nonce::random(&mut OsRng)),
        }],
    };
    assert_eq!(a.targets().len(), 4);
    assert_eq!(
        a.targets()[3].0.contest,
        "",
        "a flag sum's position has no contest"
    );
    let bytes = a.to_bytes();
    assert_eq!(Aggregates::from_bytes(&bytes).unwrap(), a);
    flip_each_byte(&bytes, Aggregates::from_bytes);
    // A non-canonical point.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] = 0xff;
    assert_eq!(
        Aggregates::from_bytes(&bad).unwrap_err().code(),
        "record.malformed"
    );
    // Another file's label.
    let r = Results {
        context: CTX,
        aggregates_hash: [1; 32],
        trustees: vec![1, 3],
        counts: vec![5, 0, 2],
    };
    let e = Aggregates::from_bytes(&r.to_bytes()).unwrap_err();
    assert!(e.to_string().contains("not this kind of file"), "{e}");
    assert_eq!(
        check_context("x", &CTX, &ContextHash([8; 32]))
            .unwrap_err()
            .code(),
        "record.wrong_election"
    );
}

#[test]
fn results_and_counts_round_trip_and_check_totals() {
    let r = Results {
        context: CTX,
        aggregates_hash: [1; 32],
        trustees: vec![2, 4, 5],
        counts: vec![5, 0, 2],
    };
    let bytes = r.to_bytes();
    assert_eq!(Results::from_bytes(&bytes).unwrap(), r);
    flip_each_byte(&bytes, Results::from_bytes);
    let unsorted = Results {
        trustees: vec![4, 2],
        ..r.clone()
    };
    assert!(Results::from_bytes(&unsorted.to_bytes()).is_err());

    let c = RuleCounts {
        submissions: 10,
        voters: 4,
        counted: 3,
        superseded: 2,
        test_votes: 1,
        paper_votes: 2,
        cancelled_voters: 1,
        cancelled_submissions: 2,
        rejected: vec![
            ("ballot.invalid_proof".into(), 1),
            ("eid.revoked".into(), 1),
        ],
    };
    let bytes = c.to_bytes(&CTX);
    assert_eq!(RuleCounts::from_bytes(&bytes).unwrap(), (CTX, c.clone()));
    flip_each_byte(&bytes, RuleCounts::from_bytes);
    let wrong = RuleCounts {
        counted: 4,
        ..c.clone()
    };
    assert!(RuleCounts::from_bytes(&wrong.to_bytes(&CTX)).is_err());
    let unsorted = RuleCounts {
        rejected: vec![
            ("eid.revoked".into(), 1),
            ("ballot.invalid_proof".into(), 1),
        ],
        ..c
    };
    assert!(RuleCounts::from_bytes(&unsorted.to_bytes(&CTX)).is_err());
}

#[test]
fn decisions_round_trip_and_reasons_only_for_invalid() {
    let d = Decisions {
        context: CTX,
        outcomes: vec![
            LeafDecision::Superseded,
            LeafDecision::Invalid("eid.bad_signature".into()),
            LeafDecision::Counted,
            LeafDecision::Cancelled,
            LeafDecision::TestVote,
        ],
    };
    let bytes = d.to_bytes();
    assert_eq!(Decisions::from_bytes(&bytes).unwrap(), d);
    flip_each_byte(&bytes, Decisions::from_bytes);
    let empty_reason = Decisions {
        context: CTX,
        outcomes: vec![LeafDecision::Invalid(String::new())],
    };
    assert!(Decisions::from_bytes(&empty_reason.to_bytes()).is_err());
}

#[test]
fn log_round_trip_and_root() {
    let key = SigningKey::from_bytes(&[3; 32]);
    let leaves: Vec<LogLeaf> = (0..5u8)
        .map(|i| LogLeaf {
            received_at: 1_800_000_000 + i64::from(i),
            ballot_hash: BallotHash([i; 32]),
            voter: VoterCommitment([i + 10; 32]),
        })
        .collect();
    let mut tree = MerkleTree::new();
    for (i, l) in leaves.iter().enumerate() {
        tree.push(leaf_hash(&l.record_hash(i as u64).0));
    }
    let head = SignedTreeHead::sign(&key, &CTX, 5, tree.root(5).unwrap(), 1_800_000_000);
    let log = LogFile {
        context: CTX,
        final_head: FinalHead::sign(head, &key, &CTX),
        leaves: leaves.clone(),
    };
    let bytes = log.to_bytes();
    let back = LogFile::from_bytes(&bytes).unwrap();
    assert_eq!(back, log);
    assert!(back.root_matches());
    flip_each_byte(&bytes, LogFile::from_bytes);
    // The accessors: leaf i's parts and its record hash with its index.
    let ballots: Vec<_> = log.ballots().collect();
    assert_eq!(ballots[3], (3, 1_800_000_003, BallotHash([3; 32])));
    assert_eq!(ballots.len(), 5);
    assert_eq!(log.record_hashes().nth(2), Some(leaves[2].record_hash(2)));
    assert_eq!(log.record_hash(2), Some(leaves[2].record_hash(2)));
    assert_eq!(log.record_hash(5), None);
    // Each published part of a leaf is bound by the root: another ballot, time or voter
    // commitment at a leaf, or two leaves swapped, no longer give it.
    let changes: [&dyn Fn(&mut LogFile); 4] = [
        &|l| l.leaves[2].ballot_hash = BallotHash([9; 32]),
        &|l| l.leaves[2].received_at += 1,
        &|l| l.leaves[2].voter = VoterCommitment([9; 32]),
        &|l| l.leaves.swap(1, 2),
    ];
    for change in changes {
        let mut other = log.clone();
        change(&mut other);
        assert!(!other.root_matches());
    }
    let mut other = log.clone();
    other.leaves.pop();
    assert!(LogFile::from_bytes(&other.to_bytes()).is_err());
}

fn ballot(i: u8) -> Vec<u8> {
    Ballot {
        context: CTX,
        nonce: [i; 32],
        district: "d1".into(),
        contests: vec![],
    }
    .to_bytes()
}

/// A selected ballot of `m` ciphertexts (of random "ballot" ciphertexts: the file's reader
/// does not verify proofs; the verifier does).
fn selected(
    m: usize,
    counted: bool,
) -> (SelectedBallot, ivote_crypto::proofs::selection::FlagOpening) {
    let pk = PublicKey::from_point(G * ivote_crypto::Scalar::from(5u64)).unwrap();
    let ballot: Vec<Ciphertext> = (0..m)
        .map(|v| Ciphertext::encrypt(&pk, v as u64 % 2, &Nonce::random(&mut OsRng)))
        .collect();
    let s = ivote_crypto::proofs::selection::Selector::new(&CTX, &pk)
        .select(&ballot, counted, &mut OsRng)
        .unwrap();
    (
        SelectedBallot {
            flag: s.flag,
            proof: s.proof,
            selected: s.selected,
        },
        s.opening,
    )
}

#[test]
fn ballots_stream_in_hash_order_with_their_selections() {
    let mut layouts: Vec<Vec<u8>> = (0..4).map(ballot).collect();
    layouts.sort_by_key(|l| ballot_hash(l));
    let selections: Vec<Option<SelectedBallot>> = (0..4)
        .map(|i| (i != 2).then(|| selected(i + 1, i % 2 == 0).0))
        .collect();
    let mut w = BallotsWriter::new(Vec::new(), &CTX, 4).unwrap();
    assert!(w.push(&layouts[1], selections[1].as_ref()).is_ok());
    assert!(w.push(&layouts[0], None).is_err(), "out of order");
    assert!(w.push(&layouts[1], None).is_err(), "repeated");
    for (l, s) in layouts.iter().zip(&selections).skip(2) {
        w.push(l, s.as_ref()).unwrap();
    }
    assert!(w.finish().is_err(), "one missing");

    let mut w = BallotsWriter::new(Vec::new(), &CTX, 4).unwrap();
    for (l, s) in layouts.iter().zip(&selections) {
        w.push(l, s.as_ref()).unwrap();
    }
    let bytes = w.finish().unwrap();
    let r = BallotsReader::new(bytes.as_slice()).unwrap();
    assert_eq!(*r.context(), CTX);
    assert_eq!(r.announced(), 4);
    let read: Vec<_> = r.map(|x| x.unwrap()).collect();
    assert_eq!(read.len(), 4);
    for ((b, l), s) in read.iter().zip(&layouts).zip(&selections) {
        assert_eq!(b.hash, ballot_hash(l));
        assert_eq!(b.ballot.to_bytes(), *l);
        assert_eq!(b.selection, *s);
    }
    let all_ok = |b: &[u8]| -> Result<(), RecordError> {
        BallotsReader::new(b)?.try_for_each(|x| x.map(|_| ()))
    };
    flip_each_byte(&bytes, all_ok);
    // A tag that is neither 0 nor 1: the first entry's tag follows its layout.
    let mut bad = bytes.clone();
    let tag_at = 4 + super::ballots::LABEL.len() + 32 + 8 + 4 + layouts[0].len();
    bad[tag_at] = 7;
    let e = all_ok(&bad).unwrap_err();
    assert_eq!(e.code(), "record.malformed");
    assert!(e.to_string().contains("tag 7"), "{e}");
}

#[test]
fn flag_openings_round_trip_in_hash_order() {
    let mut openings: Vec<_> = (0..3)
        .map(|i| {
            (
                crate::hashes::BallotHash([i as u8 * 40; 32]),
                selected(1, i == 1).1,
            )
        })
        .collect();
    let file = FlagOpenings {
        context: CTX,
        openings: std::mem::take(&mut openings),
    };
    let bytes = file.to_bytes().unwrap();
    let back = FlagOpenings::from_bytes(&bytes).unwrap();
    assert_eq!(back.context, CTX);
    let counted: Vec<bool> = back.openings.iter().map(|(_, o)| o.counted()).collect();
    assert_eq!(counted, [false, true, false]);
    flip_each_byte(&bytes, FlagOpenings::from_bytes);
    let unsorted = FlagOpenings {
        context: CTX,
        openings: back.openings.into_iter().rev().collect(),
    };
    assert_eq!(unsorted.to_bytes().unwrap_err().code(), "record.malformed");
}

#[test]
fn seal_signs_the_index_and_checks_files() {
    let key = SigningKey::from_bytes(&[4; 32]);
    let index = RecordIndex {
        context: CTX,
        kind: KIND_RECORD.into(),
        files: vec![
            ("aggregates.bin".into(), [1; 32]),
            ("package/manifest.toml".into(), [2; 32]),
        ],
    };
    let bytes = index.to_bytes();
    let sig = index.sign(&key);
    assert_eq!(
        RecordIndex::verify(&bytes, &sig, &key.verifying_key()).unwrap(),
        index
    );
    let other = SigningKey::from_bytes(&[5; 32]);
    assert_eq!(
        RecordIndex::verify(&bytes, &sig, &other.verifying_key())
            .unwrap_err()
            .code(),
        "record.bad_signature"
    );
    assert!(RecordIndex::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(index.check_file("aggregates.bin", &[1; 32]).is_ok());
    assert_eq!(
        index
            .check_file("aggregates.bin", &[0; 32])
            .unwrap_err()
            .code(),
        "record.hash_mismatch"
    );
    assert!(index
        .check_names(["aggregates.bin", "package/manifest.toml", INDEX_FILE])
        .is_ok());
    assert_eq!(
        index.check_names(["aggregates.bin"]).unwrap_err().code(),
        "record.missing_file"
    );
    assert_eq!(
        index
            .check_names(["aggregates.bin", "package/manifest.toml", "x"])
            .unwrap_err()
            .code(),
        "record.extra_file"
    );
    for bad in ["", "/a", "a//b", "../x", "a/./b", "a b", "é"] {
        assert!(!valid_name(bad), "{bad}");
    }
    let unsorted = RecordIndex {
        files: index.files.iter().rev().cloned().collect(),
        ..index
    };
    assert!(RecordIndex::from_bytes(&unsorted.to_bytes()).is_err());
}
