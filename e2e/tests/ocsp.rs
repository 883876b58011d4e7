//! OCSP at cast time (issue 17), with a real OCSP responder: OpenSSL's `openssl ocsp`,
//! started here on loopback, answering as the demo CA from the status file the demo PKI
//! writes (`pki/ocsp-index.txt`), and the real collector, voter app, tally and verifier.
//!
//! The election's package lists the demo CA in `ocsp.toml`. A good card votes and its answer
//! is stored; a card the CA revokes during voting is refused `eid.revoked`; while the
//! responder is down, or takes the request and never answers, a new voter is refused
//! `eid.ocsp_unavailable` (nothing recorded) but a revote within five minutes reuses the
//! stored good answer; once it is back the voter votes.
//! The count re-checks every stored answer offline and the results are exact; the auditors'
//! `verifier audit` passes; and a ballot box whose stored answer was removed or altered has
//! that ballot refused by `tally import` with the answer's code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ivote_e2e::collector::CollectorProcess;
use ivote_e2e::flow::{self, unix_now, wait_until, Quiet};
use ivote_e2e::plan::{choice_args, random_vote, VoterScript, VotingScript};
use ivote_e2e::programs::{printed, Programs};
use ivote_e2e::setup::{set_up, ElectionFiles, SetupOptions};
use ivote_e2e::voting::vote_command;
use ivote_eid::TrustAnchors;
use ivote_protocol::ballot_box::{BallotBoxReader, BallotBoxWriter};
use ivote_protocol::ocsp::OcspEvidence;
use ivote_testkit::cli;
use ivote_testkit::manifest::rfc3339;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn programs() -> &'static Programs {
    Programs::built_once().unwrap()
}

/// `openssl ocsp` answering for the demo CA on a free loopback port.
struct Responder {
    child: Child,
}

