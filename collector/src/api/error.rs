//! The API's errors: every one a stable code and a status; internal failures are logged
//! and answered with a generic message, never their details.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ivote_protocol::wire::ErrorBody;

use crate::admin::AdminError;
use crate::reject::{Class, Rejection};
use crate::store::{CommitError, StoreError};

/// The code of an error answer, in the response's extensions (the request log reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

/// An error response: `{ "code": "...", "message": "..." }` with its status.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// The submission was refused (its own code and class).
    Rejected(Rejection),
    /// The body exceeds the configured limit.
    TooLarge,
    /// The body could not be read.
    BadBody,
    /// A query parameter is missing or malformed.
    BadQuery(String),
    /// A path parameter is malformed (e.g. a leaf index that is not a number).
    BadPath(String),
    /// The body of a JSON endpoint is larger than the body limit.
    BodyTooLarge,
    /// A JSON endpoint got a body that is not declared `application/json`.
    NotJson,
    /// The route exists, but not with this method.
    MethodNotAllowed,
    /// The client sent the request body too slowly to finish within the request timeout.
    TooSlow,
    /// Too many requests from one address in the last minute.
    RequestRateLimited {
        /// The limit.
        per_minute: u32,
    },
    /// Too many challenges asked from one address in the last minute.
    ChallengeRateLimited {
        /// The limit.
        per_minute: u32,
    },
    /// The connection limits are reached (answered by the accept loop).
    Busy,
    /// A path's ballot id is not 64 hex digits.
    BadBallotId,
    /// No stored ballot has this id.
    UnknownBallot,
    /// The verification window after casting has passed.
    VerifyWindowPassed {
        /// The window, in minutes.
        minutes: i64,
    },
    /// The ballot was verified as often as allowed.
    TooManyVerifications {
        /// The limit.
        max: u32,
    },
    /// The voter submitted as often as the per-voter limit allows in the last minute.
    RateLimited {
        /// The limit.
        per_minute: u32,
    },
    /// A leaf or tree size outside the log.
    OutOfRange(String),
    /// The final head was asked for before the box closed.
    NotClosed,
    /// A close request was refused.
    Admin(AdminError),
    /// No such endpoint.
    NotFound,
    /// The request took longer than the configured timeout.
    Timeout,
    /// The store failed (logged where it happened).
    Internal,
    /// The store's database did not answer or failed: the request may be retried; a
    /// submission may or may not have been logged (its receipt was not sent).
    StoreUnavailable,
}

