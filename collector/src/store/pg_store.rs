//! The replicated store: the log in PostgreSQL (`collector serve --store postgres://…`), so
//! that the loss of a machine loses no acknowledged ballot and several collectors can serve
//! one election at once, behind any load balancer.
//!
//! The schema is `collector/migrations/` (refinery, applied at start under an advisory lock
//! so that collectors starting together do not race): the `election` row (context, size,
//! last receive time, closing statement), one `log` row per submission (its record,
//! submission and OCSP evidence layouts, with indexed copies of its leaf, voter, sequence
//! number, ballot hash and challenge nonce), and `verifications`.
//!
//! Each collector holds the log in memory as the journal store does: the Merkle tree, the
//! used nonces and ciphertext fingerprints ([`Seen`]) and each voter's latest sequence
//! number, all rebuilt from the `log` table at start (every row replayed as a journal entry
//! is, [`Replay`]). A commit is one transaction:
//!
//! 1. lock the `election` row (`SELECT … FOR UPDATE`): the commits of all collectors on the
//!    database queue here, which gives one order and gap-free leaf indices;
//! 2. catch up with the rows other collectors logged since this one last looked;
//! 3. re-check the batch against that (challenge unused, ciphertexts unseen, receive times
//!    never decreasing: [`batch::recheck`]);
//! 4. insert the batch's rows and the new size, and `COMMIT`.
//!
//! Receipts are sent only after `COMMIT` returns, which, with `synchronous_commit = on` and
//! a synchronous standby (docs/operations.md), means the rows are on two machines. If a step
//! fails, the batch's voters are answered `store.unavailable` (503): their vote may or may
//! not have been logged (a `COMMIT` cut off by the loss of the primary has an unknown
//! outcome), so they are told to vote again, and the last vote counts. The in-memory log
//! never runs ahead of the table: it takes a batch's rows only after their `COMMIT`, and the
//! next catch-up reads whatever did commit.
//!
//! Between commits a follower task catches up every [`FOLLOW_EVERY`], so that tree heads,
//! inclusion proofs, closing and the snapshot `decide` reads include other collectors'
//! ballots.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use ed25519_dalek::SigningKey;
use futures_util::TryStreamExt;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::{MerkleTree, NodeHash};
use ivote_protocol::receipt::{Receipt, SignedTreeHead};
use ivote_protocol::submission::SubmissionRecord;
use ivote_protocol::ContextHash;
use tokio::sync::mpsc;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, NoTls};

use super::batch::{self, Job, Msg, Queue};
use super::seen::Seen;
use super::{lock, read, write, CloseFuture, CommitFuture, Store, StoreError, StoreFuture, Stored};
use crate::decide::{Accepted, StoreView};
use crate::election::Election;
use crate::journal::Entry;
use crate::reject::Rejection;
use crate::replay::Replay;

/// How often a collector reads the rows other collectors logged, between its own commits.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(200);
/// Connections per collector: one for the writer, the rest for reads and verifications.
const POOL_SIZE: usize = 16;
/// How long to wait for a connection (to a primary) before answering `store.unavailable`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The advisory lock held while migrating (any constant; "ivote" in ASCII).
const MIGRATION_LOCK: i64 = 0x69_76_6f_74_65;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The log as this collector knows it.
#[derive(Debug)]
struct Log {
    tree: MerkleTree,
    head: SignedTreeHead,
    /// The last leaf's receive time (`i64::MIN` while the log is empty).
    last_received_at: i64,
}

/// What a catch-up needs besides the log: where it is, and each voter's latest sequence
/// number. Held by whoever is catching up (the writer, for its whole transaction).
#[derive(Debug, Default)]
struct Follow {
    size: u64,
    voters: HashMap<String, u32>,
}

#[derive(Debug)]
struct Shared {
    election: Arc<Election>,
    key: SigningKey,
    pool: Pool,
    seen: Mutex<Seen>,
    log: RwLock<Log>,
    final_head: RwLock<Option<FinalHead>>,
    follow: tokio::sync::Mutex<Follow>,
}

