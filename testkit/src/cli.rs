//! The programs' command lines over an election folder in the layout of [`crate::demo`]
//! (the layout the end-to-end crate's set-up writes with the real programs too), so that a
//! new argument is added in one place: the set-up's `tally` commands and `collector serve`
//! (and starting it).
//! File and folder names are inside the election folder, or absolute paths.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The passphrase file of the layout (one line for every secret file).
pub const PASSPHRASE_FILE: &str = "pass.txt";
/// The officials' sealed secret key of the layout.
pub const OFFICIALS_SECRET: &str = "officials/officials-key.SECRET.json";
/// The collector's public key of the layout (hex).
pub const COLLECTOR_KEY: &str = "collector/collector-key.hex";
/// The collector's secret key of the layout (hex).
pub const COLLECTOR_SECRET: &str = "collector/collector-key.SECRET.hex";

/// The layout's passphrase file, with the cheap test passphrase hashing (`tally`'s options
/// for a secret file it seals or opens).
fn passphrase(dir: &Path) -> [String; 3] {
    [
        "--passphrase-file".to_owned(),
        dir.join(PASSPHRASE_FILE).display().to_string(),
        "--insecure-fast-kdf".to_owned(),
    ]
}

/// `tally insecure-demo-pki` on an election folder: `voters` demo e-IDs (the first
/// `revoked` on the CRL) of key `algorithm` (`ed25519`, `p256`, `p384`) for its manifest,
/// and the roll, into `pki/`.
pub fn demo_pki(dir: &Path, voters: usize, revoked: usize, algorithm: &str) -> Vec<String> {
    let p = |name: &str| dir.join(name).display().to_string();
    [
        "insecure-demo-pki",
        "--voters",
        &voters.to_string(),
        "--revoke",
        &revoked.to_string(),
        "--algorithm",
        algorithm,
        "--manifest",
        &p("manifest.toml"),
        "--out",
        &p("pki"),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// `tally ceremony run-all` for `election_id`, `threshold` of `trustees`, into the ceremony
/// folder `out` of an election folder, every trustee's passphrase the layout's, with the
/// cheap test passphrase hashing.
pub fn ceremony_run_all(
    dir: &Path,
    election_id: &str,
    trustees: u32,
    threshold: u32,
    out: &str,
) -> Vec<String> {
    let p = |name: &str| dir.join(name).display().to_string();
    [
        "ceremony",
        "run-all",
        "--election-id",
        election_id,
        "--trustees",
        &trustees.to_string(),
        "--threshold",
        &threshold.to_string(),
        "--dir",
        &p(out),
    ]
    .map(str::to_owned)
    .into_iter()
    .chain(passphrase(dir))
    .collect()
}

/// `tally officials-key generate` into the folder `out` of an election folder, sealed with
/// the layout's passphrase and the cheap test passphrase hashing.
pub fn officials_key_generate(dir: &Path, out: &str) -> Vec<String> {
    let p = |name: &str| dir.join(name).display().to_string();
    ["officials-key", "generate", "--out", &p(out)]
        .map(str::to_owned)
        .into_iter()
        .chain(passphrase(dir))
        .collect()
}

/// `tally package build` on an election folder: its manifest, roll, trust anchors, CRL and
/// ceremony folder, with the cheap test passphrase hashing.
#[derive(Debug, Clone)]
pub struct PackageBuild<'a> {
    /// The election folder.
    pub dir: &'a Path,
    /// The officials' sealed secret key that signs the package.
    pub officials_secret: &'a str,
    /// The collector's public key the package names.
    pub collector_key: &'a str,
    /// The package folder to write.
    pub out: &'a str,
    /// The build time (RFC 3339): voting must start after it.
    pub now: &'a str,
}

impl<'a> PackageBuild<'a> {
    /// The layout's keys, written to `package`, built at `now`.
    pub fn new(dir: &'a Path, now: &'a str) -> Self {
        PackageBuild {
            dir,
            officials_secret: OFFICIALS_SECRET,
            collector_key: COLLECTOR_KEY,
            out: "package",
            now,
        }
    }

    /// The arguments (after the program's name).
    pub fn args(&self) -> Vec<String> {
        let p = |name: &str| self.dir.join(name).display().to_string();
        [
            "package",
            "build",
            "--manifest",
            &p("manifest.toml"),
            "--roll",
            &p("pki/roll.csv"),
            "--country",
            "EE",
            "--trust-anchors",
            &p("pki/trust-anchors.pem"),
            "--crl",
            &p("pki/crl.pem"),
            "--ceremony",
            &p("ceremony"),
            "--collector-key",
            &p(self.collector_key),
            "--officials-key",
            &p(self.officials_secret),
            "--out",
            &p(self.out),
            "--now",
            self.now,
        ]
        .map(str::to_owned)
        .into_iter()
        .chain(passphrase(self.dir))
        .collect()
    }
}

/// `collector serve` on an election folder: its package and roll, the collector's secret
/// key `key`, the ballot box in `data`, plain HTTP on a free loopback port, the package
/// trusted by `trust` (`["--officials-key", HEX]` or `["--context", HASH]`), and no
/// per-address limits of requests and of `/challenge` (every voter of a test or a load run
/// asks from 127.0.0.1). The roll is argument 4, for tests that give another.
pub fn collector_serve(dir: &Path, key: &str, data: &str, trust: [&str; 2]) -> Vec<String> {
    serve_with(
        dir,
        key,
        ["--data", &dir.join(data).display().to_string()],
        trust,
    )
}

/// [`collector_serve`] with the ballot box in the PostgreSQL database at `url`
/// (`--store URL`) instead of a folder.
pub fn collector_serve_store(dir: &Path, key: &str, url: &str, trust: [&str; 2]) -> Vec<String> {
    serve_with(dir, key, ["--store", url], trust)
}

fn serve_with(dir: &Path, key: &str, storage: [&str; 2], trust: [&str; 2]) -> Vec<String> {
    let p = |name: &str| dir.join(name).display().to_string();
    [
        "serve",
        "--package",
        &p("package"),
        "--roll",
        &p("pki/roll.csv"),
        "--country",
        "EE",
        storage[0],
        storage[1],
        "--key",
        &p(key),
        "--listen",
        "127.0.0.1:0",
        trust[0],
        trust[1],
        "--max-requests-per-address-per-minute",
        "0",
        "--max-challenges-per-address-per-minute",
        "0",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Starts `command` (the `collector` binary with `serve` arguments, e.g. from
/// [`collector_serve`]) with its standard output piped, and waits for the line it prints
/// once it listens: the child and its URL (`http://HOST:PORT`, or `https://` with TLS). What
/// it prints after that is read and dropped, so that it never writes into a closed pipe.
pub fn spawn_serve(command: &mut Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    let url = line
        .strip_prefix("collector: listening on ")
        .unwrap_or_else(|| panic!("`collector serve` did not start: {line}"))
        .to_owned();
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}
