//! The system clock, read once here for every program's edge (the collector's server and
//! `close`, the voter app, the end-to-end runs), and Unix times written out for people.
//! Nothing else in this crate reads the clock: the pure modules take the time as an
//! argument.

/// Unix seconds now.
pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A Unix time in RFC 3339, e.g. `2027-03-01T18:00:00Z`, for messages and printed output;
/// a time outside the years -9999..9999 (only a broken or hostile input has one) as
/// `N (Unix seconds)`.
pub fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map_or_else(|_| format!("{unix} (Unix seconds)"), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_words() {
        assert_eq!(rfc3339(1_803_484_800), "2027-02-24T16:00:00Z");
        assert_eq!(rfc3339(i64::MAX), format!("{} (Unix seconds)", i64::MAX));
        assert!(unix_now() > 1_700_000_000);
    }
}
