//! Date-time arithmetic for captured sessions, without a date-time dependency.
//!
//! Sessions keep their timestamps as the RFC 3339 strings they arrived as. The drafter
//! only needs three things from them: an instant to order handoffs among messages, a
//! duration for the brief, and evenly spread timestamps for transcripts that carry none.
//! Instants are milliseconds since the Unix epoch.

/// Parses an RFC 3339 / ISO 8601 date-time (or a bare date, or a Unix timestamp in
/// seconds written as a string, which pydantic also accepts) to milliseconds.
pub(crate) fn parse_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    let b = text.as_bytes();
    if !b.is_empty() && b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        let seconds: f64 = text.parse().ok()?;
        return seconds_to_millis(seconds);
    }
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let mut millis = days * 86_400_000;
    if b.len() == 10 {
        return Some(millis);
    }
    if !matches!(b[10], b'T' | b't' | b' ' | b'_') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    millis += i64::from(hour) * 3_600_000 + i64::from(minute) * 60_000;
    let mut rest = &b[16..];
    if rest.first() == Some(&b':') {
        let second = digits(rest.get(1..3)?)?;
        millis += i64::from(second) * 1000;
        rest = &rest[3..];
        if matches!(rest.first(), Some(b'.') | Some(b',')) {
            let fraction: Vec<u8> = rest[1..]
                .iter()
                .copied()
                .take_while(u8::is_ascii_digit)
                .collect();
            if fraction.is_empty() {
                return None;
            }
            let mut scale = 100;
            for digit in fraction.iter().take(3) {
                millis += i64::from(digit - b'0') * scale;
                scale /= 10;
            }
            rest = &rest[1 + fraction.len()..];
        }
    }
    let offset_minutes = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign, tz @ ..] if *sign == b'+' || *sign == b'-' => {
            let (hours, minutes) = match tz {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                _ => return None,
            };
            let minutes = i64::from(hours * 60 + minutes);
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    Some(millis - offset_minutes * 60_000)
}

fn seconds_to_millis(seconds: f64) -> Option<i64> {
    if seconds.is_finite() && seconds.abs() < 2.5e11 {
        Some((seconds * 1000.0).round() as i64)
    } else {
        None
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

// Days since 1970-01-01 of a proleptic Gregorian date, after Howard Hinnant's
// public-domain algorithm.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats milliseconds as RFC 3339 UTC, with a millisecond fraction only when it
/// is not zero.
pub(crate) fn format_millis(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = feather_api::datetime::civil_from_days(days);
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
