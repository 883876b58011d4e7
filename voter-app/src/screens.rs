//! Everything the app shows, as pure functions from facts to text (snapshot-tested in
//! `tests/screens.rs`). Names and titles come from the manifest in the voter's language;
//! the app's own words are English.

use std::fmt::Write as _;

use ivote_protocol::manifest::{Candidate, Contest, ElectionManifest};

use crate::choices::{is_marking, options, rule, BallotContest};

/// A time in the election's time zone, e.g. `2027-02-22 09:30 EET`.
pub fn local_time(manifest: &ElectionManifest, unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned(manifest.time_zone().clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| format!("{unix} (Unix seconds)"))
}

fn option_name(o: &Candidate, lang: &str) -> String {
    match &o.party {
        Some(party) => format!("{}, {}", o.name.get(lang), party.get(lang)),
        None => o.name.get(lang).to_owned(),
    }
}

/// The ballot: the election, the district and each contest's numbered options.
pub fn ballot(
    manifest: &ElectionManifest,
    district_name: &str,
    contests: &[BallotContest<'_>],
    lang: &str,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", manifest.title().get(lang));
    let _ = writeln!(s, "Your district: {district_name}");
    for (contest, _) in contests {
        s.push('\n');
        s.push_str(&contest_list(contest, lang));
    }
    s
}

/// One contest: its title, rule and numbered options (with their ids, for `--choice`).
pub fn contest_list(contest: &Contest, lang: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({})", contest.title.get(lang), rule(contest));
    for (i, o) in options(contest).enumerate() {
        let _ = writeln!(
            s,
            "  {:>2}. {}  [{}]",
            i + 1,
            option_name(o, lang),
            o.id.as_str()
        );
    }
    s
}

/// What to type at a contest's list.
pub fn prompt(contest: &Contest) -> &'static str {
    if is_marking(contest) {
        "Type the number(s) of your choice, then Enter: "
    } else {
        "Type NUMBER=VALUE for each choice (e.g. 1=2 3=1), then Enter: "
    }
}

/// The confirmation screen: what will be cast, by name.
pub fn confirmation(contests: &[BallotContest<'_>], values: &[Vec<u64>], lang: &str) -> String {
    let mut s = String::from("Please check your vote:\n");
    s.push_str(&chosen(contests, values, lang));
    s
}

/// Each contest's title and the options chosen in it.
pub fn chosen(contests: &[BallotContest<'_>], values: &[Vec<u64>], lang: &str) -> String {
    let mut s = String::new();
    for ((contest, _), v) in contests.iter().zip(values) {
        let _ = writeln!(s, "\n{}", contest.title.get(lang));
        let mut any = false;
        for (o, value) in options(contest).zip(v) {
            if *value == 0 {
                continue;
            }
            any = true;
            if is_marking(contest) {
                let _ = writeln!(s, "  - {}", option_name(o, lang));
            } else {
                let _ = writeln!(s, "  - {}: {value}", option_name(o, lang));
            }
        }
        if !any {
            let _ = writeln!(s, "  (nothing chosen)");
        }
    }
    s
}

/// Shown when the collector gives a test-vote challenge (before the voting window).
pub const TEST_VOTE_NOTICE: &str = "Voting has not started yet: this is a TEST vote. It is      recorded like a vote, but it will never count.";

/// The question after the confirmation screen.
pub const CAST_QUESTION: &str = "Cast this vote? Type y and Enter to cast, anything else to stop: ";

/// Shown when the collector refused the vote's challenge (`code`) and nothing was
/// recorded: the app makes the vote again, once, with a new challenge.
pub fn challenge_retry(code: &str) -> String {
    format!(
        "The collector did not accept this voting session [{code}] (it may have restarted); \
         nothing was recorded. Sending your vote again in a new session..."
    )
}

/// Shown before the ballot when the collector says the voter has voted already.
pub fn revote_notice(ballots_cast: u32) -> String {
    let times = if ballots_cast == 1 {
        "once".to_owned()
    } else {
        format!("{ballots_cast} times")
    };
    format!(
        "You have already voted in this election ({times}). You may vote again: your new \
         vote replaces the earlier one, and only your last vote counts.\n"
    )
}

/// What became of the receipt.
#[derive(Debug, Clone, Copy)]
pub enum ReceiptSaved<'a> {
    /// Saved to this file.
    To(&'a str),
    /// The collector's receipt could not be saved (the folder was checked before sending;
    /// the disk filled up or the file went meanwhile): the vote is recorded all the same.
    NotSaved {
        /// Where it was to go.
        path: &'a str,
        /// Why it could not.
        reason: &'a str,
    },
    /// The first answer was lost; the vote was found in the log instead (no receipt).
    Recovered,
}

/// What the voter leaves with after casting.
#[derive(Debug)]
pub struct Done<'a> {
    /// What became of the receipt.
    pub receipt: ReceiptSaved<'a>,
    /// The ballot tracking code.
    pub tracking_code: &'a str,
    /// The verification code, grouped.
    pub code_text: &'a str,
    /// Its QR code.
    pub qr: &'a str,
    /// The voter's sequence number (1: first vote).
    pub voter_seq: u32,
    /// The log position.
    pub leaf_index: u64,
    /// Until when the code can be used, as local time.
    pub verify_until: &'a str,
    /// How many times.
    pub verify_max: u32,
}

/// The screen after a vote was recorded.
pub fn done(d: &Done<'_>) -> String {
    let mut s = String::new();
    if matches!(d.receipt, ReceiptSaved::Recovered) {
        s.push_str(
            "Your vote WAS recorded: the connection broke after the collector received it, and \
             the app found it in the collector's log.\n",
        );
    } else {
        s.push_str("Your vote was recorded.\n");
    }
    if d.voter_seq > 1 {
        let _ = writeln!(
            s,
            "This is your vote number {}: it replaces your earlier vote.",
            d.voter_seq
        );
    }
    let _ = writeln!(s, "Position in the ballot box log: {}", d.leaf_index);
    match d.receipt {
        ReceiptSaved::To(p) => {
            let _ = writeln!(s, "Receipt saved to: {p}");
        }
        ReceiptSaved::NotSaved { path, reason } => {
            let _ = writeln!(
                s,
                "The receipt could NOT be saved to {path} ({reason}). Your vote is recorded \
                 all the same: write down the tracking code and keep the verification code \
                 below; with them you can check your vote."
            );
        }
        ReceiptSaved::Recovered => {
            s.push_str("No receipt was received; the log proof above stands for it.\n");
        }
    }
    let _ = writeln!(s, "Ballot tracking code: {}", d.tracking_code);
    let _ = write!(
        s,
        "\nVerification code (check your vote on a second device with \
         `voter-app verify`; it can be used until {} and at most {} times; keep it private: \
         it shows how you voted):\n\n{}\n\n{}",
        d.verify_until, d.verify_max, d.code_text, d.qr
    );
    if !d.qr.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// What the second device shows about a verified ballot.
#[derive(Debug)]
pub struct Verified<'a> {
    /// The election's manifest (its time zone).
    pub manifest: &'a ElectionManifest,
    /// The ballot's district, in the voter's language.
    pub district_name: &'a str,
    /// Its contests.
    pub contests: &'a [BallotContest<'a>],
    /// The opened choices.
    pub values: &'a [Vec<u64>],
    /// The language.
    pub lang: &'a str,
    /// When the collector received it.
    pub received_at: i64,
    /// Which of the voter's votes it is (1: the first).
    pub voter_seq: u32,
    /// The voter's latest vote number, as the collector says now.
    pub latest_voter_seq: u32,
    /// Whose e-ID signed it ([`signer`]).
    pub signer: &'a str,
}

