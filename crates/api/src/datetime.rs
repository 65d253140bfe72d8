//! Date-time checks with the messages of pydantic's parser (speedate).
//!
//! Captured sessions keep their timestamps as the strings they arrived as; this
//! module only decides whether pydantic would have accepted one, and why not.

/// Checks an RFC 3339 / ISO 8601 date-time (or a bare date, or a Unix timestamp in
/// a string, which pydantic also accepts). The error is speedate's reason.
pub fn check(text: &str) -> Result<(), &'static str> {
    let b = text.as_bytes();
    if !b.is_empty()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && text.parse::<f64>().is_ok()
    {
        return Ok(());
    }
    if b.len() < 10 {
        return Err("input is too short");
    }
    digits(&b[0..4], "invalid character in year")?;
    if b[4] != b'-' {
        return Err("invalid date separator, expected `-`");
    }
    let month = digits(&b[5..7], "invalid character in month")?;
    if b[7] != b'-' {
        return Err("invalid date separator, expected `-`");
    }
    let day = digits(&b[8..10], "invalid character in day")?;
    if !(1..=12).contains(&month) {
        return Err("month value is outside expected range of 1-12");
    }
    let year = digits(&b[0..4], "invalid character in year")?;
    if day < 1 || day > days_in_month(year, month) {
        return Err("day value is outside expected range");
    }
    if b.len() == 10 {
        return Ok(());
    }
    // When a date-time fails, pydantic reports why the input is not a *date*: a
    // valid date followed by anything is "extra characters", whatever the time's fault.
    let time_ok = matches!(b[10], b'T' | b't' | b' ' | b'_') && check_time(&b[11..]).is_ok();
    if time_ok {
        Ok(())
    } else {
        Err(EXTRA_CHARACTERS)
    }
}

const EXTRA_CHARACTERS: &str = "unexpected extra characters at the end of the input";

fn check_time(b: &[u8]) -> Result<(), &'static str> {
    if b.len() < 5 {
        return Err("input is too short");
    }
    if digits(&b[0..2], "invalid character in hour")? > 23 {
        return Err("hour value is outside expected range of 0-23");
    }
    if b[2] != b':' {
        return Err("invalid time separator, expected `:`");
    }
    if digits(&b[3..5], "invalid character in minute")? > 59 {
        return Err("minute value is outside expected range of 0-59");
    }
    let mut rest = &b[5..];
    if rest.first() == Some(&b':') {
        if rest.len() < 3 {
            return Err("input is too short");
        }
        if digits(&rest[1..3], "invalid character in second")? > 59 {
            return Err("second value is outside expected range of 0-59");
        }
        rest = &rest[3..];
        if matches!(rest.first(), Some(b'.') | Some(b',')) {
            let fraction = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if fraction == 0 {
                return Err("invalid character in second fraction");
            }
            rest = &rest[1 + fraction..];
        }
    }
    match rest {
        [] | [b'Z'] | [b'z'] => Ok(()),
        [sign, tz @ ..] if *sign == b'+' || *sign == b'-' => {
            let (hours, minutes) = match tz {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => ([*h1, *h2], [*m1, *m2]),
                [h1, h2] => ([*h1, *h2], [b'0', b'0']),
                _ => return Err("invalid timezone sign"),
            };
            if digits(&hours, "invalid timezone hour")? > 23
                || digits(&minutes, "invalid timezone minute")? > 59
            {
                return Err("timezone offset is out of range");
            }
            Ok(())
        }
        _ => Err(EXTRA_CHARACTERS),
    }
}

fn digits(b: &[u8], message: &'static str) -> Result<u32, &'static str> {
    b.iter().try_fold(0u32, |acc, c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err(message)
        }
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
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
    fn formats_unix_timestamps() {
        assert_eq!(from_unix(0.0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            from_unix(1_795_186_800.0).as_deref(),
            Some("2026-11-20T15:00:00Z")
        );
        assert_eq!(from_unix(f64::NAN), None);
    }
}
