//! What the collector loads once and reads on every submission.

use ivote_crypto::PublicKey;
use ivote_eid::{Crl, TrustAnchors};
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::{ContextHash, VoterRoll};

/// The election, as the collector checks submissions against it. Everything is parsed
/// and indexed once (trust anchors, CRL, roll, contest shapes) so that the hot path only
/// looks things up.
#[derive(Debug)]
pub struct Election {
    /// The election context hash.
    pub context: ContextHash,
    /// The joint election key.
    pub joint_key: PublicKey,
    /// Every contest's shape, per district.
    pub shapes: BallotShapes,
    /// The e-ID trust anchors.
    pub anchors: TrustAnchors,
    /// The CRL, if the package has one.
    pub crl: Option<Crl>,
    /// The voter roll.
    pub roll: VoterRoll,
    /// Start of voting (Unix seconds, inclusive).
    pub starts: i64,
    /// End of voting (Unix seconds, exclusive).
    pub ends: i64,
    /// How long an issued challenge stays usable (seconds).
    pub challenge_ttl: i64,
}