impl Responder {
    fn start(files: &ElectionFiles, port: u16) -> Responder {
        let pki = |name: &str| files.path("pki").join(name);
        let started = listening(files);
        let child = Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(pki("ocsp-index.txt"))
            .args(["-port", &port.to_string()])
            .arg("-rsigner")
            .arg(pki("trust-anchors.pem"))
            .arg("-rkey")
            .arg(pki("ca-key.pem"))
            .arg("-CA")
            .arg(pki("trust-anchors.pem"))
            .args(["-nmin", "10", "-ignore_err"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log(files))
            .spawn()
            .expect("cannot start `openssl ocsp`: install Debian's openssl package");
        // It says so once it listens. (Not probed by connecting: `openssl ocsp` serves one
        // connection at a time and one that sends nothing blocks it for good.)
        let deadline = Instant::now() + Duration::from_secs(20);
        while listening(files) < started + 1 {
            assert!(Instant::now() < deadline, "openssl ocsp did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Responder { child }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The responder's log (appended to by each start), shown when a vote fails.
fn log(files: &ElectionFiles) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(files.path("ocsp-responder.log"))
        .unwrap()
}

/// A listener on the responder's port that accepts connections and never answers.
struct Silent {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Silent {
    fn listen(port: u16) -> Silent {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stopped.load(Ordering::SeqCst) {
                if let Ok((conn, _)) = listener.accept() {
                    held.push(conn);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Silent {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How many times the responder has said it listens.
fn listening(files: &ElectionFiles) -> usize {
    std::fs::read_to_string(files.path("ocsp-responder.log"))
        .unwrap_or_default()
        .matches("waiting for OCSP client connections")
        .count()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Rebuilds the package with `ocsp.toml` naming the demo CA and the responder's address.
fn package_with_ocsp(files: &ElectionFiles, port: u16, now: i64) {
    let anchors =
        TrustAnchors::from_pem(&std::fs::read(files.path("pki/trust-anchors.pem")).unwrap())
            .unwrap();
    let (ca, _) = anchors.fingerprints().next().unwrap();
    let toml = format!(
        "[[issuer]]\nca_sha256 = \"{}\"\nurl = \"http://127.0.0.1:{port}/\"\n",
        hex::encode(ca)
    );
    let ocsp = files.path("ocsp.toml");
    std::fs::write(&ocsp, toml).unwrap();
    std::fs::remove_dir_all(files.package()).unwrap();
    let mut args = cli::PackageBuild::new(&files.dir, &rfc3339(now)).args();
    args.extend(["--ocsp".to_owned(), ocsp.display().to_string()]);
    programs().run("tally", &args).unwrap();
}

/// The CA revokes `code`'s certificate now: its line in the responder's status file
/// becomes `R`, revoked at this moment.
fn revoke(files: &ElectionFiles, code: &str) {
    let path = files.path("pki/ocsp-index.txt");
    let index = std::fs::read_to_string(&path).unwrap();
    let now = jiff::Timestamp::now().strftime("%y%m%d%H%M%SZ").to_string();
    let line_of = format!("\t/CN={code}");
    let changed: String = index
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            if line.ends_with(&line_of) {
                format!("R\t{}\t{now}\t{}\n", fields[1], fields[3..].join("\t"))
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert_ne!(changed, index, "{code} is not in the status file");
    std::fs::write(&path, changed).unwrap();
}

/// `voter-app vote` of `voter`'s `n`-th vote: Ok(printed) or Err((exit code, printed)).
fn vote(
    files: &ElectionFiles,
    url: &str,
    manifest: &ivote_protocol::ElectionManifest,
    voter: &VoterScript,
    n: usize,
) -> Result<String, (i32, String)> {
    let contests = &manifest.district(&voter.district).unwrap().contests;
    let key = files.officials_key_hex().unwrap();
    let mut args = vote_command(
        files,
        url,
        &key,
        &voter.code,
        &choice_args(contests, &voter.votes[n]),
    );
    args.push("--receipt".into());
    args.push(
        files
            .path("receipts")
            .join(format!("{}-{}.bin", voter.code, n + 1))
            .display()
            .to_string(),
    );
    let out = programs()
        .command("voter-app")
        .args(&args)
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) => Ok(printed(&out)),
        code => {
            let responder = std::fs::read_to_string(files.path("ocsp-responder.log"));
            Err((
                code.unwrap_or(-1),
                format!("{}\nthe OCSP responder's log: {responder:?}", printed(&out)),
            ))
        }
    }
}

/// A copy of the box with entry `leaf`'s stored answer replaced by `evidence`.
fn with_answer(ballot_box: &[u8], leaf: u64, evidence: Option<OcspEvidence>) -> Vec<u8> {
    let reader = BallotBoxReader::new(ballot_box).unwrap();
    let (context, head) = (*reader.context(), *reader.final_head());
    let mut w = BallotBoxWriter::new(Vec::new(), &context, &head).unwrap();
    for entry in reader {
        let e = entry.unwrap();
        let answer = if e.index == leaf {
            evidence.clone()
        } else {
            e.ocsp.clone()
        };
        w.push(
            &e.record.to_bytes(),
            &e.submission.to_bytes(),
            &OcspEvidence::encode(answer.as_ref()),
        )
        .unwrap();
    }
    w.finish().unwrap()
}

#[test]
fn the_status_at_cast_time_is_asked_stored_and_checked_again_offline() {
    let programs = programs();
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let starts = now + 8;
    let mut setup = SetupOptions::example(4, 0, starts, now + 3600).unwrap();
    // openssl signs OCSP answers with ECDSA keys; the demo CA follows the voters' algorithm.
    setup.key_algorithm = "p256".into();
    let files = set_up(programs, dir.path(), &setup, now, |_| {}).unwrap();
    let port = free_port();
    package_with_ocsp(&files, port, now);
    let manifest = flow::load_manifest(&files).unwrap();
    let roll = flow::read_roll(&files).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let mut script = |i: usize, votes: usize, revoked: bool| {
        let (code, district) = roll[i].clone();
        let contests = &manifest.district(&district).unwrap().contests;
        VoterScript {
            code,
            district,
            votes: (0..votes)
                .map(|_| contests.iter().map(|c| random_vote(c, &mut rng)).collect())
                .collect(),
            revoked,
            on_paper_list: false,
        }
    };
    // A votes, then revotes while the responder is down; B's card is revoked during voting;
    // C votes once the responder is back; the fourth voter does not vote.
    let plan = VotingScript {
        voters: vec![
            script(0, 2, false),
            script(1, 1, true),
            script(2, 1, false),
            script(3, 0, false),
        ],
    };
    let [a, b, c, _] = &plan.voters[..] else {
        unreachable!()
    };
    std::fs::create_dir_all(files.path("receipts")).unwrap();
    let responder = Responder::start(&files, port);
    wait_until(starts);
    let data = files.path("collector-data");
    let collector =
        CollectorProcess::start(programs, &files, &data, &files.path("collector.log"), &[])
            .unwrap();
    let url = collector.url().to_owned();

    vote(&files, &url, &manifest, a, 0).unwrap_or_else(|(_, out)| panic!("A: {out}"));

    // The CA revokes B's card during voting.
    responder.stop();
    revoke(&files, &b.code);
    let responder = Responder::start(&files, port);
    let (_, out) = vote(&files, &url, &manifest, b, 0).expect_err("B's revoked card voted");
    assert!(out.contains("eid.revoked"), "{out}");

    // The responder goes down: a new voter is refused and told to try again; A's revote
    // reuses the good answer fetched minutes ago.
    responder.stop();
    let (_, out) = vote(&files, &url, &manifest, c, 0).expect_err("voted without a status");
    assert!(out.contains("eid.ocsp_unavailable"), "{out}");
    vote(&files, &url, &manifest, a, 1).unwrap_or_else(|(_, out)| panic!("A's revote: {out}"));

    // A responder that takes the connection and never answers: the collector gives up after
    // its timeout (and one retry) and says so.
    {
        let _silent = Silent::listen(port);
        let (_, out) = vote(&files, &url, &manifest, c, 0).expect_err("voted without a status");
        assert!(
            out.contains("eid.ocsp_unavailable") && out.contains("did not answer within"),
            "{out}"
        );
    }

    // Back up: C votes.
    let responder = Responder::start(&files, port);
    vote(&files, &url, &manifest, c, 0).unwrap_or_else(|(_, out)| panic!("C: {out}"));
    responder.stop();

    flow::close(programs, &files, &url).unwrap();
    collector.stop(Duration::from_secs(30)).unwrap();
    let export = files.path("export");
    flow::export_box(programs, &files, &data, &export).unwrap();
    let ballot_box = std::fs::read(export.join("ballot-box.bin")).unwrap();

    // Three submissions, each with its answer: fetched, reused, fetched.
    let entries: Vec<_> = BallotBoxReader::new(&ballot_box[..])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let kinds: Vec<_> = entries
        .iter()
        .map(|e| match &e.ocsp {
            Some(OcspEvidence::Fetched(_)) => "fetched",
            Some(OcspEvidence::Reused(_)) => "reused",
            None => "none",
        })
        .collect();
    assert_eq!(kinds, ["fetched", "reused", "fetched"]);

    // The count, with the responder gone: every answer is checked again offline.
    let record = flow::count(
        programs,
        &files,
        &plan,
        &export.join("ballot-box.bin"),
        &[1, 2, 3],
        &files.path("count-work"),
        &Quiet,
    )
    .unwrap();
    let results = flow::results(programs, &files, &record).unwrap();
    assert_eq!(results, plan.expected(&manifest));
    let audit = programs
        .command("verifier")
        .args(["--officials-key", &files.officials_key_hex().unwrap()])
        .arg("audit")
        .arg(&record)
        .arg(files.path("count-work/auditors"))
        .arg("--roll")
        .arg(files.roll())
        .output()
        .unwrap();
    assert!(audit.status.success(), "{}", printed(&audit));

    // A collector that drops a stored answer, or alters one, has that ballot refused.
    let good = entries[0].ocsp.clone().unwrap();
    // A digit of producedAt, the first GeneralizedTime (tag 0x18, 15 bytes) of the answer.
    let mut altered = good.response().to_vec();
    let at = altered
        .windows(2)
        .position(|w| w == [0x18, 0x0f])
        .expect("producedAt");
    altered[at + 15] ^= 1;
    let c_answer = entries[2].ocsp.clone().unwrap();
    for (name, evidence, code) in [
        ("dropped", None, "eid.ocsp_missing"),
        (
            "altered",
            Some(OcspEvidence::Fetched(altered)),
            "eid.ocsp_bad_signature",
        ),
        (
            "another voter's",
            Some(c_answer),
            "eid.ocsp_wrong_certificate",
        ),
    ] {
        let forged = files.path(&format!("forged-{code}.bin"));
        std::fs::write(&forged, with_answer(&ballot_box, 0, evidence)).unwrap();
        let count = flow::import(programs, &files, &plan, &forged, &files.path(code))
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let report = std::fs::read_to_string(count.join("import-report.txt")).unwrap();
        assert!(report.contains(code), "{name} answer: {report}");
    }
}
