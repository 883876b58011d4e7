//! `tally package build`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use ivote_protocol::acceptance::OcspSettings;
use ivote_protocol::ceremony::files::{JOINT_KEY_FILE, TRANSCRIPT_FILE};
use ivote_protocol::package::{self, hex_file, PackageFiles};

use crate::cmd::inputs;
use crate::cmd::manifest::check::window_check;
use crate::cmd::officials_key::SigningArgs;
use crate::cmd::roll::RollArgs;
use crate::error::Refusal;
use crate::fsio;

/// The arguments of `tally package build` (help on [`super::PackageCommand`]).
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub inputs: RollArgs,
    /// The e-ID trust anchors: the certificates (PEM) of the CAs that issue voters'
    /// certificates.
    #[arg(long, value_name = "PEM")]
    pub trust_anchors: PathBuf,
    /// The CAs' certificate revocation list(s), PEM.
    #[arg(long, value_name = "PEM")]
    pub crl: Option<PathBuf>,
    /// Which CAs' voters are checked by OCSP when they vote (ocsp.toml: docs/eid.md, "OCSP
    /// at cast time").
    #[arg(long, value_name = "TOML")]
    pub ocsp: Option<PathBuf>,
    /// The key ceremony folder, with ceremony.json and joint-key.hex from `tally ceremony
    /// finish`.
    #[arg(long, value_name = "FOLDER")]
    pub ceremony: PathBuf,
    /// The collector's public key file (64 hex digits).
    #[arg(long, value_name = "HEX_FILE")]
    pub collector_key: PathBuf,
    #[command(flatten)]
    pub signing: SigningArgs,
    /// The package folder to create.
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
    /// Check the voting window against this time instead of the clock (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = inputs::parse_time)]
    pub now: Option<jiff::Timestamp>,
    /// Accept a voting window that has already started (rebuilding a past election's
    /// package).
    #[arg(long)]
    pub allow_past: bool,
}

/// Runs `package build`.
pub fn run(a: BuildArgs) -> Result<()> {
    if a.out.exists() {
        anyhow::bail!(
            "{} already exists; a package is written into a new folder",
            a.out.display()
        );
    }
    let manifest = inputs::manifest(&a.inputs.manifest, window_check(a.allow_past, a.now))?;
    let (roll, _) = inputs::roll(&a.inputs.roll, a.inputs.country, &manifest)?;
    let (anchors, anchors_pem, crl_pem) = inputs::eid_files(&a.trust_anchors, a.crl.as_deref())?;
    let ocsp_toml = a.ocsp.as_deref().map(fsio::read).transpose()?;
    if let (Some(toml), Some(path)) = (&ocsp_toml, &a.ocsp) {
        OcspSettings::from_toml(toml, &anchors).map_err(|error| Refusal::Ocsp {
            file: path.display().to_string(),
            error,
        })?;
    }
    inputs::public_key(&a.collector_key)?;
    let canonical = manifest
        .canonical_bytes()
        .map_err(|errors| Refusal::Manifest {
            file: a.inputs.manifest.display().to_string(),
            errors,
        })?;
    let mut files = PackageFiles::from([
        (package::MANIFEST_FILE.into(), canonical),
        (package::ROLL_HASH_FILE.into(), hex_file(&roll.hash().0)),
        (package::TRUST_ANCHORS_FILE.into(), anchors_pem),
        (
            package::CEREMONY_FILE.into(),
            fsio::read(&a.ceremony.join(TRANSCRIPT_FILE))?,
        ),
        (
            package::JOINT_KEY_FILE.into(),
            fsio::read(&a.ceremony.join(JOINT_KEY_FILE))?,
        ),
        (
            package::COLLECTOR_KEY_FILE.into(),
            fsio::read(&a.collector_key)?,
        ),
    ]);
    if let Some(crl) = crl_pem {
        files.insert(package::CRL_FILE.into(), crl);
    }
    if let Some(ocsp) = ocsp_toml {
        files.insert(package::OCSP_FILE.into(), ocsp);
    }
    let officials = a.signing.unlock()?;
    let files = package::build(files, &officials).map_err(Refusal::from)?;
    ivote_protocol::fs::write_package_dir(&a.out, &files)
        .with_context(|| format!("writing the package to {}", a.out.display()))?;
    let index = package::PackageIndex::from_files(&files).map_err(Refusal::from)?;
    for name in files.keys() {
        println!("wrote {}", a.out.join(name).display());
    }
    println!(
        "package for election {} signed by officials' key {}",
        manifest.election_id().as_str(),
        hex::encode(officials.verifying_key().as_bytes())
    );
    println!("context hash: {}", index.context_hash().to_hex());
    Ok(())
}
