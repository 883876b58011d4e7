//! Everything the app shows, as pure functions from facts to text (snapshot-tested in
//! `tests/screens.rs`). Names and titles come from the manifest in the voter's language;
//! the app's own words from [`crate::messages`] in the same language when the app speaks it
//! (English otherwise). `check-receipt`'s screen is English.

use std::fmt::Write as _;

use ivote_protocol::manifest::{Candidate, Contest, ElectionManifest};

use crate::choices::{is_marking, options, rule, BallotContest};
use crate::messages::{fill, text, Lang, Msg};

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
    let _ = writeln!(s, "{}", your_district(district_name, lang));
    for (contest, _) in contests {
        s.push('\n');
        s.push_str(&contest_list(contest, lang));
    }
    s
}

/// "Your district: NAME".
pub fn your_district(district_name: &str, lang: &str) -> String {
    fill(
        Msg::YourDistrict,
        Lang::or_english(lang),
        &[("district", district_name)],
    )
}

/// One contest: its title, rule and numbered options (with their ids, for `--choice`).
pub fn contest_list(contest: &Contest, lang: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({})", contest.title.get(lang), rule(contest, lang));
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
pub fn prompt(contest: &Contest, lang: &str) -> &'static str {
    let msg = if is_marking(contest) {
        Msg::PromptMarks
    } else {
        Msg::PromptValues
    };
    text(msg, Lang::or_english(lang))
}

/// The confirmation screen: what will be cast, by name.
pub fn confirmation(contests: &[BallotContest<'_>], values: &[Vec<u64>], lang: &str) -> String {
    let mut s = format!("{}\n", text(Msg::PleaseCheck, Lang::or_english(lang)));
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
            let _ = writeln!(s, "  {}", text(Msg::NothingChosen, Lang::or_english(lang)));
        }
    }
    s
}

/// Shown when the collector gives a test-vote challenge (before the voting window).
pub fn test_vote_notice(lang: &str) -> &'static str {
    text(Msg::TestVote, Lang::or_english(lang))
}

/// The question after the confirmation screen (`y` casts, in every language).
pub fn cast_question(lang: &str) -> &'static str {
    text(Msg::CastQuestion, Lang::or_english(lang))
}

/// The heading of what `--choice` casts.
pub fn casting(lang: &str) -> &'static str {
    text(Msg::Casting, Lang::or_english(lang))
}

/// Shown when the collector refused the vote's challenge (`code`) and nothing was
/// recorded: the app makes the vote again, once, with a new challenge.
pub fn challenge_retry(code: &str, lang: &str) -> String {
    fill(
        Msg::ChallengeRetry,
        Lang::or_english(lang),
        &[("code", code)],
    )
}

/// Shown before the ballot when the collector says the voter has voted already.
pub fn revote_notice(ballots_cast: u32, lang: &str) -> String {
    let ui = Lang::or_english(lang);
    let notice = if ballots_cast == 1 {
        text(Msg::RevoteOnce, ui).to_owned()
    } else {
        fill(Msg::RevoteMany, ui, &[("n", &ballots_cast.to_string())])
    };
    notice + "\n"
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
    /// The voter's language.
    pub lang: &'a str,
}

/// The screen after a vote was recorded.
pub fn done(d: &Done<'_>) -> String {
    let ui = Lang::or_english(d.lang);
    let mut s = String::new();
    let header = if matches!(d.receipt, ReceiptSaved::Recovered) {
        Msg::RecordedRecovered
    } else {
        Msg::Recorded
    };
    let _ = writeln!(s, "{}", text(header, ui));
    if d.voter_seq > 1 {
        let _ = writeln!(
            s,
            "{}",
            fill(Msg::VoteNumber, ui, &[("n", &d.voter_seq.to_string())])
        );
    }
    let _ = writeln!(
        s,
        "{}",
        fill(Msg::LogPosition, ui, &[("n", &d.leaf_index.to_string())])
    );
    let receipt = match d.receipt {
        ReceiptSaved::To(path) => fill(Msg::ReceiptSaved, ui, &[("path", path)]),
        ReceiptSaved::NotSaved { path, reason } => fill(
            Msg::ReceiptNotSaved,
            ui,
            &[("path", path), ("reason", reason)],
        ),
        ReceiptSaved::Recovered => text(Msg::NoReceipt, ui).to_owned(),
    };
    let _ = writeln!(s, "{receipt}");
    let _ = writeln!(
        s,
        "{}",
        fill(Msg::TrackingCode, ui, &[("code", d.tracking_code)])
    );
    let _ = write!(
        s,
        "\n{}\n\n{}\n\n{}",
        fill(
            Msg::VerificationCode,
            ui,
            &[
                ("until", d.verify_until),
                ("max", &d.verify_max.to_string())
            ]
        ),
        d.code_text,
        d.qr
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
    let ui = Lang::or_english(v.lang);
    let (seq, latest) = (
        v.voter_seq.to_string(),
        v.latest_voter_seq.max(v.voter_seq).to_string(),
    );
    let mut s = String::new();
    if v.latest_voter_seq > v.voter_seq {
        let _ = writeln!(
            s,
            "{}\n",
            fill(Msg::Superseded, ui, &[("seq", &seq), ("latest", &latest)])
        );
    }
    let _ = writeln!(
        s,
        "{}",
        fill(
            Msg::VerifiedHeader,
            ui,
            &[
                ("signer", v.signer),
                ("received", &local_time(v.manifest, v.received_at)),
                ("seq", &seq),
                ("latest", &latest),
                ("district", v.district_name),
            ],
        )
    );
    s.push_str(&chosen(v.contests, v.values, v.lang));
    if v.latest_voter_seq <= v.voter_seq {
        let _ = writeln!(s, "\n{}", text(Msg::ThisOneCounts, ui));
    }
    let _ = writeln!(s, "\n{}", text(Msg::NotHowYouVoted, ui));
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
