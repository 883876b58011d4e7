//! The browser booth's static files (`serve --booth DIR`, docs/booth.md) at `/booth/…`, and
//! the API's answer to a booth served from another origin (`serve --allow-origin ORIGIN`,
//! CORS). The booth is a static page: a production election serves it from any static host
//! (pinned, see docs/booth.md) and names that host's origin here; the demo serves it from the
//! collector itself, on the same origin, where no CORS is needed.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};

/// Where the booth's files are, and which other origin may call the API.
#[derive(Clone, Debug, Default)]
pub struct BoothOptions {
    /// The folder of the built booth (`voter-app/web/build.sh`); `None`: not served.
    pub dir: Option<Arc<Path>>,
    /// The one origin (`https://booth.example`) whose pages may call the API.
    pub allow_origin: Option<HeaderValue>,
}

/// The largest file served (the module is a few MB).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// `GET /booth/`: the page.
pub(super) async fn index(state: State<AppState>) -> Response {
    file(state, UrlPath("index.html".to_owned())).await
}

/// `GET /booth/{*path}`: one file of the booth's folder. Only plain names below the folder
/// (no `..`, no absolute paths), only the types a booth has.
pub(super) async fn file(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
) -> Response {
    let Some(dir) = state.booth.dir.clone() else {
        return ApiError::NotFound.into_response();
    };
    let relative = PathBuf::from(&path);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let Some(kind) = relative
        .extension()
        .and_then(|e| e.to_str())
        .and_then(content_type)
    else {
        return ApiError::NotFound.into_response();
    };
    if !plain {
        return ApiError::NotFound.into_response();
    }
    let full = dir.join(relative);
    let read = tokio::fs::metadata(&full)
        .await
        .ok()
        .filter(|m| m.is_file() && m.len() <= MAX_FILE_BYTES);
    if read.is_none() {
        return ApiError::NotFound.into_response();
    }
    match tokio::fs::read(&full).await {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, kind),
                // The page is code the voter trusts: never mixed with another site's.
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::X_FRAME_OPTIONS, "DENY"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => ApiError::NotFound.into_response(),
    }
}

fn content_type(extension: &str) -> Option<&'static str> {
    Some(match extension {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => return None,
    })
}

/// CORS for `--allow-origin`: a request from that origin gets
/// `access-control-allow-origin`, and its preflight (`OPTIONS`) is answered here. Other
/// origins get no CORS headers, so browsers keep their pages from reading the answers.
pub(super) async fn cors(
    State(allowed): State<Option<HeaderValue>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let from_allowed = allowed
        .as_ref()
        .filter(|a| req.headers().get(header::ORIGIN) == Some(*a))
        .cloned();
    let Some(origin) = from_allowed else {
        return next.run(req).await;
    };
    let mut resp = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::VARY, HeaderValue::from_static("origin"));
    resp
}
