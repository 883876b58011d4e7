//! `tally package verify`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use ivote_protocol::acceptance::OcspSettings;
use ivote_protocol::package::{
    self, verify_and_load, ContextHash, ElectionPackage, PackageError, PackageTrust,
};

use crate::cmd::inputs;
use crate::error::Refusal;

/// The arguments of `tally package verify` (help on [`super::PackageCommand`]).
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["officials_key", "context"])))]
pub struct VerifyArgs {
    /// The package folder.
    #[arg(value_name = "FOLDER")]
    pub package: PathBuf,
    /// The officials' public key: its file (officials-key.hex) or the key itself, 64 hex
    /// digits, as they published it. The package must carry their signature.
    #[arg(long, value_name = "FILE_OR_HEX")]
    pub officials_key: Option<String>,
    /// The published context hash (64 hex digits): the package must have it.
    #[arg(long, value_name = "HASH")]
    pub context: Option<String>,
}

/// The loader's checks in the order it makes them, with the error codes that mean each
/// failed: what `verify` prints. (The checks themselves are all in
/// [`ivote_protocol::package::verify_and_load`] and [`inputs::check_eid`].)
const CHECKS: &[(&str, &[&str])] = &[
    (
        "package.sig: the officials' signature over package.json / the published context hash",
        &[
            "package.bad_signature_file",
            "package.bad_signature",
            "package.context_mismatch",
        ],
    ),
    (
        "package.json: the index is well formed",
        &["package.bad_index"],
    ),
    (
        "every file is present with the SHA-256 the index gives, and no other file",
        &[
            "package.missing_file",
            "package.extra_file",
            "package.hash_mismatch",
        ],
    ),
    (
        "manifest.toml: the manifest validates",
        &["package.bad_manifest"],
    ),
    ("roll.sha256: a roll hash", &["package.bad_roll_hash"]),
    (
        "collector-key.hex: an Ed25519 public key",
        &["package.bad_collector_key"],
    ),
    (
        "joint-key.hex: an election public key",
        &["package.bad_joint_key"],
    ),
    (
        "ceremony.json: every commitment and confirmation verifies, for this election",
        &["package.bad_ceremony", "package.ceremony_election_mismatch"],
    ),
    (
        "joint-key.hex is the key ceremony.json gives",
        &["package.joint_key_mismatch"],
    ),
];

/// Runs `package verify`.
pub fn run(a: VerifyArgs) -> Result<()> {
    let files = ivote_protocol::fs::read_package_dir(&a.package)?;
    let officials = a
        .officials_key
        .as_deref()
        .map(inputs::officials_key)
        .transpose()?;
    let pinned = a
        .context
        .as_deref()
        .map(|h| {
            ContextHash::from_hex(h).ok_or_else(|| Refusal::BadKey {
                file: "--context".into(),
                detail: format!("`{h}` is not 64 lower-case hex digits"),
            })
        })
        .transpose()?;
    let trust = match (&officials, &pinned) {
        (Some(key), _) => PackageTrust::OfficialsKey(key),
        (None, Some(hash)) => PackageTrust::PinnedContext(hash),
        (None, None) => anyhow::bail!("give --officials-key or --context"),
    };
    println!("checking the election package in {}", a.package.display());
    let loaded = verify_and_load(&files, trust);
    report(loaded.as_ref().err());
    let p = loaded.map_err(Refusal::from)?;
    check_eid(&a.package, &p)?;
    println!("package OK: election {}", p.manifest.election_id().as_str());
    println!(
        "key ceremony: {} of {} trustees",
        p.ceremony.params().t(),
        p.ceremony.params().n()
    );
    println!("context hash: {}", p.context_hash.to_hex());
    Ok(())
}

/// Prints each check with its result: "ok" up to the failed one, then "not reached".
fn report(error: Option<&PackageError>) {
    let failed = error.and_then(|e| {
        CHECKS
            .iter()
            .position(|(_, codes)| codes.contains(&e.code()))
    });
    for (i, (what, _)) in CHECKS.iter().enumerate() {
        let result = match failed {
            Some(f) if i == f => "FAILED",
            Some(f) if i > f => "not reached",
            _ => "ok",
        };
        println!("  [{result}] {what}");
    }
}

/// The e-ID files, parsed as the collector parses them.
fn check_eid(dir: &Path, p: &ElectionPackage) -> Result<()> {
    let r = inputs::check_eid(
        &p.trust_anchors_pem,
        p.crl_pem.as_deref(),
        &dir.join(package::TRUST_ANCHORS_FILE),
        Some(&dir.join(package::CRL_FILE)),
    );
    let result = if r.is_ok() { "ok" } else { "FAILED" };
    println!("  [{result}] trust-anchors.pem and crl.pem: CA certificates, CRL signed by them");
    let anchors = r?;
    if let Some(toml) = &p.ocsp_toml {
        let r = OcspSettings::from_toml(toml, &anchors);
        let result = if r.is_ok() { "ok" } else { "FAILED" };
        println!("  [{result}] ocsp.toml: the CAs checked by OCSP, their responders");
        r.map_err(|error| Refusal::Ocsp {
            file: dir.join(package::OCSP_FILE).display().to_string(),
            error,
        })?;
    }
    Ok(())
}
