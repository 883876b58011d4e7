use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::{PublicKey, Scalar, G};
use ivote_eid::insecure_demo_pki::{DemoCa, DemoKeyUsage, DemoShape, DemoVoter, VoterSpec};
use ivote_eid::{Crl, KeyAlgorithm, TrustAnchors};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;
use crate::ballot::{Ballot, BallotShapes};
use crate::ballot_box::BoxEntry;
use crate::challenge::{Purpose, SignedChallenge};
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
const ALGORITHMS: [KeyAlgorithm; 5] = [
    KeyAlgorithm::Ed25519,
    KeyAlgorithm::EcdsaP256,
    KeyAlgorithm::EcdsaP384,
    KeyAlgorithm::EcdsaP521,
    KeyAlgorithm::Rsa(2048),
];
const ON_ROLL: &str = "38001085718";
const OFF_ROLL: &str = "49403136526";
/// A second voter on the roll, in tartu.
const ON_ROLL_2: &str = "37605030299";
const CTX: ContextHash = ContextHash([5; 32]);

fn collector() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[12; 32])
}

/// A real-vote challenge issued a minute before [`NOW`].
fn challenge() -> SignedChallenge {
    SignedChallenge::sign(
        &collector(),
        CTX,
        [3; 32],
        NOW - 60,
        NOW + 240,
        Purpose::Vote,
    )
}

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
    let csv = format!("id_code,district\n{ON_ROLL},tartu\n{ON_ROLL_2},tartu\n");
    let roll = VoterRoll::parse(csv.as_bytes(), Country::EE, &m).unwrap();
    let package = LoadedPackage {
        context: CTX,
        joint_key: PublicKey::from_point(G * Scalar::from(11u64)).unwrap(),
        collector_key: collector().verifying_key(),
        shapes: BallotShapes::from_manifest(&m).unwrap(),
        anchors: TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap(),
        crl,
        ocsp: Default::default(),
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

/// A ballot for `district`, made for [`challenge`] and signed by `v`.
fn submission(el: &LoadedElection, v: &DemoVoter, district: &str) -> (Submission, Ballot) {
    made_for(el, v, v, district)
}

/// A ballot made for [`challenge`] and `maker`'s certificate, signed by `signer` and sent
/// with `signer`'s certificate.
fn made_for(
    el: &LoadedElection,
    maker: &DemoVoter,
    signer: &DemoVoter,
    district: &str,
) -> (Submission, Ballot) {
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
        challenge().ballot_nonce(&CertificateHash::of(maker.cert_der())),
        choices,
        &EncryptionSeed::random(&mut rng),
        &mut rng,
    )
    .unwrap();
    let bytes = ballot.to_bytes();
    let hash = crate::ballot::ballot_hash(&bytes);
    let signature = signer
        .key()
        .unwrap()
        .sign(&vote_message(&el.context, &hash))
        .unwrap();
    let sub = Submission {
        challenge: challenge(),
        ballot: bytes,
        certificate: signer.cert_der().to_vec(),
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
fn each_real_e_id_shape_is_accepted_and_its_tampered_ballots_refused() {
    // ID cards (P-521 CA over P-384 with SHA-512; P-384), Mobile-ID (P-256, RSA-2048),
    // Smart-ID (RSA-4096, RSA-6144), each through the submission's bytes.
    for shape in DemoShape::ALL {
        let ca = shape.ca(NOW - YEAR, NOW + 10 * YEAR).unwrap();
        let el = election(&ca, Some(crl(&ca, &[])));
        let v = ca
            .issue(&shape.spec(ON_ROLL, NOW - 30 * DAY, NOW + 5 * YEAR))
            .unwrap();
        let (sub, ballot) = submission(&el, &v, "tartu");
        let sub = Submission::from_bytes(&sub.to_bytes()).unwrap();
        assert_eq!(sub.signature.len(), shape.voter_algorithm().signature_len());
        let a = el.check_submission(&sub, &ballot, NOW).unwrap();
        assert_eq!(a.voter_id, format!("PNOEE-{ON_ROLL}"), "{shape:?}");
        // A flipped signature bit; the signature of another ballot.
        let mut forged = sub.clone();
        forged.signature[5] ^= 1;
        assert_eq!(
            code(el.check_submission(&forged, &ballot, NOW)),
            "eid.bad_signature",
            "{shape:?}"
        );
        let (other, _) = submission(&el, &v, "tallinn");
        let mut swapped = sub.clone();
        swapped.signature = other.signature;
        assert_eq!(
            code(el.check_submission(&swapped, &ballot, NOW)),
            "eid.bad_signature",
            "{shape:?}"
        );
        // The card's signing (PIN2) certificate does not sign ballots.
        let mut s = shape.spec(ON_ROLL, NOW - 30 * DAY, NOW + 5 * YEAR);
        s.key_usage = DemoKeyUsage::NonRepudiation;
        let signing = ca.issue(&s).unwrap();
        let (sub, ballot) = submission(&el, &signing, "tartu");
        assert_eq!(
            code(el.check_submission(&sub, &ballot, NOW)),
            "eid.signing_certificate",
            "{shape:?}"
        );
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
        .sign(b"another message")
        .unwrap();
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
        ocsp: None,
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
    let fault = |e: &BoxEntry| match refusal(e) {
        EntryRefusal::Tampered(m) => m.code(),
        other => panic!("{other:?}"),
    };

    assert!(el.check_box_entry(&entry(&sub, &id, NOW)).is_ok());

    // The log comes first: a changed signature is tampering whatever the time.
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
    assert_eq!(fault(&e), "log.differs");

    // Another voter id in the record than the certificate's.
    let e = entry(&sub, "PNOEE-49403136526", NOW);
    assert_eq!(
        refusal(&e).to_string(),
        format!("its certificate is {id}'s, the record says PNOEE-49403136526")
    );
    assert_eq!(fault(&e), "log.voter_id");

    // A ballot that is not a ballot layout, logged as such.
    let mut bad = sub.clone();
    bad.ballot.truncate(10);
    let e = entry(&bad, &id, NOW);
    match refusal(&e) {
        EntryRefusal::Invalid(r) => assert_eq!(r.code(), "ballot.malformed"),
        other => panic!("{other:?}"),
    }
}

/// A submission of [`ON_ROLL`] made for `c` (signed by the voter), logged at `at`.
fn entry_for(el: &LoadedElection, v: &DemoVoter, c: SignedChallenge, at: i64) -> BoxEntry {
    let mut rng = StdRng::seed_from_u64(8);
    let ballot = Ballot::encrypt(
        &el.context,
        &el.joint_key,
        &el.shapes,
        "tartu",
        c.ballot_nonce(&CertificateHash::of(v.cert_der())),
        &[vec![0, 1], vec![1, 0, 1]],
        &EncryptionSeed::random(&mut rng),
        &mut rng,
    )
    .unwrap();
    let key = v.key().unwrap();
    let sealed = Submission::seal_layout(&el.context, &c, ballot.to_bytes(), v.cert_der(), |m| {
        key.sign(m)
    })
    .unwrap();
    entry(&sealed.submission, &format!("PNOEE-{}", v.code), at)
}

#[test]
fn box_entries_under_a_challenge_the_collector_did_not_sign_or_timed_outside_it_are_refused() {
    let alg = KeyAlgorithm::Ed25519;
    let ca = ca("Demo CA", alg);
    let el = election(&ca, None);
    let v = voter(&ca, ON_ROLL, alg);
    let (starts, ends) = el.voting_window();
    let sign = |key: &ed25519_dalek::SigningKey, ctx, issued, expires, purpose| {
        SignedChallenge::sign(key, ctx, [9; 32], issued, expires, purpose)
    };
    let code = |c: SignedChallenge, at: i64| match el.check_box_entry(&entry_for(&el, &v, c, at)) {
        Ok(_) => "accepted",
        Err(EntryRefusal::Tampered(m)) => m.code(),
        Err(EntryRefusal::Invalid(r)) => panic!("invalid, not the collector's fault: {r:?}"),
    };
    let real = sign(&collector(), CTX, NOW, NOW + 300, Purpose::Vote);
    assert_eq!(code(real, NOW + 10), "accepted");
    // A challenge signed by another key, or for another election.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[13; 32]);
    assert_eq!(
        code(
            sign(&stranger, CTX, NOW, NOW + 300, Purpose::Vote),
            NOW + 10
        ),
        "challenge.bad_signature"
    );
    assert_eq!(
        code(
            sign(
                &collector(),
                ContextHash([6; 32]),
                NOW,
                NOW + 300,
                Purpose::Vote
            ),
            NOW + 10
        ),
        "challenge.wrong_election"
    );
    // Received before its challenge was issued, or at or after it expired.
    assert_eq!(code(real, NOW - 1), "challenge.outside_lifetime");
    assert_eq!(code(real, NOW + 300), "challenge.outside_lifetime");
    // A real vote timed before the window (to be dropped as a test vote) or at its end
    // (`voting_ends` is outside the window).
    let early = sign(&collector(), CTX, starts - 100, starts + 200, Purpose::Vote);
    assert_eq!(
        code(early, starts - 1),
        "challenge.real_vote_outside_window"
    );
    assert_eq!(code(early, starts), "accepted");
    let late = sign(&collector(), CTX, ends - 100, ends + 200, Purpose::Vote);
    assert_eq!(code(late, ends - 1), "accepted");
    assert_eq!(code(late, ends), "challenge.real_vote_outside_window");
    // A test vote is only a test vote before the window.
    let test = sign(&collector(), CTX, starts - 100, starts + 200, Purpose::Test);
    assert_eq!(code(test, starts - 1), "accepted");
    assert_eq!(code(test, starts), "challenge.test_vote_in_window");

    // The collector swaps a ballot's challenge for another it signed: the ballot's nonce
    // is not the new challenge's.
    let mut e = entry_for(&el, &v, real, NOW + 10);
    e.submission.challenge = sign(&collector(), CTX, NOW, NOW + 301, Purpose::Vote);
    assert_eq!(
        el.check_box_entry(&e).map(|_| ()).unwrap_err(),
        EntryRefusal::Tampered(LogMismatch::NonceMismatch)
    );
    assert_eq!(LogMismatch::NonceMismatch.code(), "ballot.nonce_mismatch");
}

#[test]
fn a_blocked_ballot_recast_under_another_voters_certificate_is_refused() {
    // An on-path proxy blocks the victim's submission (valid proofs, an unused challenge)
    // and has it signed and sent under another voter's certificate.
    let alg = KeyAlgorithm::Ed25519;
    let ca = ca("Demo CA", alg);
    let el = election(&ca, None);
    let victim = voter(&ca, ON_ROLL, alg);
    let other = voter(&ca, ON_ROLL_2, alg);
    let (own, ballot) = submission(&el, &other, "tartu");
    assert_eq!(code(el.check_submission(&own, &ballot, NOW)), "accepted");
    let (recast, ballot) = made_for(&el, &victim, &other, "tartu");
    let r = el.check_submission(&recast, &ballot, NOW);
    assert_eq!(code(r), "ballot.nonce_mismatch");
    // The proofs themselves are valid for the nonce the ballot carries: only the binding
    // to the voter refuses it.
    let mut rng = StdRng::seed_from_u64(2);
    ballot
        .check(&el.context, &el.joint_key, &el.shapes, &mut rng)
        .unwrap();
    // Logged anyway, the tally and the auditors refuse it as the collector's doing.
    let e = entry(&recast, &format!("PNOEE-{ON_ROLL_2}"), NOW);
    assert_eq!(
        el.check_box_entry(&e).map(|_| ()).unwrap_err(),
        EntryRefusal::Tampered(LogMismatch::NonceMismatch)
    );
}

#[test]
fn nothing_about_the_roll_is_said_before_the_signature_verifies() {
    // Hole 7: a victim's public certificate with a zero signature gets the same answer as a
    // certificate that is not on the roll, whatever the ballot's district.
    let alg = KeyAlgorithm::EcdsaP256;
    let ca = ca("Demo CA", alg);
    let el = election(&ca, None);
    let victim = voter(&ca, ON_ROLL, alg);
    let stranger = voter(&ca, OFF_ROLL, alg);
    let answer = |v: &DemoVoter, district: &str| {
        let (mut sub, ballot) = submission(&el, v, district);
        sub.signature = vec![0; 64];
        let r = el
            .check_submission(&sub, &ballot, NOW)
            .map(|_| ())
            .unwrap_err();
        (r.code(), r.to_string())
    };
    let expected = answer(&stranger, "tallinn");
    assert_eq!(expected.0, "eid.bad_signature");
    for district in ["tallinn", "tartu"] {
        assert_eq!(answer(&victim, district), expected, "{district}");
        assert_eq!(answer(&stranger, district), expected, "{district}");
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

#[test]
fn ocsp_settings_refuse_every_mistake_with_the_table_named() {
    let ca = ca("Demo CA", KeyAlgorithm::EcdsaP256);
    let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap();
    let fp = hex::encode(anchors.fingerprints().next().unwrap().0);
    let voter_pem = voter(&ca, ON_ROLL, KeyAlgorithm::EcdsaP256)
        .cert_pem()
        .unwrap();
    let good = format!("[[issuer]]\nca_sha256 = \"{fp}\"\nurl = \"http://ocsp.example/\"\n");
    let settings = OcspSettings::from_toml(good.as_bytes(), &anchors).unwrap();
    assert!(!settings.is_empty());
    for (toml, says) in [
        ("[[issuer]]\nca_sha256 = \"00\"\n".to_owned(), "issuer 1: ca_sha256"),
        (
            format!("[[issuer]]\nca_sha256 = \"{}\"\n", "ab".repeat(32)),
            "the package's CAs are",
        ),
        (format!("{good}{good}"), "issuer 2: this CA is listed twice"),
        (
            format!("[[issuer]]\nca_sha256 = \"{fp}\"\nurl = \"https://ocsp.example/\"\n"),
            "not an http:// address",
        ),
        (format!("[[issuer]]\nca_sha256 = \"{fp}\"\nuri = \"x\"\n"), "unknown field"),
        (
            format!("[[issuer]]\nca_sha256 = \"{fp}\"\nresponder_certificates = \"\"\"\n{voter_pem}\"\"\"\n"),
            "id-kp-OCSPSigning",
        ),
    ] {
        let err = OcspSettings::from_toml(toml.as_bytes(), &anchors).unwrap_err();
        assert_eq!(err.code(), "package.bad_ocsp_settings");
        assert!(err.to_string().contains(says), "{err}");
    }
}

#[test]
fn a_box_entry_of_a_ca_checked_by_ocsp_without_its_answer_is_invalid() {
    let alg = KeyAlgorithm::Ed25519;
    let ca = ca("Demo CA", alg);
    let mut el = election(&ca, None);
    let v = voter(&ca, ON_ROLL, alg);
    let e = entry_for(&el, &v, challenge(), NOW);
    // Not listed: no answer needed.
    assert!(el.check_box_entry(&e).is_ok());
    let fp = hex::encode(el.anchors.fingerprints().next().unwrap().0);
    el.package.ocsp = OcspSettings::from_toml(
        format!("[[issuer]]\nca_sha256 = \"{fp}\"\n").as_bytes(),
        &el.anchors,
    )
    .unwrap();
    match el.check_box_entry(&e) {
        Err(EntryRefusal::Invalid(r)) => assert_eq!(r.code(), "eid.ocsp_missing"),
        other => panic!("{other:?}"),
    }
    // The demo certificate names no responder and none is configured: nowhere to ask.
    let cert = el.anchors.validate(v.cert_der(), NOW, None).unwrap();
    assert_eq!(el.ocsp.url(&cert), None);
    // An answer that is not about this certificate (here: not an OCSP response at all).
    let mut bad = e.clone();
    bad.ocsp = Some(crate::ocsp::OcspEvidence::Fetched(vec![
        0x30, 0x03, 0x0a, 0x01, 0x00,
    ]));
    match el.check_box_entry(&bad) {
        Err(EntryRefusal::Invalid(r)) => assert_eq!(r.code(), "eid.malformed", "{r:?}"),
        other => panic!("{other:?}"),
    }
}
