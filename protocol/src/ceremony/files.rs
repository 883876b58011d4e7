//! The ceremony's public files: names, JSON envelopes with hex fields, and their parsing.
//!
//! JSON is only the envelope: what is hashed or signed is always an explicit byte layout
//! (the context hash, the commitments hash) or the exact bytes of a file, never serde output.
//! Every envelope has a `format` field naming its kind and version, and unknown fields are
//! refused.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use ivote_crypto::threshold::dkg::PolynomialCommitment;
use ivote_crypto::threshold::share_transport::SEALED_SHARE_LEN;
use ivote_crypto::{ContextHash, Point};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::context::{CeremonyParams, Roster};
use super::error::CeremonyError;
use super::signing::{self, Step, EVERYONE};

/// The ceremony parameters, written by `init`.
pub const PARAMS_FILE: &str = "ceremony-params.json";
/// The roster of ceremony public keys and the ceremony context hash, written by `roster`.
pub const ROSTER_FILE: &str = "roster.json";
/// The public transcript of the whole ceremony, written by `finish`: the package's file.
pub use crate::package::CEREMONY_FILE as TRANSCRIPT_FILE;
/// The election public key as 64 hex digits and a newline, written by `finish`.
pub use crate::package::JOINT_KEY_FILE;

/// Trustee `j`'s ceremony public key.
pub fn public_key_file(j: u32) -> String {
    format!("ceremony-key-{j}.json")
}
/// Trustee `j`'s ceremony secret key (passphrase-protected).
pub fn ceremony_key_secret_file(j: u32) -> String {
    format!("trustee-{j}.ceremony-key.SECRET.json")
}
/// Dealer `i`'s polynomial commitment.
pub fn commitment_file(i: u32) -> String {
    format!("commitment-{i}.json")
}
/// The share dealer `i` sends trustee `j`, encrypted to `j`'s ceremony key and signed by `i`
/// ([`SHARE_FILE_LEN`] bytes).
pub fn share_file(i: u32, j: u32) -> String {
    format!("share-{i}-to-{j}.enc")
}
/// Trustee `j`'s confirmation that every share it received was valid.
pub fn confirmation_file(j: u32) -> String {
    format!("confirm-{j}.json")
}
/// Trustee `j`'s complaint against the dealers whose shares failed.
pub fn complaint_file(j: u32) -> String {
    format!("complaint-{j}.json")
}
/// Trustee `j`'s key share (passphrase-protected).
pub fn key_share_secret_file(j: u32) -> String {
    format!("trustee-{j}.share.SECRET.json")
}

/// Pretty JSON with a final newline.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = serde_json::to_vec_pretty(value)?;
    out.push(b'\n');
    Ok(out)
}

/// Parses an envelope and checks its `format` field.
pub(crate) fn from_json<T: DeserializeOwned + Envelope>(
    file: &str,
    bytes: &[u8],
) -> Result<T, CeremonyError> {
    let v: T = serde_json::from_slice(bytes)
        .map_err(|e| CeremonyError::malformed(file, format!("not a valid {}: {e}", T::FORMAT)))?;
    if v.format() != T::FORMAT {
        return Err(CeremonyError::malformed(
            file,
            format!("format is {:?}, expected {:?}", v.format(), T::FORMAT),
        ));
    }
    Ok(v)
}

/// A JSON envelope with a format tag.
pub(crate) trait Envelope {
    /// The expected `format` value.
    const FORMAT: &'static str;
    /// The `format` value found.
    fn format(&self) -> &str;
}

macro_rules! envelope {
    ($t:ty, $f:literal) => {
        impl Envelope for $t {
            const FORMAT: &'static str = $f;
            fn format(&self) -> &str {
                &self.format
            }
        }
    };
}

/// Decodes a hex point field.
pub(crate) fn point_from_hex(file: &str, field: &str, s: &str) -> Result<Point, CeremonyError> {
    let bytes = hex::decode(s)
        .map_err(|_| CeremonyError::malformed(file, format!("{field} is not hex")))?;
    ivote_crypto::encoding::decode_nonidentity_point(&bytes, "point").map_err(|_| {
        CeremonyError::malformed(file, format!("{field} is not a valid group element"))
    })
}

