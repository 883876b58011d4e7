//! What the app checks of the collector's signed challenge ([`ivote_protocol::challenge`])
//! before it signs anything with the e-ID key, and of the times the collector states later
//! (a receipt's receive time, a stored ballot's). The challenge's issue time must be within
//! [`CLOCK_TOLERANCE`] of this device's clock: the collector signed it, so from then on a
//! receive time the collector logs outside the challenge's lifetime, or outside the window
//! of its purpose, is refused by the app, the tally and the auditors.

use ivote_protocol::challenge::{
    Purpose, SignedChallenge, CLOCK_TOLERANCE, MAX_CHALLENGE_LIFETIME,
};
use ivote_protocol::hashes::CertificateHash;
use ivote_protocol::submission::Submission;

use crate::error::AppError;
use crate::package::Election;

/// Refuses a challenge that is not the election's collector's, far from `now` (this device's
/// clock), of an unreasonable lifetime, or whose purpose is not the one its issue time gives.
pub fn check_new(election: &Election, c: &SignedChallenge, now: i64) -> Result<(), AppError> {
    c.verify(&election.package.collector_key, election.context())
        .map_err(|f| {
            AppError::refused(
                f.code(),
                format!(
                    "the collector's challenge: {f}; do not vote with this collector, and tell \
                     the election officials"
                ),
            )
        })?;
    if (c.issued_at - now).abs() > CLOCK_TOLERANCE {
        return Err(AppError::refused(
            "challenge.clock_skew",
            format!(
                "the collector's clock ({}) and this device's ({now}) are more than {} minutes \
                 apart; check this device's date and time: if they are right, do not vote with \
                 this collector, and tell the election officials",
                c.issued_at,
                CLOCK_TOLERANCE / 60
            ),
        ));
    }
    let lifetime = c.expires_at.saturating_sub(c.issued_at);
    if lifetime <= 0 || lifetime > MAX_CHALLENGE_LIFETIME {
        return Err(AppError::refused(
            "challenge.bad_lifetime",
            format!(
                "the collector's challenge is valid for {lifetime} s; a challenge lives between \
                 1 s and {MAX_CHALLENGE_LIFETIME} s: do not vote with this collector, and tell \
                 the election officials"
            ),
        ));
    }
    let loaded = &election.loaded;
    let expected = if c.issued_at < loaded.starts {
        Purpose::Test
    } else {
        Purpose::Vote
    };
    if c.purpose != expected || c.issued_at >= loaded.ends {
        return Err(AppError::refused(
            "challenge.wrong_purpose",
            format!(
                "the collector's challenge is for a {} vote, issued at {}; the voting window is \
                 [{}, {}): do not vote with this collector, and tell the election officials",
                c.purpose.as_str(),
                c.issued_at,
                loaded.starts,
                loaded.ends
            ),
        ));
    }
    Ok(())
}

/// Refuses a receive time, stated by the collector in `what` (`receipt` or `verify`),
/// outside the challenge's lifetime or the window of its purpose (`<what>.bad_time`).
pub fn check_received(
    election: &Election,
    c: &SignedChallenge,
    received_at: i64,
    what: &str,
) -> Result<(), AppError> {
    let loaded = &election.loaded;
    c.check_time(received_at, loaded.starts, loaded.ends)
        .map_err(|f| {
            AppError::refused(
                format!("{what}.bad_time"),
                format!(
                    "the collector says it received the ballot at a time its own challenge \
                     rules out: {f} [{}]; keep your receipt and tell the election officials",
                    f.code()
                ),
            )
        })
}