impl ApiError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Rejected(r) => r.code(),
            ApiError::TooLarge => "submission.too_large",
            ApiError::BadBody => "request.bad_body",
            ApiError::BadQuery(_) => "request.bad_query",
            ApiError::BadPath(_) => "request.bad_path",
            ApiError::BodyTooLarge => "request.too_large",
            ApiError::NotJson => "request.not_json",
            ApiError::MethodNotAllowed => "request.method_not_allowed",
            ApiError::TooSlow => "request.too_slow",
            ApiError::ChallengeRateLimited { .. } => "challenge.rate_limited",
            ApiError::RequestRateLimited { .. } => "request.rate_limited",
            ApiError::Busy => "server.busy",
            ApiError::BadBallotId => "verify.bad_id",
            ApiError::UnknownBallot => "verify.unknown",
            ApiError::VerifyWindowPassed { .. } => "verify.window_passed",
            ApiError::TooManyVerifications { .. } => "verify.too_many",
            ApiError::RateLimited { .. } => "voter.rate_limited",
            ApiError::OutOfRange(_) => "log.out_of_range",
            ApiError::NotClosed => "log.not_closed",
            ApiError::Admin(e) => e.code(),
            ApiError::NotFound => "request.not_found",
            ApiError::Timeout => "server.timeout",
            ApiError::Internal => "server.internal",
            ApiError::StoreUnavailable => "store.unavailable",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Rejected(r) => match r.class() {
                Class::Malformed => StatusCode::BAD_REQUEST,
                Class::Forbidden => StatusCode::FORBIDDEN,
                Class::Conflict => StatusCode::CONFLICT,
                Class::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                Class::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            },
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadBody
            | ApiError::BadQuery(_)
            | ApiError::BadPath(_)
            | ApiError::BadBallotId => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            ApiError::ChallengeRateLimited { .. } | ApiError::RequestRateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::OutOfRange(_) | ApiError::Admin(AdminError::Malformed(_)) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Admin(_) => StatusCode::FORBIDDEN,
            ApiError::NotClosed => StatusCode::NOT_FOUND,
            ApiError::UnknownBallot | ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::VerifyWindowPassed { .. } => StatusCode::GONE,
            ApiError::TooManyVerifications { .. } => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// What the client is told.
    pub fn message(&self) -> String {
        match self {
            ApiError::Rejected(r) => r.to_string(),
            ApiError::TooLarge => "the submission is larger than this collector accepts".into(),
            ApiError::BadBody => "the request body could not be read".into(),
            ApiError::BadQuery(detail) => format!("bad query parameters: {detail}"),
            ApiError::BadPath(detail) => format!("bad path parameter: {detail}"),
            ApiError::BodyTooLarge => {
                "the request body is larger than this collector accepts".into()
            }
            ApiError::NotJson => {
                "the request body must be JSON (content-type: application/json)".into()
            }
            ApiError::MethodNotAllowed => {
                "this endpoint does not take this method; see the Allow header and /openapi.json"
                    .into()
            }
            ApiError::TooSlow => "the request body arrived too slowly: your connection was too \
                 slow to send it within the time allowed; send it again"
                .into(),
            ApiError::RequestRateLimited { per_minute } => format!(
                "this collector answers at most {per_minute} requests per minute from one \
                 address; wait a moment and try again"
            ),
            ApiError::ChallengeRateLimited { per_minute } => format!(
                "this collector issues at most {per_minute} challenges per minute to one \
                 address; wait a moment and ask again"
            ),
            ApiError::Busy => {
                "the collector is busy (too many connections); try again in a moment".into()
            }
            ApiError::BadBallotId => "a ballot id is the ballot hash: 64 hexadecimal digits".into(),
            ApiError::UnknownBallot => "no ballot with this id was received".into(),
            ApiError::VerifyWindowPassed { minutes } => format!(
                "your ballot was received, but it can only be checked in the first {minutes} \
                 minutes after voting; that time has passed"
            ),
            ApiError::TooManyVerifications { max } => format!(
                "your ballot was received, but it can be checked at most {max} times and \
                 that limit is reached"
            ),
            ApiError::RateLimited { per_minute } => format!(
                "this collector accepts at most {per_minute} votes per voter per minute; wait a \
                 minute and vote again"
            ),
            ApiError::OutOfRange(detail) => detail.clone(),
            ApiError::NotClosed => {
                "the ballot box is not closed yet: the final head exists only after voting".into()
            }
            ApiError::Admin(e) => e.to_string(),
            ApiError::NotFound => "no such endpoint; see /openapi.json".into(),
            ApiError::Timeout => "the collector is busy; try again in a moment".into(),
            ApiError::Internal => "the collector had an internal error; try again later".into(),
            ApiError::StoreUnavailable => "the ballot box's database is briefly unavailable; \
                try again in a minute. If you were casting a vote, no receipt was given: vote \
                again (if this vote was recorded after all, the new one replaces it: the last \
                vote counts)"
                .into(),
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        ApiError::Rejected(r)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // Logged once per batch by the store.
            StoreError::Database(_) => ApiError::StoreUnavailable,
            e => {
                tracing::error!("store: {e}");
                ApiError::Internal
            }
        }
    }
}

impl From<CommitError> for ApiError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Rejected(r) => r.into(),
            CommitError::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code().to_owned(),
            message: self.message(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(self.code()));
        response
    }
}