/// The PostgreSQL store (see the module docs).
#[derive(Debug)]
pub struct PgStore {
    shared: Arc<Shared>,
    queue: Queue,
}

fn db(action: &str) -> impl FnOnce(tokio_postgres::Error) -> StoreError + '_ {
    move |e| StoreError::Database(format!("{action}: {e}"))
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Database(format!("no connection to the primary: {e}"))
}

fn as_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Database(format!("{n} does not fit a bigint")))
}

impl PgStore {
    /// Connects to the database at `url` (a libpq connection string or URL; several hosts
    /// with `target_session_attrs=read-write` find the current primary), migrates its
    /// schema, checks it holds this election's log (or none yet), loads the log and starts
    /// the writer and the follower. `now` timestamps the tree head signed on start.
    pub async fn open(
        url: &str,
        election: Arc<Election>,
        key: SigningKey,
        now: i64,
    ) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::BadUrl(format!("{e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Database(format!("the connection pool: {e}")))?;
        let mut client = pool.get().await.map_err(pool_error)?;
        migrate(&mut client).await?;
        check_election(&**client, &election).await?;
        drop(client);

        let shared = Arc::new(Shared {
            log: RwLock::new(Log {
                tree: MerkleTree::new(),
                head: SignedTreeHead::sign(&key, &election.context, 0, [0; 32], now),
                last_received_at: i64::MIN,
            }),
            election,
            key,
            pool,
            seen: Mutex::new(Seen::default()),
            final_head: RwLock::new(None),
            follow: tokio::sync::Mutex::new(Follow::default()),
        });
        {
            let mut follow = shared.follow.lock().await;
            let client = shared.pool.get().await.map_err(pool_error)?;
            let closed = stored_final_head(&**client).await?;
            shared.catch_up(&**client, &mut follow).await?;
            if let Some(bytes) = closed {
                shared.set_final_head(&bytes)?;
            }
            let mut log = write(&shared.log);
            if read(&shared.final_head).is_none() {
                let root = log.tree.root(log.tree.size()).unwrap_or([0; 32]);
                let size = log.tree.size();
                log.head =
                    SignedTreeHead::sign(&shared.key, &shared.election.context, size, root, now);
            }
            let mut seen = lock(&shared.seen);
            seen.forget_expired(now);
            tracing::info!(
                entries = follow.size,
                voters = follow.voters.len(),
                used_challenges = seen.nonces(),
                ciphertexts = seen.ciphertexts(),
                "the log loaded from the database"
            );
        }
        let (queue, rx) = Queue::new();
        tokio::spawn(write_loop(shared.clone(), rx));
        tokio::spawn(follow_loop(Arc::downgrade(&shared)));
        Ok(PgStore { shared, queue })
    }
}

/// Applies the embedded migrations, one collector at a time.
async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db("lock the schema for migration"))?;
    let migrated = embedded::migrations::runner()
        .run_async(&mut ***client)
        .await
        .map_err(|e| StoreError::Database(format!("migrating the schema: {e}")));
    // Released when the connection ends too.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    migrated.map(|_| ())
}

/// Makes the database this election's: takes an empty one, refuses another election's.
async fn check_election(
    client: &impl GenericClient,
    election: &Election,
) -> Result<(), StoreError> {
    let context = election.context.0.to_vec();
    client
        .execute(
            "INSERT INTO election (id, context, size, last_received_at) VALUES (1, $1, 0, $2) \
             ON CONFLICT (id) DO NOTHING",
            &[&context, &i64::MIN],
        )
        .await
        .map_err(db("register the election"))?;
    let row = client
        .query_one("SELECT context FROM election WHERE id = 1", &[])
        .await
        .map_err(db("read the election"))?;
    let stored: Vec<u8> = row.try_get(0).map_err(db("read the election"))?;
    if stored != context {
        return Err(StoreError::WrongElection(hex::encode(stored)));
    }
    Ok(())
}

