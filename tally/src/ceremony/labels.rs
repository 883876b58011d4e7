//! The labels that bind a trustee's secret files to their ceremony, so that a file of
//! another trustee or ceremony is refused before it is used.

use ivote_crypto::ContextHash;
use ivote_protocol::ceremony::CeremonyParams;

use crate::secret_file::{SecretKind, SecretLabel};

/// The label of trustee `trustee`'s ceremony key file.
pub(super) fn ceremony_key_label(params: &CeremonyParams, trustee: u32) -> SecretLabel {
    SecretLabel {
        kind: SecretKind::CeremonyKey,
        election_id: params.election_id().into(),
        trustee,
        ceremony_context: None,
    }
}

/// The label of trustee `trustee`'s key share file, bound to the ceremony.
pub(super) fn key_share_label(
    params: &CeremonyParams,
    context: &ContextHash,
    trustee: u32,
) -> SecretLabel {
    SecretLabel {
        kind: SecretKind::KeyShare,
        election_id: params.election_id().into(),
        trustee,
        ceremony_context: Some(*context),
    }
}
