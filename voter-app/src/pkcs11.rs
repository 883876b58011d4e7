//! The voter's key on a smart card or another PKCS#11 token (an Estonian ID card through
//! OpenSC's `opensc-pkcs11.so`; SoftHSM2 in the tests), through the `cryptoki` crate
//! (docs/voter-app.md, "Voting with an ID card").
//!
//! 1. Load the module, list the tokens present (uninitialized ones hold nothing and are
//!    skipped), or the one `--pkcs11-token` names (its label or slot number).
//! 2. Read every X.509 certificate on them (public objects: no PIN yet) and keep those the
//!    election's trust anchors accept as a voter's authentication certificate. An Estonian
//!    card shows two tokens in OpenSC (PIN1: authentication, PIN2: signing); its signing
//!    certificate (keyUsage nonRepudiation) is refused by the e-ID check with
//!    `eid.signing_certificate`, so the PIN1 token is found without asking. Exactly one
//!    certificate must remain (`pkcs11.no_auth_certificate`, `pkcs11.several_certificates`).
//! 3. Ask for the PIN without echo (or read `--pin-file`), or let a PIN-pad reader take it;
//!    log in; the PIN is zeroized at once and never written anywhere.
//! 4. The private key is the one with the certificate's `CKA_ID` (the attribute PKCS#11
//!    defines for pairing a certificate with its key, as every card profile uses it). It
//!    signs: ECDSA (`CKM_ECDSA`) over SHA-256 / SHA-384 / SHA-512 for P-256 / P-384 /
//!    P-521, which PKCS#11 returns as r‖s, or RSA
//!    (`CKM_RSA_PKCS`, which every RSA token has) over the SHA-256 DigestInfo, which is
//!    RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2, §9.2): the forms `ivote_eid` verifies.
//!
//! Every failure has a stable `pkcs11.*` code and says what the voter can do; nothing the
//! module returns can make the app panic.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Slot, TokenInfo};
use cryptoki::types::AuthPin;
use ivote_eid::{EidError, KeyAlgorithm, VoterCertificate};
use sha2::Digest;
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::files::secret_line;

/// Where the key is: the module, which token, where the PIN comes from.
#[derive(Debug, Clone)]
pub struct TokenArgs {
    /// The PKCS#11 module (a shared library), e.g. OpenSC's
    /// `/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so`.
    pub module: PathBuf,
    /// The token to use: its label or its slot number (default: the one that holds an
    /// authentication certificate the election accepts).
    pub token: Option<String>,
    /// Tests and automation only: the PIN is the first line of this file.
    pub pin_file: Option<PathBuf>,
}

/// A logged-in token key that signs for one certificate. Logs out when dropped, then closes
/// its session and finalizes the module (fields drop in this order).
pub struct TokenKey {
    session: Session,
    _module: Module,
    key: ObjectHandle,
    algorithm: KeyAlgorithm,
    token: String,
}

/// A loaded and initialized module; finalized when dropped (which lets the card's
/// software release the reader). Declared after the sessions that use it, so that they
/// close first.
struct Module(Pkcs11);

impl Drop for Module {
    fn drop(&mut self) {
        let _ = self.0.clone().finalize();
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenKey({}, on \"{}\")", self.algorithm, self.token)
    }
}

impl Drop for TokenKey {
    fn drop(&mut self) {
        // The card forgets the PIN verification; the session closes after this.
        let _ = self.session.logout();
    }
}

/// The certificate found on the token, its DER, and its key ready to sign.
#[derive(Debug)]
pub struct TokenEid {
    /// The certificate, DER, as the token holds it.
    pub certificate: Vec<u8>,
    /// The certificate as the election's e-ID check accepted it.
    pub cert: VoterCertificate,
    /// The key.
    pub key: TokenKey,
}

/// A token present in the module's slots.
#[derive(Debug, Clone)]
struct TokenSeen {
    slot: Slot,
    label: String,
    info: TokenInfo,
}

impl fmt::Display for TokenSeen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" (slot {}, {} {}, serial {})",
            self.label,
            self.slot.id(),
            self.info.manufacturer_id().trim(),
            self.info.model().trim(),
            self.info.serial_number().trim()
        )
    }
}

/// A certificate on a token that the e-ID check accepted.
#[derive(Debug)]
struct Found {
    token: TokenSeen,
    id: Vec<u8>,
    label: String,
    der: Vec<u8>,
    cert: VoterCertificate,
    /// Whether its private key (same `CKA_ID`) is visible before login (OpenSC shows card
    /// keys; SoftHSM hides private objects until login).
    key_visible: bool,
}