async fn stored_final_head(client: &impl GenericClient) -> Result<Option<Vec<u8>>, StoreError> {
    let row = client
        .query_one("SELECT final_head FROM election WHERE id = 1", &[])
        .await
        .map_err(db("read the closing statement"))?;
    row.try_get(0).map_err(db("read the closing statement"))
}

impl Shared {
    /// Reads the rows after `follow.size`, checks each as a journal entry and adds it to the
    /// log, and signs a head over it. Returns how many were added.
    async fn catch_up(
        &self,
        client: &impl GenericClient,
        follow: &mut Follow,
    ) -> Result<u64, StoreError> {
        let from = as_i64(follow.size)?;
        let params: [&(dyn ToSql + Sync); 1] = [&from];
        let rows = client
            .query_raw(
                "SELECT leaf, record, submission, ocsp FROM log WHERE leaf >= $1 ORDER BY leaf",
                params,
            )
            .await
            .map_err(db("read the log"))?;
        let mut rows = std::pin::pin!(rows);
        let e = &self.election;
        let mut replay = Replay::resume(&e.context, &e.shapes, std::mem::take(&mut follow.voters));
        let mut added = 0;
        let result = async {
            while let Some(row) = rows.try_next().await.map_err(db("read the log"))? {
                let (leaf, entry) = entry_of(&row)?;
                let bad = |detail: String| StoreError::BadRow { leaf, detail };
                if u64::try_from(leaf) != Ok(follow.size) || entry.record.leaf_index != follow.size
                {
                    return Err(bad(format!(
                        "found leaf {leaf} (record: {}) where leaf {} belongs",
                        entry.record.leaf_index, follow.size
                    )));
                }
                let checked = replay.check(&entry).map_err(|e| bad(e.to_string()))?;
                lock(&self.seen).add(
                    checked.nonce,
                    checked.challenge_expires,
                    &checked.ciphertexts,
                );
                let mut log = write(&self.log);
                log.tree.push(entry.record.leaf_hash());
                log.last_received_at = entry.record.received_at;
                follow.size += 1;
                added += 1;
            }
            Ok(())
        }
        .await;
        follow.voters = replay.into_voters();
        if added > 0 {
            // A head over what is known now, at the latest receive time in it.
            let mut log = write(&self.log);
            let root = log.tree.root(log.tree.size()).unwrap_or([0; 32]);
            let size = log.tree.size();
            let timestamp = log.head.timestamp.max(log.last_received_at);
            log.head =
                SignedTreeHead::sign(&self.key, &self.election.context, size, root, timestamp);
        }
        result.map(|()| added)
    }

    /// Takes the closing statement stored in the database: this collector's, this
    /// election's, over exactly the log caught up to.
    fn set_final_head(&self, bytes: &[u8]) -> Result<FinalHead, StoreError> {
        let bad = |detail: String| StoreError::FinalHead {
            path: "the database's election row".into(),
            detail,
        };
        let f = FinalHead::from_bytes(bytes).map_err(|e| bad(e.to_string()))?;
        f.verify(&self.key.verifying_key(), &self.election.context)
            .map_err(|e| {
                bad(format!(
                    "{e} (not this collector's, or not this election's)"
                ))
            })?;
        let mut log = write(&self.log);
        if f.head.size != log.tree.size() || log.tree.root(f.head.size) != Some(f.head.root) {
            return Err(bad(format!(
                "it closes a log of {} entries with another root, the log holds {}",
                f.head.size,
                log.tree.size()
            )));
        }
        log.head = f.head;
        *write(&self.final_head) = Some(f);
        Ok(f)
    }

