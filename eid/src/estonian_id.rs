//! The Estonian personal identification code (isikukood), as defined by the standard
//! EVS 585:2007: eleven digits `GYYMMDDSSSC`.
//!
//! - `G`: sex and century of birth: 3 = man born 1900–1999, 4 = woman born 1900–1999,
//!   5 = man born 2000–2099, 6 = woman born 2000–2099 (1, 2, 7, 8 for other centuries are
//!   not accepted: no living voter has them);
//! - `YYMMDD`: the date of birth, which must exist (leap years included);
//! - `SSS`: a serial number distinguishing people born on the same day;
//! - `C`: the check digit: the first ten digits weighted 1,2,3,4,5,6,7,8,9,1, sum mod 11;
//!   if that is 10, weighted 3,4,5,6,7,8,9,1,2,3, sum mod 11; if that is 10 again, 0.
//!
//! This module is the single implementation in the workspace: the voter roll validation
//! (ivote-protocol) uses [`is_valid_estonian_code`] from here rather than keeping its own copy.
//! It has no dependencies beyond `std`.

use crate::civil_date::{civil_from_days, days_from_civil, days_in_month};

const WEIGHTS_1: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
const WEIGHTS_2: [u32; 10] = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

/// The check digit for the first ten digits of a code (each 0..=9).
pub fn estonian_check_digit(first_ten: &[u8; 10]) -> u8 {
    let weighted = |weights: &[u32; 10]| -> u32 {
        first_ten
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(*d) * w)
            .sum::<u32>()
            % 11
    };
    let first = weighted(&WEIGHTS_1);
    if first < 10 {
        return first as u8;
    }
    let second = weighted(&WEIGHTS_2);
    if second < 10 {
        second as u8
    } else {
        0
    }
}

/// Century of birth for the first digit, or `None` for a digit outside 3..=6.
fn century(first_digit: u8) -> Option<i64> {
    match first_digit {
        3 | 4 => Some(1900),
        5 | 6 => Some(2000),
        _ => None,
    }
}

/// Whether `code` is a well-formed Estonian personal code: exactly 11 ASCII digits, first
/// digit 3–6, an existing date of birth, and the right check digit.
///
/// ```
/// assert!(ivote_eid::is_valid_estonian_code("38001085718"));
/// assert!(!ivote_eid::is_valid_estonian_code("38001085719")); // wrong check digit
/// ```
pub fn is_valid_estonian_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != 11 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut digits = [0u8; 11];
    for (d, b) in digits.iter_mut().zip(bytes) {
        *d = b - b'0';
    }
    let [g, y1, y2, m1, m2, d1, d2, s1, s2, s3, check] = digits;
    let Some(century) = century(g) else {
        return false;
    };
    let year = century + i64::from(y1 * 10 + y2);
    let month = u32::from(m1 * 10 + m2);
    let day = u32::from(d1 * 10 + d2);
    if day == 0 || day > days_in_month(year, month) {
        return false;
    }
    estonian_check_digit(&[g, y1, y2, m1, m2, d1, d2, s1, s2, s3]) == check
}

/// Builds the code of a person born on `year-month-day` (1900..=2099), with the given sex and
/// same-day serial (0..=999). `None` if the date does not exist or is out of range.
pub fn generate_estonian_code(
    year: i64,
    month: u32,
    day: u32,
    female: bool,
    serial: u16,
) -> Option<String> {
    let first: u8 = match (year, female) {
        (1900..=1999, false) => 3,
        (1900..=1999, true) => 4,
        (2000..=2099, false) => 5,
        (2000..=2099, true) => 6,
        _ => return None,
    };
    if serial > 999 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let yy = year.rem_euclid(100) as u8;
    let (mm, dd) = (month as u8, day as u8);
    let ten = [
        first,
        yy / 10,
        yy % 10,
        mm / 10,
        mm % 10,
        dd / 10,
        dd % 10,
        (serial / 100) as u8,
        (serial / 10 % 10) as u8,
        (serial % 10) as u8,
    ];
    let check = estonian_check_digit(&ten);
    Some(
        ten.iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect(),
    )
}

