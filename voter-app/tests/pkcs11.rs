//! Signing with a smart card through PKCS#11 (`ivote_voter_app::pkcs11`, through the
//! app's one signing abstraction, `signer::Signer`), on SoftHSM2 tokens holding demo voters'
//! keys and certificates as ID cards hold them (`ivote_testkit::softhsm`). Without SoftHSM2
//! these tests fail, saying to install it.
//!
//! The whole vote → count → verify flow with a token is in e2e/tests/smart_card.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use ivote_eid::insecure_demo_pki::{
    DemoCa, DemoExtendedKeyUsage, DemoKeyUsage, DemoShape, DemoVoter, VoterSpec,
};
use ivote_eid::{KeyAlgorithm, TrustAnchors};
use ivote_testkit::softhsm::{self, SoftHsm};
use ivote_voter_app::messages::Lang;
use ivote_voter_app::pkcs11::TokenArgs;
use ivote_voter_app::signer::{EidSource, Signer};
use ivote_voter_app::AppError;

const PIN1: &str = "1234";
const PIN2: &str = "12345";
const DAY: i64 = 86_400;

fn now() -> i64 {
    ivote_protocol::clock::unix_now()
}

/// A demo CA and its anchors.
struct Pki {
    ca: DemoCa,
    anchors: TrustAnchors,
}

fn pki(shape: DemoShape) -> Pki {
    let ca = shape.ca(now() - 30 * DAY, now() + 365 * DAY).unwrap();
    let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap();
    Pki { ca, anchors }
}

impl Pki {
    fn voter(&self, spec: &VoterSpec) -> DemoVoter {
        self.ca.issue(spec).unwrap()
    }

    /// An ID card's authentication certificate (PIN1) of `code`.
    fn auth(&self, shape: DemoShape, code: &str) -> DemoVoter {
        self.voter(&shape.spec(code, now() - DAY, now() + 365 * DAY))
    }

    /// An ID card's signing certificate (PIN2): keyUsage nonRepudiation, no EKU.
    fn signing(&self, shape: DemoShape, code: &str) -> DemoVoter {
        let mut spec = shape.spec(code, now() - DAY, now() + 365 * DAY);
        spec.key_usage = DemoKeyUsage::NonRepudiation;
        spec.extended_key_usage = DemoExtendedKeyUsage::Absent;
        spec.serial += 1;
        self.voter(&spec)
    }
}

/// Puts a voter's key and certificate on token `token` with CKA_ID `id`.
fn put(hsm: &SoftHsm, token: &str, pin: &str, voter: &DemoVoter, id: u8, label: &str) {
    hsm.import(
        token,
        pin,
        &voter.pkcs8_pem().unwrap(),
        voter.cert_der(),
        &[id],
        label,
    );
}

/// The PIN in a file, as `--pin-file` takes it.
fn pin_file(dir: &tempfile::TempDir, pin: &str) -> PathBuf {
    let path = dir.path().join("pin");
    std::fs::write(&path, format!("{pin}\n")).unwrap();
    path
}

/// Opens the e-ID on the tokens with the PIN `pin` (and the token `token`, if given) and,
/// inside the same SoftHSM session, runs `then` on the signer. What the app printed is
/// returned too: it must never hold the PIN.
fn with_token<R>(
    hsm: &SoftHsm,
    anchors: &TrustAnchors,
    module: PathBuf,
    token: Option<&str>,
    pin: &str,
    then: impl FnOnce(&Signer) -> R,
) -> (Result<R, AppError>, String) {
    let dir = tempfile::tempdir().unwrap();
    let source = EidSource::Token(TokenArgs {
        module,
        token: token.map(str::to_owned),
        pin_file: Some(pin_file(&dir, pin)),
    });
    let at = now();
    let check = |der: &[u8]| anchors.validate(der, at, None);
    let mut out = Vec::new();
    let result =
        hsm.with_env(|| Signer::open(&source, &check, Lang::En, &mut out).map(|s| then(&s)));
    let printed = String::from_utf8(out).unwrap();
    if !pin.is_empty() {
        if let Err(e) = &result {
            assert!(!e.message.contains(pin), "the PIN in an error: {e}");
        }
        assert!(!printed.contains(pin), "the PIN printed: {printed}");
    }
    (result, printed)
}

fn module() -> PathBuf {
    softhsm::module().to_path_buf()
}

fn code<T: std::fmt::Debug>(result: Result<T, AppError>) -> AppError {
    result.unwrap_err()
}

