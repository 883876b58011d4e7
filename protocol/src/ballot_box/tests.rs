use super::*;
use crate::hashes::{BallotHash, CertificateHash};
use crate::merkle::MerkleTree;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

const CONTEXT: ContextHash = ContextHash([3u8; 32]);

fn entries(n: u64) -> Vec<(SubmissionRecord, Submission)> {
    (0..n)
        .map(|i| {
            let submission = Submission {
                challenge: crate::challenge::SignedChallenge::sign(
                    &key(),
                    CONTEXT,
                    [i as u8; 32],
                    1_700_000_000,
                    1_700_000_300,
                    crate::challenge::Purpose::Vote,
                ),
                ballot: vec![i as u8; 40],
                certificate: vec![0x30, i as u8],
                signature: vec![9u8; 64],
            };
            let record = SubmissionRecord {
                leaf_index: i,
                received_at: 1_700_000_000 + i as i64,
                voter_id: format!("PNOEE-3800108571{i}"),
                voter_seq: 1,
                ballot_hash: BallotHash([i as u8; 32]),
                certificate_hash: CertificateHash([1u8; 32]),
                signature: vec![9u8; 64],
            };
            (record, submission)
        })
        .collect()
}

fn final_head(entries: &[(SubmissionRecord, Submission)]) -> FinalHead {
    let mut tree = MerkleTree::new();
    for (record, _) in entries {
        tree.push(record.leaf_hash());
    }
    let size = tree.size();
    let root = tree.root(size).unwrap();
    let head = SignedTreeHead::sign(&key(), &CONTEXT, size, root, 1_700_000_100);
    FinalHead::sign(head, &key(), &CONTEXT)
}

fn export(entries: &[(SubmissionRecord, Submission)]) -> Vec<u8> {
    let head = final_head(entries);
    let mut w = BallotBoxWriter::new(Vec::new(), &CONTEXT, &head).unwrap();
    for (record, submission) in entries {
        w.push(&record.to_bytes(), &submission.to_bytes(), &[])
            .unwrap();
    }
    w.finish().unwrap()
}

fn read_all(bytes: &[u8]) -> Result<Vec<BoxEntry>, BallotBoxError> {
    BallotBoxReader::new(bytes)?.collect()
}

#[test]
fn round_trip_is_exact_and_deterministic() {
    let entries = entries(5);
    let bytes = export(&entries);
    assert_eq!(
        bytes,
        export(&entries),
        "exporting twice gives identical bytes"
    );
    let reader = BallotBoxReader::new(bytes.as_slice()).unwrap();
    assert_eq!(reader.context(), &CONTEXT);
    reader
        .final_head()
        .verify(&key().verifying_key(), &CONTEXT)
        .unwrap();
    let read: Vec<BoxEntry> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(read.len(), 5);
    for (got, (record, submission)) in read.iter().zip(&entries) {
        assert_eq!(&got.record, record);
        assert_eq!(&got.submission, submission);
        assert_eq!(got.index, record.leaf_index);
    }
}

#[test]
fn an_empty_box_is_valid() {
    let bytes = export(&[]);
    assert!(read_all(&bytes).unwrap().is_empty());
}

#[test]
fn final_head_layout_round_trips_and_signatures_are_checked() {
    let head = final_head(&entries(2));
    let bytes = head.to_bytes();
    assert_eq!(FinalHead::from_bytes(&bytes).unwrap(), head);
    assert!(FinalHead::from_bytes(&bytes[1..]).is_err());
    let vk = key().verifying_key();
    head.verify(&vk, &CONTEXT).unwrap();
    // The closing signature is over this election only.
    let err = head.verify(&vk, &ContextHash([4u8; 32])).unwrap_err();
    assert_eq!(err.code(), "ballot_box.bad_signature");
    // A plain tree head's signature is not a closing signature.
    let mut forged = head;
    forged.signature = head.head.signature;
    assert_eq!(
        forged.verify(&vk, &CONTEXT).unwrap_err().code(),
        "ballot_box.bad_signature"
    );
    // Any changed byte of the head breaks one of the two signatures.
    for i in 0..FinalHead::LEN {
        let mut bad = bytes;
        bad[i] ^= 1;
        let parsed = FinalHead::from_bytes(&bad).unwrap();
        assert!(parsed.verify(&vk, &CONTEXT).is_err(), "byte {i}");
    }
    let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
    assert!(head.verify(&other, &CONTEXT).is_err());
}

#[test]
fn writer_refuses_a_wrong_number_of_entries() {
    let entries = entries(3);
    let head = final_head(&entries);
    let mut w = BallotBoxWriter::new(Vec::new(), &CONTEXT, &head).unwrap();
    let (record, submission) = &entries[0];
    w.push(&record.to_bytes(), &submission.to_bytes(), &[])
        .unwrap();
    assert_eq!(w.finish().unwrap_err().code(), "ballot_box.count");

    let mut w = BallotBoxWriter::new(Vec::new(), &CONTEXT, &head).unwrap();
    for (record, submission) in &entries {
        w.push(&record.to_bytes(), &submission.to_bytes(), &[])
            .unwrap();
    }
    let err = w
        .push(&record.to_bytes(), &submission.to_bytes(), &[])
        .unwrap_err();
    assert_eq!(err.code(), "ballot_box.count");
}

#[test]
fn every_truncation_is_malformed() {
    let bytes = export(&entries(2));
    for len in 0..bytes.len() {
        let result = read_all(&bytes[..len]);
        let err = result.expect_err("a truncated box must not read");
        assert_eq!(err.code(), "ballot_box.malformed", "length {len}: {err}");
    }
}

#[test]
fn trailing_bytes_are_malformed() {
    let mut bytes = export(&entries(2));
    bytes.push(0);
    let err = read_all(&bytes).unwrap_err();
    assert_eq!(err.code(), "ballot_box.malformed");
    assert!(err.to_string().contains("follow the last"), "{err}");
}

#[test]
fn a_record_out_of_place_is_named() {
    let mut entries = entries(3);
    let head = final_head(&entries);
    entries.swap(1, 2);
    let mut w = BallotBoxWriter::new(Vec::new(), &CONTEXT, &head).unwrap();
    for (record, submission) in &entries {
        w.push(&record.to_bytes(), &submission.to_bytes(), &[])
            .unwrap();
    }
    let bytes = w.finish().unwrap();
    let mut reader = BallotBoxReader::new(bytes.as_slice()).unwrap();
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert!(err.to_string().contains("entry 1"), "{err}");
    assert!(reader.next().is_none(), "the reader stops after an error");
}

#[test]
fn another_file_is_not_a_ballot_box() {
    let err = BallotBoxReader::new(&b"\0\0\0\x13ivote-v1/something"[..]).unwrap_err();
    assert_eq!(err.code(), "ballot_box.malformed");
    let err = BallotBoxReader::new(&[0xff; 64][..]).unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
}

#[test]
fn oversized_lengths_are_refused_before_allocating() {
    let bytes = export(&entries(1));
    let header = 4 + BALLOT_BOX_LABEL.len() + 32 + FinalHead::LEN;
    let mut bad = bytes[..header].to_vec();
    bad.extend_from_slice(&u32::MAX.to_be_bytes());
    let err = read_all(&bad).unwrap_err();
    assert!(err.to_string().contains("entry 0"), "{err}");
}
