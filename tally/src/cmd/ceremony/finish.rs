//! `tally ceremony finish`.

use anyhow::{Context, Result};
use clap::Args;

use super::DirArgs;
use crate::ceremony;
use crate::cmd::print_written;

/// Officials, last: check every public file and write the transcript and the election key.
///
/// Needs roster.json, every commitment-I.json and every confirm-J.json. Refuses if any
/// complaint-J.json is present (see docs/key-ceremony.md, "When a complaint appears"), or
/// if any commitment or confirmation does not check out. Writes ceremony.json (the public
/// transcript, which goes into the election package) and joint-key.hex (the election public
/// key). Read the printed sha256 values into the minutes.
#[derive(Debug, Args)]
pub struct FinishArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

/// Runs `finish`.
pub fn run(a: FinishArgs) -> Result<()> {
    let (w, c) = ceremony::finish(&a.dir.dir).context("key ceremony, finish")?;
    print_written(&w);
    println!(
        "election public key: {}",
        hex::encode(c.joint_key.to_bytes())
    );
    Ok(())
}