/// P-256 (Mobile-ID), P-384 (ID cards), P-521 and RSA-2048 (Mobile-ID) keys on a token:
/// the signature is made on the token (CKM_ECDSA over the curve's hash, CKM_RSA_PKCS over
/// a SHA-256 DigestInfo) and verifies with `ivote_eid` as the collector checks it; another
/// message or a changed byte does not.
#[test]
fn token_signatures_verify_with_ivote_eid_for_each_key_kind() {
    let cases = [
        (DemoShape::MobileIdP256, None),
        (DemoShape::IdCard2025, None),
        (DemoShape::IdCard2025, Some(KeyAlgorithm::EcdsaP521)),
        (DemoShape::MobileIdRsa2048, None),
    ];
    for (shape, algorithm) in cases {
        let pki = pki(shape);
        let mut spec = shape.spec("38001085718", now() - DAY, now() + 365 * DAY);
        if let Some(a) = algorithm {
            spec.algorithm = a;
        }
        let voter = pki.voter(&spec);
        let hsm = SoftHsm::new();
        hsm.add_token("ivote test card", PIN1);
        put(&hsm, "ivote test card", PIN1, &voter, 1, "Authentication");
        let (signed, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |s| {
            assert_eq!(s.certificate, voter.cert_der());
            (
                s.sign(b"ivote-v1/test message").unwrap(),
                s.sign(b"another").unwrap(),
            )
        });
        let (signature, other) = signed.unwrap();
        let cert = pki.anchors.validate(voter.cert_der(), now(), None).unwrap();
        assert_eq!(
            signature.len(),
            cert.algorithm().signature_len(),
            "{shape:?}"
        );
        cert.verify_signature(b"ivote-v1/test message", &signature)
            .unwrap_or_else(|e| panic!("{shape:?} {algorithm:?}: {e}"));
        let refused = cert.verify_signature(b"ivote-v1/test message", &other);
        assert_eq!(refused.unwrap_err().code(), "eid.bad_signature");
        let mut changed = signature.clone();
        changed[10] ^= 1;
        let refused = cert.verify_signature(b"ivote-v1/test message", &changed);
        assert_eq!(refused.unwrap_err().code(), "eid.bad_signature");
    }
}

/// An Estonian card as OpenSC shows it: two tokens, PIN1 with the authentication
/// certificate and PIN2 with the signing certificate. The app picks PIN1's certificate by
/// itself and logs in there (with PIN2's PIN it would fail).
#[test]
fn an_id_card_with_two_pins_signs_with_the_authentication_certificate() {
    let shape = DemoShape::IdCard2018;
    let pki = pki(shape);
    let auth = pki.auth(shape, "38001085718");
    let signing = pki.signing(shape, "38001085718");
    let hsm = SoftHsm::new();
    hsm.add_token("MARI TAMM (PIN1)", PIN1);
    hsm.add_token("MARI TAMM (PIN2)", PIN2);
    put(&hsm, "MARI TAMM (PIN1)", PIN1, &auth, 1, "Isikutuvastus");
    put(
        &hsm,
        "MARI TAMM (PIN2)",
        PIN2,
        &signing,
        2,
        "Allkirjastamine",
    );
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |s| {
        (s.certificate.clone(), s.sign(b"vote").unwrap())
    });
    let (certificate, signature) = result.unwrap();
    assert_eq!(certificate, auth.cert_der());
    let cert = pki.anchors.validate(&certificate, now(), None).unwrap();
    cert.verify_signature(b"vote", &signature).unwrap();
    // PIN2's PIN is not PIN1's: refused, at PIN1's token.
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN2, |_| ());
    assert_eq!(code(result).code, "pkcs11.pin_incorrect");
}

/// A wrong PIN is refused with its code and a message that says which PIN to give; a PIN
/// of a length the token cannot take is refused before it is sent; the right PIN works
/// afterwards (SoftHSM does not count tries; the blocked-PIN code is tested on the error
/// mapping in `pkcs11.rs`).
#[test]
fn a_wrong_pin_is_refused_and_never_shown() {
    let shape = DemoShape::IdCard2025;
    let pki = pki(shape);
    let voter = pki.auth(shape, "38001085718");
    let hsm = SoftHsm::new();
    hsm.add_token("card", PIN1);
    put(&hsm, "card", PIN1, &voter, 1, "Authentication");
    let signed = std::cell::Cell::new(false);
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, "9876", |_| {
        signed.set(true)
    });
    let e = code(result);
    assert_eq!(e.code, "pkcs11.pin_incorrect", "{e}");
    assert!(e.message.contains("PIN1"), "{e}");
    assert!(!e.could_not_run, "a refusal: exit status 1");
    assert!(!signed.get(), "nothing is signed after a wrong PIN");
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, "12", |_| ());
    assert_eq!(code(result).code, "pkcs11.pin_invalid");
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, "", |_| ());
    assert_eq!(code(result).code, "pkcs11.pin_invalid");
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |s| {
        s.sign(b"vote").map(drop)
    });
    result.unwrap().unwrap();
}

/// A card with only a signing certificate (or no certificate) is explained, with its code:
/// ballots are signed with the authentication certificate.
#[test]
fn only_a_signing_certificate_is_explained() {
    let shape = DemoShape::IdCard2025;
    let pki = pki(shape);
    let hsm = SoftHsm::new();
    hsm.add_token("card (PIN2)", PIN2);
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN2, |_| ());
    let e = code(result);
    assert_eq!(e.code, "pkcs11.no_auth_certificate", "{e}");
    assert!(e.message.contains("no certificate"), "{e}");

    put(
        &hsm,
        "card (PIN2)",
        PIN2,
        &pki.signing(shape, "38001085718"),
        2,
        "Allkirjastamine",
    );
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN2, |_| ());
    let e = code(result);
    assert_eq!(e.code, "pkcs11.no_auth_certificate", "{e}");
    assert!(e.message.contains("signing certificate"), "{e}");
    assert!(e.message.contains("eid.signing_certificate"), "{e}");
}

