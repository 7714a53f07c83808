//! The digest: what changed in the user's space, as Markdown or plain text for a morning mail.
//!
//! A pure function of the records, `now`, the look-back window and the zone ([`render`]), so tests
//! freeze time. Rejected and lost notices never appear: the user is done with them.

use std::fmt::Write as _;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::model::{NoticeRecord, RetenderLead, StoredAward, Triage};

mod awards;

pub use awards::ENDING_MONTHS;

/// How "Closes this week" reaches ahead.
const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Output flavour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DigestFormat {
    /// Markdown headings and bullet lists with links.
    #[default]
    Markdown,
    /// Plain text, one notice per line with the link at the end.
    Text,
}

/// What the digest covers.
#[derive(Debug, Clone)]
pub struct DigestOptions {
    /// The moment the digest describes (frozen in tests).
    pub now: Timestamp,
    /// "New" means published within this window before `now`.
    pub since: SignedDuration,
    /// Zone for the deadlines shown.
    pub timezone: TimeZone,
    /// Markdown or text.
    pub format: DigestFormat,
}

/// Whether the notice reports an award or result rather than a call for tenders: TED `can-*`,
/// Doffin `ANNOUNCEMENT_OF_CONCLUSION_OF_CONTRACT` / `RESULT`.
pub fn is_award(record: &NoticeRecord) -> bool {
    record
        .notice
        .notice_type
        .as_deref()
        .is_some_and(|t| t.starts_with("can-") || matches!(t, "ANNOUNCEMENT_OF_CONCLUSION_OF_CONTRACT" | "RESULT"))
}

/// Renders the sections of [`render_with_awards`] without stored awards: the award notices among
/// the records are the only awards.
pub fn render(records: &[NoticeRecord], options: &DigestOptions) -> String {
    render_with_awards(records, &[], RetenderLead::default(), options)
}

