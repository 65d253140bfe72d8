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

/// speedate's settings as pydantic 2 sets them.
fn pydantic_config() -> DateTimeConfig {
    DateTimeConfig {
        time_config: TimeConfig {
            // pydantic's default: digits beyond microseconds are dropped, not refused.
            microseconds_precision_overflow_behavior:
                MicrosecondsPrecisionOverflowBehavior::Truncate,
            unix_timestamp_offset: Some(0),
        },
        ..DateTimeConfig::default()
    }
}

/// Parses a date-time as pydantic's lax mode does; the error is pydantic's reason.
pub fn parse(text: &str) -> Result<DateTime, &'static str> {
    if let Ok(datetime) = DateTime::parse_str_with_config(text, &pydantic_config()) {
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

/// A JSON number read as a date-time as pydantic 2 reads it, written as pydantic
/// writes the result back (RFC 3339 in UTC, microseconds when there are any):
/// seconds since the epoch, or milliseconds beyond 2e10 (speedate's rule), with the
/// fraction kept to the microsecond (speedate's own reading of a float, which is
/// pydantic-core's; values checked against pydantic 2.14 in the tests below). The
/// error is pydantic's reason, such as "dates after 9999 are not supported as unix
/// timestamps".
pub fn from_number(number: &serde_json::Number) -> Result<String, &'static str> {
    let config = pydantic_config();
    let datetime = match number.as_i64() {
        Some(whole) => DateTime::from_timestamp_with_config(whole, 0, &config),
        // A float, or an integer beyond 64 bits (then a date beyond year 9999).
        None => DateTime::from_float_with_config(number.as_f64().unwrap_or(f64::MAX), &config),
    };
    datetime
        .map(|datetime| datetime.to_string())
        .map_err(|err| reason(&err))
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

    /// pydantic 2.14's answers (`TypeAdapter(datetime)`, then `dump_json`).
    #[test]
    fn reads_numbers_as_pydantic_does() {
        let read = |text: &str| from_number(&serde_json::from_str(text).unwrap());
        for (number, expected) in [
            ("0", "1970-01-01T00:00:00Z"),
            ("1700000000", "2023-11-14T22:13:20Z"),
            ("1700000000.5", "2023-11-14T22:13:20.500000Z"),
            ("1700000000.123456", "2023-11-14T22:13:20.123456Z"),
            ("1700000000.1234567", "2023-11-14T22:13:20.123457Z"),
            ("1700000000.9999996", "2023-11-14T22:13:21Z"),
            ("1700000000123", "2023-11-14T22:13:20.123000Z"),
            ("1700000000123.5", "2023-11-14T22:13:20.123500Z"),
            ("-1.5", "1969-12-31T23:59:58.500000Z"),
            ("20000000000.0", "2603-10-11T11:33:20Z"),
            ("20000000001", "1970-08-20T11:33:20.001000Z"),
        ] {
            assert_eq!(read(number).as_deref(), Ok(expected), "{number}");
        }
        for too_late in ["1e20", "12345678901234567890123"] {
            assert_eq!(
                read(too_late),
                Err("dates after 9999 are not supported as unix timestamps"),
                "{too_late}"
            );
        }
    }
}
