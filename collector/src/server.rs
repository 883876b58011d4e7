//! The accept loop of `collector serve`: HTTP/1.1 (hyper) over plain TCP or TLS, with the
//! limits a client on the internet must not get around (docs/collector.md, "Connections"):
//!
//! * at most `max_connections` open connections, and at most `max_per_address` from one IP
//!   address: a connection beyond either is answered `503 server.busy` at once (over plain
//!   TCP; over TLS it is closed) and closed, never queued, so the accept loop keeps running
//!   and file descriptors stay free for the ones it serves;
//! * `header_timeout`: a connection must deliver a complete request head within this time of
//!   opening (TLS handshake included) or of the previous answer; hyper closes it otherwise.
//!   It bounds a head trickled a byte at a time and an idle keep-alive connection alike
//!   (hyper starts the clock when it waits for the next head);
//! * the request timeout and the body limit are the API's ([`crate::api::app`]).
//!
//! Refusals are logged once per [`REPORT_EVERY`], not per connection. HTTP/2 is not served:
//! a client that opens with the HTTP/2 preface gets hyper's HTTP/1.1 error and is closed.

use std::collections::HashMap;
use std::future::Future;
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use ivote_protocol::wire::ErrorBody;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::api::ApiError;

/// How often at most a kind of refused connection is logged.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);

/// File descriptors kept free for everything but connections (the journal, the index, the
/// listener, the logs) when `max_connections` is capped to the process's limit.
pub const RESERVED_DESCRIPTORS: u64 = 64;

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Open connections at most.
    pub max_connections: usize,
    /// Open connections from one IP address at most (`None`: no such limit, e.g. behind a
    /// proxy, where every connection comes from its address).
    pub max_per_address: Option<usize>,
    /// Time to deliver a request head, from the connection's start or the previous answer.
    pub header_timeout: Duration,
    /// How long open requests may run on after shutdown is asked.
    pub grace: Duration,
}