    /// Locks the election row in `tx` and catches up to it; the stored closing statement,
    /// if the box was closed.
    async fn lock_and_catch_up(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        follow: &mut Follow,
    ) -> Result<Option<FinalHead>, StoreError> {
        let row = tx
            .query_one(
                "SELECT size, final_head FROM election WHERE id = 1 FOR UPDATE",
                &[],
            )
            .await
            .map_err(db("lock the log"))?;
        let size: i64 = row.try_get(0).map_err(db("lock the log"))?;
        let closed: Option<Vec<u8>> = row.try_get(1).map_err(db("lock the log"))?;
        self.catch_up(tx, follow).await?;
        if u64::try_from(size) != Ok(follow.size) {
            return Err(StoreError::IndexMismatch(format!(
                "the database's election row says {size} entries, its log holds {}",
                follow.size
            )));
        }
        let known = *read(&self.final_head);
        match (closed, known) {
            (Some(_), Some(f)) => Ok(Some(f)),
            (Some(bytes), None) => self.set_final_head(&bytes).map(Some),
            (None, _) => Ok(None),
        }
    }

    /// Logs a batch (see the module docs) and answers every job.
    async fn commit(&self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        if read(&self.final_head).is_some() {
            return batch::refuse_all(jobs, || Rejection::Closed.into());
        }
        let mut follow = self.follow.lock().await;
        let mut client = match self.pool.get().await {
            Ok(c) => c,
            Err(e) => return unavailable(jobs, &pool_error(e)),
        };
        let tx = match client.transaction().await {
            Ok(tx) => tx,
            Err(e) => return unavailable(jobs, &db("begin")(e)),
        };
        match self.lock_and_catch_up(&tx, &mut follow).await {
            Ok(None) => {}
            Ok(Some(_)) => return batch::refuse_all(jobs, || Rejection::Closed.into()),
            Err(e) => return unavailable(jobs, &e),
        }
        let last = read(&self.log).last_received_at;
        let admitted = batch::recheck(&mut lock(&self.seen), last, jobs);
        if admitted.is_empty() {
            return;
        }
        let voters = &follow.voters;
        let written = match batch::entries(&admitted, follow.size, |v| {
            Ok(voters.get(v).copied().unwrap_or(0))
        }) {
            Ok(entries) => insert(&tx, &admitted, &entries).await.map(|()| entries),
            Err(e) => Err(e),
        };
        let entries = match written {
            Ok(entries) => entries,
            Err(e) => return unavailable(admitted, &e),
        };
        if let Err(e) = tx.commit().await {
            return unavailable(admitted, &db("commit (the outcome is unknown)")(e));
        }
        match self.logged(&mut follow, &admitted, &entries) {
            Ok(receipts) => {
                for (job, receipt) in admitted.into_iter().zip(receipts) {
                    let _ = job.reply.send(Ok(receipt));
                }
            }
            Err(e) => unavailable(admitted, &e),
        }
    }

    /// Adds a committed batch to the in-memory log; its receipts.
    fn logged(
        &self,
        follow: &mut Follow,
        jobs: &[Job],
        entries: &[Entry],
    ) -> Result<Vec<Receipt>, StoreError> {
        {
            let mut seen = lock(&self.seen);
            for job in jobs {
                let a = &job.accepted;
                seen.add(a.nonce, a.submission.challenge.expires_at, &a.ciphertexts);
            }
        }
        for e in entries {
            follow
                .voters
                .insert(e.record.voter_id.clone(), e.record.voter_seq);
        }
        follow.size += entries.len() as u64;
        let context = &self.election.context;
        let mut log = write(&self.log);
        for e in entries {
            log.tree.push(e.record.leaf_hash());
        }
        if let Some(last) = entries.last() {
            log.last_received_at = last.record.received_at;
        }
        log.head = batch::head_after(&self.key, context, &log.tree, &log.head, entries)?;
        Ok(batch::receipts(
            &self.key, context, &log.tree, log.head, entries,
        ))
    }

