//! The voter id an e-ID certificate carries: the ETSI EN 319 412-1 natural-person semantics
//! identifier in the subject's serialNumber, `PNO` (national personal number), the ISO 3166
//! country code, `-`, the code: `PNOEE-38001085718`.
//!
//! Only the framing lives here; a country's code rules (length, birth date, check digit) are
//! the voter roll's (`ivote_protocol::roll`), which builds and parses ids with these two
//! functions.

/// The voter id of a personal code: `PNO` ‖ country ‖ `-` ‖ code (`country` is the ISO
/// 3166-1 alpha-2 code, e.g. `"EE"`).
pub fn voter_id(country: &str, id_code: &str) -> String {
    format!("PNO{country}-{id_code}")
}

/// Splits a voter id into its country letters and national code by the framing alone: `PNO`,
/// two upper-case ASCII letters, `-`, the rest (`PNOEE-38001085718` → `("EE",
/// "38001085718")`). Neither part is checked further: any country, any code (even an empty
/// one); the roll's `parse_voter_id` checks both.
pub fn split_voter_id(voter_id: &str) -> Option<(&str, &str)> {
    let rest = voter_id.strip_prefix("PNO")?;
    let (country, code) = rest.split_at_checked(2)?;
    let code = code.strip_prefix('-')?;
    country
        .bytes()
        .all(|b| b.is_ascii_uppercase())
        .then_some((country, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn voter_id_framing() {
        assert_eq!(voter_id("EE", "38001085718"), "PNOEE-38001085718");
        assert_eq!(
            split_voter_id("PNOEE-38001085718"),
            Some(("EE", "38001085718"))
        );
        // Any country and any code: only the framing is checked.
        assert_eq!(split_voter_id("PNOLV-x-1"), Some(("LV", "x-1")));
        assert_eq!(split_voter_id("PNOEE-"), Some(("EE", "")));
        assert_eq!(split_voter_id("PNOee-38001085718"), None);
        assert_eq!(split_voter_id("PNOEE38001085718"), None);
        assert_eq!(split_voter_id("PNOEEX-38001085718"), None);
        assert_eq!(split_voter_id("PNOE-38001085718"), None);
        assert_eq!(split_voter_id("PNOÄE-1"), None);
        assert_eq!(split_voter_id("IDCEE-38001085718"), None);
        assert_eq!(split_voter_id("PNO"), None);
    }

    proptest! {
        #[test]
        fn split_never_panics(s in ".{0,20}") {
            let _ = split_voter_id(&s);
        }
    }
}
