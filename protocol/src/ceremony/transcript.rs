//! The public checks of a ceremony and its transcript `ceremony.json`.
//!
//! [`check_ceremony`] is the one place where the public evidence is judged: the roster, every
//! dealer's commitment with its proofs, every trustee's confirmation. `finish` runs it on the
//! files of the ceremony folder and writes the transcript; [`verify_transcript`] runs it again
//! on a transcript (for the election package, the verifier, and `decrypt-share` later).

use ed25519_dalek::Signature;
use ivote_crypto::threshold::dkg::{CommitmentSet, PolynomialCommitment};
use ivote_crypto::{ContextHash, CryptoError, Point, PublicKey};
use serde::{Deserialize, Serialize};

use super::context::{CeremonyParams, Roster};
use super::error::CeremonyError;
use super::files::{
    commitment_file, commitment_from_hex, confirmation_file, from_json, hash_from_hex,
    point_from_hex, point_hex, signature_from_hex, signature_hex, signing_key_from_hex, to_json,
    Confirmation, ConfirmationEntry, Envelope, SignedCommitment,
};
use crate::layout::Writer;

/// The commitments hash a trustee confirms: which commitments it checked its shares against.
///
/// ```text
/// SHA-256( lp("ivote-v1/ceremony-commitments") ‖ context hash (32) ‖ u32(count)
///          ‖ for each commitment, by dealer: lp(commitment layout bytes) )
/// ```
pub fn commitments_hash(context: &ContextHash, set: &CommitmentSet) -> [u8; 32] {
    let mut l = Writer::labelled(b"ivote-v1/ceremony-commitments");
    l.fixed(&context.0)
        .u32(u32::try_from(set.commitments().len()).unwrap_or(u32::MAX));
    for c in set.commitments() {
        l.bytes(&c.to_bytes());
    }
    l.sha256()
}

/// Where a message was read from, for errors: its own file in a ceremony folder, or the
/// transcript that holds it.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// The ceremony folder's files (`commitment-I.json`, `confirm-J.json`).
    Folder,
    /// One transcript file, such as `ceremony.json`.
    Transcript(&'a str),
}

impl Source<'_> {
    fn name(self, own_file: String, what: &str) -> String {
        match self {
            Source::Folder => own_file,
            Source::Transcript(file) => format!("{file} ({what})"),
        }
    }
}

/// Checks that `commitments[i − 1]` is dealer `i`'s and signed by dealer `i`'s key of the
/// roster, then verifies every commitment's proofs ([`verify_commitments`]).
pub fn verify_signed_commitments(
    roster: &Roster,
    commitments: Vec<SignedCommitment>,
    source: Source<'_>,
) -> Result<(CommitmentSet, Vec<Signature>), CeremonyError> {
    let n = roster.params().n() as usize;
    if commitments.len() != n {
        return Err(CeremonyError::InvalidParameters(format!(
            "{} commitments for {n} trustees",
            commitments.len()
        )));
    }
    for (i, c) in (1u32..).zip(&commitments) {
        if c.commitment.trustee() != i {
            return Err(CeremonyError::BadCommitment {
                dealer: c.commitment.trustee(),
                detail: format!("found where trustee {i}'s commitment belongs"),
            });
        }
        let file = source.name(commitment_file(i), &format!("trustee {i}'s commitment"));
        c.verify_signature(roster, &file)?;
    }
    let (commitments, signatures) = commitments
        .into_iter()
        .map(|c| (c.commitment, c.signature))
        .unzip();
    let set = verify_commitments(&roster.context_hash(), roster.params(), commitments)?;
    Ok((set, signatures))
}

