//! The election as the app trusts it: the package's files fetched from the collector
//! (`GET /package`) and verified here with `verify_and_load` against the officials' key or
//! a pinned context hash the voter was given out of band. Nothing the collector says about
//! the election (`/election`) is used.

use ed25519_dalek::VerifyingKey;
use ivote_eid::TrustError;
use ivote_protocol::acceptance::{LoadError, LoadedPackage};
use ivote_protocol::manifest::{Contest, District};
use ivote_protocol::package::{verify_and_load, ContextHash, ElectionPackage, PackageTrust};

#[cfg(feature = "cli")]
use crate::client::Collector;
use crate::error::AppError;
use crate::messages::Lang;

/// What the voter trusts the package by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The officials' Ed25519 public key.
    OfficialsKey(VerifyingKey),
    /// The published context hash.
    Context(ContextHash),
}

impl Trust {
    /// From the command line's `--officials-key FILE_OR_HEX` or `--context HEX` (exactly
    /// one).
    pub fn from_flags(
        officials_key: Option<&str>,
        context: Option<&str>,
    ) -> Result<Trust, AppError> {
        match (officials_key, context) {
            (Some(arg), None) => ivote_protocol::fs::read_public_key_arg(arg)
                .map(Trust::OfficialsKey)
                .map_err(|e| {
                    let message = format!("--officials-key: {e}");
                    if e.is_unreadable() {
                        AppError::could_not_run("app.read_file", message)
                    } else {
                        AppError::refused("app.bad_officials_key", message)
                    }
                }),
            (None, Some(h)) => ContextHash::from_hex(h.trim())
                .map(Trust::Context)
                .ok_or_else(|| {
                    AppError::refused(
                        "app.bad_context",
                        format!(
                            "--context `{h}` is not an election context hash: 64 lower-case hex \
                             digits, as published by the election officials"
                        ),
                    )
                }),
            _ => Err(AppError::refused(
                "app.no_trust",
                "give the officials' public key (--officials-key) or the election's context \
                 hash (--context), as published by the election officials",
            )),
        }
    }
}

/// The verified election and what is derived from it once.
#[derive(Debug)]
pub struct Election {
    /// The verified package.
    pub package: ElectionPackage,
    /// What ballots and certificates are checked against: the contests' shapes, the e-ID
    /// trust anchors and CRL (loaded as the collector, tally and verifier load them).
    pub loaded: LoadedPackage,
}

impl Election {
    /// Fetches the package from the collector and verifies it.
    #[cfg(feature = "cli")]
    pub fn fetch(collector: &Collector, trust: &Trust) -> Result<Election, AppError> {
        let files = collector.package_files()?;
        Election::from_files(&files, trust)
    }

    /// Verifies package files and loads what the app needs.
    pub fn from_files(
        files: &ivote_protocol::package::PackageFiles,
        trust: &Trust,
    ) -> Result<Election, AppError> {
        let trust = match trust {
            Trust::OfficialsKey(k) => PackageTrust::OfficialsKey(k),
            Trust::Context(c) => PackageTrust::PinnedContext(c),
        };
        let package = verify_and_load(files, trust).map_err(|e| {
            AppError::refused(
                e.code(),
                format!(
                    "the election package from the collector does not verify ({e}); do not \
                     vote with this collector, and tell the election officials"
                ),
            )
        })?;
        let loaded = LoadedPackage::new(&package).map_err(|e| match e {
            LoadError::Trust(e) => AppError::from(TrustError::into_eid(e)),
            LoadError::Shapes(e) => AppError::from(e),
            other => AppError::refused(other.code(), other.to_string()),
        })?;
        Ok(Election { package, loaded })
    }

    /// The context hash.
    pub fn context(&self) -> &ContextHash {
        &self.package.context_hash
    }

    /// A district of the manifest.
    pub fn district(&self, id: &str) -> Result<&District, AppError> {
        self.package.manifest.district(id).ok_or_else(|| {
            AppError::bad_response(format!("district \"{id}\" is not in the election"))
        })
    }

    /// The district's contests with their shapes, in ballot order.
    pub fn contests<'a>(
        &'a self,
        district: &'a District,
    ) -> Result<Vec<(&'a Contest, &'a ivote_crypto::contest::ContestShape)>, AppError> {
        let shapes = self
            .loaded
            .shapes
            .district(district.id.as_str())
            .ok_or_else(|| AppError::bad_response("the district has no contests"))?;
        Ok(district
            .contests
            .iter()
            .zip(shapes)
            .map(|(c, (_, shape))| (c, shape))
            .collect())
    }

    /// The display language: `lang` if the manifest has it or the app speaks it (then the
    /// app's words are in it and the election's names in its default language), else the
    /// manifest's default language.
    pub fn language(&self, lang: Option<&str>) -> Result<String, AppError> {
        let manifest = &self.package.manifest;
        match lang {
            None => Ok(manifest.default_language().to_owned()),
            Some(l)
                if manifest.languages().iter().any(|m| m == l)
                    || Lang::ALL.iter().any(|a| a.code() == l) =>
            {
                Ok(l.to_owned())
            }
            Some(l) => Err(AppError::refused(
                "app.language",
                format!(
                    "this election's ballots are in {} and the app speaks {}; `{l}` is neither",
                    manifest.languages().join(", "),
                    Lang::ALL.map(Lang::code).join(", ")
                ),
            )),
        }
    }
}
