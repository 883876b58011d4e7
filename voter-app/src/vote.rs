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
//!    single-use).
//! 6. Check the receipt (collector key from the package, inclusion proof; the record hash
//!    rebuilt from what was sent and the receipt's leaf index, receive time and sequence
//!    number; the receive time inside the challenge's lifetime and window), save it, then
//!    check that its sequence number is one more than the ballots the collector said were
//!    cast before (else another vote was cast meanwhile: `receipt.unexpected_seq`), and show
//!    the tracking code and the verification code (text and QR) with its window.

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
use crate::files::write_file;
use crate::log_proof::{check_included, latest_head, record_of};
use crate::package::{Election, Trust};
use crate::screens;
use crate::signer::{EidSource, Signer};

/// How many times one submission is sent when no answer comes back.
pub const SUBMIT_ATTEMPTS: u32 = 3;

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
    let cancelled = || AppError::refused("app.cancelled", "no vote was cast");
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
            let line = read_line(out, screens::prompt(contest))?;
            match choices::from_line(contest, shape, &line) {
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
    let answer = read_line(out, screens::CAST_QUESTION)?;
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
    let election = Election::fetch(&collector, &a.trust)?;
    let lang = election.language(a.lang.as_deref())?;
    let manifest = &election.package.manifest;

    let check = |der: &[u8]| {
        election
            .loaded
            .anchors
            .validate(der, unix_now(), election.loaded.crl.as_ref())
    };
    let signer = Signer::open(&a.eid, &check, out)?;
    let (certificate, cert) = (signer.certificate.clone(), signer.cert.clone());

    let mut challenge = checked_challenge(&collector, &election)?;
    if challenge.purpose == Purpose::Test {
        let _ = writeln!(out, "{}", screens::TEST_VOTE_NOTICE);
    }
    let info = collector.voter_info(
        &challenge.nonce,
        &certificate,
        &signer.sign(&voter_info_message(election.context(), &challenge.nonce))?,
    )?;
    let district = election.district(&info.district)?;
    let contests = election.contests(district)?;
    if info.ballots_cast > 0 {
        let _ = writeln!(out, "{}", screens::revote_notice(info.ballots_cast));
    }

    let values = if a.choices.is_empty() {
        let _ = write!(
            out,
            "{}\nYour district: {}\n",
            manifest.title().get(&lang),
            district.name.get(&lang)
        );
        choose(&contests, &lang, input, out)?
    } else {
        let values = choices::from_args(&contests, &a.choices)?;
        let _ = write!(
            out,
            "{}\nYour district: {}\n\nCasting:\n{}\n",
            manifest.title().get(&lang),
            district.name.get(&lang),
            screens::chosen(&contests, &values, &lang)
        );
        values
    };
    let values = Zeroizing::new(values);

    // The voter may have taken a while: a challenge about to expire is replaced (and the
    // new one checked; a test vote does not silently turn into a real one, or back).
    if cast::challenge_expiring(&challenge, unix_now()) {
        let purpose = challenge.purpose;
        challenge = checked_challenge(&collector, &election)?;
        cast::check_same_purpose(purpose, &challenge)?;
    }
    let (sealed, seed) = cast::seal(&election, district, &challenge, &values, &signer)?;
    // The key file's secret is zeroized; a card logs out.
    drop(signer);
    let tracking = tracking_code(&sealed.ballot_hash);

    let (receipt_path, leaf_index, voter_seq, head_time, recovered) =
        match submit(&collector, &election, &sealed, &cert)? {
            Submitted::Receipt(bytes) => {
                let receipt = cast::check_receipt(&election, &challenge, &sealed, &cert, &bytes)?;
                let path = a
                    .receipt
                    .clone()
                    .unwrap_or_else(|| default_receipt_path(&tracking));
                write_file(&path, &bytes)?;
                (
                    Some(path),
                    receipt.content.leaf_index,
                    receipt.content.voter_seq,
                    receipt.content.tree_head.timestamp,
                    false,
                )
            }
            Submitted::Recovered {
                leaf_index,
                voter_seq,
                head_time,
            } => (None, leaf_index, voter_seq, head_time, true),
        };
    // The receipt is saved: it proves what the collector logged, whatever follows.
    cast::check_vote_number(voter_seq, info.ballots_cast)?;

    let code = VerificationCode {
        ballot_id: sealed.ballot_hash,
        seed,
    };
    let (code_text, qr) = (code.to_text(), code.to_qr()?);
    let path_text = receipt_path
        .as_deref()
        .map(Path::display)
        .map(|d| d.to_string());
    let screen = Zeroizing::new(screens::done(&screens::Done {
        receipt_path: path_text.as_deref(),
        tracking_code: &tracking,
        code_text: &code_text,
        qr: &qr,
        voter_seq,
        leaf_index,
        verify_until: &screens::local_time(manifest, head_time.saturating_add(info.verify_window)),
        verify_max: info.verify_max,
        recovered,
    }));
    let _ = write!(out, "{}", *screen);
    let _ = out.flush();
    Ok(())
}