/// An expired authentication certificate is told as expired (the voter renews it), not as
/// "no authentication certificate" because the signing certificate beside it is valid.
#[test]
fn an_expired_authentication_certificate_is_told_as_expired() {
    let shape = DemoShape::IdCard2025;
    let pki = pki(shape);
    let expired = pki.voter(&shape.spec("38001085718", now() - 20 * DAY, now() - DAY));
    let hsm = SoftHsm::new();
    hsm.add_token("card (PIN1)", PIN1);
    hsm.add_token("card (PIN2)", PIN2);
    put(&hsm, "card (PIN1)", PIN1, &expired, 1, "Isikutuvastus");
    put(
        &hsm,
        "card (PIN2)",
        PIN2,
        &pki.signing(shape, "38001085718"),
        2,
        "Allkirjastamine",
    );
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |_| ());
    let e = code(result);
    assert_eq!(e.code, "eid.expired", "{e}");
    assert!(e.message.contains("Isikutuvastus"), "{e}");
}

/// Two cards with authentication certificates: a clear error listing them, then
/// `--pkcs11-token` by label picks one; a token that is not there is listed as missing.
#[test]
fn several_cards_need_a_choice() {
    let shape = DemoShape::IdCard2025;
    let pki = pki(shape);
    let a = pki.auth(shape, "38001085718");
    let b = pki.auth(shape, "49403136526");
    let hsm = SoftHsm::new();
    hsm.add_token("card A", PIN1);
    hsm.add_token("card B", PIN2);
    put(&hsm, "card A", PIN1, &a, 1, "Authentication");
    put(&hsm, "card B", PIN2, &b, 1, "Authentication");
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |_| ());
    let e = code(result);
    assert_eq!(e.code, "pkcs11.several_certificates", "{e}");
    assert!(
        e.message.contains("card A") && e.message.contains("card B"),
        "{e}"
    );
    assert!(e.message.contains("--pkcs11-token"), "{e}");
    let (result, _) = with_token(&hsm, &pki.anchors, module(), Some("card B"), PIN2, |s| {
        s.certificate.clone()
    });
    assert_eq!(result.unwrap(), b.cert_der());
    let (result, _) = with_token(&hsm, &pki.anchors, module(), Some("card C"), PIN1, |_| ());
    let e = code(result);
    assert_eq!(e.code, "pkcs11.no_token", "{e}");
    assert!(e.message.contains("card A"), "{e}");
}

/// A token whose key is not its certificate's: the signature is checked before it is
/// used, and refused with its code. A certificate without a key: its own code.
#[test]
fn a_key_that_is_not_the_certificates_is_caught_before_anything_is_sent() {
    let shape = DemoShape::IdCard2025;
    let pki = pki(shape);
    let voter = pki.auth(shape, "38001085718");
    let other = pki.auth(shape, "49403136526");
    let hsm = SoftHsm::new();
    hsm.add_token("card", PIN1);
    hsm.import(
        "card",
        PIN1,
        &other.pkcs8_pem().unwrap(),
        voter.cert_der(),
        &[1],
        "Authentication",
    );
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |s| {
        s.sign(b"vote")
    });
    let e = result.unwrap().unwrap_err();
    assert_eq!(e.code, "pkcs11.bad_signature", "{e}");

    let hsm = SoftHsm::new();
    hsm.add_token("card", PIN1);
    hsm.put_certificate("card", PIN1, voter.cert_der(), &[1], "Authentication");
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |_| ());
    assert_eq!(code(result).code, "pkcs11.no_private_key");
}

/// No card in the reader, a module path that does not exist, a library that is not a
/// PKCS#11 module: each a clear error with its code, never a panic.
#[test]
fn no_card_and_wrong_modules_are_clear_errors() {
    let pki = pki(DemoShape::IdCard2025);
    let hsm = SoftHsm::new();
    let (result, _) = with_token(&hsm, &pki.anchors, module(), None, PIN1, |_| ());
    let e = code(result);
    assert_eq!(e.code, "pkcs11.no_token", "{e}");
    assert!(e.could_not_run && e.message.contains("reader"), "{e}");

    let missing = PathBuf::from("/nonexistent/opensc-pkcs11.so");
    let (result, _) = with_token(&hsm, &pki.anchors, missing, None, PIN1, |_| ());
    let e = code(result);
    assert_eq!(e.code, "pkcs11.module", "{e}");
    assert!(e.message.contains("OpenSC"), "{e}");

    // A shared library that is not a PKCS#11 module (no C_GetFunctionList).
    let not_pkcs11 = [
        "/lib/x86_64-linux-gnu/libz.so.1",
        "/usr/lib/x86_64-linux-gnu/libz.so.1",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("zlib, which every Debian has");
    let (result, _) = with_token(&hsm, &pki.anchors, not_pkcs11, None, PIN1, |_| ());
    assert_eq!(code(result).code, "pkcs11.module");
}
