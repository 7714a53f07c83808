//! iCalendar (RFC 5545): one VEVENT per notice deadline (and per questions deadline), for a bid
//! manager's calendar.
//!
//! Times are written in UTC (`…Z`), which every client converts to the viewer's zone and which needs
//! no VTIMEZONE block. The UID is derived from the notice id only, so importing a later export
//! updates the event (moved deadline, new title) instead of adding a duplicate.

use std::fmt::Write as _;
use std::io::{self, Write};

use jiff::Timestamp;

use crate::model::NoticeRecord;

/// Longest line in octets, without the CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// The stable event UID for a notice: `<source>-<native id>@anbud`, with anything outside
/// `[A-Za-z0-9._-]` percent-encoded so the UID stays one unambiguous token.
pub fn uid(record: &NoticeRecord) -> String {
    let n = &record.notice;
    format!("{}-{}@anbud", uid_part(&n.source), uid_part(&n.native_id))
}

/// One part of a UID: anything outside `[A-Za-z0-9._-]` percent-encoded.
pub(super) fn uid_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A TEXT value escaped per RFC 5545 §3.3.11: `\` `;` `,` and line breaks; other control characters
/// (forbidden in content lines) are dropped, so hostile feed text cannot start a new property.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value: no escaping exists for URIs in iCalendar, so characters a URI may not contain
/// (spaces, controls, quotes, non-ASCII) are percent-encoded.
pub(super) fn uri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `name:value` folded at [`MAX_LINE_OCTETS`] octets (never inside a UTF-8 sequence), CRLF-terminated.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            // The leading space of a continuation line counts towards its 75 octets.
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// `20261215T110000Z`.
pub(super) fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The stable UID of a notice's questions-deadline event: its own UID with a `questions-` prefix,
/// so both events of one notice update in place on re-import.
pub fn questions_uid(record: &NoticeRecord) -> String {
    format!("questions-{}", uid(record))
}

/// The lines that open a calendar of `product` (in PRODID) named `name` in calendar apps.
pub(super) fn calendar_header(product: &str, name: &str) -> [String; 6] {
    [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!("PRODID:-//anbud//{product}//EN"),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{name}"),
    ]
}

/// Writes the calendar; returns the number of events: one per tender deadline, and one per
/// questions deadline where the feed gives it.
pub(super) fn write(w: &mut impl Write, records: &[NoticeRecord], now: Timestamp) -> io::Result<usize> {
    let mut line = |text: &str| w.write_all(fold_line(text).as_bytes());
    for header in calendar_header("tender deadlines", "anbud deadlines") {
        line(&header)?;
    }
    let mut events = 0;
    for record in records {
        let n = &record.notice;
        let mut description = format!("Buyer: {}\nScore: {}", n.buyer, record.relevance.score);
        if !n.url.is_empty() {
            description.push_str(&format!("\n{}", n.url));
        }
        let deadlines = [
            (n.deadline, uid(record), "Deadline"),
            (n.questions_deadline, questions_uid(record), "Questions close"),
        ];
        for (at, uid, what) in deadlines {
            let Some(at) = at else {
                continue;
            };
            line("BEGIN:VEVENT")?;
            line(&format!("UID:{uid}"))?;
            line(&format!("DTSTAMP:{}", utc(now)))?;
            line(&format!("DTSTART:{}", utc(at)))?;
            line(&format!("DTEND:{}", utc(at)))?;
            line(&format!("SUMMARY:{}", escape_text(&format!("{what}: {}", n.title))))?;
            line(&format!("DESCRIPTION:{}", escape_text(&description)))?;
            if !n.url.is_empty() {
                line(&format!("URL:{}", uri(&n.url)))?;
            }
            line("TRANSP:TRANSPARENT")?;
            line("END:VEVENT")?;
            events += 1;
        }
    }
    line("END:VCALENDAR")?;
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping_covers_the_rfc_specials_and_drops_controls() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng".to_owned() + "h"
        );
        assert_eq!(escape_text("Sørlandet: æøå"), "Sørlandet: æøå");
    }

    #[test]
    fn folding_never_splits_a_character_and_keeps_75_octets() {
        let line = format!("SUMMARY:{}", "ø".repeat(100));
        let folded = fold_line(&line);
        for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= MAX_LINE_OCTETS, "{} octets", part.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn uri_and_uid_parts_are_percent_encoded() {
        assert_eq!(uri("https://x.test/a b\"c"), "https://x.test/a%20b%22c");
        assert_eq!(uid_part("2026/12 3"), "2026%2F12%203");
    }
}
