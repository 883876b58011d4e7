//! An honest ceremony run in memory, for tests of the transcript and of packages (here, and
//! in other crates through the feature `test-support`).

// Test code: a failure here is a broken test setup, so it panics.
#![allow(clippy::unwrap_used, clippy::panic)]

use ed25519_dalek::SigningKey;
use ivote_crypto::group::{g_table, Scalar};
use ivote_crypto::threshold::dkg::{CommitmentSet, KeyShare, KeyShareOutcome, SecretPolynomial};
use rand_core::{CryptoRng, RngCore};

use super::{
    check_ceremony, commitments_hash, transcript_to_json, CeremonyParams, Confirmation, Roster,
    SignedCommitment, Source, VerifiedCeremony,
};

/// A `t`-of-`n` ceremony for `election_id` with every trustee honest: the verified ceremony
/// and the bytes of its `ceremony.json`.
pub fn honest_ceremony(
    election_id: &str,
    n: u32,
    t: u32,
    rng: &mut (impl RngCore + CryptoRng),
) -> (VerifiedCeremony, Vec<u8>) {
    let (c, bytes, _) = honest_ceremony_with_keys(election_id, n, t, rng);
    (c, bytes)
}

/// [`honest_ceremony`], with every trustee's key share (`[j − 1]` is trustee `j`'s), for
/// tests that decrypt.
pub fn honest_ceremony_with_keys(
    election_id: &str,
    n: u32,
    t: u32,
    rng: &mut (impl RngCore + CryptoRng),
) -> (VerifiedCeremony, Vec<u8>, Vec<KeyShare>) {
    let params = CeremonyParams::new(election_id, n, t).unwrap();
    let keys = (0..n).map(|_| &Scalar::random(rng) * g_table()).collect();
    let signers: Vec<SigningKey> = (0..n).map(|_| SigningKey::generate(rng)).collect();
    let roster = Roster::new(
        params.clone(),
        keys,
        signers.iter().map(SigningKey::verifying_key).collect(),
    )
    .unwrap();
    let context = roster.context_hash();
    let polys: Vec<SecretPolynomial> = (1..=n)
        .map(|i| SecretPolynomial::random(params.threshold(), i, rng).unwrap())
        .collect();
    let commitments = polys
        .iter()
        .map(|p| p.commit(&context, rng).unwrap())
        .collect::<Vec<_>>();
    let set = CommitmentSet::new(&context, params.threshold(), commitments.clone()).unwrap();
    let commitments = commitments
        .into_iter()
        .zip(&signers)
        .map(|(c, key)| SignedCommitment::sign(key, &context, c))
        .collect();
    let hash = commitments_hash(&context, &set);
    let keys: Vec<KeyShare> = (1..=n)
        .map(|j| {
            let shares: Vec<_> = polys.iter().map(|p| p.evaluate(j).unwrap()).collect();
            let KeyShareOutcome::Ready(key) = set.collect_key_share(j, &shares).unwrap() else {
                panic!("an honest dealer was accused")
            };
            key
        })
        .collect();
    let confirmations = keys
        .iter()
        .zip(&signers)
        .map(|(key, signer)| {
            Confirmation::sign(signer, &context, key.index(), key.verification_key(), hash)
        })
        .collect();
    let c = check_ceremony(roster, commitments, confirmations, Source::Folder).unwrap();
    let bytes = transcript_to_json(&c).unwrap();
    (c, bytes, keys)
}
