//! A real election package, built through tally's library from its demo PKI, for the
//! collector's tests (the unit tests include this file too, with `#[path]`).

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};

use clap::Parser;

/// The files of a complete setup in a temporary folder: `package/`, `pki/roll.csv`,
/// `collector/` (the collector's key, from `collector keygen` or the test).
pub struct Setup {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Setup {
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    pub fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    /// The officials' public key, hex.
    pub fn officials_key_hex(&self) -> String {
        std::fs::read_to_string(self.path("officials/officials-key.hex"))
            .unwrap()
            .trim()
            .to_owned()
    }
}

fn tally(args: &[&str]) {
    let cli =
        tally::Cli::try_parse_from(std::iter::once("tally").chain(args.iter().copied())).unwrap();
    tally::run(cli).unwrap_or_else(|e| panic!("tally {args:?}: {e:#}"));
}

/// Demo PKI for 6 voters, a 2-of-3 ceremony, the officials' key, and a package whose
/// collector key is the hex file `collector_key` (e.g. written by `collector keygen`).
pub fn setup(collector_key: impl FnOnce(&Path) -> PathBuf) -> Setup {
    setup_with_manifest(
        include_str!("../../../docs/examples/manifest.toml"),
        collector_key,
    )
}

/// [`setup`] for another manifest (e.g. the example with a voting window around now, for
/// tests that vote against a real `collector serve`).
pub fn setup_with_manifest(
    manifest_toml: &str,
    collector_key: impl FnOnce(&Path) -> PathBuf,
) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let st = Setup {
        root: tmp.path().to_owned(),
        _tmp: tmp,
    };
    std::fs::write(st.path("manifest.toml"), manifest_toml).unwrap();
    std::fs::write(st.path("pass.txt"), "a passphrase for tests\n").unwrap();
    let (manifest, pki, pass) = (st.p("manifest.toml"), st.p("pki"), st.p("pass.txt"));
    tally(&[
        "insecure-demo-pki",
        "--voters",
        "6",
        "--manifest",
        &manifest,
        "--out",
        &pki,
    ]);
    let ceremony = st.p("ceremony");
    tally(&[
        "ceremony",
        "run-all",
        "--election-id",
        "example-2027",
        "--trustees",
        "3",
        "--threshold",
        "2",
        "--dir",
        &ceremony,
        "--passphrase-file",
        &pass,
        "--insecure-fast-kdf",
    ]);
    let officials = st.p("officials");
    tally(&[
        "officials-key",
        "generate",
        "--out",
        &officials,
        "--passphrase-file",
        &pass,
        "--insecure-fast-kdf",
    ]);
    let collector_key = collector_key(&st.root);
    let (roll, anchors, crl) = (
        st.p("pki/roll.csv"),
        st.p("pki/trust-anchors.pem"),
        st.p("pki/crl.pem"),
    );
    let (secret, package) = (st.p("officials/officials-key.SECRET.json"), st.p("package"));
    tally(&[
        "package",
        "build",
        "--manifest",
        &manifest,
        "--roll",
        &roll,
        "--country",
        "EE",
        "--trust-anchors",
        &anchors,
        "--crl",
        &crl,
        "--ceremony",
        &ceremony,
        "--collector-key",
        collector_key.to_str().unwrap(),
        "--officials-key",
        &secret,
        "--passphrase-file",
        &pass,
        "--out",
        &package,
        "--now",
        "2026-01-01T00:00:00Z",
    ]);
    st
}
