//! The real `voter-app` binary against a real `collector serve` process on loopback, with
//! the test kit's demo election (demo PKI, the example manifest voting now): vote, verify,
//! revote, check receipts, and the refusals a voter meets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use ivote_testkit::demo::{DemoDir as Setup, DemoSpec};
use ivote_testkit::{cli, manifest};

/// The test kit's demo election on the example manifest with a voting window from
/// yesterday to the day after tomorrow, its collector key the one `collector keygen`
/// (`collector`) wrote into the folder.
fn setup(collector: &Path) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(collector)
        .args(["keygen", "--out", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let secret = std::fs::read(tmp.path().join("collector-key.SECRET.hex")).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(
        &hex::decode(String::from_utf8(secret).unwrap().trim())
            .unwrap()
            .try_into()
            .unwrap(),
    );
    let open = manifest::open_now(manifest::EXAMPLE);
    let demo = DemoSpec {
        collector: key,
        ..DemoSpec::new(&open)
    }
    .build(&mut rand::rngs::OsRng);
    demo.write_in(tmp)
}

/// The `collector` binary, built beside `voter-app` (same target folder and profile).
fn collector_binary() -> PathBuf {
    // The same build as the end-to-end tests' (e2e/src/programs.rs), so that one does
    // not undo the other's: a different set of packages resolves other features.
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["build", "--quiet", "--bins"]);
    for program in ["tally", "collector", "voter-app", "verifier"] {
        cargo.args(["-p", program]);
    }
    cargo.args(["--features", "insecure-demo-pki"]);
    let status = cargo.status().unwrap();
    assert!(status.success());
    Path::new(env!("CARGO_BIN_EXE_voter-app")).with_file_name("collector")
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(bin: &Path, st: &Setup, extra: &[&str]) -> Server {
    let (child, url) = cli::spawn_serve(
        Command::new(bin)
            .args(cli::collector_serve(
                &st.root,
                cli::COLLECTOR_SECRET,
                "data",
                ["--officials-key", &st.officials_key_hex()],
            ))
            .args(extra)
            .stderr(Stdio::null()),
    );
    Server { child, url }
}

/// The voter codes of the roll, in order (districts in turn: tallinn, tartu, parnu).
fn voters(st: &Setup) -> Vec<String> {
    std::fs::read_to_string(st.path("pki/roll.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

struct App<'a> {
    st: &'a Setup,
    url: String,
    officials: String,
}

impl App<'_> {
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_voter-app"))
            .args(args)
            .current_dir(&self.st.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn vote(&self, voter: &str, extra: &[&str], stdin: &str) -> Output {
        let (cert, key) = (
            self.st.p(&format!("pki/voters/{voter}.cert.pem")),
            self.st.p(&format!("pki/voters/{voter}.key.pem")),
        );
        let mut args = vec![
            "vote",
            "--collector",
            &self.url,
            "--officials-key",
            &self.officials,
            "--eid",
            &cert,
            "--key",
            &key,
        ];
        args.extend_from_slice(extra);
        self.run(&args, stdin)
    }

    fn verify(&self, code: &str) -> Output {
        self.run(
            &[
                "verify",
                "--collector",
                &self.url,
                "--officials-key",
                &self.officials,
                code,
            ],
            "",
        )
    }

    fn check_receipt(&self, path: &str) -> Output {
        self.run(
            &[
                "check-receipt",
                "--collector",
                &self.url,
                "--officials-key",
                &self.officials,
                path,
            ],
            "",
        )
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(o), stderr(o));
    stdout(o)
}

#[track_caller]
fn refused(o: &Output, status: i32, code: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(status), "{}\n{err}", stdout(o));
    assert!(err.contains(&format!("[{code}]")), "{err}");
    err
}

/// The verification code the vote screen printed (the line of 5-character groups).
fn code_of(screen: &str) -> String {
    screen
        .lines()
        .find(|l| {
            l.len() == 130
                && l.chars()
                    .all(|c| c == '-' || c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        })
        .unwrap_or_else(|| panic!("no code in {screen}"))
        .to_owned()
}

/// The log's size, from `/log/head`, with a plain HTTP request.
fn log_size(url: &str) -> u64 {
    use std::io::Read;
    let addr = url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /log/head HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str::<serde_json::Value>(body).unwrap()["size"]
        .as_u64()
        .unwrap()
}

#[test]
fn vote_verify_revote_and_check_receipts_against_a_real_collector() {
    let collector = collector_binary();
    let st = setup(&collector);
    let server = serve(&collector, &st, &[]);
    let app = App {
        st: &st,
        url: server.url.clone(),
        officials: st.officials_key_hex(),
    };
    let codes = voters(&st);
    let (tartu, tartu2) = (&codes[1], &codes[4]);

    // Refused locally, before anything is sent: two candidates in a one-candidate contest,
    // a candidate not on the voter's ballot.
    let o = app.vote(
        tartu,
        &["--choice", "201", "--choice", "202", "--choice", "park"],
        "",
    );
    let err = refused(&o, 1, "app.bad_choice");
    assert!(err.contains("choose exactly one candidate"), "{err}");
    refused(
        &app.vote(tartu, &["--choice", "101"], ""),
        1,
        "app.unknown_choice",
    );
    assert_eq!(log_size(&server.url), 0);

    // Vote; the receipt is saved, the codes shown.
    let o = app.vote(
        tartu,
        &[
            "--choice",
            "201",
            "--choice",
            "park",
            "--receipt",
            "first.bin",
        ],
        "",
    );
    let screen = ok(&o);
    assert!(screen.contains("Your vote was recorded."), "{screen}");
    assert!(!screen.contains("already voted"), "{screen}");
    assert!(screen.contains("Receipt saved to: first.bin"), "{screen}");
    assert!(screen.contains("Ballot tracking code: "), "{screen}");
    assert!(
        screen.contains('▀') || screen.contains('█'),
        "no QR code: {screen}"
    );
    let first_code = code_of(&screen);

    // Verify on the "second device": the names of the choices, three times; then refused.
    for _ in 0..3 {
        let shown = ok(&app.verify(&first_code));
        assert!(shown.contains("Peeter Põder"), "{shown}");
        assert!(shown.contains("River park"), "{shown}");
        assert!(!shown.contains("Somchai Jaidee"), "{shown}");
        assert!(!shown.contains("New library"), "{shown}");
    }
    refused(&app.verify(&first_code), 1, "verify.too_many");
    // A mistyped code is caught by its check.
    let mut typo = first_code.clone().into_bytes();
    typo[3] = if typo[3] == b'A' { b'B' } else { b'A' };
    refused(
        &app.verify(&String::from_utf8(typo).unwrap()),
        1,
        "verify.bad_code",
    );

    // Revote, interactively in Estonian (the names and the app's words): told about the
    // earlier vote, a new receipt.
    let o = app.vote(
        tartu,
        &["--lang", "et", "--receipt", "second.bin"],
        "3\n2\n2 3\ny\n",
    );
    let screen = ok(&o);
    assert!(
        screen.contains("Te olete neil valimistel juba hääletanud (üks kord)"),
        "{screen}"
    );
    assert!(screen.contains("Parlamendi liige"), "{screen}");
    assert!(
        screen.contains("`3` ei ole number vahemikus 1 kuni 2"),
        "{screen}"
    );
    assert!(
        screen.contains("See on teie hääl number 2") && screen.contains("Sedeli jälgimiskood"),
        "{screen}"
    );
    let second_code = code_of(&screen);
    let shown = ok(&app.verify(&second_code));
    assert!(shown.contains("Somchai Jaidee"), "{shown}");
    assert!(
        shown.contains("New library") && shown.contains("Footbridge"),
        "{shown}"
    );

    // Another voter stops at the confirmation: nothing is cast.
    let o = app.vote(tartu2, &[], "1\n1\nn\n");
    refused(&o, 1, "app.cancelled");
    assert_eq!(log_size(&server.url), 2);

    // Both receipts are in the log; a forged one is rejected.
    for r in ["first.bin", "second.bin"] {
        let shown = ok(&app.check_receipt(r));
        assert!(shown.contains("still in the collector's log"), "{shown}");
    }
    // The officials' key as its file works as well as its hex; a key that is no key is
    // refused.
    let with_key = |officials: String| App {
        st: &st,
        url: server.url.clone(),
        officials,
    };
    ok(&with_key(st.p("officials/officials-key.hex")).check_receipt("first.bin"));
    let err = refused(
        &with_key(format!("02{}", "00".repeat(31))).check_receipt("first.bin"),
        1,
        "app.bad_officials_key",
    );
    assert!(err.contains("not an Ed25519 public key"), "{err}");
    let mut forged = std::fs::read(st.path("first.bin")).unwrap();
    *forged.last_mut().unwrap() ^= 1;
    std::fs::write(st.path("forged.bin"), forged).unwrap();
    refused(&app.check_receipt("forged.bin"), 1, "receipt.bad_signature");

    // Malware on a voter's device casts the voter's choice, shows the code of that vote, and
    // then votes again with the same e-ID: the second device says plainly that the code's
    // ballot no longer counts, and whose e-ID signed both.
    let shown = ok(&app.vote(tartu2, &["--choice", "201", "--choice", "park"], ""));
    let shown_code = code_of(&shown);
    let silent = ok(&app.vote(tartu2, &["--choice", "202", "--choice", "library"], ""));
    let silent_code = code_of(&silent);
    let verified = ok(&app.verify(&shown_code));
    assert!(
        verified.contains("WARNING: this ballot is NOT your latest vote and does NOT count")
            && verified.contains("your vote number 1 of 2"),
        "{verified}"
    );
    assert!(
        verified.contains(&format!("(PNOEE-{tartu2})")),
        "{verified}"
    );
    let latest = ok(&app.verify(&silent_code));
    assert!(!latest.contains("WARNING"), "{latest}");
    assert!(
        latest.contains("your vote number 2 of 2") && latest.contains("this one counts"),
        "{latest}"
    );

    // After the verification window: the same ballot box served with a 1-second window.
    drop(server);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let server = serve(&collector, &st, &["--verify-window", "1"]);
    let app = App {
        url: server.url.clone(),
        ..app
    };
    let err = refused(&app.verify(&second_code), 1, "verify.window_passed");
    assert!(err.contains("was received"), "{err}");
    ok(&app.check_receipt("first.bin"));

    // Unreachable collector: could not run.
    let gone = App {
        url: "http://127.0.0.1:1".into(),
        ..app
    };
    refused(
        &gone.vote(tartu, &["--choice", "201"], ""),
        2,
        "collector.unreachable",
    );
}

/// The collector at the same address as `server` was, on the same ballot box (a restart).
fn serve_again(bin: &Path, st: &Setup, url: &str) -> Server {
    let listen = url.strip_prefix("http://").unwrap();
    let args: Vec<String> = cli::collector_serve(
        &st.root,
        cli::COLLECTOR_SECRET,
        "data",
        ["--officials-key", &st.officials_key_hex()],
    )
    .into_iter()
    .map(|a| {
        if a == "127.0.0.1:0" {
            listen.to_owned()
        } else {
            a
        }
    })
    .collect();
    let (child, url) = cli::spawn_serve(Command::new(bin).args(args).stderr(Stdio::null()));
    Server { child, url }
}

/// `voter-app vote` of `voter` at its interactive screens, what it shows collected as it
/// comes.
struct Interactive {
    child: Child,
    screen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Interactive {
    fn start(app: &App<'_>, voter: &str) -> Interactive {
        let mut child = Command::new(env!("CARGO_BIN_EXE_voter-app"))
            .args([
                "vote",
                "--collector",
                &app.url,
                "--officials-key",
                &app.officials,
                "--eid",
                &app.st.p(&format!("pki/voters/{voter}.cert.pem")),
                "--key",
                &app.st.p(&format!("pki/voters/{voter}.key.pem")),
            ])
            .current_dir(&app.st.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let screen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reader = {
            let screen = screen.clone();
            let mut stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                use std::io::Read;
                let mut buf = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    screen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        };
        Interactive {
            child,
            screen,
            reader,
        }
    }

    /// Waits (a minute at most) until the app shows `text`.
    fn wait_for(&self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !String::from_utf8_lossy(&self.screen.lock().unwrap()).contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "the app never showed {text:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Types `answers`; the app's exit (with its standard error) and all it showed.
    fn answer(mut self, answers: &[u8]) -> (Output, String) {
        self.child.stdin.take().unwrap().write_all(answers).unwrap();
        let o = self.child.wait_with_output().unwrap();
        self.reader.join().unwrap();
        let screen = String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned();
        (o, screen)
    }
}

/// The first line of what the app said on standard error (the message), and the rest.
fn message_and_detail(err: &str) -> (&str, &str) {
    err.split_once('\n').unwrap_or((err, ""))
}

#[test]
fn what_goes_wrong_is_said_in_words_and_a_recorded_vote_always_shows_its_codes() {
    let collector = collector_binary();
    let st = setup(&collector);
    let server = serve(&collector, &st, &[]);
    let app = App {
        st: &st,
        url: server.url.clone(),
        officials: st.officials_key_hex(),
    };
    let codes = voters(&st);
    let tartu = &codes[1];

    // A rule broken: what is wrong with the choice, then the rule, in the voter's language.
    let err = refused(
        &app.vote(
            tartu,
            &[
                "--choice", "park", "--choice", "library", "--choice", "bridge", "--choice", "201",
                "--lang", "ru",
            ],
            "",
        ),
        1,
        "app.bad_choice",
    );
    // In Russian, which the app speaks and this election's names are not in.
    assert!(
        err.contains("«City projects to fund»: вы выбрали 3; здесь можно выбрать не более 2"),
        "{err}"
    );

    // A receipt that cannot be written: said before anything is sent.
    let err = refused(
        &app.vote(
            tartu,
            &[
                "--choice",
                "201",
                "--choice",
                "park",
                "--receipt",
                "no-such-folder/r.bin",
            ],
            "",
        ),
        2,
        "app.receipt_not_writable",
    );
    assert!(err.contains("nothing was sent"), "{err}");
    // The same in Estonian: the app's words, the stable code.
    let err = refused(
        &app.vote(
            tartu,
            &[
                "--choice",
                "201",
                "--receipt",
                "no-such-folder/r.bin",
                "--lang",
                "et",
            ],
            "",
        ),
        2,
        "app.receipt_not_writable",
    );
    assert!(
        err.starts_with(
            "voter-app: ei õnnestunud [app.receipt_not_writable]: kviitungit ei saa salvestada \
             faili no-such-folder/r.bin"
        ) && err.contains("midagi ei saadetud"),
        "{err}"
    );
    assert_eq!(log_size(&server.url), 0);

    // A certificate file that is not one: the voter's words first, the parser's for
    // support on the next line.
    std::fs::write(st.path("junk.der"), [0x30, 0x03, 0x02, 0x01, 0x05]).unwrap();
    let o = app.run(
        &[
            "vote",
            "--collector",
            &app.url,
            "--officials-key",
            &app.officials,
            "--eid",
            "junk.der",
            "--key",
            &st.p(&format!("pki/voters/{tartu}.key.pem")),
            "--choice",
            "201",
        ],
        "",
    );
    let err = refused(&o, 1, "eid.malformed");
    let (message, detail) = message_and_detail(&err);
    assert!(
        message.contains("junk.der is not an e-ID certificate file") && !message.contains("Der("),
        "{err}"
    );
    assert!(detail.starts_with("  detail for support: "), "{err}");

    // The disk fills up after the check: the vote is recorded, and the voter still gets
    // the tracking code and the verification code, with what happened to the receipt.
    #[cfg(target_os = "linux")]
    {
        let screen = ok(&app.vote(
            tartu,
            &[
                "--choice",
                "201",
                "--choice",
                "park",
                "--receipt",
                "/dev/full",
            ],
            "",
        ));
        assert!(
            screen.contains("Your vote was recorded.")
                && screen.contains("The receipt could NOT be saved to /dev/full")
                && screen.contains("Ballot tracking code: "),
            "{screen}"
        );
        let shown = ok(&app.verify(&code_of(&screen)));
        assert!(shown.contains("Peeter Põder"), "{shown}");
        assert_eq!(log_size(&server.url), 1);
    }

    // The collector restarts while the voter chooses: the vote in flight is not lost, and
    // is recorded once.
    let before = log_size(&server.url);
    let chooser = Interactive::start(&app, tartu);
    chooser.wait_for("Type the number");
    let url = server.url.clone();
    drop(server);
    let server = serve_again(&collector, &st, &url);
    let (o, screen) = chooser.answer(b"2\n1\ny\n");
    assert_eq!(o.status.code(), Some(0), "{screen}\n{}", stderr(&o));
    assert!(screen.contains("Your vote was recorded."), "{screen}");
    assert_eq!(log_size(&server.url), before + 1);
    let shown = ok(&app.verify(&code_of(&screen)));
    assert!(
        shown.contains("Somchai Jaidee") && shown.contains("River park"),
        "{shown}"
    );

    // Another vote is cast with the same e-ID while the voter chooses: the collector numbers
    // the voter's vote otherwise than it said; the app says so, and still shows the codes
    // of the vote it recorded.
    let chooser = Interactive::start(&app, tartu);
    chooser.wait_for("Type the number");
    ok(&app.vote(tartu, &["--choice", "201", "--choice", "park"], ""));
    let (o, screen) = chooser.answer(b"1\n3\ny\n");
    let err = refused(&o, 1, "receipt.unexpected_seq");
    assert!(err.contains("a vote you did not make here"), "{err}");
    assert!(screen.contains("Your vote was recorded."), "{screen}");
    let shown = ok(&app.verify(&code_of(&screen)));
    assert!(shown.contains("Footbridge"), "{shown}");

    // A mistyped passphrase at the terminal is asked again, and the right one then votes
    // (the terminal is a pseudo-terminal made by util-linux's `script`).
    let voter = &codes[4];
    let key_pem = std::fs::read(st.path(&format!("pki/voters/{voter}.key.pem"))).unwrap();
    let (_, der) = pkcs8::der::pem::decode_vec(&key_pem).unwrap();
    let encrypted = pkcs8::PrivateKeyInfo::try_from(der.as_slice())
        .unwrap()
        .encrypt(rand::rngs::OsRng, b"right")
        .unwrap()
        .to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF)
        .unwrap();
    std::fs::write(st.path("encrypted.key.pem"), encrypted.as_bytes()).unwrap();
    let command = format!(
        "{} vote --collector {} --officials-key {} --eid {} --key {} --choice 202 --choice \
         library --receipt typed.bin",
        env!("CARGO_BIN_EXE_voter-app"),
        app.url,
        app.officials,
        st.p(&format!("pki/voters/{voter}.cert.pem")),
        st.p("encrypted.key.pem"),
    );
    let mut typing = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(&st.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux's `script` (Debian: bsdutils) runs the app on a terminal");
    typing
        .stdin
        .take()
        .unwrap()
        .write_all(b"wrong\nright\n")
        .unwrap();
    let o = typing.wait_with_output().unwrap();
    let terminal = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{terminal}\n{}", stderr(&o));
    assert!(
        terminal.contains("That passphrase does not open your e-ID key")
            && terminal.contains("(tries left: 2)")
            && terminal.contains("Your vote was recorded."),
        "{terminal}"
    );

    // A server that cannot prove it is the collector (its TLS certificate is not trusted):
    // not sent, and not called a connection problem.
    let (_, cert, key) = ivote_testkit::tls::test_pki();
    std::fs::write(st.path("tls.pem"), cert).unwrap();
    std::fs::write(st.path("tls.key"), key).unwrap();
    drop(server);
    let tls = serve(
        &collector,
        &st,
        &[
            "--tls-cert",
            &st.p("tls.pem"),
            "--tls-key",
            &st.p("tls.key"),
        ],
    );
    assert!(tls.url.starts_with("https://"), "{}", tls.url);
    let untrusted = App {
        url: tls.url.clone(),
        ..app
    };
    let err = refused(
        &untrusted.vote(tartu, &["--choice", "201", "--choice", "park"], ""),
        1,
        "collector.untrusted",
    );
    let (message, detail) = message_and_detail(&err);
    assert!(
        message.contains("could not prove that it is the election's collector")
            && !message.contains("check your internet connection"),
        "{err}"
    );
    assert!(detail.contains("detail for support"), "{err}");
}
