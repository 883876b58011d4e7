//! `voter-app vote`: from the e-ID files to a recorded, verified vote.
//!
//! 1. Fetch the package and verify it (officials' key or pinned context hash).
//! 2. Open the voter's e-ID ([`crate::signer`]): the certificate and key files (a
//!    passphrase-protected key asks for its passphrase; the key must be the certificate's),
//!    or the authentication certificate on a smart card, whose PIN is asked for
//!    ([`crate::pkcs11`]). The certificate is validated against the package's trust anchors
//!    and CRL now (expired, revoked: refused before anything is sent).
//! 3. Ask for a challenge and check it before signing anything: the collector's signature,
//!    the election, an issue time within 5 minutes of this device's clock, a sane lifetime,
//!    the purpose its time gives (a test vote before the window, said plainly)
//!    ([`crate::challenge_check`]); then ask the collector, signed with the e-ID key, for the
//!    voter's district and how many ballots they have cast (the challenge is not used up).
//! 4. Show the district's ballot in the voter's language; take the choices (typed at the
//!    numbered list with a confirmation screen, or `--choice`); refuse what the contest does
//!    not allow, locally.
//! 5. Encrypt (every nonce from one fresh 32-byte seed; the ballot's nonce derived from the
//!    challenge and the certificate), prove, sign, submit. A submission
//!    that gets no answer is re-sent, the same bytes, up to [`SUBMIT_ATTEMPTS`] times; a
//!    re-sent one answered `challenge.used` means an earlier copy was recorded: the app finds
//!    it in the log (`/verify/{ballot_id}`, then inclusion under a signed head) and says the
//!    vote WAS recorded. The collector never counts one submission twice (its challenge is
//!    single-use). A submission whose challenge the collector refuses (`challenge.expired`:
//!    it waited too long, e.g. behind a collector's restart) was not recorded (a re-sent one is
//!    first looked for in the log): the voter is told, and the vote is made again, once,
//!    with a new challenge (a fresh seed, so a new verification code); a second refusal says
//!    plainly that nothing was recorded.
//! 6. Check the receipt (collector key from the package, inclusion proof; the record hash
//!    rebuilt from what was sent and the receipt's leaf index, receive time and sequence
//!    number; the receive time inside the challenge's lifetime and window), save it (where
//!    it goes was checked writable before anything was asked or sent; if saving fails
//!    anyway, the codes below are still shown, with what happened), show the tracking code
//!    and the verification code (text and QR) with its window, then check that its
//!    sequence number is one more than the ballots the collector said were cast before
//!    (else another vote was cast meanwhile: `receipt.unexpected_seq`, after the codes, so
//!    the voter can check the vote).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ivote_eid::VoterCertificate;
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::clock::unix_now;
use ivote_protocol::submission::{voter_info_message, Sealed, Submission};
use zeroize::Zeroizing;

use crate::cast;
use crate::challenge_check;
use crate::choices::{self, BallotContest};
use crate::client::{Collector, Failure};
use crate::code::{tracking_code, VerificationCode};
use crate::error::AppError;
use crate::files::check_writable;
use crate::log_proof::{check_included, latest_head, record_of};
use crate::messages::{Lang, Msg};
use crate::package::{Election, Trust};
use crate::screens::{self, ReceiptSaved};
use crate::signer::{EidSource, Signer};

/// How many times one submission is sent when no answer comes back.
pub const SUBMIT_ATTEMPTS: u32 = 3;

/// The collector's refusals of a submission's challenge after which nothing was recorded
/// and the vote is made again, once, with a new challenge.
const REFUSED_CHALLENGE: [&str; 1] = ["challenge.expired"];

/// What `vote` needs.
#[derive(Debug)]
pub struct VoteArgs {
    /// The collector's address.
    pub collector: String,
    /// What the package is trusted by.
    pub trust: Trust,
    /// Where the e-ID is: files or a smart card.
    pub eid: EidSource,
    /// The display language.
    pub lang: Option<String>,
    /// Non-interactive choices (`--choice`).
    pub choices: Vec<String>,
    /// Where to save the receipt (default `receipt-TRACKING.bin` in the current folder).
    pub receipt: Option<PathBuf>,
}

/// How a submission ended.
#[derive(Debug)]
enum Submitted {
    /// The collector refused the submission's challenge (`challenge.expired`) and nothing
    /// of it is in the log: the vote can be made again with a new challenge.
    ChallengeRefused(AppError),
    /// The receipt layout.
    Receipt(Vec<u8>),
    /// An earlier copy was recorded (its answer was lost): found in the log.
    Recovered {
        leaf_index: u64,
        voter_seq: u32,
        head_time: i64,
    },
}

/// A fresh challenge from the collector, checked against this device's clock and the
/// verified package before anything is signed with it.
fn checked_challenge(
    collector: &Collector,
    election: &Election,
) -> Result<SignedChallenge, AppError> {
    let challenge = collector.challenge()?;
    challenge_check::check_new(election, &challenge, unix_now())?;
    Ok(challenge)
}

