//! `voter-app verify CODE` (the second device): fetches the stored ballot by the code's
//! ballot id, checks the e-ID signature on it (certificate valid when it was received), its
//! challenge (the collector's, the ballot made for it and the certificate, received in its
//! lifetime and window), that its log record is in the collector's signed log, its proofs,
//! and then opens every selection with the code's seed (never with the election key;
//! crypto-spec §7.6) and shows the candidates' names, whose e-ID signed it, which of the
//! voter's votes it is, and, plainly, when a later vote of the same voter exists (then this
//! ballot does not count: malware that showed this code and voted again is caught here). The
//! collector answers at most `verify_max` times, within `verify_window` after casting
//! (`verify.too_many`, `verify.window_passed`).

use std::io::Write;

use ivote_crypto::ContestPosition;
use ivote_protocol::ballot::{ballot_hash, Ballot};
use ivote_protocol::submission::{vote_message, Submission};
use rand::rngs::OsRng;

use crate::challenge_check;
use crate::client::Collector;
use crate::code::VerificationCode;
use crate::error::AppError;
use crate::log_proof::{check_included, latest_head, record_of};
use crate::package::{Election, Trust};
use crate::screens;

/// What `verify` needs.
#[derive(Debug)]
pub struct VerifyArgs {
    /// The collector's address.
    pub collector: String,
    /// What the package is trusted by.
    pub trust: Trust,
    /// The display language.
    pub lang: Option<String>,
    /// The verification code as typed or scanned.
    pub code: String,
}

/// Runs `verify`.
pub fn run(a: &VerifyArgs, out: &mut dyn Write) -> Result<(), AppError> {
    // A mistyped code is caught before anything is asked (and counted) at the collector.
    let code = VerificationCode::parse(&a.code)?;
    let collector = Collector::new(&a.collector)?;
    let election = Election::fetch(&collector, &a.trust)?;
    let lang = election.language(a.lang.as_deref())?;
    let context = election.context();

    let stored = collector.stored_ballot(&code.ballot_id)?;
    let submission = Submission::from_bytes(&stored.submission)
        .map_err(|e| AppError::bad_response(format!("the stored submission: {e}")))?;
    if ballot_hash(&submission.ballot) != code.ballot_id {
        return Err(AppError::bad_response(
            "the collector sent another ballot than the code names",
        ));
    }
    let cert = election.loaded.anchors.validate(
        &submission.certificate,
        stored.received_at,
        election.loaded.crl.as_ref(),
    )?;
    cert.verify_signature(
        &vote_message(context, &code.ballot_id),
        &submission.signature,
    )?;
    let ballot = Ballot::from_bytes(&submission.ballot)?;
    challenge_check::check_stored(&election, &submission, &ballot.nonce, stored.received_at)?;
    let record = record_of(&stored, &submission, code.ballot_id, &cert);
    let head = latest_head(&collector, &election)?;
    check_included(&collector, &head, stored.leaf_index, &record.hash())?;

    let joint_key = &election.package.ceremony.joint_key;
    let decoded = ballot.check(context, joint_key, &election.loaded.shapes, &mut OsRng)?;
    let district = election.district(&ballot.district)?;
    let contests = election.contests(district)?;
    let values = contests
        .iter()
        .zip(decoded.contests())
        .map(|((contest, shape), encrypted)| {
            let position = ContestPosition {
                nonce: ballot.nonce,
                district: ballot.district.clone(),
                contest: contest.id.as_str().to_owned(),
            };
            encrypted
                .open_with_seed(joint_key, &position, shape, &code.seed)
                .map_err(|_| {
                    AppError::refused(
                        "verify.not_opened",
                        "the verification code does not open the stored ballot: it is not the \
                         code of this ballot, or the ballot is not the one your app made; tell \
                         the election officials",
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let _ = write!(
        out,
        "{}",
        screens::verified(&screens::Verified {
            manifest: &election.package.manifest,
            district_name: district.name.get(&lang),
            contests: &contests,
            values: &values,
            lang: &lang,
            received_at: stored.received_at,
            voter_seq: stored.voter_seq,
            latest_voter_seq: stored.latest_voter_seq,
            signer: &screens::signer(cert.common_name(), cert.voter_id()),
        })
    );
    Ok(())
}
