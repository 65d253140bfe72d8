//! The one date-time parser: pydantic's own, `speedate`.
//!
//! Captured sessions keep their timestamps as the strings they arrived as. Validation
//! asks [`check`] whether pydantic would have accepted one (and why not, in pydantic's
//! words: speedate's error documentation is pydantic's message), and the drafter asks
//! [`millis`] for the instant, to order handoffs and measure durations. Both go through
//! [`parse`], so a timestamp the API accepts is one the drafter can read, and the other
//! way round.
//!
//! Lax mode as pydantic 2 runs it: a date-time, else a Unix timestamp in seconds or
//! milliseconds written as a string (speedate's rule: beyond 2e10 it is milliseconds),
//! else a bare date at midnight. When all fail, the reason given is why the input is
//! not a *date* (pydantic's `datetime_from_date_parsing`), so a valid date followed by
//! a bad time is "unexpected extra characters at the end of the input".

use speedate::{
    Date, DateTime, DateTimeConfig, MicrosecondsPrecisionOverflowBehavior, ParseError, TimeConfig,
};

/// Parses a date-time as pydantic's lax mode does; the error is pydantic's reason.
pub fn parse(text: &str) -> Result<DateTime, &'static str> {
    let config = DateTimeConfig {
        time_config: TimeConfig {
            // pydantic's default: digits beyond microseconds are dropped, not refused.
            microseconds_precision_overflow_behavior:
                MicrosecondsPrecisionOverflowBehavior::Truncate,
            unix_timestamp_offset: Some(0),
        },
        ..DateTimeConfig::default()
    };
    if let Ok(datetime) = DateTime::parse_str_with_config(text, &config) {
        return Ok(datetime);
    }
    match Date::parse_str(text) {
        Ok(date) => Ok(DateTime {
            date,
            time: speedate::Time {
                hour: 0,
                minute: 0,
                second: 0,
                microsecond: 0,
                tz_offset: None,
            },
        }),
        Err(err) => Err(reason(&err)),
    }
}

/// Whether pydantic accepts `text` as a date-time, and why not.
pub fn check(text: &str) -> Result<(), &'static str> {
    parse(text).map(|_| ())
}

/// The instant of a date-time in milliseconds since the Unix epoch (UTC when the text
/// names no offset).
pub fn millis(text: &str) -> Option<i64> {
    parse(text).ok().map(|datetime| datetime.timestamp_tz_ms())
}

fn reason(err: &ParseError) -> &'static str {
    use strum::EnumMessage;
    err.get_documentation().unwrap_or("invalid datetime")
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01,
/// after Howard Hinnant's public-domain civil-from-days algorithm.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Formats a Unix timestamp (seconds) as RFC 3339 UTC, as pydantic turns a number
/// into a date-time. `None` when it is out of the range of four-digit years.
pub fn from_unix(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || !(-62_135_596_800.0..253_402_300_800.0).contains(&seconds) {
        return None;
    }
    let whole = seconds.floor() as i64;
    let (days, secs) = (whole.div_euclid(86_400), whole.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_pydantic_accepts() {
        for ok in [
            "2026-11-20T15:00:00Z",
            "2026-11-20T15:00:00.123+01:00",
            "2026-11-20 15:00",
            "2026-11-20",
            "2024-02-29T00:00:00Z",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn explains_what_it_refuses() {
        assert_eq!(check("yesterday"), Err("input is too short"));
        assert_eq!(
            check("2026-13-01T00:00:00Z"),
            Err("month value is outside expected range of 1-12")
        );
        assert_eq!(
            check("2025-02-29"),
            Err("day value is outside expected range")
        );
        assert_eq!(
            check("2026-11-20T25:00:00Z"),
            Err("unexpected extra characters at the end of the input")
        );
        assert_eq!(
            check("2026-11-20X10:00"),
            Err("unexpected extra characters at the end of the input")
        );
        assert_eq!(
            check("2026-11-20T10:00:00Zjunk"),
            Err("unexpected extra characters at the end of the input")
        );
    }

    #[test]
    fn reads_instants_with_their_offsets() {
        let instant = millis("2026-11-20T15:00:47Z").expect("a valid date-time");
        assert_eq!(millis("2026-11-20T16:00:47+01:00"), Some(instant));
        assert_eq!(millis("2026-11-20T10:00:47.250-05:00"), Some(instant + 250));
        assert_eq!(millis("1970-01-01"), Some(0));
        assert_eq!(millis("1795186800"), Some(1_795_186_800_000));
        // The drafter once read this date; validation never accepted it.
        assert_eq!(millis("2026-02-31T00:00:00Z"), None);
    }

    #[test]
    fn formats_unix_timestamps() {
        assert_eq!(from_unix(0.0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            from_unix(1_795_186_800.0).as_deref(),
            Some("2026-11-20T15:00:00Z")
        );
        assert_eq!(from_unix(f64::NAN), None);
    }
}
