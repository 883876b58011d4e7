//! V01: the seal of a record (or of an auditors' bundle): `record.sig` is the officials'
//! signature over `record-index.bin`, every file listed is present with the SHA-256 listed
//! (streamed: the counted ballots are gigabytes), no file is present that is not listed, the
//! index is of the expected kind and for this election.

use ed25519_dalek::VerifyingKey;
use ivote_protocol::package::ContextHash;
use ivote_protocol::record::seal::RecordIndex;
use ivote_protocol::record::{check_context, RecordError, INDEX_FILE, SIGNATURE_FILE};

use crate::files::RecordDir;
use crate::report::{item_file, Check, Failure, Report};

fn failure(name: &str, e: &RecordError) -> Failure {
    Failure {
        item: item_file(name),
        detail: format!("{e} [{}]", e.code()),
    }
}

/// Checks the seal of `dir` (recorded as `check`); `context` is the election's, when the
/// package loaded. Returns the index when its signature verified.
pub fn check(
    dir: &RecordDir,
    officials: Option<&VerifyingKey>,
    context: Option<&ContextHash>,
    kind: &str,
    check: Check,
    report: &mut Report,
) -> Option<RecordIndex> {
    let Some(key) = officials else {
        report.not_run(check, "no officials' key (see the notes)");
        return None;
    };
    let (index_bytes, signature) = match (dir.read(INDEX_FILE), dir.read(SIGNATURE_FILE)) {
        (Ok(i), Ok(s)) => (i, s),
        (Err(e), _) | (_, Err(e)) => {
            report.not_run(check, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let index = match RecordIndex::verify(&index_bytes, &signature, key) {
        Ok(index) => index,
        Err(e) => {
            let name = match e {
                RecordError::BadSignature => SIGNATURE_FILE,
                _ => INDEX_FILE,
            };
            report.ran(check, "", vec![failure(name, &e)]);
            return None;
        }
    };
    let mut failures = Vec::new();
    if index.kind != kind {
        failures.push(Failure {
            item: item_file(INDEX_FILE),
            detail: format!("it seals an {:?}, not an {kind:?}", index.kind),
        });
    }
    if let Some(expected) = context {
        if let Err(e) = check_context(INDEX_FILE, &index.context, expected) {
            failures.push(failure(INDEX_FILE, &e));
        }
    }
    match dir.list() {
        Ok(present) => {
            for name in present {
                if name != INDEX_FILE
                    && name != SIGNATURE_FILE
                    && !index.files.iter().any(|(f, _)| *f == name)
                {
                    failures.push(failure(&name, &RecordError::ExtraFile(name.clone())));
                }
            }
        }
        Err(e) => {
            report.not_run(check, format!("{e} [{}]", e.code()));
            return None;
        }
    }
    for (name, _) in &index.files {
        if !dir.exists(name) {
            failures.push(failure(name, &RecordError::MissingFile(name.clone())));
            continue;
        }
        match dir.sha256(name) {
            Ok(hash) => {
                if let Err(e) = index.check_file(name, &hash) {
                    failures.push(failure(name, &e));
                }
            }
            Err(e) => failures.push(Failure {
                item: item_file(name),
                detail: format!("{e} [{}]", e.code()),
            }),
        }
    }
    report.ran(check, format!("{} files", index.files.len()), failures);
    Some(index)
}
