//! The ballot: a voter's encrypted contests for their district, bound to the election and to
//! the collector's single-use challenge nonce.
//!
//! # Layout
//!
//! | field | length |
//! |---|---|
//! | election context hash | 32 |
//! | the collector's challenge nonce | 32 |
//! | district id, length-prefixed | 4 + ≤ 64 |
//! | number of contests `c`, big-endian `u32` | 4 |
//! | `c` times: contest id (length-prefixed, ≤ 64), then the [`EncryptedContest`] layout (length-prefixed, ≤ [`MAX_CONTEST_BYTES`]) | |
//!
//! Contests appear once each, in the district's manifest order. The ballot hash is
//! `SHA-256("ivote-v1/ballot" ‖ layout)`; the ballot id the verification endpoint takes
//! is its hex.
//!
//! A decoded [`Ballot`] keeps each contest's bytes as they came: what the contests say is
//! known only against the manifest's shapes ([`BallotShapes`]), which [`Ballot::check`]
//! uses to decode them and verify every proof.

use ivote_crypto::contest::{
    verify_contests_and_selections, ContestShape, ContestToVerify, EncryptedContest,
    EncryptionSeed, ValueRange,
};
use ivote_crypto::proofs::selection::{SelectionProof, SelectionStatement};
use ivote_crypto::{Ciphertext, ContestPosition, PublicKey};
use rand_core::{CryptoRng, RngCore};
use thiserror::Error;

use crate::hashes::BallotHash;
use crate::layout::{labelled_hash, LayoutError, Reader, Writer};
use crate::manifest::{Contest, ElectionManifest};
use crate::package::ContextHash;

/// Prefixed to the ballot layout before hashing.
pub const BALLOT_HASH_LABEL: &[u8] = b"ivote-v1/ballot";
/// The longest id (district, contest) a ballot may carry: the manifest's id rule.
pub const MAX_ID_LEN: usize = 64;
/// The most contests a ballot may have.
pub const MAX_CONTESTS: usize = 64;
/// The longest encrypted contest accepted (an 81-candidate plurality contest is ~23 KB).
pub const MAX_CONTEST_BYTES: usize = 1 << 20;

/// One contest of a ballot: its id and its [`EncryptedContest`] bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotContest {
    /// The contest id from the manifest.
    pub contest: String,
    /// The crypto layout of the encrypted contest (`docs/crypto-spec.md` §7.4).
    pub encrypted: Vec<u8>,
}

/// A ballot as it travels (see the module docs for the layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    /// The election context hash.
    pub context: ContextHash,
    /// The collector's challenge nonce this ballot was made for.
    pub nonce: [u8; 32],
    /// The voter's district.
    pub district: String,
    /// The district's contests, in manifest order.
    pub contests: Vec<BallotContest>,
}

/// Why a ballot is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BallotError {
    /// The bytes are not a ballot layout.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// The ballot was made for another election (another context hash).
    #[error("the ballot was made for another election (context hash {found}, this election's is {expected})")]
    WrongElection {
        /// This election's context hash, hex.
        expected: String,
        /// The ballot's, hex.
        found: String,
    },
    /// The district is not in the manifest.
    #[error("the ballot is for district \"{0}\", which this election does not have")]
    UnknownDistrict(String),
    /// The contests are not exactly the district's, in manifest order.
    #[error("the ballot's contests are not the district's: {0}")]
    Contests(String),
    /// A contest's bytes do not decode with its shape.
    #[error("contest \"{contest}\" is malformed: {detail}")]
    BadContest {
        /// The contest id.
        contest: String,
        /// What the decoder said.
        detail: String,
    },
    /// A validity proof does not verify.
    #[error("the validity proofs of contest(s) {} do not verify", .0.join(", "))]
    InvalidProof(Vec<String>),
    /// The manifest has a contest whose ranges the proofs cannot express.
    #[error("contest \"{contest}\" of the manifest cannot be proved: {detail}")]
    UnsupportedContest {
        /// The contest id.
        contest: String,
        /// Why.
        detail: String,
    },
    /// The choices given to [`Ballot::encrypt`] do not fit the district's contests.
    #[error("the choices for contest \"{contest}\" are not valid: {detail}")]
    BadChoices {
        /// The contest id (empty when the number of contests is wrong).
        contest: String,
        /// Why.
        detail: String,
    },
}

