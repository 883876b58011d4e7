//! One log line per request: method, route template (never the raw path, which the client
//! chose; `-` when no route matched), status, latency and the error code if any. Levels:
//! ERROR only for a fault of the collector (`500`), WARN when it shed load or a client was
//! too slow or too eager (`server.timeout`, `server.busy`,
//! `request.too_slow`, `429`), INFO for everything else, refusals of bad input included.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error::ErrorCode;

/// Logs the request once answered.
pub(super) async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status();
    let code = response
        .extensions()
        .get::<ErrorCode>()
        .map_or("-", |c| c.0);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    macro_rules! line {
        ($level:ident) => {
            tracing::$level!(
                %method,
                route,
                status = status.as_u16(),
                ms = format_args!("{ms:.1}"),
                code,
                "request"
            )
        };
    }
    match status {
        StatusCode::INTERNAL_SERVER_ERROR => line!(error),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => line!(warn),
        _ if matches!(code, "server.timeout" | "server.busy") => line!(warn),
        _ => line!(info),
    }
    response
}
