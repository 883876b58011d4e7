//! The request timeout (`serve --request-timeout`), which tells a slow client from a busy
//! collector: when the time is up while the handler waits for more of the request body, the
//! client was too slow sending it (`408 request.too_slow`); otherwise the collector was too
//! slow answering (`503 server.timeout`).

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};

use super::ApiError;

/// Runs the rest of the request within `timeout`.
pub(super) async fn deadline(
    State(timeout): State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    let waiting = Arc::new(AtomicBool::new(false));
    let req = req.map(|inner| {
        Body::new(Watched {
            inner,
            waiting: waiting.clone(),
        })
    });
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) if waiting.load(Ordering::Relaxed) => ApiError::TooSlow.into_response(),
        Err(_) => ApiError::Timeout.into_response(),
    }
}

/// A request body that records whether its reader is waiting for the client.
struct Watched {
    inner: Body,
    waiting: Arc<AtomicBool>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        self.waiting.store(polled.is_pending(), Ordering::Relaxed);
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
