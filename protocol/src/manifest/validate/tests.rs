use jiff::Timestamp;

use crate::manifest::{ContestKind, ElectionManifest, ManifestErrors, WindowCheck};

pub(crate) const EXAMPLE: &str = include_str!("../../../../docs/examples/manifest.toml");

/// A small valid manifest; tests break one rule at a time by text replacement.
const BASE: &str = include_str!("../../../../docs/examples/minimal-manifest.toml");

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn parse(src: &str) -> Result<ElectionManifest, ManifestErrors> {
    ElectionManifest::from_toml(src, WindowCheck::StartsAfter { now: now() })
}

/// Replaces `from` (which must occur) in BASE by `to`.
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

/// Parses `src` and checks that it fails with `code` (only), on `line`, and that the
/// message contains `needle`.
fn fails(src: &str, code: &str, line: usize, needle: &str) {
    let errs = parse(src).expect_err("should fail");
    assert_eq!(errs.codes(), [code], "{errs}");
    let e = &errs.0[0];
    assert_eq!(e.position.map(|p| p.line), Some(line), "{errs}");
    let shown = errs.to_string();
    assert!(shown.contains(needle), "{shown:?} lacks {needle:?}");
    assert!(shown.contains(&format!("line {line}")), "{shown}");
    assert!(shown.contains(code), "{shown}");
}

#[test]
fn base_and_example_are_valid() {
    let m = parse(BASE).unwrap();
    assert_eq!(m.election_id().as_str(), "e1");
    assert_eq!(m.title().get("et"), "Valimised");
    assert_eq!(m.title().get("th"), "Election");
    let ex = parse(EXAMPLE).unwrap();
    assert_eq!(ex.districts().len(), 3);
    assert_eq!(ex.languages(), ["en", "et", "th"]);
    assert_eq!(ex.district("parnu").unwrap().name.get("th"), "แพร์นู");
    assert_eq!(ex.time_zone_name(), "Europe/Tallinn");
    let local = ex.voting_starts().to_zoned(ex.time_zone().clone());
    assert_eq!(local.hour(), 9);
}

#[test]
fn selection_and_sum_ranges_per_kind() {
    let m = parse(EXAMPLE).unwrap();
    let (_, c) = m.contest("parliament-tallinn").unwrap();
    assert_eq!(c.kind, ContestKind::Plurality);
    assert_eq!(c.selection_ranges(), vec![(0, 1); 4]); // 3 candidates + blank
    assert_eq!(c.sum_range(), (1, 1));
    assert_eq!(c.blank_position(), Some(3));
    let (_, c) = m.contest("city-projects-tartu").unwrap();
    assert_eq!(c.selection_ranges(), vec![(0, 1); 3]);
    assert_eq!(c.sum_range(), (1, 2));
    let (d, c) = m.contest("council-parnu").unwrap();
    assert_eq!(d.id.as_str(), "parnu");
    assert_eq!(c.selection_ranges(), vec![(0, 3); 3]);
    assert_eq!(c.sum_range(), (0, 5));
    let (_, c) = m.contest("festival-parnu").unwrap();
    assert_eq!(c.selection_ranges(), vec![(0, 4); 2]);
    assert_eq!(c.sum_range(), (0, 8)); // default max_total = R × candidates
    assert_eq!(c.blank_position(), None);
}

#[test]
fn canonical_form_round_trips_and_is_stable() {
    for src in [BASE, EXAMPLE] {
        let m = parse(src).unwrap();
        let bytes = m.canonical_bytes().unwrap();
        let again = ElectionManifest::from_canonical_bytes(&bytes).unwrap();
        assert_eq!(again, m);
        assert_eq!(again.canonical_bytes().unwrap(), bytes);
    }
    let canonical = parse(EXAMPLE).unwrap().canonical_bytes().unwrap();
    let text = String::from_utf8(canonical).unwrap();
    assert!(!text.contains('#'), "comments are dropped");
    assert!(
        text.contains("max_total = 8"),
        "defaults are written out:\n{text}"
    );
}

#[test]
fn canonical_times_are_utc() {
    let src = with("2027-02-22T07:00:00Z", "2027-02-22T09:00:00+02:00");
    let m = parse(&src).unwrap();
    let text = String::from_utf8(m.canonical_bytes().unwrap()).unwrap();
    assert!(
        text.contains("voting_starts = \"2027-02-22T07:00:00Z\""),
        "{text}"
    );
}

#[test]
fn syntax_error_points_at_line() {
    fails(
        &with("name = \"North\"", "name = \"North"),
        "manifest.syntax",
        11,
        "`name = \"North`",
    );
}

#[test]
fn wrong_type_is_a_syntax_error() {
    fails(
        &with(
            "kind = \"plurality\"",
            "kind = \"approval\"\nmax_choices = \"two\"",
        ),
        "manifest.syntax",
        16,
        "`max_choices = \"two\"`",
    );
}

#[test]
fn unknown_field() {
    fails(
        &with("name = \"Ann\"", "name = \"Ann\"\nparty_name = \"x\""),
        "manifest.unknown_field",
        21,
        "party_name",
    );
}