/// Verifies every dealer's commitment (proofs, counts, no dealer twice); a failure names the
/// dealer. The signatures are [`verify_signed_commitments`]'s.
pub fn verify_commitments(
    context: &ContextHash,
    params: &CeremonyParams,
    commitments: Vec<PolynomialCommitment>,
) -> Result<CommitmentSet, CeremonyError> {
    CommitmentSet::new(context, params.threshold(), commitments).map_err(|e| match e {
        CryptoError::DealerMisbehaved { dealer, reason } => CeremonyError::BadCommitment {
            dealer,
            detail: reason.into(),
        },
        other => CeremonyError::InvalidParameters(other.to_string()),
    })
}

/// A ceremony whose public evidence all checked out.
#[derive(Debug, Clone)]
pub struct VerifiedCeremony {
    /// Parameters and ceremony keys.
    pub roster: Roster,
    /// The ceremony context hash.
    pub context: ContextHash,
    /// Every dealer's verified commitment.
    pub commitments: CommitmentSet,
    /// Dealer `i`'s signature on their commitment at `i − 1`.
    pub commitment_signatures: Vec<Signature>,
    /// One confirmation per trustee, in index order.
    pub confirmations: Vec<Confirmation>,
    /// The election public key `Y`.
    pub joint_key: PublicKey,
    /// `Y_j` at element `j − 1`.
    pub verification_keys: Vec<Point>,
}

impl VerifiedCeremony {
    /// The parameters.
    pub fn params(&self) -> &CeremonyParams {
        self.roster.params()
    }
}