/// For a stored submission (`verify`): its challenge is the collector's and the ballot was
/// made for it and its certificate, and it was received while the challenge was good.
pub fn check_stored(
    election: &Election,
    submission: &Submission,
    ballot_nonce: &[u8; 32],
    received_at: i64,
) -> Result<(), AppError> {
    let c = &submission.challenge;
    c.verify(&election.package.collector_key, election.context())
        .map_err(|f| {
            AppError::refused(
                f.code(),
                format!("the stored ballot's challenge: {f}; tell the election officials"),
            )
        })?;
    if *ballot_nonce != c.ballot_nonce(&CertificateHash::of(&submission.certificate)) {
        return Err(AppError::refused(
            "ballot.nonce_mismatch",
            "the stored ballot was not made for its challenge and certificate; tell the \
             election officials",
        ));
    }
    check_received(election, c, received_at, "verify")
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use ivote_protocol::ContextHash;
    use ivote_testkit::demo::DemoSpec;
    use ivote_testkit::election::officials_key;
    use ivote_testkit::manifest;

    use super::*;
    use crate::package::Trust;

    fn election() -> (Election, SigningKey) {
        let demo = DemoSpec::new(manifest::EXAMPLE).build(&mut rand::rngs::OsRng);
        let key = demo.election.collector.clone();
        let trust = Trust::OfficialsKey(officials_key().verifying_key());
        (
            Election::from_files(&demo.election.files, &trust).unwrap(),
            key,
        )
    }

    fn code(r: Result<(), AppError>) -> String {
        r.map(|()| "ok".to_owned()).unwrap_or_else(|e| e.code)
    }

    #[test]
    fn a_challenge_is_refused_before_anything_is_signed_unless_it_fits_this_device() {
        let (e, key) = election();
        let (starts, ends) = (e.loaded.starts, e.loaded.ends);
        let ctx = *e.context();
        let now = starts + 1000;
        let sign = |k: &SigningKey, ctx: ContextHash, issued: i64, expires: i64, p: Purpose| {
            SignedChallenge::sign(k, ctx, [1; 32], issued, expires, p)
        };
        let good = sign(&key, ctx, now - 2, now + 298, Purpose::Vote);
        assert_eq!(code(check_new(&e, &good, now)), "ok");
        let stranger = SigningKey::from_bytes(&[99; 32]);
        let cases = [
            (
                sign(&stranger, ctx, now, now + 300, Purpose::Vote),
                "challenge.bad_signature",
            ),
            (
                sign(&key, ContextHash([1; 32]), now, now + 300, Purpose::Vote),
                "challenge.wrong_election",
            ),
            // The collector's clock 6 minutes ahead or behind this device's.
            (
                sign(&key, ctx, now + 360, now + 660, Purpose::Vote),
                "challenge.clock_skew",
            ),
            (
                sign(&key, ctx, now - 360, now + 60, Purpose::Vote),
                "challenge.clock_skew",
            ),
            // A lifetime that would let the collector time the vote anywhere in a day.
            (
                sign(&key, ctx, now, now + 86_400, Purpose::Vote),
                "challenge.bad_lifetime",
            ),
            (
                sign(&key, ctx, now, now, Purpose::Vote),
                "challenge.bad_lifetime",
            ),
            // A test-vote challenge in the window: the vote would never count.
            (
                sign(&key, ctx, now, now + 300, Purpose::Test),
                "challenge.wrong_purpose",
            ),
        ];
        for (c, expected) in cases {
            assert_eq!(code(check_new(&e, &c, now)), expected, "{c:?}");
        }
        // Before the window only a test-vote challenge fits; after it none.
        let early = starts - 1000;
        let test = sign(&key, ctx, early, early + 300, Purpose::Test);
        assert_eq!(code(check_new(&e, &test, early)), "ok");
        let real = sign(&key, ctx, early, early + 300, Purpose::Vote);
        assert_eq!(code(check_new(&e, &real, early)), "challenge.wrong_purpose");
        let late = sign(&key, ctx, ends + 10, ends + 300, Purpose::Vote);
        assert_eq!(
            code(check_new(&e, &late, ends + 10)),
            "challenge.wrong_purpose"
        );
    }

    #[test]
    fn a_receive_time_the_challenge_rules_out_is_refused() {
        let (e, key) = election();
        let now = e.loaded.starts + 1000;
        let c = SignedChallenge::sign(&key, *e.context(), [1; 32], now, now + 300, Purpose::Vote);
        assert_eq!(code(check_received(&e, &c, now + 5, "receipt")), "ok");
        assert_eq!(
            code(check_received(&e, &c, now + 300, "receipt")),
            "receipt.bad_time"
        );
        assert_eq!(
            code(check_received(&e, &c, now - 1, "verify")),
            "verify.bad_time"
        );
    }
}
