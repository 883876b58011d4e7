//! Crash test: a real `collector serve` is killed with SIGKILL while voters submit; after a
//! restart on the same ballot box, every receipt the voters got is in the log (inclusion
//! proof under the new head) and every head they saw is consistent with the new one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ivote_collector::client::ApiClient;
use ivote_e2e::load::{self, Plan};
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::wire::{BoxState, Status, TreeHead};

mod common {
    pub mod load;
}
use common::load::{load_setup, spawn_serve};

#[test]
fn every_receipt_survives_a_sigkill_mid_load() {
    let st = load_setup(300, 5);
    let (mut child, url) = spawn_serve(&st.serve_args("data"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = ApiClient::new(&url, None).unwrap();
    let voters = Arc::new(load::read_voters(&st.dir.join("pki")).unwrap());
    let plan = Plan {
        concurrency: 8,
        revote_fraction: 0.2,
    };
    let load = runtime.spawn(load::run(client.clone(), voters, plan));

    // Kill the collector once part of the submissions are in.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let accepted = runtime
            .block_on(client.get_json::<Status>("/status"))
            .map(|s| s.accepted)
            .unwrap_or(0);
        if accepted >= 60 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no progress: {accepted} accepted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let report = runtime.block_on(load).unwrap().unwrap();
    let sent = report.sent;
    assert!(
        // The log had 60 entries at the kill, but some answers may not have arrived.
        !report.receipts.is_empty() && report.receipts.len() < sent,
        "the kill was not mid-load: {}",
        report.render()
    );
    assert!(
        report.failures.contains_key("transport"),
        "{:?}",
        report.failures
    );
    assert!(!report.failures.contains_key("bad_receipt"));

    // Restart on the same ballot box: the journal is re-read and re-checked.
    let (mut child, url) = spawn_serve(&st.serve_args("data"));
    let client = ApiClient::new(&url, None).unwrap();
    let election = runtime.block_on(client.get_json("/election")).unwrap();
    let view = load::ElectionView::from_facts(&election).unwrap();
    let head: TreeHead = runtime.block_on(client.get_json("/log/head")).unwrap();
    let head = SignedTreeHead::from_bytes(&head.layout).unwrap();
    head.verify(&view.collector_key, &view.context).unwrap();
    runtime
        .block_on(load::receipts_in_log(&client, &head, &report.receipts))
        .unwrap();
    // The collector takes new submissions after the restart.
    let status: Status = runtime.block_on(client.get_json("/status")).unwrap();
    assert_eq!(status.state, BoxState::Open);
    child.kill().unwrap();
    child.wait().unwrap();
}
