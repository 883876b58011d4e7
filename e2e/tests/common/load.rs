//! A load-test election (one district, one contest, voting open now) set up with the real
//! `collector` and `tally` programs and the same command lines `collector-load setup` runs,
//! and a real `collector serve` process on it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::PathBuf;
use std::process::{Child, Stdio};

use ivote_e2e::load;
use ivote_e2e::programs::Programs;
use ivote_testkit::cli;

/// The programs, built once per test binary (debug builds, as the tests').
pub fn programs() -> &'static Programs {
    Programs::built_once().unwrap()
}

/// The election's folder (kept until dropped).
pub struct LoadSetup {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl LoadSetup {
    pub fn p(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `collector serve` arguments for this election (plain HTTP, any free port), data in
    /// `data`.
    pub fn serve_args(&self, data: &str) -> Vec<String> {
        let officials = std::fs::read_to_string(self.dir.join("officials/officials-key.hex"))
            .unwrap()
            .trim()
            .to_owned();
        cli::collector_serve(
            &self.dir,
            cli::COLLECTOR_SECRET,
            data,
            ["--officials-key", &officials],
        )
    }
}

pub fn load_setup(voters: u32, candidates: usize) -> LoadSetup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let now = jiff::Timestamp::now().as_second();
    let starts = now - 600;
    std::fs::write(
        dir.join("manifest.toml"),
        load::manifest_toml(candidates, starts, starts + 86_400).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("pass.txt"), "load test passphrase\n").unwrap();
    let programs = programs();
    programs
        .run(
            "collector",
            ["keygen", "--out", dir.join("collector").to_str().unwrap()],
        )
        .unwrap();
    for args in load::setup_commands(&dir, voters, candidates, starts - 3600).unwrap() {
        programs.run("tally", args).unwrap();
    }
    LoadSetup { _tmp: tmp, dir }
}

/// Starts `collector serve`; the child and the URL it printed on standard output.
pub fn spawn_serve(args: &[String]) -> (Child, String) {
    cli::spawn_serve(
        programs()
            .command("collector")
            .args(args)
            .stderr(Stdio::null()),
    )
}

/// Runs the `collector` program to completion.
pub fn collector(args: &[&str]) -> std::process::Output {
    programs().command("collector").args(args).output().unwrap()
}
