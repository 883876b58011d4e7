//! Frozen test vectors: proofs made by v1 still verify, and the generator still makes them.
//!
//! `crypto/tests/vectors/v1.json` was written by [`generate`] below, from fixed seeds:
//!
//! ```sh
//! IVOTE_WRITE_VECTORS=1 cargo test -p ivote-crypto --test vectors -- generator
//! ```
//!
//! Three tests read it: every positive vector verifies with today's code (a verifier must
//! keep accepting what v1 provers made); regenerating gives exactly the same bytes (any change
//! of a transcript, a layout or a derivation shows up here, and then needs a new protocol
//! version, not a silent rewrite of the file); and every negative vector (non-canonical,
//! identity, truncated, extended encodings) is refused. The file is JSON with hex strings so
//! that a second implementation in any language can use it.

// Test code: a malformed vector file must stop the test loudly.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use ivote_crypto::contest::{ContestShape, EncryptedContest, EncryptionSeed, ValueRange};
use ivote_crypto::encoding::{decode_nonidentity_point, decode_point, decode_scalar};
use ivote_crypto::group::{g_table, Identity};
use ivote_crypto::proofs::cds_range::{branch_count, CdsRangeProof};
use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::proofs::schnorr::{SchnorrProof, SchnorrStatement};
use ivote_crypto::proofs::selection::{
    verify_selections, FlagOpening, SelectionProof, SelectionStatement, Selector,
};
use ivote_crypto::proofs::{RangeStatement, RangeSubject};
use ivote_crypto::threshold::decryption::DecryptionShare;
use ivote_crypto::threshold::dkg::KeyShare;
use ivote_crypto::{Ciphertext, ContestPosition, ContextHash, Nonce, PublicKey, Scalar};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v1.json");

