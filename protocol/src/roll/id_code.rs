//! National personal id codes and the e-ID voter id built from them.
//!
//! A voter is identified by the serialNumber of their e-ID certificate subject, which
//! follows the ETSI EN 319 412-1 natural-person semantics identifier: `PNO` (national
//! personal number), the ISO 3166 country code, `-`, the code: `PNOEE-38001085718`. That
//! framing is e-ID's ([`ivote_eid::voter_id`], [`ivote_eid::split_voter_id`]); the codes'
//! rules are the roll's, here.

use std::fmt;

/// The country whose personal codes a voter roll holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Country {
    /// Estonia: isikukood, 11 digits.
    EE,
    /// Thailand: citizen id, 13 digits.
    TH,
}

impl Country {
    /// The ISO 3166-1 alpha-2 code (`"EE"`, `"TH"`).
    pub fn code(self) -> &'static str {
        match self {
            Country::EE => "EE",
            Country::TH => "TH",
        }
    }

    /// The country with this ISO 3166-1 alpha-2 code, if supported.
    pub fn from_code(code: &str) -> Option<Country> {
        match code {
            "EE" => Some(Country::EE),
            "TH" => Some(Country::TH),
            _ => None,
        }
    }

    /// Checks that `code` is a well-formed personal code of this country, check digit
    /// included; the error says what is wrong, in words.
    pub fn check_id_code(self, code: &str) -> Result<(), IdCodeProblem> {
        match self {
            Country::EE => check_estonian(code),
            Country::TH => check_thai(code),
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A country code that is not a supported roll country.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a supported country: use EE or TH")]
pub struct UnknownCountry(pub String);

/// `EE` or `TH`, as every program's `--country` takes it.
impl std::str::FromStr for Country {
    type Err = UnknownCountry;

    fn from_str(s: &str) -> Result<Country, UnknownCountry> {
        Country::from_code(s).ok_or_else(|| UnknownCountry(s.to_owned()))
    }
}

/// Why a string is not a valid personal code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdCodeProblem {
    /// Not exactly `expected` ASCII digits.
    NotDigits {
        /// The number of digits the country's codes have.
        expected: usize,
    },
    /// Estonian: the first digit (century and sex) is not 1–8.
    BadCentury,
    /// Estonian: digits 2–7 are not a real date.
    BadBirthDate,
    /// The last digit does not match the check digit computed from the others.
    BadCheckDigit {
        /// The check digit the other digits call for.
        expected: u8,
    },
}

impl fmt::Display for IdCodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdCodeProblem::NotDigits { expected } => {
                write!(f, "it must be exactly {expected} digits")
            }
            IdCodeProblem::BadCentury => write!(f, "its first digit must be 1 to 8"),
            IdCodeProblem::BadBirthDate => {
                write!(f, "digits 2 to 7 are not a valid birth date (YYMMDD)")
            }
            IdCodeProblem::BadCheckDigit { expected } => {
                write!(
                    f,
                    "its check digit (the last digit) should be {expected}; check for a typo"
                )
            }
        }
    }
}

/// The `N` digits of `code` (each 0–9), or `NotDigits` unless it is exactly `N` ASCII digits.
fn digits<const N: usize>(code: &str) -> Result<[u8; N], IdCodeProblem> {
    let bytes = code.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(IdCodeProblem::NotDigits { expected: N });
    }
    let mut out = [0u8; N];
    for (d, b) in out.iter_mut().zip(bytes) {
        *d = b - b'0';
    }
    Ok(out)
}

fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum()
}

/// The Estonian check digit's weights: the first pass, and the second for when the first
/// gives 10.
const EE_WEIGHTS_1: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
const EE_WEIGHTS_2: [u32; 10] = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

