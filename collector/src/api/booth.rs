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
use axum::routing::get;
use axum::Router;

use super::ApiError;

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

/// The booth's routes, `GET /booth/` (the page) and `GET /booth/{*path}`, over `dir`
/// (`None`: every path is `404 request.not_found`).
pub(super) fn routes<S: Clone + Send + Sync + 'static>(dir: Option<Arc<Path>>) -> Router<S> {
    Router::new()
        .route(
            "/booth/",
            get(|State(dir): State<Option<Arc<Path>>>| serve(dir, "index.html".to_owned())),
        )
        .route(
            "/booth/{*path}",
            get(
                |State(dir): State<Option<Arc<Path>>>, UrlPath(path): UrlPath<String>| {
                    serve(dir, path)
                },
            ),
        )
        .with_state(dir)
}

/// One file of the booth's folder. Only plain names below the folder (no `..`, no absolute
/// paths), only the types a booth has.
async fn serve(dir: Option<Arc<Path>>, path: String) -> Response {
    let Some(dir) = dir else {
        return ApiError::NotFound.into_response();
    };
    let relative = PathBuf::from(&path);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let kind = relative
        .extension()
        .and_then(|e| e.to_str())
        .and_then(content_type);
    let Some(kind) = kind.filter(|_| plain) else {
        return ApiError::NotFound.into_response();
    };
    let full = dir.join(relative);
    let fits = tokio::fs::metadata(&full)
        .await
        .is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE_BYTES);
    if !fits {
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    async fn get(router: &Router, method: &str, path: &str, origin: Option<&str>) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn only_the_booths_own_files_are_served() {
        let root = tempfile::tempdir().unwrap();
        let site = root.path().join("site");
        std::fs::create_dir(&site).unwrap();
        std::fs::write(site.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(site.join("m.wasm"), b"\0asm").unwrap();
        std::fs::write(site.join("notes.txt"), "not a booth file").unwrap();
        std::fs::write(root.path().join("outside.html"), "secret").unwrap();
        let router: Router = routes(Some(Arc::from(site.as_path())));
        let page = get(&router, "GET", "/booth/", None).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            page.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let module = get(&router, "GET", "/booth/m.wasm", None).await;
        assert_eq!(module.headers()[header::CONTENT_TYPE], "application/wasm");
        for path in [
            "/booth/../outside.html",
            "/booth/%2e%2e/outside.html",
            "/booth/%2Ftmp%2Foutside.html",
            "/booth/notes.txt",
            "/booth/missing.js",
            "/booth/./index.html",
        ] {
            let r = get(&router, "GET", path, None).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let none: Router = routes(None);
        let r = get(&none, "GET", "/booth/", None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn only_the_allowed_origin_gets_cors() {
        let allowed = HeaderValue::from_static("https://booth.example");
        let router = Router::new()
            .route("/status", axum::routing::get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(Some(allowed), cors));
        let r = get(&router, "GET", "/status", Some("https://booth.example")).await;
        assert_eq!(
            r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://booth.example"
        );
        let pre = get(&router, "OPTIONS", "/status", Some("https://booth.example")).await;
        assert_eq!(pre.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            pre.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS],
            "content-type"
        );
        for other in [Some("https://evil.example"), None] {
            let r = get(&router, "GET", "/status", other).await;
            assert!(r
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none());
        }
        let pre = get(&router, "OPTIONS", "/status", Some("https://evil.example")).await;
        assert_ne!(pre.status(), StatusCode::NO_CONTENT);
    }
}