/// Renders the five sections: "Closes this week", "New matches", "New awards in your space" (the
/// stored awards published in the window, winner and value of each lot, then matched award
/// notices that have no award rows), "Contracts ending within 12 months" (by estimated end, with
/// the re-tender window `lead` gives and the end's basis) and "Changed since you last looked".
/// `awards` are those in the user's space, chosen by the caller, which holds the matcher.
pub fn render_with_awards(
    records: &[NoticeRecord],
    awards: &[StoredAward],
    lead: RetenderLead,
    options: &DigestOptions,
) -> String {
    let now = options.now;
    let window_start = now.checked_sub(options.since).unwrap_or(Timestamp::MIN);
    let week_end = now.checked_add(WEEK).unwrap_or(Timestamp::MAX);
    let relevant: Vec<&NoticeRecord> = records
        .iter()
        .filter(|r| r.relevance.matched && !matches!(r.triage, Triage::Rejected | Triage::Lost))
        .collect();
    let is_new = |r: &NoticeRecord| r.notice.published.is_some_and(|p| p >= window_start && p <= now);

    let mut closing: Vec<&NoticeRecord> = relevant
        .iter()
        .copied()
        .filter(|r| !is_award(r) && r.notice.deadline.is_some_and(|d| d > now && d <= week_end))
        .collect();
    closing.sort_by_key(|r| (r.notice.deadline, r.notice.id.clone()));
    let mut new: Vec<&NoticeRecord> = relevant.iter().copied().filter(|r| !is_award(r) && is_new(r)).collect();
    new.sort_by_key(|r| (std::cmp::Reverse(r.relevance.score), r.notice.id.clone()));
    let today = awards::day(now, &options.timezone);
    let award_notices = awards::new_award_notices(awards, awards::day(window_start, &options.timezone), today);
    let with_rows: std::collections::HashSet<&str> = award_notices
        .iter()
        .filter_map(|rows| rows.first().map(|r| r.award.notice_id.as_str()))
        .collect();
    let mut award_records: Vec<&NoticeRecord> = relevant
        .iter()
        .copied()
        .filter(|r| is_award(r) && is_new(r) && !with_rows.contains(r.notice.id.as_str()))
        .collect();
    award_records.sort_by_key(|r| (std::cmp::Reverse(r.notice.published), r.notice.id.clone()));
    let ending = awards::ending_soon(awards, today);
    // Followed notices (matched or decided on) whose content a re-fetch changed, not yet looked at.
    let mut changed: Vec<&NoticeRecord> = records
        .iter()
        .filter(|r| !r.changes().is_empty() && (r.relevance.matched || r.triage != Triage::New))
        .filter(|r| !matches!(r.triage, Triage::Rejected | Triage::Lost))
        .collect();
    changed.sort_by_key(|r| (r.notice.deadline, r.notice.id.clone()));

    let md = options.format == DigestFormat::Markdown;
    let mut out = String::new();
    let stamp = now.to_zoned(options.timezone.clone()).strftime("%Y-%m-%d %H:%M %Z");
    let since = since_label(options.since);
    if md {
        let _ = writeln!(out, "# anbud digest, {stamp}\n");
    } else {
        let _ = writeln!(out, "anbud digest, {stamp}\n");
    }
    let sections: [(&str, &[&NoticeRecord], String); 5] = [
        (
            "Closes this week",
            &closing,
            "Nothing matched closes in the next 7 days.".to_owned(),
        ),
        (
            "New matches",
            &new,
            format!("No new matches published in the last {since}."),
        ),
        (
            "New awards in your space",
            &award_records,
            format!("No award notices matching your profile published in the last {since}."),
        ),
        (
            "Contracts ending within 12 months",
            &[],
            "No contract in your space has an estimated end within 12 months.".to_owned(),
        ),
        (
            "Changed since you last looked",
            &changed,
            "No notice you follow has changed since you last looked.".to_owned(),
        ),
    ];
    for (title, rows, empty) in sections {
        heading(&mut out, title, md);
        let (award_rows, ending_rows) = match title {
            "New awards in your space" => (award_notices.as_slice(), &[][..]),
            "Contracts ending within 12 months" => (&[][..], ending.as_slice()),
            _ => (&[][..], &[][..]),
        };
        if rows.is_empty() && award_rows.is_empty() && ending_rows.is_empty() {
            let _ = writeln!(out, "{empty}");
        }
        for notice in award_rows {
            awards::write_notice(&mut out, notice, md);
        }
        if let Some(total) = awards::awarded_total(award_rows) {
            let total = if md {
                format!("*{}*", markdown_escape(&total))
            } else {
                total
            };
            let _ = writeln!(out, "\n{total}");
        }
        for row in ending_rows {
            awards::write_ending(&mut out, row, lead, today, md);
        }
        let with_changes = std::ptr::eq(rows, changed.as_slice());
        for record in rows {
            row(&mut out, record, &options.timezone, md);
            for change in record.changes().iter().filter(|_| with_changes) {
                let field = if md {
                    format!("*{}*", change.field)
                } else {
                    change.field.clone()
                };
                let local = |v: &str| match v.parse::<Timestamp>() {
                    Ok(at) if change.field == "deadline" => at
                        .to_zoned(options.timezone.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string(),
                    _ => one_line(v),
                };
                let (old, new) = (local(&change.old), local(&change.new));
                let (old, new) = if md {
                    (markdown_escape(&old), markdown_escape(&new))
                } else {
                    (old, new)
                };
                let _ = writeln!(out, "    {field}: {old} → {new}");
            }
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn heading(out: &mut String, title: &str, md: bool) {
    if md {
        let _ = writeln!(out, "## {title}\n");
    } else {
        let _ = writeln!(out, "{title}\n{}", "-".repeat(title.chars().count()));
    }
}

/// One notice: score, deadline (local), buyer, title, link.
fn row(out: &mut String, record: &NoticeRecord, tz: &TimeZone, md: bool) {
    let n = &record.notice;
    let deadline = n.deadline.map_or_else(
        || "no deadline".to_owned(),
        |d| d.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
    );
    let score = record.relevance.score;
    if md {
        let title = linked_title(&n.title, &n.url);
        let _ = writeln!(
            out,
            "- **{score}** · {deadline} · {} · {title}",
            markdown_escape(&n.buyer)
        );
    } else {
        let _ = writeln!(
            out,
            "{score:>4}  {deadline:<16}  {}  {}  {}",
            one_line(&n.buyer),
            one_line(&n.title),
            n.url
        );
    }
}

/// The title as a Markdown link to `url`; only web links become links, since a feed could hand us
/// `javascript:` or worse.
fn linked_title(title: &str, url: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("[{}](<{}>)", markdown_escape(title), url.replace(['<', '>', ' '], ""))
    } else {
        markdown_escape(title)
    }
}

/// Feed text is untrusted: backslash-escape every character Markdown could read as markup, and keep
/// it on one line so it cannot start a heading or list of its own.
fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        // Mid-line, so `#`, `-`, `+` and `.` cannot start a heading or list and stay as they are.
        if "\\`*_{}[]()<>!|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `24h`, `7d`, `90m` for the empty-section sentences.
fn since_label(since: SignedDuration) -> String {
    let secs = since.as_secs();
    match secs {
        s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{}m", s / 60),
    }
}

/// Parses a look-back window: a whole number with `m`, `h`, `d` or `w` (`24h`, `7d`).
///
/// # Errors
///
/// A message naming the accepted forms.
pub fn parse_since(s: &str) -> Result<SignedDuration, String> {
    let bad = || format!("`{s}` is not a duration: use a number with m, h, d or w, e.g. 24h or 7d");
    let s = s.trim();
    let unit = s.chars().last().ok_or_else(bad)?;
    let number: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    let per_unit: i64 = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return Err(bad()),
    };
    if number < 0 {
        return Err(bad());
    }
    number
        .checked_mul(per_unit)
        .map(SignedDuration::from_secs)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_parses_the_documented_forms() {
        assert_eq!(parse_since("24h"), Ok(SignedDuration::from_hours(24)));
        assert_eq!(parse_since("7d"), Ok(SignedDuration::from_hours(168)));
        assert_eq!(parse_since("2w"), Ok(SignedDuration::from_hours(336)));
        assert_eq!(parse_since("90m"), Ok(SignedDuration::from_mins(90)));
        for bad in ["", "h", "7", "-1d", "1y", "1.5h", "99999999999999999d"] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
        assert_eq!(since_label(SignedDuration::from_hours(48)), "2d");
        assert_eq!(since_label(SignedDuration::from_hours(5)), "5h");
    }

    #[test]
    fn markdown_escape_defuses_links_and_headings() {
        assert_eq!(markdown_escape("[x](http://evil)\n# h"), "\\[x\\]\\(http://evil\\) # h");
    }
}
