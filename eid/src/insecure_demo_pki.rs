//! INSECURE DEMO PKI — NOT FOR REAL ELECTIONS.
//!
//! Mints throw-away certificate authorities, voter certificates with PKCS#8 private keys, and
//! CRLs, for tests and demonstrations. Keys are generated in memory and handed out in plain
//! files; nothing here is fit to identify real people. Every CA it mints carries
//! "NOT FOR REAL ELECTIONS" in its subject (commonName and organizationName), so a package
//! that trusts one is recognisable at a glance.
//!
//! Available only with the cargo feature `insecure-demo-pki` (off by default), so production
//! builds of the collector cannot contain it.
//!
//! Voter certificates look like ESTEID ones where it matters here: subject commonName
//! `SURNAME,GIVENNAME,CODE`, serialNumber `PNOEE-<code>` (PrintableString), surname and
//! givenName attributes, country EE, keyUsage as chosen. Certificates are minted with `rcgen`
//! (`aws-lc-rs` backend).

use crate::{voter_id, EidError, KeyAlgorithm, VoterKey};
use pkcs8::der::pem::LineEnding;
use pkcs8::der::Decode;
use pkcs8::PrivateKeyInfo;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SerialNumber,
};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The marker every demo CA's subject carries.
pub const DEMO_WARNING: &str = "NOT FOR REAL ELECTIONS";

fn fail(what: &str, e: impl std::fmt::Display) -> EidError {
    EidError::DemoPki {
        detail: format!("{what}: {e}"),
    }
}

fn datetime(unix: i64, what: &str) -> Result<OffsetDateTime, EidError> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|e| fail(what, e))
}

/// The signature algorithm a demo key of this kind signs certificates and CRLs with, as the
/// real issuers do: P-521 with ecdsa-with-SHA512 (ESTEID2018, also over P-384 leaves), P-384
/// with SHA-384 (ESTEID2025), RSA with sha384WithRSAEncryption (Smart-ID's RSA issuers).
fn rcgen_algorithm(algorithm: KeyAlgorithm) -> &'static rcgen::SignatureAlgorithm {
    match algorithm {
        KeyAlgorithm::Ed25519 => &rcgen::PKCS_ED25519,
        KeyAlgorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyAlgorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyAlgorithm::EcdsaP521 => &rcgen::PKCS_ECDSA_P521_SHA512,
        KeyAlgorithm::Rsa(_) => &rcgen::PKCS_RSA_SHA384,
    }
}

/// A fresh key pair: rcgen's generator, except RSA: AWS-LC for the sizes it generates (2048,
/// 3072, 4096, 8192 bits, constant time), RustCrypto's `rsa` for the others (Smart-ID's 6144).
fn generate_key(algorithm: KeyAlgorithm) -> Result<KeyPair, EidError> {
    let KeyAlgorithm::Rsa(bits) = algorithm else {
        return KeyPair::generate_for(rcgen_algorithm(algorithm))
            .map_err(|e| fail("generate a key", e));
    };
    use aws_lc_rs::encoding::AsDer as _;
    use aws_lc_rs::rsa::KeySize;
    let size = match bits {
        2048 => Some(KeySize::Rsa2048),
        3072 => Some(KeySize::Rsa3072),
        4096 => Some(KeySize::Rsa4096),
        8192 => Some(KeySize::Rsa8192),
        _ => None,
    };
    let pkcs8: Zeroizing<Vec<u8>> = match size {
        Some(size) => {
            let key = aws_lc_rs::rsa::KeyPair::generate(size)
                .map_err(|e| fail("generate an RSA key", e))?;
            Zeroizing::new(
                key.as_der()
                    .map_err(|e| fail("encode an RSA key", e))?
                    .as_ref()
                    .to_vec(),
            )
        }
        None => {
            use rsa::pkcs8::EncodePrivateKey as _;
            let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, usize::from(bits))
                .map_err(|e| fail("generate an RSA key", e))?;
            Zeroizing::new(
                key.to_pkcs8_der()
                    .map_err(|e| fail("encode an RSA key", e))?
                    .as_bytes()
                    .to_vec(),
            )
        }
    };
    let pem = pem("PRIVATE KEY", &pkcs8).map(Zeroizing::new)?;
    KeyPair::from_pkcs8_pem_and_sign_algo(&pem, rcgen_algorithm(algorithm))
        .map_err(|e| fail("load an RSA key", e))
}