fn h(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn arr32(v: &Value) -> [u8; 32] {
    unhex(v).try_into().expect("32 bytes")
}

fn scalar(seed: u64) -> Scalar {
    Scalar::random(&mut ChaCha20Rng::seed_from_u64(seed))
}

fn position_json(p: &ContestPosition) -> Value {
    json!({ "nonce": h(p.nonce), "district": p.district, "contest": p.contest })
}

fn position_from(v: &Value) -> ContestPosition {
    ContestPosition {
        nonce: arr32(&v["nonce"]),
        district: v["district"].as_str().expect("district").into(),
        contest: v["contest"].as_str().expect("contest").into(),
    }
}

fn subject_json(s: RangeSubject) -> Value {
    match s {
        RangeSubject::Selection(i) => json!(i),
        RangeSubject::Sum => json!("sum"),
    }
}

fn subject_from(v: &Value) -> RangeSubject {
    match v.as_u64() {
        Some(i) => RangeSubject::Selection(u32::try_from(i).expect("u32 index")),
        None => RangeSubject::Sum,
    }
}

fn shape_json(shape: &ContestShape) -> Value {
    let selections: Vec<Value> = shape
        .selections()
        .iter()
        .map(|r| json!([r.lo(), r.hi()]))
        .collect();
    json!({ "selections": selections, "sum": [shape.sum().lo(), shape.sum().hi()] })
}

fn range_from(v: &Value) -> ValueRange {
    ValueRange::new(v[0].as_u64().expect("lo"), v[1].as_u64().expect("hi")).expect("range")
}

fn shape_from(v: &Value) -> ContestShape {
    let selections = v["selections"]
        .as_array()
        .expect("selections")
        .iter()
        .map(range_from)
        .collect();
    ContestShape::new(selections, range_from(&v["sum"])).expect("shape")
}

/// Makes every vector from fixed seeds.
fn generate() -> Value {
    let context = ContextHash([0x1c; 32]);
    let secret = scalar(1);
    let pk = PublicKey::from_point(&secret * g_table()).expect("key");
    let mut rng = ChaCha20Rng::seed_from_u64(2);

    let elgamal: Vec<Value> = [0u64, 1, 7, 1_000_000]
        .iter()
        .map(|v| {
            let nonce = Nonce::random(&mut rng);
            let ct = Ciphertext::encrypt(&pk, *v, &nonce);
            json!({ "value": v, "nonce": h(nonce.scalar().as_bytes()), "ciphertext": h(ct.to_bytes()) })
        })
        .collect();

    let position = ContestPosition {
        nonce: [0xa5; 32],
        district: "tallinn-haabersti".into(),
        contest: "riigikogu-2027".into(),
    };
    let cds: Vec<Value> = [
        (RangeSubject::Selection(0), 0u64, 1u64, 0u64),
        (RangeSubject::Selection(1), 0, 1, 1),
        (RangeSubject::Sum, 1, 1, 1),
        (RangeSubject::Selection(3), 2, 7, 5),
    ]
    .iter()
    .map(|(subject, lo, hi, value)| {
        let nonce = Nonce::random(&mut rng);
        let ciphertext = Ciphertext::encrypt(&pk, *value, &nonce);
        let statement = RangeStatement {
            public_key: &pk,
            position: &position,
            subject: *subject,
            lo: *lo,
            hi: *hi,
            ciphertext,
        };
        let proof = CdsRangeProof::prove(&context, &statement, *value, &nonce, &mut rng).expect("prove");
        json!({
            "position": position_json(&position), "subject": subject_json(*subject),
            "lo": lo, "hi": hi, "ciphertext": h(ciphertext.to_bytes()), "proof": h(proof.to_bytes()),
        })
    })
    .collect();

    let schnorr: Vec<Value> = [(1u32, 0u32), (3, 2)]
        .iter()
        .map(|(trustee, coefficient)| {
            let k = Scalar::random(&mut rng);
            let statement = SchnorrStatement {
                public: &k * g_table(),
                trustee: *trustee,
                coefficient: *coefficient,
            };
            let proof = SchnorrProof::prove(&context, &statement, &k, &mut rng).expect("prove");
            json!({
                "trustee": trustee, "coefficient": coefficient,
                "public": h(statement.public.compress().as_bytes()), "proof": h(proof.to_bytes()),
            })
        })
        .collect();

    let key_share_bytes: Vec<u8> = 2u32
        .to_be_bytes()
        .into_iter()
        .chain(*scalar(3).as_bytes())
        .collect();
    let key_share = KeyShare::from_bytes(&key_share_bytes).expect("key share");
    let tally_position = TallyPosition {
        district: "tartu".into(),
        contest: "riigikogu-2027".into(),
        selection: 4,
    };
    let aggregate = Ciphertext::encrypt(&pk, 4242, &Nonce::random(&mut rng));
    let share =
        DecryptionShare::create(&context, &key_share, &aggregate, &tally_position, &mut rng)
            .expect("share");
    let decryption_shares = vec![json!({
        "position": { "district": tally_position.district, "contest": tally_position.contest, "selection": tally_position.selection },
        "verification_key": h(key_share.verification_key().compress().as_bytes()),
        "aggregate": h(aggregate.to_bytes()),
        "share": h(share.to_bytes()),
    })];

    let contests: Vec<Value> = [
        (ContestShape::zero_one(5, ValueRange::new(1, 1).expect("range")).expect("shape"), vec![0u64, 0, 1, 0, 0]),
        (
            ContestShape::new(vec![ValueRange::new(0, 10).expect("range"); 3], ValueRange::new(0, 20).expect("range")).expect("shape"),
            vec![10, 0, 7],
        ),
    ]
    .iter()
    .map(|(shape, values)| {
        let seed = EncryptionSeed::random(&mut rng);
        let contest = EncryptedContest::encrypt(&context, &pk, &position, shape, values, &seed, &mut rng).expect("encrypt");
        json!({
            "position": position_json(&position), "shape": shape_json(shape), "seed": h(seed.as_bytes()),
            "values": values, "encrypted": h(contest.to_bytes()),
        })
    })
    .collect();

    // Selection proofs, from their own seed so that the vectors above stay as they were.
    let mut selection_rng = ChaCha20Rng::seed_from_u64(16);
    let selector = Selector::new(&context, &pk);
    let selection: Vec<Value> = [(1usize, 0usize, true), (3, 1, true), (3, 2, false)]
        .iter()
        .map(|(m, choice, counted)| {
            let ballot: Vec<Ciphertext> = (0..*m)
                .map(|k| {
                    let nonce = Nonce::random(&mut selection_rng);
                    Ciphertext::encrypt(&pk, u64::from(k == *choice), &nonce)
                })
                .collect();
            let selected = selector
                .select(&ballot, *counted, &mut selection_rng)
                .expect("select");
            let cts = |cs: &[Ciphertext]| cs.iter().map(|c| h(c.to_bytes())).collect::<Vec<_>>();
            json!({
                "ballot": cts(&ballot), "selected": cts(&selected.selected),
                "flag": h(selected.flag.to_bytes()), "proof": h(selected.proof.to_bytes()),
                "opening": h(*selected.opening.to_bytes()),
            })
        })
        .collect();

    let g = ivote_crypto::G.compress().to_bytes();
    let mut truncated = g.to_vec();
    truncated.pop();
    let mut extended = g.to_vec();
    extended.push(0);
    let mut odd = [0u8; 32];
    odd[0] = 1;
    let order: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    json!({
        "about": "ivote-v1 test vectors; see crypto/tests/vectors.rs and docs/crypto-spec.md. Hex strings; the secret key and nonces are here so that encryptions can be recomputed.",
        "protocol": "ivote-v1",
        "context": h(context.0),
        "secret_key": h(secret.as_bytes()),
        "public_key": h(pk.to_bytes()),
        "elgamal": elgamal,
        "cds_range": cds,
        "schnorr": schnorr,
        "decryption_share": decryption_shares,
        "contest": contests,
        "selection": selection,
        "negative": {
            "points": [
                { "bytes": h([0xff; 32]), "why": "not a field element below p" },
                { "bytes": h(odd), "why": "negative (odd) field element" },
                { "bytes": h(&truncated), "why": "31 bytes" },
                { "bytes": h(&extended), "why": "33 bytes" },
            ],
            "nonidentity_points": [ { "bytes": h([0u8; 32]), "why": "the identity" } ],
            "scalars": [
                { "bytes": h(order), "why": "the group order l" },
                { "bytes": h([0xff; 32]), "why": "2^256 - 1" },
                { "bytes": h([1u8; 31]), "why": "31 bytes" },
            ],
        },
    })
}

/// A selection vector decoded: ballot, selected ballot, flag, proof, flag opening.
type SelectionVector = (
    Vec<Ciphertext>,
    Vec<Ciphertext>,
    Ciphertext,
    SelectionProof,
    FlagOpening,
);

fn stored() -> Value {
    let text = std::fs::read_to_string(PATH).expect("read crypto/tests/vectors/v1.json");
    serde_json::from_str(&text).expect("vectors are JSON")
}

#[test]
fn generator_reproduces_the_frozen_vectors() {
    let fresh = generate();
    if std::env::var_os("IVOTE_WRITE_VECTORS").is_some() {
        let text = serde_json::to_string_pretty(&fresh).expect("json") + "\n";
        std::fs::write(PATH, text).expect("write vectors");
    }
    assert!(
        fresh == stored(),
        "the generator no longer makes the frozen v1 vectors: a transcript, layout or derivation \
         changed. That needs a new protocol version; see the module docs."
    );
}

#[test]
fn frozen_vectors_verify() {
    let v = stored();
    let context = ContextHash(arr32(&v["context"]));
    let secret = decode_scalar(&unhex(&v["secret_key"]), "secret").expect("secret");
    let pk = PublicKey::from_bytes(&unhex(&v["public_key"])).expect("key");
    assert_eq!(&secret * g_table(), *pk.point());
    let mut rng = ChaCha20Rng::seed_from_u64(0);

    for e in v["elgamal"].as_array().expect("elgamal") {
        let nonce = Nonce::from_scalar(decode_scalar(&unhex(&e["nonce"]), "nonce").expect("nonce"));
        let ct = Ciphertext::encrypt(&pk, e["value"].as_u64().expect("value"), &nonce);
        assert_eq!(ct.to_bytes().to_vec(), unhex(&e["ciphertext"]));
    }
    for e in v["cds_range"].as_array().expect("cds") {
        let position = position_from(&e["position"]);
        let (lo, hi) = (e["lo"].as_u64().expect("lo"), e["hi"].as_u64().expect("hi"));
        let statement = RangeStatement {
            public_key: &pk,
            position: &position,
            subject: subject_from(&e["subject"]),
            lo,
            hi,
            ciphertext: Ciphertext::from_bytes(&unhex(&e["ciphertext"])).expect("ciphertext"),
        };
        let proof =
            CdsRangeProof::from_bytes(&unhex(&e["proof"]), branch_count(lo, hi).expect("range"))
                .expect("proof");
        proof
            .verify(&context, &statement)
            .expect("frozen CDS proof verifies");
        let mut other = statement;
        other.hi += 1;
        assert!(CdsRangeProof::from_bytes(
            &unhex(&e["proof"]),
            branch_count(lo, hi).expect("range")
        )
        .expect("proof")
        .verify(&context, &other)
        .is_err());
    }
    for e in v["schnorr"].as_array().expect("schnorr") {
        let statement = SchnorrStatement {
            public: decode_point(&unhex(&e["public"]), "K").expect("K"),
            trustee: e["trustee"].as_u64().expect("trustee") as u32,
            coefficient: e["coefficient"].as_u64().expect("coefficient") as u32,
        };
        SchnorrProof::from_bytes(&unhex(&e["proof"]))
            .expect("proof")
            .verify(&context, &statement)
            .expect("frozen Schnorr proof verifies");
    }
    for e in v["decryption_share"].as_array().expect("shares") {
        let position = TallyPosition {
            district: e["position"]["district"].as_str().expect("district").into(),
            contest: e["position"]["contest"].as_str().expect("contest").into(),
            selection: e["position"]["selection"].as_u64().expect("selection") as u32,
        };
        let vk = decode_point(&unhex(&e["verification_key"]), "Y_j").expect("Y_j");
        let aggregate = Ciphertext::from_bytes(&unhex(&e["aggregate"])).expect("aggregate");
        DecryptionShare::from_bytes(&unhex(&e["share"]))
            .expect("share")
            .verify(&context, &vk, &aggregate, &position)
            .expect("frozen decryption share verifies");
    }
    for e in v["contest"].as_array().expect("contests") {
        let position = position_from(&e["position"]);
        let shape = shape_from(&e["shape"]);
        let contest =
            EncryptedContest::from_bytes(&unhex(&e["encrypted"]), &shape).expect("contest");
        contest
            .verify(&context, &pk, &position, &shape, &mut rng)
            .expect("frozen contest verifies");
        let values: Vec<u64> = e["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|x| x.as_u64().expect("u64"))
            .collect();
        let seed = EncryptionSeed::from_bytes(arr32(&e["seed"]));
        assert_eq!(
            contest
                .open_with_seed(&pk, &position, &shape, &seed)
                .expect("opens"),
            values
        );
    }

    let ciphertexts = |v: &Value| -> Vec<Ciphertext> {
        v.as_array()
            .expect("ciphertexts")
            .iter()
            .map(|c| Ciphertext::from_bytes(&unhex(c)).expect("ciphertext"))
            .collect()
    };
    let selections: Vec<SelectionVector> = v["selection"]
        .as_array()
        .expect("selection")
        .iter()
        .map(|e| {
            (
                ciphertexts(&e["ballot"]),
                ciphertexts(&e["selected"]),
                Ciphertext::from_bytes(&unhex(&e["flag"])).expect("flag"),
                SelectionProof::from_bytes(&unhex(&e["proof"])).expect("proof"),
                FlagOpening::from_bytes(&unhex(&e["opening"])).expect("opening"),
            )
        })
        .collect();
    assert!(!selections.is_empty());
    let items: Vec<(SelectionStatement<'_>, &SelectionProof)> = selections
        .iter()
        .map(|(ballot, selected, flag, proof, _)| {
            let statement = SelectionStatement {
                key: &pk,
                ballot,
                selected,
                flag,
            };
            (statement, proof)
        })
        .collect();
    for ((statement, proof), (ballot, selected, flag, _, opening)) in items.iter().zip(&selections)
    {
        proof
            .verify(&context, statement)
            .expect("frozen selection proof verifies");
        opening.check(&pk, flag).expect("frozen flag opening opens");
        // What the flag and the selected ballot decrypt to (the secret key is in the file).
        let counted = u64::from(opening.counted());
        assert_eq!(
            flag.decrypt_to_point(&secret),
            Scalar::from(counted) * ivote_crypto::G
        );
        for (c, b) in selected.iter().zip(ballot) {
            let expected = if opening.counted() {
                b.decrypt_to_point(&secret)
            } else {
                ivote_crypto::Point::identity()
            };
            assert_eq!(c.decrypt_to_point(&secret), expected);
        }
    }
    verify_selections(&context, &items, &mut rng).expect("frozen selection proofs batch-verify");
    // Vectors 1 and 2 have the same m: each proof refuses the other's ballot.
    let (a, b) = (&items[1], &items[2]);
    assert!(a
        .1
        .verify(
            &context,
            &SelectionStatement {
                ballot: b.0.ballot,
                ..a.0
            }
        )
        .is_err());
    assert!(b
        .1
        .verify(
            &context,
            &SelectionStatement {
                ballot: a.0.ballot,
                ..b.0
            }
        )
        .is_err());
}

#[test]
fn negative_vectors_are_refused() {
    let v = stored();
    let neg = &v["negative"];
    for e in neg["points"].as_array().expect("points") {
        assert!(
            decode_point(&unhex(&e["bytes"]), "p").is_err(),
            "{}",
            e["why"]
        );
    }
    for e in neg["nonidentity_points"].as_array().expect("points") {
        assert!(
            decode_nonidentity_point(&unhex(&e["bytes"]), "p").is_err(),
            "{}",
            e["why"]
        );
        assert!(
            PublicKey::from_bytes(&unhex(&e["bytes"])).is_err(),
            "{}",
            e["why"]
        );
    }
    for e in neg["scalars"].as_array().expect("scalars") {
        assert!(
            decode_scalar(&unhex(&e["bytes"]), "s").is_err(),
            "{}",
            e["why"]
        );
    }
}
