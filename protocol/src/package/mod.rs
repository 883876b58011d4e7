//! The election package: one directory of files that the collector, the voters and the
//! verifier all load, and check, the same way.
//!
//! The package's content files are listed, each with its SHA-256, in the index
//! `package.json`; the officials sign the index's exact bytes (`package.sig`). The
//! [`ContextHash`] is computed from the index and so binds every file; every proof of the
//! election absorbs it. This module is pure: files come in as a map name → bytes
//! ([`PackageFiles`]), read and written by [`crate::fs`].
//!
//! The ceremony transcript is re-verified in full ([`crate::ceremony::verify_transcript`]:
//! every commitment's proofs, every confirmation, the joint key and the verification keys
//! recomputed), it must be for the manifest's election, and `joint-key.hex` must be the
//! joint key it gives.

mod error;
mod index;

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::Digest;

use crate::ceremony::{verify_transcript, VerifiedCeremony};
use crate::manifest::ElectionManifest;
use crate::roll::{Country, PackageRollError, RollHash, VoterRoll};

pub use error::PackageError;
pub use index::{IndexEntry, PackageIndex, CONTEXT_LABEL, INDEX_FORMAT};

use index::decode_hex;

/// A package's files: name → exact bytes.
pub type PackageFiles = BTreeMap<String, Vec<u8>>;

/// The index file.
pub const INDEX_FILE: &str = "package.json";
/// The officials' signature over the index.
pub const SIGNATURE_FILE: &str = "package.sig";
/// The canonical manifest ([`ElectionManifest::canonical_bytes`]).
pub const MANIFEST_FILE: &str = "manifest.toml";
/// SHA-256 of the voter roll file, hex.
pub const ROLL_HASH_FILE: &str = "roll.sha256";
/// The e-ID trust anchors (CA certificates), PEM.
pub const TRUST_ANCHORS_FILE: &str = "trust-anchors.pem";
/// The e-ID certificate revocation list(s), PEM (optional).
pub const CRL_FILE: &str = "crl.pem";
/// Which CAs' voters are checked by OCSP at cast time, TOML (optional; docs/eid.md).
pub const OCSP_FILE: &str = "ocsp.toml";
/// The key ceremony transcript (written by the ceremony).
pub const CEREMONY_FILE: &str = "ceremony.json";
/// The election public key from the ceremony, hex of its 32-byte encoding.
pub const JOINT_KEY_FILE: &str = "joint-key.hex";
/// The collector's Ed25519 public key (it signs receipts), hex.
pub const COLLECTOR_KEY_FILE: &str = "collector-key.hex";

/// Files every package has, besides the index and its signature.
pub const REQUIRED_FILES: &[&str] = &[
    CEREMONY_FILE,
    COLLECTOR_KEY_FILE,
    JOINT_KEY_FILE,
    MANIFEST_FILE,
    ROLL_HASH_FILE,
    TRUST_ANCHORS_FILE,
];
/// Files a package may have.
pub const OPTIONAL_FILES: &[&str] = &[CRL_FILE, OCSP_FILE];
/// Prefixed to the index bytes before signing, so the officials' signature over an
/// index can never be taken for one over anything else they sign.
pub const INDEX_SIGNATURE_LABEL: &[u8] = b"ivote-v1/package-index";

/// The election context hash, SHA-256 over the package index (see
/// [`PackageIndex::context_hash`]): the crypto crate's type, which every transcript absorbs.
pub use ivote_crypto::ContextHash;