fn pem(label: &str, der: &[u8]) -> Result<String, EidError> {
    pkcs8::der::pem::encode_string(label, LineEnding::LF, der).map_err(|e| fail("encode PEM", e))
}

/// A demo certificate authority with its private key.
pub struct DemoCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for DemoCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCa")
            .field("subject", &self.cert.params().distinguished_name)
            .finish_non_exhaustive()
    }
}

/// The key usage to put in a demo voter certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoKeyUsage {
    /// digitalSignature (Mobile-ID and Smart-ID authentication certificates).
    DigitalSignature,
    /// digitalSignature and keyAgreement (ID-card authentication certificates).
    DigitalSignatureAndKeyAgreement,
    /// nonRepudiation / contentCommitment only (ESTEID signing certificates).
    NonRepudiation,
    /// keyEncipherment only: a certificate that must be refused for signing votes.
    KeyEnciphermentOnly,
}

/// The extendedKeyUsage to put in a demo voter certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoExtendedKeyUsage {
    /// clientAuth (ESTEID authentication certificates): what voter certificates need.
    ClientAuth,
    /// No extendedKeyUsage extension (ESTEID signing certificates).
    Absent,
    /// emailProtection only: a certificate that must be refused for signing votes.
    EmailProtectionOnly,
}

/// The shapes of real national e-IDs (docs/eid.md, "Real e-ID shapes"): the issuing CA's
/// key, the voter's key and key usage. Names and keys are the demo's; only the algorithms and
/// the profile follow the real thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoShape {
    /// ID card 2018–2025 (ESTEID2018): a P-521 CA signing P-384 leaves with
    /// ecdsa-with-SHA512; keyUsage digitalSignature + keyAgreement.
    IdCard2018,
    /// ID card since 2025-11-17 (ESTEID2025): P-384 CA, P-384 leaves, SHA-384.
    IdCard2025,
    /// Mobile-ID with an elliptic-curve SIM: P-256 leaf under a P-384 CA.
    MobileIdP256,
    /// Mobile-ID with an RSA SIM: RSA-2048 leaf under an RSA-4096 CA (sha384WithRSA).
    MobileIdRsa2048,
    /// Smart-ID, older accounts: RSA-4096 leaf under an RSA-4096 CA (sha384WithRSA).
    SmartIdRsa4096,
    /// Smart-ID, current accounts: RSA-6144 leaf under a P-384 CA.
    SmartIdRsa6144,
}

impl DemoShape {
    /// Every shape, for tests that go through all of them.
    pub const ALL: [DemoShape; 6] = [
        DemoShape::IdCard2018,
        DemoShape::IdCard2025,
        DemoShape::MobileIdP256,
        DemoShape::MobileIdRsa2048,
        DemoShape::SmartIdRsa4096,
        DemoShape::SmartIdRsa6144,
    ];

    /// The issuing CA's key.
    pub fn ca_algorithm(self) -> KeyAlgorithm {
        match self {
            DemoShape::IdCard2018 => KeyAlgorithm::EcdsaP521,
            DemoShape::IdCard2025 | DemoShape::MobileIdP256 | DemoShape::SmartIdRsa6144 => {
                KeyAlgorithm::EcdsaP384
            }
            DemoShape::MobileIdRsa2048 | DemoShape::SmartIdRsa4096 => KeyAlgorithm::Rsa(4096),
        }
    }

