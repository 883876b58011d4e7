//! What the collector loads once and reads on every submission.

use ivote_crypto::PublicKey;
use ivote_eid::{Crl, EidTrust, TrustAnchors, TrustError};
use ivote_protocol::ballot::{BallotError, BallotShapes};
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::roll::PackageRollError;
use ivote_protocol::{ContextHash, Country, VoterRoll};

use crate::reject::Rejection;

/// The election, as the collector checks submissions against it. Everything is parsed
/// and indexed once (trust anchors, CRL, roll, contest shapes) so that the hot path only
/// looks things up.
#[derive(Debug)]
pub struct Election {
    /// The election context hash.
    pub context: ContextHash,
    /// The joint election key.
    pub joint_key: PublicKey,
    /// Every contest's shape, per district.
    pub shapes: BallotShapes,
    /// The e-ID trust anchors.
    pub anchors: TrustAnchors,
    /// The CRL, if the package has one.
    pub crl: Option<Crl>,
    /// The voter roll.
    pub roll: VoterRoll,
    /// Start of voting (Unix seconds, inclusive).
    pub starts: i64,
    /// End of voting (Unix seconds, exclusive).
    pub ends: i64,
    /// How long an issued challenge stays usable (seconds).
    pub challenge_ttl: i64,
    /// Whether submissions before `starts` are accepted as test votes (`serve
    /// --accept-test-votes`). Their receive time, before `starts`, marks them: the tally
    /// drops every record received before `starts`.
    pub accept_test_votes: bool,
}

impl Election {
    /// Builds the election from a loaded, verified package ([`ivote_protocol::package::verify_and_load`])
    /// and the voter roll file's bytes. The roll must be the file the officials published:
    /// its SHA-256 must be the package's `roll.sha256`, checked before it is parsed. The
    /// trust anchors and CRL are parsed and validated here, once.
    pub fn from_package(
        package: &ElectionPackage,
        roll_csv: &[u8],
        country: Country,
        challenge_ttl: i64,
    ) -> Result<Election, LoadError> {
        let manifest = &package.manifest;
        let roll = package
            .voter_roll(roll_csv, country)
            .map_err(LoadError::Roll)?;
        let EidTrust { anchors, crl } =
            EidTrust::from_pem(&package.trust_anchors_pem, package.crl_pem.as_deref())
                .map_err(LoadError::Eid)?;
        Ok(Election {
            context: package.context_hash,
            joint_key: package.ceremony.joint_key.clone(),
            shapes: BallotShapes::from_manifest(manifest).map_err(LoadError::Shapes)?,
            anchors,
            crl,
            roll,
            starts: manifest.voting_starts().as_second(),
            ends: manifest.voting_ends().as_second(),
            challenge_ttl,
            accept_test_votes: false,
        })
    }

    /// Whether submissions are taken at `now`: `Err` says why not (`election.not_open`
    /// before the window unless test votes are accepted, `election.closed` from its end).
    pub fn window(&self, now: i64) -> Result<(), Rejection> {
        if now >= self.ends {
            Err(Rejection::Closed)
        } else if now < self.starts && !self.accept_test_votes {
            Err(Rejection::NotOpen)
        } else {
            Ok(())
        }
    }

    /// Whether a submission received at `received_at` is a test vote (before the window).
    pub fn is_test_vote(&self, received_at: i64) -> bool {
        received_at < self.starts
    }
}

/// Why the collector cannot load an election from its package and roll.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The roll file is not the package's, or does not validate.
    #[error("{0}")]
    Roll(PackageRollError),
    /// The package's trust anchors or CRL do not load.
    #[error("the package's e-ID trust: {0}")]
    Eid(TrustError),
    /// The manifest's contests give no ballot shapes.
    #[error("the package's manifest: {0}")]
    Shapes(BallotError),
}

impl LoadError {
    /// The stable code: `election.roll_hash_mismatch`, or the underlying error's code
    /// (`roll.*` for the roll's first problem, `eid.*`, `ballot.*`).
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Roll(PackageRollError::NotPublished { .. }) => "election.roll_hash_mismatch",
            LoadError::Roll(PackageRollError::Invalid(e)) => {
                e.codes().first().copied().unwrap_or("roll.invalid")
            }
            LoadError::Eid(e) => e.code(),
            LoadError::Shapes(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use ivote_protocol::package::{verify_and_load, PackageTrust};
    use ivote_testkit::demo::DemoSpec;
    use ivote_testkit::manifest;

    use super::*;

    #[test]
    fn builds_from_the_package_and_refuses_another_roll() {
        let demo = DemoSpec {
            collector: SigningKey::from_bytes(&[9; 32]),
            ..DemoSpec::new(manifest::EXAMPLE)
        }
        .build(&mut rand::rngs::OsRng);
        let st = demo.write_temp();
        let files = ivote_protocol::fs::read_package_dir(&st.path("package")).unwrap();
        let officials = crate::key_file::public_key(st.officials_key_hex().as_bytes()).unwrap();
        let package = verify_and_load(&files, PackageTrust::OfficialsKey(&officials)).unwrap();
        let roll = std::fs::read(st.path("pki/roll.csv")).unwrap();

        let election = Election::from_package(&package, &roll, Country::EE, 300).unwrap();
        assert_eq!(election.context, package.context_hash);
        assert_eq!(election.roll.len(), 6);
        assert!(election.crl.is_some());
        assert_eq!(
            election.starts,
            package.manifest.voting_starts().as_second()
        );
        assert_eq!(election.challenge_ttl, 300);

        let mut other = roll.clone();
        other.extend_from_slice(b"\n");
        let err = Election::from_package(&package, &other, Country::EE, 300).unwrap_err();
        assert_eq!(err.code(), "election.roll_hash_mismatch");
        assert!(
            err.to_string().contains(&package.roll_hash.to_hex()),
            "{err}"
        );
    }
}