/// A certificate on a token that the e-ID check refused.
#[derive(Debug)]
struct Refused {
    token: String,
    label: String,
    error: EidError,
}

/// The codes of e-ID refusals that only say "this certificate is not for signing votes".
const NOT_FOR_VOTING: [&str; 3] = [
    "eid.signing_certificate",
    "eid.key_usage",
    "eid.extended_key_usage",
];

fn module_error(module: &Path, e: &CkError) -> AppError {
    AppError::could_not_run(
        "pkcs11.module",
        format!(
            "cannot use the PKCS#11 module {} ({e}); for an Estonian ID card install OpenSC \
             (Debian and Ubuntu: apt install opensc pcscd) and give its module, \
             /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
            module.display()
        ),
    )
}

/// The module's answer to a call about the token, as the voter is told it.
fn token_error(what: &str, e: &CkError) -> AppError {
    match e {
        CkError::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::DeviceError,
            _,
        ) => AppError::could_not_run(
            "pkcs11.token_removed",
            format!(
                "the card was removed or stopped answering while {what} ({e}); no vote was \
                 sent: put the card back in the reader and vote again"
            ),
        ),
        CkError::Pkcs11(RvError::UserNotLoggedIn, _) => AppError::could_not_run(
            "pkcs11.logged_out",
            format!(
                "the card no longer accepts the PIN given at the start while {what} (another \
                 program may have used the card meanwhile); no vote was sent: vote again"
            ),
        ),
        _ => AppError::could_not_run(
            "pkcs11.failed",
            format!(
                "the card's PKCS#11 module failed while {what} ({e}); no vote was sent: \
                 take the card out, put it back and try again; if it keeps failing, the \
                 card or its software needs attention"
            ),
        ),
    }
}

/// What a login attempt's failure means to the voter (`tries_info`: the token's flags
/// read after the failure, for "one try left").
fn login_error(e: &CkError, tries_info: Option<&TokenInfo>) -> AppError {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => {
            let left = match tries_info {
                Some(i) if i.user_pin_final_try() => {
                    " Only ONE try is left before the PIN is blocked."
                }
                Some(i) if i.user_pin_count_low() => " Some tries have already failed.",
                _ => "",
            };
            AppError::refused(
                "pkcs11.pin_incorrect",
                format!(
                    "the PIN is not correct; no vote was sent.{left} On an Estonian ID card \
                     give PIN1 (the PIN for identification), not PIN2. After 3 wrong tries \
                     PIN1 is blocked and must be unblocked with the PUK (in the ID-software, \
                     DigiDoc4)"
                ),
            )
        }
        CkError::Pkcs11(RvError::PinLocked, _) => pin_locked(),
        CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => AppError::refused(
            "pkcs11.pin_invalid",
            "the card refused the PIN's length or characters; no vote was sent: give PIN1 \
             (4 to 12 digits on an Estonian ID card)",
        ),
        CkError::Pkcs11(RvError::FunctionCanceled, _) => AppError::refused(
            "pkcs11.cancelled",
            "the PIN entry was cancelled on the reader; no vote was sent",
        ),
        other => token_error("checking the PIN", other),
    }
}

fn pin_locked() -> AppError {
    AppError::refused(
        "pkcs11.pin_locked",
        "the card's PIN is blocked after too many wrong tries; no vote was sent: unblock PIN1 \
         with the PUK (on an Estonian ID card: in the ID-software, DigiDoc4, or at a police \
         and border guard service point) and vote again",
    )
}

/// The PIN as `cryptoki` takes it (a zeroizing secret string), checked against the
/// token's length limits before it is sent, so that a PIN that cannot be right does not
/// use up one of the card's tries.
fn checked_pin(pin: &Zeroizing<String>, info: &TokenInfo) -> Result<AuthPin, AppError> {
    // PKCS#11 counts a PIN's length in bytes.
    let len = pin.len();
    if len == 0 {
        return Err(AppError::refused(
            "pkcs11.pin_invalid",
            "no PIN was given; nothing was sent to the card: type PIN1",
        ));
    }
    let (min, max) = (info.min_pin_length(), info.max_pin_length());
    // A token that does not say its limits (0) is not held to them.
    if (min > 0 && len < min) || (max > 0 && len > max) {
        return Err(AppError::refused(
            "pkcs11.pin_invalid",
            format!(
                "a PIN of {len} characters cannot be right for this card (it takes {min} to \
                 {max}); nothing was sent to the card: give PIN1"
            ),
        ));
    }
    // A fresh exact-size copy: the typed string stays in its own zeroizing buffer.
    Ok(AuthPin::new(Box::from(pin.as_str())))
}