    /// The voter's key.
    pub fn voter_algorithm(self) -> KeyAlgorithm {
        match self {
            DemoShape::IdCard2018 | DemoShape::IdCard2025 => KeyAlgorithm::EcdsaP384,
            DemoShape::MobileIdP256 => KeyAlgorithm::EcdsaP256,
            DemoShape::MobileIdRsa2048 => KeyAlgorithm::Rsa(2048),
            DemoShape::SmartIdRsa4096 => KeyAlgorithm::Rsa(4096),
            DemoShape::SmartIdRsa6144 => KeyAlgorithm::Rsa(6144),
        }
    }

    /// A demo CA of this shape (its name says which shape).
    pub fn ca(self, not_before: i64, not_after: i64) -> Result<DemoCa, EidError> {
        DemoCa::new(
            &format!("{self:?}"),
            self.ca_algorithm(),
            not_before,
            not_after,
        )
    }

    /// An authentication certificate spec of this shape (ID cards add keyAgreement).
    pub fn spec(self, code: &str, not_before: i64, not_after: i64) -> VoterSpec {
        let mut spec = VoterSpec::new(code, self.voter_algorithm(), not_before, not_after);
        if matches!(self, DemoShape::IdCard2018 | DemoShape::IdCard2025) {
            spec.key_usage = DemoKeyUsage::DigitalSignatureAndKeyAgreement;
        }
        spec
    }
}

/// What to put in one demo voter certificate.
#[derive(Debug, Clone)]
pub struct VoterSpec {
    /// Personal code; goes into the CN and (as `PNOEE-<code>`) the serialNumber.
    pub code: String,
    /// Surname (upper case, as on ID-cards).
    pub surname: String,
    /// Given name (upper case).
    pub given_name: String,
    /// Key algorithm of the voter's key.
    pub algorithm: KeyAlgorithm,
    /// Start of validity (Unix seconds).
    pub not_before: i64,
    /// End of validity (Unix seconds).
    pub not_after: i64,
    /// Certificate serial number.
    pub serial: u64,
    /// keyUsage.
    pub key_usage: DemoKeyUsage,
    /// extendedKeyUsage.
    pub extended_key_usage: DemoExtendedKeyUsage,
    /// Whether to put the serialNumber (voter id) attribute in the subject.
    pub with_voter_id: bool,
}

impl VoterSpec {
    /// A spec with digitalSignature usage, the voter id present, name `DEMO,VOTER`, and the
    /// certificate serial number equal to the code's numeric value.
    pub fn new(code: &str, algorithm: KeyAlgorithm, not_before: i64, not_after: i64) -> Self {
        VoterSpec {
            code: code.to_owned(),
            surname: "DEMO".into(),
            given_name: "VOTER".into(),
            algorithm,
            not_before,
            not_after,
            serial: code.parse().unwrap_or(1),
            key_usage: DemoKeyUsage::DigitalSignature,
            extended_key_usage: DemoExtendedKeyUsage::ClientAuth,
            with_voter_id: true,
        }
    }
}