/// The client's IP address, in every request's extensions (the per-client limits read it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// Serves `app` on `listener` (over TLS if `tls` is given) until `shutdown` resolves; then
/// accepts nothing more and gives open connections `limits.grace` to finish.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(Open::default());
    let graceful = GracefulShutdown::new();
    let mut reports = Reports::default();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // The client gave up before it was accepted: its business.
                Err(e) if matches!(
                    e.kind(),
                    ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
                ) => continue,
                Err(e) => {
                    // Out of file descriptors or memory: wait a moment rather than spin.
                    reports.note(Refusal::AcceptFailed(e.to_string()));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = open.take(peer.ip(), &limits) else {
            reports.note(Refusal::Limit(limits));
            if tls.is_none() {
                // Best effort, never waiting: the socket's buffer takes it or it is lost.
                let _ = stream.try_write(&busy_answer());
            }
            continue;
        };
        let (tls, app, watcher) = (tls.clone(), app.clone(), graceful.watcher());
        tokio::spawn(async move {
            let _slot = slot;
            let _ = stream.set_nodelay(true);
            let app = with_peer(app, peer);
            match tls {
                None => connection(stream, app, limits, watcher).await,
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await
                    {
                        Ok(Ok(stream)) => connection(stream, app, limits, watcher).await,
                        Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing open requests");
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(limits.grace) => {
            tracing::warn!(grace = ?limits.grace, "open connections did not finish in time; closing them");
        }
    }
}

/// `app` as a hyper service, with the client's address put into each request.
fn with_peer(
    app: Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Send
       + 'static {
    hyper::service::service_fn(move |req: Request<Incoming>| {
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(Peer(peer.ip()));
        app.clone().oneshot(req)
    })
}

/// Serves one connection with HTTP/1.1.
async fn connection<I, S>(
    io: I,
    service: S,
    limits: ConnectionLimits,
    watcher: hyper_util::server::graceful::Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = axum::response::Response>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    if let Err(e) = watcher.watch(conn).await {
        // Timeouts, resets and malformed requests: the client's doing, not a fault here.
        tracing::debug!("connection ended: {e}");
    }
}

/// The answer to a connection over the limits: `503 server.busy`, closing.
fn busy_answer() -> Vec<u8> {
    let e = ApiError::Busy;
    let body = serde_json::to_string(&ErrorBody {
        code: e.code().to_owned(),
        message: e.message(),
    })
    .unwrap_or_default();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The open connections, in all and per address.
#[derive(Debug, Default)]
struct Open {
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

impl Open {
    /// A slot for one more connection from `ip`, if the limits allow it.
    fn take(self: &Arc<Self>, ip: IpAddr, limits: &ConnectionLimits) -> Option<Slot> {
        let mut c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if c.total >= limits.max_connections {
            return None;
        }
        let from_ip = c.per_address.get(&ip).copied().unwrap_or(0);
        if limits.max_per_address.is_some_and(|max| from_ip >= max) {
            return None;
        }
        c.total += 1;
        c.per_address.insert(ip, from_ip + 1);
        Some(Slot {
            open: self.clone(),
            ip,
        })
    }
}

/// One open connection's place in [`Open`], given back when dropped.
#[derive(Debug)]
struct Slot {
    open: Arc<Open>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self
            .open
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_address.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.per_address.remove(&self.ip);
            }
        }
    }
}

/// Why a connection was not served.
#[derive(Debug)]
enum Refusal {
    Limit(ConnectionLimits),
    AcceptFailed(String),
}

/// Counts refusals and logs them at most once per [`REPORT_EVERY`].
#[derive(Debug, Default)]
struct Reports {
    refused: u64,
    failed: u64,
    last: Option<Instant>,
}

impl Reports {
    fn note(&mut self, r: Refusal) {
        match &r {
            Refusal::Limit(_) => self.refused += 1,
            Refusal::AcceptFailed(_) => self.failed += 1,
        }
        if self.last.is_some_and(|t| t.elapsed() < REPORT_EVERY) {
            return;
        }
        match r {
            Refusal::Limit(l) => tracing::warn!(
                refused = self.refused,
                max_connections = l.max_connections,
                max_per_address = l.max_per_address,
                "connection limit reached: refusing connections (server.busy)"
            ),
            Refusal::AcceptFailed(e) => {
                tracing::error!(failed = self.failed, "cannot accept connections: {e}")
            }
        }
        (self.refused, self.failed, self.last) = (0, 0, Some(Instant::now()));
    }
}

/// The process's limit of open files (the soft limit in `/proc/self/limits`; `None` if
/// unlimited or unreadable).
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_in_all_and_per_address_and_given_back() {
        let limits = ConnectionLimits {
            max_connections: 3,
            max_per_address: Some(2),
            header_timeout: Duration::from_secs(1),
            grace: Duration::from_secs(1),
        };
        let open = Arc::new(Open::default());
        let (a, b, c): (IpAddr, IpAddr, IpAddr) = (
            "127.0.0.2".parse().unwrap(),
            "127.0.0.3".parse().unwrap(),
            "127.0.0.4".parse().unwrap(),
        );
        let a1 = open.take(a, &limits).unwrap();
        let _a2 = open.take(a, &limits).unwrap();
        assert!(open.take(a, &limits).is_none(), "per address");
        let _b1 = open.take(b, &limits).unwrap();
        assert!(open.take(c, &limits).is_none(), "in all");
        drop(a1);
        assert!(open.take(c, &limits).is_some());
        let counts = open.counts.lock().unwrap();
        assert_eq!(counts.total, 2);
        assert!(
            !counts.per_address.contains_key(&c),
            "the dropped slot left"
        );
    }

    #[test]
    fn reads_the_open_files_limit() {
        assert!(open_files_limit().is_some_and(|n| n > 0));
    }
}
