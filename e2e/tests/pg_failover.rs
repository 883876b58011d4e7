//! The replicated store survives the loss of a machine: two real `collector serve`
//! processes on one PostgreSQL database, itself a primary with a synchronous streaming
//! standby (both real servers on loopback, made with `initdb` and `pg_basebackup`), take the
//! votes of a whole election while, in turn, a collector is SIGKILLed and restarted, the
//! database server is SIGKILLed and restarted under the live collectors, and the primary is
//! SIGKILLed and the standby promoted. The voters vote again whenever they got no receipt,
//! as the collector tells them to. Every receipt issued before and after each loss is in
//! the final log, and the count (exported from the promoted standby) is exactly what the
//! voters cast, and `verifier check` passes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ivote_collector::client::ApiClient;
use ivote_e2e::collector::CollectorProcess;
use ivote_e2e::flow::{self, unix_now, wait_until, Quiet};
use ivote_e2e::load::{
    challenge, concurrently, read_voter, receipts_in_log, submit, ElectionView, Outcome,
};
use ivote_e2e::national::cast::stream;
use ivote_e2e::plan::VotingScript;
use ivote_e2e::programs::{printed, Programs};
use ivote_e2e::setup::{set_up, ElectionFiles, SetupOptions};
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::receipt::Receipt;
use ivote_protocol::wire;
use ivote_testkit::postgres::Server;

fn programs() -> &'static Programs {
    Programs::built_once().unwrap()
}

/// The two collectors' current addresses (a restarted one gets a new port).
type Urls = Arc<RwLock<Vec<String>>>;

