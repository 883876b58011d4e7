use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::{PublicKey, Scalar, G};
use ivote_eid::insecure_demo_pki::{DemoCa, DemoKeyUsage, DemoVoter, VoterSpec};
use ivote_eid::{Crl, KeyAlgorithm, TrustAnchors};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;
use crate::ballot::{Ballot, BallotShapes};
use crate::ballot_box::BoxEntry;
use crate::hashes::CertificateHash;
use crate::package::ContextHash;
use crate::roll::{demo_estonian_code, Country};
use crate::submission::{vote_message, Submission, SubmissionRecord};
use crate::{ElectionManifest, VoterRoll, WindowCheck};

const MANIFEST: &str = include_str!("../../../docs/examples/manifest.toml");
/// 2023-11-14 22:13:20 UTC: "now" in the tests.
const NOW: i64 = 1_700_000_000;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
const ALGORITHMS: [KeyAlgorithm; 3] = [
    KeyAlgorithm::Ed25519,
    KeyAlgorithm::EcdsaP256,
    KeyAlgorithm::EcdsaP384,
];
const ON_ROLL: &str = "38001085718";
const OFF_ROLL: &str = "49403136526";
const CTX: ContextHash = ContextHash([5; 32]);

fn ca(name: &str, algorithm: KeyAlgorithm) -> DemoCa {
    DemoCa::new(name, algorithm, NOW - YEAR, NOW + 10 * YEAR).unwrap()
}

fn spec(code: &str, algorithm: KeyAlgorithm) -> VoterSpec {
    VoterSpec::new(code, algorithm, NOW - 30 * DAY, NOW + 5 * YEAR)
}

fn voter(ca: &DemoCa, code: &str, algorithm: KeyAlgorithm) -> DemoVoter {
    ca.issue(&spec(code, algorithm)).unwrap()
}

/// The example election (window around [`NOW`]) trusting `ca`, with [`ON_ROLL`] in tartu.
fn election(ca: &DemoCa, crl: Option<Crl>) -> LoadedElection {
    let m = ElectionManifest::from_toml(MANIFEST, WindowCheck::AllowPast).unwrap();
    let csv = format!("id_code,district\n{ON_ROLL},tartu\n");
    let roll = VoterRoll::parse(csv.as_bytes(), Country::EE, &m).unwrap();
    let package = LoadedPackage {
        context: CTX,
        joint_key: PublicKey::from_point(G * Scalar::from(11u64)).unwrap(),
        shapes: BallotShapes::from_manifest(&m).unwrap(),
        anchors: TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap(),
        crl,
        starts: NOW - DAY,
        ends: NOW + DAY,
    };
    LoadedElection::with_roll(package, roll)
}

fn crl(ca: &DemoCa, revoked: &[u64]) -> Crl {
    let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap();
    Crl::from_der(
        &ca.crl(revoked, NOW - DAY, NOW + DAY).unwrap().der,
        &anchors,
    )
    .unwrap()
}

/// A ballot for `district`, signed by `v`.
fn submission(el: &LoadedElection, v: &DemoVoter, district: &str) -> (Submission, Ballot) {
    let mut rng = StdRng::seed_from_u64(7);
    let choices: &[Vec<u64>] = match district {
        "tartu" => &[vec![0, 1], vec![1, 0, 1]],
        _ => &[vec![1, 0, 0, 0]],
    };
    let ballot = Ballot::encrypt(
        &el.context,
        &el.joint_key,
        &el.shapes,
        district,
        [3; 32],
        choices,
        &EncryptionSeed::random(&mut rng),
        &mut rng,
    )
    .unwrap();
    let bytes = ballot.to_bytes();
    let hash = crate::ballot::ballot_hash(&bytes);
    let signature = v.key().unwrap().sign(&vote_message(&el.context, &hash));
    let sub = Submission {
        ballot: bytes,
        certificate: v.cert_der().to_vec(),
        signature,
    };
    (sub, ballot)
}

fn code<T>(r: Result<T, Rejection>) -> &'static str {
    r.map(|_| "accepted").unwrap_or_else(|e| e.code())
}

#[test]
fn valid_voter_on_the_roll_is_accepted_for_each_algorithm() {
    for alg in ALGORITHMS {
        let ca = ca("Demo CA", alg);
        let el = election(&ca, Some(crl(&ca, &[])));
        let v = voter(&ca, ON_ROLL, alg);
        let (sub, ballot) = submission(&el, &v, "tartu");
        let a = el.check_submission(&sub, &ballot, NOW).unwrap();
        assert_eq!(a.voter_id, format!("PNOEE-{ON_ROLL}"));
        assert_eq!(a.district, el.roll.district_of(ON_ROLL).unwrap());
        assert_eq!(a.ballot_hash, crate::ballot::ballot_hash(&sub.ballot));
        let mut rng = StdRng::seed_from_u64(1);
        assert!(el.verify_proofs(&[&a.ballot], &mut rng).is_empty());
        // Once validated, the certificate is cached; its status is checked again.
        assert_eq!(el.certificates.len(), 1);
        let again = el.check_submission(&sub, &ballot, NOW + 60).unwrap();
        assert_eq!(again.voter_id, a.voter_id);
        let cert = el
            .anchors
            .validate(v.cert_der(), NOW, el.crl.as_ref())
            .unwrap();
        assert_eq!(el.district_of(&cert, NOW).unwrap(), a.district);
    }
}

