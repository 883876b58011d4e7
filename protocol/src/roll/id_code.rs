//! National personal id codes and the e-ID voter id built from them.
//!
//! A voter is identified by the serialNumber of their e-ID certificate subject, which
//! follows the ETSI EN 319 412-1 natural-person semantics identifier: `PNO` (national
//! personal number), the ISO 3166 country code, `-`, the code: `PNOEE-38001085718`.

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

fn digits(code: &str, n: usize) -> Result<Vec<u8>, IdCodeProblem> {
    if code.len() != n || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdCodeProblem::NotDigits { expected: n });
    }
    Ok(code.bytes().map(|b| b - b'0').collect())
}

fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum()
}

/// Estonian isikukood `GYYMMDDSSSC`: G = 1–8 (century and sex: 1–2 → 1800s, 3–4 → 1900s,
/// 5–6 → 2000s, 7–8 → 2100s), YYMMDD a real date, C the check digit: Σ dᵢ·wᵢ mod 11 with
/// weights 1 2 3 4 5 6 7 8 9 1; if that is 10, again with 3 4 5 6 7 8 9 1 2 3; if still 10, 0.
fn check_estonian(code: &str) -> Result<(), IdCodeProblem> {
    let d = digits(code, 11)?;
    let (body, check) = d.split_at(10);
    let century = match body.first() {
        Some(1 | 2) => 1800,
        Some(3 | 4) => 1900,
        Some(5 | 6) => 2000,
        Some(7 | 8) => 2100,
        _ => return Err(IdCodeProblem::BadCentury),
    };
    // Two digits at `at` as a number (the code is all digits: -1 cannot happen).
    let two = |at: usize| {
        code.get(at..at + 2)
            .and_then(|s| s.parse::<i8>().ok())
            .unwrap_or(-1)
    };
    let date = jiff::civil::Date::new(century + i16::from(two(1)), two(3), two(5));
    if date.is_err() {
        return Err(IdCodeProblem::BadBirthDate);
    }
    let mut c = weighted_sum(body, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 1]) % 11;
    if c == 10 {
        c = weighted_sum(body, &[3, 4, 5, 6, 7, 8, 9, 1, 2, 3]) % 11;
    }
    let expected = (c % 10) as u8;
    match check {
        [found] if *found == expected => Ok(()),
        _ => Err(IdCodeProblem::BadCheckDigit { expected }),
    }
}

/// Thai citizen id, 13 digits: check digit = (11 − (Σ_{i=0}^{11} dᵢ·(13 − i)) mod 11) mod 10.
fn check_thai(code: &str) -> Result<(), IdCodeProblem> {
    let d = digits(code, 13)?;
    let (body, check) = d.split_at(12);
    let sum = weighted_sum(body, &[13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    let expected = ((11 - sum % 11) % 10) as u8;
    match check {
        [found] if *found == expected => Ok(()),
        _ => Err(IdCodeProblem::BadCheckDigit { expected }),
    }
}

/// The e-ID voter id of a personal code: `PNO` ‖ country ‖ `-` ‖ code.
pub fn voter_id(country: Country, id_code: &str) -> String {
    format!("PNO{}-{id_code}", country.code())
}

/// Splits a voter id (`PNOEE-38001085718`) into its country and personal code, checking
/// the code. `None` if it is not a `PNO` identifier of a supported country with a valid code.
pub fn parse_voter_id(voter_id: &str) -> Option<(Country, &str)> {
    let rest = voter_id.strip_prefix("PNO")?;
    let (country, code) = rest.split_once('-')?;
    let country = Country::from_code(country)?;
    country.check_id_code(code).ok()?;
    Some((country, code))
}

#[cfg(test)]
mod tests {
    use super::*;

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
