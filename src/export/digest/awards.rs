//! The digest's award sections: "New awards in your space" (winner and value of each lot, the
//! value's kind in words) and "Contracts ending within 12 months" (estimated end, re-tender
//! window, and what the end rests on, in words).
//!
//! The awards come in already chosen as "your space" (the caller holds the matcher); only values
//! of winning tenders are ever added up, per currency: a framework's ceiling is what call-offs may
//! reach over its years, not spend, and an estimate is not an award.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::{linked_title, markdown_escape, one_line};
use crate::model::{AwardStatus, RetenderLead, StoredAward, ValueKind};

/// How far "Contracts ending" reaches ahead, in months.
pub const ENDING_MONTHS: i8 = 12;

/// The award notices among `awards` published from `from` to `to` (inclusive), newest first, each
/// with its rows in lot order.
pub(super) fn new_award_notices(awards: &[StoredAward], from: Date, to: Date) -> Vec<Vec<&StoredAward>> {
    let mut by_notice: BTreeMap<(std::cmp::Reverse<Date>, &str), Vec<&StoredAward>> = BTreeMap::new();
    for award in awards {
        let Some(published) = award.award.published.filter(|p| *p >= from && *p <= to) else {
            continue;
        };
        let key = (std::cmp::Reverse(published), award.award.notice_id.as_str());
        by_notice.entry(key).or_default().push(award);
    }
    by_notice
        .into_values()
        .map(|mut rows| {
            rows.sort_by(|a, b| (&a.award.lot_id, a.award.seq).cmp(&(&b.award.lot_id, b.award.seq)));
            rows
        })
        .collect()
}

/// Writes one award notice: buyer and linked title, then a line per lot and winner.
pub(super) fn write_notice(out: &mut String, rows: &[&StoredAward], md: bool) {
    let Some(first) = rows.first() else { return };
    let a = &first.award;
    if md {
        let _ = writeln!(
            out,
            "- {} · {}",
            markdown_escape(&a.buyer),
            linked_title(&a.title, &a.url)
        );
    } else {
        let _ = writeln!(out, "{}  {}  {}", one_line(&a.buyer), one_line(&a.title), a.url);
    }
    // Lots are named only where there are several: an OCDS award id names no lot a reader knows.
    let lots: std::collections::HashSet<&str> = rows.iter().map(|r| r.award.lot_id.as_str()).collect();
    for row in rows {
        let lot = if lots.len() > 1 {
            format!("{}: ", one_line(&row.award.lot_id))
        } else {
            String::new()
        };
        let mut line = format!("{lot}{}", row.outcome_in_words());
        if let Some(kind) = row.award.framework_kind.filter(|k| k.is_framework()) {
            let _ = write!(line, " ({})", kind.in_words());
        }
        let line = if md { markdown_escape(&line) } else { one_line(&line) };
        let bullet = if md { "- " } else { "" };
        let _ = writeln!(out, "    {bullet}{line}");
    }
}

/// The sum of the winning tenders' values per currency, and how many values of other kinds were
/// left out; `None` when there is no award value at all.
pub(super) fn awarded_total(notices: &[Vec<&StoredAward>]) -> Option<String> {
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    let mut left_out = 0;
    for row in notices.iter().flatten() {
        match (row.award.value, row.award.value_kind) {
            (Some(value), Some(ValueKind::Award)) => {
                *sums.entry(row.award.currency.as_deref().unwrap_or("")).or_default() += value;
            }
            (Some(_), _) => left_out += 1,
            (None, _) => {}
        }
    }
    if sums.is_empty() {
        return None;
    }
    let total: Vec<String> = sums
        .iter()
        .map(|(currency, sum)| crate::model::money::amount(*sum, Some(currency)))
        .collect();
    let mut line = format!("Awarded (winning tenders): {}", total.join(" + "));
    if left_out > 0 {
        let _ = write!(
            line,
            "; not added, as not spend: {}",
            crate::model::plural::count(
                left_out,
                "framework ceiling or estimate",
                "framework ceilings or estimates"
            )
        );
    }
    Some(line)
}

/// The awarded contracts among `awards` whose estimated end falls from `today` to
/// [`ENDING_MONTHS`] months on, soonest first.
pub(super) fn ending_soon(awards: &[StoredAward], today: Date) -> Vec<&StoredAward> {
    let horizon = today
        .checked_add(Span::new().months(ENDING_MONTHS))
        .unwrap_or(Date::MAX);
    let mut rows: Vec<&StoredAward> = awards
        .iter()
        .filter(|a| a.award.status == AwardStatus::Awarded)
        .filter(|a| a.end.is_some_and(|e| e.end >= today && e.end <= horizon))
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &StoredAward| (r.end.map(|e| e.end), r.award.notice_id.to_string(), r.award.seq);
        key(a).cmp(&key(b))
    });
    rows
}

/// One contract ending: its end, winner, buyer and title, the re-tender window (said to have passed
/// when it closed before `today`) and the basis.
pub(super) fn write_ending(out: &mut String, row: &StoredAward, lead: RetenderLead, today: Date, md: bool) {
    let a = &row.award;
    let end = row.end.map(|e| e.end.to_string()).unwrap_or_default();
    let winner = a.winner_name.as_deref().unwrap_or("an unnamed supplier");
    let window = row.retender_window(lead).map_or_else(
        || "no re-tender window".to_owned(),
        |w| {
            let passed = if w.closes < today { " (passed)" } else { "" };
            format!("re-tender window {w}{passed}")
        },
    );
    let basis = row.end_in_words();
    if md {
        let _ = writeln!(
            out,
            "- **{end}** · {} · {} · {} — {window}; {}",
            markdown_escape(winner),
            markdown_escape(&a.buyer),
            linked_title(&a.title, &a.url),
            markdown_escape(&basis)
        );
    } else {
        let _ = writeln!(
            out,
            "{end}  {}  {}  {}  {window}; {}  {}",
            one_line(winner),
            one_line(&a.buyer),
            one_line(&a.title),
            one_line(&basis),
            a.url
        );
    }
}

/// The calendar day of `at` in `tz`.
pub(super) fn day(at: Timestamp, tz: &TimeZone) -> Date {
    at.to_zoned(tz.clone()).date()
}
