//! What the app says when it stops without finishing: a stable code (the collector's, the
//! e-ID library's, the package loader's, or the app's own `app.*`) and a message a voter can
//! act on, with the exit status: 1 refused (the voter can do something about it), 2 could
//! not run (a file, the network). A library's own words (a parser's, the TLS stack's) are
//! not the message: they go into [`AppError::detail`], printed on a second line for whoever
//! helps the voter. The errors a voter meets most carry their message as a catalog message
//! ([`Words`]), so that [`AppError::in_language`] says them in the voter's language.

use std::fmt;

use crate::messages::{fill, text, Lang, Msg};

/// Why a command stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// The stable code, e.g. `"eid.expired"`, `"verify.window_passed"`, `"app.bad_choice"`.
    pub code: String,
    /// What the voter is told.
    pub message: String,
    /// Refused (exit status 1) or could not run (2).
    pub could_not_run: bool,
    /// The technical detail behind the message (a library's error text), for support.
    pub detail: Option<String>,
    /// The message as a catalog message, when it has one.
    pub words: Option<Words>,
}

/// An error's message as a catalog message and its placeholders' values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// The message.
    pub msg: Msg,
    /// Its placeholders' values.
    pub args: Vec<(&'static str, String)>,
}

impl Words {
    fn in_language(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(self.msg, lang, &args)
    }
}

impl AppError {
    /// A refusal (exit status 1).
    pub fn refused(code: impl Into<String>, message: impl Into<String>) -> Self {
        AppError {
            code: code.into(),
            message: message.into(),
            could_not_run: false,
            detail: None,
            words: None,
        }
    }

    /// A refusal whose message is the catalog's `msg` (English in [`AppError::message`]).
    pub fn refused_in(code: impl Into<String>, msg: Msg, args: &[(&'static str, &str)]) -> Self {
        let words = Words {
            msg,
            args: args.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        };
        AppError {
            message: words.in_language(Lang::En),
            words: Some(words),
            ..AppError::refused(code, "")
        }
    }

    /// [`AppError::refused_in`] for a command that could not run (exit status 2).
    pub fn could_not_run_in(
        code: impl Into<String>,
        msg: Msg,
        args: &[(&'static str, &str)],
    ) -> Self {
        AppError {
            could_not_run: true,
            ..AppError::refused_in(code, msg, args)
        }
    }

    /// What the voter is told, in `lang` where the catalog has the message (else English):
    /// `refused [code]: message`, and the detail on a second line.
    pub fn in_language(&self, lang: Lang) -> String {
        let what = text(
            if self.could_not_run {
                Msg::CouldNotRun
            } else {
                Msg::Refused
            },
            lang,
        );
        let message = self
            .words
            .as_ref()
            .map_or_else(|| self.message.clone(), |w| w.in_language(lang));
        let mut s = format!("{what} [{}]: {message}", self.code);
        if let Some(detail) = &self.detail {
            s.push_str(&format!(
                "\n  {}: {detail}",
                text(Msg::DetailForSupport, lang)
            ));
        }
        s
    }

    /// The same error with the technical detail behind it.
    pub fn with_detail(self, detail: impl fmt::Display) -> Self {
        AppError {
            detail: Some(detail.to_string()),
            ..self
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
        AppError::could_not_run_in("collector.unreachable", Msg::Unreachable, &[("url", url)])
            .with_detail(detail)
    }

    /// The connection was made but the secure (TLS) connection failed: the server did not
    /// prove that it is the collector at this address. Not a network problem: retrying or
    /// another network does not help, and the voter must not vote through it.
    pub fn untrusted(url: &str, detail: impl fmt::Display) -> Self {
        AppError::refused_in("collector.untrusted", Msg::Untrusted, &[("url", url)])
            .with_detail(detail)
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
    /// In English: [`AppError::in_language`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.in_language(Lang::En))
    }
}

impl std::error::Error for AppError {}

impl From<ivote_eid::EidError> for AppError {
    /// The e-ID layer's messages are written for people, except a parser's words on a
    /// malformed file, which become the detail.
    fn from(e: ivote_eid::EidError) -> Self {
        match &e {
            ivote_eid::EidError::Malformed { what, detail } => AppError::refused(
                e.code(),
                format!(
                    "{what} cannot be read: it is damaged, or it is not that kind of file; \
                     check that you gave the right file"
                ),
            )
            .with_detail(detail),
            _ => AppError::refused(e.code(), e.to_string()),
        }
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
