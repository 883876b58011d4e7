//! Times the count: `import` (every check, the rules, anonymizing, the sums), one trustee's
//! `decrypt-share` and `combine`, on a generated ballot box of 81-candidate ballots.
//!
//! ```sh
//! cargo run --release -p tally --example count-bench -- --submissions 100000 [--voters 20000] [--algorithm p384] [--cache DIR]
//! ```
//!
//! The election (demo PKI, P-384 voters as on Estonian ID cards by default, a 3-of-5 ceremony, 12 districts with one
//! 81-candidate plurality contest each) and the box are generated once, in parallel, and
//! cached in the folder (default `target/count-bench/N`): generation is slower than the
//! count. Submissions go to the voters in turn, so with fewer voters than submissions the
//! later ones are revotes (whose certificates hit the import's cache).

// A benchmark program: setup failures should stop it loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use ed25519_dalek::{SigningKey, VerifyingKey};
use ivote_crypto::contest::EncryptionSeed;
use ivote_eid::VoterKey;
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::ballot_box::{BallotBoxWriter, FinalHead};
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::hashes::{BallotHash, CertificateHash};
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::package::{verify_and_load, PackageTrust};
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::submission::{SealFor, Submission, SubmissionRecord};
use rand::rngs::OsRng;
use rand::Rng;
use rayon::prelude::*;

#[derive(Parser)]
struct Args {
    /// Submissions in the box.
    #[arg(long)]
    submissions: u64,
    /// Distinct voters (default: the submissions, at most 20000).
    #[arg(long)]
    voters: Option<u64>,
    /// Cache folder.
    #[arg(long)]
    cache: Option<PathBuf>,
    /// The voters' key algorithm: p384 (Estonian ID cards), p256 or ed25519.
    #[arg(long, default_value = "p384")]
    algorithm: String,
}

const DISTRICTS: usize = 12;
const CANDIDATES: usize = 81;
const STARTS: i64 = 1_803_279_600; // 2027-02-22T07:00:00Z
const PASS: &str = "a passphrase for the benchmark";

fn tally(args: &[&str]) {
    let cli =
        tally::Cli::try_parse_from(std::iter::once("tally").chain(args.iter().copied())).unwrap();
    tally::run(cli).unwrap_or_else(|e| panic!("tally {args:?}: {e:#}"));
}

