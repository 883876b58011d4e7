//! The cryptography of a whole election, in one process.
//!
//! ```sh
//! cargo run --release -p ivote-crypto --example election -- --voters 1000
//! ```
//!
//! 1. five trustees run the key ceremony (threshold 3): nobody ever holds the election key;
//! 2. every voter encrypts a plurality ballot for their district and proves it valid;
//! 3. every proof is checked in batch, as the tally and the verifier do;
//! 4. the ballots are added up homomorphically, per district and candidate;
//! 5. trustees 2, 4 and 5 decrypt the sums with proofs (trustee 1 sends a corrupted share,
//!    which is detected and skipped; trustee 3 is absent);
//! 6. the results are recovered and compared with what the voters chose.
//!
//! The programs (collector, voter app, tally, verifier) run the same steps with real e-IDs,
//! files and HTTP; this example shows the cryptography alone. It exits with status 1 if
//! anything does not check out.

// An example program: setup failures should stop it loudly.
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::ExitCode;
use std::time::Instant;

use ivote_crypto::contest::{
    verify_contests, ContestShape, ContestToVerify, EncryptedContest, EncryptionSeed, ValueRange,
};
use ivote_crypto::dlog::DlogTable;
use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::threshold::decryption::{decrypt, DecryptionShare};
use ivote_crypto::threshold::dkg::{
    CommitmentSet, KeyShare, KeyShareOutcome, SecretPolynomial, ThresholdParams,
};
use ivote_crypto::{Ciphertext, ContestPosition, ContextHash};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

/// Districts and their candidates, in ballot order; the last option is the blank vote.
const DISTRICTS: [(&str, &[&str]); 3] = [
    (
        "north",
        &[
            "Mari Maasikas",
            "Jaan Tamm",
            "Somchai Jaidee",
            "Liis Kask",
            "Blank vote",
        ],
    ),
    (
        "south",
        &["Peeter Saar", "Malee Srisuk", "Kadri Mets", "Blank vote"],
    ),
    (
        "islands",
        &[
            "Tõnu Kuusk",
            "Anong Boonmee",
            "Eva Lepp",
            "Rein Ots",
            "Kristi Pärn",
            "Blank vote",
        ],
    ),
];
const CONTEST: &str = "parliament";
const TRUSTEES: u32 = 5;
const THRESHOLD: u32 = 3;

