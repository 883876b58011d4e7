//! The browser booth in the rig (docs/booth.md): built with `voter-app/web/build.sh`, laid
//! out for one election (the built files and a `booth.json` naming the officials' key), and
//! driven in Debian's headless Chromium by `e2e/browser/booth.mjs` (playwright-core).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::programs::{describe, printed, without_package_variables, Programs};
use crate::setup::ElectionFiles;

/// The workspace's root folder (this crate is `e2e/` in it).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Builds the booth with `voter-app/web/build.sh` into `booth/` of the programs' target
/// folder (the cargo that runs this process, `CARGO`, builds the module) and returns it.
pub fn build(programs: &Programs) -> Result<PathBuf> {
    let out = programs.target_dir().join("booth");
    let mut cmd = Command::new(workspace().join("voter-app/web/build.sh"));
    without_package_variables(&mut cmd);
    cmd.arg(&out).env("CARGO_TARGET_DIR", programs.target_dir());
    let done = cmd
        .output()
        .with_context(|| format!("cannot run {}", describe(&cmd)))?;
    if !done.status.success() {
        bail!(
            "building the browser booth failed ({}):\n{}",
            describe(&cmd),
            printed(&done)
        );
    }
    Ok(out)
}

/// Copies the built booth to `files`' folder `booth/`, with the `booth.json` that pins the
/// election by its officials' key (the collector serving it is the page's own origin), and
/// returns that folder (for `collector serve --booth`).
pub fn lay_out(built: &Path, files: &ElectionFiles) -> Result<PathBuf> {
    let dir = files.path("booth");
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(built)? {
        let entry = entry?;
        std::fs::copy(entry.path(), dir.join(entry.file_name()))
            .with_context(|| format!("cannot copy {}", entry.path().display()))?;
    }
    let config = serde_json::json!({
        "collector": "",
        "officials_key": files.officials_key_hex()?,
    });
    std::fs::write(dir.join("booth.json"), serde_json::to_vec_pretty(&config)?)?;
    Ok(dir)
}

/// One vote in the browser: the voter's e-ID files and choices (per contest, one number per
/// option in ballot order). `again`: on the page of the previous vote, "Vote again".
#[derive(Clone, Debug, Serialize)]
pub struct BrowserVote {
    /// The certificate file.
    pub cert: PathBuf,
    /// The key file.
    pub key: PathBuf,
    /// The key's passphrase (empty: none).
    pub passphrase: String,
    /// The choices.
    pub choices: Vec<Vec<u64>>,
    /// Vote again on the same page.
    pub again: bool,
}

/// What the booth showed for one vote.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BoothOutcome {
    /// The vote was cast and its receipt checked.
    pub ok: bool,
    /// The error's code, if the booth showed one.
    pub code: Option<String>,
    /// The error's message.
    pub message: Option<String>,
    /// A script error in the page.
    pub page_error: Option<String>,
    /// The voter line of the ballot screen (voter id, district).
    pub voter: Option<String>,
    /// The revote notice, if the ballot screen showed one.
    pub revote_notice: Option<String>,
    /// The review screen's text.
    pub review: Option<String>,
    /// The last screen's summary (the vote number).
    pub summary: Option<String>,
    /// The tracking code.
    pub tracking: Option<String>,
    /// The verification code's text.
    pub verification_code: Option<String>,
    /// Whether the QR code was drawn.
    pub qr: Option<bool>,
    /// The receipt's download name.
    pub receipt_file: Option<String>,
    /// Milliseconds the module took to encrypt, prove and sign.
    pub seal_ms: Option<f64>,
}

/// Where Chromium is expected (Debian's package), unless `IVOTE_CHROMIUM` says otherwise.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Casts `votes` in the booth at `url` with headless Chromium, in order; screenshots of each
/// screen go to `screenshots` if given. Fails, saying what to install, without Chromium,
/// Node.js or the driver's npm package.
pub fn vote_in_browser(
    url: &str,
    votes: &[BrowserVote],
    screenshots: Option<&Path>,
) -> Result<Vec<BoothOutcome>> {
    let chromium = std::env::var("IVOTE_CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_owned());
    if !Path::new(&chromium).is_file() {
        bail!(
            "Chromium is not installed at {chromium}: the browser tests need Debian's \
             `apt-get install -y chromium` (.ci/run installs it), or IVOTE_CHROMIUM=PATH"
        );
    }
    let driver = workspace().join("e2e/browser");
    if !driver.join("node_modules/playwright-core").is_dir() {
        bail!(
            "the browser driver's npm package is missing: run `npm ci --prefix {}` (.ci/run \
             does; it needs Node.js)",
            driver.display()
        );
    }
    let scenario = tempfile::NamedTempFile::new()?;
    std::fs::write(
        scenario.path(),
        serde_json::to_vec(&serde_json::json!({
            "url": url,
            "screenshots": screenshots,
            "votes": votes,
        }))?,
    )?;
    let mut cmd = Command::new("node");
    cmd.arg(driver.join("booth.mjs"))
        .arg(scenario.path())
        .env("IVOTE_CHROMIUM", &chromium);
    let done = cmd
        .output()
        .with_context(|| format!("cannot run {} (is Node.js installed?)", describe(&cmd)))?;
    if !done.status.success() {
        bail!("the browser driver failed:\n{}", printed(&done));
    }
    let stdout = String::from_utf8_lossy(&done.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .with_context(|| format!("the browser driver printed no results:\n{}", printed(&done)))
}