/// CPU time (user + system) of this process so far, in seconds, from `/proc/self/stat`
/// (Linux; 0 elsewhere): on a shared machine the wall-clock time depends on the other
/// load, the CPU time does not.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the whole line (utime, stime) are 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| f.get(i).and_then(|x| x.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// `DISTRICTS` districts of one `CANDIDATES`-candidate plurality contest each (the test
/// kit's generated manifest, the examples' voting window).
fn manifest() -> String {
    use ivote_testkit::manifest::{plurality, EXAMPLE_ENDS, EXAMPLE_STARTS};
    plurality(
        "bench",
        &[CANDIDATES; DISTRICTS],
        EXAMPLE_STARTS,
        EXAMPLE_ENDS,
    )
    .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Package, keys and box, generated once.
fn generate(dir: &Path, n: u64, voters: u64, algorithm: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let p = |x: &str| dir.join(x);
    std::fs::write(p("manifest.toml"), manifest()).unwrap();
    std::fs::write(p("pass.txt"), format!("{PASS}\n")).unwrap();
    let collector = SigningKey::from_bytes(&[7; 32]);
    std::fs::write(
        p("collector-key.hex"),
        hex::encode(collector.verifying_key().as_bytes()) + "\n",
    )
    .unwrap();
    let t0 = Instant::now();
    tally(&[
        "insecure-demo-pki",
        "--voters",
        &voters.to_string(),
        "--algorithm",
        algorithm,
        "--manifest",
        s(&p("manifest.toml")),
        "--out",
        s(&p("pki")),
    ]);
    tally(&[
        "ceremony",
        "run-all",
        "--election-id",
        "bench",
        "--trustees",
        "5",
        "--threshold",
        "3",
        "--dir",
        s(&p("ceremony")),
        "--passphrase-file",
        s(&p("pass.txt")),
        "--insecure-fast-kdf",
    ]);
    tally(&[
        "officials-key",
        "generate",
        "--out",
        s(&p("officials")),
        "--passphrase-file",
        s(&p("pass.txt")),
        "--insecure-fast-kdf",
    ]);
    tally(&[
        "package",
        "build",
        "--manifest",
        s(&p("manifest.toml")),
        "--roll",
        s(&p("pki/roll.csv")),
        "--country",
        "EE",
        "--trust-anchors",
        s(&p("pki/trust-anchors.pem")),
        "--crl",
        s(&p("pki/crl.pem")),
        "--ceremony",
        s(&p("ceremony")),
        "--collector-key",
        s(&p("collector-key.hex")),
        "--officials-key",
        s(&p("officials/officials-key.SECRET.json")),
        "--passphrase-file",
        s(&p("pass.txt")),
        "--insecure-fast-kdf",
        "--out",
        s(&p("package")),
        "--now",
        "2026-01-01T00:00:00Z",
    ]);
    eprintln!("setup ({voters} voters): {:.1?}", t0.elapsed());

    let key_hex = std::fs::read_to_string(p("officials/officials-key.hex")).unwrap();
    let key: [u8; 32] = hex::decode(key_hex.trim()).unwrap().try_into().unwrap();
    let files = ivote_protocol::fs::read_package_dir(&p("package")).unwrap();
    let package = verify_and_load(
        &files,
        PackageTrust::OfficialsKey(&VerifyingKey::from_bytes(&key).unwrap()),
    )
    .unwrap();
    let ctx = package.context_hash;
    let shapes = BallotShapes::from_manifest(&package.manifest).unwrap();
    let roll = std::fs::read_to_string(p("pki/roll.csv")).unwrap();
    let people: Vec<(String, String, Vec<u8>, VoterKey)> = roll
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            let code = f.next().unwrap().to_owned();
            let district = f.next().unwrap().to_owned();
            let pem = std::fs::read(p(&format!("pki/voters/{code}.cert.pem"))).unwrap();
            let (_, der) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
            let k = std::fs::read(p(&format!("pki/voters/{code}.key.pem"))).unwrap();
            (
                code,
                district,
                der.contents,
                VoterKey::from_pkcs8_pem(&k).unwrap(),
            )
        })
        .collect();

    // Submissions, in parallel, to a temporary file; the records (small) stay in memory.
    let t0 = Instant::now();
    let tmp = p("submissions.tmp");
    let mut out = BufWriter::new(std::fs::File::create(&tmp).unwrap());
    let mut records = Vec::with_capacity(n as usize);
    let mut seq = vec![0u32; people.len()];
    let chunk = 2000u64;
    for start in (0..n).step_by(chunk as usize) {
        let made: Vec<(u64, Vec<u8>, Vec<u8>, BallotHash)> = (start..(start + chunk).min(n))
            .into_par_iter()
            .map(|i| {
                let (_, district, der, key) = &people[(i % voters) as usize];
                let mut rng = OsRng;
                let choice = rng.gen_range(0..CANDIDATES);
                let values: Vec<u64> = (0..CANDIDATES).map(|c| u64::from(c == choice)).collect();
                let at = STARTS + i as i64;
                let challenge =
                    SignedChallenge::sign(&collector, ctx, rng.gen(), at, at + 300, Purpose::Vote);
                let on = SealFor {
                    context: &ctx,
                    joint_key: &package.ceremony.joint_key,
                    shapes: &shapes,
                    district,
                    challenge: &challenge,
                };
                let seed = EncryptionSeed::random(&mut rng);
                let sign = |m: &[u8]| key.sign(m);
                let sealed = Submission::seal(on, &[values], &seed, der, sign, &mut rng).unwrap();
                let sub = sealed.submission;
                (i, sub.to_bytes(), sub.signature, sealed.ballot_hash)
            })
            .collect();
        for (i, sub, signature, hash) in made {
            let v = (i % voters) as usize;
            seq[v] += 1;
            let (code, _, der, _) = &people[v];
            records.push(SubmissionRecord {
                leaf_index: i,
                received_at: STARTS + i as i64,
                voter_id: format!("PNOEE-{code}"),
                voter_seq: seq[v],
                ballot_hash: hash,
                certificate_hash: CertificateHash::of(der),
                signature,
            });
            out.write_all(&(sub.len() as u32).to_be_bytes()).unwrap();
            out.write_all(&sub).unwrap();
        }
        eprint!("\rgenerated {} / {n} submissions", records.len());
    }
    out.flush().unwrap();
    drop(out);
    eprintln!("\rgenerated {n} submissions: {:.1?}", t0.elapsed());

    let mut tree = MerkleTree::new();
    for r in &records {
        tree.push(r.leaf_hash());
    }
    let head = SignedTreeHead::sign(
        &collector,
        &ctx,
        n,
        tree.root(n).unwrap(),
        STARTS + n as i64,
    );
    let fh = FinalHead::sign(head, &collector, &ctx);
    let file = BufWriter::new(std::fs::File::create(p("ballot-box.bin.tmp")).unwrap());
    let mut w = BallotBoxWriter::new(file, &ctx, &fh).unwrap();
    let mut input = std::io::BufReader::new(std::fs::File::open(&tmp).unwrap());
    for r in &records {
        let mut len = [0u8; 4];
        input.read_exact(&mut len).unwrap();
        let mut sub = vec![0u8; u32::from_be_bytes(len) as usize];
        input.read_exact(&mut sub).unwrap();
        w.push(&r.to_bytes(), &sub, &[]).unwrap();
    }
    w.finish().unwrap().flush().unwrap();
    std::fs::remove_file(&tmp).unwrap();
    std::fs::rename(p("ballot-box.bin.tmp"), p("ballot-box.bin")).unwrap();
}

