//! What the app says when it stops without finishing: a stable code (the collector's, the
//! e-ID library's, the package loader's, or the app's own `app.*`) and a message a voter can
//! act on, with the exit status: 1 refused (the voter can do something about it), 2 could
//! not run (a file, the network).

use std::fmt;

/// Why a command stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// The stable code, e.g. `"eid.expired"`, `"verify.window_passed"`, `"app.bad_choice"`.
    pub code: String,
    /// What the voter is told.
    pub message: String,
    /// Refused (exit status 1) or could not run (2).
    pub could_not_run: bool,
}

impl AppError {
    /// A refusal (exit status 1).
    pub fn refused(code: impl Into<String>, message: impl Into<String>) -> Self {
        AppError {
            code: code.into(),
            message: message.into(),
            could_not_run: false,
        }
    }

    /// The command could not run (exit status 2).
    pub fn could_not_run(code: impl Into<String>, message: impl Into<String>) -> Self {
        AppError {
            could_not_run: true,
            ..AppError::refused(code, message)
        }
    }

    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        if self.could_not_run {
            2
        } else {
            1
        }
    }

    /// The collector could not be reached (after the retries, where there are any).
    pub fn unreachable(url: &str, detail: impl fmt::Display) -> Self {
        AppError::could_not_run(
            "collector.unreachable",
            format!(
                "the collector at {url} cannot be reached ({detail}); check your internet \
                 connection and try again"
            ),
        )
    }

    /// The collector answered something that is not what its API promises.
    pub fn bad_response(what: impl fmt::Display) -> Self {
        AppError::refused(
            "collector.bad_response",
            format!(
                "the collector's answer is not valid ({what}); do not trust it, and report \
                 this to the election officials"
            ),
        )
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.could_not_run {
            "could not run"
        } else {
            "refused"
        };
        write!(f, "{what} [{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for AppError {}

impl From<ivote_eid::EidError> for AppError {
    fn from(e: ivote_eid::EidError) -> Self {
        AppError::refused(e.code(), e.to_string())
    }
}

impl From<ivote_protocol::receipt::ReceiptError> for AppError {
    fn from(e: ivote_protocol::receipt::ReceiptError) -> Self {
        AppError::refused(e.code(), e.to_string())
    }
}

impl From<ivote_protocol::ballot::BallotError> for AppError {
    fn from(e: ivote_protocol::ballot::BallotError) -> Self {
        AppError::refused(e.code(), e.to_string())
    }
}
