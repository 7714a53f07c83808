//! Splitting a Doffin search into `issueDate` windows so that no query needs more than the 1,000
//! hits Doffin serves (FEEDS.md: `numHitsAccessible = min(total, 1000)`).
//!
//! The first request of a poll asks for everything issued since the start date (open-ended). When a
//! window reports more than 1,000 hits on its first page, it is bisected by days and the halves are
//! read one after the other; a single day still over the cap is read up to the cap and reported as
//! a warning. The plan travels in the adapter's opaque cursor, so the poller stays generic.
//!
//! Cursor text: `"{page}"` (the open window from the poll's start date, as before windows existed)
//! or `"{page}@{from}..{to},{from}..{to}"`: the page of the first window, then the windows still to
//! read, `to` empty for an open end. Dates are `YYYY-MM-DD`, as Doffin's filter takes them.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde_json::Value;

use super::super::dates::parse_instant;
use super::super::json::text;

/// Doffin publishes tens of notices a day (157,143 in all by August 2026); no filter it honours
/// can return more than this many per day of the window. More means it ignored a filter (FEEDS.md:
/// unknown parameters are silently dropped and the whole database comes back).
pub(super) const PLAUSIBLE_PER_DAY: u64 = 1_500;

/// One `issueDate` range, both ends inclusive; `to = None` is open-ended (up to today).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    pub(super) from: Date,
    pub(super) to: Option<Date>,
}

/// Where a poll is: the page of the current window and the windows still to read after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    pub(super) page: u32,
    /// The current window first; empty means the open window from the poll's start date.
    pub(super) windows: Vec<Window>,
}

impl Plan {
    /// Reads a cursor; no cursor (or a broken one) is page 1 of the open window.
    pub(super) fn parse(cursor: Option<&str>) -> Self {
        let first_page = Self {
            page: 1,
            windows: Vec::new(),
        };
        let Some(cursor) = cursor.map(str::trim) else {
            return first_page;
        };
        let (page, rest) = cursor.split_once('@').unwrap_or((cursor, ""));
        let Some(page) = page.parse().ok().filter(|p| *p >= 1) else {
            return first_page;
        };
        let windows: Option<Vec<Window>> = rest
            .split(',')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let (from, to) = w.split_once("..")?;
                Some(Window {
                    from: from.parse().ok()?,
                    to: if to.is_empty() { None } else { Some(to.parse().ok()?) },
                })
            })
            .collect();
        match windows {
            Some(windows) => Self { page, windows },
            None => first_page,
        }
    }

    /// The cursor text for this plan.
    pub(super) fn cursor(&self) -> String {
        if self.windows.is_empty() {
            return self.page.to_string();
        }
        let windows: Vec<String> = self
            .windows
            .iter()
            .map(|w| format!("{}..{}", w.from, w.to.map(|d| d.to_string()).unwrap_or_default()))
            .collect();
        format!("{}@{}", self.page, windows.join(","))
    }

    /// The window being read, given the poll's start date for the open default.
    pub(super) fn current(&self, start: Date) -> Window {
        self.windows
            .first()
            .copied()
            .unwrap_or(Window { from: start, to: None })
    }
}

/// What to do after the first page of a window reported `total` hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Fits (or cannot be split): page through it.
    Read,
    /// Over the cap: read these windows instead, in order.
    Split(Window, Window),
    /// A single day over the cap: read its first 1,000 and say so.
    Truncated(String),
    /// More hits than Doffin could have published in the window: a filter was ignored.
    Implausible(String),
}

/// Decides how to read `window`, whose first page reported `total` hits; `newest` is the latest
/// issue or publication date among that page's hits (they come newest first), which bounds an
/// open window.
pub(super) fn judge(window: Window, total: u64, cap: u64, newest: Option<Date>) -> Verdict {
    if total <= cap {
        return Verdict::Read;
    }
    let last = window.to.or(newest).unwrap_or(window.from).max(window.from);
    let days = days_between(window.from, last).saturating_add(1);
    if total > days.saturating_mul(PLAUSIBLE_PER_DAY) {
        let span = if days == 1 {
            "one day".to_owned()
        } else {
            format!("{days} days")
        };
        return Verdict::Implausible(format!(
            "Doffin reported {total} hits for {span} of notices ({} to {last}), far more than it publishes: \
             it probably ignored a filter (check the CPV codes and search words); only the first {cap} were read",
            window.from
        ));
    }
    if last == window.from {
        return match window.to {
            Some(_) => Verdict::Truncated(format!(
                "Doffin has {total} notices issued on {}, over its limit of {cap} per search: only the first {cap} were read",
                window.from
            )),
            // Everything so far is from the first day; the open rest is read on its own.
            None => Verdict::Split(
                Window {
                    from: window.from,
                    to: Some(window.from),
                },
                Window {
                    from: next_day(window.from),
                    to: None,
                },
            ),
        };
    }
    let mid = add_days(window.from, (days - 1) / 2);
    Verdict::Split(
        Window {
            from: window.from,
            to: Some(mid),
        },
        Window {
            from: next_day(mid),
            to: window.to,
        },
    )
}

