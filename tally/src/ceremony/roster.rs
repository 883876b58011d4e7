//! After round 0 (officials): the roster of every trustee's ceremony key, whose hash is the
//! ceremony context every later file is bound to.

use std::path::Path;

use anyhow::Result;
use ivote_crypto::ContextHash;
use ivote_protocol::ceremony::files;
use ivote_protocol::ceremony::Roster;

use super::load::{load, load_params};
use crate::fsio::{self, Written};

/// After round 0 (officials): collects the `n` public keys into `roster.json`.
pub fn roster(dir: &Path) -> Result<(Written, ContextHash)> {
    let params = load_params(dir)?;
    let (keys, signing_keys) = (1..=params.n())
        .map(|j| {
            load(dir, &files::public_key_file(j), |f, b| {
                files::public_key_from_json(f, b, &params, j)
            })
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let roster = Roster::new(params, keys, signing_keys)?;
    let w = fsio::write_new(dir, files::ROSTER_FILE, &files::roster_to_json(&roster)?)?;
    Ok((w, roster.context_hash()))
}
