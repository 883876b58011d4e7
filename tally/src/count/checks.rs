//! The checks of one submission of the ballot box (the collector's checks again, at the
//! time the collector received it), in parallel over a batch of entries, with every proof
//! of the batch verified at once.
//!
//! Order, with the code a failure gets (`docs/tally.md`, "Import checks"):
//!
//! 1. the submission is the one the collector logged: its ballot hash, certificate hash and
//!    signature are the record's. A difference means the box was altered after logging: the
//!    whole import is refused, naming the leaves ([`Checked::Tampered`]);
//! 2. received before the end of the window (`tally.after_close`);
//! 3. the ballot layout (`ballot.malformed`);
//! 4. the certificate at the receive time: chain, validity, key usage, revocation
//!    (`eid.*`), the voter on the roll (`eid.not_on_roll`); its voter id must be the
//!    record's (else: altered, step 1);
//! 5. the ballot is for the voter's district (`voter.wrong_district`);
//! 6. the e-ID signature over the vote message (`eid.bad_signature`, ...);
//! 7. the ballot fits the election (`ballot.*`) and every validity proof verifies
//!    (`ballot.invalid_proof`).

use std::cell::RefCell;
use std::collections::HashMap;

use ivote_crypto::Ciphertext;
use ivote_eid::{EidError, VoterCertificate};
use ivote_protocol::ballot::{ballot_hash, verify_ballots, Ballot, DecodedBallot, Hash32};
use ivote_protocol::ballot_box::BoxEntry;
use ivote_protocol::submission::vote_message;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::election::CountElection;
use super::rules::Verdict;

/// What the checks found.
#[derive(Debug)]
pub enum Checked {
    /// The submission does not match its record: what differs.
    Tampered(String),
    /// Every check passed, or one failed (with a message for the report).
    Done {
        /// The verdict for the rules.
        verdict: Verdict,
        /// Why it is invalid, for the report.
        message: Option<String>,
        /// A valid ballot's selection ciphertexts (the import sums them at once, so that
        /// each ballot is decoded only once).
        selections: Option<Selections>,
    },
}

/// A valid ballot's district and every selection ciphertext, in manifest order.
#[derive(Debug)]
pub struct Selections {
    /// The ballot's district.
    pub district: String,
    /// The contests' selections, one after the other.
    pub ciphertexts: Vec<Ciphertext>,
}

/// Certificates validated on this thread, by SHA-256 of their DER: a voter who revotes
/// sends the same certificate each time. Bounded: cleared when it grows past this.
const CACHE_MAX: usize = 100_000;

thread_local! {
    static CERTIFICATES: RefCell<HashMap<[u8; 32], VoterCertificate>> = RefCell::new(HashMap::new());
}

/// The certificate validated at `at` (from the cache when seen before), and the voter's
/// district.
fn eligible(
    el: &CountElection,
    der: &[u8],
    fingerprint: [u8; 32],
    at: i64,
) -> Result<(VoterCertificate, String), EidError> {
    let cached = CERTIFICATES.with(|c| c.borrow().get(&fingerprint).cloned());
    let cert = match cached {
        Some(cert) => {
            cert.check_status(at, el.crl.as_ref())?;
            cert
        }
        None => {
            let cert = el.anchors.validate(der, at, el.crl.as_ref())?;
            CERTIFICATES.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= CACHE_MAX {
                    c.clear();
                }
                c.insert(fingerprint, cert.clone());
            });
            cert
        }
    };
    let district = ivote_eid::eligible_district(&cert, el.crl.as_ref(), &el.roll, at)?;
    Ok((cert.clone(), district.to_owned()))
}

fn invalid(code: &str, message: impl Into<String>) -> Checked {
    Checked::Done {
        verdict: Verdict::Invalid(code.to_owned()),
        message: Some(message.into()),
        selections: None,
    }
}

