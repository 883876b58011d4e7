//! V05 (the collector's final head: its tree-head signature and its closing signature, with
//! the collector key of the package) and V06 (the root recomputed from every leaf of
//! `log.bin`).

use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{check_context, LOG_FILE};

use super::{because, FINAL_HEAD, LOG_ROOT, PACKAGE};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Runs V05 and V06; returns the decoded log.
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    report: &mut Report,
) -> Option<LogFile> {
    let bytes = match dir.read(LOG_FILE) {
        Ok(b) => b,
        Err(e) => {
            for c in [FINAL_HEAD, LOG_ROOT] {
                report.not_run(c, format!("{e} [{}]", e.code()));
            }
            return None;
        }
    };
    let log = match LogFile::from_bytes(&bytes) {
        Ok(log) => log,
        Err(e) => {
            report.failed(
                FINAL_HEAD,
                item_file(LOG_FILE),
                format!("{e} [{}]", e.code()),
            );
            report.skipped(LOG_ROOT, because(&[FINAL_HEAD], "log.bin does not decode"));
            return None;
        }
    };
    let size = log.final_head.head.size;
    match package {
        None => report.skipped(
            FINAL_HEAD,
            because(&[PACKAGE], "the collector's key is in the package"),
        ),
        Some(p) => {
            let mut failures = Vec::new();
            if let Err(e) = check_context(LOG_FILE, &log.context, &p.context_hash) {
                failures.push(Failure {
                    item: item_file(LOG_FILE),
                    detail: format!("{e} [{}]", e.code()),
                });
            }
            if let Err(e) = log.final_head.verify(&p.collector_key, &p.context_hash) {
                failures.push(Failure {
                    item: "final head".into(),
                    detail: format!(
                        "{e} [{}]: the final head is not signed by the package's collector key",
                        e.code()
                    ),
                });
            }
            report.ran(FINAL_HEAD, format!("{size} leaves"), failures);
        }
    }
    let failures = if log.root_matches() {
        vec![]
    } else {
        vec![Failure {
            item: "final head".into(),
            detail: format!(
                "the {size} leaf hashes of {LOG_FILE} do not hash to the final head's root {}",
                hex::encode(log.final_head.head.root)
            ),
        }]
    };
    report.ran(LOG_ROOT, format!("{size} leaves"), failures);
    Some(log)
}
