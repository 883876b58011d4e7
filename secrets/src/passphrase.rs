//! Trustees' passphrases: typed at a terminal prompt (nothing is echoed), or read from a file
//! for tests and demonstrations. Never taken from the command line itself, where other users
//! of the machine and the shell history would see it. Zeroized when dropped.

use std::path::Path;

use ivote_protocol::ceremony::CeremonyError;
use zeroize::Zeroizing;

use crate::SecretError;

type Result<T> = std::result::Result<T, SecretError>;

/// The shortest passphrase accepted for a new secret file, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// A passphrase. Zeroized on drop; Debug does not print it.
pub struct Passphrase(Zeroizing<String>);

impl core::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Passphrase(<secret>)")
    }
}

impl Passphrase {
    /// Wraps a passphrase (the caller's copy should be zeroizing too).
    pub fn new(text: Zeroizing<String>) -> Passphrase {
        Passphrase(text)
    }

    /// The passphrase's bytes (UTF-8), the Argon2id input.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Refuses a passphrase too short to protect a new secret file.
    pub fn check_strength(&self) -> Result<()> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            Err(SecretError::WeakPassphrase {
                min: MIN_PASSPHRASE_CHARS,
            })
        } else {
            Ok(())
        }
    }
}

/// The passphrases in a passphrase file: one per line (a trailing `\r` is dropped, empty lines
/// are skipped).
pub fn read_passphrase_file(path: &Path) -> Result<Vec<Passphrase>> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| SecretError::Read {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?);
    let text = core::str::from_utf8(&bytes)
        .map_err(|_| CeremonyError::malformed(&path.display().to_string(), "not UTF-8 text"))?;
    let lines: Vec<Passphrase> = text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(|l| Passphrase(Zeroizing::new(l.to_owned())))
        .collect();
    if lines.is_empty() {
        return Err(
            CeremonyError::malformed(&path.display().to_string(), "holds no passphrase").into(),
        );
    }
    Ok(lines)
}

/// Asks at the terminal (input not echoed). With `confirm`, asks twice and insists that both
/// agree (for a new secret file).
pub fn prompt(question: &str, confirm: bool) -> Result<Passphrase> {
    let first = Zeroizing::new(
        rpassword::prompt_password(question).map_err(|e| SecretError::Terminal(e.to_string()))?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Type it again: ")
                .map_err(|e| SecretError::Terminal(e.to_string()))?,
        );
        if *again != *first {
            return Err(SecretError::Differ);
        }
    }
    Ok(Passphrase(first))
}

/// Where a command gets passphrases from.
#[derive(Debug, Clone)]
pub enum PassphraseSource {
    /// Ask at the terminal.
    Prompt,
    /// A file with one passphrase per line: line `J` for trustee `J`, or a single line for
    /// every trustee.
    File(std::path::PathBuf),
}

impl PassphraseSource {
    /// Trustee `trustee`'s passphrase. `new_file` means a new secret file is being made: the
    /// prompt asks twice, and the strength is checked.
    pub fn get(&self, trustee: u32, new_file: bool) -> Result<Passphrase> {
        self.get_for(&format!("trustee {trustee}"), trustee, new_file)
    }

    /// The passphrase of `who` ("trustee 3", "the officials' signing key"): line `line` of a
    /// passphrase file (or its single line).
    pub fn get_for(&self, who: &str, line: u32, new_file: bool) -> Result<Passphrase> {
        let trustee = line;
        let p = match self {
            PassphraseSource::Prompt => prompt(
                &format!("Passphrase of {who} (not shown while you type): "),
                new_file,
            )?,
            PassphraseSource::File(path) => {
                let mut all = read_passphrase_file(path)?;
                let index = if all.len() == 1 {
                    Some(0)
                } else {
                    (trustee as usize).checked_sub(1)
                };
                let Some(index) = index.filter(|&i| i < all.len()) else {
                    return Err(CeremonyError::malformed(
                        &path.display().to_string(),
                        format!(
                            "has {} passphrases, none for {who} (one line per trustee, or a \
                             single line for all)",
                            all.len()
                        ),
                    )
                    .into());
                };
                all.swap_remove(index)
            }
        };
        if new_file {
            p.check_strength()?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lines_per_trustee_or_shared() {
        let dir = tempfile::tempdir().unwrap();
        let many = dir.path().join("many");
        std::fs::write(&many, "first-passphrase\r\n\nsecond-passphrase\n").unwrap();
        let src = PassphraseSource::File(many);
        assert_eq!(src.get(1, true).unwrap().as_bytes(), b"first-passphrase");
        assert_eq!(src.get(2, true).unwrap().as_bytes(), b"second-passphrase");
        assert!(src.get(3, false).is_err());
        let one = dir.path().join("one");
        std::fs::write(&one, "shared-passphrase\n").unwrap();
        let src = PassphraseSource::File(one);
        assert_eq!(src.get(5, false).unwrap().as_bytes(), b"shared-passphrase");
        let weak = dir.path().join("weak");
        std::fs::write(&weak, "short\n").unwrap();
        let src = PassphraseSource::File(weak);
        assert!(src.get(1, false).is_ok());
        let e = src.get(1, true).unwrap_err();
        assert_eq!(e.code(), Some("ceremony.weak_passphrase"));
        assert_eq!(
            format!("{:?}", src.get(1, false).unwrap()),
            "Passphrase(<secret>)"
        );
    }
}
