//! The real `collector` binary: `keygen`, then `serve` on a package built with that key,
//! answering over HTTP until SIGTERM; and the refusals before it serves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use ivote_testkit::demo::{DemoDir, DemoSpec};
use ivote_testkit::{cli, manifest};

fn collector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_collector"))
        .args(args)
        .output()
        .unwrap()
}

/// A plain HTTP/1.1 GET; the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// The example election of the test kit, with the collector key that `collector keygen`
/// wrote into `collector/` of its folder (`keygen` sees that folder first).
fn setup(keygen: impl FnOnce(&Path)) -> DemoDir {
    let tmp = tempfile::tempdir().unwrap();
    let out = collector(&[
        "keygen",
        "--out",
        tmp.path().join("collector").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    keygen(tmp.path());
    let secret = std::fs::read(tmp.path().join("collector/collector-key.SECRET.hex")).unwrap();
    let demo = DemoSpec {
        collector: ivote_collector::key_file::signing_key(&secret).unwrap(),
        ..DemoSpec::new(manifest::EXAMPLE)
    }
    .build(&mut rand::rngs::OsRng);
    demo.write_in(tmp)
}

/// Starts `collector serve`; the child and the address (`HOST:PORT`) it listens on.
fn spawn_serve(args: &[String]) -> (Child, String) {
    let (child, url) = cli::spawn_serve(
        Command::new(env!("CARGO_BIN_EXE_collector"))
            .args(args)
            .stderr(Stdio::null()),
    );
    let addr = url.strip_prefix("http://").unwrap().to_owned();
    (child, addr)
}

fn serve_args(st: &DemoDir, trust: [&str; 2], key: &str) -> Vec<String> {
    cli::collector_serve(&st.root, key, "data", trust)
}

#[test]
fn keygen_then_serve_answers_until_sigterm() {
    let st = setup(|root| {
        let secret = root.join("collector/collector-key.SECRET.hex");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&secret).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
    });
    let key = st.p("collector/collector-key.SECRET.hex");
    let officials = st.officials_key_hex();

    // Refusals before serving: another roll, another key.
    std::fs::write(st.path("other-roll.csv"), "id_code,district\n").unwrap();
    let mut args = serve_args(&st, ["--officials-key", &officials], &key);
    args[4] = st.p("other-roll.csv");
    let out = collector(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[election.roll_hash_mismatch]"), "{err}");
    let other = collector(&["keygen", "--out", &st.p("other")]);
    assert!(other.status.success());
    let other_key = st.p("other/collector-key.SECRET.hex");
    let args = serve_args(&st, ["--officials-key", &officials], &other_key);
    let out = collector(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[collector.key_mismatch]"), "{err}");

    // Serve; the address is printed on standard output.
    let args = serve_args(&st, ["--officials-key", &officials], &key);
    let (mut child, addr) = spawn_serve(&args);
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&addr, "/healthz") != (200, "ok".to_owned()) {
        assert!(Instant::now() < deadline, "no /healthz");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, body) = get(&addr, "/election");
    assert_eq!(status, 200, "{body}");
    let election: serde_json::Value = serde_json::from_str(&body).unwrap();
    let files = ivote_protocol::fs::read_package_dir(&st.path("package")).unwrap();
    let index = ivote_protocol::PackageIndex::parse(&files["package.json"]).unwrap();
    assert_eq!(election["context"], index.context_hash().to_hex());
    let public = std::fs::read_to_string(st.path("collector/collector-key.hex")).unwrap();
    assert_eq!(election["collector_key"], public.trim());

    // SIGTERM: a graceful stop, exit status 0.
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");

    // The same ballot box, pinned by context hash, opens again.
    let hash = index.context_hash().to_hex();
    let args = serve_args(&st, ["--context", &hash], &key);
    let (mut child, addr) = spawn_serve(&args);
    assert_eq!(get(&addr, "/healthz"), (200, "ok".to_owned()));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_body_slower_than_request_timeout_is_answered_request_too_slow() {
    let st = setup(|_| {});
    let key = st.p("collector/collector-key.SECRET.hex");
    let officials = st.officials_key_hex();
    let mut args = serve_args(&st, ["--officials-key", &officials], &key);

    let mut zero = args.clone();
    zero.extend(["--request-timeout".into(), "0".into()]);
    let out = collector(&zero.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    args.extend(["--request-timeout".into(), "1".into()]);
    let (mut child, addr) = spawn_serve(&args);
    assert_eq!(get(&addr, "/healthz"), (200, "ok".to_owned()));

    // A submission whose body never finishes arriving is answered, not left hanging, and
    // the answer says the client was too slow (not that the collector was busy).
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST /submit HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: 1000\r\nConnection: close\r\n\r\npartial"
    )
    .unwrap();
    // Read until the error body is in (the server may keep the half-read connection open).
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !text.contains("request.too_slow") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed without an answer: {text}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"request.too_slow\""), "{text}");
    assert!(text.contains("too slow"), "{text}");
    child.kill().unwrap();
    child.wait().unwrap();
}