#[test]
fn each_refusal_has_its_code() {
    let alg = KeyAlgorithm::EcdsaP384;
    let ca = ca("Demo CA", alg);
    let check = |v: &DemoVoter, crl: Option<Crl>| {
        let el = election(&ca, crl);
        let (sub, ballot) = submission(&el, v, "tartu");
        code(el.check_submission(&sub, &ballot, NOW))
    };

    let mut s = spec(ON_ROLL, alg);
    s.not_after = NOW - DAY;
    s.not_before = NOW - YEAR;
    assert_eq!(check(&ca.issue(&s).unwrap(), None), "eid.expired");

    let mut s = spec(ON_ROLL, alg);
    s.not_before = NOW + DAY;
    assert_eq!(check(&ca.issue(&s).unwrap(), None), "eid.not_yet_valid");

    let mut s = spec(ON_ROLL, alg);
    s.key_usage = DemoKeyUsage::KeyEnciphermentOnly;
    assert_eq!(check(&ca.issue(&s).unwrap(), None), "eid.key_usage");

    let stranger = self::ca("Other CA", alg);
    assert_eq!(
        check(&voter(&stranger, ON_ROLL, alg), None),
        "eid.unknown_issuer"
    );

    let v = voter(&ca, ON_ROLL, alg);
    assert_eq!(check(&v, Some(crl(&ca, &[v.serial]))), "eid.revoked");
    assert_eq!(check(&v, None), "accepted");

    let off = voter(&ca, OFF_ROLL, alg);
    let el = election(&ca, None);
    let (sub, ballot) = submission(&el, &off, "tartu");
    let r = el.check_submission(&sub, &ballot, NOW);
    assert_eq!(
        code(r.as_ref().map(|_| ()).map_err(Clone::clone)),
        "eid.not_on_roll"
    );
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains(&format!("PNOEE-{OFF_ROLL}")), "{msg}");

    // The ballot for another district than the voter's, then a signature by another key.
    let (sub, ballot) = submission(&el, &v, "tallinn");
    assert_eq!(
        code(el.check_submission(&sub, &ballot, NOW)),
        "voter.wrong_district"
    );
    let (mut sub, ballot) = submission(&el, &v, "tartu");
    sub.signature = voter(&ca, ON_ROLL, alg)
        .key()
        .unwrap()
        .sign(b"another message");
    assert_eq!(
        code(el.check_submission(&sub, &ballot, NOW)),
        "eid.bad_signature"
    );
    // A ballot made for another election.
    let (sub, _) = submission(&el, &v, "tartu");
    let mut ballot = Ballot::from_bytes(&sub.ballot).unwrap();
    ballot.context = ContextHash([6; 32]);
    assert_eq!(
        code(el.check_submission(&sub, &ballot, NOW)),
        "ballot.wrong_election"
    );
}

fn entry(sub: &Submission, voter_id: &str, received_at: i64) -> BoxEntry {
    BoxEntry {
        index: 0,
        record: SubmissionRecord {
            leaf_index: 0,
            received_at,
            voter_id: voter_id.to_owned(),
            voter_seq: 1,
            ballot_hash: crate::ballot::ballot_hash(&sub.ballot),
            certificate_hash: CertificateHash::of(&sub.certificate),
            signature: sub.signature.clone(),
        },
        submission: sub.clone(),
    }
}

#[test]
fn box_entries_are_checked_at_their_receive_time_after_the_log() {
    let alg = KeyAlgorithm::Ed25519;
    let ca = ca("Demo CA", alg);
    let el = election(&ca, None);
    let v = voter(&ca, ON_ROLL, alg);
    let (sub, _) = submission(&el, &v, "tartu");
    let id = format!("PNOEE-{ON_ROLL}");
    let refusal = |e: &BoxEntry| el.check_box_entry(e).map(|_| ()).unwrap_err();

    assert!(el.check_box_entry(&entry(&sub, &id, NOW)).is_ok());
    assert_eq!(
        refusal(&entry(&sub, &id, el.ends)),
        EntryRefusal::Invalid(Rejection::AfterClose)
    );
    assert_eq!(Rejection::AfterClose.code(), "tally.after_close");

    // The log comes first: a changed signature is tampering even after the close.
    let mut e = entry(&sub, &id, el.ends);
    e.submission.signature[0] ^= 1;
    assert_eq!(
        refusal(&e),
        EntryRefusal::Tampered(LogMismatch::Differs(vec!["signature"]))
    );
    assert_eq!(
        refusal(&e).to_string(),
        "its signature differs from the logged record"
    );

    // Another voter id in the record than the certificate's.
    let e = entry(&sub, "PNOEE-49403136526", NOW);
    assert_eq!(
        refusal(&e).to_string(),
        format!("its certificate is {id}'s, the record says PNOEE-49403136526")
    );

    // A ballot that is not a ballot layout, logged as such.
    let mut bad = sub.clone();
    bad.ballot.truncate(10);
    let e = entry(&bad, &id, NOW);
    match refusal(&e) {
        EntryRefusal::Invalid(r) => assert_eq!(r.code(), "ballot.malformed"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn demo_voters_with_demo_codes_are_distinct_valid_voters() {
    // The demo PKI mints certificates for the roll's demo codes (moved from ivote-eid, which
    // no longer knows the roll's codes).
    let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
    let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap();
    let codes: Vec<String> = (0..50).map(|i| demo_estonian_code(i).unwrap()).collect();
    let voters = ca
        .issue_many(&codes, KeyAlgorithm::Ed25519, NOW - DAY, NOW + YEAR)
        .unwrap();
    let mut ids = std::collections::HashSet::new();
    for v in &voters {
        assert_eq!(Country::EE.check_id_code(&v.code), Ok(()));
        let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
        assert_eq!(cert.national_id(), v.code);
        let cn = cert.common_name().unwrap();
        assert_eq!(cn.split(',').count(), 3, "{cn}");
        assert!(cn.ends_with(&v.code));
        assert!(ids.insert(cert.voter_id().to_owned()));
    }
}