impl BallotError {
    /// The stable code, e.g. `"ballot.invalid_proof"`.
    pub fn code(&self) -> &'static str {
        match self {
            BallotError::Layout(_) => "ballot.malformed",
            BallotError::WrongElection { .. } => "ballot.wrong_election",
            BallotError::UnknownDistrict(_) => "ballot.unknown_district",
            BallotError::Contests(_) => "ballot.contests",
            BallotError::BadContest { .. } => "ballot.bad_contest",
            BallotError::InvalidProof(_) => "ballot.invalid_proof",
            BallotError::UnsupportedContest { .. } => "ballot.unsupported_contest",
            BallotError::BadChoices { .. } => "ballot.bad_choices",
        }
    }
}

/// The [`ContestShape`] of a manifest contest: its selection ranges and sum range
/// ([`Contest::selection_ranges`], [`Contest::sum_range`]).
pub fn contest_shape(contest: &Contest) -> Result<ContestShape, BallotError> {
    let unsupported = |e: ivote_crypto::CryptoError| BallotError::UnsupportedContest {
        contest: contest.id.as_str().to_owned(),
        detail: e.to_string(),
    };
    let selections = contest
        .selection_ranges()
        .into_iter()
        .map(|(lo, hi)| ValueRange::new(lo, hi))
        .collect::<Result<Vec<_>, _>>()
        .map_err(unsupported)?;
    let (lo, hi) = contest.sum_range();
    ContestShape::new(selections, ValueRange::new(lo, hi).map_err(unsupported)?)
        .map_err(unsupported)
}

/// Every district's contests with their shapes, built once from the manifest (building a
/// shape allocates; the collector checks thousands of ballots a second against the same ones).
#[derive(Clone, Debug)]
pub struct BallotShapes {
    districts: Vec<(String, Vec<(String, ContestShape)>)>,
}

impl BallotShapes {
    /// Builds the shapes of every contest of `manifest`.
    pub fn from_manifest(manifest: &ElectionManifest) -> Result<Self, BallotError> {
        let districts = manifest
            .districts()
            .iter()
            .map(|d| {
                let contests = d
                    .contests
                    .iter()
                    .map(|c| Ok((c.id.as_str().to_owned(), contest_shape(c)?)))
                    .collect::<Result<Vec<_>, BallotError>>()?;
                Ok((d.id.as_str().to_owned(), contests))
            })
            .collect::<Result<Vec<_>, BallotError>>()?;
        Ok(BallotShapes { districts })
    }

    /// The contests of a district, in manifest order.
    pub fn district(&self, id: &str) -> Option<&[(String, ContestShape)]> {
        self.districts
            .iter()
            .find(|(d, _)| d == id)
            .map(|(_, c)| c.as_slice())
    }
}

/// A ballot whose contests decoded with their shapes: ready for proof verification.
#[derive(Clone, Debug)]
pub struct DecodedBallot<'s> {
    contests: Vec<DecodedContest<'s>>,
}

#[derive(Clone, Debug)]
struct DecodedContest<'s> {
    position: ContestPosition,
    shape: &'s ContestShape,
    contest: EncryptedContest,
}

impl DecodedBallot<'_> {
    /// The encrypted contests, in manifest order.
    pub fn contests(&self) -> impl Iterator<Item = &EncryptedContest> {
        self.contests.iter().map(|c| &c.contest)
    }

    /// Every selection ciphertext's 64-byte encoding (what "no ciphertext already stored"
    /// compares).
    pub fn ciphertexts(&self) -> impl Iterator<Item = [u8; 64]> + '_ {
        self.contests()
            .flat_map(|c| c.selections().iter().map(|ct| ct.to_bytes()))
    }
}