/// The `index`-th demo code: a valid, distinct code for every `index` below
/// [`DEMO_CODE_CAPACITY`] (birth dates walk forward one day per 1,000 people from
/// 1940-01-01; the same-day serial is `index % 1000`; sexes alternate). `None` beyond that.
/// Deterministic, so demo rolls and demo certificates can be regenerated independently.
pub fn demo_estonian_code(index: u32) -> Option<String> {
    if index >= DEMO_CODE_CAPACITY {
        return None;
    }
    let start = days_from_civil(1940, 1, 1);
    let (year, month, day) = civil_from_days(start + i64::from(index / 1000));
    let serial = (index % 1000) as u16;
    generate_estonian_code(year, month, day, serial % 2 == 1, serial)
}

/// How many distinct codes [`demo_estonian_code`] yields: one per person for 1,000 people a
/// day from 1940-01-01 up to 2099-12-31.
pub const DEMO_CODE_CAPACITY: u32 = 58_440_000;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes() {
        // Published examples of valid codes.
        assert!(is_valid_estonian_code("38001085718"));
        assert!(is_valid_estonian_code("49403136526"));
        assert!(is_valid_estonian_code("60001019906"));
    }

    #[test]
    fn rejects_each_rule() {
        assert!(!is_valid_estonian_code("3800108571")); // 10 digits
        assert!(!is_valid_estonian_code("380010857180")); // 12 digits
        assert!(!is_valid_estonian_code("3800108571a"));
        assert!(!is_valid_estonian_code("38001085719")); // check digit
        assert!(!is_valid_estonian_code("18001085718")); // century digit 1
        assert!(!is_valid_estonian_code("78001085718")); // century digit 7
        assert!(!is_valid_estonian_code(" 8001085718"));
        assert!(!is_valid_estonian_code("３8001085718")); // non-ASCII digit
                                                          // 1900-02-29 does not exist, 2000-02-29 does.
        let leap_day = generate_estonian_code(1904, 2, 29, false, 1).unwrap();
        assert!(is_valid_estonian_code(&leap_day));
        assert!(generate_estonian_code(1900, 2, 29, false, 1).is_none());
        assert!(generate_estonian_code(2000, 2, 29, true, 1).is_some());
        assert!(!is_valid_estonian_code("30002290010")); // 1900-02-29 with whatever check
        assert!(!is_valid_estonian_code("38013015718")); // month 13
        assert!(!is_valid_estonian_code("38004315718")); // April 31
        assert!(!is_valid_estonian_code("38001005718")); // day 0
    }

    #[test]
    fn second_weights_and_zero_fallback() {
        // Search the ten-digit prefixes for the two fallback cases and check both paths.
        let mut second_used = false;
        let mut zero_fallback = false;
        for serial in 0..1000u16 {
            for day in 1..=28 {
                let code = generate_estonian_code(1980, 1, day, false, serial).unwrap();
                let d: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
                let ten: [u8; 10] = d[..10].try_into().unwrap();
                let s1: u32 = ten
                    .iter()
                    .zip(WEIGHTS_1)
                    .map(|(a, w)| u32::from(*a) * w)
                    .sum();
                let s2: u32 = ten
                    .iter()
                    .zip(WEIGHTS_2)
                    .map(|(a, w)| u32::from(*a) * w)
                    .sum();
                if s1 % 11 == 10 {
                    second_used = true;
                    let expect = if s2 % 11 == 10 { 0 } else { s2 % 11 };
                    zero_fallback |= s2 % 11 == 10;
                    assert_eq!(u32::from(d[10]), expect);
                }
            }
        }
        assert!(second_used && zero_fallback);
    }

    #[test]
    fn demo_codes_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for i in (0..400_000).step_by(7) {
            let c = demo_estonian_code(i).unwrap();
            assert!(is_valid_estonian_code(&c), "{c}");
            assert!(seen.insert(c));
        }
        let last = demo_estonian_code(DEMO_CODE_CAPACITY - 1).unwrap();
        assert!(is_valid_estonian_code(&last));
        assert!(last.starts_with("6991231") || last.starts_with("5991231"));
        assert!(demo_estonian_code(DEMO_CODE_CAPACITY).is_none());
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = is_valid_estonian_code(&s);
        }

        #[test]
        fn wrong_check_digit_is_caught(i in 0u32..1_000_000, delta in 1u8..10) {
            let mut b = demo_estonian_code(i).unwrap().into_bytes();
            b[10] = b'0' + (b[10] - b'0' + delta) % 10;
            prop_assert!(!is_valid_estonian_code(&String::from_utf8(b).unwrap()));
        }
    }
}
