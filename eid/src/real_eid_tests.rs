//! Tests on real Estonian e-ID certificates (the PKI operator's public test identities, with
//! their provenance in `eid/tests/fixtures/estonia-eid/README.md`): what the demo PKI
//! imitates must also hold for the real thing.

use crate::certificate::parse_certificate;
use crate::public_key::X509SignatureFailure;
use crate::{KeyAlgorithm, TrustAnchors};
use x509_parser::pem::Pem;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/estonia-eid/",
            $name
        ))
    };
}

const TEST_ESTEID2018: &[u8] = fixture!("TEST_of_ESTEID2018.pem");
const ESTEID2018: &[u8] = fixture!("ESTEID2018.pem");
const ESTEID2025: &[u8] = fixture!("ESTEID2025.pem");
const TEST_ESTEID2025: &[u8] = fixture!("TestESTEID2025.pem");
const TEST_ESTEID_SK_2015: &[u8] = fixture!("TEST_of_ESTEID-SK_2015.pem");
const OCSP_RESPONDER_2020: &[u8] = fixture!("TEST_of_SK_OCSP_RESPONDER_2020.pem");
const JAAK_KRISTJAN_AUTH: &[u8] =
    fixture!("voter-JOEORG-JAAK-KRISTJAN-38001085718-auth-TEST-of-ESTEID2018.pem");
const MARI_LIIS_SIGN: &[u8] =
    fixture!("voter-MANNIK-MARI-LIIS-61710030163-sign-TEST-of-ESTEID-SK-2015.pem");

/// 2021-09-17 12:00:00 UTC: inside the test card's validity (2018-10-18 to 2023-10-17), the
/// day its OCSP answers were produced.
const IN_2021: i64 = 1_631_880_000;
/// 2019-06-01 00:00:00 UTC: inside the older card's validity (2017-10-03 to 2022-10-02).
const IN_2019: i64 = 1_559_347_200;
/// 2026-12-03 00:00:00 UTC: "today" when these tests were written (fixed, so they do not
/// depend on the clock).
const TODAY: i64 = 1_796_256_000;
/// 2023-10-17 21:59:59 UTC: the test card's notAfter.
const CARD_NOT_AFTER: i64 = 1_697_579_999;

fn der(pem: &[u8]) -> Vec<u8> {
    let mut blocks = Pem::iter_from_buffer(pem);
    let block = blocks.next().unwrap().unwrap();
    assert!(blocks.next().is_none());
    block.contents
}

fn anchors(pems: &[&[u8]]) -> TrustAnchors {
    TrustAnchors::from_pem(&pems.concat()).unwrap()
}

#[test]
fn every_real_issuing_ca_loads_as_a_trust_anchor() {
    // P-521 (ESTEID2018 and its test mirror), P-384 (ESTEID2025, Test ESTEID2025) and RSA-4096
    // (TEST of ESTEID-SK 2015): the configuration of a real election and of a rehearsal.
    let all = anchors(&[
        ESTEID2018,
        ESTEID2025,
        TEST_ESTEID2018,
        TEST_ESTEID2025,
        TEST_ESTEID_SK_2015,
    ]);
    assert_eq!(all.len(), 5);
    let names: Vec<&str> = all.names().collect();
    assert!(
        names.iter().any(|n| n.contains("CN=ESTEID2018")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("CN=ESTEID2025")),
        "{names:?}"
    );
    // An OCSP responder's certificate is not a CA.
    let err = TrustAnchors::from_pem(OCSP_RESPONDER_2020).unwrap_err();
    assert_eq!(err.code(), "eid.bad_anchor");
}

#[test]
fn the_test_id_card_validates_under_test_of_esteid2018_in_its_lifetime() {
    let anchors = anchors(&[TEST_ESTEID2018, TEST_ESTEID2025]);
    let cert_der = der(JAAK_KRISTJAN_AUTH);
    // A P-384 key signed by a P-521 CA with ecdsa-with-SHA512, critical EKU clientAuth +
    // emailProtection, keyUsage digitalSignature + keyAgreement.
    let cert = anchors.validate(&cert_der, IN_2021, None).unwrap();
    assert_eq!(cert.voter_id(), "PNOEE-38001085718");
    assert_eq!(cert.voter_id_country(), "EE");
    assert_eq!(cert.national_id(), "38001085718");
    assert_eq!(cert.common_name(), Some("JÕEORG,JAAK-KRISTJAN,38001085718"));
    assert_eq!(cert.algorithm(), KeyAlgorithm::EcdsaP384);
    assert!(cert.issuer_name().contains("CN=TEST of ESTEID2018"));
    assert_eq!(
        hex(cert.serial()),
        "396901597343266d5bc857775ec5a4be",
        "the serial the OCSP answers are about"
    );
    // Its last second is inside, the next outside; today it is long expired.
    assert!(anchors.validate(&cert_der, CARD_NOT_AFTER, None).is_ok());
    for at in [CARD_NOT_AFTER + 1, TODAY] {
        let err = anchors.validate(&cert_der, at, None).unwrap_err();
        assert_eq!(err.code(), "eid.expired", "{err}");
    }
    assert!(anchors
        .validate(&cert_der, TODAY, None)
        .unwrap_err()
        .to_string()
        .contains("2023-10-17 21:59:59 UTC"));
}

