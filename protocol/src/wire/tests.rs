use serde_json::json;

use super::*;

fn status() -> Status {
    Status {
        accepted: 3,
        final_head: Some(FinalHead {
            closing_signature: [1; 64],
            layout: vec![2; 176],
            root: [3; 32],
            signature: [4; 64],
            size: 3,
            timestamp: 1_800_000_000,
        }),
        rejected: [("challenge.used".to_owned(), 2)].into(),
        state: BoxState::Closed,
    }
}

/// The bytes are those of the `json!` values the collector built before these types.
#[test]
fn the_bytes_on_the_wire_are_the_old_ones() {
    let same = |typed: String, old: serde_json::Value| assert_eq!(typed, old.to_string());
    let e = ElectionFacts {
        challenge_ttl: 300,
        collector_key: [1; 32],
        context: ContextHash([2; 32]),
        joint_key: [3; 32],
        manifest: "election_id = \"x\"\n".into(),
        voting_ends: 20,
        voting_starts: 10,
    };
    same(
        serde_json::to_string(&e).unwrap(),
        json!({
            "context": hex::encode([2; 32]),
            "manifest": e.manifest,
            "joint_key": hex::encode([3; 32]),
            "collector_key": hex::encode([1; 32]),
            "voting_starts": 10,
            "voting_ends": 20,
            "challenge_ttl": 300,
        }),
    );
    let s = status();
    let f = s.final_head.clone().unwrap();
    same(
        serde_json::to_string(&s).unwrap(),
        json!({
            "state": "closed",
            "accepted": 3,
            "rejected": { "challenge.used": 2 },
            "final_head": {
                "size": 3,
                "root": hex::encode(f.root),
                "timestamp": f.timestamp,
                "signature": hex::encode(f.signature),
                "closing_signature": hex::encode(f.closing_signature),
                "layout": hex::encode(&f.layout),
            },
        }),
    );
    same(
        serde_json::to_string(&InclusionProof {
            leaf: 1,
            proof: vec![[5; 32], [6; 32]],
            size: 4,
        })
        .unwrap(),
        json!({ "leaf": 1, "size": 4, "proof": [hex::encode([5; 32]), hex::encode([6; 32])] }),
    );
    same(
        serde_json::to_string(&PackageContents {
            files: [("a.toml".to_owned(), b"x = 1".to_vec())].into(),
        })
        .unwrap(),
        json!({ "files": { "a.toml": hex::encode(b"x = 1") } }),
    );
    // The close request was a derived struct: its field order is the declaration's.
    assert_eq!(
        serde_json::to_string(&CloseRequest {
            timestamp: 7,
            signature: [0xab; 64],
        })
        .unwrap(),
        format!("{{\"timestamp\":7,\"signature\":\"{}\"}}", "ab".repeat(64))
    );
}

#[test]
fn every_type_reads_what_it_writes() {
    let s = status();
    let text = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Status>(&text).unwrap(), s);
    let open = Status {
        final_head: None,
        state: BoxState::TestVotes,
        ..status()
    };
    let text = serde_json::to_string(&open).unwrap();
    assert!(text.contains("\"final_head\":null"), "{text}");
    assert!(text.contains("\"state\":\"test_votes\""), "{text}");
    assert_eq!(serde_json::from_str::<Status>(&text).unwrap(), open);
    let b = StoredBallot {
        ballot_id: BallotHash([9; 32]),
        leaf_index: 4,
        latest_voter_seq: 3,
        received_at: -1,
        submission: vec![1, 2, 3],
        voter_seq: 2,
    };
    let text = serde_json::to_string(&b).unwrap();
    assert_eq!(serde_json::from_str::<StoredBallot>(&text).unwrap(), b);
}

#[test]
fn hex_is_read_strictly_with_a_clear_error() {
    let challenge = |nonce: &str| {
        serde_json::from_value::<Challenge>(json!({
            "expires_at": 1, "issued_at": 0, "layout": "", "nonce": nonce, "purpose": "vote"
        }))
        .map_err(|e| e.to_string())
    };
    assert_eq!(challenge(&"0a".repeat(32)).unwrap().nonce, [10; 32]);
    // Upper case is read, as the collector always did.
    assert_eq!(challenge(&"0A".repeat(32)).unwrap().nonce, [10; 32]);
    let short = challenge(&"0a".repeat(31)).unwrap_err();
    assert!(
        short.contains("expected 32 bytes (64 hex digits), found 31"),
        "{short}"
    );
    let odd = challenge(&"0".repeat(63)).unwrap_err();
    assert!(odd.contains("not hex"), "{odd}");
    let junk = challenge(&"zz".repeat(32)).unwrap_err();
    assert!(junk.contains("not hex"), "{junk}");
    let proof = serde_json::from_value::<ConsistencyProof>(
        json!({ "from": 1, "to": 2, "proof": ["00", hex::encode([1; 32])] }),
    )
    .unwrap_err()
    .to_string();
    assert!(proof.contains("expected 32 bytes"), "{proof}");
    let files = serde_json::from_value::<PackageContents>(json!({ "files": { "a": "xyz" } }))
        .unwrap_err()
        .to_string();
    assert!(files.contains("the file a: not hex"), "{files}");
    let extra = serde_json::from_value::<CloseRequest>(
        json!({ "timestamp": 1, "signature": "ab".repeat(64), "more": 1 }),
    );
    assert!(extra.is_err());
    let close =
        serde_json::from_value::<CloseRequest>(json!({ "timestamp": 1, "signature": "xyz" }))
            .unwrap_err()
            .to_string();
    assert!(close.contains("not hex"), "{close}");
}

#[test]
fn a_challenge_is_its_layout_and_fields_that_agree() {
    use crate::challenge::{Purpose, SignedChallenge};
    let key = ed25519_dalek::SigningKey::from_bytes(&[2; 32]);
    let c = SignedChallenge::sign(&key, ContextHash([1; 32]), [3; 32], 10, 20, Purpose::Test);
    let wire = Challenge::from(&c);
    let text = serde_json::to_string(&wire).unwrap();
    assert!(text.contains("\"purpose\":\"test\""), "{text}");
    let back: Challenge = serde_json::from_str(&text).unwrap();
    assert_eq!(back.signed().unwrap(), c);
    // Fields that say otherwise than the signed layout are refused.
    let lying = Challenge {
        expires_at: 30,
        ..wire.clone()
    };
    assert!(lying.signed().is_err());
    let lying = Challenge {
        purpose: Purpose::Vote,
        ..wire.clone()
    };
    assert!(lying.signed().is_err());
    let short = Challenge {
        layout: wire.layout[..100].to_vec(),
        ..wire
    };
    assert!(short.signed().is_err());
}

#[test]
fn heads_keep_their_layout() {
    let head = SignedTreeHead {
        size: 5,
        root: [7; 32],
        timestamp: 99,
        signature: [8; 64],
    };
    let wire = TreeHead::from(&head);
    assert_eq!(SignedTreeHead::from_bytes(&wire.layout).unwrap(), head);
    assert_eq!((wire.size, wire.root, wire.timestamp), (5, [7; 32], 99));
    let f = ballot_box::FinalHead {
        head,
        signature: [6; 64],
    };
    let wire = FinalHead::from(&f);
    assert_eq!(ballot_box::FinalHead::from_bytes(&wire.layout).unwrap(), f);
    assert_eq!(wire.closing_signature, [6; 64]);
}
