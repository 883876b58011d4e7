//! `tally package ...`.

pub mod build;
pub mod verify;

use clap::Subcommand;

/// The election package.
#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Build and sign the election package that every program loads.
    ///
    /// Reads and checks the manifest (the voting window must start in the future unless
    /// --allow-past), the voter roll (against the manifest, for --country), the e-ID trust
    /// anchors, CRL and OCSP settings, the key ceremony folder (ceremony.json is re-verified in full and
    /// joint-key.hex must be its election key), the collector's public key, and the officials'
    /// secret key (asks for its passphrase). Writes the package folder given with --out
    /// (manifest.toml, roll.sha256, trust-anchors.pem, crl.pem, ocsp.toml, ceremony.json, joint-key.hex,
    /// collector-key.hex, package.json, package.sig); the folder must not exist yet. The
    /// package is loaded back as every program will load it before anything is written.
    ///
    /// Prints the context hash: read it aloud and publish it (e.g. in the official gazette),
    /// so that anyone can check their copy with `tally package verify --context HASH`.
    Build(Box<build::BuildArgs>),
    /// Check an election package as every program loading it does.
    ///
    /// Reads the package folder. Writes nothing. Checks, and prints with its result: the
    /// signature of the index with the officials' public key (or, with --context, that the
    /// package has the published context hash), that every file is there with the hash the
    /// index gives and nothing else is, the manifest, the roll hash, the collector's key, the
    /// key ceremony transcript (every proof re-verified) and that joint-key.hex is its key, the
    /// trust anchors, the CRL and the OCSP settings. Exits with status 1 if the package is refused: do not use it,
    /// get it again from the officials.
    Verify(verify::VerifyArgs),
}