/// The PKCS#11 text fields are blank-padded, at most 32 bytes.
fn label_of(info: &TokenInfo) -> String {
    info.label().trim_end().to_owned()
}

fn attribute_bytes(attrs: &[Attribute], kind: AttributeType) -> Option<Vec<u8>> {
    attrs.iter().find_map(|a| match (a, kind) {
        (Attribute::Value(v), AttributeType::Value)
        | (Attribute::Id(v), AttributeType::Id)
        | (Attribute::Label(v), AttributeType::Label) => Some(v.clone()),
        _ => None,
    })
}

/// The tokens present (initialized), or the one `wanted` names.
fn tokens(ctx: &Pkcs11, module: &Path, wanted: Option<&str>) -> Result<Vec<TokenSeen>, AppError> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| module_error(module, &e))?;
    let mut seen = Vec::new();
    for slot in slots {
        // A slot whose token went away between the two calls is skipped.
        let Ok(info) = ctx.get_token_info(slot) else {
            continue;
        };
        if !info.token_initialized() {
            continue;
        }
        seen.push(TokenSeen {
            slot,
            label: label_of(&info),
            info,
        });
    }
    if seen.is_empty() {
        return Err(AppError::could_not_run(
            "pkcs11.no_token",
            format!(
                "no card was found through {}: put your ID card in the reader (is the reader \
                 connected, and is the smart card service pcscd running?) and try again",
                module.display()
            ),
        ));
    }
    let Some(wanted) = wanted else {
        return Ok(seen);
    };
    let chosen: Vec<TokenSeen> = seen
        .iter()
        .filter(|t| t.label == wanted || t.slot.id().to_string() == wanted)
        .cloned()
        .collect();
    if chosen.is_empty() {
        return Err(AppError::could_not_run(
            "pkcs11.no_token",
            format!(
                "no token \"{wanted}\" (by label or slot number) through {}; the tokens \
                 present are: {}",
                module.display(),
                list(&seen)
            ),
        ));
    }
    Ok(chosen)
}

fn list(tokens: &[TokenSeen]) -> String {
    tokens
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The X.509 certificates on one token, each checked with `check`.
fn certificates(
    ctx: &Pkcs11,
    token: &TokenSeen,
    check: &dyn Fn(&[u8]) -> Result<VoterCertificate, EidError>,
    found: &mut Vec<Found>,
    refused: &mut Vec<Refused>,
) -> Result<(), AppError> {
    let what = format!("reading the certificates on \"{}\"", token.label);
    let session = ctx
        .open_ro_session(token.slot)
        .map_err(|e| token_error(&what, &e))?;
    let handles = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ])
        .map_err(|e| token_error(&what, &e))?;
    for handle in handles {
        let attrs = session
            .get_attributes(
                handle,
                &[
                    AttributeType::Value,
                    AttributeType::Id,
                    AttributeType::Label,
                ],
            )
            .map_err(|e| token_error(&what, &e))?;
        let Some(der) = attribute_bytes(&attrs, AttributeType::Value) else {
            continue;
        };
        let id = attribute_bytes(&attrs, AttributeType::Id).unwrap_or_default();
        let label = attribute_bytes(&attrs, AttributeType::Label)
            .map(|l| String::from_utf8_lossy(&l).trim_end().to_owned())
            .unwrap_or_default();
        match check(&der) {
            Ok(cert) => {
                let key_visible = !private_keys(&session, &id)
                    .map_err(|e| token_error(&what, &e))?
                    .is_empty();
                found.push(Found {
                    token: token.clone(),
                    id,
                    label,
                    der,
                    cert,
                    key_visible,
                });
            }
            Err(error) => refused.push(Refused {
                token: token.label.clone(),
                label,
                error,
            }),
        }
    }
    Ok(())
}

fn private_keys(session: &Session, id: &[u8]) -> Result<Vec<ObjectHandle>, CkError> {
    session.find_objects(&[
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Id(id.to_vec()),
    ])
}