/// Verifies the proofs of many decoded ballots at once (all CDS proofs in one batch); returns
/// the indices of the ballots that do not verify, each with the ids of its bad contests.
pub fn verify_ballots<R: RngCore + CryptoRng>(
    context: &ContextHash,
    joint_key: &PublicKey,
    ballots: &[&DecodedBallot<'_>],
    rng: &mut R,
) -> Vec<(usize, Vec<String>)> {
    verify_ballots_and_selections(context, joint_key, ballots, &[], rng).0
}

/// [`verify_ballots`] and selection proofs (`docs/coercion.md`) in **one** batch
/// verification ([`verify_contests_and_selections`]: the ciphertexts both kinds of proof
/// speak about are added once, which saves about half of the selection proofs' cost). A
/// selection statement's `ballot` must be the ciphertexts of one of `ballots`, as decoded.
/// Returns the failing ballots (as [`verify_ballots`]) and the indices of the failing
/// selection proofs, both in increasing order.
pub fn verify_ballots_and_selections<R: RngCore + CryptoRng>(
    context: &ContextHash,
    joint_key: &PublicKey,
    ballots: &[&DecodedBallot<'_>],
    selections: &[(SelectionStatement<'_>, &SelectionProof)],
    rng: &mut R,
) -> (Vec<(usize, Vec<String>)>, Vec<usize>) {
    let mut items = Vec::new();
    let mut owner = Vec::new();
    for (b, ballot) in ballots.iter().enumerate() {
        for c in &ballot.contests {
            items.push(ContestToVerify {
                position: &c.position,
                shape: c.shape,
                contest: &c.contest,
            });
            owner.push(b);
        }
    }
    let failures = verify_contests_and_selections(context, joint_key, &items, selections, rng);
    let mut bad: Vec<(usize, Vec<String>)> = Vec::new();
    for i in failures.contests {
        let (Some(&b), Some(item)) = (owner.get(i), items.get(i)) else {
            continue;
        };
        let contest = item.position.contest.clone();
        match bad.last_mut() {
            Some((last, ids)) if *last == b => ids.push(contest),
            _ => bad.push((b, vec![contest])),
        }
    }
    (bad, failures.selections)
}

impl Ballot {
    /// Encrypts the voter's `choices` (one list of values per contest of `district`, in
    /// manifest order) for the collector's challenge `nonce`, all randomness derived from
    /// `seed` (the verification code's secret) except the proofs'.
    #[allow(clippy::too_many_arguments)]
    pub fn encrypt<R: RngCore + CryptoRng>(
        context: &ContextHash,
        joint_key: &PublicKey,
        shapes: &BallotShapes,
        district: &str,
        nonce: [u8; 32],
        choices: &[Vec<u64>],
        seed: &EncryptionSeed,
        rng: &mut R,
    ) -> Result<Ballot, BallotError> {
        let contests = shapes
            .district(district)
            .ok_or_else(|| BallotError::UnknownDistrict(district.to_owned()))?;
        if contests.len() != choices.len() {
            return Err(BallotError::BadChoices {
                contest: String::new(),
                detail: format!(
                    "{} lists of choices for the district's {} contests",
                    choices.len(),
                    contests.len()
                ),
            });
        }
        let contests = contests
            .iter()
            .zip(choices)
            .map(|((id, shape), values)| {
                let position = ContestPosition {
                    nonce,
                    district: district.to_owned(),
                    contest: id.clone(),
                };
                let encrypted = EncryptedContest::encrypt(
                    context, joint_key, &position, shape, values, seed, rng,
                )
                .map_err(|e| BallotError::BadChoices {
                    contest: id.clone(),
                    detail: e.to_string(),
                })?;
                Ok(BallotContest {
                    contest: id.clone(),
                    encrypted: encrypted.to_bytes(),
                })
            })
            .collect::<Result<Vec<_>, BallotError>>()?;
        Ok(Ballot {
            context: *context,
            nonce,
            district: district.to_owned(),
            contests,
        })
    }

    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(&self.context.0)
            .fixed(&self.nonce)
            .bytes(self.district.as_bytes())
            .u32(u32::try_from(self.contests.len()).unwrap_or(u32::MAX));
        for c in &self.contests {
            w.bytes(c.contest.as_bytes()).bytes(&c.encrypted);
        }
        w.finish()
    }

    /// Decodes the layout (structure and bounds only; [`Ballot::check`] does the rest).
    pub fn from_bytes(bytes: &[u8]) -> Result<Ballot, BallotError> {
        let mut r = Reader::new(bytes, "ballot");
        let context = ContextHash(r.array()?);
        let nonce = r.array()?;
        let district = r.string("the district id", MAX_ID_LEN)?.to_owned();
        let count = r.u32()? as usize;
        if count > MAX_CONTESTS {
            return Err(r
                .error(format!("{count} contests; at most {MAX_CONTESTS}"))
                .into());
        }
        let mut contests = Vec::with_capacity(count);
        for _ in 0..count {
            let contest = r.string("a contest id", MAX_ID_LEN)?.to_owned();
            let encrypted = r.bytes("an encrypted contest", MAX_CONTEST_BYTES)?.to_vec();
            contests.push(BallotContest { contest, encrypted });
        }
        r.finish()?;
        Ok(Ballot {
            context,
            nonce,
            district,
            contests,
        })
    }

    /// `SHA-256("ivote-v1/ballot" ‖ layout)`.
    pub fn hash(&self) -> BallotHash {
        ballot_hash(&self.to_bytes())
    }

    /// Checks the ballot against the election: its context hash, its district, its contests
    /// (each once, in manifest order) and that each decodes with its shape. Proofs are not
    /// verified here (see [`Ballot::check`] and [`verify_ballots`]).
    pub fn decode<'s>(
        &self,
        context: &ContextHash,
        shapes: &'s BallotShapes,
    ) -> Result<DecodedBallot<'s>, BallotError> {
        let expected = self.contest_shapes(context, shapes)?;
        let contests = expected
            .iter()
            .zip(&self.contests)
            .map(|((id, shape), c)| {
                let contest = EncryptedContest::from_bytes(&c.encrypted, shape)
                    .map_err(|e| bad_contest(id, e))?;
                Ok(DecodedContest {
                    position: ContestPosition {
                        nonce: self.nonce,
                        district: self.district.clone(),
                        contest: id.clone(),
                    },
                    shape,
                    contest,
                })
            })
            .collect::<Result<Vec<_>, BallotError>>()?;
        Ok(DecodedBallot { contests })
    }

    /// The selections' ciphertexts of every contest, in manifest order, after the checks of
    /// [`Ballot::decode`] except the proofs' encodings, which are not decoded (see
    /// [`EncryptedContest::read_selections`]): for adding up ballots checked before.
    pub fn selections(
        &self,
        context: &ContextHash,
        shapes: &BallotShapes,
    ) -> Result<Vec<Ciphertext>, BallotError> {
        let expected = self.contest_shapes(context, shapes)?;
        let mut all = Vec::new();
        for ((id, shape), c) in expected.iter().zip(&self.contests) {
            all.extend(
                EncryptedContest::read_selections(&c.encrypted, shape)
                    .map_err(|e| bad_contest(id, e))?,
            );
        }
        Ok(all)
    }

    /// The district's contests (id and shape, manifest order) after checking the ballot's
    /// context hash, district and contest ids against them.
    fn contest_shapes<'s>(
        &self,
        context: &ContextHash,
        shapes: &'s BallotShapes,
    ) -> Result<&'s [(String, ContestShape)], BallotError> {
        if self.context != *context {
            return Err(BallotError::WrongElection {
                expected: context.to_hex(),
                found: self.context.to_hex(),
            });
        }
        let expected = shapes
            .district(&self.district)
            .ok_or_else(|| BallotError::UnknownDistrict(self.district.clone()))?;
        if expected.len() != self.contests.len()
            || expected
                .iter()
                .zip(&self.contests)
                .any(|((id, _), c)| *id != c.contest)
        {
            let names = |ids: Vec<&str>| ids.join(", ");
            return Err(BallotError::Contests(format!(
                "the district has [{}] in this order, the ballot [{}]",
                names(expected.iter().map(|(id, _)| id.as_str()).collect()),
                names(self.contests.iter().map(|c| c.contest.as_str()).collect()),
            )));
        }
        Ok(expected)
    }

    /// [`Ballot::decode`], then verifies every validity proof.
    pub fn check<'s, R: RngCore + CryptoRng>(
        &self,
        context: &ContextHash,
        joint_key: &PublicKey,
        shapes: &'s BallotShapes,
        rng: &mut R,
    ) -> Result<DecodedBallot<'s>, BallotError> {
        let decoded = self.decode(context, shapes)?;
        match verify_ballots(context, joint_key, &[&decoded], rng).pop() {
            Some((_, contests)) => Err(BallotError::InvalidProof(contests)),
            None => Ok(decoded),
        }
    }
}

/// A contest that does not decode with its shape.
fn bad_contest(id: &str, e: impl ToString) -> BallotError {
    BallotError::BadContest {
        contest: id.to_owned(),
        detail: e.to_string(),
    }
}

/// The hash of a ballot given as its layout bytes: `SHA-256("ivote-v1/ballot" ‖ layout)`.
pub fn ballot_hash(layout: &[u8]) -> BallotHash {
    BallotHash(labelled_hash(BALLOT_HASH_LABEL, layout))
}

#[cfg(test)]
mod tests;
