//! `collector close`: the officials close the ballot box before the end of voting (it closes
//! itself at the end). Signs a close request with the officials' key (the sealed
//! `officials-key.SECRET.json`, opened with its passphrase) for the collector's election and
//! the current time, sends it to `POST /admin/close`, and prints the final head.

use std::path::PathBuf;

use clap::Args;
use ivote_protocol::clock::{rfc3339, unix_now};
use ivote_protocol::wire::{ElectionFacts, FinalHead};
use ivote_secrets::passphrase::PassphraseSource;
use ivote_secrets::secret_file::KdfFloor;

use super::{read, CmdError};
use crate::admin::sign_close;
use crate::client::{ApiClient, ClientError};

/// The arguments of `collector close` (help on [`super::Command::Close`]).
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The collector's address, e.g. https://collector.example:443 or http://127.0.0.1:8080.
    #[arg(long, value_name = "URL")]
    pub collector: String,
    /// The officials' secret key file (officials-key.SECRET.json, from `tally officials-key
    /// generate`).
    #[arg(long, value_name = "FILE")]
    pub officials_key_file: PathBuf,
    /// Read the passphrase from this file (first line) instead of asking for it. For tests
    /// and demonstrations: for a real election, type it when asked.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Accept a key file protected with the cheap passphrase hashing of `tally officials-key
    /// generate --insecure-fast-kdf`. For tests and demonstrations ONLY: without it such a
    /// file is refused (ceremony.weak_kdf).
    #[arg(long)]
    pub insecure_fast_kdf: bool,
    /// For an https:// collector: the PEM certificate(s) of the authority that signed its
    /// certificate.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

/// Runs `close`.
pub fn run(a: CloseArgs) -> Result<(), CmdError> {
    let source = a
        .passphrase_file
        .clone()
        .map_or(PassphraseSource::Prompt, PassphraseSource::File);
    let floor = KdfFloor::insecure_if(a.insecure_fast_kdf);
    let key = ivote_secrets::officials_key::unlock(&a.officials_key_file, &source, floor).map_err(
        |e| match e.code() {
            Some(code) => CmdError::refused(code, e),
            None => CmdError::CouldNotRun(e.to_string()),
        },
    )?;
    let ca = a.ca_cert.as_deref().map(read).transpose()?;
    let client = ApiClient::new(&a.collector, ca.as_deref()).map_err(client_error)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CmdError::CouldNotRun(format!("cannot start the runtime: {e}")))?;
    let closed = runtime.block_on(async {
        let election: ElectionFacts = client.get_json("/election").await?;
        let request = sign_close(&key, &election.context, unix_now());
        client
            .post_json::<FinalHead>("/admin/close", &request)
            .await
    });
    let closed = closed.map_err(client_error)?;
    println!(
        "collector: closed; final head: {} submissions, root {}, at {}",
        closed.size,
        hex::encode(closed.root),
        rfc3339(closed.timestamp)
    );
    println!("final head layout: {}", hex::encode(&closed.layout));
    Ok(())
}

/// A refusal by the collector keeps its code; anything else could not run.
fn client_error(e: ClientError) -> CmdError {
    match e {
        ClientError::Refused { code, message, .. } => CmdError::RefusedRemotely { code, message },
        other => CmdError::CouldNotRun(other.to_string()),
    }
}
