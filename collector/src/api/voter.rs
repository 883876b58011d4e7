//! What the voter app asks besides submitting: the election package's files (so the app
//! verifies the package itself against the officials' key it was given, and trusts nothing
//! of `/election`), and an authenticated query of the voter's own district and how many
//! ballots they have cast (so the app can say "you have voted before; this vote replaces
//! it" before the voter casts).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use ivote_protocol::challenge::SignedChallenge;
use ivote_protocol::submission::voter_info_message;
use ivote_protocol::wire::{PackageContents, VoterInfo, VoterInfoQuery};

use super::{accepting, ApiError, AppState};
use crate::decide::check_challenge;
use crate::reject::Rejection;

/// `GET /package`: `{ "files": { name: hex of the file's bytes } }`, every file of the
/// package the collector serves, byte for byte.
pub(super) async fn package(State(s): State<AppState>) -> Json<PackageContents> {
    Json(PackageContents {
        files: s.info.package_files.clone(),
    })
}

/// `POST /voter-info`: checks, in order, that voting is open (`election.*`), that the
/// challenge layout is this collector's signed challenge, good now and unused (`challenge.*`,
/// `request.bad_body` if it is no challenge layout; it is NOT used up: the same challenge
/// then goes into the ballot), the certificate (`eid.*` as for a submission), the
/// signature over `"ivote-v1/voter-info" ‖ context ‖ nonce`, and only then the roll
/// (`eid.not_on_roll`), so nobody learns from a certificate alone whether its holder is on
/// the roll. Answers the voter id, district, ballots cast, and the verification window and
/// count of this collector. Changes nothing.
pub(super) async fn voter_info(
    State(s): State<AppState>,
    body: Result<Json<VoterInfoQuery>, JsonRejection>,
) -> Result<Json<VoterInfo>, ApiError> {
    // Not JSON, a field missing, or a field that is not hex of the right length.
    let Json(VoterInfoQuery {
        certificate,
        challenge,
        signature,
    }) = body.map_err(|e| super::json_rejection(&e, || ApiError::BadBody))?;
    let now = (s.clock)();
    accepting(&s, now)?;
    let challenge = SignedChallenge::from_bytes(&challenge).map_err(|_| ApiError::BadBody)?;
    check_challenge(&s.election, s.store.view(), &challenge, now)?;
    let nonce = challenge.nonce;
    let e = &s.election;
    let cert = e
        .anchors
        .validate(&certificate, now, e.crl.as_ref())
        .map_err(Rejection::from)?;
    cert.verify_signature(&voter_info_message(&e.context, &nonce), &signature)
        .map_err(Rejection::from)?;
    let district = e.district_of(&cert, now).map_err(Rejection::from)?;
    let ballots_cast = s.store.ballots_cast(cert.voter_id()).await?;
    Ok(Json(VoterInfo {
        ballots_cast,
        district: district.to_owned(),
        verify_max: s.limits.verify_max,
        verify_window: s.limits.verify_window,
        voter_id: cert.voter_id().to_owned(),
    }))
}
