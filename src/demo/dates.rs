//! The demo's recorded dates moved to "now" when they are served, so the dashboard shows what it
//! is for: open notices with countdowns, some closing within the week, fresh feeds.
//!
//! Every notice is one *family* of dates (publication, deadlines, lots' deadlines, contract
//! periods, …) moved by one whole number of days, so the gaps between them stay as recorded and
//! a date keeps its time of day and UTC offset. A family lands with its publication one to three
//! days ago when its deadline then falls 2–20 days ahead (or it has none); otherwise its
//! deadline is put 2–20 days ahead. A notice whose deadline precedes its publication (an award)
//! keeps it in the past. The day is fixed when the server starts, so every poll of a session
//! serves the same dates. The fixtures on disk stay as recorded.

use std::ops::Range;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan, tz::TimeZone};
use serde_json::Value;

/// How far ahead the deadlines of the demo's open notices fall, in days.
pub const DEADLINE_DAYS: Range<i64> = 2..21;

/// Keys of a notice's submission deadline in the demo's payloads (TED, Doffin).
const DEADLINE_KEYS: [&str; 2] = ["deadline-receipt-tender-date-lot", "deadline"];

/// Keys of its publication date, best first (TED current and legacy, Doffin, OCDS).
const PUBLISHED_KEYS: [&str; 5] = [
    "publication-date",
    "PD",
    "issueDate",
    "publicationDate",
    "datePublished",
];

/// The day the demo's dates are moved towards: today in UTC when the server starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoDay(Date);

impl DemoDay {
    /// The day of `now` in UTC.
    pub fn of(now: Timestamp) -> Self {
        Self::on(now.to_zoned(TimeZone::UTC).date())
    }

    /// That day (a demo database keeps the day it was made, see `Store::demo_day`).
    pub fn on(day: Date) -> Self {
        Self(day)
    }

    /// The day itself.
    pub fn date(self) -> Date {
        self.0
    }

    /// Days to move the family number `nth` of a payload (its position, which fixes its place in
    /// the 2–20 day spread) with this `deadline` and `published` date.
    fn offset(self, nth: usize, deadline: Option<Date>, published: Option<Date>) -> i64 {
        let spread = |n: i64| n.rem_euclid(DEADLINE_DAYS.end - DEADLINE_DAYS.start) + DEADLINE_DAYS.start;
        let nth = i64::try_from(nth).unwrap_or(0);
        let days = |from: Date, to: Date| (to - from).get_days().into();
        // Publication one to three days ago (never later today, ahead of the clock), the deadline
        // after it as recorded.
        let by_published = published.and_then(|p| Some(days(p, self.0.checked_sub((nth % 3 + 1).days()).ok()?)));
        match (deadline, published, by_published) {
            // An award: its deadline had passed before it was published.
            (Some(d), Some(p), Some(shift)) if d < p => shift,
            (Some(d), _, by_published) => {
                let due = |shift: i64| days(self.0, d) + shift;
                match by_published {
                    Some(shift) if DEADLINE_DAYS.contains(&due(shift)) => shift,
                    // Seven steps apart, so neighbours in a payload do not close on the same day.
                    _ => days(d, self.0) + spread(nth * 7 + 3),
                }
            }
            (None, _, Some(shift)) => shift,
            (None, _, None) => 0,
        }
    }

    /// Moves the dates of every element of `key`'s array in a JSON object (TED's `notices`,
    /// Doffin's `hits`), one family per element.
    pub fn move_array(self, root: &mut Value, key: &str) {
        if let Some(Value::Array(items)) = root.get_mut(key) {
            self.move_families(items);
        }
    }

    /// Moves the dates of each value in `families`, one family per value.
    pub fn move_families(self, families: &mut [Value]) {
        for (nth, family) in families.iter_mut().enumerate() {
            let (deadline, published) = anchors(family);
            let shift = self.offset(nth, deadline, published);
            shift_value(family, shift);
        }
    }

