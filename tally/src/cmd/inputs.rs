//! Reading the setup's input files, each refused with the file's name and every problem:
//! shared by the subcommands so that each input is checked one way.

use std::path::Path;

use anyhow::Result;
use ed25519_dalek::VerifyingKey;
use ivote_eid::{EidTrust, TrustAnchors, TrustError};
use ivote_protocol::manifest::{ElectionManifest, WindowCheck};
use ivote_protocol::roll::{Country, VoterRoll};

use crate::error::Refusal;
use crate::fsio;

/// Parses an RFC 3339 time such as `2027-02-01T09:00:00Z` (clap value parser).
pub(crate) fn parse_time(s: &str) -> Result<jiff::Timestamp, String> {
    s.parse()
        .map_err(|e| format!("`{s}` is not an RFC 3339 time like 2027-02-01T09:00:00Z: {e}"))
}

/// The current time, or `--now` if given (the clock is read here, at the edge, only).
pub(crate) fn now_or(now: Option<jiff::Timestamp>) -> jiff::Timestamp {
    now.unwrap_or_else(jiff::Timestamp::now)
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Reads and validates a manifest.
pub(crate) fn manifest(path: &Path, check: WindowCheck) -> Result<ElectionManifest> {
    let bytes = fsio::read(path)?;
    let text = String::from_utf8(bytes).map_err(|_| Refusal::BadKey {
        file: name(path),
        detail: "the manifest is not UTF-8 text".into(),
    })?;
    ElectionManifest::from_toml(&text, check).map_err(|errors| {
        Refusal::Manifest {
            file: name(path),
            errors,
        }
        .into()
    })
}

/// Reads and validates a voter roll against the manifest's districts. Returns the roll and
/// the file's bytes.
pub(crate) fn roll(
    path: &Path,
    country: Country,
    manifest: &ElectionManifest,
) -> Result<(VoterRoll, Vec<u8>)> {
    let bytes = fsio::read(path)?;
    let roll = VoterRoll::parse(&bytes, country, manifest).map_err(|errors| Refusal::Roll {
        file: name(path),
        errors,
    })?;
    Ok((roll, bytes))
}

/// Reads and parses the trust anchors and, if given, a CRL verified against them; returns
/// them with the files' bytes.
pub(crate) fn eid_files(
    anchors_path: &Path,
    crl_path: Option<&Path>,
) -> Result<(TrustAnchors, Vec<u8>, Option<Vec<u8>>)> {
    let anchors_pem = fsio::read(anchors_path)?;
    let crl_pem = crl_path.map(fsio::read).transpose()?;
    let anchors = check_eid(&anchors_pem, crl_pem.as_deref(), anchors_path, crl_path)?;
    Ok((anchors, anchors_pem, crl_pem))
}

/// Parses trust anchors and a CRL (verified against them): the e-ID part of loading a
/// package, the same for `package build` and `package verify`.
pub(crate) fn check_eid(
    anchors_pem: &[u8],
    crl_pem: Option<&[u8]>,
    anchors_file: &Path,
    crl_file: Option<&Path>,
) -> Result<TrustAnchors> {
    let trust = EidTrust::from_pem(anchors_pem, crl_pem).map_err(|e| {
        let file = match e {
            TrustError::Crl(_) => crl_file.map_or_else(|| "crl.pem".into(), name),
            _ => name(anchors_file),
        };
        Refusal::Eid {
            file,
            error: Box::new(e.into_eid()),
        }
    })?;
    Ok(trust.anchors)
}

/// Reads an Ed25519 public key file: 64 hex digits (and a newline).
pub(crate) fn public_key(path: &Path) -> Result<VerifyingKey> {
    let bytes = fsio::read(path)?;
    ivote_protocol::public_key::parse_hex(&bytes).ok_or_else(|| {
        Refusal::BadKey {
            file: name(path),
            detail: "must hold 64 hex digits: an Ed25519 public key".into(),
        }
        .into()
    })
}

/// The officials' public key from `--officials-key`: the key file (officials-key.hex) or the
/// key itself in 64 hex digits, read the way every program reads it
/// ([`ivote_protocol::fs::read_public_key_arg`]). An unreadable file could not run; anything
/// else that is not a key is refused (`key.malformed`).
pub(crate) fn officials_key(arg: &str) -> Result<VerifyingKey> {
    ivote_protocol::fs::read_public_key_arg(arg).map_err(|e| {
        if e.is_unreadable() {
            anyhow::Error::new(e).context("--officials-key")
        } else {
            Refusal::BadKey {
                file: "--officials-key".into(),
                detail: e.to_string(),
            }
            .into()
        }
    })
}