fn main() -> ExitCode {
    let voters = match parse_voters() {
        Ok(v) => v,
        Err(message) => {
            eprintln!(
                "{message}\nusage: election [--voters N]   (N from 1 to 1000000, default 1000)"
            );
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let mut rng = OsRng;
    // In the programs this is the hash of the sealed election package.
    let mut context = ContextHash([0; 32]);
    rng.fill_bytes(&mut context.0);

    // 1. Key ceremony.
    let t0 = Instant::now();
    let params = ThresholdParams::new(TRUSTEES, THRESHOLD).expect("3 of 5");
    let polynomials: Vec<SecretPolynomial> = (1..=TRUSTEES)
        .map(|i| SecretPolynomial::random(params, i, &mut rng).expect("polynomial"))
        .collect();
    let commitments = polynomials
        .iter()
        .map(|p| p.commit(&context, &mut rng).expect("commitment"))
        .collect();
    let set = CommitmentSet::new(&context, params, commitments).expect("every commitment verifies");
    let mut inboxes: Vec<Vec<_>> = (0..TRUSTEES).map(|_| Vec::new()).collect();
    let mut receivers = Vec::new();
    for polynomial in polynomials {
        let (shares, receiver) = polynomial.deal(set.clone()).expect("deal");
        for share in shares {
            inboxes[share.recipient() as usize - 1].push(share);
        }
        receivers.push(receiver);
    }
    let key_shares: Vec<KeyShare> = receivers
        .iter()
        .zip(&inboxes)
        .map(
            |(receiver, inbox)| match receiver.receive(inbox).expect("receive") {
                KeyShareOutcome::Ready(key) => key,
                KeyShareOutcome::Complaints(c) => {
                    panic!("honest dealers, yet complaints about {c:?}")
                }
            },
        )
        .collect();
    let public_key = set.joint_public_key().expect("joint key");
    let verification_keys = set.verification_keys();
    println!(
        "1. key ceremony: {TRUSTEES} trustees, threshold {THRESHOLD}, joint key {}…  ({:.0?})",
        &hex(&public_key.to_bytes())[..16],
        t0.elapsed()
    );

    // 2. Voting.
    let t0 = Instant::now();
    let shapes: Vec<ContestShape> = DISTRICTS
        .iter()
        .map(|(_, candidates)| {
            ContestShape::zero_one(candidates.len(), ValueRange::new(1, 1).expect("range"))
                .expect("plurality")
        })
        .collect();
    let mut expected: Vec<Vec<u64>> = DISTRICTS.iter().map(|(_, c)| vec![0; c.len()]).collect();
    let mut ballots = Vec::with_capacity(voters);
    for _ in 0..voters {
        let d = rng.gen_range(0..DISTRICTS.len());
        let k = DISTRICTS[d].1.len();
        // Popularity falls with the candidate's position: a result worth reading.
        let choice = (0..k).find(|_| rng.gen_bool(0.45)).unwrap_or(k - 1);
        expected[d][choice] += 1;
        let mut position = ContestPosition {
            nonce: [0; 32], // the collector's single-use challenge in the programs
            district: DISTRICTS[d].0.into(),
            contest: CONTEST.into(),
        };
        rng.fill_bytes(&mut position.nonce);
        let values: Vec<u64> = (0..k).map(|i| u64::from(i == choice)).collect();
        let seed = EncryptionSeed::random(&mut rng);
        let contest = EncryptedContest::encrypt(
            &context,
            &public_key,
            &position,
            &shapes[d],
            &values,
            &seed,
            &mut rng,
        )
        .expect("a valid choice encrypts");
        ballots.push((d, position, contest));
    }
    let bytes: usize = ballots.iter().map(|(_, _, c)| c.to_bytes().len()).sum();
    println!(
        "2. voting: {voters} ballots encrypted with validity proofs, {} bytes each on average  ({:.1?})",
        bytes / voters.max(1),
        t0.elapsed()
    );

    // 3. Every proof, in batch.
    let t0 = Instant::now();
    let items: Vec<ContestToVerify<'_>> = ballots
        .iter()
        .map(|(d, position, contest)| ContestToVerify {
            position,
            shape: &shapes[*d],
            contest,
        })
        .collect();
    let invalid = verify_contests(&context, &public_key, &items, &mut rng);
    println!(
        "3. proofs: {} ballots checked, {} invalid  ({:.1?})",
        ballots.len(),
        invalid.len(),
        t0.elapsed()
    );
    if !invalid.is_empty() {
        eprintln!("invalid ballots: {invalid:?}");
        return ExitCode::from(1);
    }

    // 4. Homomorphic tally.
    let t0 = Instant::now();
    let mut sums: Vec<Vec<Ciphertext>> = DISTRICTS
        .iter()
        .map(|(_, c)| vec![Ciphertext::zero(); c.len()])
        .collect();
    for (d, _, contest) in &ballots {
        for (sum, ct) in sums[*d].iter_mut().zip(contest.selections()) {
            *sum += *ct;
        }
    }
    println!(
        "4. tally: ciphertexts added per district and candidate  ({:.1?})",
        t0.elapsed()
    );

    // 5 and 6. Threshold decryption by trustees 1 (corrupted), 2, 4 and 5; trustee 3 absent.
    let t0 = Instant::now();
    let table = DlogTable::new(voters as u64);
    let mut all_match = true;
    let mut rejected_total = 0;
    println!("5. decryption by trustees 1, 2, 4, 5 (trustee 3 absent):");
    for (d, (district, candidates)) in DISTRICTS.iter().enumerate() {
        println!("   district {district}");
        for (i, candidate) in candidates.iter().enumerate() {
            let position = TallyPosition {
                district: (*district).into(),
                contest: CONTEST.into(),
                selection: i as u32,
            };
            let aggregate = &sums[d][i];
            let mut shares: Vec<DecryptionShare> = [0usize, 1, 3, 4]
                .iter()
                .map(|j| {
                    DecryptionShare::create(
                        &context,
                        &key_shares[*j],
                        aggregate,
                        &position,
                        &mut rng,
                    )
                    .expect("share")
                })
                .collect();
            // Trustee 1 publishes a share for another selection: its proof cannot match.
            let other = TallyPosition {
                selection: position.selection + 1,
                ..position.clone()
            };
            shares[0] =
                DecryptionShare::create(&context, &key_shares[0], aggregate, &other, &mut rng)
                    .expect("share");
            let (point, rejected) = decrypt(
                &context,
                aggregate,
                &position,
                &shares,
                &verification_keys,
                THRESHOLD,
            )
            .expect("3 valid shares remain");
            rejected_total += rejected.len();
            let count = table
                .solve(&point)
                .expect("count within the number of voters");
            let ok = count == expected[d][i];
            all_match &= ok;
            println!(
                "     {candidate:<16} {count:>7}{}",
                if ok { "" } else { "   MISMATCH" }
            );
        }
    }
    println!(
        "6. {rejected_total} invalid decryption shares detected and skipped; counts {}  ({:.1?})",
        if all_match {
            "match the voters' choices"
        } else {
            "DO NOT MATCH"
        },
        t0.elapsed()
    );
    println!("total {:.1?}", started.elapsed());
    if all_match {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn parse_voters() -> Result<usize, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(1000),
        [flag, n] if flag == "--voters" => match n.parse::<usize>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
            _ => Err(format!(
                "--voters wants a number from 1 to 1000000, not {n:?}"
            )),
        },
        _ => Err(format!("unexpected arguments {args:?}")),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