    /// Moves the dates of an OCDS release package given as text, one family per release, editing
    /// only the date strings: the recordings hold bare `Infinity` numbers, which are not JSON and
    /// are served as the real API sends them. The text comes back unchanged when it cannot be read.
    pub fn move_ocds_text(self, package: &str) -> String {
        let Some(elements) = array_elements(package, "releases") else {
            return package.to_owned();
        };
        // Read for the anchors only, with the bare numbers made JSON.
        let readable = package.replace("-Infinity", "null").replace("Infinity", "null");
        let releases = match serde_json::from_str::<Value>(&readable) {
            Ok(mut root) => match root.get_mut("releases").map(Value::take) {
                Some(Value::Array(releases)) if releases.len() == elements.len() => releases,
                _ => return package.to_owned(),
            },
            Err(_) => return package.to_owned(),
        };
        let mut out = String::with_capacity(package.len());
        let mut done = 0;
        for (nth, (range, release)) in elements.into_iter().zip(&releases).enumerate() {
            let deadline = release
                .pointer("/tender/tenderPeriod/endDate")
                .and_then(Value::as_str)
                .and_then(date_of);
            let published = release
                .get("date")
                .or_else(|| release.pointer("/tender/datePublished"))
                .and_then(Value::as_str)
                .and_then(date_of);
            let shift = self.offset(nth, deadline, published);
            out.push_str(&package[done..range.start]);
            out.push_str(&shift_strings_in(&package[range.clone()], shift));
            done = range.end;
        }
        out.push_str(&package[done..]);
        out
    }
}

/// The earliest deadline and the first publication date found in a family, by key.
fn anchors(family: &Value) -> (Option<Date>, Option<Date>) {
    let mut deadline: Option<Date> = None;
    let mut published: Vec<(usize, Date)> = Vec::new();
    visit_keyed(family, None, &mut |key, text| {
        let Some(date) = date_of(text) else { return };
        if DEADLINE_KEYS.contains(&key) {
            deadline = Some(deadline.map_or(date, |d| d.min(date)));
        } else if let Some(rank) = PUBLISHED_KEYS.iter().position(|k| *k == key) {
            published.push((rank, date));
        }
    });
    published.sort_by_key(|(rank, _)| *rank);
    (deadline, published.first().map(|(_, d)| *d))
}