/// A new checked challenge in place of `old`, for the same purpose (a test vote does not
/// silently turn into a real one, or back).
fn renewed(
    collector: &Collector,
    election: &Election,
    old: &SignedChallenge,
) -> Result<SignedChallenge, AppError> {
    let challenge = checked_challenge(collector, election)?;
    cast::check_same_purpose(old.purpose, &challenge)?;
    Ok(challenge)
}

/// Sends the same submission until it is answered (see the module docs).
fn submit(
    collector: &Collector,
    election: &Election,
    sealed: &Sealed,
    cert: &VoterCertificate,
) -> Result<Submitted, AppError> {
    let mut last = String::new();
    let body = sealed.submission.to_bytes();
    for attempt in 1..=SUBMIT_ATTEMPTS {
        match collector.submit(&body) {
            Ok(receipt) => return Ok(Submitted::Receipt(receipt)),
            Err(Failure::Transport(e)) => {
                last = e;
                std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
            }
            Err(Failure::Api(e)) if attempt > 1 && e.code == "challenge.used" => {
                return recover(collector, election, sealed, cert);
            }
            Err(Failure::Api(e)) if REFUSED_CHALLENGE.contains(&e.code.as_str()) => {
                if attempt == 1 {
                    return Ok(Submitted::ChallengeRefused(e));
                }
                // An earlier copy may have been recorded before the challenge was lost.
                return match recover(collector, election, sealed, cert) {
                    Err(not_found) if not_found.code == "verify.unknown" => {
                        Ok(Submitted::ChallengeRefused(e))
                    }
                    other => other,
                };
            }
            Err(f) => return Err(f.into_error(collector.url())),
        }
    }
    Err(AppError::could_not_run(
        "collector.unreachable",
        format!(
            "the collector at {} did not answer ({last}) after {SUBMIT_ATTEMPTS} tries; your \
             vote may or may not have been recorded: vote again when the connection works (a \
             new vote replaces any earlier one)",
            collector.url()
        ),
    ))
}

/// Finds a submission whose answer was lost in the collector's log.
fn recover(
    collector: &Collector,
    election: &Election,
    sealed: &Sealed,
    cert: &VoterCertificate,
) -> Result<Submitted, AppError> {
    let stored = collector.stored_ballot(&sealed.ballot_hash)?;
    if stored.submission != sealed.submission.to_bytes() {
        return Err(AppError::bad_response(
            "the stored ballot is not the one this app sent",
        ));
    }
    let submission = Submission::from_bytes(&stored.submission)
        .map_err(|e| AppError::bad_response(format!("the stored submission: {e}")))?;
    challenge_check::check_received(
        election,
        &sealed.submission.challenge,
        stored.received_at,
        "receipt",
    )?;
    let record = record_of(&stored, &submission, sealed.ballot_hash, cert);
    let head = latest_head(collector, election)?;
    check_included(collector, &head, stored.leaf_index, &record.hash())?;
    Ok(Submitted::Recovered {
        leaf_index: stored.leaf_index,
        voter_seq: stored.voter_seq,
        head_time: head.timestamp,
    })
}

/// Takes the choices at the numbered lists, then asks for confirmation.
fn choose(
    contests: &[BallotContest<'_>],
    lang: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Vec<Vec<u64>>, AppError> {
    let cancelled = || AppError::refused_in("app.cancelled", Msg::Cancelled, &[]);
    let mut read_line = |out: &mut dyn Write, prompt: &str| -> Result<String, AppError> {
        let _ = write!(out, "{prompt}");
        let _ = out.flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => Err(cancelled()),
            Ok(_) => Ok(line.trim().to_owned()),
        }
    };
    let mut values = Vec::with_capacity(contests.len());
    for (contest, shape) in contests {
        let _ = writeln!(out, "\n{}", screens::contest_list(contest, lang));
        loop {
            let line = read_line(out, screens::prompt(contest, lang))?;
            match choices::from_line(contest, shape, &line, lang) {
                Ok(v) => {
                    values.push(v);
                    break;
                }
                Err(e) => {
                    let _ = writeln!(out, "{}", e.message);
                }
            }
        }
    }
    let _ = writeln!(out, "\n{}", screens::confirmation(contests, &values, lang));
    let answer = read_line(out, screens::cast_question(lang))?;
    if matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(values)
    } else {
        Err(cancelled())
    }
}

fn default_receipt_path(tracking: &str) -> PathBuf {
    PathBuf::from(format!("receipt-{tracking}.bin"))
}

