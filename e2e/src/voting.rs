//! The voters of a [`VotingScript`] casting their votes with the real `voter-app`, several at a time.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use ivote_protocol::ElectionManifest;

use crate::plan::{choice_args, VoterScript, VotingScript};
use crate::programs::Programs;
use crate::setup::ElectionFiles;

/// What the voting gave.
#[derive(Debug, Default)]
pub struct Voting {
    /// Votes the collector accepted (each with its receipt file).
    pub accepted: usize,
    /// Attempts refused as they had to be (revoked certificates), with the code seen.
    pub refused: Vec<(String, String)>,
    /// Every receipt file, in no particular order.
    pub receipts: Vec<PathBuf>,
    /// One voter's verification code from their last vote, for the second-device check:
    /// (voter code, verification code).
    pub verification_code: Option<(String, String)>,
}

/// `voter-app vote` as voter `code`, with their demo e-ID, and `choices` (`--choice`
/// values).
pub fn vote_command(
    files: &ElectionFiles,
    url: &str,
    officials_key: &str,
    code: &str,
    choices: &[String],
) -> Vec<String> {
    let voters = files.voters();
    let file = |suffix: &str| {
        voters
            .join(format!("{code}.{suffix}"))
            .to_string_lossy()
            .into_owned()
    };
    let mut args: Vec<String> = vec![
        "vote".into(),
        "--collector".into(),
        url.into(),
        "--officials-key".into(),
        officials_key.into(),
        "--eid".into(),
        file("cert.pem"),
        "--key".into(),
        file("key.pem"),
    ];
    for choice in choices {
        args.push("--choice".into());
        args.push(choice.clone());
    }
    args
}

/// The `voter-app vote` arguments of a voter's `n`-th vote, and where it saves the receipt.
fn vote_args(
    files: &ElectionFiles,
    url: &str,
    officials_key: &str,
    contests: &[ivote_protocol::manifest::Contest],
    voter: &VoterScript,
    n: usize,
) -> (Vec<String>, PathBuf) {
    let receipt = files
        .path("receipts")
        .join(format!("{}-{}.bin", voter.code, n + 1));
    let choices = voter
        .votes
        .get(n)
        .map(|vote| choice_args(contests, vote))
        .unwrap_or_default();
    let mut args = vote_command(files, url, officials_key, &voter.code, &choices);
    args.push("--receipt".into());
    args.push(receipt.to_string_lossy().into_owned());
    (args, receipt)
}

/// The verification code in `voter-app vote`'s output: the first line of text after the
/// paragraph that introduces it.
pub fn verification_code(output: &str) -> Option<String> {
    let mut lines = output
        .lines()
        .skip_while(|l| !l.starts_with("Verification code"));
    lines.next()?;
    lines
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// The ballot tracking code in `voter-app vote`'s output (`XXXX-XXXX`).
pub fn tracking_code(output: &str) -> Option<String> {
    output
        .lines()
        .find_map(|l| l.strip_prefix("Ballot tracking code:"))
        .map(|c| c.trim().to_owned())
}

/// Every voter of `plan` casts their votes in order (a voter's revote after their first
/// vote), `parallel` voters at a time; `progress` is told after each voter. A vote that
/// should have been accepted and was not, or the reverse, is an error.
pub fn cast_all(
    programs: &Programs,
    files: &ElectionFiles,
    manifest: &ElectionManifest,
    url: &str,
    plan: &VotingScript,
    parallel: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Voting> {
    std::fs::create_dir_all(files.path("receipts"))?;
    let officials_key = files.officials_key_hex()?;
    let next = AtomicUsize::new(0);
    let result = Mutex::new(Voting::default());
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..parallel.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(voter) = plan.voters.get(i) else {
                    break;
                };
                if failure.lock().is_ok_and(|f| f.is_some()) {
                    break;
                }
                let outcome = cast_voter(programs, files, manifest, url, &officials_key, voter);
                match outcome {
                    Ok(v) => {
                        if let Ok(mut r) = result.lock() {
                            r.accepted += v.accepted;
                            r.refused.extend(v.refused);
                            r.receipts.extend(v.receipts);
                            if r.verification_code.is_none() {
                                r.verification_code = v.verification_code;
                            }
                        }
                    }
                    Err(e) => {
                        if let Ok(mut f) = failure.lock() {
                            f.get_or_insert(e);
                        }
                    }
                }
                progress();
            });
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    result
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a voting thread failed"))
}

fn cast_voter(
    programs: &Programs,
    files: &ElectionFiles,
    manifest: &ElectionManifest,
    url: &str,
    officials_key: &str,
    voter: &VoterScript,
) -> Result<Voting> {
    let contests = manifest
        .district(&voter.district)
        .with_context(|| format!("voter {} has an unknown district", voter.code))?
        .contests
        .as_slice();
    let mut out = Voting::default();
    for n in 0..voter.votes.len() {
        let (args, receipt) = vote_args(files, url, officials_key, contests, voter, n);
        if voter.revoked {
            let (_, printed) = programs.run_failing("voter-app", &args)?;
            if !printed.contains("eid.revoked") {
                bail!(
                    "voter {} has a revoked certificate but was not refused for it:\n{printed}",
                    voter.code
                );
            }
            out.refused.push((voter.code.clone(), "eid.revoked".into()));
            continue;
        }
        let printed = programs.run("voter-app", &args)?;
        out.accepted += 1;
        out.receipts.push(receipt);
        if n + 1 == voter.votes.len() {
            out.verification_code = verification_code(&printed).map(|c| (voter.code.clone(), c));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_verification_and_tracking_codes() {
        let out = "Your vote was recorded.\nBallot tracking code: 7F3K-2M9Q\n\n\
                   Verification code (check your vote ...):\n\nABCD-EFGH-1234\n\n█▀▀█\n";
        assert_eq!(verification_code(out).as_deref(), Some("ABCD-EFGH-1234"));
        assert_eq!(verification_code("no code here"), None);
        assert_eq!(tracking_code(out).as_deref(), Some("7F3K-2M9Q"));
        assert_eq!(tracking_code("no code here"), None);
    }
}