/// Decodes a 32-byte hex hash field.
pub(crate) fn hash_from_hex(file: &str, field: &str, s: &str) -> Result<[u8; 32], CeremonyError> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| CeremonyError::malformed(file, format!("{field} is not 64 hex digits")))
}

/// Decodes a 64-byte hex signature field.
pub(crate) fn signature_from_hex(
    file: &str,
    field: &str,
    s: &str,
) -> Result<Signature, CeremonyError> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| CeremonyError::malformed(file, format!("{field} is not 128 hex digits")))
}

/// Decodes a hex Ed25519 public key field.
pub(crate) fn signing_key_from_hex(
    file: &str,
    field: &str,
    s: &str,
) -> Result<VerifyingKey, CeremonyError> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| CeremonyError::malformed(file, format!("{field} is not an Ed25519 key")))
}

/// A signature as 128 lower-case hex digits.
pub(crate) fn signature_hex(s: &Signature) -> String {
    hex::encode(s.to_bytes())
}

/// A point as 64 lower-case hex digits.
pub fn point_hex(p: &Point) -> String {
    hex::encode(p.compress().as_bytes())
}

/// Refuses a file of another ceremony.
fn check_context(file: &str, found: &str, context: &ContextHash) -> Result<(), CeremonyError> {
    if hash_from_hex(file, "context_hash", found)? != context.0 {
        return Err(CeremonyError::mismatch(
            file,
            "it was made for another ceremony (context_hash differs from roster.json)",
        ));
    }
    Ok(())
}

