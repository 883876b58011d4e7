//! The JSON bodies of the collector's HTTP API (`docs/collector.md`, `collector/openapi.json`):
//! one type per request or answer, which the collector serializes and every client (the voter
//! app, `collector close`, the load generator, the tests) deserializes, so a field is named
//! in one place. Bytes travel as lower-case hex ([`as_hex`]: strict on reading). Fields are
//! declared in the order they were written before these types existed (alphabetical where
//! the collector built `serde_json::json!` values, which sort their keys), so the bytes on
//! the wire are unchanged. A test in the collector holds every type against the OpenAPI document.
//!
//! The answer of `POST /submit` is binary (the receipt layout, [`crate::receipt`]), and its
//! body the submission layout ([`crate::submission`]): neither is JSON.

pub mod as_hex;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ballot_box;
use crate::challenge::{Purpose, SignedChallenge};
use crate::hashes::BallotHash;
use crate::layout::LayoutError;
use crate::merkle::NodeHash;
use crate::package::ContextHash;
use crate::receipt::SignedTreeHead;

/// Every error answer: a stable code (`docs/collector.md`) and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The stable code, e.g. `challenge.expired`.
    pub code: String,
    /// What happened, in words.
    pub message: String,
}

/// `GET /election`: what the collector says about its election (the voter app trusts none
/// of it: it verifies `/package` itself; the load generator and `collector close` use it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionFacts {
    /// How long a challenge lives, seconds.
    pub challenge_ttl: i64,
    /// The collector's Ed25519 public key (tree heads and receipts).
    #[serde(with = "as_hex::array")]
    pub collector_key: [u8; 32],
    /// The election context hash.
    #[serde(with = "as_hex::context")]
    pub context: ContextHash,
    /// The joint election key (a Ristretto point).
    #[serde(with = "as_hex::array")]
    pub joint_key: [u8; 32],
    /// The manifest's TOML text, as in the package.
    pub manifest: String,
    /// When voting ends, Unix seconds.
    pub voting_ends: i64,
    /// When voting starts, Unix seconds.
    pub voting_starts: i64,
}

/// `POST /challenge`: a fresh single-use challenge for the next ballot, signed by the
/// collector ([`SignedChallenge`]): its layout, and its fields for people and scripts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// When it expires, Unix seconds (exclusive).
    pub expires_at: i64,
    /// When it was issued, Unix seconds.
    pub issued_at: i64,
    /// The signed challenge's layout (145 bytes), which the submission carries.
    #[serde(with = "as_hex::bytes")]
    pub layout: Vec<u8>,
    /// The random nonce.
    #[serde(with = "as_hex::array")]
    pub nonce: [u8; 32],
    /// `vote` (in the window) or `test` (before it).
    pub purpose: Purpose,
}

impl From<&SignedChallenge> for Challenge {
    fn from(c: &SignedChallenge) -> Self {
        Challenge {
            expires_at: c.expires_at,
            issued_at: c.issued_at,
            layout: c.to_bytes(),
            nonce: c.nonce,
            purpose: c.purpose,
        }
    }
}

impl Challenge {
    /// The signed challenge: its layout, whose fields must be the ones stated beside it
    /// (its signature is the caller's to check).
    pub fn signed(&self) -> Result<SignedChallenge, LayoutError> {
        let c = SignedChallenge::from_bytes(&self.layout)?;
        if Challenge::from(&c) == *self {
            Ok(c)
        } else {
            Err(LayoutError {
                what: "challenge",
                detail: "its fields are not its layout's".into(),
            })
        }
    }
}

/// `GET /verify/{ballot_id}`: a stored submission, for the voter's verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBallot {
    /// The ballot hash asked for.
    #[serde(with = "as_hex::hash")]
    pub ballot_id: BallotHash,
    /// Its leaf in the log.
    pub leaf_index: u64,
    /// The voter's latest sequence number now: greater than `voter_seq` when a later vote
    /// of the same voter exists (the one that counts), equal otherwise.
    pub latest_voter_seq: u32,
    /// When the collector received it, Unix seconds.
    pub received_at: i64,
    /// The submission layout as received.
    #[serde(with = "as_hex::bytes")]
    pub submission: Vec<u8>,
    /// The voter's sequence number (1 for the first vote).
    pub voter_seq: u32,
}