/// Runs `vote`; everything for the voter goes to `out`, answers are read from `input`.
pub fn run(a: &VoteArgs, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), AppError> {
    let collector = Collector::new(&a.collector)?;
    // The receipt's file (or, by default, this folder) must be writable before anything is
    // asked or sent: a vote recorded without its receipt is what this prevents.
    check_writable(
        &a.receipt
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("receipt-check-{}.tmp", std::process::id()))),
    )?;
    let election = Election::fetch(&collector, &a.trust)?;
    let lang = election.language(a.lang.as_deref())?;
    let manifest = &election.package.manifest;

    let check = |der: &[u8]| {
        election
            .loaded
            .anchors
            .validate(der, unix_now(), election.loaded.crl.as_ref())
    };
    let signer = Signer::open(&a.eid, &check, Lang::or_english(&lang), out)?;
    let (certificate, cert) = (signer.certificate.clone(), signer.cert.clone());

    let mut challenge = checked_challenge(&collector, &election)?;
    if challenge.purpose == Purpose::Test {
        let _ = writeln!(out, "{}", screens::test_vote_notice(&lang));
    }
    let info = collector.voter_info(
        &challenge,
        &certificate,
        &signer.sign(&voter_info_message(election.context(), &challenge.nonce))?,
    )?;
    let district = election.district(&info.district)?;
    let contests = election.contests(district)?;
    if info.ballots_cast > 0 {
        let _ = writeln!(out, "{}", screens::revote_notice(info.ballots_cast, &lang));
    }

    let values = if a.choices.is_empty() {
        let _ = write!(
            out,
            "{}\n{}\n",
            manifest.title().get(&lang),
            screens::your_district(district.name.get(&lang), &lang)
        );
        choose(&contests, &lang, input, out)?
    } else {
        let values = choices::from_args(&contests, &a.choices, &lang)?;
        let _ = write!(
            out,
            "{}\n{}\n\n{}\n{}\n",
            manifest.title().get(&lang),
            screens::your_district(district.name.get(&lang), &lang),
            screens::casting(&lang),
            screens::chosen(&contests, &values, &lang)
        );
        values
    };
    let values = Zeroizing::new(values);

    // The voter may have taken a while: a challenge about to expire is replaced (and the
    // new one checked; a test vote does not silently turn into a real one, or back).
    if cast::challenge_expiring(&challenge, unix_now()) {
        challenge = renewed(&collector, &election, &challenge)?;
    }
    let (mut sealed, mut seed) = cast::seal(&election, district, &challenge, &values, &signer)?;
    let mut submitted = submit(&collector, &election, &sealed, &cert)?;
    if let Submitted::ChallengeRefused(e) = &submitted {
        // Nothing was recorded (the challenge expired while the vote waited): the vote is
        // made again, once, for a new challenge.
        let _ = writeln!(out, "{}", screens::challenge_retry(&e.code, &lang));
        challenge = renewed(&collector, &election, &challenge)?;
        (sealed, seed) = cast::seal(&election, district, &challenge, &values, &signer)?;
        submitted = submit(&collector, &election, &sealed, &cert)?;
    }
    // The key file's secret is zeroized; a card logs out.
    drop(signer);
    let tracking = tracking_code(&sealed.ballot_hash);

    let (receipt_path, not_saved, leaf_index, voter_seq, head_time) = match submitted {
        Submitted::ChallengeRefused(e) => {
            return Err(AppError::refused_in(
                e.code,
                Msg::RefusedTwice,
                &[("reason", &e.message)],
            ))
        }
        Submitted::Receipt(bytes) => {
            let receipt = cast::check_receipt(&election, &challenge, &sealed, &cert, &bytes)?;
            let path = a
                .receipt
                .clone()
                .unwrap_or_else(|| default_receipt_path(&tracking));
            // Checked before sending, but a disk can fill up meanwhile: the vote is recorded
            // all the same, so the codes are shown whatever happens here.
            let not_saved = std::fs::write(&path, &bytes).err().map(|e| e.to_string());
            (
                Some(path),
                not_saved,
                receipt.content.leaf_index,
                receipt.content.voter_seq,
                receipt.content.tree_head.timestamp,
            )
        }
        Submitted::Recovered {
            leaf_index,
            voter_seq,
            head_time,
        } => (None, None, leaf_index, voter_seq, head_time),
    };
    let code = VerificationCode {
        ballot_id: sealed.ballot_hash,
        seed,
    };
    let (code_text, qr) = (code.to_text(), code.to_qr()?);
    let path_text = receipt_path
        .as_deref()
        .map(Path::display)
        .map(|d| d.to_string());
    let receipt = match (&path_text, &not_saved) {
        (Some(path), None) => ReceiptSaved::To(path),
        (Some(path), Some(reason)) => ReceiptSaved::NotSaved { path, reason },
        (None, _) => ReceiptSaved::Recovered,
    };
    let screen = Zeroizing::new(screens::done(&screens::Done {
        receipt,
        tracking_code: &tracking,
        code_text: &code_text,
        qr: &qr,
        voter_seq,
        leaf_index,
        verify_until: &screens::local_time(manifest, head_time.saturating_add(info.verify_window)),
        verify_max: info.verify_max,
        lang: &lang,
    }));
    let _ = write!(out, "{}", *screen);
    let _ = out.flush();
    // The vote is recorded, the receipt saved and the codes shown, whatever follows here.
    cast::check_vote_number(voter_seq, info.ballots_cast)
}
