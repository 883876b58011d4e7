//! The real binaries over TLS: voters vote through `collector serve --tls-cert/--tls-key`
//! (a test CA made with rcgen), the officials close it with `collector close`, and
//! `collector export` writes the same ballot box twice.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ivote_testkit::tls::test_pki;
use std::process::Command;
use std::sync::Arc;

use ivote_collector::client::{ApiClient, ClientError};
use ivote_e2e::load::{self, Plan};
use ivote_protocol::ballot_box::{BallotBoxReader, FinalHead, BALLOT_BOX_FILE};
use ivote_protocol::wire::{self, BoxState, Status};

mod common {
    pub mod load;
}
use common::load::{collector, load_setup, spawn_serve};

#[test]
fn vote_over_tls_close_by_the_officials_and_export_twice() {
    let st = load_setup(8, 5);
    let (ca, cert, key) = test_pki();
    std::fs::write(st.dir.join("ca.pem"), &ca).unwrap();
    std::fs::write(st.dir.join("tls.pem"), &cert).unwrap();
    std::fs::write(st.dir.join("tls.key"), &key).unwrap();
    let mut args = st.serve_args("data");
    args.extend([
        "--tls-cert".into(),
        st.p("tls.pem"),
        "--tls-key".into(),
        st.p("tls.key"),
    ]);
    let (mut child, url) = spawn_serve(&args);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = ApiClient::new(&url, Some(ca.as_bytes())).unwrap();
    // Without the CA, the certificate is not trusted.
    let untrusted = ApiClient::new(&url, None).unwrap();
    let err = runtime
        .block_on(untrusted.get_json::<Status>("/status"))
        .unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err}");
    let said = err.to_string();
    assert!(
        !said.contains('{') && !said.contains("client error"),
        "in words, without the HTTP library's internals: {said}"
    );

    let voters = Arc::new(load::read_voters(&st.dir.join("pki")).unwrap());
    let plan = Plan {
        concurrency: 4,
        revote_fraction: 0.25,
    };
    let report = runtime
        .block_on(load::run(client.clone(), voters.clone(), plan))
        .unwrap();
    assert_eq!(report.receipts.len(), 10, "{}", report.render());
    assert!(report.failures.is_empty(), "{:?}", report.failures);

    // Export refuses an open box.
    let export_with_key = |out: &str, key: &str| {
        collector(&[
            "export",
            "--package",
            &st.p("package"),
            "--data",
            &st.p("data"),
            "--out",
            &st.p(out),
            "--officials-key",
            key,
        ])
    };
    let officials_hex =
        std::fs::read_to_string(st.dir.join("officials/officials-key.hex")).unwrap();
    let export = |out: &str| export_with_key(out, officials_hex.trim());
    let out = export("early");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[export.not_closed]"));

    // A wrong passphrase is refused before anything is sent.
    std::fs::write(st.dir.join("wrong.txt"), "not the passphrase\n").unwrap();
    let close = |pass: &str| {
        collector(&[
            "close",
            "--collector",
            &url,
            "--officials-key-file",
            &st.p("officials/officials-key.SECRET.json"),
            "--passphrase-file",
            &st.p(pass),
            "--insecure-fast-kdf",
            "--ca-cert",
            &st.p("ca.pem"),
        ])
    };
    let out = close("wrong.txt");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[ceremony.wrong_passphrase]"));
    // A collector that is not there: could not run, said in words.
    let out = collector(&[
        "close",
        "--collector",
        "http://127.0.0.1:9",
        "--officials-key-file",
        &st.p("officials/officials-key.SECRET.json"),
        "--passphrase-file",
        &st.p("pass.txt"),
        "--insecure-fast-kdf",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("cannot reach the collector at http://127.0.0.1:9")
            && !said.contains('{')
            && !said.contains("client error"),
        "{said}"
    );
    let out = close("pass.txt");
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("closed; final head: 10 submissions"),
        "{said}"
    );
    // The time of the final head as a date (RFC 3339), the root as bare hex.
    let at = said
        .lines()
        .next()
        .and_then(|l| l.rsplit_once(", at "))
        .map(|(_, t)| t.to_owned())
        .unwrap();
    assert!(at.parse::<jiff::Timestamp>().is_ok(), "{said}");
    assert!(!said.contains('"'), "{said}");

    let final_json: wire::FinalHead = runtime.block_on(client.get_json("/log/final")).unwrap();
    assert_eq!(final_json.size, 10);
    let view = load::ElectionView::from_facts(
        &runtime
            .block_on(client.get_json::<wire::ElectionFacts>("/election"))
            .unwrap(),
    )
    .unwrap();
    let err = runtime
        .block_on(load::challenge(&client, &view))
        .unwrap_err()
        .to_string();
    assert!(err.contains("[election.closed]"), "{err}");
    // Closing again: the same final head.
    assert!(close("pass.txt").status.success());
    assert_eq!(
        runtime
            .block_on(client.get_json::<wire::FinalHead>("/log/final"))
            .unwrap(),
        final_json
    );

    // Stop; export twice: identical bytes, the receipts' records in leaf order.
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    for out in ["out1", "out2"] {
        let o = export(out);
        assert!(o.status.success(), "{o:?}");
    }
    // The officials' key as its file, as every program takes it; a key that is no key is
    // refused with the collector's code.
    let o = export_with_key("out3", &st.p("officials/officials-key.hex"));
    assert!(o.status.success(), "{o:?}");
    let o = export_with_key("out4", &format!("02{}", "00".repeat(31)));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains("[collector.bad_officials_key]")
            && said.contains("not an Ed25519 public key"),
        "{said}"
    );
    let read = |out: &str, name: &str| std::fs::read(st.dir.join(out).join(name)).unwrap();
    let bin = read("out1", BALLOT_BOX_FILE);
    assert_eq!(bin, read("out2", BALLOT_BOX_FILE));
    assert_eq!(bin, read("out3", BALLOT_BOX_FILE));
    assert_eq!(
        read("out1", "ballot-box.txt"),
        read("out2", "ballot-box.txt")
    );
    let reader = BallotBoxReader::new(&bin[..]).unwrap();
    let f: FinalHead = *reader.final_head();
    assert_eq!(f.to_bytes().to_vec(), final_json.layout);
    let entries: Vec<_> = reader.map(Result::unwrap).collect();
    assert_eq!(entries.len(), 10);
    for r in &report.receipts {
        let e = &entries[r.content.leaf_index as usize];
        assert_eq!(e.record.hash(), r.content.record_hash);
    }
    let summary = String::from_utf8(read("out1", "ballot-box.txt")).unwrap();
    assert!(summary.contains("voters:               8"), "{summary}");

    // A restart of the closed box stays closed.
    let (mut child, url) = spawn_serve(&st.serve_args("data"));
    let plain = ApiClient::new(&url, None).unwrap();
    let status: Status = runtime.block_on(plain.get_json("/status")).unwrap();
    assert_eq!(status.state, BoxState::Closed);
    assert_eq!(status.final_head, Some(final_json));
    child.kill().unwrap();
    child.wait().unwrap();
}
