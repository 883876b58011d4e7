//! The last step (officials): every public file checked together into the transcript and
//! the election public key.

use std::path::Path;

use anyhow::Result;
use ivote_protocol::ceremony::files;
use ivote_protocol::ceremony::{self as transcript, Source, VerifiedCeremony};
use ivote_protocol::package::hex_file;

use super::load::{load, load_commitments, load_roster, name_folder_file};
use crate::error::Refusal;
use crate::fsio::{self, Written};

/// Final step (officials): checks all public files (every signature, proof and
/// confirmation), refuses while any complaint is outstanding, and writes `ceremony.json` and
/// `joint-key.hex`.
pub fn finish(dir: &Path) -> Result<(Vec<Written>, VerifiedCeremony)> {
    let roster = load_roster(dir)?;
    let context = roster.context_hash();
    let n = roster.params().n();
    let mut complaints = Vec::new();
    for j in 1..=n {
        let path = dir.join(files::complaint_file(j));
        if path.exists() {
            let accused = load(dir, &files::complaint_file(j), |f, b| {
                files::complaint_from_json(f, b, &roster, j)
            })?;
            complaints.push((j, accused.iter().map(|a| a.dealer).collect()));
        }
    }
    if !complaints.is_empty() {
        return Err(Refusal::ComplaintsOutstanding { complaints }.into());
    }
    let commitments = load_commitments(dir, &roster)?;
    let confirmations = (1..=n)
        .map(|j| {
            load(dir, &files::confirmation_file(j), |f, b| {
                files::confirmation_from_json(f, b, &context, j)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let ceremony = transcript::check_ceremony(roster, commitments, confirmations, Source::Folder)
        .map_err(|e| name_folder_file(dir, e))?;
    let t = fsio::write_new(
        dir,
        files::TRANSCRIPT_FILE,
        &transcript::transcript_to_json(&ceremony)?,
    )?;
    let k = fsio::write_new(
        dir,
        files::JOINT_KEY_FILE,
        &hex_file(&ceremony.joint_key.to_bytes()),
    )?;
    Ok((vec![t, k], ceremony))
}