#[test]
fn the_test_id_card_is_refused_where_its_ca_is_not_configured_or_its_signature_is_broken() {
    let cert_der = der(JAAK_KRISTJAN_AUTH);
    // A real election trusts the production CAs only: a test card is from an unknown issuer.
    let production = anchors(&[ESTEID2018, ESTEID2025]);
    let err = production.validate(&cert_der, IN_2021, None).unwrap_err();
    assert_eq!(err.code(), "eid.unknown_issuer");
    assert!(err.to_string().contains("TEST of ESTEID2018"), "{err}");
    // One bit of the CA's P-521 signature flipped (the last byte of the certificate is in it).
    let anchors = anchors(&[TEST_ESTEID2018]);
    let mut forged = cert_der.clone();
    *forged.last_mut().unwrap() ^= 1;
    let err = anchors.validate(&forged, IN_2021, None).unwrap_err();
    assert_eq!(err.code(), "eid.bad_chain_signature");
    // The signed part altered: the personal code's last digit (in CN and serialNumber).
    let mut altered = cert_der.clone();
    let at = find(&altered, b"PNOEE-38001085718") + b"PNOEE-3800108571".len();
    altered[at] = b'9';
    let err = anchors.validate(&altered, IN_2021, None).unwrap_err();
    assert_eq!(err.code(), "eid.bad_chain_signature");
}

