//! JSON lines: one object per notice with the field names of `anbud list --json`.
//!
//! Those names are a public interface (scripts parse them); add fields, never rename or drop one.
//! Times are RFC 3339 instants in UTC, so a script needs no zone database to compare them.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::model::NoticeRecord;

/// The JSON object for one record, as `anbud list --json` and `anbud export --format json` print it.
pub fn record_json(record: &NoticeRecord) -> Value {
    let n = &record.notice;
    json!({
        "source": n.source,
        "id": n.native_id,
        "key": n.id,
        "title": n.title,
        "buyer": n.buyer,
        "country": n.country,
        "cpv": n.cpv,
        "deadline": n.deadline.map(|d| d.to_string()),
        "published": n.published.map(|d| d.to_string()),
        "score": record.relevance.score,
        "matched": record.relevance.matched,
        "matched_terms": record.relevance.matched_terms(),
        "status": record.triage.as_str(),
        "note": record.note(),
        "tags": record.tags(),
        "reject_reason": record.reject_reason().filter(|_| record.triage == crate::model::Triage::Rejected),
        "questions_deadline": n.questions_deadline.map(|d| d.to_string()),
        "url": n.url,
        // The same procedure on other sources, merged into this record (see `dedup`).
        "also_on": record.also_on().iter().map(|a| json!({
            "source": a.source,
            "id": a.id.as_str().split_once(':').map_or(a.id.as_str(), |(_, native)| native),
            "key": a.id,
            "url": a.url,
            "reason": a.reason,
        })).collect::<Vec<_>>(),
    })
}

/// Writes one line per record; returns the number of records.
pub(super) fn write(w: &mut impl Write, records: &[NoticeRecord]) -> io::Result<usize> {
    for record in records {
        writeln!(w, "{}", record_json(record))?;
    }
    Ok(records.len())
}
