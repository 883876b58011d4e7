//! A signed election package built in memory with the real formats: the manifest's
//! canonical bytes, an honest `t`-of-`n` key ceremony (`ivote_protocol`'s `test-support`),
//! the roll's hash, the trust anchors and CRL given, and fixed officials' and collector's
//! keys. The trustees' key shares are kept, for tests that decrypt.

use ed25519_dalek::SigningKey;
use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::threshold::dkg::KeyShare;
use ivote_protocol::ballot::{Ballot, BallotShapes};
use ivote_protocol::ceremony::test_support::honest_ceremony_with_keys;
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::package::{
    build, hex_file, verify_and_load, ElectionPackage, PackageFiles, PackageTrust, CEREMONY_FILE,
    COLLECTOR_KEY_FILE, CRL_FILE, JOINT_KEY_FILE, MANIFEST_FILE, ROLL_HASH_FILE,
    TRUST_ANCHORS_FILE,
};
use ivote_protocol::roll::RollHash;
use rand::{CryptoRng, RngCore};

use crate::manifest;

/// The officials' signing key of every test package (fixed: tests compare keys).
pub fn officials_key() -> SigningKey {
    SigningKey::from_bytes(&[11; 32])
}

/// The collector's signing key of a test package unless a test brings its own.
pub fn collector_key() -> SigningKey {
    SigningKey::from_bytes(&[12; 32])
}

/// What a package is made of, besides the ceremony.
#[derive(Debug, Clone)]
pub struct PackageSpec<'a> {
    /// The manifest (TOML), e.g. one of [`manifest`]'s examples.
    pub manifest: &'a str,
    /// Trustees.
    pub trustees: u32,
    /// Trustees needed to decrypt.
    pub threshold: u32,
    /// The voter roll file (CSV) whose hash the package carries.
    pub roll_csv: &'a [u8],
    /// The trust anchors file (PEM).
    pub trust_anchors_pem: &'a [u8],
    /// The CRL file (PEM), if any.
    pub crl_pem: Option<&'a [u8]>,
    /// The collector's key (its public half goes into the package).
    pub collector: SigningKey,
}

impl<'a> PackageSpec<'a> {
    /// `manifest` with a 2-of-3 ceremony, an empty roll, placeholder trust anchors (for tests
    /// that never look at a certificate) and no CRL.
    pub fn new(manifest: &'a str) -> Self {
        PackageSpec {
            manifest,
            trustees: 3,
            threshold: 2,
            roll_csv: b"id_code,district,name\n",
            trust_anchors_pem: b"test trust anchors\n",
            crl_pem: None,
            collector: collector_key(),
        }
    }

    /// Builds and signs the package.
    pub fn build(self, rng: &mut (impl RngCore + CryptoRng)) -> Election {
        let manifest = manifest::load(self.manifest);
        let (ceremony, transcript, keys) = honest_ceremony_with_keys(
            manifest.election_id().as_str(),
            self.trustees,
            self.threshold,
            rng,
        );
        let officials = officials_key();
        let mut content = PackageFiles::from([
            (MANIFEST_FILE.into(), manifest.canonical_bytes().unwrap()),
            (
                ROLL_HASH_FILE.into(),
                hex_file(&RollHash::of_file(self.roll_csv).0),
            ),
            (TRUST_ANCHORS_FILE.into(), self.trust_anchors_pem.to_vec()),
            (CEREMONY_FILE.into(), transcript),
            (
                JOINT_KEY_FILE.into(),
                hex_file(&ceremony.joint_key.to_bytes()),
            ),
            (
                COLLECTOR_KEY_FILE.into(),
                hex_file(self.collector.verifying_key().as_bytes()),
            ),
        ]);
        if let Some(crl) = self.crl_pem {
            content.insert(CRL_FILE.into(), crl.to_vec());
        }
        let files = build(content, &officials).unwrap();
        let package = verify_and_load(
            &files,
            PackageTrust::OfficialsKey(&officials.verifying_key()),
        )
        .unwrap();
        let shapes = BallotShapes::from_manifest(&package.manifest).unwrap();
        Election {
            officials,
            collector: self.collector,
            files,
            package,
            keys,
            shapes,
        }
    }
}

/// An election set up: its keys, its signed package, the trustees' key shares.
pub struct Election {
    /// The officials' signing key (the package's and the record's signatures).
    pub officials: SigningKey,
    /// The collector's signing key (receipts, tree heads).
    pub collector: SigningKey,
    /// The package's files, as the programs read them.
    pub files: PackageFiles,
    /// The package, verified and loaded.
    pub package: ElectionPackage,
    /// Every trustee's key share (`[j − 1]` is trustee `j`'s).
    pub keys: Vec<KeyShare>,
    /// The ballot shapes of the manifest.
    pub shapes: BallotShapes,
}

impl std::fmt::Debug for Election {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the keys.
        f.debug_struct("Election")
            .field("package", &self.package)
            .finish_non_exhaustive()
    }
}

impl Election {
    /// A `t`-of-`n` election on `manifest` (placeholder e-ID: see [`PackageSpec::new`]).
    pub fn new(manifest: &str, n: u32, t: u32, rng: &mut (impl RngCore + CryptoRng)) -> Self {
        PackageSpec {
            trustees: n,
            threshold: t,
            ..PackageSpec::new(manifest)
        }
        .build(rng)
    }

    /// The challenge an honest collector of this election issues at `at` with a random
    /// nonce: a real vote's in the window, a test vote's before it, for 300 s capped at the
    /// window's edge (as `collector serve` issues them).
    pub fn challenge(&self, at: i64, rng: &mut (impl RngCore + CryptoRng)) -> SignedChallenge {
        let manifest = &self.package.manifest;
        let (starts, ends) = (
            manifest.voting_starts().as_second(),
            manifest.voting_ends().as_second(),
        );
        let (purpose, until) = if at < starts {
            (Purpose::Test, starts)
        } else {
            (Purpose::Vote, ends)
        };
        let mut nonce = [0; 32];
        rng.fill_bytes(&mut nonce);
        SignedChallenge::sign(
            &self.collector,
            self.package.context_hash,
            nonce,
            at,
            (at + 300).min(until).max(at + 1),
            purpose,
        )
    }

    /// The choices voting for selection `choice` in every contest of `district` (for none, a
    /// `choice` past the contest's selections): one value per selection, per contest.
    pub fn choices(&self, district: &str, choice: usize) -> Vec<Vec<u64>> {
        self.shapes
            .district(district)
            .unwrap()
            .iter()
            .map(|(_, shape)| {
                (0..shape.selections().len())
                    .map(|i| u64::from(i == choice))
                    .collect()
            })
            .collect()
    }

    /// A ballot voting for selection `choice` in every contest of `district` (for none, a
    /// `choice` past the contest's selections).
    pub fn ballot(
        &self,
        district: &str,
        choice: usize,
        nonce: [u8; 32],
        seed: &EncryptionSeed,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Ballot {
        let choices = self.choices(district, choice);
        Ballot::encrypt(
            &self.package.context_hash,
            &self.package.ceremony.joint_key,
            &self.shapes,
            district,
            nonce,
            &choices,
            seed,
            rng,
        )
        .unwrap()
    }
}
