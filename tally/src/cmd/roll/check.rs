//! `tally roll check`.

use anyhow::Result;
use clap::Args;
use ivote_protocol::manifest::WindowCheck;

use super::{print_counts, RollArgs};
use crate::cmd::inputs;

/// The arguments of `tally roll check` (help on [`super::RollCommand`]).
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub roll: RollArgs,
}

/// Runs `roll check`.
pub fn run(a: CheckArgs) -> Result<()> {
    let manifest = inputs::manifest(&a.roll.manifest, WindowCheck::AllowPast)?;
    let (roll, _) = inputs::roll(&a.roll.roll, a.roll.country, &manifest)?;
    println!("roll OK");
    print_counts(&roll, &roll.hash().to_hex());
    Ok(())
}