/// `GET /package`: every file of the election package, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageContents {
    /// File name → its bytes.
    #[serde(with = "as_hex::files")]
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The body of `POST /voter-info`: a query signed with the voter's e-ID key over
/// [`crate::submission::voter_info_message`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoterInfoQuery {
    /// The voter's e-ID certificate, DER.
    #[serde(with = "as_hex::bytes")]
    pub certificate: Vec<u8>,
    /// The collector's signed challenge, its layout (145 bytes), unexpired and unused (it
    /// is not used up: the same challenge then goes into the ballot). The signature covers
    /// its nonce.
    #[serde(with = "as_hex::bytes")]
    pub challenge: Vec<u8>,
    /// The e-ID signature.
    #[serde(with = "as_hex::bytes")]
    pub signature: Vec<u8>,
}

/// `POST /voter-info`: the voter's facts and this collector's verification limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoterInfo {
    /// How many ballots the voter has cast already.
    pub ballots_cast: u32,
    /// The voter's district.
    pub district: String,
    /// How many times a ballot can be verified.
    pub verify_max: u32,
    /// How long after casting a ballot can be verified, seconds.
    pub verify_window: i64,
    /// The voter id from the certificate.
    pub voter_id: String,
}

/// `GET /log/head`: the latest signed tree head, its fields and its layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    /// The signed tree head layout ([`SignedTreeHead::to_bytes`]).
    #[serde(with = "as_hex::bytes")]
    pub layout: Vec<u8>,
    /// The root hash.
    #[serde(with = "as_hex::array")]
    pub root: NodeHash,
    /// The collector's signature.
    #[serde(with = "as_hex::array")]
    pub signature: [u8; 64],
    /// Number of leaves.
    pub size: u64,
    /// When it was signed, Unix seconds.
    pub timestamp: i64,
}

impl From<&SignedTreeHead> for TreeHead {
    fn from(head: &SignedTreeHead) -> Self {
        TreeHead {
            layout: head.to_bytes(),
            root: head.root,
            signature: head.signature,
            size: head.size,
            timestamp: head.timestamp,
        }
    }
}

/// `GET /log/final` (and `POST /admin/close`, and `/status` once closed): the collector's
/// signed statement that the log is closed at this size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalHead {
    /// The signature under `"ivote-v1/final-head"`.
    #[serde(with = "as_hex::array")]
    pub closing_signature: [u8; 64],
    /// The final head layout ([`ballot_box::FinalHead::to_bytes`]).
    #[serde(with = "as_hex::bytes")]
    pub layout: Vec<u8>,
    /// The last tree head's root.
    #[serde(with = "as_hex::array")]
    pub root: NodeHash,
    /// The last tree head's signature.
    #[serde(with = "as_hex::array")]
    pub signature: [u8; 64],
    /// Number of leaves.
    pub size: u64,
    /// When the last tree head was signed, Unix seconds.
    pub timestamp: i64,
}

impl From<&ballot_box::FinalHead> for FinalHead {
    fn from(f: &ballot_box::FinalHead) -> Self {
        FinalHead {
            closing_signature: f.signature,
            layout: f.to_bytes().to_vec(),
            root: f.head.root,
            signature: f.head.signature,
            size: f.head.size,
            timestamp: f.head.timestamp,
        }
    }
}

/// `GET /log/inclusion/{leaf}?size=N`: the inclusion proof of a leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The leaf.
    pub leaf: u64,
    /// The proof, leaf side first.
    #[serde(with = "as_hex::hashes")]
    pub proof: Vec<NodeHash>,
    /// The tree size it is for.
    pub size: u64,
}

/// `GET /log/consistency?from=A&to=B`: the consistency proof between two tree sizes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The older size.
    pub from: u64,
    /// The proof.
    #[serde(with = "as_hex::hashes")]
    pub proof: Vec<NodeHash>,
    /// The newer size.
    pub to: u64,
}

/// Whether the ballot box takes submissions (`GET /status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoxState {
    /// Before voting, test votes refused.
    NotOpen,
    /// Before voting, test votes taken (`serve --accept-test-votes`).
    TestVotes,
    /// Voting.
    Open,
    /// Closed: voting ended or the officials closed it.
    Closed,
}

/// `GET /status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Accepted submissions: the log's size.
    pub accepted: u64,
    /// The final head once closed (`null` before).
    pub final_head: Option<FinalHead>,
    /// Refusals since the collector started, by code.
    pub rejected: BTreeMap<String, u64>,
    /// Open or closed.
    pub state: BoxState,
}

/// The body of `POST /admin/close`: the officials' request to close the box now, signed
/// with their Ed25519 key over `"ivote-v1/admin-close" ‖ context ‖ timestamp` (the collector's
/// `admin` module signs and checks it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// When it was signed, Unix seconds.
    pub timestamp: i64,
    /// The officials' signature, 128 hex digits.
    #[serde(with = "as_hex::array")]
    pub signature: [u8; 64],
}

#[cfg(test)]
mod tests;