/// Steps 1 to 7 except the proofs: the decoded ballot whose proofs remain to be verified.
fn precheck<'s>(
    el: &'s CountElection,
    entry: &BoxEntry,
) -> Result<(Verdict, String, DecodedBallot<'s>), Box<Checked>> {
    let (record, sub) = (&entry.record, &entry.submission);
    let hash = ballot_hash(&sub.ballot);
    let cert_hash: [u8; 32] = Sha256::digest(&sub.certificate).into();
    let differs: Vec<&str> = [
        (hash != record.ballot_hash, "ballot"),
        (Hash32(cert_hash) != record.certificate_hash, "certificate"),
        (sub.signature != record.signature, "signature"),
    ]
    .into_iter()
    .filter_map(|(d, what)| d.then_some(what))
    .collect();
    if !differs.is_empty() {
        return Err(Box::new(Checked::Tampered(format!(
            "its {} differs from the logged record",
            differs.join(", ")
        ))));
    }
    let at = record.received_at;
    if at >= el.ends {
        return Err(Box::new(invalid(
            "tally.after_close",
            "received after the end of the voting window",
        )));
    }
    let ballot =
        Ballot::from_bytes(&sub.ballot).map_err(|e| Box::new(invalid(e.code(), e.to_string())))?;
    let (cert, district) = eligible(el, &sub.certificate, cert_hash, at)
        .map_err(|e| Box::new(invalid(e.code(), e.to_string())))?;
    if cert.voter_id() != record.voter_id {
        return Err(Box::new(Checked::Tampered(format!(
            "its certificate is {}'s, the record says {}",
            cert.voter_id(),
            record.voter_id
        ))));
    }
    if district != ballot.district {
        return Err(Box::new(invalid(
            "voter.wrong_district",
            format!(
                "the voter is in district {district}, the ballot is for {}",
                ballot.district
            ),
        )));
    }
    cert.verify_signature(
        &vote_message(&el.package.context_hash, &hash),
        &sub.signature,
    )
    .map_err(|e| Box::new(invalid(e.code(), e.to_string())))?;
    let decoded = ballot
        .decode(&el.package.context_hash, &el.shapes)
        .map_err(|e| Box::new(invalid(e.code(), e.to_string())))?;
    Ok((
        Verdict::Valid {
            voter_id: record.voter_id.clone(),
            ballot_hash: hash,
            received_at: at,
        },
        district,
        decoded,
    ))
}

/// Checks a batch of entries (one thread); every proof of the batch in one batch
/// verification. Results in the entries' order.
pub fn check_batch(el: &CountElection, entries: &[BoxEntry]) -> Vec<Checked> {
    let mut out: Vec<Option<Checked>> = Vec::with_capacity(entries.len());
    let mut pending = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match precheck(el, e) {
            Ok((verdict, district, decoded)) => {
                pending.push((i, verdict, district, decoded));
                out.push(None);
            }
            Err(done) => out.push(Some(*done)),
        }
    }
    let decoded: Vec<&DecodedBallot<'_>> = pending.iter().map(|(_, _, _, d)| d).collect();
    let bad = verify_ballots(
        &el.package.context_hash,
        &el.package.ceremony.joint_key,
        &decoded,
        &mut OsRng,
    );
    let mut bad = bad.into_iter().peekable();
    for (k, (i, verdict, district, decoded)) in pending.into_iter().enumerate() {
        let result = match bad.next_if(|(b, _)| *b == k) {
            Some((_, contests)) => invalid(
                "ballot.invalid_proof",
                format!(
                    "the validity proofs of contest(s) {} do not verify",
                    contests.join(", ")
                ),
            ),
            None => Checked::Done {
                verdict,
                message: None,
                selections: Some(Selections {
                    district: district.clone(),
                    ciphertexts: decoded
                        .contests()
                        .flat_map(|c| c.selections().iter().copied())
                        .collect(),
                }),
            },
        };
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(result);
        }
    }
    out.into_iter()
        .map(|c| c.unwrap_or_else(|| invalid("tally.internal", "not checked")))
        .collect()
}
