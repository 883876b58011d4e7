//! The decision's and the API's fixture: the collector's loaded [`Election`] for the test
//! kit's example manifest, with the test kit's demo PKI whose voters each meet one check
//! (on the roll, off it, revoked, expired, another CA), real certificates and real ballots.

use std::collections::HashSet;
use std::sync::Arc;

use ed25519_dalek::SigningKey;
use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::elgamal::{Ciphertext, Nonce};
use ivote_crypto::{PublicKey, Scalar, G};
use ivote_eid::insecure_demo_pki::DemoVoter;
use ivote_eid::{Crl, KeyAlgorithm, TrustAnchors};
use ivote_protocol::acceptance::{LoadedElection, LoadedPackage};
use ivote_protocol::ballot::{Ballot, BallotShapes};
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::hashes::CertificateHash;
use ivote_protocol::submission::Submission;
use ivote_protocol::{ContextHash, Country, VoterRoll};
use ivote_testkit::pki::{other_ca_voter, PkiSpec, VoterCase};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::decide::StoreView;
use crate::election::Election;
use crate::reject::Class;

pub const CTX: ContextHash = ContextHash([42; 32]);
const YEAR: i64 = 365 * 86_400;

/// Voters: 0, 1 in tartu, 2 in tallinn, 3 not on the roll, 4 revoked, 5 expired.
pub struct Fixture {
    pub election: Arc<Election>,
    /// The collector's key (the package's collector key): signs challenges.
    pub collector: SigningKey,
    pub voters: Vec<DemoVoter>,
    pub other_ca_voter: DemoVoter,
    pub now: i64,
    pub rng: StdRng,
}

impl Fixture {
    pub fn new() -> Self {
        let manifest = ivote_testkit::manifest::load(ivote_testkit::manifest::EXAMPLE);
        let starts = manifest.voting_starts().as_second();
        let ends = manifest.voting_ends().as_second();
        let now = starts + 86_400;
        let pki = PkiSpec {
            ca_name: "Test CA".into(),
            ca_algorithm: KeyAlgorithm::EcdsaP256,
            voter_algorithm: KeyAlgorithm::Ed25519,
            from: now - YEAR,
            until: now + YEAR,
            voters: vec![
                VoterCase::on_roll("tartu"),
                VoterCase::on_roll("tartu"),
                VoterCase::on_roll("tallinn"),
                VoterCase::off_roll(),
                VoterCase::on_roll("tartu").revoked(),
                VoterCase::on_roll("tartu").expiring(now - 1),
            ],
        }
        .build();
        let anchors = TrustAnchors::from_pem(pki.ca.cert_pem().as_bytes()).unwrap();
        let crl = Crl::from_der(&pki.crl.der, &anchors).unwrap();
        let voters = pki.voters;
        let other_ca_voter = other_ca_voter(&voters[0].code, now - YEAR, now + YEAR);
        let collector = SigningKey::from_bytes(&[9; 32]);
        let package = LoadedPackage {
            context: CTX,
            joint_key: PublicKey::from_point(G * Scalar::from(1234u64)).unwrap(),
            collector_key: collector.verifying_key(),
            shapes: BallotShapes::from_manifest(&manifest).unwrap(),
            anchors,
            crl: Some(crl),
            ocsp: Default::default(),
            starts,
            ends,
        };
        let roll = VoterRoll::parse(&pki.roll_csv, Country::EE, &manifest).unwrap();
        let election = Arc::new(Election {
            loaded: LoadedElection::with_roll(package, roll),
            challenge_ttl: 300,
            accept_test_votes: false,
        });
        Fixture {
            election,
            collector,
            voters,
            other_ca_voter,
            now,
            rng: StdRng::seed_from_u64(7),
        }
    }

    /// A real-vote challenge with `nonce`, issued at `self.now` for 300 s, as this
    /// collector signs them.
    pub fn challenge(&self, nonce: [u8; 32]) -> SignedChallenge {
        self.challenge_at(nonce, self.now, self.now + 300, Purpose::Vote)
    }

    /// A challenge with `nonce` and these times and purpose, signed by the collector.
    pub fn challenge_at(
        &self,
        nonce: [u8; 32],
        issued: i64,
        expires: i64,
        purpose: Purpose,
    ) -> SignedChallenge {
        SignedChallenge::sign(&self.collector, CTX, nonce, issued, expires, purpose)
    }

    /// A valid ballot for `district` made for `challenge` by voter `v`.
    pub fn ballot(&mut self, district: &str, challenge: &SignedChallenge, v: usize) -> Ballot {
        let cert = CertificateHash::of(self.voters[v].cert_der());
        self.ballot_with_nonce(district, challenge.ballot_nonce(&cert))
    }