fn main() {
    let a = Args::parse();
    let n = a.submissions;
    let voters = a.voters.unwrap_or(n.min(20_000)).max(1);
    let dir = a.cache.unwrap_or_else(|| {
        PathBuf::from(format!("target/count-bench/{n}-{voters}-{}", a.algorithm))
    });
    if !dir.join("ballot-box.bin").exists() {
        generate(&dir, n, voters, &a.algorithm);
    }
    let p = |x: &str| dir.join(x);
    let run = dir.join(format!("run-{}", std::process::id()));
    let size = std::fs::metadata(p("ballot-box.bin")).unwrap().len();
    println!(
        "count-bench: {n} submissions of {CANDIDATES}-candidate ballots, {voters} {} voters, box {:.2} GB, {} threads",
        a.algorithm,
        size as f64 / 1e9,
        rayon::current_num_threads()
    );
    let count = run.join("count");
    let c0 = cpu_seconds();
    let t = Instant::now();
    tally(&[
        "import",
        "--package",
        s(&p("package")),
        "--officials-key",
        s(&p("officials/officials-key.hex")),
        "--roll",
        s(&p("pki/roll.csv")),
        "--country",
        "EE",
        "--ballot-box",
        s(&p("ballot-box.bin")),
        "--out",
        s(&count),
    ]);
    let import = t.elapsed();
    let c1 = cpu_seconds();
    let t = Instant::now();
    let mut shares = Vec::new();
    for j in 1..=3 {
        let out = run.join(format!("shares-{j}.bin"));
        tally(&[
            "decrypt-share",
            "--count",
            s(&count),
            "--ballot-box",
            s(&p("ballot-box.bin")),
            "--trustee",
            &j.to_string(),
            "--share",
            s(&p(&format!("ceremony/trustee-{j}.share.SECRET.json"))),
            "--passphrase-file",
            s(&p("pass.txt")),
            "--insecure-fast-kdf",
            "--out",
            s(&out),
        ]);
        shares.push(out);
    }
    let decrypt = t.elapsed() / 3;
    let c2 = cpu_seconds();
    let t = Instant::now();
    let mut args = vec!["combine", "--count", s(&count)];
    args.extend(shares.iter().map(|x| s(x)));
    tally(&args);
    let combine = t.elapsed();
    let c3 = cpu_seconds();
    println!("\nwall clock (CPU time of all threads in brackets):");
    println!(
        "import (checks, rules, anonymize, select, sums): {import:.1?} [{:.1} s CPU]",
        c1 - c0
    );
    let published = ivote_protocol::record::ballots::BallotsReader::new(
        std::fs::File::open(count.join(ivote_protocol::record::BALLOTS_FILE)).unwrap(),
    )
    .unwrap()
    .announced();
    let per_trustee = (c2 - c1) / 3.0;
    println!(
        "decrypt-share (one trustee, incl. its checks: the log, the box, every published \
         ballot's validity and selection proofs, the flag openings, the sums): {decrypt:.1?} \
         [{per_trustee:.1} s CPU; {:.2} ms CPU per published ballot, {published} published]",
        per_trustee * 1000.0 / published.max(1) as f64
    );
    println!("combine: {combine:.1?} [{:.1} s CPU]", c3 - c2);
    println!(
        "count total (import + 3 trustees one after another + combine): {:.1?} [{:.1} s CPU]",
        import + decrypt * 3 + combine,
        c3 - c0
    );
    std::fs::remove_dir_all(&run).ok();
}
