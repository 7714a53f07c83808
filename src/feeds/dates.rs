//! The date and time spellings the feeds use (TED's `2026-05-29+02:00` and `12:00:00+02:00`, Doffin's
//! `2026-09-01T10:00:00Z`, OCDS's `2026-07-13T12:00:00+01:00` or a bare `2026-06-19`) turned into
//! instants. Shared by every adapter; pure, depends on jiff only.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

/// A TED date (`2026-06-12+02:00`) plus an optional time (`12:00:00+02:00`) as an instant. The
/// time's offset wins over the date's; with neither, UTC.
pub(crate) fn combine(date: &str, time: Option<&str>) -> Option<Timestamp> {
    if date.contains('T') {
        return parse_instant(date);
    }
    let (day, date_offset) = parse_date(date)?;
    let (clock, time_offset) = time.and_then(parse_time).unwrap_or((Time::midnight(), None));
    let offset = time_offset.or(date_offset).unwrap_or(Offset::UTC);
    offset.to_timestamp(day.to_datetime(clock)).ok()
}

/// A full timestamp (`2022-02-06T23:00:00Z`), a local date-time (taken as UTC) or a date with an
/// optional offset (`2026-05-29+02:00`, midnight in that offset; a bare date is midnight UTC).
pub(crate) fn parse_instant(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if s.contains('T') || s.contains('t') {
        return s.parse::<Timestamp>().ok().or_else(|| {
            s.parse::<DateTime>()
                .ok()
                .and_then(|dt| Offset::UTC.to_timestamp(dt).ok())
        });
    }
    combine(s, None)
}

/// `YYYY-MM-DD` followed by nothing, `Z` or an offset.
fn parse_date(s: &str) -> Option<(Date, Option<Offset>)> {
    let s = s.trim();
    let day = s.get(..10)?.parse::<Date>().ok()?;
    Some((day, parse_offset(s.get(10..)?)?))
}

/// `HH:MM[:SS]` followed by nothing, `Z` or an offset.
fn parse_time(s: &str) -> Option<(Time, Option<Offset>)> {
    let s = s.trim();
    let split = s.find(['+', '-', 'Z', 'z']).unwrap_or(s.len());
    let clock = s[..split].parse::<Time>().ok()?;
    Some((clock, parse_offset(&s[split..])?))
}

/// `""` → no offset, `Z` → UTC, `±HH:MM`, `±HHMM` or `±HH` → that offset; anything else → `None`.
fn parse_offset(s: &str) -> Option<Option<Offset>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    if s.eq_ignore_ascii_case("z") {
        return Some(Some(Offset::UTC));
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60))
        .ok()
        .map(Some)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn offsets_parse_in_every_spelling() {
        assert_eq!(parse_offset("+02:00"), Some(Some(Offset::from_seconds(7200).unwrap())));
        assert_eq!(parse_offset("-0130"), Some(Some(Offset::from_seconds(-5400).unwrap())));
        assert_eq!(parse_offset("+01"), Some(Some(Offset::from_seconds(3600).unwrap())));
        assert_eq!(parse_offset("Z"), Some(Some(Offset::UTC)));
        assert_eq!(parse_offset(""), Some(None));
        assert_eq!(parse_offset("CET"), None);
        assert_eq!(parse_offset("+2:00"), None);
    }

    #[test]
    fn times_and_instants_parse_leniently() {
        assert_eq!(parse_time("12:00").map(|t| t.0), Some(Time::constant(12, 0, 0, 0)));
        assert_eq!(parse_time("23:59:59Z").map(|t| t.1), Some(Some(Offset::UTC)));
        assert_eq!(parse_instant("2026-09-01T12:00:00"), Some(ts("2026-09-01T12:00:00Z")));
        assert_eq!(
            parse_instant("2026-09-01T12:00:00+02:00"),
            Some(ts("2026-09-01T10:00:00Z"))
        );
        assert_eq!(parse_instant("2026-05-29+02:00"), Some(ts("2026-05-28T22:00:00Z")));
        assert_eq!(parse_instant("29.05.2026"), None);
        assert_eq!(
            combine("2026-06-12+02:00", Some("12:00:00Z")),
            Some(ts("2026-06-12T12:00:00Z"))
        );
        assert_eq!(
            combine("2026-06-12", Some("nonsense")),
            Some(ts("2026-06-12T00:00:00Z"))
        );
    }
}
