//! `collector serve`: everything the server does once at start (load and check the package,
//! roll and key; open the store), then the HTTP API until SIGTERM or ctrl-c.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use ed25519_dalek::SigningKey;
use ivote_protocol::clock::unix_now;
use ivote_protocol::package::MANIFEST_FILE;
use ivote_protocol::Country;
use tracing_subscriber::EnvFilter;

use super::package::load_package;
use super::{read, CmdError};
use crate::api::{
    app, close_at_end, AddressRateLimit, AppState, BoothOptions, ElectionInfo, Limits, Metrics,
    RateLimit,
};
use crate::election::Election;
use crate::key_file;
use crate::ocsp::OcspClient;
use crate::server::{open_files_limit, ConnectionLimits, RESERVED_DESCRIPTORS};
use crate::store::{JournalStore, PgStore, Store, StoreError};

/// The arguments of `collector serve` (help on [`super::Command::Serve`]).
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["officials_key", "context"])))]
#[command(group(clap::ArgGroup::new("storage").required(true).args(["data", "store"])))]
pub struct ServeArgs {
    /// The election package folder (from `tally package build`).
    #[arg(long, value_name = "FOLDER")]
    pub package: PathBuf,
    /// The voter roll file the package was built with (its SHA-256 must be the package's).
    #[arg(long, value_name = "FILE")]
    pub roll: PathBuf,
    /// The country of the roll's id codes: EE or TH.
    #[arg(long, value_name = "EE|TH")]
    pub country: Country,
    /// The ballot box folder (journal and index; created if missing): the embedded store,
    /// for one machine.
    #[arg(long, value_name = "FOLDER")]
    pub data: Option<PathBuf>,
    /// The ballot box in PostgreSQL instead of --data: a connection URL or libpq string,
    /// e.g. postgres://ivote@db1:5432,db2:5432/election?target_session_attrs=read-write
    /// (several hosts: the collector finds the current primary after a failover). Several
    /// collectors may serve one election from one database.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// The collector's secret key file (collector-key.SECRET.hex, from `collector keygen`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The address and port to answer on, e.g. 0.0.0.0:8080 (port 0: any free port; the
    /// address is printed).
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The officials' public key: its file (officials-key.hex) or the key itself, 64 hex
    /// digits, as they published it. The package must carry their signature.
    #[arg(long, value_name = "FILE_OR_HEX")]
    pub officials_key: Option<String>,
    /// The published context hash, 64 hex digits: the package must have it.
    #[arg(long, value_name = "HEX")]
    pub context: Option<String>,
    /// How long an issued challenge stays usable, in seconds (at most 3600: the voter app
    /// refuses a longer-lived challenge).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 300,
        value_parser = clap::value_parser!(i64).range(1..=ivote_protocol::challenge::MAX_CHALLENGE_LIFETIME)
    )]
    pub challenge_ttl: i64,
    /// How long after casting a voter may fetch their ballot to verify it, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().verify_window)]
    pub verify_window: i64,
    /// How many times a ballot may be fetched to verify it.
    #[arg(long, value_name = "N", default_value_t = Limits::default().verify_max)]
    pub verify_max: u32,
    /// The TLS certificate chain (PEM, the server's certificate first): serve HTTPS. Without
    /// it, plain HTTP (for tests and the local demo, or behind a TLS proxy).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// How long a request may take before it is answered `503 server.timeout`, in seconds
    /// (a voter's app then retries). Raise it if a slow disk makes fsyncs take seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = Limits::default().timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub request_timeout: u64,
    /// Accept submissions before voting starts, as test votes: they are logged with their
    /// receive time (before the start), and the tally drops every such record.
    #[arg(long)]
    pub accept_test_votes: bool,
    /// Accept at most N submissions per voter in any minute (answered `voter.rate_limited`
    /// beyond that). No limit if not given.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_per_voter_per_minute: Option<u32>,
    /// How long one OCSP request to a voter's CA may take, in seconds (for the CAs the
    /// package's ocsp.toml lists; one retry, then the ballot is refused
    /// `eid.ocsp_unavailable` and the voter asked to try again).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = crate::ocsp::DEFAULT_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..=60)
    )]
    pub ocsp_timeout: u64,
    /// Serve at most N connections at once; more are answered `503 server.busy` and closed.
    /// Default: 1024, or the process's open-file limit less 64 if that is smaller (a larger N
    /// is lowered to that too, with a warning).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
    /// Serve at most N connections at once from one IP address (0: no such limit, e.g.
    /// behind a proxy, where every connection comes from the proxy's address).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections_per_address: u32,
    /// A connection must deliver a complete request head (method, path, headers) within
    /// this many seconds of opening (TLS handshake included) or of the previous answer, or
    /// it is closed: this bounds headers trickled slowly and idle keep-alive connections.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=300)
    )]
    pub header_timeout: u64,
    /// Issue at most N challenges per minute to one client address (an IPv6 client: its /64
    /// network), N at once; beyond that `429 challenge.rate_limited` (0: no such limit, e.g.
    /// behind a proxy).
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub max_challenges_per_address_per_minute: u32,
    /// Answer at most N requests per minute from one client address (an IPv6 client: its
    /// /64 network), N at once; beyond that `429 request.rate_limited` (0: no such limit,
    /// e.g. behind a proxy).
    #[arg(long, value_name = "N", default_value_t = 1200)]
    pub max_requests_per_address_per_minute: u32,
    /// Serve the browser booth built in DIR (`voter-app/web/build.sh DIR`) at `/booth/`
    /// (docs/booth.md): for the demo and small deployments.
    #[arg(long, value_name = "DIR")]
    pub booth: Option<PathBuf>,
    /// Let pages from ORIGIN (`https://booth.example`, scheme and host exactly) call the API:
    /// a booth served from another host (CORS).
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Option<String>,
}