    /// A valid ballot for `district` (first candidate / first project chosen) with this
    /// nonce in its layout.
    pub fn ballot_with_nonce(&mut self, district: &str, nonce: [u8; 32]) -> Ballot {
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

    /// Submissions that one check each refuses, for a store where `c` is issued (and
    /// unused) and nothing is stored, at `self.now`: `(code, class, body)`.
    pub fn refused(&mut self, c: &SignedChallenge) -> Vec<(&'static str, Class, Vec<u8>)> {
        let ballot = self.ballot("tartu", c, 0);
        let bytes = ballot.to_bytes();
        let good = self.submit_as(&self.voters[0], c, &bytes);
        // The challenge signed by another key than the collector's.
        let forged = SignedChallenge::sign(
            &SigningKey::from_bytes(&[10; 32]),
            CTX,
            c.nonce,
            c.issued_at,
            c.expires_at,
            c.purpose,
        );
        let forged_ballot = self.ballot("tartu", &forged, 0).to_bytes();
        // Voter 0's ballot (its proofs made for voter 0) signed by voter 1.
        let recast = self.submit_as(&self.voters[1], c, &bytes);
        let off_roll = self.ballot("tartu", c, 3).to_bytes();
        let other_district = self.ballot("tartu", c, 2).to_bytes();
        // Voter 1's certificate with voter 0's signature.
        let mut other_signer = Submission::from_bytes(&good).unwrap();
        other_signer.certificate = self.voters[1].cert_der().to_vec();
        let mut long_signature = Submission::from_bytes(&good).unwrap();
        long_signature.signature.push(0);
        // Another election's ballot, properly signed.
        let mut other_election = ballot.clone();
        other_election.context = ContextHash([1; 32]);
        // Proofs made for another nonce, re-labelled with the challenge's.
        let mut moved = self.ballot_with_nonce("tartu", [0xEF; 32]);
        moved.nonce = ballot.nonce;
        // A selection of 2: the first ciphertext replaced by an encryption of 2.
        let mut two = ballot.clone();
        let ct = Ciphertext::encrypt(&self.election.joint_key, 2, &Nonce::random(&mut self.rng));
        two.contests[0].encrypted[4..68].copy_from_slice(&ct.to_bytes());
        // A missing contest.
        let mut short = ballot;
        short.contests.pop();
        let v = &self.voters;
        vec![
            ("submission.malformed", Class::Malformed, b"junk".to_vec()),
            (
                "ballot.malformed",
                Class::Malformed,
                self.submit_as(&v[0], c, b"not a ballot"),
            ),
            (
                "challenge.bad_signature",
                Class::Forbidden,
                self.submit_as(&v[0], &forged, &forged_ballot),
            ),
            (
                "eid.unknown_issuer",
                Class::Forbidden,
                self.submit_as(&self.other_ca_voter, c, &bytes),
            ),
            (
                "eid.revoked",
                Class::Forbidden,
                self.submit_as(&v[4], c, &bytes),
            ),
            (
                "eid.expired",
                Class::Forbidden,
                self.submit_as(&v[5], c, &bytes),
            ),
            ("ballot.nonce_mismatch", Class::Invalid, recast),
            (
                "eid.not_on_roll",
                Class::Forbidden,
                self.submit_as(&v[3], c, &off_roll),
            ),
            // Voter 2 votes in tallinn: a tartu ballot is refused.
            (
                "voter.wrong_district",
                Class::Forbidden,
                self.submit_as(&v[2], c, &other_district),
            ),
            (
                "eid.bad_signature",
                Class::Forbidden,
                other_signer.to_bytes(),
            ),
            (
                "eid.signature_encoding",
                Class::Forbidden,
                long_signature.to_bytes(),
            ),
            (
                "ballot.wrong_election",
                Class::Invalid,
                self.submit_as(&v[0], c, &other_election.to_bytes()),
            ),
            (
                "ballot.invalid_proof",
                Class::Invalid,
                self.submit_as(&v[0], c, &moved.to_bytes()),
            ),
            (
                "ballot.invalid_proof",
                Class::Invalid,
                self.submit_as(&v[0], c, &two.to_bytes()),
            ),
            (
                "ballot.contests",
                Class::Invalid,
                self.submit_as(&v[0], c, &short.to_bytes()),
            ),
        ]
    }

    /// Signs ballot bytes as `voter` and frames the submission with `challenge`.
    pub fn submit_as(
        &self,
        voter: &DemoVoter,
        challenge: &SignedChallenge,
        ballot: &[u8],
    ) -> Vec<u8> {
        let key = voter.key().unwrap();
        let sign = |m: &[u8]| key.sign(m);
        Submission::seal_layout(
            &self.election.context,
            challenge,
            ballot.to_vec(),
            voter.cert_der(),
            sign,
        )
        .unwrap()
        .submission
        .to_bytes()
    }
}

/// An in-memory view of used challenge nonces and stored ciphertexts.
#[derive(Default)]
pub struct MemView {
    pub used: HashSet<[u8; 32]>,
    pub ciphertexts: HashSet<[u8; 64]>,
}

impl StoreView for MemView {
    fn challenge_used(&self, nonce: &[u8; 32]) -> bool {
        self.used.contains(nonce)
    }

    fn any_ciphertext_stored(&self, ciphertexts: &[[u8; 64]]) -> bool {
        ciphertexts.iter().any(|c| self.ciphertexts.contains(c))
    }
}