/// A minted voter: the certificate and its unencrypted PKCS#8 private key.
pub struct DemoVoter {
    /// The personal code.
    pub code: String,
    /// The certificate serial number.
    pub serial: u64,
    cert_der: Vec<u8>,
    pkcs8_der: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for DemoVoter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoVoter")
            .field("code", &self.code)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl DemoVoter {
    /// The certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The certificate, PEM.
    pub fn cert_pem(&self) -> Result<String, EidError> {
        pem("CERTIFICATE", &self.cert_der)
    }

    /// The private key, unencrypted PKCS#8 DER.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }

    /// The private key, unencrypted PKCS#8 PEM (`PRIVATE KEY`).
    pub fn pkcs8_pem(&self) -> Result<Zeroizing<String>, EidError> {
        pem("PRIVATE KEY", &self.pkcs8_der).map(Zeroizing::new)
    }

    /// The private key encrypted under `passphrase` (PBES2: scrypt + AES-256-CBC, the `pkcs8`
    /// crate's defaults), PEM (`ENCRYPTED PRIVATE KEY`).
    pub fn encrypted_pkcs8_pem(&self, passphrase: &[u8]) -> Result<String, EidError> {
        let info = PrivateKeyInfo::from_der(&self.pkcs8_der).map_err(|e| fail("read key", e))?;
        let doc = info
            .encrypt(rand_core::OsRng, passphrase)
            .map_err(|e| fail("encrypt key", e))?;
        pem("ENCRYPTED PRIVATE KEY", doc.as_bytes())
    }

    /// The private key as a [`VoterKey`].
    pub fn key(&self) -> Result<VoterKey, EidError> {
        VoterKey::from_pkcs8_der(&self.pkcs8_der)
    }
}

/// A minted CRL.
#[derive(Debug, Clone)]
pub struct DemoCrl {
    /// DER.
    pub der: Vec<u8>,
    /// PEM (`X509 CRL`).
    pub pem: String,
}

const SURNAMES: [&str; 8] = [
    "TAMM", "SAAR", "SEPP", "MAGI", "KASK", "KUKK", "RAND", "PUKK",
];
const GIVEN_NAMES: [&str; 8] = [
    "MARI", "JAAN", "ANNA", "PEETER", "KATRIN", "TOOMAS", "LIIS", "ANDRES",
];

impl DemoCa {
    /// Mints a self-signed CA. Its commonName is `<name> NOT FOR REAL ELECTIONS` and its
    /// organizationName `NOT FOR REAL ELECTIONS`; keyUsage keyCertSign + cRLSign,
    /// basicConstraints cA.
    pub fn new(
        name: &str,
        algorithm: KeyAlgorithm,
        not_before: i64,
        not_after: i64,
    ) -> Result<Self, EidError> {
        let key = generate_key(algorithm)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "EE");
        dn.push(DnType::OrganizationName, DEMO_WARNING);
        dn.push(DnType::CommonName, format!("{name} {DEMO_WARNING}"));
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = datetime(not_before, "use the CA's start time")?;
        params.not_after = datetime(not_after, "use the CA's end time")?;
        params.serial_number = Some(SerialNumber::from(1u64));
        let cert = params
            .self_signed(&key)
            .map_err(|e| fail("sign the CA certificate", e))?;
        Ok(DemoCa { cert, key })
    }

    /// The CA certificate, DER (for a trust anchor file).
    pub fn cert_der(&self) -> &[u8] {
        self.cert.der()
    }

    /// The CA certificate, PEM (a trust anchor file).
    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// The CA's private key, PKCS#8 PEM: for a demo OCSP responder (`openssl ocsp -rkey`)
    /// that answers as the CA itself.
    pub fn key_pem(&self) -> Zeroizing<String> {
        Zeroizing::new(self.key.serialize_pem())
    }

