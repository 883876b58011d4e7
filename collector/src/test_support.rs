//! Test fixtures: the example election with a demo PKI, real certificates and real ballots.

use std::collections::{HashMap, HashSet};

use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::{PublicKey, Scalar, G};
use ivote_eid::insecure_demo_pki::{DemoCa, DemoVoter, VoterSpec};
use ivote_eid::{Crl, KeyAlgorithm, TrustAnchors};
use ivote_protocol::ballot::{Ballot, BallotShapes};
use ivote_protocol::manifest::WindowCheck;
use ivote_protocol::roll::demo_estonian_code;
use ivote_protocol::submission::{vote_message, Submission};
use ivote_protocol::{ContextHash, Country, ElectionManifest, VoterRoll};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::decide::{ChallengeState, StoreView};
use crate::election::Election;

pub const CTX: ContextHash = ContextHash([42; 32]);
const YEAR: i64 = 365 * 86_400;

/// Voters: 0, 1 in tartu, 2 in tallinn, 3 not on the roll, 4 revoked, 5 expired.
pub struct Fixture {
    pub election: Election,
    pub voters: Vec<DemoVoter>,
    pub other_ca_voter: DemoVoter,
    pub now: i64,
    pub rng: StdRng,
}

impl Fixture {
    pub fn new() -> Self {
        let manifest = ElectionManifest::from_toml(
            include_str!("../../docs/examples/manifest.toml"),
            WindowCheck::AllowPast,
        )
        .unwrap();
        let starts = manifest.voting_starts().as_second();
        let ends = manifest.voting_ends().as_second();
        let now = starts + 86_400;
        let ca = DemoCa::new("Test CA", KeyAlgorithm::EcdsaP256, now - YEAR, now + YEAR).unwrap();
        let mut voters = Vec::new();
        for i in 0..6u32 {
            let code = demo_estonian_code(i).unwrap();
            let mut spec = VoterSpec::new(&code, KeyAlgorithm::Ed25519, now - YEAR, now + YEAR);
            if i == 5 {
                spec.not_after = now - 1;
            }
            spec.serial = u64::from(i) + 100;
            voters.push(ca.issue(&spec).unwrap());
        }
        let mut roll = String::from("id_code,district\n");
        for (i, district) in [
            (0, "tartu"),
            (1, "tartu"),
            (2, "tallinn"),
            (4, "tartu"),
            (5, "tartu"),
        ] {
            roll.push_str(&format!("{},{district}\n", voters[i].code));
        }
        let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).unwrap();
        let crl = ca.crl(&[104], now - 3600, now + 86_400).unwrap();
        let crl = Crl::from_der(&crl.der, &anchors).unwrap();
        let other = DemoCa::new("Other CA", KeyAlgorithm::Ed25519, now - YEAR, now + YEAR).unwrap();
        let other_ca_voter = other
            .issue(&VoterSpec::new(
                &voters[0].code,
                KeyAlgorithm::Ed25519,
                now - YEAR,
                now + YEAR,
            ))
            .unwrap();
        let election = Election {
            context: CTX,
            joint_key: PublicKey::from_point(G * Scalar::from(1234u64)).unwrap(),
            shapes: BallotShapes::from_manifest(&manifest).unwrap(),
            anchors,
            crl: Some(crl),
            roll: VoterRoll::parse(roll.as_bytes(), Country::EE, &manifest).unwrap(),
            starts,
            ends,
            challenge_ttl: 300,
        };
        Fixture {
            election,
            voters,
            other_ca_voter,
            now,
            rng: StdRng::seed_from_u64(7),
        }
    }

    /// A valid ballot for `district` (first candidate / first project chosen).
    pub fn ballot(&mut self, district: &str, nonce: [u8; 32]) -> Ballot {
        let choices: Vec<Vec<u64>> = match district {
            "tartu" => vec![vec![1, 0], vec![0, 1, 0]],
            "tallinn" => vec![vec![1, 0, 0, 0]],
            _ => vec![vec![3, 2, 0], vec![4, 1]],
        };
        let seed = EncryptionSeed::random(&mut self.rng);
        Ballot::encrypt(
            &self.election.context,
            &self.election.joint_key,
            &self.election.shapes,
            district,
            nonce,
            &choices,
            &seed,
            &mut self.rng,
        )
        .unwrap()
    }

    /// Signs ballot bytes as `voter` and frames the submission.
    pub fn submit_as(&self, voter: &DemoVoter, ballot: &[u8]) -> Vec<u8> {
        let hash = ivote_protocol::ballot::ballot_hash(ballot);
        let signature = voter
            .key()
            .unwrap()
            .sign(&vote_message(&self.election.context, &hash));
        Submission {
            ballot: ballot.to_vec(),
            certificate: voter.cert_der().to_vec(),
            signature,
        }
        .to_bytes()
    }
}

/// An in-memory view of issued challenges and stored ciphertexts.
#[derive(Default)]
pub struct MemView {
    pub challenges: HashMap<[u8; 32], ChallengeState>,
    pub ciphertexts: HashSet<[u8; 64]>,
}

impl StoreView for MemView {
    fn challenge(&self, nonce: &[u8; 32]) -> Option<ChallengeState> {
        self.challenges.get(nonce).copied()
    }

    fn ciphertext_stored(&self, ciphertext: &[u8; 64]) -> bool {
        self.ciphertexts.contains(ciphertext)
    }
}
