//! Awards for spreadsheets, scripts and calendars: CSV through the formula guard of
//! [`super::csv_out`], JSON lines, and an iCalendar of re-tender windows through [`super::ics`].
//!
//! Depends on `model` only. Every value that came from a feed passes [`super::csv_out::guard_cell`]
//! in CSV and [`super::ics::escape_text`] in the calendar, as notices do.

use std::io::{self, Write};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::csv_out::{format_number, guard_cell, write_line};
use super::ics::{calendar_header, escape_text, fold_line, uid_part, uri, utc};
use crate::model::{RetenderLead, StoredAward};

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 30] = [
    "notice",
    "lot",
    "seq",
    "status",
    "winner",
    "winner_org_id",
    "winner_country",
    "value",
    "currency",
    "value_kind",
    "framework_kind",
    "tenders_received",
    "decision_date",
    "conclusion_date",
    "start",
    "end",
    "duration_months",
    "est_end",
    "end_basis",
    "end_in_words",
    "retender_opens",
    "retender_closes",
    "buyer",
    "buyer_id",
    "cpv",
    "title",
    "pairing",
    "linked_notice",
    "link_method",
    "url",
];

fn text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The cells of one row, in [`CSV_COLUMNS`] order, unguarded.
fn cells(row: &StoredAward, lead: RetenderLead) -> Vec<String> {
    let a = &row.award;
    let window = row.retender_window(lead);
    vec![
        a.notice_id.to_string(),
        a.lot_id.clone(),
        a.seq.to_string(),
        a.status.as_str().to_owned(),
        text(a.winner_name.as_deref()),
        text(a.winner_org_id.as_deref()),
        text(a.winner_country.as_deref()),
        a.value.map(format_number).unwrap_or_default(),
        text(a.currency.as_deref()),
        text(a.value_kind.map(crate::model::ValueKind::as_str)),
        text(a.framework_kind.map(crate::model::FrameworkKind::as_str)),
        text(a.tenders_received),
        text(a.decision_date),
        text(a.conclusion_date),
        text(a.start),
        text(a.end),
        text(a.duration_months),
        text(row.end.map(|e| e.end)),
        row.end.map_or("none", |e| e.basis.as_str()).to_owned(),
        row.end_in_words(),
        text(window.map(|w| w.opens)),
        text(window.map(|w| w.closes)),
        a.buyer.clone(),
        text(a.buyer_id.as_deref()),
        a.cpv.join(" "),
        a.title.clone(),
        a.pairing.as_str().to_owned(),
        text(row.link.as_ref().map(|l| l.competition.as_str())),
        text(row.link.as_ref().map(|l| l.method.as_str())),
        a.url.clone(),
    ]
}

/// Writes the header and one guarded line per row; returns the number of rows.
///
/// # Errors
/// The writer's.
pub fn write_csv(w: &mut impl Write, rows: &[StoredAward], lead: RetenderLead, delimiter: u8) -> io::Result<usize> {
    write_line(w, CSV_COLUMNS, delimiter)?;
    for row in rows {
        let cells = cells(row, lead);
        let guarded: Vec<_> = cells.iter().map(|c| guard_cell(c)).collect();
        write_line(w, guarded.iter().map(AsRef::as_ref), delimiter)?;
    }
    Ok(rows.len())
}

/// One row as a JSON object: the [`CSV_COLUMNS`] names, numbers as numbers, absent as null.
pub fn award_json(row: &StoredAward, lead: RetenderLead) -> Value {
    let a = &row.award;
    let window = row.retender_window(lead);
    json!({
        "notice": a.notice_id,
        "lot": a.lot_id,
        "seq": a.seq,
        "status": a.status,
        "winner": a.winner_name,
        "winner_org_id": a.winner_org_id,
        "winner_country": a.winner_country,
        "unpaired_winner_ids": a.unpaired_winner_ids,
        "value": a.value,
        "currency": a.currency,
        "value_kind": a.value_kind,
        "framework_kind": a.framework_kind,
        "tenders_received": a.tenders_received,
        "decision_date": a.decision_date,
        "conclusion_date": a.conclusion_date,
        "start": a.start,
        "end": a.end,
        "duration_months": a.duration_months,
        "est_end": row.end.map(|e| e.end),
        "end_basis": row.end.map_or("none", |e| e.basis.as_str()),
        "end_in_words": row.end_in_words(),
        "retender_opens": window.map(|w| w.opens),
        "retender_closes": window.map(|w| w.closes),
        "buyer": a.buyer,
        "buyer_id": a.buyer_id,
        "cpv": a.cpv,
        "title": a.title,
        "pairing": a.pairing,
        "linked_notice": row.link.as_ref().map(|l| l.competition.as_str()),
        "link_method": row.link.as_ref().map(|l| l.method.as_str()),
        "link_score": row.link.as_ref().and_then(|l| l.score),
        "url": a.url,
    })
}

/// Writes an iCalendar with one all-day event per awarded contract whose end is estimated: the
/// re-tender window, from its first to its last day. The UID is derived from the award row, so a
/// later export moves the event instead of adding one. Returns the number of events.
///
/// # Errors
/// The writer's.
pub fn write_ics(w: &mut impl Write, rows: &[StoredAward], lead: RetenderLead, now: Timestamp) -> io::Result<usize> {
    let mut line = |text: &str| w.write_all(fold_line(text).as_bytes());
    for header in calendar_header("re-tender windows", "anbud re-tender windows") {
        line(&header)?;
    }
    let mut events = 0;
    for row in rows.iter().filter(|r| r.award.is_awarded()) {
        let Some(window) = row.retender_window(lead) else {
            continue;
        };
        let Ok(after) = window.closes.tomorrow() else { continue };
        let a = &row.award;
        let winner = a.winner_name.as_deref().unwrap_or_default();
        let mut description = format!(
            "Buyer: {}\nHeld by: {winner}\nContract ends {} ({})",
            a.buyer,
            window.end.end,
            row.end_in_words()
        );
        if let (Some(value), Some(kind)) = (a.value, a.value_kind) {
            let currency = a.currency.as_deref().unwrap_or_default();
            description.push_str(&format!(
                "\nValue: {currency} {} ({})",
                format_number(value),
                kind.as_str()
            ));
        }
        if !a.url.is_empty() {
            description.push_str(&format!("\n{}", a.url));
        }
        line("BEGIN:VEVENT")?;
        line(&format!(
            "UID:retender-{}-{}-{}@anbud",
            uid_part(a.notice_id.as_str()),
            uid_part(&a.lot_id),
            a.seq
        ))?;
        line(&format!("DTSTAMP:{}", utc(now)))?;
        line(&format!("DTSTART;VALUE=DATE:{}", window.opens.strftime("%Y%m%d")))?;
        // DTEND of an all-day event is the day after the last one (RFC 5545 §3.6.1).
        line(&format!("DTEND;VALUE=DATE:{}", after.strftime("%Y%m%d")))?;
        line(&format!(
            "SUMMARY:{}",
            escape_text(&format!("Re-tender window: {} ({winner})", a.title))
        ))?;
        line(&format!("DESCRIPTION:{}", escape_text(&description)))?;
        if !a.url.is_empty() {
            line(&format!("URL:{}", uri(&a.url)))?;
        }
        line("TRANSP:TRANSPARENT")?;
        line("END:VEVENT")?;
        events += 1;
    }
    line("END:VCALENDAR")?;
    Ok(events)
}
