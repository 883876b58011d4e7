use ivote_crypto::elgamal::{Ciphertext, Nonce};

use super::*;
use crate::reject::Class;
use crate::test_support::{Fixture, MemView};

fn issued(view: &mut MemView, nonce: u8, expires_at: i64) -> [u8; 32] {
    view.challenges
        .insert([nonce; 32], ChallengeState::Issued { expires_at });
    [nonce; 32]
}

fn run(f: &mut Fixture, view: &MemView, body: &[u8], now: i64) -> Result<Accepted, Rejection> {
    let Fixture { election, rng, .. } = f;
    decide(election, view, body, now, rng)
}

fn code(r: Result<Accepted, Rejection>) -> (&'static str, Class) {
    let e = r.unwrap_err();
    (e.code(), e.class())
}

#[test]
fn a_valid_submission_is_accepted() {
    let mut f = Fixture::new();
    let mut view = MemView::default();
    let nonce = issued(&mut view, 1, f.now + 60);
    let ballot = f.ballot("tartu", nonce).to_bytes();
    let body = f.submit_as(&f.voters[0], &ballot);
    let now = f.now;
    let a = run(&mut f, &view, &body, now).unwrap();
    assert_eq!(a.voter_id, format!("PNOEE-{}", f.voters[0].code));
    assert_eq!(a.ballot_hash, ivote_protocol::ballot::ballot_hash(&ballot));
    assert_eq!(a.ciphertexts.len(), 5);
    assert_eq!(a.nonce, nonce);
}

#[test]
fn every_check_has_its_code() {
    let mut f = Fixture::new();
    let now = f.now;
    let mut view = MemView::default();
    let nonce = issued(&mut view, 1, now + 60);
    let ballot = f.ballot("tartu", nonce);
    let bytes = ballot.to_bytes();
    let good = f.submit_as(&f.voters[0], &bytes);

    assert_eq!(
        code(run(&mut f, &view, b"junk", now)),
        ("submission.malformed", Class::Malformed)
    );
    let junk_ballot = f.submit_as(&f.voters[0], b"not a ballot");
    assert_eq!(
        code(run(&mut f, &view, &junk_ballot, now)),
        ("ballot.malformed", Class::Malformed)
    );

    let starts = f.election.starts;
    let ends = f.election.ends;
    assert_eq!(
        code(run(&mut f, &view, &good, starts - 1)),
        ("election.not_open", Class::Unavailable)
    );
    assert_eq!(
        code(run(&mut f, &view, &good, ends)),
        ("election.closed", Class::Unavailable)
    );

    let unknown = f.ballot("tartu", [2; 32]).to_bytes();
    let body = f.submit_as(&f.voters[0], &unknown);
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("challenge.unknown", Class::Forbidden)
    );
    assert_eq!(
        code(run(&mut f, &view, &good, now + 60)),
        ("challenge.expired", Class::Forbidden)
    );
    let mut used = MemView::default();
    used.challenges.insert(nonce, ChallengeState::Used);
    assert_eq!(
        code(run(&mut f, &used, &good, now)),
        ("challenge.used", Class::Conflict)
    );

    let body = f.submit_as(&f.other_ca_voter, &bytes);
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("eid.unknown_issuer", Class::Forbidden)
    );
    let body = f.submit_as(&f.voters[4], &bytes);
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("eid.revoked", Class::Forbidden)
    );
    let body = f.submit_as(&f.voters[5], &bytes);
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("eid.expired", Class::Forbidden)
    );
    let body = f.submit_as(&f.voters[3], &bytes);
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("voter.not_on_roll", Class::Forbidden)
    );
    // Voter 2 votes in tallinn: a tartu ballot is refused.
    let body = f.submit_as(&f.voters[2], &bytes);
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("voter.wrong_district", Class::Forbidden)
    );

    // Voter 1's certificate with voter 0's signature.
    let mut s = Submission::from_bytes(&good).unwrap();
    s.certificate = f.voters[1].cert_der().to_vec();
    assert_eq!(
        code(run(&mut f, &view, &s.to_bytes(), now)),
        ("eid.bad_signature", Class::Forbidden)
    );
    let mut s = Submission::from_bytes(&good).unwrap();
    s.signature.push(0);
    assert_eq!(
        code(run(&mut f, &view, &s.to_bytes(), now)),
        ("eid.signature_encoding", Class::Forbidden)
    );

    // Another election's ballot, properly signed.
    let mut other = ballot.clone();
    other.context = ivote_protocol::ContextHash([1; 32]);
    let body = f.submit_as(&f.voters[0], &other.to_bytes());
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("ballot.wrong_election", Class::Invalid)
    );

    // Proofs made for another challenge, re-labelled with an issued one.
    let mut moved = f.ballot("tartu", [3; 32]);
    moved.nonce = nonce;
    let body = f.submit_as(&f.voters[0], &moved.to_bytes());
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("ballot.invalid_proof", Class::Invalid)
    );

    // A selection of 2: the first ciphertext replaced by an encryption of 2.
    let mut two = ballot.clone();
    let ct = Ciphertext::encrypt(&f.election.joint_key, 2, &Nonce::random(&mut f.rng));
    two.contests[0].encrypted[4..68].copy_from_slice(&ct.to_bytes());
    let body = f.submit_as(&f.voters[0], &two.to_bytes());
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("ballot.invalid_proof", Class::Invalid)
    );

    // A missing contest.
    let mut short = ballot.clone();
    short.contests.pop();
    let body = f.submit_as(&f.voters[0], &short.to_bytes());
    assert_eq!(
        code(run(&mut f, &view, &body, now)),
        ("ballot.contests", Class::Invalid)
    );

    // Voter 1 copies voter 0's ballot and signs it: the ciphertexts are already stored.
    let accepted = run(&mut f, &view, &good, now).unwrap();
    let mut after = MemView::default();
    after
        .ciphertexts
        .extend(accepted.ciphertexts.iter().copied());
    let n = issued(&mut after, 1, now + 60);
    assert_eq!(n, nonce);
    let copy = f.submit_as(&f.voters[1], &bytes);
    assert_eq!(
        code(run(&mut f, &after, &copy, now)),
        ("ballot.duplicate_ciphertext", Class::Conflict)
    );
    // ...and once the challenge is used, replaying the original is refused too.
    after.challenges.insert(nonce, ChallengeState::Used);
    assert_eq!(
        code(run(&mut f, &after, &good, now)),
        ("challenge.used", Class::Conflict)
    );
}
