//! SoftHSM2 tokens for the smart-card tests (Debian's `softhsm2`): tokens in a temporary
//! folder of their own (their own `softhsm2.conf` and token directory, nothing in the
//! system's), holding demo voters' keys and certificates as an ID card holds them: a
//! private key and an X.509 certificate object with the same `CKA_ID`.
//!
//! The key is imported with `softhsm2-util --import` (PKCS#8 PEM); the certificate is
//! written with `cryptoki`, so no other package is needed. SoftHSM finds its configuration
//! through the environment variable `SOFTHSM2_CONF`: programs run by a test get it with
//! [`SoftHsm::env`]; code in the test's own process runs inside [`SoftHsm::with_env`],
//! which sets it under a lock shared by every test of the process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use x509_parser::prelude::FromDer;

/// Debian's SoftHSM2 PKCS#11 module.
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The tool that initializes tokens and imports keys.
const UTIL: &str = "softhsm2-util";
/// Every token's security officer PIN (the tests never use it).
const SO_PIN: &str = "87654321";

/// The lock under which `SOFTHSM2_CONF` is set in this process.
static ENV: Mutex<()> = Mutex::new(());

/// SoftHSM2's module path; panics, saying how to install it, if SoftHSM2 is missing (a
/// smart-card test that cannot run fails: it never passes without testing).
pub fn module() -> &'static Path {
    let installed = Path::new(MODULE).exists()
        && Command::new(UTIL)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "SoftHSM2 is not installed ({MODULE} and {UTIL} are needed by the smart-card \
         tests): install it with `apt-get install -y softhsm2` (.ci/run does)"
    );
    Path::new(MODULE)
}

/// A SoftHSM2 of its own in a temporary folder.
#[derive(Debug)]
pub struct SoftHsm {
    dir: tempfile::TempDir,
}

impl SoftHsm {
    /// A fresh SoftHSM2 with no token yet (beside the free slot SoftHSM always shows).
    pub fn new() -> Self {
        module();
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        SoftHsm { dir }
    }

    /// Its configuration file, for `SOFTHSM2_CONF`.
    pub fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    /// The environment a program needs to see these tokens.
    pub fn env(&self) -> (&'static str, PathBuf) {
        ("SOFTHSM2_CONF", self.conf())
    }

    /// Runs `f` with `SOFTHSM2_CONF` pointing at these tokens, under the process-wide lock
    /// (not reentrant: do not call [`SoftHsm::add_token`] or [`SoftHsm::import`] inside).
    pub fn with_env<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        std::env::set_var("SOFTHSM2_CONF", self.conf());
        f()
    }

    fn util(&self, args: &[&str]) {
        let out = Command::new(UTIL)
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{UTIL} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Initializes a new token `label` whose user PIN is `pin`.
    pub fn add_token(&self, label: &str, pin: &str) {
        self.util(&[
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            SO_PIN,
        ]);
    }

    /// Puts a key pair on token `label` as a card holds it: the private key (PKCS#8 PEM)
    /// and the certificate (PEM or DER), both with `CKA_ID` `id` and the label
    /// `object_label`.
    pub fn import(
        &self,
        token: &str,
        pin: &str,
        key_pkcs8_pem: &str,
        cert: &[u8],
        id: &[u8],
        object_label: &str,
    ) {
        let key_file = self.dir.path().join("import-key.pem");
        std::fs::write(&key_file, key_pkcs8_pem).unwrap();
        self.util(&[
            "--import",
            key_file.to_str().unwrap(),
            "--token",
            token,
            "--pin",
            pin,
            "--id",
            &hex::encode(id),
            "--label",
            object_label,
        ]);
        std::fs::remove_file(&key_file).unwrap();
        self.put_certificate(token, pin, cert, id, object_label);
    }

    /// Writes an X.509 certificate (PEM or DER) as a public certificate object on the token,
    /// with `cryptoki`.
    pub fn put_certificate(&self, token: &str, pin: &str, cert: &[u8], id: &[u8], label: &str) {
        let der = if cert.starts_with(b"-----BEGIN") {
            x509_parser::pem::parse_x509_pem(cert).unwrap().1.contents
        } else {
            cert.to_vec()
        };
        let der = der.as_slice();
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).unwrap();
        let subject = cert.tbs_certificate.subject.as_raw().to_vec();
        self.with_env(|| {
            let ctx = Pkcs11::new(MODULE).unwrap();
            ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
                .unwrap();
            let slot = ctx
                .get_slots_with_initialized_token()
                .unwrap()
                .into_iter()
                .find(|&s| ctx.get_token_info(s).unwrap().label().trim_end() == token)
                .unwrap_or_else(|| panic!("no SoftHSM token {token}"));
            {
                let session = ctx.open_rw_session(slot).unwrap();
                session
                    .login(UserType::User, Some(&AuthPin::from(pin)))
                    .unwrap();
                session
                    .create_object(&[
                        Attribute::Class(ObjectClass::CERTIFICATE),
                        Attribute::CertificateType(CertificateType::X_509),
                        Attribute::Token(true),
                        Attribute::Private(false),
                        Attribute::Id(id.to_vec()),
                        Attribute::Label(label.as_bytes().to_vec()),
                        Attribute::Subject(subject),
                        Attribute::Value(der.to_vec()),
                    ])
                    .unwrap();
                session.logout().unwrap();
            }
            ctx.finalize().unwrap();
        });
    }
}

impl Default for SoftHsm {
    fn default() -> Self {
        Self::new()
    }
}