/// Runs `serve`.
pub fn run(a: ServeArgs) -> Result<(), CmdError> {
    // Only fails if a subscriber is already set (e.g. by an embedding program): keep it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CmdError::CouldNotRun(format!("cannot start the runtime: {e}")))?;
    let state = load(&a, &runtime)?;
    tracing::info!(
        context = %state.election.context.to_hex(),
        election = %state.info.manifest_toml.lines().next().unwrap_or_default(),
        "election loaded"
    );
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(cert), Some(key)) => Some(
            crate::tls::server_config(&read(cert)?, &read(key)?)
                .map_err(|e| CmdError::refused(e.code(), e))?,
        ),
        _ => None,
    };
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .map_err(|e| CmdError::CouldNotRun(format!("cannot listen on {}: {e}", a.listen)))?;
        let addr = listener.local_addr().map_err(|e| {
            CmdError::CouldNotRun(format!("cannot read the address of {}: {e}", a.listen))
        })?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("collector: listening on {scheme}://{addr}");
        tracing::info!(%addr, scheme, "listening");
        tokio::spawn(close_at_end(
            state.store.clone(),
            state.election.ends,
            state.clock.clone(),
        ));
        let limits = connection_limits(&a);
        tracing::info!(?limits, "connection limits");
        let tls = tls.map(|c| tokio_rustls::TlsAcceptor::from(Arc::new(c)));
        crate::server::serve(listener, tls, app(state), limits, shutdown()).await;
        Ok(())
    });
    // The state (and with it the store, whose writer finishes its queue) is dropped when
    // `serve` returns; then the runtime.
    drop(runtime);
    tracing::info!("stopped");
    served
}

/// `--max-connections` when not given (and the open-file limit allows it).
const DEFAULT_MAX_CONNECTIONS: u32 = 1024;

/// The connection limits of the command line, `--max-connections` lowered to what the
/// process's open-file limit leaves for connections.
fn connection_limits(a: &ServeArgs) -> ConnectionLimits {
    let mut max = a.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS) as usize;
    if let Some(files) = open_files_limit() {
        let room = usize::try_from(files.saturating_sub(RESERVED_DESCRIPTORS))
            .unwrap_or(usize::MAX)
            .max(1);
        if room < max && a.max_connections.is_some() {
            tracing::warn!(
                open_files = files,
                max_connections = room,
                "the open-file limit is low: serving fewer connections than --max-connections"
            );
        }
        max = max.min(room);
    }
    ConnectionLimits {
        max_connections: max,
        max_per_address: (a.max_connections_per_address > 0)
            .then_some(a.max_connections_per_address as usize),
        header_timeout: Duration::from_secs(a.header_timeout),
        grace: Duration::from_secs(a.request_timeout),
    }
}