#[test]
fn missing_field() {
    fails(
        &with("time_zone = \"Europe/Tallinn\"\n", ""),
        "manifest.missing_field",
        1,
        "time_zone",
    );
}

#[test]
fn bad_ids() {
    fails(
        &with("id = \"d1\"", "id = \"d 1\""),
        "manifest.bad_id",
        10,
        "`d 1` is not a valid id",
    );
    fails(
        &with("id = \"a\"", "id = \"\""),
        "manifest.bad_id",
        19,
        "not a valid id",
    );
    let long = format!("election_id = \"{}\"", "x".repeat(65));
    fails(
        &with("election_id = \"e1\"", &long),
        "manifest.bad_id",
        1,
        "1 to 64",
    );
}

#[test]
fn duplicate_candidate() {
    fails(
        &with("id = \"b\"", "id = \"a\""),
        "manifest.duplicate_candidate",
        23,
        "`a` is used twice (first at line 19)",
    );
}

#[test]
fn duplicate_blank_and_candidate() {
    let src = with(
        "title = \"Council\"",
        "title = \"Council\"\nblank = { id = \"a\", name = \"Blank\" }",
    );
    fails(
        &src,
        "manifest.duplicate_candidate",
        17,
        "blank option id `a` is used twice (first at line 20)",
    );
}

#[test]
fn duplicate_district_and_contest() {
    let second = "\n[[districts]]\nid = \"d1\"\nname = \"South\"\n\n[[districts.contests]]\nid = \"c1\"\nkind = \"plurality\"\ntitle = \"T\"\n\n[[districts.contests.candidates]]\nid = \"z\"\nname = \"Zed\"\n";
    let src = format!("{BASE}{second}");
    let errs = parse(&src).unwrap_err();
    assert_eq!(
        errs.codes(),
        ["manifest.duplicate_district", "manifest.duplicate_contest"],
        "{errs}"
    );
    assert_eq!(errs.0[0].position.unwrap().line, 28);
    assert_eq!(errs.0[1].position.unwrap().line, 32);
    assert_eq!(errs.0[1].key, "districts[1].contests[0].id");
}

#[test]
fn no_districts() {
    let src = BASE.split("[[districts]]").next().unwrap();
    let errs = parse(src).unwrap_err();
    assert_eq!(errs.codes(), ["manifest.no_districts"]);
}

#[test]
fn district_without_contest() {
    let src = format!("{BASE}\n[[districts]]\nid = \"empty\"\nname = \"Empty\"\n");
    fails(
        &src,
        "manifest.district_without_contest",
        28,
        "district `empty` has no contest",
    );
}

#[test]
fn contest_without_candidates() {
    let src = BASE
        .split("\n[[districts.contests.candidates]]")
        .next()
        .unwrap();
    fails(
        src,
        "manifest.contest_without_candidates",
        14,
        "contest `c1` has no candidate",
    );
}

#[test]
fn unknown_kind() {
    fails(
        &with("\"plurality\"", "\"ranked\""),
        "manifest.unknown_kind",
        15,
        "`ranked`",
    );
}

#[test]
fn field_not_for_kind() {
    fails(
        &with(
            "kind = \"plurality\"",
            "kind = \"plurality\"\nmax_score = 3",
        ),
        "manifest.field_not_for_kind",
        16,
        "`max_score` does not apply to a plurality contest",
    );
}

#[test]
fn kind_specific_field_missing() {
    fails(
        &with("\"plurality\"", "\"approval\""),
        "manifest.missing_field",
        15,
        "needs `max_choices`",
    );
}

#[test]
fn approval_min_greater_than_max() {
    let src = with(
        "kind = \"plurality\"",
        "kind = \"approval\"\nmin_choices = 2\nmax_choices = 1",
    );
    fails(
        &src,
        "manifest.min_greater_than_max",
        16,
        "min_choices (2) is greater than max_choices (1)",
    );
}

#[test]
fn approval_max_exceeds_candidates() {
    let src = with(
        "kind = \"plurality\"",
        "kind = \"approval\"\nmax_choices = 3",
    );
    fails(
        &src,
        "manifest.max_exceeds_candidates",
        16,
        "greater than the number of options on the ballot (2)",
    );
}

#[test]
fn zero_limits() {
    fails(
        &with("kind = \"plurality\"", "kind = \"score\"\nmax_score = 0"),
        "manifest.zero_limit",
        16,
        "`max_score` is 0",
    );
    fails(
        &with(
            "kind = \"plurality\"",
            "kind = \"approval\"\nmax_choices = 0",
        ),
        "manifest.zero_limit",
        16,
        "`max_choices` is 0",
    );
    fails(
        &with("kind = \"plurality\"", "kind = \"cumulative\"\npoints = 0"),
        "manifest.zero_limit",
        16,
        "`points` is 0",
    );
}

#[test]
fn cumulative_cap_exceeds_points() {
    let src = with(
        "kind = \"plurality\"",
        "kind = \"cumulative\"\npoints = 3\nmax_per_candidate = 4",
    );
    fails(
        &src,
        "manifest.cap_exceeds_points",
        17,
        "max_per_candidate (4) is greater than points (3)",
    );
}

