//! Deadlines for people: a countdown and a local date-time, never Zulu time.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// How close a deadline is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// No deadline given.
    Unknown,
    /// Already past.
    Closed,
    /// Less than seven days left.
    Soon,
    /// Seven days or more.
    Later,
}

/// A short countdown ("3d", "5h", "40m", "closed") and its urgency.
pub fn countdown(deadline: Option<Timestamp>, now: Timestamp) -> (String, Urgency) {
    let Some(deadline) = deadline else {
        return ("–".to_owned(), Urgency::Unknown);
    };
    let secs = deadline.as_second() - now.as_second();
    if secs <= 0 {
        return ("closed".to_owned(), Urgency::Closed);
    }
    let text = match secs {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s => format!("{}m", (s / 60).max(1)),
    };
    let urgency = if secs < 7 * 86_400 {
        Urgency::Soon
    } else {
        Urgency::Later
    };
    (text, urgency)
}

/// `2026-06-12 12:00` in the user's zone.
pub fn local_time(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid timestamp")
    }

    #[test]
    fn countdown_units_and_urgency() {
        let now = ts("2026-11-22T12:00:00Z");
        assert_eq!(countdown(None, now), ("–".to_owned(), Urgency::Unknown));
        assert_eq!(
            countdown(Some(ts("2026-11-22T11:00:00Z")), now),
            ("closed".to_owned(), Urgency::Closed)
        );
        assert_eq!(
            countdown(Some(ts("2026-11-22T12:30:00Z")), now),
            ("30m".to_owned(), Urgency::Soon)
        );
        assert_eq!(
            countdown(Some(ts("2026-11-22T17:00:00Z")), now),
            ("5h".to_owned(), Urgency::Soon)
        );
        assert_eq!(
            countdown(Some(ts("2026-11-25T12:00:00Z")), now),
            ("3d".to_owned(), Urgency::Soon)
        );
        assert_eq!(
            countdown(Some(ts("2026-12-22T12:00:00Z")), now),
            ("30d".to_owned(), Urgency::Later)
        );
    }

    #[test]
    fn local_time_uses_the_zone() {
        let oslo = TimeZone::get("Europe/Oslo").expect("bundled tzdb");
        assert_eq!(local_time(ts("2026-06-12T10:00:00Z"), &oslo), "2026-06-12 12:00");
        assert_eq!(local_time(ts("2026-12-12T10:00:00Z"), &oslo), "2026-12-12 11:00");
    }
}
