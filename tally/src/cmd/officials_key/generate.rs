//! `tally officials-key generate`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use ed25519_dalek::SigningKey;
use ivote_protocol::package::hex_file;
use rand::rngs::OsRng;

use super::{label, passphrases, PUBLIC_FILE, SECRET_FILE, WHO};
use crate::cmd::ceremony::kdf;
use crate::cmd::print_written;
use crate::{fsio, secret_file};

/// The arguments of `tally officials-key generate` (help on [`super::OfficialsKeyCommand`]).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The folder to write the key files into (created if needed).
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
    /// Read the new passphrase from this file (first line) instead of asking for it. For
    /// tests and demonstrations only.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Protect the secret file with very cheap passphrase hashing. For tests and
    /// demonstrations ONLY.
    #[arg(long)]
    pub insecure_fast_kdf: bool,
}

/// Runs `officials-key generate`.
pub fn run(a: GenerateArgs) -> Result<()> {
    let pass = passphrases(a.passphrase_file).get_for(WHO, 1, true)?;
    let key = SigningKey::generate(&mut OsRng);
    let sealed = secret_file::seal(
        &label(),
        key.as_bytes(),
        &pass,
        kdf(a.insecure_fast_kdf),
        &mut OsRng,
    )?;
    let public = key.verifying_key();
    let written = vec![
        fsio::write_new(&a.out, SECRET_FILE, &sealed)?,
        fsio::write_new(&a.out, PUBLIC_FILE, &hex_file(public.as_bytes()))?,
    ];
    print_written(&written);
    println!("officials' public key: {}", hex::encode(public.as_bytes()));
    Ok(())
}