/// Refuses a file of another trustee than its name says.
fn check_trustee(file: &str, found: u32, expected: u32) -> Result<(), CeremonyError> {
    if found != expected {
        return Err(CeremonyError::mismatch(
            file,
            format!("it is trustee {found}'s, but its name says trustee {expected}"),
        ));
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamsJson {
    format: String,
    election_id: String,
    trustees: u32,
    threshold: u32,
}
envelope!(ParamsJson, "ivote-ceremony-params-v1");

/// `ceremony-params.json`.
pub fn params_to_json(p: &CeremonyParams) -> Result<Vec<u8>, serde_json::Error> {
    to_json(&ParamsJson {
        format: ParamsJson::FORMAT.into(),
        election_id: p.election_id().into(),
        trustees: p.n(),
        threshold: p.t(),
    })
}

/// Parses and validates `ceremony-params.json`.
pub fn params_from_json(file: &str, bytes: &[u8]) -> Result<CeremonyParams, CeremonyError> {
    let j: ParamsJson = from_json(file, bytes)?;
    CeremonyParams::new(&j.election_id, j.trustees, j.threshold)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicKeyJson {
    format: String,
    election_id: String,
    trustee: u32,
    public_key: String,
    signing_key: String,
}
envelope!(PublicKeyJson, "ivote-ceremony-public-key-v2");

/// `ceremony-key-J.json`: the key the shares to `j` are encrypted to, and the key `j`'s
/// messages are signed with.
pub fn public_key_to_json(
    p: &CeremonyParams,
    j: u32,
    key: &Point,
    signing_key: &VerifyingKey,
) -> Result<Vec<u8>, serde_json::Error> {
    to_json(&PublicKeyJson {
        format: PublicKeyJson::FORMAT.into(),
        election_id: p.election_id().into(),
        trustee: j,
        public_key: point_hex(key),
        signing_key: hex::encode(signing_key.as_bytes()),
    })
}

/// Parses trustee `j`'s `ceremony-key-J.json` for the ceremony `p`: (encryption key, signing
/// key).
pub fn public_key_from_json(
    file: &str,
    bytes: &[u8],
    p: &CeremonyParams,
    j: u32,
) -> Result<(Point, VerifyingKey), CeremonyError> {
    let v: PublicKeyJson = from_json(file, bytes)?;
    if v.election_id != p.election_id() {
        return Err(CeremonyError::mismatch(
            file,
            format!("it is for election {:?}", v.election_id),
        ));
    }
    check_trustee(file, v.trustee, j)?;
    Ok((
        point_from_hex(file, "public_key", &v.public_key)?,
        signing_key_from_hex(file, "signing_key", &v.signing_key)?,
    ))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterJson {
    format: String,
    election_id: String,
    trustees: u32,
    threshold: u32,
    public_keys: Vec<String>,
    signing_keys: Vec<String>,
    context_hash: String,
}
envelope!(RosterJson, "ivote-ceremony-roster-v2");

/// `roster.json`.
pub fn roster_to_json(r: &Roster) -> Result<Vec<u8>, serde_json::Error> {
    let p = r.params();
    to_json(&RosterJson {
        format: RosterJson::FORMAT.into(),
        election_id: p.election_id().into(),
        trustees: p.n(),
        threshold: p.t(),
        public_keys: r.keys().iter().map(point_hex).collect(),
        signing_keys: r
            .signing_keys()
            .iter()
            .map(|k| hex::encode(k.as_bytes()))
            .collect(),
        context_hash: hex::encode(r.context_hash().0),
    })
}

/// Parses `roster.json` and checks that its `context_hash` is the one its contents give.
pub fn roster_from_json(file: &str, bytes: &[u8]) -> Result<Roster, CeremonyError> {
    let v: RosterJson = from_json(file, bytes)?;
    let params = CeremonyParams::new(&v.election_id, v.trustees, v.threshold)?;
    let keys = (1u32..)
        .zip(&v.public_keys)
        .map(|(j, k)| point_from_hex(file, &format!("public key of trustee {j}"), k))
        .collect::<Result<Vec<_>, _>>()?;
    let signing_keys = (1u32..)
        .zip(&v.signing_keys)
        .map(|(j, k)| signing_key_from_hex(file, &format!("signing key of trustee {j}"), k))
        .collect::<Result<Vec<_>, _>>()?;
    let roster = Roster::new(params, keys, signing_keys)?;
    if hash_from_hex(file, "context_hash", &v.context_hash)? != roster.context_hash().0 {
        return Err(CeremonyError::malformed(
            file,
            "context_hash is not the hash of the roster's contents (the file was altered)",
        ));
    }
    Ok(roster)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitmentJson {
    format: String,
    context_hash: String,
    trustee: u32,
    commitment: String,
    signature: String,
}
envelope!(CommitmentJson, "ivote-ceremony-commitment-v2");

/// A dealer's commitment with the dealer's signature on it ([`Step::Commitment`], to
/// everyone, the body the commitment's layout).
#[derive(Debug, Clone)]
pub struct SignedCommitment {
    /// The commitment (its dealer is `commitment.trustee()`).
    pub commitment: PolynomialCommitment,
    /// The dealer's signature.
    pub signature: Signature,
}

impl SignedCommitment {
    /// Dealer `commitment.trustee()` signs their commitment.
    pub fn sign(
        key: &SigningKey,
        context: &ContextHash,
        commitment: PolynomialCommitment,
    ) -> SignedCommitment {
        let signature = signing::sign(
            key,
            Step::Commitment,
            context,
            commitment.trustee(),
            EVERYONE,
            &commitment.to_bytes(),
        );
        SignedCommitment {
            commitment,
            signature,
        }
    }

    /// Checks the signature with the roster's key of the dealer; `file` names the file.
    pub fn verify_signature(&self, roster: &Roster, file: &str) -> Result<(), CeremonyError> {
        signing::verify(
            roster,
            file,
            Step::Commitment,
            self.commitment.trustee(),
            EVERYONE,
            &self.commitment.to_bytes(),
            &self.signature,
        )
    }
}

/// `commitment-I.json`: the commitment's exact layout bytes and the dealer's signature, in
/// hex.
pub fn commitment_to_json(
    context: &ContextHash,
    c: &SignedCommitment,
) -> Result<Vec<u8>, serde_json::Error> {
    to_json(&CommitmentJson {
        format: CommitmentJson::FORMAT.into(),
        context_hash: hex::encode(context.0),
        trustee: c.commitment.trustee(),
        commitment: hex::encode(c.commitment.to_bytes()),
        signature: signature_hex(&c.signature),
    })
}

/// Parses dealer `i`'s commitment file (decoding only: the signatures and the proofs are
/// checked with the whole set, see [`super::transcript::verify_signed_commitments`]).
pub fn commitment_from_json(
    file: &str,
    bytes: &[u8],
    context: &ContextHash,
    i: u32,
) -> Result<SignedCommitment, CeremonyError> {
    let v: CommitmentJson = from_json(file, bytes)?;
    check_context(file, &v.context_hash, context)?;
    check_trustee(file, v.trustee, i)?;
    Ok(SignedCommitment {
        commitment: commitment_from_hex(file, &v.commitment, i)?,
        signature: signature_from_hex(file, "signature", &v.signature)?,
    })
}

/// The length of a share file: the sealed share (88 bytes, `docs/key-ceremony.md`, "Share
/// transport") and the dealer's signature (64).
pub const SHARE_FILE_LEN: usize = SEALED_SHARE_LEN + 64;

/// The bytes of `share-I-to-J.enc`: the sealed share and dealer `i`'s signature on it
/// ([`Step::Share`], to `j`).
pub fn share_file_bytes(
    key: &SigningKey,
    context: &ContextHash,
    i: u32,
    j: u32,
    sealed: &[u8],
) -> Vec<u8> {
    let sig = signing::sign(key, Step::Share, context, i, j, sealed);
    [sealed, &sig.to_bytes()].concat()
}

/// Checks `share-I-to-J.enc` (named `file`): its length and dealer `i`'s signature on it for
/// recipient `j`; returns the sealed share.
pub fn share_from_file<'a>(
    file: &str,
    bytes: &'a [u8],
    roster: &Roster,
    i: u32,
    j: u32,
) -> Result<&'a [u8], CeremonyError> {
    if bytes.len() != SHARE_FILE_LEN {
        return Err(CeremonyError::malformed(
            file,
            format!(
                "it has {} bytes, a share file has {SHARE_FILE_LEN}",
                bytes.len()
            ),
        ));
    }
    let (sealed, sig) = bytes.split_at(SEALED_SHARE_LEN);
    let sig = <[u8; 64]>::try_from(sig)
        .map(|b| Signature::from_bytes(&b))
        .map_err(|_| CeremonyError::malformed(file, "no signature"))?;
    signing::verify(roster, file, Step::Share, i, j, sealed, &sig)?;
    Ok(sealed)
}

/// Decodes a hex commitment that must be dealer `i`'s.
pub(crate) fn commitment_from_hex(
    file: &str,
    hex_bytes: &str,
    i: u32,
) -> Result<PolynomialCommitment, CeremonyError> {
    let raw = hex::decode(hex_bytes).map_err(|_| {
        CeremonyError::malformed(file, format!("commitment of trustee {i} is not hex"))
    })?;
    let c = PolynomialCommitment::from_bytes(&raw).map_err(|e| CeremonyError::BadCommitment {
        dealer: i,
        detail: format!("in {file}: {e}"),
    })?;
    check_trustee(file, c.trustee(), i)?;
    Ok(c)
}

/// A trustee's signed statement that every share it received passed, and which key share
/// that gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The confirming trustee `j`.
    pub trustee: u32,
    /// `Y_j = s_j·G` of the key share it holds.
    pub verification_key: Point,
    /// The commitments hash of the commitments it checked its shares against
    /// ([`super::transcript::commitments_hash`]).
    pub commitments_hash: [u8; 32],
    /// Trustee `j`'s signature ([`Step::Confirmation`], to everyone, on [`Self::body`]).
    pub signature: Signature,
}

impl Confirmation {
    /// Trustee `trustee` confirms and signs.
    pub fn sign(
        key: &SigningKey,
        context: &ContextHash,
        trustee: u32,
        verification_key: Point,
        commitments_hash: [u8; 32],
    ) -> Confirmation {
        let body = Self::body_of(&verification_key, &commitments_hash);
        Confirmation {
            trustee,
            verification_key,
            commitments_hash,
            signature: signing::sign(key, Step::Confirmation, context, trustee, EVERYONE, &body),
        }
    }

    fn body_of(verification_key: &Point, commitments_hash: &[u8; 32]) -> [u8; 64] {
        let mut body = [0u8; 64];
        body[..32].copy_from_slice(verification_key.compress().as_bytes());
        body[32..].copy_from_slice(commitments_hash);
        body
    }

    /// The signed body: `Y_j (32) ‖ commitments hash (32)`.
    pub fn body(&self) -> [u8; 64] {
        Self::body_of(&self.verification_key, &self.commitments_hash)
    }

    /// Checks the signature with the roster's key of the trustee; `file` names the file.
    pub fn verify_signature(&self, roster: &Roster, file: &str) -> Result<(), CeremonyError> {
        signing::verify(
            roster,
            file,
            Step::Confirmation,
            self.trustee,
            EVERYONE,
            &self.body(),
            &self.signature,
        )
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmationEntry {
    trustee: u32,
    verification_key: String,
    commitments_hash: String,
    signature: String,
}

impl ConfirmationEntry {
    pub(crate) fn from_confirmation(c: &Confirmation) -> ConfirmationEntry {
        ConfirmationEntry {
            trustee: c.trustee,
            verification_key: point_hex(&c.verification_key),
            commitments_hash: hex::encode(c.commitments_hash),
            signature: signature_hex(&c.signature),
        }
    }

    pub(crate) fn parse(&self, file: &str, j: u32) -> Result<Confirmation, CeremonyError> {
        check_trustee(file, self.trustee, j)?;
        Ok(Confirmation {
            trustee: j,
            verification_key: point_from_hex(file, "verification_key", &self.verification_key)?,
            commitments_hash: hash_from_hex(file, "commitments_hash", &self.commitments_hash)?,
            signature: signature_from_hex(file, "signature", &self.signature)?,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmationJson {
    format: String,
    context_hash: String,
    trustee: u32,
    verification_key: String,
    commitments_hash: String,
    signature: String,
}
envelope!(ConfirmationJson, "ivote-ceremony-confirmation-v2");

/// `confirm-J.json`.
pub fn confirmation_to_json(
    context: &ContextHash,
    c: &Confirmation,
) -> Result<Vec<u8>, serde_json::Error> {
    let e = ConfirmationEntry::from_confirmation(c);
    to_json(&ConfirmationJson {
        format: ConfirmationJson::FORMAT.into(),
        context_hash: hex::encode(context.0),
        trustee: e.trustee,
        verification_key: e.verification_key,
        commitments_hash: e.commitments_hash,
        signature: e.signature,
    })
}

/// Parses trustee `j`'s confirmation (its signature is checked with the others, by
/// [`super::transcript::check_ceremony`]).
pub fn confirmation_from_json(
    file: &str,
    bytes: &[u8],
    context: &ContextHash,
    j: u32,
) -> Result<Confirmation, CeremonyError> {
    let v: ConfirmationJson = from_json(file, bytes)?;
    check_context(file, &v.context_hash, context)?;
    ConfirmationEntry {
        trustee: v.trustee,
        verification_key: v.verification_key,
        commitments_hash: v.commitments_hash,
        signature: v.signature,
    }
    .parse(file, j)
}

/// One accusation of a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accusation {
    /// The accused dealer.
    pub dealer: u32,
    /// What was wrong with its share.
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComplaintJson {
    format: String,
    context_hash: String,
    trustee: u32,
    accused: Vec<Accusation>,
    signature: String,
}
envelope!(ComplaintJson, "ivote-ceremony-complaint-v2");

/// The signed body of a complaint: `u32(k) ‖ k × (u32(dealer) ‖ lp(reason, UTF-8))`.
pub fn complaint_body(accused: &[Accusation]) -> Vec<u8> {
    let mut w = crate::layout::Writer::new();
    w.u32(u32::try_from(accused.len()).unwrap_or(u32::MAX));
    for a in accused {
        w.u32(a.dealer).bytes(a.reason.as_bytes());
    }
    w.finish()
}

/// `complaint-J.json`, signed by trustee `trustee` ([`Step::Complaint`], to everyone).
pub fn complaint_to_json(
    key: &SigningKey,
    context: &ContextHash,
    trustee: u32,
    accused: &[Accusation],
) -> Result<Vec<u8>, serde_json::Error> {
    let sig = signing::sign(
        key,
        Step::Complaint,
        context,
        trustee,
        EVERYONE,
        &complaint_body(accused),
    );
    to_json(&ComplaintJson {
        format: ComplaintJson::FORMAT.into(),
        context_hash: hex::encode(context.0),
        trustee,
        accused: accused.to_vec(),
        signature: signature_hex(&sig),
    })
}

/// Parses trustee `j`'s complaint and checks their signature on it: the accused dealers.
pub fn complaint_from_json(
    file: &str,
    bytes: &[u8],
    roster: &Roster,
    j: u32,
) -> Result<Vec<Accusation>, CeremonyError> {
    let v: ComplaintJson = from_json(file, bytes)?;
    check_context(file, &v.context_hash, &roster.context_hash())?;
    check_trustee(file, v.trustee, j)?;
    let sig = signature_from_hex(file, "signature", &v.signature)?;
    signing::verify(
        roster,
        file,
        Step::Complaint,
        j,
        EVERYONE,
        &complaint_body(&v.accused),
        &sig,
    )?;
    Ok(v.accused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_crypto::group::{g_table, Scalar};

    fn signing_keys() -> Vec<SigningKey> {
        (1..=3u8)
            .map(|i| SigningKey::from_bytes(&[i; 32]))
            .collect()
    }

    fn roster() -> Roster {
        let p = CeremonyParams::new("RK2027", 3, 2).unwrap();
        let keys = (1..=3u64).map(|i| &Scalar::from(i) * g_table()).collect();
        let signing = signing_keys()
            .iter()
            .map(SigningKey::verifying_key)
            .collect();
        Roster::new(p, keys, signing).unwrap()
    }

    #[test]
    fn envelopes_round_trip() {
        let r = roster();
        let p = r.params().clone();
        assert_eq!(
            params_from_json("f", &params_to_json(&p).unwrap()).unwrap(),
            p
        );
        let k = r.keys()[1];
        let sk = r.signing_keys()[1];
        let b = public_key_to_json(&p, 2, &k, &sk).unwrap();
        assert_eq!(public_key_from_json("f", &b, &p, 2).unwrap(), (k, sk));
        assert_eq!(
            public_key_from_json("f", &b, &p, 3).unwrap_err().code(),
            "ceremony.mismatch"
        );
        assert_eq!(
            roster_from_json("f", &roster_to_json(&r).unwrap()).unwrap(),
            r
        );
        let ctx = r.context_hash();
        let c = Confirmation::sign(&signing_keys()[1], &ctx, 2, k, [3; 32]);
        let b = confirmation_to_json(&ctx, &c).unwrap();
        let parsed = confirmation_from_json("f", &b, &ctx, 2).unwrap();
        assert_eq!(parsed, c);
        assert!(parsed.verify_signature(&r, "f").is_ok());
        assert_eq!(
            confirmation_from_json("f", &b, &ContextHash([0; 32]), 2)
                .unwrap_err()
                .code(),
            "ceremony.mismatch"
        );
        let acc = vec![Accusation {
            dealer: 1,
            reason: "bad".into(),
        }];
        let b = complaint_to_json(&signing_keys()[2], &ctx, 3, &acc).unwrap();
        assert_eq!(complaint_from_json("f", &b, &r, 3).unwrap(), acc);
    }

    #[test]
    fn a_substituted_or_moved_message_is_refused() {
        let r = roster();
        let ctx = r.context_hash();
        let keys = signing_keys();
        let outsider = SigningKey::from_bytes(&[77; 32]);
        // A confirmation signed by a key not in the roster, or by another trustee.
        for key in [&outsider, &keys[0]] {
            let c = Confirmation::sign(key, &ctx, 2, r.keys()[1], [3; 32]);
            assert_eq!(
                c.verify_signature(&r, "f").unwrap_err().code(),
                "ceremony.bad_signature"
            );
        }
        // A confirmation whose verification key was changed after signing.
        let mut c = Confirmation::sign(&keys[1], &ctx, 2, r.keys()[1], [3; 32]);
        c.verification_key = r.keys()[0];
        assert!(c.verify_signature(&r, "f").is_err());
        // A complaint forged by the carrier, or edited.
        let acc = vec![Accusation {
            dealer: 1,
            reason: "bad".into(),
        }];
        let forged = complaint_to_json(&outsider, &ctx, 3, &acc).unwrap();
        assert_eq!(
            complaint_from_json("f", &forged, &r, 3).unwrap_err().code(),
            "ceremony.bad_signature"
        );
        let b = String::from_utf8(complaint_to_json(&keys[2], &ctx, 3, &acc).unwrap()).unwrap();
        let edited = b.replace("\"dealer\": 1", "\"dealer\": 2");
        assert_ne!(edited, b);
        assert!(complaint_from_json("f", edited.as_bytes(), &r, 3).is_err());
        // A share file: moved to another recipient or dealer, signed by an outsider, a
        // signature bit flipped, or cut short.
        let sealed = [5u8; SEALED_SHARE_LEN];
        let file = share_file_bytes(&keys[0], &ctx, 1, 2, &sealed);
        assert_eq!(share_from_file("f", &file, &r, 1, 2).unwrap(), sealed);
        for (i, j) in [(1, 3), (2, 2)] {
            assert_eq!(
                share_from_file("f", &file, &r, i, j).unwrap_err().code(),
                "ceremony.bad_signature"
            );
        }
        let forged = share_file_bytes(&outsider, &ctx, 1, 2, &sealed);
        assert!(share_from_file("f", &forged, &r, 1, 2).is_err());
        let mut flipped = file.clone();
        flipped[SHARE_FILE_LEN - 1] ^= 1;
        assert!(share_from_file("f", &flipped, &r, 1, 2).is_err());
        assert_eq!(
            share_from_file("f", &file[..SEALED_SHARE_LEN], &r, 1, 2)
                .unwrap_err()
                .code(),
            "ceremony.malformed_file"
        );
    }

    #[test]
    fn altered_roster_and_bad_envelopes_are_refused() {
        let r = roster();
        let text = String::from_utf8(roster_to_json(&r).unwrap()).unwrap();
        let altered = text.replace("\"threshold\": 2", "\"threshold\": 3");
        assert_ne!(altered, text);
        assert_eq!(
            roster_from_json("f", altered.as_bytes())
                .unwrap_err()
                .code(),
            "ceremony.malformed_file"
        );
        // A signing key replaced: the context hash no longer matches.
        let sk = hex::encode(r.signing_keys()[0].as_bytes());
        let other = hex::encode(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes());
        let swapped = text.replace(&sk, &other);
        assert_ne!(swapped, text);
        assert_eq!(
            roster_from_json("f", swapped.as_bytes())
                .unwrap_err()
                .code(),
            "ceremony.malformed_file"
        );
        let wrong_format = text.replace("roster-v2", "roster-v1");
        assert!(roster_from_json("f", wrong_format.as_bytes()).is_err());
        let extra = text.replacen('{', "{\"extra\": 1,", 1);
        assert!(roster_from_json("f", extra.as_bytes()).is_err());
        assert!(roster_from_json("f", b"not json").is_err());
    }
}