#[test]
fn score_limit_too_large() {
    let third = "\n[[districts.contests.candidates]]\nid = \"c\"\nname = \"Cid\"\n";
    let src = with(
        "kind = \"plurality\"",
        &format!("kind = \"score\"\nmax_score = {}", i64::MAX),
    ) + third;
    fails(&src, "manifest.limit_too_large", 16, "too large");
}

#[test]
fn limits_above_the_crypto_cap_are_refused() {
    let third = "\n[[districts.contests.candidates]]\nid = \"c\"\nname = \"Cid\"\n";
    // One score above the cap.
    let src = with(
        "kind = \"plurality\"",
        "kind = \"score\"\nmax_score = 1000001",
    ) + third;
    fails(&src, "manifest.limit_too_large", 16, "at most 1000000");
    // Scores at the cap whose implied total (3 candidates) exceeds it.
    let src = with(
        "kind = \"plurality\"",
        "kind = \"score\"\nmax_score = 1000000",
    ) + third;
    fails(&src, "manifest.limit_too_large", 16, "too large");
    // Cumulative points above the cap.
    let src = with(
        "kind = \"plurality\"",
        "kind = \"cumulative\"\npoints = 2000000",
    ) + third;
    fails(&src, "manifest.limit_too_large", 16, "at most 1000000");
}

#[test]
fn blank_not_allowed_on_score() {
    let src = with(
        "kind = \"plurality\"",
        "kind = \"score\"\nmax_score = 2\nblank = { id = \"x\", name = \"Blank\" }",
    );
    fails(
        &src,
        "manifest.blank_not_allowed",
        17,
        "cannot have a blank option",
    );
}

#[test]
fn bad_timestamp() {
    fails(
        &with("2027-02-28T18:00:00Z", "2027-02-30 18:00"),
        "manifest.bad_timestamp",
        6,
        "not an RFC 3339 time",
    );
}

#[test]
fn window_end_not_after_start() {
    fails(
        &with("2027-02-28T18:00:00Z", "2027-02-22T07:00:00Z"),
        "manifest.window_end_not_after_start",
        6,
        "at or before it starts",
    );
}

#[test]
fn window_in_past_unless_allowed() {
    let later: Timestamp = "2027-03-01T00:00:00Z".parse().unwrap();
    let errs =
        ElectionManifest::from_toml(BASE, WindowCheck::StartsAfter { now: later }).unwrap_err();
    assert_eq!(errs.codes(), ["manifest.window_in_past"]);
    assert_eq!(errs.0[0].position.unwrap().line, 5);
    assert!(
        errs.to_string()
            .contains("not after now (2027-03-01T00:00:00Z)"),
        "{errs}"
    );
    assert!(ElectionManifest::from_toml(BASE, WindowCheck::AllowPast).is_ok());
}

#[test]
fn unknown_time_zone() {
    fails(
        &with("Europe/Tallinn", "Europe/Tartu"),
        "manifest.unknown_time_zone",
        4,
        "`Europe/Tartu` is not an IANA time zone",
    );
}

#[test]
fn languages_rules() {
    fails(
        &with("[\"en\", \"et\"]", "[\"en\", \"et\", \"English\"]"),
        "manifest.bad_language_code",
        2,
        "`English` is not a language code",
    );
    fails(
        &with("[\"en\", \"et\"]", "[\"en\", \"et\", \"en\"]"),
        "manifest.duplicate_language",
        2,
        "listed twice",
    );
    let src = with("default_language = \"en\"", "default_language = \"fi\"");
    let errs = parse(&src).unwrap_err();
    assert_eq!(errs.codes()[0], "manifest.unknown_language");
    assert_eq!(errs.0[0].position.unwrap().line, 3);
}

#[test]
fn unknown_translation_language() {
    let src = with(
        "{ en = \"Blue\", et = \"Sinine\" }",
        "{ en = \"Blue\", th = \"สีน้ำเงิน\" }",
    );
    fails(
        &src,
        "manifest.unknown_language",
        25,
        "translation into `th`",
    );
    let errs = parse(&src).unwrap_err();
    assert_eq!(
        errs.0[0].key,
        "districts[0].contests[0].candidates[1].party.th"
    );
}

#[test]
fn missing_default_language_text() {
    fails(
        &with(
            "{ en = \"Election\", et = \"Valimised\" }",
            "{ et = \"Valimised\" }",
        ),
        "manifest.missing_default_language_text",
        7,
        "no text in the default language `en`",
    );
}

#[test]
fn empty_text() {
    fails(
        &with("name = \"Ann\"", "name = \"  \""),
        "manifest.empty_text",
        20,
        "empty",
    );
}

#[test]
fn reports_every_problem_at_once() {
    let src = with("id = \"b\"", "id = \"a\"").replace("Europe/Tallinn", "Nowhere");
    let errs = parse(&src).unwrap_err();
    assert_eq!(
        errs.codes(),
        ["manifest.unknown_time_zone", "manifest.duplicate_candidate"]
    );
    assert!(errs.to_string().starts_with("the manifest has 2 problems"));
}
