//! What an attacker meets over HTTP, against the real `collector serve` on loopback: a
//! flood of connections trickling their headers (with the process's file descriptors as low
//! as 256), a flood of `/challenge`, HTTP/2 without TLS; and what the operator then reads in
//! the log. The attacker connects from 127.0.0.2, the honest voter from 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ivote_testkit::tls::test_pki;
use std::fs::File;
use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use axum::http::Method;
use ivote_collector::client::{ApiClient, ClientError};
use ivote_crypto::contest::EncryptionSeed;
use ivote_protocol::receipt::Receipt;
use ivote_protocol::submission::{SealFor, Submission};
use ivote_protocol::wire;
use ivote_testkit::demo::{DemoDir, DemoElection, DemoSpec};
use ivote_testkit::{cli, manifest};
use rand::rngs::OsRng;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const ATTACKER: &str = "127.0.0.2";

/// An election open now, written to a folder.
fn election() -> (DemoElection, DemoDir) {
    let toml = manifest::open_now(manifest::EXAMPLE);
    let demo = DemoSpec::new(&toml).build(&mut OsRng);
    let dir = demo.write_temp();
    (demo, dir)
}

/// A running `collector serve` and where it writes its log.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: std::path::PathBuf,
    client: ApiClient,
}

impl Server {
    /// Starts `collector serve` on `dir` with `extra` flags, under `sh -c 'ulimit -n
    /// FILES; exec collector ...'`, standard error to `dir/serve.log`; `ca`: the authority
    /// of its TLS certificate, if `extra` makes it serve HTTPS.
    async fn start(dir: &DemoDir, files: u32, extra: &[&str], ca: Option<&[u8]>) -> Server {
        let mut args = cli::collector_serve(
            &dir.root,
            "collector/collector-key.SECRET.hex",
            "data",
            ["--officials-key", &dir.officials_key_hex()],
        );
        // The test kit's serve arguments lift the per-address limits (its tests vote from
        // one address); these tests set them themselves or keep the defaults.
        for flag in [
            "--max-requests-per-address-per-minute",
            "--max-challenges-per-address-per-minute",
        ] {
            let at = args.iter().position(|a| a == flag).unwrap();
            args.drain(at..at + 2);
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let log = dir.path("serve.log");
        let (child, url) = cli::spawn_serve(
            Command::new("sh")
                .arg("-c")
                .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_collector"))
                .args(&args)
                .env_remove("RUST_LOG")
                .stderr(File::create(&log).unwrap()),
        );
        let addr = url.split_once("://").unwrap().1.parse().unwrap();
        let client = ApiClient::new(&url, ca).unwrap();
        let server = Server {
            child,
            addr,
            log,
            client,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.healthz().await.is_err() {
            assert!(Instant::now() < deadline, "no /healthz");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    async fn healthz(&self) -> Result<(), ClientError> {
        let body = self
            .client
            .request(Method::GET, "/healthz", "text/plain", vec![])
            .await?;
        assert_eq!(&body[..], b"ok");
        Ok(())
    }

    /// A real vote of the demo's voter `v`: a challenge, a sealed ballot, the receipt
    /// verified.
    async fn vote(&self, demo: &DemoElection, v: usize) {
        let c: wire::Challenge = self.client.post_json("/challenge", &()).await.unwrap();
        let challenge = c.signed().unwrap();
        let e = &demo.election;
        let district = demo.districts[v].as_str();
        let choices = e.choices(district, 0);
        let voter = &demo.voters[v];
        let key = voter.key().unwrap();
        let on = SealFor {
            context: &e.package.context_hash,
            joint_key: &e.package.ceremony.joint_key,
            shapes: &e.shapes,
            district,
            challenge: &challenge,
        };
        let sealed = Submission::seal(
            on,
            &choices,
            &EncryptionSeed::random(&mut OsRng),
            voter.cert_der(),
            |m| key.sign(m),
            &mut OsRng,
        )
        .unwrap();
        let receipt = self
            .client
            .post_bytes("/submit", sealed.submission.to_bytes())
            .await
            .unwrap();
        Receipt::from_bytes(&receipt)
            .unwrap()
            .verify(
                &e.collector.verifying_key(),
                &e.package.context_hash,
                &sealed.ballot_hash,
            )
            .unwrap();
    }

    /// Stops it with SIGTERM (exit status 0) and returns its log.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = self.child.wait().unwrap();
        let log = std::fs::read_to_string(&self.log).unwrap();
        assert_eq!(status.code(), Some(0), "{status:?}\n{log}");
        log
    }
}

/// A connection from the attacker's address.
async fn attacker_connects(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(format!("{ATTACKER}:0").parse().unwrap())
        .unwrap();
    socket.connect(addr).await.unwrap()
}

/// What arrives on `s` within `wait`, and whether the server closed it by then.
async fn read_for(s: &mut (impl AsyncRead + Unpin), wait: Duration) -> (String, bool) {
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&text).into_owned(), false),
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&text).into_owned(), true),
            Ok(Ok(n)) => text.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_header_flood_leaves_health_and_votes_working() {
    let (demo, dir) = election();
    // 256 file descriptors, as the attack measured; a short header timeout.
    let server = Server::start(&dir, 256, &["--header-timeout", "4"], None).await;

    // 300 connections from one address: the first 64 (the per-address limit) are held,
    // every other one is answered `503 server.busy` and closed at once.
    let mut open = Vec::new();
    for _ in 0..300 {
        open.push(attacker_connects(server.addr).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut held = Vec::new();
    let mut busy = 0;
    for mut s in open {
        let (text, closed) = read_for(&mut s, Duration::from_millis(20)).await;
        if closed {
            assert!(
                text.is_empty()
                    || text.starts_with("HTTP/1.1 503") && text.contains("\"server.busy\""),
                "{text}"
            );
            busy += usize::from(!text.is_empty());
        } else {
            held.push(s);
        }
    }
    assert_eq!(held.len(), 64, "held open");
    assert!(busy > 200, "only {busy} refusals answered server.busy");

    // The held ones trickle a request head, a byte a second.
    let trickle = tokio::spawn(async move {
        let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaa";
        let started = Instant::now();
        let mut closed_after = Vec::new();
        for byte in head {
            let mut still = Vec::new();
            for mut s in held {
                if s.write_all(&[*byte]).await.is_ok() {
                    still.push(s);
                } else {
                    closed_after.push(started.elapsed());
                }
            }
            held = still;
            if held.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
        // Whatever is left: has the server closed it?
        for mut s in held {
            let (_, closed) = read_for(&mut s, Duration::from_millis(100)).await;
            assert!(closed, "a trickling connection outlived the header timeout");
            closed_after.push(started.elapsed());
        }
        closed_after
    });

    // Meanwhile the honest voter is served.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.healthz().await.unwrap();
    server.vote(&demo, 0).await;

    // The header timeout (4 s) closed every trickling connection, although each kept
    // sending: within a few seconds of it, not after the head was done.
    let closed_after = trickle.await.unwrap();
    assert_eq!(closed_after.len(), 64);
    assert!(
        closed_after.iter().all(|t| *t < Duration::from_secs(12)),
        "{closed_after:?}"
    );

    // An idle keep-alive connection is closed by the same timeout.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (text, closed) = read_for(&mut idle, Duration::from_millis(500)).await;
    assert!(text.starts_with("HTTP/1.1 200") && !closed, "{text}");
    let (_, closed) = read_for(&mut idle, Duration::from_secs(10)).await;
    assert!(
        closed,
        "an idle keep-alive connection outlived the header timeout"
    );

    server.healthz().await.unwrap();
    let log = server.stop();
    assert!(
        log.contains("max_connections: 192,"),
        "the fd limit (256 less 64) did not take: {log}"
    );
    let reports = log.matches("connection limit reached").count();
    assert!(
        (1..=2).contains(&reports),
        "{reports} reports of the limit (once per 10 s, not per connection):\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_flood_is_rate_limited_and_the_log_says_what_happened() {
    let (demo, dir) = election();
    let server = Server::start(
        &dir,
        1024,
        &[
            "--max-challenges-per-address-per-minute",
            "20",
            "--max-requests-per-address-per-minute",
            "30",
        ],
        None,
    )
    .await;

    // The attacker asks for 50 challenges, one per connection: 20 are issued, 10 more
    // pass the request limit (30) but not the challenge limit, 20 not even the former.
    let (mut issued, mut limited, mut requests_limited) = (0, 0, 0);
    for _ in 0..50 {
        let mut s = attacker_connects(server.addr).await;
        s.write_all(
            b"POST /challenge HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
        let (text, _) = read_for(&mut s, Duration::from_secs(10)).await;
        if text.starts_with("HTTP/1.1 200") {
            issued += 1;
        } else if text.contains("\"request.rate_limited\"") {
            assert!(text.starts_with("HTTP/1.1 429"), "{text}");
            requests_limited += 1;
        } else {
            assert!(text.starts_with("HTTP/1.1 429"), "{text}");
            assert!(text.contains("\"challenge.rate_limited\""), "{text}");
            limited += 1;
        }
    }
    assert_eq!((issued, limited, requests_limited), (20, 10, 20));
    // The voter votes.
    server.vote(&demo, 0).await;

    // Refusals of a client's request, each with its code.
    let refused = |path: &'static str| {
        let client = &server.client;
        async move {
            match client
                .request(Method::GET, path, "text/plain", vec![])
                .await
            {
                Err(ClientError::Refused { code, .. }) => code,
                other => panic!("{path}: {other:?}"),
            }
        }
    };
    assert_eq!(refused("/log/inclusion/-1").await, "request.bad_path");
    assert_eq!(refused("/submit").await, "request.method_not_allowed");
    assert_eq!(refused("/no/such/thing").await, "request.not_found");
    // Closed by the officials: the next challenge is a normal refusal.
    let close = ivote_collector::admin::sign_close(
        &demo.election.officials,
        &demo.election.package.context_hash,
        ivote_protocol::clock::unix_now(),
    );
    let _: wire::FinalHead = server
        .client
        .post_json("/admin/close", &close)
        .await
        .unwrap();
    match server
        .client
        .post_json::<wire::Challenge>("/challenge", &())
        .await
    {
        Err(ClientError::Refused { code, .. }) => assert_eq!(code, "election.closed"),
        other => panic!("{other:?}"),
    }

    let log = server.stop();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" request ")).collect();
    let line = |route: &str, status: u16, code: &str| {
        lines
            .iter()
            .filter(|l| {
                l.contains(&format!("route=\"{route}\" "))
                    && l.contains(&format!("status={status} "))
                    && l.ends_with(&format!("code=\"{code}\""))
            })
            .copied()
            .collect::<Vec<_>>()
    };
    // One line per request: 50 + 2 challenges, then the rest.
    assert_eq!(line("/challenge", 200, "-").len(), 21, "{log}");
    let limited = line("/challenge", 429, "challenge.rate_limited");
    assert_eq!(limited.len(), 10, "{log}");
    assert_eq!(
        line("/challenge", 429, "request.rate_limited").len(),
        20,
        "{log}"
    );
    assert!(limited.iter().all(|l| l.contains(" WARN ")), "{log}");
    let submitted = line("/submit", 200, "-");
    assert_eq!(submitted.len(), 1, "{log}");
    assert!(submitted[0].contains(" INFO ") && submitted[0].contains(" ms="));
    assert!(line("/log/inclusion/{leaf}", 400, "request.bad_path")[0].contains(" INFO "));
    assert!(line("/submit", 405, "request.method_not_allowed")[0].contains(" INFO "));
    assert!(line("-", 404, "request.not_found")[0].contains(" INFO "));
    assert_eq!(line("/admin/close", 200, "-").len(), 1, "{log}");
    let closed = line("/challenge", 503, "election.closed");
    assert_eq!(closed.len(), 1, "{log}");
    assert!(
        closed[0].contains(" INFO "),
        "a normal refusal is no error: {log}"
    );
    assert!(!log.contains("ERROR"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log file: {log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_not_served_on_plain_tcp() {
    let (_demo, dir) = election();
    let server = Server::start(&dir, 1024, &[], None).await;

    // HTTP/2 with prior knowledge: the preface, then an empty SETTINGS frame.
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    let (text, closed) = read_for(&mut s, Duration::from_secs(5)).await;
    assert!(closed, "the connection stays open: {text:?}");
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 4") || text.starts_with("HTTP/1.1 5"),
        "an HTTP/2 answer: {text:?}"
    );

    // An upgrade to h2c is ignored: the answer is HTTP/1.1.
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n\
          Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
    )
    .await
    .unwrap();
    let (text, _) = read_for(&mut s, Duration::from_millis(1000)).await;
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text:?}");
    assert!(text.ends_with("ok"), "{text:?}");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_only_http_1_1_is_offered_and_a_silent_handshake_is_closed() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use std::sync::Arc;

    let (_demo, dir) = election();
    let (ca, cert, key) = test_pki();
    std::fs::write(dir.path("tls.pem"), &cert).unwrap();
    std::fs::write(dir.path("tls.key"), &key).unwrap();
    let (cert_path, key_path) = (dir.p("tls.pem"), dir.p("tls.key"));
    let flags = [
        "--tls-cert",
        &cert_path,
        "--tls-key",
        &key_path,
        "--header-timeout",
        "2",
    ];
    let server = Server::start(&dir, 1024, &flags, Some(ca.as_bytes())).await;

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap())
        .unwrap();
    let connector = |alpn: &[&[u8]]| {
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        tokio_rustls::TlsConnector::from(Arc::new(config))
    };
    let name = ServerName::try_from("127.0.0.1").unwrap();

    // A client offering h2 and HTTP/1.1 gets HTTP/1.1.
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let mut tls = connector(&[b"h2", b"http/1.1"])
        .connect(name.clone(), tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (text, _) = read_for(&mut tls, Duration::from_secs(5)).await;
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text:?}");

    // One offering only h2 is refused in the handshake.
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    assert!(connector(&[b"h2"]).connect(name, tcp).await.is_err());

    // A connection that never starts its handshake is closed by the header timeout.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let (_, closed) = read_for(&mut silent, Duration::from_secs(8)).await;
    assert!(
        closed,
        "a silent TLS connection outlived the header timeout"
    );

    server.healthz().await.unwrap();
    server.stop();
}