/// What a loader trusts to authenticate a package.
#[derive(Clone, Copy, Debug)]
pub enum PackageTrust<'a> {
    /// The officials' public key: the index must carry their signature.
    OfficialsKey(&'a VerifyingKey),
    /// A context hash obtained out of band (e.g. published in the newspaper): the index
    /// must hash to it. The signature is then not needed and not checked.
    PinnedContext(&'a ContextHash),
}

/// A loaded, verified election package.
#[derive(Clone, Debug)]
pub struct ElectionPackage {
    /// The index.
    pub index: PackageIndex,
    /// The context hash every proof absorbs.
    pub context_hash: ContextHash,
    /// The manifest, re-validated from its canonical bytes.
    pub manifest: ElectionManifest,
    /// The hash of the voter roll file the officials published.
    pub roll_hash: RollHash,
    /// The e-ID trust anchors, PEM (parsed by `ivote-eid`).
    pub trust_anchors_pem: Vec<u8>,
    /// The CRL, PEM, if the package has one.
    pub crl_pem: Option<Vec<u8>>,
    /// The OCSP settings, TOML, if the package has them.
    pub ocsp_toml: Option<Vec<u8>>,
    /// The verified key ceremony: parameters `n`, `t` (`ceremony.params()`), the
    /// trustees' verification keys, the commitments.
    pub ceremony: VerifiedCeremony,
    /// The election public key (the ceremony's joint key, as `joint-key.hex` states it).
    pub joint_key: ivote_crypto::Point,
    /// The collector's public key.
    pub collector_key: VerifyingKey,
}

impl ElectionPackage {
    /// The voter roll, from the roll file's exact bytes. The file's SHA-256 must be the
    /// package's `roll.sha256`, checked before anything is parsed, so that no program runs
    /// an election with a roll the officials did not publish; then every line is validated
    /// against the manifest's districts and `country`'s id codes ([`VoterRoll::parse`]).
    pub fn voter_roll(
        &self,
        roll_file: &[u8],
        country: Country,
    ) -> Result<VoterRoll, PackageRollError> {
        let actual = RollHash::of_file(roll_file);
        if actual != self.roll_hash {
            return Err(PackageRollError::NotPublished {
                expected: self.roll_hash,
                actual,
            });
        }
        VoterRoll::parse(roll_file, country, &self.manifest).map_err(PackageRollError::Invalid)
    }
}

/// The index and its signature, ready to be added to the package's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIndex {
    /// The bytes of `package.json`.
    pub index_file: Vec<u8>,
    /// The bytes of `package.sig`.
    pub signature_file: Vec<u8>,
}

impl SignedIndex {
    /// Adds `package.json` and `package.sig` to `files`.
    pub fn insert_into(self, files: &mut PackageFiles) {
        files.insert(INDEX_FILE.to_owned(), self.index_file);
        files.insert(SIGNATURE_FILE.to_owned(), self.signature_file);
    }
}

/// Signs an index with the officials' key: `package.sig` is the hex signature over
/// [`INDEX_SIGNATURE_LABEL`] ‖ the index file's bytes, and a newline.
pub fn sign(index: &PackageIndex, officials: &SigningKey) -> SignedIndex {
    let index_file = index.to_bytes();
    let sig = officials.sign(&[INDEX_SIGNATURE_LABEL, &index_file].concat());
    SignedIndex {
        index_file,
        signature_file: hex_file(&sig.to_bytes()),
    }
}

/// Builds a complete package from its content files: indexes and signs them, then loads
/// the result the way every program will, so that nothing unloadable is ever signed.
pub fn build(
    mut files: PackageFiles,
    officials: &SigningKey,
) -> Result<PackageFiles, PackageError> {
    files.remove(INDEX_FILE);
    files.remove(SIGNATURE_FILE);
    let index = PackageIndex::from_files(&files)?;
    sign(&index, officials).insert_into(&mut files);
    verify_and_load(
        &files,
        PackageTrust::OfficialsKey(&officials.verifying_key()),
    )?;
    Ok(files)
}

/// The contents of a one-line hex file (`roll.sha256`, `joint-key.hex`, ...): lower-case
/// hex and a newline.
pub fn hex_file(bytes: &[u8]) -> Vec<u8> {
    format!("{}\n", hex::encode(bytes)).into_bytes()
}

