//! Loading the election package for `serve` and `export`: read the folder, parse the trust
//! flags (`--officials-key FILE_OR_HEX` or `--context HEX`), verify.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use ivote_protocol::package::{
    verify_and_load, ContextHash, ElectionPackage, PackageFiles, PackageTrust,
};

use super::CmdError;

/// The package in `dir`, verified with the officials' public key (its file or hex, read
/// as every program reads it) or a pinned context hash (hex); its files and the officials'
/// key if it was given.
pub(crate) fn load_package(
    dir: &Path,
    officials_key: Option<&str>,
    context: Option<&str>,
) -> Result<(PackageFiles, ElectionPackage, Option<VerifyingKey>), CmdError> {
    let files = ivote_protocol::fs::read_package_dir(dir)
        .map_err(|e| CmdError::CouldNotRun(e.to_string()))?;
    let officials = officials_key
        .map(|arg| {
            ivote_protocol::fs::read_public_key_arg(arg).map_err(|e| {
                if e.is_unreadable() {
                    CmdError::CouldNotRun(format!("--officials-key: {e}"))
                } else {
                    CmdError::refused(
                        "collector.bad_officials_key",
                        format!("--officials-key: {e}"),
                    )
                }
            })
        })
        .transpose()?;
    let pinned = context
        .map(|h| {
            ContextHash::from_hex(h).ok_or_else(|| {
                CmdError::refused(
                    "collector.bad_context",
                    format!("--context `{h}` is not 64 lower-case hex digits"),
                )
            })
        })
        .transpose()?;
    let trust = match (&officials, &pinned) {
        (Some(key), _) => PackageTrust::OfficialsKey(key),
        (None, Some(hash)) => PackageTrust::PinnedContext(hash),
        (None, None) => {
            return Err(CmdError::CouldNotRun(
                "give --officials-key or --context".into(),
            ))
        }
    };
    let package = verify_and_load(&files, trust).map_err(|e| {
        CmdError::refused(
            e.code(),
            format!("the election package in {}: {e}", dir.display()),
        )
    })?;
    Ok((files, package, officials))
}
