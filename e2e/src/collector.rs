//! A running `collector serve` process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use ivote_testkit::cli;

use crate::programs::Programs;
use crate::setup::ElectionFiles;

/// A `collector serve` child process on loopback. Dropping it kills the process.
#[derive(Debug)]
pub struct CollectorProcess {
    child: Child,
    url: String,
    log: PathBuf,
}

impl CollectorProcess {
    /// Starts `collector serve` for the election in `files`, its ballot box in `data`, on
    /// a free loopback port, with `extra` arguments; its log (standard error) goes to
    /// `log`. Returns once it listens.
    pub fn start(
        programs: &Programs,
        files: &ElectionFiles,
        data: &Path,
        log: &Path,
        extra: &[&str],
    ) -> Result<CollectorProcess> {
        let args = cli::collector_serve(
            &files.dir,
            cli::COLLECTOR_SECRET,
            &data.to_string_lossy(),
            ["--officials-key", &files.officials_key_hex()?],
        );
        CollectorProcess::spawn(programs, &args, extra, log)
    }

    /// Starts `collector serve` as [`CollectorProcess::start`] does, with the ballot box in
    /// the PostgreSQL database at `url` (`--store`).
    pub fn start_on_database(
        programs: &Programs,
        files: &ElectionFiles,
        url: &str,
        log: &Path,
    ) -> Result<CollectorProcess> {
        let args = cli::collector_serve_store(
            &files.dir,
            cli::COLLECTOR_SECRET,
            url,
            ["--officials-key", &files.officials_key_hex()?],
        );
        CollectorProcess::spawn(programs, &args, &[], log)
    }

    fn spawn(
        programs: &Programs,
        args: &[String],
        extra: &[&str],
        log: &Path,
    ) -> Result<CollectorProcess> {
        let log_file = std::fs::File::create(log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let mut cmd = programs.command("collector");
        cmd.args(args)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        let mut child = cmd.spawn().context("cannot start `collector serve`")?;
        let stdout = child
            .stdout
            .take()
            .context("the collector's output is not readable")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().transpose()?.unwrap_or_default();
        let Some(addr) = first.strip_prefix("collector: listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            let printed = std::fs::read_to_string(log).unwrap_or_default();
            bail!(
                "`collector serve` did not start: {first}\n{}",
                printed.trim_end()
            );
        };
        let url = format!("http://{addr}");
        // Keep reading what it prints, so that it never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(CollectorProcess {
            child,
            url,
            log: log.to_path_buf(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Kills it with SIGKILL, as a crash or a power cut would, and waits for it.
    pub fn kill_hard(mut self) -> Result<()> {
        self.child.kill().context("cannot kill the collector")?;
        self.child.wait()?;
        Ok(())
    }

    /// Stops it with SIGTERM (open requests finish) and waits up to `timeout`; an error if
    /// it does not stop in time or exits with a failure.
    pub fn stop(mut self, timeout: Duration) -> Result<()> {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).context("process id")?);
        kill(pid, Signal::SIGTERM).context("cannot signal the collector")?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                if status.success() {
                    return Ok(());
                }
                bail!(
                    "the collector exited with {status}; its log is {}",
                    self.log.display()
                );
            }
            if Instant::now() > deadline {
                bail!("the collector did not stop within {timeout:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for CollectorProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
