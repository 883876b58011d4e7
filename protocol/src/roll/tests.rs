use ed25519_dalek::SigningKey;

use super::*;
use crate::manifest::{ElectionManifest, WindowCheck};

fn manifest() -> ElectionManifest {
    let src = include_str!("../../../docs/examples/manifest.toml");
    ElectionManifest::from_toml(src, WindowCheck::AllowPast).unwrap()
}

const ROLL: &str = "id_code,district,name
38001085718,tallinn,Mari Maasikas
37605030299,tartu,
49403136526,parnu,Liis Lepp
";

fn parse(src: &str) -> Result<VoterRoll, RollErrors> {
    VoterRoll::parse(src.as_bytes(), Country::EE, &manifest())
}

fn fails(src: &str, codes: &[&str], lines: &[u64], needle: &str) {
    let errs = parse(src).unwrap_err();
    assert_eq!(errs.codes(), codes, "{errs}");
    assert_eq!(
        errs.0
            .iter()
            .map(|e| e.line.unwrap_or(0))
            .collect::<Vec<_>>(),
        lines,
        "{errs}"
    );
    assert!(errs.to_string().contains(needle), "{errs} lacks {needle:?}");
}

#[test]
fn valid_roll_and_lookups() {
    let roll = parse(ROLL).unwrap();
    assert_eq!(roll.len(), 3);
    assert_eq!(roll.district_of("38001085718"), Some("tallinn"));
    assert_eq!(
        roll.district_of_voter_id("PNOEE-37605030299"),
        Some("tartu")
    );
    assert_eq!(roll.district_of_voter_id("PNOTH-1101700230708"), None);
    assert_eq!(roll.district_of("60001019906"), None);
    assert_eq!(roll.name_of("38001085718"), Some("Mari Maasikas"));
    assert_eq!(roll.name_of("37605030299"), None);
    assert_eq!(roll.hash(), RollHash::of_file(ROLL.as_bytes()));
    assert_eq!(roll.hash().to_hex().len(), 64);
}

#[test]
fn name_column_may_be_left_out_and_cells_are_trimmed() {
    let roll = parse("id_code,district\n 38001085718 , tallinn\n").unwrap();
    assert_eq!(roll.district_of("38001085718"), Some("tallinn"));
}

#[test]
fn thai_roll() {
    let roll = VoterRoll::parse(
        b"id_code,district\n1101700230708,tartu\n",
        Country::TH,
        &manifest(),
    )
    .unwrap();
    assert_eq!(
        roll.district_of_voter_id("PNOTH-1101700230708"),
        Some("tartu")
    );
    let errs = VoterRoll::parse(
        b"id_code,district\n38001085718,tartu\n",
        Country::TH,
        &manifest(),
    )
    .unwrap_err();
    assert_eq!(errs.codes(), ["roll.malformed_id_code"]);
    assert!(errs
        .to_string()
        .contains("not a valid Thai personal code: it must be exactly 13 digits"));
}

#[test]
fn empty_file() {
    fails("", &["roll.empty"], &[0], "the voter roll is empty");
    fails("id_code,district,name\n", &["roll.empty"], &[0], "no voter");
}

#[test]
fn bad_header() {
    fails(
        "id,district\n38001085718,tallinn\n",
        &["roll.bad_header"],
        &[1],
        "must be `id_code,district,name` or `id_code,district`",
    );
}

#[test]
fn wrong_column_count() {
    fails(
        &format!("{ROLL}38001080079,tallinn,Jaan,extra\n"),
        &["roll.column_count"],
        &[5],
        "4 columns, but the header has 3",
    );
}

#[test]
fn malformed_id_codes() {
    let src = "id_code,district\n38001085719,tallinn\n3800108571,tallinn\n38013015718,tallinn\n";
    let errs = parse(src).unwrap_err();
    assert_eq!(errs.codes(), ["roll.malformed_id_code"; 3]);
    let shown = errs.to_string();
    assert!(shown.contains("line 2: `38001085719` is not a valid Estonian personal code: its check digit (the last digit) should be 8"), "{shown}");
    assert!(shown.contains(
        "line 3: `3800108571` is not a valid Estonian personal code: it must be exactly 11 digits"
    ));
    assert!(shown.contains("line 4: `38013015718` is not a valid Estonian personal code: digits 2 to 7 are not a valid birth date"));
}

#[test]
fn duplicate_reports_both_lines() {
    fails(
        &format!("{ROLL}38001085718,tartu,Again\n"),
        &["roll.duplicate_voter"],
        &[5],
        "is on line 2 and again on line 5",
    );
}