    /// Closes the box (see [`Store::close`]): under the row lock, so that every collector's
    /// commit is either before the final head or refused.
    async fn close(&self, now: i64) -> Result<FinalHead, StoreError> {
        if let Some(f) = *read(&self.final_head) {
            return Ok(f);
        }
        let mut follow = self.follow.lock().await;
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client.transaction().await.map_err(db("begin"))?;
        if let Some(f) = self.lock_and_catch_up(&tx, &mut follow).await? {
            return Ok(f);
        }
        let f = {
            let log = read(&self.log);
            batch::final_head(&self.key, &self.election.context, &log.tree, &log.head, now)?
        };
        tx.execute(
            "UPDATE election SET final_head = $1 WHERE id = 1",
            &[&f.to_bytes().to_vec()],
        )
        .await
        .map_err(db("store the closing statement"))?;
        tx.commit()
            .await
            .map_err(db("commit the closing statement"))?;
        write(&self.log).head = f.head;
        *write(&self.final_head) = Some(f);
        tracing::info!(size = f.head.size, "ballot box closed");
        Ok(f)
    }

    /// One round of the follower: reads what other collectors logged or closed.
    async fn follow_once(&self) -> Result<(), StoreError> {
        let Ok(mut follow) = self.follow.try_lock() else {
            // The writer is committing: it catches up itself.
            return Ok(());
        };
        if read(&self.final_head).is_some() {
            return Ok(());
        }
        let client = self.pool.get().await.map_err(pool_error)?;
        // The closing statement first: once it is stored, every row it covers is too.
        let closed = stored_final_head(&**client).await?;
        self.catch_up(&**client, &mut follow).await?;
        if let Some(bytes) = closed {
            self.set_final_head(&bytes)?;
        }
        Ok(())
    }
}

/// A connection of its own, for `collector export`.
async fn connect(url: &str) -> Result<tokio_postgres::Client, StoreError> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| StoreError::BadUrl(format!("{e}")))?;
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(db("connect to the database"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("the database connection: {e}");
        }
    });
    Ok(client)
}

/// The closing statement stored in the database at `url` for `collector export` (`None`
/// while the box is open), after checking the database is this election's.
pub async fn closing_statement(
    url: &str,
    context: &ContextHash,
) -> Result<Option<Vec<u8>>, StoreError> {
    let client = connect(url).await?;
    let row = client
        .query_opt("SELECT context, final_head FROM election WHERE id = 1", &[])
        .await
        .map_err(db("read the election"))?;
    let Some(row) = row else { return Ok(None) };
    let stored: Vec<u8> = row.try_get(0).map_err(db("read the election"))?;
    if stored != context.0 {
        return Err(StoreError::WrongElection(hex::encode(stored)));
    }
    row.try_get(1).map_err(db("read the election"))
}

/// The whole log of the database at `url` for `collector export`: `each` takes every entry
/// in leaf order, checked to be gap-free. (A closed box's log no longer changes: every
/// commit checks for the closing statement under the row lock.)
pub async fn read_log<E: From<StoreError>>(
    url: &str,
    mut each: impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), E> {
    let client = connect(url).await?;
    let params: [&(dyn ToSql + Sync); 0] = [];
    let rows = client
        .query_raw(
            "SELECT leaf, record, submission, ocsp FROM log ORDER BY leaf",
            params,
        )
        .await
        .map_err(db("read the log"))?;
    let mut rows = std::pin::pin!(rows);
    let mut next = 0i64;
    while let Some(row) = rows.try_next().await.map_err(db("read the log"))? {
        let (leaf, entry) = entry_of(&row)?;
        if leaf != next || i64::try_from(entry.record.leaf_index) != Ok(leaf) {
            return Err(StoreError::BadRow {
                leaf,
                detail: format!("found where leaf {next} belongs"),
            }
            .into());
        }
        each(entry)?;
        next += 1;
    }
    Ok(())
}

