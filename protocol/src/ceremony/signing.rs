//! The trustees' signatures on their ceremony messages.
//!
//! The files of the ceremony travel between the trustees' laptops on the officials' USB
//! stick. Without signatures, whoever carries them could replace a trustee's commitment and
//! shares by their own and learn the election secret. So every message is signed with its
//! sender's **ceremony signing key** (Ed25519, RFC 8032), whose public half is in the roster
//! and therefore in the ceremony context hash, and every reader checks the signature with the
//! roster's key of the sender it expects. The signed bytes (`docs/key-ceremony.md`,
//! "Signatures"):
//!
//! ```text
//! lp("ivote-v1/ceremony/<step>") ‖ ceremony context (32) ‖ u32(sender) ‖ u32(recipient)
//!   ‖ lp(body)
//! ```
//!
//! with `recipient` 0 for a message to everyone. A signature binds the ceremony, the step,
//! who sent it and to whom: a message moved to another index, another step or another
//! ceremony no longer verifies.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::context::Roster;
use super::error::CeremonyError;
use crate::layout::Writer;
use ivote_crypto::ContextHash;

/// The recipient of a message to everyone (a commitment, a confirmation, a complaint).
pub const EVERYONE: u32 = 0;

/// Which ceremony message a signature is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `commitment-I.json` (to everyone): the body is the commitment's layout.
    Commitment,
    /// `share-I-to-J.enc` (to `J`): the body is the 88-byte sealed share.
    Share,
    /// `confirm-J.json` (to everyone): the body is `Y_J (32) ‖ commitments hash (32)`.
    Confirmation,
    /// `complaint-J.json` (to everyone): the body is
    /// `u32(k) ‖ k × (u32(dealer) ‖ lp(reason, UTF-8))`.
    Complaint,
}

impl Step {
    /// The domain label.
    pub fn label(self) -> &'static str {
        match self {
            Step::Commitment => "ivote-v1/ceremony/commitment",
            Step::Share => "ivote-v1/ceremony/share",
            Step::Confirmation => "ivote-v1/ceremony/confirmation",
            Step::Complaint => "ivote-v1/ceremony/complaint",
        }
    }

    /// How messages call it.
    pub fn what(self) -> &'static str {
        match self {
            Step::Commitment => "commitment",
            Step::Share => "share",
            Step::Confirmation => "confirmation",
            Step::Complaint => "complaint",
        }
    }
}

/// The bytes a trustee signs (module docs).
pub fn signed_message(
    step: Step,
    context: &ContextHash,
    sender: u32,
    recipient: u32,
    body: &[u8],
) -> Vec<u8> {
    Writer::labelled(step.label().as_bytes())
        .fixed(&context.0)
        .u32(sender)
        .u32(recipient)
        .bytes(body)
        .finish()
}

/// Signs a message of trustee `sender` with their ceremony signing key.
pub fn sign(
    key: &SigningKey,
    step: Step,
    context: &ContextHash,
    sender: u32,
    recipient: u32,
    body: &[u8],
) -> Signature {
    key.sign(&signed_message(step, context, sender, recipient, body))
}

/// Checks that `signature` is trustee `sender`'s, by the roster's key, on this message of
/// this ceremony; `file` names the file in the error.
pub fn verify(
    roster: &Roster,
    file: &str,
    step: Step,
    sender: u32,
    recipient: u32,
    body: &[u8],
    signature: &Signature,
) -> Result<(), CeremonyError> {
    let key: &VerifyingKey = roster.signing_key(sender)?;
    let message = signed_message(step, &roster.context_hash(), sender, recipient, body);
    key.verify_strict(&message, signature)
        .map_err(|_| CeremonyError::BadSignature {
            file: file.to_owned(),
            signer: sender,
            step: step.what(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ceremony::CeremonyParams;
    use ivote_crypto::group::{g_table, Scalar};

    fn roster(keys: &[SigningKey]) -> Roster {
        let p = CeremonyParams::new("RK", 2, 2).unwrap();
        let enc = (1..=2u64).map(|i| &Scalar::from(i) * g_table()).collect();
        Roster::new(p, enc, keys.iter().map(SigningKey::verifying_key).collect()).unwrap()
    }

    #[test]
    fn the_signed_bytes_are_the_documented_layout() {
        let ctx = ContextHash([7; 32]);
        let m = signed_message(Step::Share, &ctx, 2, 3, b"xy");
        let mut expected = Vec::new();
        expected.extend_from_slice(&23u32.to_be_bytes());
        expected.extend_from_slice(b"ivote-v1/ceremony/share");
        expected.extend_from_slice(&[7; 32]);
        expected.extend_from_slice(&2u32.to_be_bytes());
        expected.extend_from_slice(&3u32.to_be_bytes());
        expected.extend_from_slice(&2u32.to_be_bytes());
        expected.extend_from_slice(b"xy");
        assert_eq!(m, expected);
    }

    #[test]
    fn a_signature_binds_signer_recipient_step_body_and_ceremony() {
        let keys = [
            SigningKey::from_bytes(&[1; 32]),
            SigningKey::from_bytes(&[2; 32]),
        ];
        let r = roster(&keys);
        let ctx = r.context_hash();
        let sig = sign(&keys[0], Step::Share, &ctx, 1, 2, b"body");
        assert!(verify(&r, "f", Step::Share, 1, 2, b"body", &sig).is_ok());
        let refused = |e: Result<(), CeremonyError>| {
            assert_eq!(e.unwrap_err().code(), "ceremony.bad_signature");
        };
        refused(verify(&r, "f", Step::Share, 2, 2, b"body", &sig));
        refused(verify(&r, "f", Step::Share, 1, 1, b"body", &sig));
        refused(verify(&r, "f", Step::Commitment, 1, 2, b"body", &sig));
        refused(verify(&r, "f", Step::Share, 1, 2, b"bodz", &sig));
        let mut bytes = sig.to_bytes();
        bytes[5] ^= 1;
        refused(verify(
            &r,
            "f",
            Step::Share,
            1,
            2,
            b"body",
            &Signature::from_bytes(&bytes),
        ));
        // Another ceremony (other keys, so another context hash).
        let other = sign(&keys[0], Step::Share, &ContextHash([0; 32]), 1, 2, b"body");
        refused(verify(&r, "f", Step::Share, 1, 2, b"body", &other));
        // A key not in the roster.
        let outsider = SigningKey::from_bytes(&[3; 32]);
        let forged = sign(&outsider, Step::Share, &ctx, 1, 2, b"body");
        refused(verify(&r, "f", Step::Share, 1, 2, b"body", &forged));
    }
}