/// The latest issue or publication date (UTC) among `hits`.
pub(super) fn newest_date(hits: &[Value]) -> Option<Date> {
    hits.iter()
        .filter_map(Value::as_object)
        .flat_map(|hit| ["issueDate", "publicationDate"].map(|k| text(hit.get(k))))
        .flatten()
        .filter_map(|s| {
            s.parse::<Date>()
                .ok()
                .or_else(|| parse_instant(&s).map(|t| t.to_zoned(TimeZone::UTC).date()))
        })
        .max()
}

/// `date` as Doffin's filter takes it (UTC, `YYYY-MM-DD`).
pub(super) fn utc_date(t: Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

fn days_between(from: Date, to: Date) -> u64 {
    from.until(to)
        .ok()
        .and_then(|span| u64::try_from(span.get_days()).ok())
        .unwrap_or(0)
}

fn add_days(date: Date, days: u64) -> Date {
    i64::try_from(days)
        .ok()
        .and_then(|d| date.checked_add(Span::new().days(d)).ok())
        .unwrap_or(date)
}

fn next_day(date: Date) -> Date {
    add_days(date, 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn w(from: &str, to: Option<&str>) -> Window {
        Window {
            from: d(from),
            to: to.map(d),
        }
    }

    #[test]
    fn cursor_round_trips_and_plain_page_numbers_still_read() {
        let plan = Plan {
            page: 3,
            windows: vec![w("2026-08-01", Some("2026-08-05")), w("2026-08-06", None)],
        };
        assert_eq!(plan.cursor(), "3@2026-08-01..2026-08-05,2026-08-06..");
        assert_eq!(Plan::parse(Some(&plan.cursor())), plan);
        assert_eq!(
            Plan::parse(Some("2")),
            Plan {
                page: 2,
                windows: Vec::new()
            }
        );
        for broken in ["", "0", "x@2026-08-01..", "2@2026-13-01..", "2@nonsense"] {
            assert_eq!(Plan::parse(Some(broken)).page, 1, "{broken:?}");
        }
    }

    #[test]
    fn a_window_over_the_cap_is_bisected_by_days() {
        assert_eq!(
            judge(w("2026-08-01", Some("2026-08-10")), 1000, 1000, None),
            Verdict::Read
        );
        assert_eq!(
            judge(w("2026-08-01", Some("2026-08-10")), 2500, 1000, None),
            Verdict::Split(w("2026-08-01", Some("2026-08-05")), w("2026-08-06", Some("2026-08-10")))
        );
        assert_eq!(
            judge(w("2026-08-01", Some("2026-08-02")), 1500, 1000, None),
            Verdict::Split(w("2026-08-01", Some("2026-08-01")), w("2026-08-02", Some("2026-08-02")))
        );
        // An open window is bounded by the newest hit, and its second half stays open.
        assert_eq!(
            judge(w("2026-08-01", None), 2500, 1000, Some(d("2026-08-09"))),
            Verdict::Split(w("2026-08-01", Some("2026-08-05")), w("2026-08-06", None))
        );
        assert_eq!(
            judge(w("2026-08-01", None), 1200, 1000, Some(d("2026-08-01"))),
            Verdict::Split(w("2026-08-01", Some("2026-08-01")), w("2026-08-02", None))
        );
    }

    #[test]
    fn a_single_day_over_the_cap_is_truncated_and_an_impossible_total_is_flagged() {
        let Verdict::Truncated(why) = judge(w("2026-08-03", Some("2026-08-03")), 1200, 1000, None) else {
            panic!("a single day cannot be split")
        };
        assert!(why.contains("1200 notices issued on 2026-08-03"), "{why}");
        let Verdict::Implausible(why) = judge(w("2026-07-22", None), 157_143, 1000, Some(d("2026-08-03"))) else {
            panic!("13 days cannot hold 157,143 notices")
        };
        assert!(why.contains("157143 hits for 13 days"), "{why}");
        assert!(why.contains("ignored a filter"), "{why}");
    }

    #[test]
    fn newest_date_reads_issue_and_publication_dates() {
        let hits: Vec<Value> = serde_json::from_str(
            r#"[{"issueDate":"2026-07-30T12:36:32Z","publicationDate":"2026-08-03"},
                {"issueDate":"2026-08-01T23:59:00Z"}, {"id":"no dates"}]"#,
        )
        .unwrap();
        assert_eq!(newest_date(&hits), Some(d("2026-08-03")));
        assert_eq!(newest_date(&[]), None);
    }
}
