use ivote_protocol::challenge::Purpose;

use super::*;
use crate::reject::Class;
use crate::test_support::{Fixture, MemView};

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
    let view = MemView::default();
    let c = f.challenge([1; 32]);
    let ballot = f.ballot("tartu", &c, 0).to_bytes();
    let body = f.submit_as(&f.voters[0], &c, &ballot);
    let now = f.now;
    let a = run(&mut f, &view, &body, now).unwrap();
    assert_eq!(a.voter_id, format!("PNOEE-{}", f.voters[0].code));
    assert_eq!(a.ballot_hash, ivote_protocol::ballot::ballot_hash(&ballot));
    assert_eq!(a.ciphertexts.len(), 5);
    assert_eq!(a.nonce, c.nonce);
}

#[test]
fn every_check_has_its_code() {
    let mut f = Fixture::new();
    let now = f.now;
    let view = MemView::default();
    let c = f.challenge([1; 32]);
    for (expected, class, body) in f.refused(&c) {
        assert_eq!(code(run(&mut f, &view, &body, now)), (expected, class));
    }

    let bytes = f.ballot("tartu", &c, 0).to_bytes();
    let good = f.submit_as(&f.voters[0], &c, &bytes);
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
    // Expired by the signed challenge.
    assert_eq!(
        code(run(&mut f, &view, &good, now + 300)),
        ("challenge.expired", Class::Forbidden)
    );
    // Before its issue time (the clock went back): the tally would refuse it as logged.
    assert_eq!(
        code(run(&mut f, &view, &good, now - 1)),
        ("challenge.outside_lifetime", Class::Forbidden)
    );

    // The same ciphertexts under a still-unused challenge, as if another submission had
    // stored them.
    let accepted = run(&mut f, &view, &good, now).unwrap();
    let mut after = MemView::default();
    after
        .ciphertexts
        .extend(accepted.ciphertexts.iter().copied());
    assert_eq!(
        code(run(&mut f, &after, &good, now)),
        ("ballot.duplicate_ciphertext", Class::Conflict)
    );
    // ...and once the challenge is used, replaying the original is refused too.
    after.used.insert(c.nonce);
    assert_eq!(
        code(run(&mut f, &after, &good, now)),
        ("challenge.used", Class::Conflict)
    );
}

#[test]
fn test_votes_are_taken_before_the_window_only_when_configured() {
    let mut f = Fixture::new();
    std::sync::Arc::get_mut(&mut f.election)
        .unwrap()
        .accept_test_votes = true;
    let (starts, ends) = (f.election.starts, f.election.ends);
    let view = MemView::default();
    let nonce = [1; 32];
    // What the collector issues before the window: a test-vote challenge that expires when
    // voting starts.
    let c = f
        .election
        .issue_challenge(&f.collector, nonce, starts - 100)
        .unwrap();
    assert_eq!((c.purpose, c.expires_at), (Purpose::Test, starts));
    let ballot = f.ballot("tartu", &c, 0).to_bytes();
    let body = f.submit_as(&f.voters[0], &c, &ballot);
    // Before the window: accepted (the receive time marks it as a test vote).
    assert!(run(&mut f, &view, &body, starts - 1).is_ok());
    assert!(f.election.is_test_vote(starts - 1));
    assert!(!f.election.is_test_vote(starts));
    // Not in the window, even with a lifetime that says otherwise (a forged one).
    let long = f.challenge_at(nonce, starts - 100, ends, Purpose::Test);
    let ballot = f.ballot("tartu", &long, 0).to_bytes();
    let body = f.submit_as(&f.voters[0], &long, &ballot);
    assert_eq!(
        code(run(&mut f, &view, &body, starts)),
        ("challenge.test_vote_in_window", Class::Forbidden)
    );
    // After the end: still refused.
    assert_eq!(
        code(run(&mut f, &view, &body, ends)),
        ("election.closed", Class::Unavailable)
    );
    // In the window the collector issues real-vote challenges, capped at the end.
    let real = f
        .election
        .issue_challenge(&f.collector, nonce, ends - 10)
        .unwrap();
    assert_eq!((real.purpose, real.expires_at), (Purpose::Vote, ends));
}