/// Casts voter `v`'s planned votes in order, each until a receipt comes back: a refusal
/// that says to try again (`store.unavailable`, `server.*`) or no answer at all (the
/// collector was killed) makes the voter ask for a new challenge and vote again, at the
/// other collector.
async fn vote_until_receipts(
    plan: Arc<VotingScript>,
    v: usize,
    files: Arc<ElectionFiles>,
    view: Arc<ElectionView>,
    urls: Urls,
    accepted: Arc<AtomicUsize>,
) -> Vec<Receipt> {
    let voter = &plan.voters[v];
    let key = read_voter(&files.path("pki"), &voter.code, &voter.district).unwrap();
    let mut receipts = Vec::new();
    let mut at = v;
    for choices in &voter.votes {
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "voter {} got no receipt in two minutes",
                voter.code
            );
            at += 1;
            let url = {
                let urls = urls.read().unwrap();
                urls[at % urls.len()].clone()
            };
            let client = ApiClient::new(&url, None).unwrap();
            let Ok(c) = challenge(&client, &view).await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let (body, hash) = view
                .submission(&key, &c, choices, &mut rand::thread_rng())
                .unwrap();
            match submit(&client, &view, body, &hash).await {
                Outcome::Accepted(r) => {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    receipts.push(*r);
                    break;
                }
                Outcome::Refused(code)
                    if code == "store.unavailable" || code.starts_with("server.") => {}
                Outcome::Transport(_) => {}
                other => panic!("voter {}: {other:?}", voter.code),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    receipts
}

/// Waits until `n` receipts were given.
fn until_accepted(accepted: &AtomicUsize, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while accepted.load(Ordering::SeqCst) < n {
        assert!(Instant::now() < deadline, "no progress past {n} receipts");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn no_receipt_is_lost_when_a_collector_the_database_or_the_primary_dies() {
    let programs = programs();
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let starts = now + 20;
    let files = set_up(
        programs,
        dir.path(),
        &SetupOptions::example(60, 0, starts, now + 3600).unwrap(),
        now,
        |_| {},
    )
    .unwrap();
    let manifest = flow::load_manifest(&files).unwrap();
    let roll = flow::read_roll(&files).unwrap();
    let plan = VotingScript::draw_exact(&manifest, &roll, 20, 0, 11);

    // The database: a primary and a synchronous standby.
    let mut primary = Server::start(&[]);
    primary.psql("postgres", "CREATE DATABASE ivote");
    let mut standby = Server::standby_of(&primary, "standby1", &[]);
    primary.psql(
        "postgres",
        "ALTER SYSTEM SET synchronous_standby_names = 'standby1'",
    );
    primary.psql("postgres", "SELECT pg_reload_conf()");
    let deadline = Instant::now() + Duration::from_secs(60);
    while primary.psql(
        "postgres",
        "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
    ) != "1"
    {
        assert!(Instant::now() < deadline, "the standby is not synchronous");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!(
        "postgres://postgres@{},{}/ivote?target_session_attrs=read-write&connect_timeout=2",
        primary.host_port(),
        standby.host_port()
    );

    let logs = files.dir.clone();
    let log = move |name: &str| logs.join(name);
    let a = CollectorProcess::start_on_database(programs, &files, &url, &log("a.log")).unwrap();
    let b = CollectorProcess::start_on_database(programs, &files, &url, &log("b.log")).unwrap();
    let urls: Urls = Arc::new(RwLock::new(vec![a.url().to_owned(), b.url().to_owned()]));
    wait_until(starts);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = ApiClient::new(b.url(), None).unwrap();
    let view = Arc::new(
        ElectionView::from_facts(&runtime.block_on(client.get_json("/election")).unwrap()).unwrap(),
    );
    let plan = Arc::new(plan);
    let files = Arc::new(files);
    let accepted = Arc::new(AtomicUsize::new(0));
    // Every voter's votes in plan order; voters in the order of the national run's stream.
    let mut order: Vec<usize> = Vec::new();
    for (v, _) in stream(&plan, 3) {
        if !order.contains(&v) {
            order.push(v);
        }
    }
    let total = plan.accepted_submissions();
    let voting = {
        let (plan, files, view, urls, accepted) = (
            plan.clone(),
            files.clone(),
            view.clone(),
            urls.clone(),
            accepted.clone(),
        );
        runtime.spawn(concurrently(order, 8, move |v| {
            vote_until_receipts(
                plan.clone(),
                v,
                files.clone(),
                view.clone(),
                urls.clone(),
                accepted.clone(),
            )
        }))
    };

    // 1. A collector dies and comes back on the same database.
    until_accepted(&accepted, total / 5);
    a.kill_hard().unwrap();
    let a = CollectorProcess::start_on_database(programs, &files, &url, &log("a2.log")).unwrap();
    urls.write().unwrap()[0] = a.url().to_owned();
    // 2. The database server dies and restarts (crash recovery) under the live collectors.
    until_accepted(&accepted, total * 2 / 5);
    primary.restart();
    // 3. The primary dies for good; the standby is promoted; the collectors find it.
    until_accepted(&accepted, total * 3 / 5);
    primary.kill();
    standby.promote();
    let receipts: Vec<Receipt> = runtime
        .block_on(voting)
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(receipts.len(), total);

    // Close at one collector: the final head covers every receipt, before and after each loss.
    flow::close(programs, &files, a.url()).unwrap();
    let client = ApiClient::new(b.url(), None).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let final_head = loop {
        match runtime.block_on(client.get_json::<wire::FinalHead>("/log/final")) {
            Ok(f) => break FinalHead::from_bytes(&f.layout).unwrap(),
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "the other collector is not closed: {e}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    final_head
        .verify(&view.collector_key, &view.context)
        .unwrap();
    let head = final_head.head;
    assert!(head.size >= total as u64);
    runtime
        .block_on(receipts_in_log(&client, &head, &receipts))
        .unwrap();
    a.stop(Duration::from_secs(30)).unwrap();
    b.stop(Duration::from_secs(30)).unwrap();

    // Export from the promoted standby; the count is exactly what the voters cast.
    let export = files.path("export");
    let out = programs
        .command("collector")
        .arg("export")
        .arg("--package")
        .arg(files.package())
        .args([
            "--store",
            &url,
            "--officials-key",
            &files.officials_key_hex().unwrap(),
        ])
        .arg("--out")
        .arg(&export)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", printed(&out));
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
    assert_eq!(
        flow::results(programs, &files, &record).unwrap(),
        plan.expected(&manifest)
    );
    let check = programs
        .command("verifier")
        .arg("check")
        .arg(&record)
        .args(["--officials-key", &files.officials_key_hex().unwrap()])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", printed(&check));
}
