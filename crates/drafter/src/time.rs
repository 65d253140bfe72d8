//! Date-time arithmetic for captured sessions, without a date-time dependency.
//!
//! Sessions keep their timestamps as the RFC 3339 strings they arrived as. The drafter
//! only needs three things from them: an instant to order handoffs among messages, a
//! duration for the brief, and evenly spread timestamps for transcripts that carry none.
//! Instants are milliseconds since the Unix epoch. Parsing is validation's
//! ([`feather_validation::datetime`], pydantic's own parser), so the drafter reads
//! exactly the timestamps the API accepted; this module only formats.

/// The instant of a date-time (or a bare date, or a Unix timestamp in a string, as
/// pydantic accepts them) in milliseconds.
pub(crate) fn parse_millis(text: &str) -> Option<i64> {
    feather_validation::datetime::millis(text.trim())
}

/// Formats milliseconds as RFC 3339 UTC, with a millisecond fraction only when it
/// is not zero.
pub(crate) fn format_millis(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = feather_validation::datetime::civil_from_days(days);
    let (hours, minutes) = (in_day / 3_600_000, in_day % 3_600_000 / 60_000);
    let (seconds, fraction) = (in_day % 60_000 / 1000, in_day % 1000);
    if fraction == 0 {
        format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}.{fraction:03}Z")
    }
}

/// A duration in words: "47 s", "3 min 10 s", "2 h 5 min".
pub(crate) fn format_duration(millis: i64) -> String {
    let seconds = millis.max(0) / 1000;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 if seconds % 60 == 0 => format!("{} min", seconds / 60),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ if seconds % 3600 / 60 == 0 => format!("{} h", seconds / 3600),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        let millis = parse_millis("2026-11-20T15:00:47Z").expect("a valid date-time");
        assert_eq!(format_millis(millis), "2026-11-20T15:00:47Z");
        assert_eq!(format_millis(millis + 250), "2026-11-20T15:00:47.250Z");
        assert_eq!(parse_millis("2026-11-20T16:00:47+01:00"), Some(millis));
        assert_eq!(parse_millis("2026-11-20T10:00:47.000-05:00"), Some(millis));
        assert_eq!(parse_millis("1970-01-01"), Some(0));
        assert_eq!(parse_millis("1795186800"), Some(1_795_186_800_000));
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-20T1000",
            "2026-11-20T10:00:00Zjunk",
        ] {
            assert_eq!(parse_millis(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_durations_in_words() {
        assert_eq!(format_duration(47_000), "47 s");
        assert_eq!(format_duration(190_000), "3 min 10 s");
        assert_eq!(format_duration(120_000), "2 min");
        assert_eq!(format_duration(7_500_000), "2 h 5 min");
        assert_eq!(format_duration(-5), "0 s");
    }
}
