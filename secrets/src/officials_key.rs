//! The officials' Ed25519 signing key at rest: `officials-key.SECRET.json` (a secret file
//! bound to the label "officials-key", election id "", trustee 0) and `officials-key.hex`
//! (the public key). `tally` signs the package and roll change lists with it; `collector
//! close` signs the request that closes the ballot box.

use std::path::Path;

use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use crate::passphrase::PassphraseSource;
use crate::secret_file::{self, KdfFloor, SecretKind, SecretLabel};
use crate::SecretError;

/// The secret file of the officials' signing key.
pub const SECRET_FILE: &str = "officials-key.SECRET.json";
/// The officials' public key, 64 hex digits and a newline: give it to every program that
/// loads the package.
pub const PUBLIC_FILE: &str = "officials-key.hex";
/// How passphrase prompts and messages name the key.
pub const WHO: &str = "the officials' signing key";

/// The label every officials' key file is bound to.
pub fn label() -> SecretLabel {
    SecretLabel {
        kind: SecretKind::OfficialsKey,
        election_id: String::new(),
        trustee: 0,
        ceremony_context: None,
    }
}

/// Opens the officials' secret key file at `path`, which must reach `floor`: checks it
/// first, then asks `source` for the passphrase (so that the public key file given by
/// mistake is named, not prompted for).
pub fn unlock(
    path: &Path,
    source: &PassphraseSource,
    floor: KdfFloor,
) -> Result<SigningKey, SecretError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SecretError::Read {
        path: name.clone(),
        detail: e.to_string(),
    })?;
    let sealed = secret_file::read(&name, &bytes, &label(), floor)?;
    let pass = source.get_for(WHO, 1, false)?;
    let plain = sealed.open(&pass)?;
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(plain.as_slice().try_into().map_err(|_| {
        SecretError::from(ivote_protocol::ceremony::CeremonyError::malformed(
            &name,
            "it does not hold a 32-byte key",
        ))
    })?);
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret_file::{seal, KdfParams};
    use rand::rngs::OsRng;

    #[test]
    fn unlocks_what_was_sealed_and_refuses_a_wrong_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::generate(&mut OsRng);
        let pass = dir.path().join("pass");
        std::fs::write(&pass, "officials passphrase\n").unwrap();
        let source = PassphraseSource::File(pass.clone());
        let sealed = seal(
            &label(),
            key.as_bytes(),
            &source.get_for(WHO, 1, true).unwrap(),
            KdfParams::INSECURE_FAST_FOR_TESTS,
            &mut OsRng,
        )
        .unwrap();
        let file = dir.path().join(SECRET_FILE);
        std::fs::write(&file, sealed).unwrap();
        assert_eq!(
            unlock(&file, &source, KdfFloor::InsecureAllowTestParameters)
                .unwrap()
                .as_bytes(),
            key.as_bytes()
        );
        std::fs::write(&pass, "another passphrase\n").unwrap();
        let err = unlock(&file, &source, KdfFloor::InsecureAllowTestParameters).unwrap_err();
        assert_eq!(err.code(), Some("ceremony.wrong_passphrase"));
        assert_eq!(
            err.to_string(),
            "wrong passphrase for the officials' signing key file"
        );
        // Without allowing test parameters, the cheap file is refused before any prompt.
        let err = unlock(&file, &PassphraseSource::Prompt, KdfFloor::Production).unwrap_err();
        assert_eq!(err.code(), Some("ceremony.weak_kdf"));
        let missing = unlock(&dir.path().join("none"), &source, KdfFloor::Production).unwrap_err();
        assert_eq!(missing.code(), None);
    }

    #[test]
    fn the_public_key_file_is_named_before_any_passphrase_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let public = SigningKey::generate(&mut OsRng).verifying_key();
        let file = dir.path().join(PUBLIC_FILE);
        std::fs::write(&file, format!("{}\n", hex::encode(public.as_bytes()))).unwrap();
        // A prompt would fail without a terminal: the refusal comes first.
        let err = unlock(&file, &PassphraseSource::Prompt, KdfFloor::Production).unwrap_err();
        assert_eq!(err.code(), Some("ceremony.mismatch"));
        let message = err.to_string();
        assert!(message.contains("it is a public key"), "{message}");
        assert!(message.contains(".SECRET.json"), "{message}");
    }
}