/// Everything checked and opened before the first request.
fn load(a: &ServeArgs, runtime: &tokio::runtime::Runtime) -> Result<AppState, CmdError> {
    let allow_origin = a
        .allow_origin
        .as_deref()
        .map(|o| {
            let origin = o.trim_end_matches('/');
            let shaped = origin.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "https" | "http") && !host.is_empty() && !host.contains('/')
            });
            axum::http::HeaderValue::from_str(origin)
                .ok()
                .filter(|_| shaped)
                .ok_or_else(|| {
                    CmdError::refused(
                        "collector.bad_origin",
                        format!(
                            "--allow-origin `{o}` is not an origin: write it as a browser \
                             sends it, scheme and host (and port), e.g. https://booth.example"
                        ),
                    )
                })
        })
        .transpose()?;
    let (files, package, officials) =
        load_package(&a.package, a.officials_key.as_deref(), a.context.as_deref())?;
    let mut election =
        Election::from_package(&package, &read(&a.roll)?, a.country, a.challenge_ttl)
            .map_err(|e| CmdError::refused(e.code(), format!("{}: {e}", a.roll.display())))?;
    election.accept_test_votes = a.accept_test_votes;
    let key = key_file::signing_key(&read(&a.key)?).ok_or_else(|| {
        CmdError::refused(
            "collector.bad_key_file",
            format!(
                "{} does not hold a secret key in 64 hex digits; make one with `collector keygen`",
                a.key.display()
            ),
        )
    })?;
    if key.verifying_key() != package.collector_key {
        return Err(CmdError::refused(
            "collector.key_mismatch",
            format!(
                "the key in {} is not the package's collector key ({}); use the key whose \
                 collector-key.hex was given to `tally package build`",
                a.key.display(),
                hex::encode(package.collector_key.as_bytes())
            ),
        ));
    }
    let manifest_toml = files
        .get(MANIFEST_FILE)
        .and_then(|b| String::from_utf8(b.clone()).ok())
        .ok_or_else(|| {
            CmdError::refused("package.bad_manifest", "the manifest is not UTF-8 text")
        })?;
    let election = Arc::new(election);
    let challenge_key = Arc::new(key.clone());
    let store = open_store(a, &election, key, runtime)?;
    if !election.ocsp.is_empty() {
        tracing::info!("voters' certificates are checked by OCSP for the CAs in ocsp.toml");
    }
    Ok(AppState {
        election,
        info: Arc::new(ElectionInfo {
            manifest_toml,
            collector_key: package.collector_key,
            package_files: files,
            officials_key: officials,
        }),
        store,
        key: challenge_key,
        limits: Limits {
            verify_window: a.verify_window,
            verify_max: a.verify_max,
            timeout: Duration::from_secs(a.request_timeout),
            ..Limits::default()
        },
        clock: Arc::new(unix_now),
        metrics: Arc::new(Metrics::default()),
        rate_limit: Arc::new(RateLimit::new(a.max_per_voter_per_minute)),
        ocsp: Arc::new(OcspClient::new(Duration::from_secs(a.ocsp_timeout))),
        request_limit: (a.max_requests_per_address_per_minute > 0)
            .then(|| Arc::new(AddressRateLimit::new(a.max_requests_per_address_per_minute))),
        booth: BoothOptions {
            dir: a.booth.as_deref().map(Arc::from),
            allow_origin,
        },
        challenge_limit: (a.max_challenges_per_address_per_minute > 0).then(|| {
            Arc::new(AddressRateLimit::new(
                a.max_challenges_per_address_per_minute,
            ))
        }),
    })
}

/// Opens the store the command line names: the journal in `--data`, or PostgreSQL.
fn open_store(
    a: &ServeArgs,
    election: &Arc<Election>,
    key: SigningKey,
    runtime: &tokio::runtime::Runtime,
) -> Result<Arc<dyn Store>, CmdError> {
    let failed = |place: String| {
        move |e: StoreError| {
            let message = format!("the ballot box in {place}: {e}");
            match e.code() {
                Some(code) => CmdError::refused(code, message),
                None => CmdError::CouldNotRun(message),
            }
        }
    };
    match (&a.data, &a.store) {
        (_, Some(url)) => {
            let store = runtime
                .block_on(PgStore::open(url, election.clone(), key, unix_now()))
                .map_err(failed("the database".into()))?;
            tracing::info!("ballot box opened in PostgreSQL");
            Ok(Arc::new(store))
        }
        (Some(data), None) => {
            let (store, scan) = JournalStore::open(data, election, key, unix_now())
                .map_err(failed(data.display().to_string()))?;
            tracing::info!(?scan, data = %data.display(), "ballot box opened");
            Ok(Arc::new(store))
        }
        (None, None) => Err(CmdError::CouldNotRun(
            "give the ballot box: --data FOLDER or --store URL".into(),
        )),
    }
}

/// Resolves on SIGTERM or ctrl-c (SIGINT).
async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot watch for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
}