/// The name and voter id of an e-ID certificate, as shown to its holder.
pub fn signer(common_name: Option<&str>, voter_id: &str) -> String {
    match common_name {
        Some(name) => format!("{name} ({voter_id})"),
        None => voter_id.to_owned(),
    }
}

/// What the second device shows; first, plainly, whether a later vote replaces this one.
pub fn verified(v: &Verified<'_>) -> String {
    let mut s = String::new();
    if v.latest_voter_seq > v.voter_seq {
        let _ = writeln!(
            s,
            "WARNING: this ballot is NOT your latest vote and does NOT count. It is your vote \
             number {}; a later vote, number {}, was cast with the same e-ID and replaces it. \
             If you did not cast a later vote, someone or something voted for you (your \
             device may be compromised): vote again from a device you trust and tell the \
             election officials.\n",
            v.voter_seq, v.latest_voter_seq
        );
    }
    let _ = writeln!(
        s,
        "The collector holds this ballot, signed with your e-ID and in its log.\n\
         Signed by: {}\n\
         Received: {} (your vote number {} of {})\n\
         District: {}",
        v.signer,
        local_time(v.manifest, v.received_at),
        v.voter_seq,
        v.latest_voter_seq.max(v.voter_seq),
        v.district_name
    );
    s.push_str(&chosen(v.contests, v.values, v.lang));
    if v.latest_voter_seq <= v.voter_seq {
        s.push_str(
            "\nNo later vote of yours is in the ballot box: this one counts (unless you vote \
             again, or on paper).\n",
        );
    }
    s.push_str("\nIf this is not how you voted, vote again and tell the election officials.\n");
    s
}

/// What `check-receipt` shows.
pub fn receipt_checked(
    manifest: &ElectionManifest,
    tracking_code: &str,
    leaf_index: u64,
    receipt_time: i64,
    head_size: u64,
    head_time: i64,
) -> String {
    format!(
        "The receipt is valid and your ballot is still in the collector's log.\n\
         Ballot tracking code: {tracking_code}\n\
         Position in the log: {leaf_index}\n\
         Receipt's log state: signed {}\n\
         Latest log state: {head_size} ballots, signed {}\n\
         After the count your ballot will be in the published election record whether or not \
         it counted: the record does not show which ballots counted, so nobody (you included) \
         can prove to anyone how your vote ended. If you vote again, or on paper, your last \
         vote counts; the auditors check that.\n",
        local_time(manifest, receipt_time),
        local_time(manifest, head_time)
    )
}
