//! What the collector loads once and reads on every submission: the election as every
//! program checks submissions against it ([`LoadedElection`]), with the collector's own
//! settings (challenges, test votes).

use ed25519_dalek::SigningKey;
use ivote_protocol::acceptance::{LoadError, LoadedElection};
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::Country;

use crate::reject::Rejection;

/// The election, as the collector checks submissions against it. Everything is parsed
/// and indexed once (trust anchors, CRL, roll, contest shapes) so that the hot path only
/// looks things up; the package's part (`context`, `joint_key`, `shapes`, `starts`,
/// `ends`, ...) reads through it.
#[derive(Debug)]
pub struct Election {
    /// The package, the roll and the certificate cache.
    pub loaded: LoadedElection,
    /// How long an issued challenge stays usable (seconds).
    pub challenge_ttl: i64,
    /// Whether submissions before `starts` are accepted as test votes (`serve
    /// --accept-test-votes`). Their receive time, before `starts`, marks them: the tally
    /// drops every record received before `starts`.
    pub accept_test_votes: bool,
}

/// Reads the loaded election through the collector's: `election.context`, `election.roll`.
impl std::ops::Deref for Election {
    type Target = LoadedElection;

    fn deref(&self) -> &LoadedElection {
        &self.loaded
    }
}

impl Election {
    /// Builds the election from a loaded, verified package ([`ivote_protocol::package::verify_and_load`])
    /// and the voter roll file's bytes ([`LoadedElection::new`]: the roll must be the file
    /// the officials published).
    pub fn from_package(
        package: &ElectionPackage,
        roll_csv: &[u8],
        country: Country,
        challenge_ttl: i64,
    ) -> Result<Election, LoadError> {
        Ok(Election {
            loaded: LoadedElection::new(package, roll_csv, country)?,
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

    /// The challenge issued at `now` with `nonce`, signed with the collector's `key`: a
    /// real-vote challenge in the window, its expiry capped at the window's end; a test-vote
    /// challenge before it (only with test votes accepted), its expiry capped at the
    /// window's start. So a submission under it is received inside the window of its
    /// purpose, as the tally checks (`ivote_protocol::challenge`). `Err` as [`Election::window`].
    pub fn issue_challenge(
        &self,
        key: &SigningKey,
        nonce: [u8; 32],
        now: i64,
    ) -> Result<SignedChallenge, Rejection> {
        self.window(now)?;
        let (purpose, until) = if now < self.starts {
            (Purpose::Test, self.starts)
        } else {
            (Purpose::Vote, self.ends)
        };
        let expires_at = now.saturating_add(self.challenge_ttl).min(until);
        Ok(SignedChallenge::sign(
            key,
            self.context,
            nonce,
            now,
            expires_at,
            purpose,
        ))
    }

    /// Whether a submission received at `received_at` is a test vote (before the window).
    pub fn is_test_vote(&self, received_at: i64) -> bool {
        received_at < self.starts
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