/// Calls `found(key, text)` for every string under an object key (arrays pass their key down).
fn visit_keyed(value: &Value, key: Option<&str>, found: &mut impl FnMut(&str, &str)) {
    match value {
        Value::String(text) => {
            if let Some(key) = key {
                found(key, text);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| visit_keyed(v, key, found)),
        Value::Object(map) => map.iter().for_each(|(k, v)| visit_keyed(v, Some(k), found)),
        _ => {}
    }
}

/// Moves every date string in `value` by `days`.
fn shift_value(value: &mut Value, days: i64) {
    match value {
        Value::String(text) => {
            if let Some(moved) = shift_date(text, days) {
                *text = moved;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shift_value(v, days)),
        Value::Object(map) => map.values_mut().for_each(|v| shift_value(v, days)),
        _ => {}
    }
}

/// The calendar date a date string starts with, when the whole string is a date: `2026-06-12`,
/// `2026-06-12+02:00`, `2026-06-12Z`, `2026-06-12T10:00:00Z`, `2026-06-12T10:00:00.5+01:00`.
fn date_of(text: &str) -> Option<Date> {
    let (day, rest) = (text.get(..10)?, text.get(10..)?);
    let bytes = day.as_bytes();
    let shape = bytes.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    let tail = rest.is_empty()
        || (rest.len() <= 25
            && rest.starts_with(['T', 'Z', '+', '-'])
            && rest.bytes().all(|b| b.is_ascii_digit() || b":.+-TZ".contains(&b)));
    if !(shape && tail) {
        return None;
    }
    day.parse().ok()
}

/// `text` with its date moved by `days`, the rest (time, offset) as it was; `None` when `text` is
/// not a date.
fn shift_date(text: &str, days: i64) -> Option<String> {
    let date = date_of(text)?;
    let moved = date.checked_add(days.days()).ok()?;
    Some(format!("{}{}", moved.strftime("%Y-%m-%d"), &text[10..]))
}

/// `json` (a fragment of JSON text) with every string literal that is a date moved by `days`.
fn shift_strings_in(json: &str, days: i64) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(open) = rest.find('"') {
        let Some(len) = string_len(&rest[open + 1..]) else {
            break;
        };
        let literal = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..=open]);
        match shift_date(literal, days) {
            Some(moved) => out.push_str(&moved),
            None => out.push_str(literal),
        }
        out.push('"');
        rest = &rest[open + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The length of a JSON string's contents, `text` starting right after its opening quote.
fn string_len(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// The byte ranges of the elements of the array under the first `"key":` of `json`.
fn array_elements(json: &str, key: &str) -> Option<Vec<Range<usize>>> {
    let at = json.find(&format!("\"{key}\""))? + key.len() + 2;
    let open = at + json[at..].find('[')?;
    let (mut depth, mut start, mut ranges) = (0usize, None, Vec::new());
    let mut i = open;
    let bytes = json.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                start.get_or_insert(i);
                i += string_len(&json[i + 1..])? + 1;
            }
            b'[' | b'{' => {
                if depth == 1 {
                    start.get_or_insert(i);
                }
                depth += 1;
            }
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    ranges.extend(start.take().map(|s| s..trimmed_end(json, i)));
                    return Some(ranges);
                }
            }
            b',' if depth == 1 => ranges.extend(start.take().map(|s| s..trimmed_end(json, i))),
            b if depth == 1 && !b.is_ascii_whitespace() => {
                start.get_or_insert(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `end` moved back over whitespace.
fn trimmed_end(json: &str, end: usize) -> usize {
    json[..end].trim_end().len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_are_recognised_in_every_recorded_shape_and_nothing_else() {
        for text in [
            "2026-06-12",
            "2026-06-12+02:00",
            "2026-06-12Z",
            "2026-06-12T10:00:00Z",
            "2026-05-29T16:12:45+01:00",
            "2026-05-29T16:12:45.123-05:00",
        ] {
            assert!(date_of(text).is_some(), "{text}");
            assert_eq!(shift_date(text, 1).unwrap()[10..], text[10..], "{text}");
        }
        for text in [
            "2026-0412",
            "BK-2026-0412",
            "2026-06-12 kl 12",
            "2026-13-40",
            "67623-2022",
            "",
        ] {
            assert_eq!(date_of(text), None, "{text}");
        }
        assert_eq!(
            shift_date("2026-12-31T23:00:00+01:00", 1).unwrap(),
            "2027-01-01T23:00:00+01:00"
        );
    }

    #[test]
    fn a_family_moves_as_one_and_lands_where_the_demo_wants_it() {
        let today = DemoDay(day("2027-03-10"));
        // 33 days from publication to deadline: too long to publish it recently, so the deadline
        // is placed 2–20 days ahead and the publication follows.
        let mut families = vec![serde_json::json!({
            "publicationDate": "2026-07-30",
            "deadline": "2026-09-01T10:00:00Z",
            "lots": [{"deadline-receipt-tender-date-lot": ["2026-09-02+02:00"]}],
            "id": "2026-0412",
        })];
        today.move_families(&mut families);
        let f = &families[0];
        let deadline = date_of(f["deadline"].as_str().unwrap()).unwrap();
        let published = date_of(f["publicationDate"].as_str().unwrap()).unwrap();
        let ahead = (deadline - today.0).get_days();
        assert!((2..=20).contains(&ahead), "{f}");
        assert_eq!((deadline - published).get_days(), 33);
        assert_eq!(
            f["lots"][0]["deadline-receipt-tender-date-lot"][0].as_str().unwrap()[10..],
            *"+02:00"
        );
        assert_eq!(f["id"], "2026-0412");
        // Short enough: published in the last days, the deadline as far after it as recorded.
        let d = today.offset(0, Some(day("2026-06-08")), Some(day("2026-05-28")));
        assert_eq!(day("2026-05-28").checked_add(d.days()).unwrap(), day("2027-03-09"));
        // An award keeps its deadline in the past; no deadline: published recently.
        let d = today.offset(1, Some(day("2022-09-14")), Some(day("2022-10-20")));
        assert!(day("2022-09-14").checked_add(d.days()).unwrap() < today.0);
        let d = today.offset(2, None, Some(day("2026-07-28")));
        assert_eq!(
            (today.0 - day("2026-07-28").checked_add(d.days()).unwrap()).get_days(),
            3
        );
    }

    #[test]
    fn ocds_text_moves_per_release_and_keeps_everything_else_byte_for_byte() {
        let package = r#"{"uri":"x","releases":[
            {"ocid":"a","date":"2026-05-29T16:12:45+01:00","value":Infinity,"tender":{"tenderPeriod":{"endDate":"2026-06-19"},"title":"Q \"2026-06-19\""}},
            {"ocid":"b","date":"2026-05-28T10:00:00Z","tender":{"tenderPeriod":{"endDate":"2026-07-28T12:00:00Z"}}}
        ],"links":{"next":null}}"#;
        let today = DemoDay(day("2027-03-10"));
        let moved = today.move_ocds_text(package);
        assert!(moved.contains("\"value\":Infinity"), "{moved}");
        assert!(
            moved.contains(r#"\"2026-06-19\""#),
            "an escaped quote inside a title stays"
        );
        assert!(
            !moved.contains("\"2026-06-19\"}") && !moved.contains("2026-05-2"),
            "{moved}"
        );
        let readable: Value = serde_json::from_str(&moved.replace("Infinity", "null")).unwrap();
        for release in readable["releases"].as_array().unwrap() {
            let end = date_of(release["tender"]["tenderPeriod"]["endDate"].as_str().unwrap()).unwrap();
            assert!((2..=20).contains(&(end - today.0).get_days()), "{release}");
        }
        assert_eq!(today.move_ocds_text("not json"), "not json");
    }
}
