//! The browser booth's WebAssembly module (docs/booth.md): the voter app's library
//! (`voter-app` without its `cli` feature) behind one object, [`Booth`], that the page
//! (`static/booth.js`) drives. The page does the HTTP requests and the screens; everything
//! that decides or checks anything is here, in the code `voter-app vote` runs: the package
//! check, the e-ID check, the challenge check, the choices' rules, sealing (encryption,
//! proofs, signature) and the receipt check.
//!
//! The steps, in order: [`Booth::new`] (the package, verified against the officials' key or
//! the pinned context hash), [`Booth::open_key_file`], [`Booth::take_challenge`],
//! [`Booth::voter_info_query`] and [`Booth::take_voter_info`] (the ballot),
//! [`Booth::seal`] (the submission's bytes, the only thing sent that was signed), then
//! [`Booth::take_receipt`] (the receipt checked, the codes). Errors are the app's:
//! `{"code", "message"}` as JSON text, thrown to the page.
//!
//! Nothing secret leaves the module but what the voter is shown: the key stays here (and is
//! zeroized when the booth is dropped or a new key is opened), the encryption seed only
//! leaves as the verification code.

use ivote_crypto::contest::EncryptionSeed;
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::submission::{voter_info_message, Sealed};
use ivote_protocol::wire::{Challenge, PackageContents, VoterInfo, VoterInfoQuery};
use ivote_voter_app::choices::{check_contest, is_marking, options, rule};
use ivote_voter_app::code::{tracking_code, VerificationCode};
use ivote_voter_app::eid_files::{certificate_der, key_from_bytes, Passphrase};
use ivote_voter_app::error::AppError;
use ivote_voter_app::messages::Msg;
use ivote_voter_app::package::{Election, Trust};
use ivote_voter_app::signer::Signer;
use ivote_voter_app::{cast, challenge_check, screens};
use serde::Serialize;
use serde_json::json;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

/// An error as the page gets it: `{"code", "message"}` JSON text.
fn thrown(e: AppError) -> JsValue {
    JsValue::from_str(&json!({ "code": e.code, "message": e.message }).to_string())
}

fn bad_answer(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::bad_response(format!("{what}: {e}"))
}

/// Seconds from the page's `Date.now() / 1000` (this device's clock).
fn seconds(now: f64) -> i64 {
    // Saturating float-to-int: a clock outside i64 seconds is refused by the checks anyway.
    now.floor() as i64
}

/// The voter's session in the booth.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Booth {
    election: Election,
    lang: String,
    signer: Option<Signer>,
    challenge: Option<SignedChallenge>,
    info: Option<VoterInfo>,
    sealed: Option<(Sealed, EncryptionSeed)>,
}

/// One option of a contest, as the page shows it.
#[derive(Serialize)]
struct OptionView {
    id: String,
    name: String,
    party: Option<String>,
}

/// One contest, as the page shows it.
#[derive(Serialize)]
struct ContestView {
    id: String,
    title: String,
    rule: String,
    /// One mark per option (plurality, approval) rather than numbers (score, cumulative).
    marking: bool,
    /// Plurality: exactly one mark (radio buttons).
    single: bool,
    options: Vec<OptionView>,
}

/// The ballot screen's facts.
#[derive(Serialize)]
struct BallotView {
    title: String,
    district: String,
    voter_id: String,
    ballots_cast: u32,
    /// The app's words about an earlier vote (the last vote counts), if there is one.
    revote_notice: Option<String>,
    /// Before the window: the vote is a test and never counts.
    test_notice: Option<String>,
    contests: Vec<ContestView>,
}

/// The last screen's facts.
#[derive(Serialize)]
struct DoneView {
    tracking_code: String,
    verification_code: String,
    qr_svg: String,
    voter_seq: u32,
    leaf_index: u64,
    verify_until: String,
    verify_until_unix: i64,
    verify_max: u32,
    receipt_file: String,
}