/// The century of birth (1800, 1900, 2000 or 2100) an Estonian code's first digit stands
/// for: 1–2 → 1800s, 3–4 → 1900s, 5–6 → 2000s, 7–8 → 2100s (odd: man, even: woman).
fn estonian_century(first_digit: u8) -> Option<i16> {
    match first_digit {
        1 | 2 => Some(1800),
        3 | 4 => Some(1900),
        5 | 6 => Some(2000),
        7 | 8 => Some(2100),
        _ => None,
    }
}

/// The Estonian check digit of a code's first ten digits (each 0–9): Σ dᵢ·wᵢ mod 11 with
/// weights 1 2 3 4 5 6 7 8 9 1; if that is 10, again with 3 4 5 6 7 8 9 1 2 3; if still
/// 10, 0.
pub fn estonian_check_digit(first_ten: &[u8; 10]) -> u8 {
    let mut c = weighted_sum(first_ten, &EE_WEIGHTS_1) % 11;
    if c == 10 {
        c = weighted_sum(first_ten, &EE_WEIGHTS_2) % 11;
    }
    // c is 0..=10 and 10 becomes 0.
    (c % 10) as u8
}

/// Estonian isikukood `GYYMMDDSSSC` (EVS 585): G = 1–8 (century and sex, see
/// [`estonian_century`]), YYMMDD a real date in that century, SSS a same-day serial, C the
/// check digit ([`estonian_check_digit`]).
///
/// All of G = 1–8 is accepted, as EVS 585 defines it, although no living voter has 1, 2, 7
/// or 8: whether a person may vote is the population register's call (it produces the roll),
/// not this format check's.
fn check_estonian(code: &str) -> Result<(), IdCodeProblem> {
    let [body @ .., check] = digits::<11>(code)?;
    let [g, y1, y2, m1, m2, d1, d2, ..] = body;
    let century = estonian_century(g).ok_or(IdCodeProblem::BadCentury)?;
    // Two digits (0–9 each) as a number: at most 99, so the casts cannot truncate.
    let two = |hi: u8, lo: u8| 10 * hi + lo;
    let year = century + i16::from(two(y1, y2));
    if jiff::civil::Date::new(year, two(m1, m2) as i8, two(d1, d2) as i8).is_err() {
        return Err(IdCodeProblem::BadBirthDate);
    }
    let expected = estonian_check_digit(&body);
    if check == expected {
        Ok(())
    } else {
        Err(IdCodeProblem::BadCheckDigit { expected })
    }
}

/// The Estonian code of a person born on `year-month-day` (1800-01-01 to 2199-12-31), of
/// the given sex, with the given same-day serial (0–999). `None` if the date does not exist
/// or is out of that range, or the serial is over 999.
///
/// ```
/// use ivote_protocol::roll::{generate_estonian_code, Country};
/// let code = generate_estonian_code(1980, 1, 8, false, 571).unwrap();
/// assert_eq!(code, "38001085718");
/// assert_eq!(Country::EE.check_id_code(&code), Ok(()));
/// ```
pub fn generate_estonian_code(
    year: i64,
    month: u32,
    day: u32,
    female: bool,
    serial: u16,
) -> Option<String> {
    let birth = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    estonian_code_born(birth, female, serial)
}

fn estonian_code_born(birth: jiff::civil::Date, female: bool, serial: u16) -> Option<String> {
    if serial > 999 {
        return None;
    }
    let yy = birth.year().rem_euclid(100);
    let century = birth.year() - yy;
    let g = (1..=8u8).find(|&g| estonian_century(g) == Some(century) && (g % 2 == 0) == female)?;
    let body = format!(
        "{g}{yy:02}{:02}{:02}{serial:03}",
        birth.month(),
        birth.day()
    );
    let check = estonian_check_digit(&digits::<10>(&body).ok()?);
    Some(format!("{body}{check}"))
}

/// The first birth date of the demo codes.
const DEMO_FIRST_BIRTH_DATE: jiff::civil::Date = jiff::civil::date(1940, 1, 1);