#[test]
fn the_older_cards_rsa_chain_verifies_and_its_signing_certificate_does_not_sign_ballots() {
    let anchors = anchors(&[TEST_ESTEID_SK_2015]);
    let cert_der = der(MARI_LIIS_SIGN);
    // The chain: an RSA-4096 CA's sha256WithRSAEncryption signature over a P-384 leaf.
    let cert = parse_certificate(&cert_der, "test").unwrap();
    let tbs = cert.tbs_certificate.as_ref();
    let signature: &[u8] = &cert.signature_value.data;
    let ca = anchors.candidates(cert.issuer().as_raw()).next().unwrap();
    assert_eq!(ca.key.algorithm(), KeyAlgorithm::Rsa(4096));
    assert!(ca
        .key
        .verify_x509(&cert.signature_algorithm, tbs, signature)
        .is_ok());
    let mut bad = signature.to_vec();
    bad[100] ^= 1;
    assert!(matches!(
        ca.key.verify_x509(&cert.signature_algorithm, tbs, &bad),
        Err(X509SignatureFailure::Invalid)
    ));
    // It is a signing (PIN2) certificate: keyUsage nonRepudiation only. Ballots are signed
    // with the authentication certificate, and the voter is told so.
    let err = anchors.validate(&cert_der, IN_2019, None).unwrap_err();
    assert_eq!(err.code(), "eid.signing_certificate");
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

mod ocsp {
    use super::*;
    use crate::{OcspPolicy, TrustedResponder, VoterCertificate};

    const GOOD: &[u8] = fixture!("ocsp_response.der");
    const REVOKED: &[u8] = fixture!("ocsp_response_revoked.der");
    const UNKNOWN: &[u8] = fixture!("ocsp_response_unknown.der");
    /// producedAt of the three answers.
    const GOOD_AT: i64 = 1_631_903_124;
    const REVOKED_AT: i64 = 1_631_924_023;
    const UNKNOWN_AT: i64 = 1_631_924_185;
    /// The nonce SK's responder echoed in the good answer.
    const GOOD_NONCE: [u8; 8] = [0x47, 0xff, 0xaf, 0xc9, 0x18, 0x11, 0x77, 0x0e];

    fn policy(at_time: i64) -> OcspPolicy<'static> {
        OcspPolicy {
            at_time,
            max_age: 15 * 60,
            max_skew: 60,
            nonce: None,
        }
    }

    fn card() -> (TrustAnchors, VoterCertificate) {
        let anchors = anchors(&[TEST_ESTEID2018]);
        let cert = anchors
            .validate(&der(JAAK_KRISTJAN_AUTH), GOOD_AT, None)
            .unwrap();
        (anchors, cert)
    }

    #[test]
    fn the_good_answer_from_the_cas_delegated_responder_is_accepted() {
        let (anchors, cert) = card();
        let good = cert
            .check_ocsp(GOOD, &anchors, &[], &policy(GOOD_AT + 5))
            .unwrap();
        assert_eq!(good.produced_at, GOOD_AT);
        // With the request's nonce, and refused with another one.
        let mut p = policy(GOOD_AT);
        p.nonce = Some(&GOOD_NONCE);
        assert!(cert.check_ocsp(GOOD, &anchors, &[], &p).is_ok());
        p.nonce = Some(b"another nonce");
        let err = cert.check_ocsp(GOOD, &anchors, &[], &p).unwrap_err();
        assert_eq!(err.code(), "eid.ocsp_nonce");
    }

    #[test]
    fn an_old_or_future_answer_is_stale() {
        let (anchors, cert) = card();
        for at in [GOOD_AT + 16 * 60, GOOD_AT - 2 * 60] {
            let err = cert
                .check_ocsp(GOOD, &anchors, &[], &policy(at))
                .unwrap_err();
            assert_eq!(err.code(), "eid.ocsp_stale", "{err}");
        }
    }

    #[test]
    fn the_revoked_answer_is_refused_as_revoked() {
        let (anchors, cert) = card();
        let err = cert
            .check_ocsp(REVOKED, &anchors, &[], &policy(REVOKED_AT))
            .unwrap_err();
        assert_eq!(err.code(), "eid.revoked");
    }

    #[test]
    fn the_unknown_answer_needs_its_responder_configured_and_is_then_refused_as_unknown() {
        let (anchors, cert) = card();
        // Signed by TEST of SK OCSP RESPONDER 2020, which TEST of ESTEID2018 did not issue.
        let err = cert
            .check_ocsp(UNKNOWN, &anchors, &[], &policy(UNKNOWN_AT))
            .unwrap_err();
        assert_eq!(err.code(), "eid.ocsp_unauthorized_responder");
        let trusted = TrustedResponder::from_der(
            &der(OCSP_RESPONDER_2020),
            &cert.issuer_fingerprint(),
            &anchors,
        )
        .unwrap();
        let err = cert
            .check_ocsp(UNKNOWN, &anchors, &[trusted], &policy(UNKNOWN_AT))
            .unwrap_err();
        assert_eq!(err.code(), "eid.ocsp_unknown");
    }

    #[test]
    fn an_altered_answer_is_refused() {
        let (anchors, cert) = card();
        // "good" turned into another status would change the signed data; so does any byte
        // of producedAt (GeneralizedTime "20210917182524Z").
        let mut altered = GOOD.to_vec();
        let at = find(&altered, b"20210917182524Z");
        altered[at + 13] = b'5';
        let err = cert
            .check_ocsp(&altered, &anchors, &[], &policy(GOOD_AT))
            .unwrap_err();
        assert_eq!(err.code(), "eid.ocsp_bad_signature");
        // Not an OCSP response at all.
        let err = cert
            .check_ocsp(&GOOD[..100], &anchors, &[], &policy(GOOD_AT))
            .unwrap_err();
        assert_eq!(err.code(), "eid.malformed");
    }

    #[test]
    fn an_answer_about_a_certificate_of_another_ca_is_refused() {
        // The answer names TEST of ESTEID2018's card; judged for a demo CA's certificate it
        // comes from a responder that CA never authorised.
        let demo = crate::test_support::ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let demo_anchors = crate::test_support::anchors(&[&demo]);
        let v = crate::test_support::voter(&demo, "38001085718", KeyAlgorithm::EcdsaP384);
        let cert = demo_anchors
            .validate(v.cert_der(), crate::test_support::NOW, None)
            .unwrap();
        let err = cert
            .check_ocsp(GOOD, &demo_anchors, &[], &policy(GOOD_AT))
            .unwrap_err();
        assert_eq!(err.code(), "eid.ocsp_unauthorized_responder");
    }

    #[test]
    fn the_request_names_the_card_as_sks_answer_does_and_carries_the_nonce() {
        use pkcs8::der::Decode;
        let (anchors, cert) = card();
        assert_eq!(cert.ocsp_url(), Some("http://aia.demo.sk.ee/esteid2018"));
        let request = cert.ocsp_request(&anchors, &[7; 32]).unwrap();

        let decoded = x509_ocsp::OcspRequest::from_der(&request).unwrap();
        let [asked] = decoded.tbs_request.request_list.as_slice() else {
            panic!("one CertID expected");
        };
        // The CertID of SK's real good answer (SHA-1, as asked).
        let response = x509_ocsp::OcspResponse::from_der(GOOD).unwrap();
        let basic = x509_ocsp::BasicOcspResponse::from_der(
            response.response_bytes.unwrap().response.as_bytes(),
        )
        .unwrap();
        let answered = &basic.tbs_response_data.responses[0].cert_id;
        let asked = &asked.req_cert;
        // SHA-1 (with NULL parameters, as OpenSSL asks; SK answers without them), the same
        // hashes of the CA's name and key, the same serial.
        assert_eq!(asked.hash_algorithm.oid, answered.hash_algorithm.oid);
        assert_eq!(asked.issuer_name_hash, answered.issuer_name_hash);
        assert_eq!(asked.issuer_key_hash, answered.issuer_key_hash);
        assert_eq!(asked.serial_number, answered.serial_number);
        // The nonce, as an OCTET STRING in the extension (RFC 8954).
        let nonce = decoded.nonce().unwrap();
        assert_eq!(nonce.0.as_bytes(), &[7; 32]);
    }
}