    /// Mints one voter certificate and key as `spec` says.
    pub fn issue(&self, spec: &VoterSpec) -> Result<DemoVoter, EidError> {
        let key = generate_key(spec.algorithm)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "EE");
        dn.push(
            DnType::CommonName,
            format!("{},{},{}", spec.surname, spec.given_name, spec.code),
        );
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 4]),
            spec.surname.as_str(),
        );
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 42]),
            spec.given_name.as_str(),
        );
        if spec.with_voter_id {
            let id = rcgen::PrintableString::try_from(voter_id("EE", &spec.code))
                .map_err(|e| fail("encode the voter id", e))?;
            dn.push(
                DnType::CustomDnType(vec![2, 5, 4, 5]),
                DnValue::PrintableString(id),
            );
        }
        params.distinguished_name = dn;
        params.key_usages = vec![match spec.key_usage {
            DemoKeyUsage::DigitalSignature | DemoKeyUsage::DigitalSignatureAndKeyAgreement => {
                KeyUsagePurpose::DigitalSignature
            }
            DemoKeyUsage::NonRepudiation => KeyUsagePurpose::ContentCommitment,
            DemoKeyUsage::KeyEnciphermentOnly => KeyUsagePurpose::KeyEncipherment,
        }];
        if spec.key_usage == DemoKeyUsage::DigitalSignatureAndKeyAgreement {
            params.key_usages.push(KeyUsagePurpose::KeyAgreement);
        }
        params.extended_key_usages = match spec.extended_key_usage {
            DemoExtendedKeyUsage::ClientAuth => vec![ExtendedKeyUsagePurpose::ClientAuth],
            DemoExtendedKeyUsage::Absent => vec![],
            DemoExtendedKeyUsage::EmailProtectionOnly => {
                vec![ExtendedKeyUsagePurpose::EmailProtection]
            }
        };
        params.not_before = datetime(spec.not_before, "use the voter's start time")?;
        params.not_after = datetime(spec.not_after, "use the voter's end time")?;
        params.serial_number = Some(SerialNumber::from(spec.serial));
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .map_err(|e| fail("sign a voter certificate", e))?;
        Ok(DemoVoter {
            code: spec.code.clone(),
            serial: spec.serial,
            cert_der: cert.der().to_vec(),
            pkcs8_der: Zeroizing::new(key.serialize_der()),
        })
    }

    /// Mints one voter per personal code of `codes` (the caller's: demo rolls take them from
    /// `ivote_protocol::roll::demo_estonian_code`, so that rolls and certificates made apart
    /// still match), with names drawn from a short list by position and digitalSignature
    /// usage.
    pub fn issue_many(
        &self,
        codes: &[String],
        algorithm: KeyAlgorithm,
        not_before: i64,
        not_after: i64,
    ) -> Result<Vec<DemoVoter>, EidError> {
        codes
            .iter()
            .enumerate()
            .map(|(pick, code)| {
                let mut spec = VoterSpec::new(code, algorithm, not_before, not_after);
                spec.surname = SURNAMES
                    .get(pick % SURNAMES.len())
                    .copied()
                    .unwrap_or("DEMO")
                    .into();
                spec.given_name = GIVEN_NAMES
                    .get(pick / SURNAMES.len() % GIVEN_NAMES.len())
                    .copied()
                    .unwrap_or("VOTER")
                    .into();
                self.issue(&spec)
            })
            .collect()
    }

    /// Mints a CRL revoking the certificates with the given serial numbers.
    pub fn crl(
        &self,
        revoked_serials: &[u64],
        this_update: i64,
        next_update: i64,
    ) -> Result<DemoCrl, EidError> {
        let this = datetime(this_update, "use the CRL's thisUpdate")?;
        let revoked_certs = revoked_serials
            .iter()
            .map(|&s| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: this,
                reason_code: None,
                invalidity_date: None,
            })
            .collect();
        let params = CertificateRevocationListParams {
            this_update: this,
            next_update: datetime(next_update, "use the CRL's nextUpdate")?,
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params
            .signed_by(&self.cert, &self.key)
            .map_err(|e| fail("sign the CRL", e))?;
        Ok(DemoCrl {
            der: crl.der().to_vec(),
            pem: crl.pem().map_err(|e| fail("encode the CRL", e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::TrustAnchors;

    #[test]
    fn every_ca_says_not_for_real_elections() {
        for alg in ALGORITHMS {
            let ca = ca("Demo CA", alg);
            let anchors = TrustAnchors::from_der_list(&[ca.cert_der()]).unwrap();
            let name = anchors.names().next().unwrap();
            assert!(name.contains("CN=Demo CA NOT FOR REAL ELECTIONS"), "{name}");
            assert!(name.contains("O=NOT FOR REAL ELECTIONS"), "{name}");
        }
    }

    #[test]
    fn issue_many_gives_distinct_voters_with_the_given_codes() {
        // The codes' validity is the roll's: ivote_protocol's acceptance tests mint demo
        // voters with its demo codes and check them.
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let codes: Vec<String> = (0..50).map(|i| format!("3800108{i:04}")).collect();
        let voters = ca
            .issue_many(&codes, KeyAlgorithm::Ed25519, NOW - DAY, NOW + YEAR)
            .unwrap();
        assert_eq!(voters.len(), codes.len());
        let mut ids = std::collections::HashSet::new();
        for (v, code) in voters.iter().zip(&codes) {
            assert_eq!(&v.code, code);
            let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
            assert_eq!(cert.national_id(), v.code);
            let cn = cert.common_name().unwrap();
            assert_eq!(cn.split(',').count(), 3, "{cn}");
            assert!(cn.ends_with(&v.code));
            assert!(ids.insert(cert.voter_id().to_owned()));
        }
    }

    #[test]
    fn every_real_shape_is_minted_signed_as_the_real_issuer_signs_and_signs_ballots() {
        for shape in DemoShape::ALL {
            let ca = shape.ca(NOW - YEAR, NOW + 10 * YEAR).unwrap();
            let anchors = anchors(&[&ca]);
            let v = ca
                .issue(&shape.spec("38001085718", NOW - DAY, NOW + YEAR))
                .unwrap();
            let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
            assert_eq!(cert.algorithm(), shape.voter_algorithm(), "{shape:?}");
            assert_eq!(cert.voter_id(), "PNOEE-38001085718");
            // The CA's signature algorithm: ESTEID2018's P-521 signs the P-384 leaf with
            // ecdsa-with-SHA512, P-384 CAs with SHA-384, RSA CAs with sha384WithRSA.
            let parsed = crate::certificate::parse_certificate(v.cert_der(), "test").unwrap();
            let expected = match shape.ca_algorithm() {
                KeyAlgorithm::EcdsaP521 => "1.2.840.10045.4.3.4",
                KeyAlgorithm::EcdsaP384 => "1.2.840.10045.4.3.3",
                KeyAlgorithm::Rsa(4096) => "1.2.840.113549.1.1.12",
                other => panic!("no real issuer uses {other}"),
            };
            let oid = parsed.signature_algorithm.algorithm.to_id_string();
            assert_eq!(oid, expected, "{shape:?}");
            let card = matches!(shape, DemoShape::IdCard2018 | DemoShape::IdCard2025);
            let usage = parsed.key_usage().unwrap().unwrap().value;
            assert!(usage.digital_signature());
            assert_eq!(usage.key_agreement(), card, "{shape:?}");
            let key = v.key().unwrap();
            assert!(cert.matches_key(&key));
            let sig = key.sign(b"ballot").unwrap();
            assert_eq!(sig.len(), shape.voter_algorithm().signature_len());
            cert.verify_signature(b"ballot", &sig).unwrap();
            let err = cert.verify_signature(b"ballot!", &sig).unwrap_err();
            assert_eq!(err.code(), "eid.bad_signature", "{shape:?}");
            let mut bad = sig.clone();
            bad[7] ^= 1;
            let err = cert.verify_signature(b"ballot", &bad).unwrap_err();
            assert_eq!(err.code(), "eid.bad_signature", "{shape:?}");
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        let err = DemoCa::new("X", KeyAlgorithm::Ed25519, i64::MAX, i64::MAX).unwrap_err();
        assert_eq!(err.code(), "eid.demo_pki");
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        assert!(ca.crl(&[], NOW, NOW - 1).is_err());
        let mut s = spec("38001085718", KeyAlgorithm::Ed25519);
        s.code = "not printable: ü".into();
        assert_eq!(ca.issue(&s).unwrap_err().code(), "eid.demo_pki");
    }
}