/// How many distinct codes [`demo_estonian_code`] yields: one per person for 1,000 people a
/// day from 1940-01-01 up to 2099-12-31.
pub const DEMO_CODE_CAPACITY: u32 = 58_440_000;

/// The `index`-th demo Estonian code: a valid, distinct code for every `index` below
/// [`DEMO_CODE_CAPACITY`] (birth dates walk forward one day per 1,000 people from
/// 1940-01-01; the same-day serial is `index % 1000`; sexes alternate, men first). `None`
/// beyond that. Deterministic, so demo rolls and demo certificates (ivote-eid's demo PKI)
/// can be generated independently and still match.
pub fn demo_estonian_code(index: u32) -> Option<String> {
    if index >= DEMO_CODE_CAPACITY {
        return None;
    }
    let days = jiff::Span::new().try_days(index / 1000).ok()?;
    let birth = DEMO_FIRST_BIRTH_DATE.checked_add(days).ok()?;
    let serial = u16::try_from(index % 1000).ok()?;
    estonian_code_born(birth, serial % 2 == 1, serial)
}

/// Thai citizen id, 13 digits: check digit = (11 − (Σ_{i=0}^{11} dᵢ·(13 − i)) mod 11) mod 10.
fn check_thai(code: &str) -> Result<(), IdCodeProblem> {
    let [body @ .., check] = digits::<13>(code)?;
    let sum = weighted_sum(&body, &[13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    let expected = ((11 - sum % 11) % 10) as u8;
    if check == expected {
        Ok(())
    } else {
        Err(IdCodeProblem::BadCheckDigit { expected })
    }
}

/// The e-ID voter id of a personal code: `PNO` ‖ country ‖ `-` ‖ code (the framing is
/// e-ID's: [`ivote_eid::voter_id`]).
pub fn voter_id(country: Country, id_code: &str) -> String {
    ivote_eid::voter_id(country.code(), id_code)
}

/// Splits a voter id (`PNOEE-38001085718`) into its country and personal code
/// ([`ivote_eid::split_voter_id`]), checking the code. `None` if it is not a `PNO`
/// identifier of a supported country with a valid code.
pub fn parse_voter_id(voter_id: &str) -> Option<(Country, &str)> {
    let (country, code) = ivote_eid::split_voter_id(voter_id)?;
    let country = Country::from_code(country)?;
    country.check_id_code(code).ok()?;
    Some((country, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn countries_parse_from_their_codes() {
        assert_eq!("EE".parse(), Ok(Country::EE));
        assert_eq!("TH".parse(), Ok(Country::TH));
        let err = "ee".parse::<Country>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`ee` is not a supported country: use EE or TH"
        );
    }

    #[test]
    fn estonian_known_valid_codes() {
        for code in ["38001085718", "37605030299", "49403136526", "60001019906"] {
            assert_eq!(Country::EE.check_id_code(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn estonian_second_weights_are_used() {
        // 3800108007x: the first weights give 10, the second ones 9.
        assert_eq!(Country::EE.check_id_code("38001080079"), Ok(()));
        assert_eq!(
            Country::EE.check_id_code("38001080070"),
            Err(IdCodeProblem::BadCheckDigit { expected: 9 })
        );
    }

    #[test]
    fn estonian_rejections() {
        let ee = |c| Country::EE.check_id_code(c);
        assert_eq!(
            ee("38001085719"),
            Err(IdCodeProblem::BadCheckDigit { expected: 8 })
        );
        assert_eq!(
            ee("3800108571"),
            Err(IdCodeProblem::NotDigits { expected: 11 })
        );
        assert_eq!(
            ee("3800108571a"),
            Err(IdCodeProblem::NotDigits { expected: 11 })
        );
        assert_eq!(ee("98001085718"), Err(IdCodeProblem::BadCentury));
        assert_eq!(ee("08001085718"), Err(IdCodeProblem::BadCentury));
        assert_eq!(ee("38002305718"), Err(IdCodeProblem::BadBirthDate)); // 30 February
        assert_eq!(ee("38013015718"), Err(IdCodeProblem::BadBirthDate)); // month 13
                                                                         // 29 February exists in 2000 but not in 1900.
        assert_eq!(ee("50002291239"), Ok(()));
        assert_eq!(ee("30002291239"), Err(IdCodeProblem::BadBirthDate));
    }

    #[test]
    fn estonian_more_rejections() {
        let ee = |c| Country::EE.check_id_code(c);
        let not_digits = Err(IdCodeProblem::NotDigits { expected: 11 });
        assert_eq!(ee("380010857180"), not_digits); // 12 digits
        assert_eq!(ee(" 8001085718"), not_digits);
        assert_eq!(ee("３8001085718"), not_digits); // non-ASCII digit
        assert_eq!(ee(""), not_digits);
        assert_eq!(ee("38004315718"), Err(IdCodeProblem::BadBirthDate)); // 31 April
        assert_eq!(ee("38001005718"), Err(IdCodeProblem::BadBirthDate)); // day 0
        assert_eq!(ee("38000085718"), Err(IdCodeProblem::BadBirthDate)); // month 0
    }

    #[test]
    fn estonian_every_century_digit_round_trips() {
        // EVS 585's whole range 1–8 is accepted (see `check_estonian`).
        for (year, female, first) in [
            (1880, false, '1'),
            (1880, true, '2'),
            (1980, false, '3'),
            (1980, true, '4'),
            (2010, false, '5'),
            (2010, true, '6'),
            (2150, false, '7'),
            (2150, true, '8'),
        ] {
            let code = generate_estonian_code(year, 6, 15, female, 42).unwrap();
            assert!(code.starts_with(first), "{code}");
            assert_eq!(&code[1..7], &format!("{:02}0615", year % 100));
            assert_eq!(&code[7..10], "042");
            assert_eq!(Country::EE.check_id_code(&code), Ok(()), "{code}");
        }
    }

    #[test]
    fn estonian_generation() {
        assert_eq!(
            generate_estonian_code(1980, 1, 8, false, 571).as_deref(),
            Some("38001085718")
        );
        // 29 February exists in 1904 and 2000, not in 1900.
        let leap_day = generate_estonian_code(1904, 2, 29, false, 1).unwrap();
        assert_eq!(leap_day, "30402290012");
        assert_eq!(Country::EE.check_id_code(&leap_day), Ok(()));
        assert_eq!(
            generate_estonian_code(2000, 2, 29, true, 1).as_deref(),
            Some("60002290014")
        );
        assert_eq!(generate_estonian_code(1900, 2, 29, false, 1), None);
        assert_eq!(generate_estonian_code(1980, 4, 31, false, 1), None);
        assert_eq!(generate_estonian_code(1980, 13, 1, false, 1), None);
        assert_eq!(generate_estonian_code(1980, 1, 0, false, 1), None);
        assert_eq!(generate_estonian_code(1980, 1, 1, false, 1000), None);
        assert_eq!(generate_estonian_code(1799, 12, 31, false, 1), None);
        assert_eq!(generate_estonian_code(2200, 1, 1, false, 1), None);
        assert_eq!(generate_estonian_code(i64::MAX, 1, 1, false, 1), None);
        assert_eq!(generate_estonian_code(1980, u32::MAX, 1, false, 1), None);
    }

    #[test]
    fn estonian_second_weights_and_zero_fallback() {
        // Search codes for both fallbacks and check the check digit against the rule
        // computed here independently.
        let mut second_used = false;
        let mut zero_fallback = false;
        for serial in 0..1000u16 {
            for day in 1..=28 {
                let code = generate_estonian_code(1980, 1, day, false, serial).unwrap();
                let d: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
                let sum = |w: [u32; 10]| -> u32 {
                    d[..10].iter().zip(w).map(|(a, w)| u32::from(*a) * w).sum()
                };
                let (s1, s2) = (sum(EE_WEIGHTS_1) % 11, sum(EE_WEIGHTS_2) % 11);
                let expect = match (s1, s2) {
                    (10, 10) => 0,
                    (10, s2) => s2,
                    (s1, _) => s1,
                };
                second_used |= s1 == 10;
                zero_fallback |= s1 == 10 && s2 == 10;
                assert_eq!(u32::from(d[10]), expect, "{code}");
            }
        }
        assert!(second_used && zero_fallback);
    }

    #[test]
    fn demo_codes_are_valid_distinct_and_stable() {
        let mut seen = std::collections::HashSet::new();
        for i in (0..400_000).step_by(7) {
            let c = demo_estonian_code(i).unwrap();
            assert_eq!(Country::EE.check_id_code(&c), Ok(()), "{c}");
            assert!(seen.insert(c));
        }
        // Demo rolls and demo certificates are generated apart: the sequence must not change.
        for (i, code) in [
            (0, "34001010001"),
            (1, "44001010013"),
            (999, "44001019990"),
            (1000, "34001020008"),
            (12_345_678, "37310196789"),
            (21_914_999, "49912319998"),
            (21_915_000, "50001010006"),
            (DEMO_CODE_CAPACITY - 1, "69912319998"),
        ] {
            assert_eq!(demo_estonian_code(i).as_deref(), Some(code), "{i}");
        }
        assert_eq!(demo_estonian_code(DEMO_CODE_CAPACITY), None);
        assert_eq!(demo_estonian_code(u32::MAX), None);
    }

    proptest! {
        #[test]
        fn checks_never_panic(s in ".{0,20}") {
            let _ = Country::EE.check_id_code(&s);
            let _ = Country::TH.check_id_code(&s);
            let _ = parse_voter_id(&s);
        }

        #[test]
        fn estonian_wrong_check_digit_is_caught(i in 0u32..1_000_000, delta in 1u8..10) {
            let mut b = demo_estonian_code(i).unwrap().into_bytes();
            b[10] = b'0' + (b[10] - b'0' + delta) % 10;
            let code = String::from_utf8(b).unwrap();
            prop_assert!(
                matches!(
                    Country::EE.check_id_code(&code),
                    Err(IdCodeProblem::BadCheckDigit { .. })
                ),
                "{}",
                code
            );
        }
    }

    #[test]
    fn thai_check_digit() {
        // 1-1017-00230-70-? : Σ = 1·13+1·12+0·11+1·10+7·9+0·8+0·7+2·6+3·5+0·4+7·3+0·2 = 146,
        // 146 mod 11 = 3, (11 − 3) mod 10 = 8.
        assert_eq!(Country::TH.check_id_code("1101700230708"), Ok(()));
        assert_eq!(
            Country::TH.check_id_code("1101700230709"),
            Err(IdCodeProblem::BadCheckDigit { expected: 8 })
        );
        assert_eq!(
            Country::TH.check_id_code("110170023070"),
            Err(IdCodeProblem::NotDigits { expected: 13 })
        );
        // Σ mod 11 = 1 gives (11 − 1) mod 10 = 0: 3-1006-00123-45-? has Σ = 155 ≡ 1.
        assert_eq!(Country::TH.check_id_code("3100600123450"), Ok(()));
    }

    #[test]
    fn voter_id_both_ways() {
        assert_eq!(voter_id(Country::EE, "38001085718"), "PNOEE-38001085718");
        assert_eq!(
            parse_voter_id("PNOEE-38001085718"),
            Some((Country::EE, "38001085718"))
        );
        assert_eq!(
            parse_voter_id("PNOTH-1101700230708"),
            Some((Country::TH, "1101700230708"))
        );
        assert_eq!(parse_voter_id("PNOEE-38001085719"), None);
        assert_eq!(parse_voter_id("PNOLV-38001085718"), None);
        assert_eq!(parse_voter_id("IDCEE-38001085718"), None);
        assert_eq!(parse_voter_id("38001085718"), None);
    }
}
