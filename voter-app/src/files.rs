//! The app's edges: files and the passphrase (the clock is `ivote_protocol::clock`).

use std::io::Write;
use std::path::Path;

use ivote_eid::VoterKey;
use zeroize::Zeroizing;

use crate::eid_files::{certificate_der, key_from_bytes, Passphrase};
use crate::error::AppError;
use crate::messages::{fill, text, Lang, Msg};

/// Reads a file (`app.read_file`, could not run).
pub fn read(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| {
        AppError::could_not_run(
            "app.read_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// Checks, before a vote is sent, that the receipt can be written to `path`: the file is
/// opened for writing (created if missing, then removed again; an existing one is not
/// changed). `app.receipt_not_writable` names the file and the reason; nothing was sent.
pub fn check_writable(path: &Path) -> Result<(), AppError> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| {
            AppError::could_not_run_in(
                "app.receipt_not_writable",
                Msg::ReceiptNotWritable,
                &[
                    ("path", &path.display().to_string()),
                    ("reason", &e.to_string()),
                ],
            )
        })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// The certificate's DER, from a PEM (`-----BEGIN CERTIFICATE-----`) or DER file.
pub fn read_certificate(path: &Path) -> Result<Vec<u8>, AppError> {
    certificate_der(read(path)?, &path.display().to_string())
}

/// A secret the voter types: the first line of `file` (scripts and tests), or typed at the
/// terminal after `prompt` without echo. `what` names it in errors ("the key's passphrase",
/// "the PIN"); `file_option` is the option that gives the file. Held in zeroizing memory.
pub fn secret_line(
    file: Option<&Path>,
    prompt: &str,
    what: &str,
    file_option: &str,
) -> Result<Zeroizing<String>, AppError> {
    match file {
        Some(f) => {
            let bytes = Zeroizing::new(read(f)?);
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                AppError::refused(
                    "app.bad_passphrase_file",
                    format!("{} is not UTF-8 text", f.display()),
                )
            })?;
            let line = text.lines().next().unwrap_or_default();
            Ok(Zeroizing::new(
                line.strip_suffix('\r').unwrap_or(line).to_owned(),
            ))
        }
        None => rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| {
                AppError::could_not_run(
                    "app.no_terminal",
                    format!(
                        "{what} is needed, and it cannot be asked for here ({e}); run the app \
                         in a terminal, or give {file_option}"
                    ),
                )
            }),
    }
}

/// How many times the key's passphrase is asked for at the terminal before the app gives
/// up (a passphrase file is read once: retrying it gives the same answer).
pub const PASSPHRASE_TRIES: u32 = 3;

/// The e-ID private key: PKCS#8, PEM or DER; an encrypted one (`ENCRYPTED PRIVATE KEY`, or
/// DER that is not a plain key) asks for its passphrase, again after a wrong one (up to
/// [`PASSPHRASE_TRIES`] times, saying so on `out` in `lang`), and refuses with
/// `eid.wrong_passphrase` after the last.
pub fn read_key(
    path: &Path,
    passphrase_file: Option<&Path>,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<VoterKey, AppError> {
    let tries = if passphrase_file.is_some() {
        1
    } else {
        PASSPHRASE_TRIES
    };
    read_key_asking(
        path,
        &mut || {
            secret_line(
                passphrase_file,
                text(Msg::PassphrasePrompt, lang),
                "the passphrase of your e-ID key",
                "--passphrase-file",
            )
        },
        tries,
        lang,
        out,
    )
}

/// [`read_key`] with the passphrase from `ask`, asked at most `tries` times.
fn read_key_asking(
    path: &Path,
    ask: &mut dyn FnMut() -> Result<Zeroizing<String>, AppError>,
    tries: u32,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<VoterKey, AppError> {
    let bytes = Zeroizing::new(read(path)?);
    let exhausted = if tries > 1 {
        Msg::WrongPassphraseTries
    } else {
        Msg::WrongPassphraseFile
    };
    let passphrase = Passphrase {
        ask,
        tries,
        retry: &mut |left| {
            let left = left.to_string();
            let _ = writeln!(
                out,
                "{}",
                fill(Msg::PassphraseRetry, lang, &[("left", &left)])
            );
            let _ = out.flush();
        },
        exhausted,
    };
    key_from_bytes(&bytes, &path.display().to_string(), passphrase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_eid::insecure_demo_pki::{DemoCa, VoterSpec};
    use ivote_eid::KeyAlgorithm;

    /// A demo voter's key file, encrypted under `pass`.
    fn encrypted_key(dir: &Path, pass: &str) -> std::path::PathBuf {
        let ca = DemoCa::new("Test CA", KeyAlgorithm::EcdsaP256, 0, 4_000_000_000).unwrap();
        let voter = ca
            .issue(&VoterSpec::new(
                "38001085718",
                KeyAlgorithm::EcdsaP256,
                0,
                4_000_000_000,
            ))
            .unwrap();
        let path = dir.join("key.pem");
        std::fs::write(&path, voter.encrypted_pkcs8_pem(pass.as_bytes()).unwrap()).unwrap();
        path
    }

    fn answers<'a>(
        typed: &'a [&'a str],
    ) -> impl FnMut() -> Result<Zeroizing<String>, AppError> + 'a {
        let mut next = typed.iter();
        move || {
            next.next()
                .map(|p| Zeroizing::new((*p).to_owned()))
                .ok_or_else(|| AppError::refused("test.asked_too_often", "asked again"))
        }
    }

    #[test]
    fn a_wrong_passphrase_is_asked_again_and_the_right_one_opens_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = encrypted_key(dir.path(), "right");
        let mut out = Vec::new();
        let key = read_key_asking(
            &path,
            &mut answers(&["wrong", "right"]),
            3,
            Lang::En,
            &mut out,
        );
        assert!(key.is_ok(), "{key:?}");
        let said = String::from_utf8(out).unwrap();
        assert!(
            said.contains("does not open your e-ID key") && said.contains("(tries left: 2)"),
            "{said}"
        );
    }

    #[test]
    fn after_the_last_wrong_try_the_app_stops_and_says_nothing_was_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = encrypted_key(dir.path(), "right");
        let mut out = Vec::new();
        let err = read_key_asking(
            &path,
            &mut answers(&["a", "b", "c", "right"]),
            3,
            Lang::Et,
            &mut out,
        )
        .unwrap_err();
        assert_eq!(err.code, "eid.wrong_passphrase");
        assert!(err.message.contains("(tries: 3)") && err.message.contains("nothing was sent"));
        // In the voter's language: the retries, and the refusal as the app says it.
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("See parool ei ava teie e-ID võtit"));
        assert!(err
            .in_language(Lang::Et)
            .starts_with("keeldutud [eid.wrong_passphrase]: parool ei ava teie e-ID võtit"));
        // A passphrase file is read once: the same wrong line would come back.
        let err = read_key_asking(
            &path,
            &mut answers(&["a", "right"]),
            1,
            Lang::En,
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(err.message.contains("passphrase file"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_key_is_said_in_words_with_the_parser_s_words_as_detail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.pem");
        std::fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let err = read_key(&path, None, Lang::En, &mut Vec::new()).unwrap_err();
        assert_eq!(err.code, "eid.malformed");
        assert!(
            err.message.contains("is not an e-ID private key file"),
            "{err}"
        );
        assert!(!err.message.contains("PEM"), "{err}");
        assert!(
            err.detail.as_deref().is_some_and(|d| d.contains("PEM")),
            "{err:?}"
        );
    }
}