/// Loads and checks a package: the index is authenticated (signature or pinned context
/// hash), every file is present with the hash the index gives, nothing else is there,
/// every file parses, the ceremony transcript verifies for this election, and the joint
/// key is the transcript's.
pub fn verify_and_load(
    files: &PackageFiles,
    trust: PackageTrust<'_>,
) -> Result<ElectionPackage, PackageError> {
    let index_bytes = get(files, INDEX_FILE)?;
    match trust {
        PackageTrust::OfficialsKey(key) => {
            let sig = parse_hex_file::<64>(get(files, SIGNATURE_FILE)?)
                .ok_or(PackageError::BadSignatureFile)?;
            key.verify(
                &[INDEX_SIGNATURE_LABEL, index_bytes].concat(),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| PackageError::BadSignature)?;
        }
        PackageTrust::PinnedContext(_) => {}
    }
    let index = PackageIndex::parse(index_bytes)?;
    let context_hash = index.context_hash();
    if let PackageTrust::PinnedContext(expected) = trust {
        if *expected != context_hash {
            return Err(PackageError::ContextMismatch {
                expected: expected.to_hex(),
                actual: context_hash.to_hex(),
            });
        }
    }
    for name in files.keys() {
        let listed = index.entries().iter().any(|e| &e.name == name);
        if !listed && name != INDEX_FILE && name != SIGNATURE_FILE {
            return Err(PackageError::ExtraFile(name.clone()));
        }
    }
    for entry in index.entries() {
        let bytes = get(files, &entry.name)?;
        let actual: [u8; 32] = sha2::Sha256::digest(bytes).into();
        if actual != entry.sha256 {
            return Err(PackageError::HashMismatch {
                name: entry.name.clone(),
                expected: hex::encode(entry.sha256),
                actual: hex::encode(actual),
            });
        }
    }
    let manifest = ElectionManifest::from_canonical_bytes(get(files, MANIFEST_FILE)?)
        .map_err(PackageError::BadManifest)?;
    let roll_hash = RollHash(
        parse_hex_file::<32>(get(files, ROLL_HASH_FILE)?).ok_or(PackageError::BadRollHash)?,
    );
    let collector_key = parse_hex_file::<32>(get(files, COLLECTOR_KEY_FILE)?)
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        .ok_or(PackageError::BadCollectorKey)?;
    let joint_key = parse_hex_file::<32>(get(files, JOINT_KEY_FILE)?)
        .and_then(|k| ivote_crypto::encoding::decode_nonidentity_point(&k, "joint key").ok())
        .ok_or(PackageError::BadJointKey)?;
    let ceremony = verify_transcript(CEREMONY_FILE, get(files, CEREMONY_FILE)?)
        .map_err(PackageError::BadCeremony)?;
    let manifest_id = manifest.election_id().as_str();
    if ceremony.params().election_id() != manifest_id {
        return Err(PackageError::CeremonyForAnotherElection {
            ceremony: ceremony.params().election_id().to_owned(),
            manifest: manifest_id.to_owned(),
        });
    }
    if *ceremony.joint_key.point() != joint_key {
        return Err(PackageError::JointKeyMismatch);
    }
    Ok(ElectionPackage {
        context_hash,
        manifest,
        roll_hash,
        trust_anchors_pem: get(files, TRUST_ANCHORS_FILE)?.to_vec(),
        crl_pem: files.get(CRL_FILE).cloned(),
        ocsp_toml: files.get(OCSP_FILE).cloned(),
        ceremony,
        joint_key,
        collector_key,
        index,
    })
}

fn get<'a>(files: &'a PackageFiles, name: &str) -> Result<&'a [u8], PackageError> {
    files
        .get(name)
        .map(Vec::as_slice)
        .ok_or_else(|| PackageError::MissingFile(name.to_owned()))
}

/// Exactly `N` bytes as lower-case hex, optionally followed by one newline.
fn parse_hex_file<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    let text = std::str::from_utf8(bytes).ok()?;
    decode_hex(text.strip_suffix('\n').unwrap_or(text))
}

#[cfg(test)]
mod tests;
