//! V02 (the officials' signature on the package), V03 (its files, manifest and context hash)
//! and V04 (the key ceremony transcript), by `ivote_protocol::package::verify_and_load` and
//! `ivote_protocol::ceremony::verify_transcript`: the same code every program loads the
//! package with, so the verifier accepts exactly what they accept.

use ed25519_dalek::VerifyingKey;
use ivote_protocol::ceremony::verify_transcript;
use ivote_protocol::package::{
    verify_and_load, ElectionPackage, PackageError, PackageFiles, PackageIndex, PackageTrust,
    CEREMONY_FILE, INDEX_FILE, SIGNATURE_FILE,
};
use ivote_protocol::record::PACKAGE_DIR;

use super::{CEREMONY, PACKAGE, PACKAGE_SIGNATURE};
use crate::files::RecordDir;
use crate::report::{item_file, Report};

fn item(name: &str) -> String {
    item_file(&format!("{PACKAGE_DIR}/{name}"))
}

/// The error and its code; a refused transcript also gives the ceremony's own code (which
/// signature or proof failed).
fn described(e: &PackageError) -> String {
    match e {
        PackageError::BadCeremony(inner) => format!("{e} [{}, {}]", e.code(), inner.code()),
        _ => format!("{e} [{}]", e.code()),
    }
}

/// Whether the error is about the signature (the package's content may still be sound), or
/// stopped the loader before it checked the signature.
fn is_signature_error(e: &PackageError) -> bool {
    matches!(
        e,
        PackageError::BadSignature | PackageError::BadSignatureFile
    ) || matches!(e, PackageError::MissingFile(name) if name == SIGNATURE_FILE || name == INDEX_FILE)
}

/// Whether the error is the ceremony's (everything V03 covers was checked before it).
fn is_ceremony_error(e: &PackageError) -> bool {
    matches!(
        e,
        PackageError::BadCeremony(_)
            | PackageError::CeremonyForAnotherElection { .. }
            | PackageError::JointKeyMismatch
    )
}

/// Loads the package without its signature: authenticated by its own index's hash.
fn load_unsigned(files: &PackageFiles) -> Result<ElectionPackage, PackageError> {
    let index = files
        .get(INDEX_FILE)
        .ok_or_else(|| PackageError::MissingFile(INDEX_FILE.into()))?;
    let context = PackageIndex::parse(index)?.context_hash();
    verify_and_load(files, PackageTrust::PinnedContext(&context))
}

/// Runs V02, V03 and V04; returns the package if it loaded.
pub fn check(
    dir: &RecordDir,
    officials: Option<&VerifyingKey>,
    report: &mut Report,
) -> Option<ElectionPackage> {
    let files = match ivote_protocol::fs::read_package_dir(&dir.root().join(PACKAGE_DIR)) {
        Ok(files) => files,
        Err(e) => {
            for c in [PACKAGE_SIGNATURE, PACKAGE, CEREMONY] {
                report.not_run(c, format!("{e} [{}]", e.code()));
            }
            return None;
        }
    };
    let signed = officials.map(|k| verify_and_load(&files, PackageTrust::OfficialsKey(k)));
    let loaded = match signed {
        None => {
            report.not_run(PACKAGE_SIGNATURE, "no officials' key (see the notes)");
            load_unsigned(&files)
        }
        Some(Err(e)) if is_signature_error(&e) => {
            report.failed(PACKAGE_SIGNATURE, item(SIGNATURE_FILE), described(&e));
            load_unsigned(&files)
        }
        Some(result) => {
            report.ran(PACKAGE_SIGNATURE, "package.json", vec![]);
            result
        }
    };
    match loaded {
        Ok(p) => {
            report.ran(
                PACKAGE,
                format!(
                    "{} files, context hash {}",
                    p.index.entries().len(),
                    p.context_hash.to_hex()
                ),
                vec![],
            );
            report.ran(
                CEREMONY,
                format!(
                    "{} trustees, threshold {}",
                    p.ceremony.params().n(),
                    p.ceremony.params().t()
                ),
                vec![],
            );
            Some(p)
        }
        Err(e) if is_ceremony_error(&e) => {
            report.ran(PACKAGE, "", vec![]);
            report.failed(CEREMONY, item(CEREMONY_FILE), described(&e));
            None
        }
        Err(e) => {
            report.failed(PACKAGE, item(INDEX_FILE), described(&e));
            // The transcript can still be judged on its own.
            match files.get(CEREMONY_FILE) {
                None => report.not_run(CEREMONY, format!("the package has no {CEREMONY_FILE}")),
                Some(bytes) => match verify_transcript(CEREMONY_FILE, bytes) {
                    Ok(c) => report.ran(
                        CEREMONY,
                        format!(
                            "{} trustees, threshold {}; its match with the package not checked",
                            c.params().n(),
                            c.params().t()
                        ),
                        vec![],
                    ),
                    Err(e) => {
                        report.failed(CEREMONY, item(CEREMONY_FILE), format!("{e} [{}]", e.code()))
                    }
                },
            }
            None
        }
    }
}
