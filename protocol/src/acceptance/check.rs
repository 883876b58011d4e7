//! The checks of one submission, in the order [`super`] gives, and the proofs of many.

use ivote_eid::VoterCertificate;
use rand_core::{CryptoRng, RngCore};
use thiserror::Error;

use super::logged::{self, LogMismatch};
use super::{LoadedElection, LoadedPackage, Rejection};
use crate::ballot::{ballot_hash, verify_ballots, Ballot, BallotError, DecodedBallot};
use crate::ballot_box::BoxEntry;
use crate::hashes::{BallotHash, CertificateHash};
use crate::submission::{vote_message, Submission};

/// A submission that passed every check but the proofs: what the programs keep of it.
#[derive(Debug)]
pub struct AcceptedSubmission<'e> {
    /// The voter id, from the certificate.
    pub voter_id: String,
    /// The voter's district (the ballot's).
    pub district: String,
    /// The ballot hash.
    pub ballot_hash: BallotHash,
    /// SHA-256 of the certificate's DER.
    pub certificate_hash: CertificateHash,
    /// The validated certificate (the collector asks its CA for its status by OCSP).
    pub certificate: VoterCertificate,
    /// The ballot, decoded with its contests' shapes; its proofs remain to be verified
    /// ([`LoadedPackage::verify_proofs`]).
    pub ballot: DecodedBallot<'e>,
}

/// Why a ballot-box entry is not accepted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EntryRefusal {
    /// It is not what the collector logged: its checks say nothing about the count.
    #[error(transparent)]
    Tampered(#[from] LogMismatch),
    /// A check refused it.
    #[error(transparent)]
    Invalid(#[from] Rejection),
}

impl LoadedElection {
    /// Steps 4 to 8 of a received submission (see [`super`]) at `at` (Unix seconds), its
    /// ballot already decoded from `submission.ballot`. The challenge itself (signature,
    /// lifetime, single use) is the collector's step 3.
    pub fn check_submission(
        &self,
        submission: &Submission,
        ballot: &Ballot,
        at: i64,
    ) -> Result<AcceptedSubmission<'_>, Rejection> {
        let certificate_hash = CertificateHash::of(&submission.certificate);
        let certificate = self.certificate_at(&submission.certificate, &certificate_hash, at)?;
        let ballot_hash = ballot_hash(&submission.ballot);
        self.verify_vote_signature(submission, &certificate, &ballot_hash)?;
        if ballot.nonce != submission.challenge.ballot_nonce(&certificate_hash) {
            return Err(Rejection::NonceMismatch);
        }
        self.accept(ballot, ballot_hash, certificate_hash, certificate)
    }

    /// Every check of a ballot-box entry but the proofs (see [`super`]), at the time the
    /// collector received it.
    pub fn check_box_entry(
        &self,
        entry: &BoxEntry,
    ) -> Result<AcceptedSubmission<'_>, EntryRefusal> {
        let (record, submission) = (&entry.record, &entry.submission);
        let (ballot_hash, certificate_hash) = logged::check(entry)?;
        let at = record.received_at;
        submission
            .challenge
            .check_received(&self.collector_key, &self.context, at, self.voting_window())
            .map_err(LogMismatch::Challenge)?;
        let ballot = Ballot::from_bytes(&submission.ballot).map_err(Rejection::from)?;
        if ballot.nonce != submission.challenge.ballot_nonce(&certificate_hash) {
            return Err(LogMismatch::NonceMismatch.into());
        }
        let certificate = self.certificate_at(&submission.certificate, &certificate_hash, at)?;
        if certificate.voter_id() != record.voter_id {
            return Err(LogMismatch::VoterId {
                certificate: certificate.voter_id().to_owned(),
                record: record.voter_id.clone(),
            }
            .into());
        }
        self.verify_vote_signature(submission, &certificate, &ballot_hash)?;
        self.check_ocsp_answer(
            &certificate,
            entry.ocsp.as_ref(),
            at,
            &ballot_hash,
            &certificate_hash,
        )?;
        Ok(self.accept(&ballot, ballot_hash, certificate_hash, certificate)?)
    }

    /// The district of the holder of `certificate` (validated before) at `at`: its status
    /// then, and the roll. The collector's voter-info query checks the roll last, after the
    /// signature, so that a certificate alone says nothing.
    pub fn district_of(&self, certificate: &VoterCertificate, at: i64) -> Result<&str, Rejection> {
        certificate.check_status(at, self.crl.as_ref())?;
        self.roll_district(certificate)
    }

    /// Step 4: the certificate validated at `at` (from the cache when seen before).
    fn certificate_at(
        &self,
        der: &[u8],
        certificate_hash: &CertificateHash,
        at: i64,
    ) -> Result<VoterCertificate, Rejection> {
        let crl = self.crl.as_ref();
        Ok(self.certificates.get_or_validate(
            &certificate_hash.0,
            |cert| cert.check_status(at, crl),
            || self.anchors.validate(der, at, crl),
        )?)
    }

    /// Step 5: the e-ID signature over the vote message.
    fn verify_vote_signature(
        &self,
        submission: &Submission,
        certificate: &VoterCertificate,
        ballot_hash: &BallotHash,
    ) -> Result<(), Rejection> {
        Ok(certificate.verify_signature(
            &vote_message(&self.context, ballot_hash),
            &submission.signature,
        )?)
    }

    fn roll_district(&self, certificate: &VoterCertificate) -> Result<&str, Rejection> {
        self.roll
            .district_of_voter_id(certificate.voter_id())
            .ok_or_else(|| Rejection::NotOnRoll {
                voter_id: certificate.voter_id().to_owned(),
            })
    }

    /// Steps 7 (the roll and the district) and 8 (the ballot decodes), for a voter whose
    /// signature verified: nothing that depends on the roll is said before that.
    fn accept(
        &self,
        ballot: &Ballot,
        ballot_hash: BallotHash,
        certificate_hash: CertificateHash,
        certificate: VoterCertificate,
    ) -> Result<AcceptedSubmission<'_>, Rejection> {
        let district = self.roll_district(&certificate)?.to_owned();
        if district != ballot.district {
            return Err(Rejection::WrongDistrict {
                voter: district,
                ballot: ballot.district.clone(),
            });
        }
        let decoded = ballot.decode(&self.context, &self.shapes)?;
        Ok(AcceptedSubmission {
            voter_id: certificate.voter_id().to_owned(),
            district,
            ballot_hash,
            certificate_hash,
            certificate,
            ballot: decoded,
        })
    }
}

impl LoadedPackage {
    /// Step 8 for many ballots at once (every proof in one batch verification,
    /// [`verify_ballots`]): the positions of the ballots refused, each with its rejection
    /// (`ballot.invalid_proof`, naming the contests), in increasing order.
    pub fn verify_proofs<R: RngCore + CryptoRng>(
        &self,
        ballots: &[&DecodedBallot<'_>],
        rng: &mut R,
    ) -> Vec<(usize, Rejection)> {
        verify_ballots(&self.context, &self.joint_key, ballots, rng)
            .into_iter()
            .map(|(i, contests)| (i, Rejection::Ballot(BallotError::InvalidProof(contests))))
            .collect()
    }
}