/// A `log` row (leaf, record, submission, ocsp) as a journal entry.
fn entry_of(row: &tokio_postgres::Row) -> Result<(i64, Entry), StoreError> {
    let leaf: i64 = row.try_get(0).map_err(db("read the log"))?;
    let record: Vec<u8> = row.try_get(1).map_err(db("read the log"))?;
    let record = SubmissionRecord::from_bytes(&record).map_err(|e| StoreError::BadRow {
        leaf,
        detail: e.to_string(),
    })?;
    Ok((
        leaf,
        Entry {
            record,
            submission: row.try_get(2).map_err(db("read the log"))?,
            ocsp: row.try_get(3).map_err(db("read the log"))?,
        },
    ))
}

/// Inserts a batch's rows (`entries`, made from `jobs`) and the new size.
async fn insert(
    tx: &tokio_postgres::Transaction<'_>,
    jobs: &[Job],
    entries: &[Entry],
) -> Result<(), StoreError> {
    let mut leaf = Vec::with_capacity(entries.len());
    let mut received_at = Vec::with_capacity(entries.len());
    let mut voter_id = Vec::with_capacity(entries.len());
    let mut voter_seq = Vec::with_capacity(entries.len());
    let mut ballot_hash = Vec::with_capacity(entries.len());
    let mut nonce = Vec::with_capacity(entries.len());
    let mut record = Vec::with_capacity(entries.len());
    let mut submission = Vec::with_capacity(entries.len());
    let mut ocsp = Vec::with_capacity(entries.len());
    for (e, job) in entries.iter().zip(jobs) {
        let r = &e.record;
        leaf.push(as_i64(r.leaf_index)?);
        received_at.push(r.received_at);
        voter_id.push(r.voter_id.as_str());
        voter_seq.push(
            i32::try_from(r.voter_seq)
                .map_err(|_| StoreError::Database("a sequence number beyond 2^31".into()))?,
        );
        ballot_hash.push(r.ballot_hash.0.to_vec());
        nonce.push(job.accepted.nonce.to_vec());
        record.push(r.to_bytes());
        submission.push(e.submission.as_slice());
        ocsp.push(e.ocsp.as_slice());
    }
    tx.execute(
        "INSERT INTO log (leaf, received_at, voter_id, voter_seq, ballot_hash, nonce, record, \
         submission, ocsp) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], \
         $4::integer[], $5::bytea[], $6::bytea[], $7::bytea[], $8::bytea[], $9::bytea[])",
        &[
            &leaf,
            &received_at,
            &voter_id,
            &voter_seq,
            &ballot_hash,
            &nonce,
            &record,
            &submission,
            &ocsp,
        ],
    )
    .await
    .map_err(db("insert the batch"))?;
    let (Some(last), Some(t)) = (leaf.last(), received_at.last()) else {
        return Ok(());
    };
    tx.execute(
        "UPDATE election SET size = $1, last_received_at = $2 WHERE id = 1",
        &[&(last + 1), t],
    )
    .await
    .map_err(db("update the log's size"))?;
    Ok(())
}

/// Answers a batch that could not be logged: its voters may vote again.
fn unavailable(jobs: Vec<Job>, e: &StoreError) {
    tracing::error!(
        ballots = jobs.len(),
        "the database did not log a batch: {e}"
    );
    let message = e.to_string();
    batch::refuse_all(jobs, || StoreError::Database(message.clone()).into());
}

async fn write_loop(shared: Arc<Shared>, mut queue: mpsc::Receiver<Msg>) {
    while let Some(first) = queue.recv().await {
        let (jobs, close) = batch::take_batch(first, &mut queue);
        shared.commit(jobs).await;
        if let Some((now, reply)) = close {
            // The caller may have gone: the box is closed all the same.
            let _ = reply.send(shared.close(now).await);
        }
    }
}

async fn follow_loop(shared: Weak<Shared>) {
    let mut failing = false;
    loop {
        tokio::time::sleep(FOLLOW_EVERY).await;
        let Some(s) = shared.upgrade() else { return };
        match s.follow_once().await {
            Ok(()) => failing = false,
            // Once per outage: the writer's own errors say the rest.
            Err(e) if !failing => {
                failing = true;
                tracing::warn!("following the log: {e}");
            }
            Err(_) => {}
        }
    }
}

