//! Reading the ceremony's public files, each parsed and checked by
//! `ivote_protocol::ceremony`, with the file's name in every error: shared by the steps
//! that build on earlier ones.

use std::path::Path;

use anyhow::Result;
use ivote_protocol::ceremony::files::{self, SignedCommitment};
use ivote_protocol::ceremony::{
    self as transcript, CeremonyError, CeremonyParams, Roster, VerifiedCeremony,
};

use crate::error::Refusal;
use crate::fsio;

/// Reads `dir/name`, parsing it with `parse` (errors name the file).
pub(super) fn load<T, E: Into<Refusal>>(
    dir: &Path,
    name: &str,
    parse: impl FnOnce(&str, &[u8]) -> Result<T, E>,
) -> Result<T> {
    let path = dir.join(name);
    let bytes = fsio::read(&path)?;
    parse(&path.display().to_string(), &bytes).map_err(|e| e.into().into())
}

/// Reads `ceremony-params.json`.
pub fn load_params(dir: &Path) -> Result<CeremonyParams> {
    load(dir, files::PARAMS_FILE, files::params_from_json)
}

/// Reads `roster.json`.
pub fn load_roster(dir: &Path) -> Result<Roster> {
    load(dir, files::ROSTER_FILE, files::roster_from_json)
}

/// Reads every dealer's commitment file, in dealer order (decoded only: see
/// [`transcript::verify_signed_commitments`]).
pub(super) fn load_commitments(dir: &Path, roster: &Roster) -> Result<Vec<SignedCommitment>> {
    let context = roster.context_hash();
    (1..=roster.params().n())
        .map(|i| {
            load(dir, &files::commitment_file(i), |f, b| {
                files::commitment_from_json(f, b, &context, i)
            })
        })
        .collect()
}

/// Reads and verifies `ceremony.json` in `dir`.
pub fn load_transcript(dir: &Path) -> Result<VerifiedCeremony> {
    load(dir, files::TRANSCRIPT_FILE, transcript::verify_transcript)
}

/// Gives a signature error of the shared checks, which know a folder's files by name only,
/// the path of the file in `dir`.
pub(super) fn name_folder_file(dir: &Path, e: CeremonyError) -> CeremonyError {
    match e {
        CeremonyError::BadSignature { file, signer, step } => CeremonyError::BadSignature {
            file: dir.join(file).display().to_string(),
            signer,
            step,
        },
        other => other,
    }
}
