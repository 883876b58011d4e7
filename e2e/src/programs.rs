//! The ivote programs as processes: where their binaries are, and running one with an error
//! that says which command failed and what it printed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};

/// The four programs an election runs (each the name of its package and its binary).
pub const PROGRAMS: [&str; 4] = ["tally", "collector", "voter-app", "verifier"];

/// The features the programs are built with for a demo or a test: `tally insecure-demo-pki`
/// mints the demo e-IDs (a released tally does not carry it). Named without the `tally/`
/// prefix: tally's tests depend on tally itself with this feature, so `tally/…` would name
/// that dev-dependency's feature, which a `--bins` build leaves off; unprefixed, it applies
/// to every selected package that has it.
pub const DEMO_FEATURES: &str = "insecure-demo-pki";

/// The folder holding the program binaries.
#[derive(Clone, Debug)]
pub struct Programs {
    dir: PathBuf,
}

impl Programs {
    /// The binaries built beside the running executable: `target/<profile>/` for the demo,
    /// and for a test (which runs from `target/<profile>/deps/`) the folder above.
    pub fn beside_current_exe() -> Result<Programs> {
        let exe = std::env::current_exe().context("cannot find the running program's path")?;
        let mut dir = exe
            .parent()
            .context("the running program has no folder")?
            .to_path_buf();
        if dir.file_name() == Some(OsStr::new("deps")) {
            dir.pop();
        }
        let programs = Programs { dir };
        let missing: Vec<&str> = PROGRAMS
            .into_iter()
            .filter(|name| !programs.path(name).is_file())
            .collect();
        if !missing.is_empty() {
            bail!(
                "the programs {missing:?} are not built in {}: run `cargo build --workspace \
                 --features {DEMO_FEATURES}` (with --release for the demo) first",
                programs.dir.display()
            );
        }
        Ok(programs)
    }

    /// Builds the programs with the cargo that runs this process (`cargo run` or `cargo
    /// test` tell it in `CARGO`), in the running executable's profile and with
    /// [`DEMO_FEATURES`], then finds them.
    /// Without `CARGO`, only finds them.
    pub fn build_and_locate() -> Result<Programs> {
        if let Ok(cargo) = std::env::var("CARGO") {
            let exe = std::env::current_exe().context("cannot find the running program's path")?;
            let release = exe
                .ancestors()
                .take(3)
                .any(|d| d.file_name() == Some(OsStr::new("release")));
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "--bins"]);
            without_package_variables(&mut cmd);
            for p in PROGRAMS {
                cmd.args(["-p", p]);
            }
            cmd.args(["--features", DEMO_FEATURES]);
            if release {
                cmd.arg("--release");
            }
            let status = cmd.status().context("cannot run cargo")?;
            if !status.success() {
                bail!("building the programs failed: {}", describe(&cmd));
            }
        }
        Programs::beside_current_exe()
    }

    /// [`Programs::build_and_locate`] once per process, for tests: every test of a test
    /// binary shares the one build (and its failure).
    pub fn built_once() -> Result<&'static Programs> {
        static PROGRAMS: OnceLock<Result<Programs, String>> = OnceLock::new();
        PROGRAMS
            .get_or_init(|| Programs::build_and_locate().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    /// The target folder the programs were built in (`target/`, above the profile's).
    pub fn target_dir(&self) -> &Path {
        self.dir.parent().unwrap_or(&self.dir)
    }

    /// The path of program `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A command for program `name`.
    pub fn command(&self, name: &str) -> Command {
        Command::new(self.path(name))
    }

    /// Runs program `name` with `args`; its standard output, or an error with everything
    /// it printed if it did not succeed.
    pub fn run<I, S>(&self, name: &str, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(name);
        cmd.args(args);
        let out = output(&mut cmd)?;
        if !out.status.success() {
            bail!("{}", failure(&cmd, &out));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs program `name` with `args`, expecting it to fail; its exit status and
    /// everything it printed.
    pub fn run_failing<I, S>(&self, name: &str, args: I) -> Result<(i32, String)>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(name);
        cmd.args(args);
        let out = output(&mut cmd)?;
        if out.status.success() {
            bail!("{} succeeded but should have failed", describe(&cmd));
        }
        Ok((out.status.code().unwrap_or(-1), printed(&out)))
    }
}

/// Removes from a nested `cargo` command the variables cargo sets for the running test or
/// program: they describe *this* package, and a build script that asks to be rerun when one
/// changes (ring's does, for `CARGO_MANIFEST_DIR` and `CARGO_PKG_NAME`) would otherwise be
/// rebuilt by every nested build and again by the next plain `cargo test`.
pub fn without_package_variables(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let n = name.to_string_lossy();
        let package_specific = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_BIN_",
            "CARGO_CRATE_",
        ]
        .iter()
        .any(|p| n.starts_with(p))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&&*n);
        if package_specific {
            cmd.env_remove(&name);
        }
    }
}

fn output(cmd: &mut Command) -> Result<Output> {
    cmd.stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {}", describe(cmd)))
}

/// Standard output and standard error, as text.
pub fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn failure(cmd: &Command, out: &Output) -> String {
    format!(
        "{} failed ({}):\n{}",
        describe(cmd),
        out.status,
        printed(out).trim_end()
    )
}

/// `program arg arg ...`, for messages.
pub fn describe(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(cmd.get_program())
        .to_string_lossy()
        .into_owned();
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("`{program} {}`", args.join(" "))
}
