//! The officials' request to close the ballot box early (`POST /admin/close`, sent by
//! `collector close`): a timestamp signed with the officials' Ed25519 key (the key the
//! package is signed with) over the layout
//! `"ivote-v1/admin-close" ‖ context (32) ‖ timestamp (i64, big-endian)`.
//! The collector takes it only if the timestamp is within [`MAX_SKEW`] seconds of its own
//! clock, so an old request cannot be replayed later (a replay within the window closes an
//! already closed box: no effect). The request's JSON body is
//! `ivote_protocol::wire::CloseRequest`. Pure: the time is passed in.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use ivote_protocol::clock::rfc3339;
use ivote_protocol::layout::Writer;
use ivote_protocol::wire::CloseRequest;
use ivote_protocol::ContextHash;
use thiserror::Error;

/// The label of the signed message.
pub const ADMIN_CLOSE_LABEL: &[u8] = b"ivote-v1/admin-close";
/// How far the request's timestamp may be from the collector's clock, in seconds.
pub const MAX_SKEW: i64 = 300;

/// Why a close request is refused.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminError {
    /// The body is not a close request (not JSON, a field missing, a signature that is not
    /// 128 hex digits).
    #[error("the close request is malformed: {0}")]
    Malformed(String),
    /// The collector was started without the officials' key (with `--context`).
    #[error(
        "this collector cannot check the officials' signature: it was started with --context; \
         restart it with --officials-key to close it by request (it closes itself at the end \
         of voting)"
    )]
    NoOfficialsKey,
    /// The signature is not the officials'.
    #[error("the close request is not signed with the officials' key of this election")]
    BadSignature,
    /// The timestamp is too far from the collector's clock.
    #[error(
        "the close request was signed at {}, but the collector's clock says {}; requests \
         are taken within {MAX_SKEW} seconds: sign a new one (and check both clocks)",
        rfc3339(*timestamp),
        rfc3339(*now)
    )]
    Stale {
        /// The request's time.
        timestamp: i64,
        /// The collector's time.
        now: i64,
    },
}

impl AdminError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::Malformed(_) => "admin.malformed",
            AdminError::NoOfficialsKey => "admin.no_officials_key",
            AdminError::BadSignature => "admin.bad_signature",
            AdminError::Stale { .. } => "admin.stale",
        }
    }
}

/// The signed message.
pub fn close_message(context: &ContextHash, timestamp: i64) -> Vec<u8> {
    Writer::new()
        .fixed(ADMIN_CLOSE_LABEL)
        .fixed(&context.0)
        .i64(timestamp)
        .finish()
}

/// A close request signed with the officials' key at `now`.
pub fn sign_close(key: &SigningKey, context: &ContextHash, now: i64) -> CloseRequest {
    CloseRequest {
        timestamp: now,
        signature: key.sign(&close_message(context, now)).to_bytes(),
    }
}

/// Checks a close request's signature with `officials` and its timestamp against `now`.
pub fn check_close(
    request: &CloseRequest,
    officials: Option<&VerifyingKey>,
    context: &ContextHash,
    now: i64,
) -> Result<(), AdminError> {
    let officials = officials.ok_or(AdminError::NoOfficialsKey)?;
    officials
        .verify(
            &close_message(context, request.timestamp),
            &Signature::from_bytes(&request.signature),
        )
        .map_err(|_| AdminError::BadSignature)?;
    if request.timestamp.abs_diff(now) > MAX_SKEW.unsigned_abs() {
        return Err(AdminError::Stale {
            timestamp: request.timestamp,
            now,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fresh_request_signed_by_the_officials_for_this_election_passes() {
        let officials = SigningKey::from_bytes(&[1; 32]);
        let public = officials.verifying_key();
        let ctx = ContextHash([3; 32]);
        let r = sign_close(&officials, &ctx, 1000);
        assert_eq!(
            check_close(&r, Some(&public), &ctx, 1000 + MAX_SKEW),
            Ok(())
        );
        let code = |r: &CloseRequest, ctx: &ContextHash, now: i64| {
            check_close(r, Some(&public), ctx, now).unwrap_err().code()
        };
        assert_eq!(code(&r, &ctx, 1001 + MAX_SKEW), "admin.stale");
        let stale = check_close(&r, Some(&public), &ctx, 1_803_484_800).unwrap_err();
        assert!(
            stale.to_string().contains(
                "signed at 1970-01-01T00:16:40Z, but the collector's clock says \
                 2027-02-24T16:00:00Z"
            ),
            "dates in words, not Unix seconds: {stale}"
        );
        assert_eq!(code(&r, &ctx, 999 - MAX_SKEW), "admin.stale");
        assert_eq!(code(&r, &ContextHash([4; 32]), 1000), "admin.bad_signature");
        let other = sign_close(&SigningKey::from_bytes(&[2; 32]), &ctx, 1000);
        assert_eq!(code(&other, &ctx, 1000), "admin.bad_signature");
        let moved = CloseRequest {
            timestamp: 1001,
            ..r.clone()
        };
        assert_eq!(code(&moved, &ctx, 1000), "admin.bad_signature");
        // A signature that is not 128 hex digits no longer parses as a request: the API
        // answers it `admin.malformed` (its test: the_officials_close_the_box...).
        let junk = serde_json::json!({ "timestamp": 1000, "signature": "xyz" });
        assert!(serde_json::from_value::<CloseRequest>(junk).is_err());
        assert_eq!(
            check_close(&r, None, &ctx, 1000).unwrap_err().code(),
            "admin.no_officials_key"
        );
    }
}