/// Which certificate to sign with (see the module docs, step 2).
fn choose(found: Vec<Found>, refused: Vec<Refused>) -> Result<Found, AppError> {
    if found.is_empty() {
        // A certificate that is not for voting only says so when nothing else is wrong: an
        // expired or revoked authentication certificate is the thing to tell.
        if let Some(r) = refused
            .iter()
            .find(|r| !NOT_FOR_VOTING.contains(&r.error.code()))
        {
            return Err(AppError::refused(
                r.error.code(),
                format!(
                    "the certificate \"{}\" on \"{}\": {}",
                    r.label, r.token, r.error
                ),
            ));
        }
        let seen = if refused.is_empty() {
            "the card holds no certificate".to_owned()
        } else {
            format!(
                "the card holds only {}",
                refused
                    .iter()
                    .map(|r| format!(
                        "\"{}\" on \"{}\" ({} [{}])",
                        r.label,
                        r.token,
                        if r.error.code() == "eid.signing_certificate" {
                            "a signing certificate, PIN2"
                        } else {
                            "not for identification"
                        },
                        r.error.code()
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(AppError::refused(
            "pkcs11.no_auth_certificate",
            format!(
                "{seen}; a vote is signed with the authentication certificate (PIN1 on an \
                 Estonian ID card: keyUsage digitalSignature, extended key usage clientAuth), \
                 never with the signing certificate (PIN2). If the card is new or was renewed, \
                 check in the ID-software (DigiDoc4) that its certificates are valid"
            ),
        ));
    }
    let several = |what: &str, list: String| {
        AppError::refused(
            "pkcs11.several_certificates",
            format!(
                "{what}: {list}; choose one with --pkcs11-token LABEL_OR_SLOT, or take the \
                 other cards out"
            ),
        )
    };
    let describe = |found: &[Found]| {
        found
            .iter()
            .map(|f| format!("\"{}\" ({}) on {}", f.label, f.cert.voter_id(), f.token))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut distinct: Vec<&[u8]> = found.iter().map(|f| f.der.as_slice()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() > 1 {
        return Err(several(
            "there are several authentication certificates",
            describe(&found),
        ));
    }
    // One certificate, shown in one slot or in several (virtual slots of one card): the
    // slot where its key shows is the one to log in to. Never guess: a PIN given to
    // another slot would count a wrong try on that slot's PIN.
    let with_key = found.iter().filter(|f| f.key_visible).count();
    if found.len() > 1 && with_key != 1 {
        return Err(several(
            "the authentication certificate shows on several tokens",
            describe(&found),
        ));
    }
    let pick = found
        .iter()
        .position(|f| f.key_visible || with_key == 0)
        .unwrap_or(0);
    found
        .into_iter()
        .nth(pick)
        .ok_or_else(|| several("no certificate", String::new()))
}

/// The DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2, note 1): what `CKM_RSA_PKCS`
/// pads and signs for RSASSA-PKCS1-v1_5 with SHA-256.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Opens the token and finds the voter's authentication certificate (each certificate on
/// the tokens checked with `check`: the election's trust anchors and CRL, now), asks for
/// the PIN (messages to `out`, the PIN itself at the terminal without echo) and logs in.
pub fn open(
    args: &TokenArgs,
    check: &dyn Fn(&[u8]) -> Result<VoterCertificate, EidError>,
    out: &mut dyn Write,
) -> Result<TokenEid, AppError> {
    let module = Module(Pkcs11::new(&args.module).map_err(|e| module_error(&args.module, &e))?);
    let ctx = &module.0;
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(|e| module_error(&args.module, &e))?;
    let tokens = tokens(ctx, &args.module, args.token.as_deref())?;
    let (mut found, mut refused) = (Vec::new(), Vec::new());
    for token in &tokens {
        certificates(ctx, token, check, &mut found, &mut refused)?;
    }
    let chosen = choose(found, refused)?;
    let algorithm = chosen.cert.algorithm();
    if algorithm == KeyAlgorithm::Ed25519 {
        return Err(AppError::refused(
            "pkcs11.unsupported_key",
            format!(
                "the certificate \"{}\" has an Ed25519 key, which the app does not sign with \
                 on a token (ID cards use ECDSA or RSA)",
                chosen.label
            ),
        ));
    }
    let what = format!("opening \"{}\"", chosen.token.label);
    let session = ctx
        .open_ro_session(chosen.token.slot)
        .map_err(|e| token_error(&what, &e))?;
    login(ctx, &session, &chosen, args, out)?;
    let keys = private_keys(&session, &chosen.id).map_err(|e| token_error(&what, &e))?;
    let Some(&key) = keys.first() else {
        return Err(AppError::refused(
            "pkcs11.no_private_key",
            format!(
                "the card \"{}\" holds the certificate \"{}\" but no private key with its \
                 id ({}); nothing was sent: the card's software may be out of date, or the \
                 certificate was put on the token without its key",
                chosen.token.label,
                chosen.label,
                hex::encode(&chosen.id)
            ),
        ));
    };
    Ok(TokenEid {
        certificate: chosen.der,
        cert: chosen.cert,
        key: TokenKey {
            session,
            _module: module,
            key,
            algorithm,
            token: chosen.token.label,
        },
    })
}

/// Logs in to the chosen token: a PIN-pad reader takes the PIN itself; otherwise it is
/// asked for (or read from `--pin-file`), checked against the token's limits, sent, and
/// zeroized.
fn login(
    ctx: &Pkcs11,
    session: &Session,
    chosen: &Found,
    args: &TokenArgs,
    out: &mut dyn Write,
) -> Result<(), AppError> {
    let slot = chosen.token.slot;
    let info = ctx
        .get_token_info(slot)
        .map_err(|e| token_error("reading the card's state", &e))?;
    if info.user_pin_locked() {
        return Err(pin_locked());
    }
    if !info.login_required() {
        return Ok(());
    }
    let who = crate::screens::signer(chosen.cert.common_name(), chosen.cert.voter_id());
    let result = if info.protected_authentication_path() && args.pin_file.is_none() {
        let _ = writeln!(
            out,
            "Type PIN1 of {who} on the card reader's keypad (card \"{}\").",
            chosen.token.label
        );
        let _ = out.flush();
        session.login(UserType::User, None)
    } else {
        if info.user_pin_final_try() {
            let _ = writeln!(
                out,
                "WARNING: only ONE try is left before this card's PIN is blocked."
            );
            let _ = out.flush();
        }
        let typed = secret_line(
            args.pin_file.as_deref(),
            &format!("PIN1 of {who} (card \"{}\"): ", chosen.token.label),
            "the card's PIN (PIN1)",
            "--pin-file",
        )?;
        let pin = checked_pin(&typed, &info)?;
        drop(typed);
        session.login(UserType::User, Some(&pin))
    };
    match result {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(e) => Err(login_error(&e, ctx.get_token_info(slot).ok().as_ref())),
    }
}

impl TokenKey {
    /// The key's algorithm (the certificate's).
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// Signs `message` on the token (see the module docs, step 4). The caller checks the
    /// signature against the certificate.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, AppError> {
        let (mechanism, data) = match self.algorithm {
            KeyAlgorithm::EcdsaP256 => (Mechanism::Ecdsa, sha2::Sha256::digest(message).to_vec()),
            KeyAlgorithm::EcdsaP384 => (Mechanism::Ecdsa, sha2::Sha384::digest(message).to_vec()),
            KeyAlgorithm::EcdsaP521 => (Mechanism::Ecdsa, sha2::Sha512::digest(message).to_vec()),
            KeyAlgorithm::Rsa(_) => (
                Mechanism::RsaPkcs,
                [&SHA256_DIGEST_INFO[..], &sha2::Sha256::digest(message)].concat(),
            ),
            // Refused in `open`.
            KeyAlgorithm::Ed25519 => {
                return Err(AppError::refused(
                    "pkcs11.unsupported_key",
                    "Ed25519 keys on a token are not supported",
                ))
            }
        };
        self.session
            .sign(&mechanism, self.key, &data)
            .map_err(|e| token_error(&format!("signing on \"{}\"", self.token), &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkcs11_error(rv: RvError) -> CkError {
        CkError::Pkcs11(rv, cryptoki::context::Function::Login)
    }

    /// The codes a voter sees for what the card answers at login (SoftHSM never blocks a
    /// PIN, so the blocked case is only reachable here).
    #[test]
    fn login_failures_have_their_codes() {
        let code = |rv| login_error(&pkcs11_error(rv), None).code;
        assert_eq!(code(RvError::PinIncorrect), "pkcs11.pin_incorrect");
        assert_eq!(code(RvError::PinLocked), "pkcs11.pin_locked");
        assert_eq!(code(RvError::PinLenRange), "pkcs11.pin_invalid");
        assert_eq!(code(RvError::FunctionCanceled), "pkcs11.cancelled");
        assert_eq!(code(RvError::DeviceRemoved), "pkcs11.token_removed");
        assert_eq!(code(RvError::GeneralError), "pkcs11.failed");
        let signing = token_error("signing", &pkcs11_error(RvError::UserNotLoggedIn));
        assert_eq!(signing.code, "pkcs11.logged_out");
        let locked = login_error(&pkcs11_error(RvError::PinLocked), None);
        assert!(locked.message.contains("PUK"), "{locked}");
    }
}