#[test]
fn unknown_district() {
    fails(
        &format!("{ROLL}38001080079,narva,\n"),
        &["roll.unknown_district"],
        &[5],
        "district `narva` is not in the manifest (its districts: tallinn, tartu, parnu)",
    );
}

#[test]
fn not_utf8() {
    let mut bytes = ROLL.as_bytes().to_vec();
    bytes.extend_from_slice(b"38001080079,\xff\xfe\n");
    let errs = VoterRoll::parse(&bytes, Country::EE, &manifest()).unwrap_err();
    assert_eq!(errs.codes(), ["roll.bad_csv"]);
}

#[test]
fn reports_all_problems_in_line_order() {
    let src = "id_code,district\n38001085719,tallinn\n38001085718,narva\n38001085718,tallinn\n38001085718,tallinn\n";
    let errs = parse(src).unwrap_err();
    assert_eq!(
        errs.codes(),
        [
            "roll.malformed_id_code",
            "roll.unknown_district",
            "roll.duplicate_voter"
        ]
    );
    assert_eq!(
        errs.0.iter().map(|e| e.line).collect::<Vec<_>>(),
        [Some(2), Some(3), Some(5)]
    );
}

/// A valid Estonian code for a 1980s birth date and serial, found by trying check digits.
fn ee_code(n: u32) -> String {
    let (day, serial) = (n % 28 + 1, n / 28);
    let month = serial % 12 + 1;
    let body = format!(
        "3{:02}{month:02}{day:02}{:03}",
        80 + serial / 12_000,
        serial % 1000
    );
    (0..10)
        .map(|c| format!("{body}{c}"))
        .find(|c| Country::EE.check_id_code(c).is_ok())
        .unwrap()
}

#[test]
fn estonia_scale_roll() {
    const VOTERS: u32 = 313_514;
    let districts = ["tallinn", "tartu", "parnu"];
    let mut csv = String::from("id_code,district\n");
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    while seen.len() < VOTERS as usize {
        let code = ee_code(n);
        n += 1;
        if seen.insert(code.clone()) {
            csv.push_str(&format!("{code},{}\n", districts[seen.len() % 3]));
        }
    }
    let roll = VoterRoll::parse(csv.as_bytes(), Country::EE, &manifest()).unwrap();
    assert_eq!(roll.len(), VOTERS as usize);
    for code in seen.iter().take(1000) {
        assert!(roll.district_of(code).is_some());
    }
}

// ---- change lists ----------------------------------------------------------------------

fn officials() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn verify(csv: &str, sig: &[u8]) -> Result<ChangeList, RollErrors> {
    ChangeList::verify_and_parse(
        csv.as_bytes(),
        sig,
        &officials().verifying_key(),
        Country::EE,
    )
}

fn signed(csv: &str) -> Result<ChangeList, RollErrors> {
    verify(csv, &ChangeList::sign(csv.as_bytes(), &officials()))
}

const CHANGES: &str = "seq,action,id_code,district
1,add,60001019906,parnu
2,move,38001085718,tartu
3,remove,37605030299,
4,remove,49403136526,parnu
";

#[test]
fn changes_apply_in_order() {
    let roll = parse(ROLL).unwrap();
    let list = signed(CHANGES).unwrap();
    assert_eq!(list.changes().len(), 4);
    let new = roll.apply(&list).unwrap();
    assert_eq!(new.applied_seq(), 4);
    assert_eq!(new.district_of("60001019906"), Some("parnu"));
    assert_eq!(new.district_of("38001085718"), Some("tartu"));
    assert_eq!(
        new.name_of("38001085718"),
        Some("Mari Maasikas"),
        "a move keeps the name"
    );
    assert_eq!(new.district_of("37605030299"), None);
    assert_eq!(new.district_of("49403136526"), None);
    assert_eq!(new.len(), 2);
    assert_eq!(new.hash(), roll.hash());
    assert_eq!(roll.len(), 3, "the original roll is untouched");
    // A second list continues at seq 5; applying the first one again is refused.
    let next = signed("seq,action,id_code,district\n5,add,37605030299,tallinn\n").unwrap();
    assert_eq!(
        new.apply(&next).unwrap().district_of("37605030299"),
        Some("tallinn")
    );
    let again = new.apply(&list).unwrap_err();
    assert_eq!(again.code.code(), "changes.seq_gap");
    assert!(roll
        .apply(&next)
        .unwrap_err()
        .message
        .contains("last applied change is seq 0"));
}