/// Checks the public evidence of a ceremony: `commitments[i − 1]` must be dealer `i`'s,
/// signed by dealer `i`, and verify (every dealer takes part: disqualification is by
/// restarting without the dealer), and `confirmations[j − 1]` must be trustee `j`'s, signed
/// by trustee `j`, with the verification key and the commitments hash that the commitments
/// give. Every signature is checked with the roster's keys.
pub fn check_ceremony(
    roster: Roster,
    commitments: Vec<SignedCommitment>,
    confirmations: Vec<Confirmation>,
    source: Source<'_>,
) -> Result<VerifiedCeremony, CeremonyError> {
    let context = roster.context_hash();
    let n = roster.params().n() as usize;
    let (set, commitment_signatures) = verify_signed_commitments(&roster, commitments, source)?;
    let joint_key = set.joint_public_key().map_err(|_| {
        CeremonyError::InvalidParameters("the commitments give the identity as joint key".into())
    })?;
    let verification_keys = set.verification_keys();
    let hash = commitments_hash(&context, &set);
    if confirmations.len() != n {
        return Err(CeremonyError::InvalidParameters(format!(
            "{} confirmations for {n} trustees",
            confirmations.len()
        )));
    }
    for ((j, c), vk) in (1u32..).zip(&confirmations).zip(&verification_keys) {
        if c.trustee != j {
            return Err(CeremonyError::ConfirmationMismatch {
                trustee: c.trustee,
                detail: format!("found where trustee {j}'s confirmation belongs"),
            });
        }
        let file = source.name(confirmation_file(j), &format!("trustee {j}'s confirmation"));
        c.verify_signature(&roster, &file)?;
        if c.commitments_hash != hash {
            return Err(CeremonyError::ConfirmationMismatch {
                trustee: j,
                detail: "it checked its shares against other commitments than the published ones"
                    .into(),
            });
        }
        if c.verification_key != *vk {
            return Err(CeremonyError::ConfirmationMismatch {
                trustee: j,
                detail: "its key share's verification key is not the one the commitments give"
                    .into(),
            });
        }
    }
    Ok(VerifiedCeremony {
        roster,
        context,
        commitments: set,
        commitment_signatures,
        confirmations,
        joint_key,
        verification_keys,
    })
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptJson {
    format: String,
    election_id: String,
    trustees: u32,
    threshold: u32,
    ceremony_public_keys: Vec<String>,
    ceremony_signing_keys: Vec<String>,
    context_hash: String,
    commitments: Vec<String>,
    commitment_signatures: Vec<String>,
    confirmations: Vec<ConfirmationEntry>,
    joint_public_key: String,
    verification_keys: Vec<String>,
}

impl Envelope for TranscriptJson {
    const FORMAT: &'static str = "ivote-ceremony-transcript-v2";
    fn format(&self) -> &str {
        &self.format
    }
}

/// The bytes of `ceremony.json` for a verified ceremony.
pub fn transcript_to_json(c: &VerifiedCeremony) -> Result<Vec<u8>, serde_json::Error> {
    let p = c.params();
    to_json(&TranscriptJson {
        format: TranscriptJson::FORMAT.into(),
        election_id: p.election_id().into(),
        trustees: p.n(),
        threshold: p.t(),
        ceremony_public_keys: c.roster.keys().iter().map(point_hex).collect(),
        ceremony_signing_keys: c
            .roster
            .signing_keys()
            .iter()
            .map(|k| hex::encode(k.as_bytes()))
            .collect(),
        context_hash: hex::encode(c.context.0),
        commitments: c
            .commitments
            .commitments()
            .iter()
            .map(|k| hex::encode(k.to_bytes()))
            .collect(),
        commitment_signatures: c.commitment_signatures.iter().map(signature_hex).collect(),
        confirmations: c
            .confirmations
            .iter()
            .map(ConfirmationEntry::from_confirmation)
            .collect(),
        joint_public_key: hex::encode(c.joint_key.to_bytes()),
        verification_keys: c.verification_keys.iter().map(point_hex).collect(),
    })
}

/// Parses `ceremony.json` (named `file` in messages) and checks everything in it
/// ([`check_ceremony`]: every signature and every proof), including that its stated context
/// hash, joint key and verification keys are the ones its contents give.
pub fn verify_transcript(file: &str, bytes: &[u8]) -> Result<VerifiedCeremony, CeremonyError> {
    let v: TranscriptJson = from_json(file, bytes)?;
    let params = CeremonyParams::new(&v.election_id, v.trustees, v.threshold)?;
    let keys = (1u32..)
        .zip(&v.ceremony_public_keys)
        .map(|(j, k)| point_from_hex(file, &format!("ceremony key of trustee {j}"), k))
        .collect::<Result<Vec<_>, _>>()?;
    let signing_keys = (1u32..)
        .zip(&v.ceremony_signing_keys)
        .map(|(j, k)| signing_key_from_hex(file, &format!("signing key of trustee {j}"), k))
        .collect::<Result<Vec<_>, _>>()?;
    let roster = Roster::new(params, keys, signing_keys)?;
    if v.commitment_signatures.len() != v.commitments.len() {
        return Err(CeremonyError::malformed(
            file,
            format!(
                "{} commitments but {} commitment signatures",
                v.commitments.len(),
                v.commitment_signatures.len()
            ),
        ));
    }
    let commitments = (1u32..)
        .zip(v.commitments.iter().zip(&v.commitment_signatures))
        .map(|(i, (c, sig))| {
            Ok(SignedCommitment {
                commitment: commitment_from_hex(file, c, i)?,
                signature: signature_from_hex(file, "commitment signature", sig)?,
            })
        })
        .collect::<Result<Vec<_>, CeremonyError>>()?;
    let confirmations = (1u32..)
        .zip(&v.confirmations)
        .map(|(j, c)| c.parse(file, j))
        .collect::<Result<Vec<_>, _>>()?;
    let c = check_ceremony(roster, commitments, confirmations, Source::Transcript(file))?;
    let stated_vks = v
        .verification_keys
        .iter()
        .map(|k| point_from_hex(file, "verification key", k))
        .collect::<Result<Vec<_>, _>>()?;
    if hash_from_hex(file, "context_hash", &v.context_hash)? != c.context.0
        || point_from_hex(file, "joint_public_key", &v.joint_public_key)? != *c.joint_key.point()
        || stated_vks != c.verification_keys
    {
        return Err(CeremonyError::malformed(
            file,
            "its context hash, joint key or verification keys are not the ones its contents \
             give (the file was altered)",
        ));
    }
    Ok(c)
}
