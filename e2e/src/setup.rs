//! The election's files, made with the real `tally` and `collector` programs: the manifest,
//! a demo PKI and roll, the trustees' key ceremony, the officials' key, the collector's key
//! and the signed election package.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ivote_protocol::{ElectionManifest, WindowCheck};
use ivote_testkit::cli;
use ivote_testkit::manifest::{self, rfc3339};

use crate::programs::Programs;

/// What an election is set up with.
#[derive(Clone, Debug)]
pub struct SetupOptions {
    /// The manifest (TOML), as the officials wrote it; the ceremony takes its election id.
    pub manifest: String,
    /// The demo e-IDs' key algorithm (`tally insecure-demo-pki --algorithm`: `ed25519`,
    /// `p256` or `p384`).
    pub key_algorithm: String,
    /// Voters in the roll, each with a demo e-ID.
    pub voters: usize,
    /// Of those, the first `revoked` have revoked certificates.
    pub revoked: usize,
    /// Trustees.
    pub trustees: u32,
    /// Trustees needed to decrypt.
    pub threshold: u32,
}

impl SetupOptions {
    /// The demo's and tests' election: the example manifest (three districts, names in
    /// English, Estonian and Thai, with a plurality, an approval, a cumulative and a score
    /// contest) voting from `starts` to `ends` (Unix seconds), Ed25519 e-IDs, 3 of 5
    /// trustees.
    pub fn example(voters: usize, revoked: usize, starts: i64, ends: i64) -> Result<Self> {
        Ok(SetupOptions {
            manifest: manifest::with_window(manifest::EXAMPLE, starts, ends),
            key_algorithm: "ed25519".into(),
            voters,
            revoked,
            trustees: 5,
            threshold: 3,
        })
    }
}

/// The folder of a set-up election and the names of its files.
#[derive(Clone, Debug)]
pub struct ElectionFiles {
    /// The folder.
    pub dir: PathBuf,
}

/// The passphrase of every sealed key in a demo. Real trustees and officials type their own.
pub const DEMO_PASSPHRASE: &str = "demo passphrase: not for real elections";

impl ElectionFiles {
    /// A file or folder inside the election folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The manifest as written by the officials.
    pub fn manifest(&self) -> PathBuf {
        self.path("manifest.toml")
    }
    /// The signed election package.
    pub fn package(&self) -> PathBuf {
        self.path("package")
    }
    /// The voter roll.
    pub fn roll(&self) -> PathBuf {
        self.path("pki/roll.csv")
    }
    /// The demo voters' certificates and keys.
    pub fn voters(&self) -> PathBuf {
        self.path("pki/voters")
    }
    /// The file holding the demo passphrase.
    pub fn passphrase_file(&self) -> PathBuf {
        self.path(cli::PASSPHRASE_FILE)
    }
    /// The key ceremony's folder (the trustees' sealed shares are in it).
    pub fn ceremony(&self) -> PathBuf {
        self.path("ceremony")
    }
    /// The officials' sealed secret key.
    pub fn officials_secret(&self) -> PathBuf {
        self.path(cli::OFFICIALS_SECRET)
    }
    /// The collector's secret key.
    pub fn collector_secret(&self) -> PathBuf {
        self.path(cli::COLLECTOR_SECRET)
    }

    /// The officials' public key, hex.
    pub fn officials_key_hex(&self) -> Result<String> {
        let path = self.path("officials/officials-key.hex");
        Ok(std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .trim()
            .to_owned())
    }

    /// The voter id codes of the roll, in roll order.
    pub fn voter_codes(&self) -> Result<Vec<String>> {
        let roll = std::fs::read_to_string(self.roll())
            .with_context(|| format!("cannot read {}", self.roll().display()))?;
        Ok(roll
            .lines()
            .skip(1)
            .filter_map(|line| line.split(',').next())
            .map(str::to_owned)
            .collect())
    }
}

/// Sets an election up in `dir` (which must be empty or missing), as the officials,
/// trustees and collector operator would, each step a real program run. `now` is the
/// setup time (Unix seconds): voting must start after it.
pub fn set_up(
    programs: &Programs,
    dir: &Path,
    options: &SetupOptions,
    now: i64,
    mut step: impl FnMut(&str),
) -> Result<ElectionFiles> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = ElectionFiles {
        dir: dir.to_path_buf(),
    };
    let p = |path: PathBuf| path.to_string_lossy().into_owned();
    let election_id = ElectionManifest::from_toml(&options.manifest, WindowCheck::AllowPast)
        .map_err(|e| anyhow::anyhow!("the manifest does not load: {e}"))?
        .election_id()
        .as_str()
        .to_owned();
    std::fs::write(files.manifest(), &options.manifest)?;
    std::fs::write(files.passphrase_file(), format!("{DEMO_PASSPHRASE}\n"))?;

    let dir = files.dir.as_path();
    step("demo e-ID certificates and voter roll (tally insecure-demo-pki)");
    programs.run(
        "tally",
        cli::demo_pki(dir, options.voters, options.revoked, &options.key_algorithm),
    )?;

    step("key ceremony (tally ceremony run-all)");
    programs.run(
        "tally",
        cli::ceremony_run_all(
            dir,
            &election_id,
            options.trustees,
            options.threshold,
            "ceremony",
        ),
    )?;

    step("officials' signing key (tally officials-key generate)");
    programs.run("tally", cli::officials_key_generate(dir, "officials"))?;

    step("collector key (collector keygen)");
    programs.run(
        "collector",
        ["keygen", "--out", &p(files.path("collector"))],
    )?;

    step("election package (tally package build)");
    programs.run("tally", cli::PackageBuild::new(dir, &rfc3339(now)).args())?;
    Ok(files)
}