#[test]
fn tampered_change_list_is_refused() {
    let sig = ChangeList::sign(CHANGES.as_bytes(), &officials());
    let tampered = CHANGES.replace("parnu\n2", "tallinn\n2");
    let errs = verify(&tampered, &sig).unwrap_err();
    assert_eq!(errs.codes(), ["changes.bad_signature"]);
    let other_key = SigningKey::from_bytes(&[8; 32]);
    let errs = verify(CHANGES, &ChangeList::sign(CHANGES.as_bytes(), &other_key)).unwrap_err();
    assert_eq!(errs.codes(), ["changes.bad_signature"]);
    assert_eq!(
        verify(CHANGES, b"not hex").unwrap_err().codes(),
        ["changes.bad_signature_file"]
    );
}

#[test]
fn change_list_format_errors() {
    let h = "seq,action,id_code,district\n";
    let codes = |body: &str| signed(&format!("{h}{body}")).unwrap_err().codes();
    assert_eq!(
        codes("1,add,60001019906,parnu\n3,add,38001080079,parnu\n"),
        ["changes.seq_gap"]
    );
    assert_eq!(codes("x,add,60001019906,parnu\n"), ["changes.bad_seq"]);
    assert_eq!(
        codes("1,delete,60001019906,parnu\n"),
        ["changes.unknown_action"]
    );
    assert_eq!(
        codes("1,add,60001019907,parnu\n"),
        ["roll.malformed_id_code"]
    );
    assert_eq!(codes("1,move,60001019906,\n"), ["changes.missing_district"]);
    assert_eq!(codes("1,add,60001019906\n"), ["roll.column_count"]);
    assert_eq!(signed(h).unwrap_err().codes(), ["roll.empty"]);
    assert_eq!(
        signed("seq,action,id\n").unwrap_err().codes(),
        ["roll.bad_header"]
    );
    let errs = signed(&format!(
        "{h}1,add,60001019906,parnu\n3,add,38001080079,parnu\n"
    ))
    .unwrap_err();
    assert_eq!(errs.0[0].line, Some(3));
    assert!(errs
        .to_string()
        .contains("seq 3 does not follow seq 1 of line 2"));
}

#[test]
fn changes_that_do_not_fit_the_roll() {
    let roll = parse(ROLL).unwrap();
    let h = "seq,action,id_code,district\n";
    let apply = |body: &str| {
        roll.apply(&signed(&format!("{h}{body}")).unwrap())
            .unwrap_err()
    };
    let e = apply("1,remove,60001019906,\n");
    assert_eq!((e.code.code(), e.line), ("changes.unknown_voter", Some(2)));
    assert!(e
        .message
        .contains("cannot remove 60001019906: not on the roll"));
    assert_eq!(
        apply("1,move,60001019906,tartu\n").code.code(),
        "changes.unknown_voter"
    );
    let e = apply("1,add,60001019906,parnu\n2,add,38001085718,tartu\n");
    assert_eq!((e.code.code(), e.line), ("changes.voter_exists", Some(3)));
    let e = apply("1,move,38001085718,narva\n");
    assert_eq!(e.code.code(), "roll.unknown_district");
    assert_eq!(
        apply("1,remove,38001085718,tartu\n").code.code(),
        "changes.district_mismatch"
    );
    assert_eq!(
        apply("2,add,60001019906,parnu\n").code.code(),
        "changes.seq_gap"
    );
}

#[test]
fn to_csv_round_trips_and_counts_per_district() {
    let m = manifest();
    let csv = "id_code,district,name\n49403136526,tartu,\"Kask, Kadri\"\n38001085718,tallinn,\n";
    let roll = VoterRoll::parse(csv.as_bytes(), Country::EE, &m).unwrap();
    let out = roll.to_csv().unwrap();
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        "id_code,district,name\n38001085718,tallinn,\n49403136526,tartu,\"Kask, Kadri\"\n"
    );
    let again = VoterRoll::parse(&out, Country::EE, &m).unwrap();
    assert_eq!(again.name_of("49403136526"), Some("Kask, Kadri"));
    let counts = again.district_counts();
    assert_eq!(counts.iter().find(|c| c.0 == "tallinn").unwrap().1, 1);
    assert_eq!(counts.iter().find(|c| c.0 == "tartu").unwrap().1, 1);
    assert_eq!(counts.len(), m.districts().len());
}
