//! The seal of a record (and of the auditors' bundle): `record-index.bin`, the list of every
//! other file with its SHA-256, and `record.sig`, the officials' Ed25519 signature over it.
//!
//! Index layout: `lp("ivote-v1/record/index") ‖ context (32) ‖ lp(kind) ‖ u32 n ‖ n × (lp name
//! ‖ SHA-256 of the file's exact bytes (32))`. `kind` is `election-record` or
//! `auditors-bundle`; names are paths relative to the folder with `/` separators (e.g.
//! `package/manifest.toml`), 1 to 200 bytes of `A-Z a-z 0-9 . _ - /`, no empty, `.` or `..`
//! component, strictly increasing (bytewise). `record.sig` is the 64-byte signature over
//! `"ivote-v1/record-seal" ‖ index bytes`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::{count_u32, header, read_count, read_header, RecordError, INDEX_FILE, SIGNATURE_FILE};
use crate::layout::Reader;
use crate::package::ContextHash;

/// The index's label.
pub const LABEL: &[u8] = b"ivote-v1/record/index";
/// Prefixed to the index bytes before signing.
pub const SEAL_SIGNATURE_LABEL: &[u8] = b"ivote-v1/record-seal";
/// The kind of an election record.
pub const KIND_RECORD: &str = "election-record";
/// The kind of an auditors' bundle.
pub const KIND_AUDITORS: &str = "auditors-bundle";
const MAX_FILES: usize = 4096;
const MAX_NAME: usize = 200;
const F: &str = INDEX_FILE;

/// The index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordIndex {
    /// The election.
    pub context: ContextHash,
    /// [`KIND_RECORD`] or [`KIND_AUDITORS`].
    pub kind: String,
    /// `(name, SHA-256)`, names strictly increasing.
    pub files: Vec<(String, [u8; 32])>,
}

/// Whether `name` is an acceptable file name in an index (see the module docs).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

impl RecordIndex {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(LABEL, &self.context);
        w.bytes(self.kind.as_bytes())
            .u32(count_u32(self.files.len()));
        for (name, hash) in &self.files {
            w.bytes(name.as_bytes()).fixed(hash);
        }
        w.finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<RecordIndex, RecordError> {
        let mut r = Reader::new(bytes, "record index");
        let context = read_header(&mut r, LABEL, F)?;
        let kind = r.string("the kind", 64).map_err(RecordError::layout(F))?;
        if kind != KIND_RECORD && kind != KIND_AUDITORS {
            return Err(RecordError::malformed(F, format!("unknown kind {kind:?}")));
        }
        let n = read_count(&mut r, "files", MAX_FILES, F)?;
        let mut files: Vec<(String, [u8; 32])> = Vec::with_capacity(n);
        for _ in 0..n {
            let name = r
                .string("a file name", MAX_NAME)
                .map_err(RecordError::layout(F))?;
            if !valid_name(name) || files.last().is_some_and(|(last, _)| last.as_str() >= name) {
                return Err(RecordError::malformed(
                    F,
                    format!("the file name {name:?} is not allowed or not in increasing order"),
                ));
            }
            let hash = r.array().map_err(RecordError::layout(F))?;
            files.push((name.to_owned(), hash));
        }
        r.finish().map_err(RecordError::layout(F))?;
        Ok(RecordIndex {
            context,
            kind: kind.to_owned(),
            files,
        })
    }

    /// The officials' signature: the bytes of `record.sig`.
    pub fn sign(&self, key: &SigningKey) -> [u8; 64] {
        key.sign(&[SEAL_SIGNATURE_LABEL, &self.to_bytes()].concat())
            .to_bytes()
    }

    /// Checks `record.sig` over the exact bytes of `record-index.bin` and decodes them.
    pub fn verify(
        index_bytes: &[u8],
        signature: &[u8],
        key: &VerifyingKey,
    ) -> Result<RecordIndex, RecordError> {
        let sig: [u8; 64] = signature
            .try_into()
            .map_err(|_| RecordError::malformed(SIGNATURE_FILE, "it must be exactly 64 bytes"))?;
        key.verify(
            &[SEAL_SIGNATURE_LABEL, index_bytes].concat(),
            &Signature::from_bytes(&sig),
        )
        .map_err(|_| RecordError::BadSignature)?;
        RecordIndex::from_bytes(index_bytes)
    }

    /// Checks one file's SHA-256 against the index (the caller hashes: files can be large).
    pub fn check_file(&self, name: &str, sha256: &[u8; 32]) -> Result<(), RecordError> {
        let (_, expected) = self
            .files
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| RecordError::ExtraFile(name.to_owned()))?;
        if expected == sha256 {
            Ok(())
        } else {
            Err(RecordError::HashMismatch {
                name: name.to_owned(),
                expected: hex::encode(expected),
                actual: hex::encode(sha256),
            })
        }
    }

    /// Checks that the folder's file names (everything but the index and signature) are
    /// exactly the index's.
    pub fn check_names<'a>(
        &self,
        present: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), RecordError> {
        let mut present: Vec<&str> = present
            .into_iter()
            .filter(|n| *n != INDEX_FILE && *n != SIGNATURE_FILE)
            .collect();
        present.sort_unstable();
        for n in &present {
            if !self.files.iter().any(|(f, _)| f == n) {
                return Err(RecordError::ExtraFile((*n).to_owned()));
            }
        }
        for (f, _) in &self.files {
            if present.binary_search(&f.as_str()).is_err() {
                return Err(RecordError::MissingFile(f.clone()));
            }
        }
        Ok(())
    }
}
