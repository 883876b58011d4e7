//! Step 0 (officials): the ceremony's parameters.

use std::path::Path;

use anyhow::Result;
use ivote_protocol::ceremony::files;
use ivote_protocol::ceremony::CeremonyParams;

use crate::fsio::{self, Written};

/// Step 0 (officials): writes `ceremony-params.json`.
pub fn init(dir: &Path, election_id: &str, n: u32, t: u32) -> Result<Written> {
    let params = CeremonyParams::new(election_id, n, t)?;
    fsio::write_new(dir, files::PARAMS_FILE, &files::params_to_json(&params)?)
}
