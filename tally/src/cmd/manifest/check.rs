//! `tally manifest check`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use ivote_protocol::manifest::{ElectionManifest, WindowCheck};

use crate::cmd::inputs;

/// The arguments of `tally manifest check` (help on [`super::ManifestCommand`]).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The manifest file.
    #[arg(value_name = "MANIFEST.toml")]
    pub manifest: PathBuf,
    /// Check the window against this time instead of the computer's clock (RFC 3339, e.g.
    /// 2027-02-01T09:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = inputs::parse_time)]
    pub now: Option<jiff::Timestamp>,
    /// Accept a voting window that has already started (a past election).
    #[arg(long)]
    pub allow_past: bool,
}

/// The window check for `--allow-past` / `--now`.
pub(crate) fn window_check(allow_past: bool, now: Option<jiff::Timestamp>) -> WindowCheck {
    if allow_past {
        WindowCheck::AllowPast
    } else {
        WindowCheck::StartsAfter {
            now: inputs::now_or(now),
        }
    }
}

/// Runs `manifest check`.
pub fn run(a: CheckArgs) -> Result<()> {
    let m = inputs::manifest(&a.manifest, window_check(a.allow_past, a.now))?;
    print_summary(&m);
    Ok(())
}

/// Prints what an official checks in a manifest: ids, window, counts.
pub(crate) fn print_summary(m: &ElectionManifest) {
    let tz = m.time_zone().clone();
    println!("manifest OK");
    println!(
        "election:   {} ({})",
        m.election_id().as_str(),
        m.title().default_text()
    );
    for (what, t) in [
        ("opens:  ", m.voting_starts()),
        ("closes: ", m.voting_ends()),
    ] {
        println!(
            "voting {what} {t} UTC = {} {}",
            t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S %:z"),
            m.time_zone_name()
        );
    }
    let contests: usize = m.districts().iter().map(|d| d.contests.len()).sum();
    println!("districts:  {}", m.districts().len());
    println!("contests:   {contests}");
    let mut per_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in m.districts().iter().flat_map(|d| &d.contests) {
        let e = per_kind.entry(c.kind.name()).or_default();
        e.0 += 1;
        e.1 += c.candidates.len();
    }
    for (kind, (contests, candidates)) in per_kind {
        println!("  {kind}: {contests} contest(s), {candidates} candidate(s)");
    }
}