impl StoreView for PgStore {
    fn challenge_used(&self, nonce: &[u8; 32]) -> bool {
        lock(&self.shared.seen).nonce_used(nonce)
    }

    fn any_ciphertext_stored(&self, ciphertexts: &[[u8; 64]]) -> bool {
        lock(&self.shared.seen).any_ciphertext_stored(ciphertexts)
    }
}

impl Store for PgStore {
    fn view(&self) -> &dyn StoreView {
        self
    }

    fn commit(&self, accepted: Accepted, received_at: i64) -> CommitFuture {
        self.queue.commit(accepted, received_at)
    }

    fn head(&self) -> SignedTreeHead {
        read(&self.shared.log).head
    }

    fn inclusion_proof(&self, leaf: u64, size: u64) -> Option<Vec<NodeHash>> {
        read(&self.shared.log).tree.inclusion_proof(leaf, size)
    }

    fn consistency_proof(&self, from: u64, to: u64) -> Option<Vec<NodeHash>> {
        read(&self.shared.log).tree.consistency_proof(from, to)
    }

    fn find<'a>(&'a self, ballot_hash: &'a BallotHash) -> StoreFuture<'a, Option<Stored>> {
        Box::pin(async move {
            let client = self.shared.pool.get().await.map_err(pool_error)?;
            let row = client
                .query_opt(
                    "SELECT leaf, record, submission FROM log WHERE ballot_hash = $1",
                    &[&ballot_hash.0.as_slice()],
                )
                .await
                .map_err(db("find a ballot"))?;
            let Some(row) = row else { return Ok(None) };
            let leaf: i64 = row.try_get(0).map_err(db("find a ballot"))?;
            let record: Vec<u8> = row.try_get(1).map_err(db("find a ballot"))?;
            let record = SubmissionRecord::from_bytes(&record).map_err(|e| StoreError::BadRow {
                leaf,
                detail: e.to_string(),
            })?;
            Ok(Some(Stored {
                record,
                submission: row.try_get(2).map_err(db("find a ballot"))?,
            }))
        })
    }

    fn ballots_cast<'a>(&'a self, voter_id: &'a str) -> StoreFuture<'a, u32> {
        Box::pin(async move {
            let client = self.shared.pool.get().await.map_err(pool_error)?;
            let row = client
                .query_one(
                    "SELECT coalesce(max(voter_seq), 0) FROM log WHERE voter_id = $1",
                    &[&voter_id],
                )
                .await
                .map_err(db("count a voter's ballots"))?;
            let n: i32 = row.try_get(0).map_err(db("count a voter's ballots"))?;
            Ok(u32::try_from(n).unwrap_or(0))
        })
    }

    fn count_verification<'a>(&'a self, ballot_hash: &'a BallotHash) -> StoreFuture<'a, u32> {
        Box::pin(async move {
            let client = self.shared.pool.get().await.map_err(pool_error)?;
            let row = client
                .query_one(
                    "INSERT INTO verifications (ballot_hash, count) VALUES ($1, 1) \
                     ON CONFLICT (ballot_hash) DO UPDATE SET count = verifications.count + 1 \
                     RETURNING count",
                    &[&ballot_hash.0.as_slice()],
                )
                .await
                .map_err(db("count a verification"))?;
            let n: i32 = row.try_get(0).map_err(db("count a verification"))?;
            Ok(u32::try_from(n).unwrap_or(0))
        })
    }

    fn close(&self, now: i64) -> CloseFuture {
        match *read(&self.shared.final_head) {
            Some(f) => Box::pin(std::future::ready(Ok(f))),
            None => self.queue.close(now),
        }
    }

    fn final_head(&self) -> Option<FinalHead> {
        *read(&self.shared.final_head)
    }
}

#[cfg(test)]
mod tests;