#[wasm_bindgen]
impl Booth {
    /// Verifies the package (`GET /package`'s JSON) against `officials_key` (hex) or, if
    /// that is empty, the pinned `context` hash (hex), as `voter-app --officials-key` /
    /// `--context` do; `lang` is the voter's language if the election has it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        package_json: &str,
        officials_key: &str,
        context: &str,
        lang: &str,
    ) -> Result<Booth, JsValue> {
        let trust = match (officials_key.trim(), context.trim()) {
            ("", "") => Trust::from_flags(None, None),
            ("", c) => Trust::from_flags(None, Some(c)),
            (k, _) => Trust::from_flags(Some(k), None),
        }
        .map_err(thrown)?;
        let contents: PackageContents = serde_json::from_str(package_json)
            .map_err(|e| thrown(bad_answer("the election package", e)))?;
        let election = Election::from_files(&contents.files, &trust).map_err(thrown)?;
        let wanted =
            Some(lang).filter(|l| election.package.manifest.languages().iter().any(|m| m == l));
        let lang = election.language(wanted).map_err(thrown)?;
        Ok(Booth {
            election,
            lang,
            signer: None,
            challenge: None,
            info: None,
            sealed: None,
        })
    }

    /// The election's title in the voter's language.
    pub fn title(&self) -> String {
        self.election
            .package
            .manifest
            .title()
            .get(&self.lang)
            .to_owned()
    }

    /// The language the booth shows names in.
    pub fn language(&self) -> String {
        self.lang.clone()
    }

    /// Reads the e-ID certificate and key files (PEM or DER; PKCS#8, encrypted with
    /// `passphrase` if it is), checks the certificate with the election's e-ID check at
    /// `now` (trust anchors, CRL) and that the key is the certificate's. Returns the voter id.
    pub fn open_key_file(
        &mut self,
        cert_bytes: Vec<u8>,
        cert_name: &str,
        key_bytes: Vec<u8>,
        key_name: &str,
        passphrase: String,
        now: f64,
    ) -> Result<String, JsValue> {
        let key_bytes = Zeroizing::new(key_bytes);
        let passphrase = Zeroizing::new(passphrase);
        self.signer = None;
        let certificate = certificate_der(cert_bytes, cert_name).map_err(thrown)?;
        let key = key_from_bytes(
            &key_bytes,
            key_name,
            Passphrase {
                ask: &mut || {
                    if passphrase.is_empty() {
                        Err(AppError::refused(
                            "app.passphrase_needed",
                            "your e-ID key file is protected by a passphrase: type it, then \
                             try again",
                        ))
                    } else {
                        Ok(passphrase.clone())
                    }
                },
                // The page asks again itself: one try per click.
                tries: 1,
                retry: &mut |_| {},
                exhausted: Msg::WrongPassphraseTries,
            },
        )
        .map_err(thrown)?;
        let loaded = &self.election.loaded;
        let cert = loaded
            .anchors
            .validate(&certificate, seconds(now), loaded.crl.as_ref())
            .map_err(|e| thrown(e.into()))?;
        let signer =
            Signer::with_key_file(certificate, cert, key, key_name, cert_name).map_err(thrown)?;
        let voter_id = signer.cert.voter_id().to_owned();
        self.signer = Some(signer);
        Ok(voter_id)
    }

    /// Checks a challenge (`POST /challenge`'s JSON) before anything is signed with it: the
    /// collector's, near this device's clock, of a sane lifetime and the right purpose. A
    /// replacement must be for the same purpose as the one it replaces. Returns the purpose
    /// (`vote` or `test`).
    pub fn take_challenge(&mut self, challenge_json: &str, now: f64) -> Result<String, JsValue> {
        let wire: Challenge = serde_json::from_str(challenge_json)
            .map_err(|e| thrown(bad_answer("the challenge", e)))?;
        let challenge = wire
            .signed()
            .map_err(|e| thrown(bad_answer("the challenge", e)))?;
        challenge_check::check_new(&self.election, &challenge, seconds(now)).map_err(thrown)?;
        if let Some(old) = &self.challenge {
            cast::check_same_purpose(old.purpose, &challenge).map_err(thrown)?;
        }
        let purpose = challenge.purpose.as_str().to_owned();
        self.challenge = Some(challenge);
        Ok(purpose)
    }

    /// Whether the challenge must be replaced (`take_challenge` again) before sealing.
    pub fn challenge_expiring(&self, now: f64) -> bool {
        self.challenge
            .as_ref()
            .is_none_or(|c| cast::challenge_expiring(c, seconds(now)))
    }

    /// The body of `POST /voter-info`, signed with the e-ID key.
    pub fn voter_info_query(&self) -> Result<String, JsValue> {
        let (signer, challenge) = self.signer_and_challenge()?;
        let signature = signer
            .sign(&voter_info_message(
                self.election.context(),
                &challenge.nonce,
            ))
            .map_err(thrown)?;
        let query = VoterInfoQuery {
            certificate: signer.certificate.clone(),
            challenge: challenge.to_bytes(),
            signature,
        };
        serde_json::to_string(&query).map_err(|e| thrown(bad_answer("the query", e)))
    }

    /// Reads `POST /voter-info`'s answer: the voter's district and earlier votes. Returns the
    /// ballot screen's facts (JSON).
    pub fn take_voter_info(&mut self, info_json: &str) -> Result<String, JsValue> {
        let info: VoterInfo = serde_json::from_str(info_json)
            .map_err(|e| thrown(bad_answer("the voter's information", e)))?;
        let (signer, challenge) = self.signer_and_challenge()?;
        let lang = &self.lang;
        let district = self.election.district(&info.district).map_err(thrown)?;
        let contests = self.election.contests(district).map_err(thrown)?;
        let view = BallotView {
            title: self.title(),
            district: district.name.get(lang).to_owned(),
            voter_id: signer.cert.voter_id().to_owned(),
            ballots_cast: info.ballots_cast,
            revote_notice: (info.ballots_cast > 0)
                .then(|| screens::revote_notice(info.ballots_cast, lang)),
            test_notice: (challenge.purpose == Purpose::Test)
                .then(|| screens::test_vote_notice(lang).to_owned()),
            contests: contests
                .iter()
                .map(|(c, _)| ContestView {
                    id: c.id.as_str().to_owned(),
                    title: c.title.get(lang).to_owned(),
                    rule: rule(c, lang),
                    marking: is_marking(c),
                    single: matches!(c.kind, ivote_protocol::manifest::ContestKind::Plurality),
                    options: options(c)
                        .map(|o| OptionView {
                            id: o.id.as_str().to_owned(),
                            name: o.name.get(lang).to_owned(),
                            party: o.party.as_ref().map(|p| p.get(lang).to_owned()),
                        })
                        .collect(),
                })
                .collect(),
        };
        self.info = Some(info);
        serde_json::to_string(&view).map_err(|e| thrown(bad_answer("the ballot", e)))
    }

    /// Checks the choices (JSON: per contest of the ballot, one number per option in ballot
    /// order) against each contest's rule, then encrypts, proves and signs. Returns the
    /// submission's bytes for `POST /submit`.
    pub fn seal(&mut self, values_json: &str) -> Result<Vec<u8>, JsValue> {
        let values: Zeroizing<Vec<Vec<u64>>> =
            Zeroizing::new(serde_json::from_str(values_json).map_err(|_| {
                thrown(AppError::refused(
                    "app.bad_choice",
                    "the choices are not numbers per option of each contest",
                ))
            })?);
        let (signer, challenge) = self.signer_and_challenge()?;
        let info = self
            .info
            .as_ref()
            .ok_or_else(|| out_of_order("the ballot"))?;
        let district = self.election.district(&info.district).map_err(thrown)?;
        let contests = self.election.contests(district).map_err(thrown)?;
        if values.len() != contests.len() {
            return Err(thrown(AppError::refused(
                "app.bad_choice",
                format!("the ballot has {} contests", contests.len()),
            )));
        }
        for ((contest, shape), v) in contests.iter().zip(values.iter()) {
            check_contest(contest, shape, v, &self.lang).map_err(thrown)?;
        }
        let (sealed, seed) =
            cast::seal(&self.election, district, challenge, &values, signer).map_err(thrown)?;
        let bytes = sealed.submission.to_bytes();
        self.sealed = Some((sealed, seed));
        Ok(bytes)
    }

    /// Checks the collector's receipt (`POST /submit`'s answer) for the sealed ballot and the
    /// vote number; returns the last screen's facts (JSON): the tracking code, the
    /// verification code (text and QR), until when it works. The key is dropped here.
    pub fn take_receipt(&mut self, receipt: Vec<u8>) -> Result<String, JsValue> {
        let (signer, challenge) = self.signer_and_challenge()?;
        let info = self
            .info
            .as_ref()
            .ok_or_else(|| out_of_order("the ballot"))?;
        let (sealed, seed) = self
            .sealed
            .as_ref()
            .ok_or_else(|| out_of_order("the sealed ballot"))?;
        let checked =
            cast::check_receipt(&self.election, challenge, sealed, &signer.cert, &receipt)
                .map_err(thrown)?;
        let c = &checked.content;
        cast::check_vote_number(c.voter_seq, info.ballots_cast).map_err(thrown)?;
        let code = VerificationCode {
            ballot_id: sealed.ballot_hash,
            seed: seed.clone(),
        };
        let tracking = tracking_code(&sealed.ballot_hash);
        let until = c.tree_head.timestamp.saturating_add(info.verify_window);
        let view = DoneView {
            receipt_file: format!("receipt-{tracking}.bin"),
            tracking_code: tracking,
            verification_code: code.to_text().to_string(),
            qr_svg: code.to_qr_svg().map_err(thrown)?.to_string(),
            voter_seq: c.voter_seq,
            leaf_index: c.leaf_index,
            verify_until: screens::local_time(&self.election.package.manifest, until),
            verify_until_unix: until,
            verify_max: info.verify_max,
        };
        // Done: the key is zeroized, and the next vote starts with a new challenge.
        self.signer = None;
        self.challenge = None;
        self.sealed = None;
        serde_json::to_string(&view).map_err(|e| thrown(bad_answer("the receipt", e)))
    }

    fn signer_and_challenge(&self) -> Result<(&Signer, &SignedChallenge), JsValue> {
        let signer = self
            .signer
            .as_ref()
            .ok_or_else(|| out_of_order("your e-ID"))?;
        let challenge = self
            .challenge
            .as_ref()
            .ok_or_else(|| out_of_order("the collector's challenge"))?;
        Ok((signer, challenge))
    }
}

/// A step called before the one it needs (a fault of the page, not the voter's).
fn out_of_order(missing: &str) -> JsValue {
    thrown(AppError::refused(
        "app.out_of_order",
        format!("{missing} is missing: start again from the first screen"),
    ))
}
