//! Cross-source duplicates in SQLite: finding a new notice's twin on another source while the fetch
//! that brought it is being saved, recording the merge, and attaching the links when loading.
//!
//! The decision itself is [`crate::dedup`]'s (pure). Here: `dedup_keys` files every notice with a
//! deadline under (buyer key, deadline day), so a new notice's candidates are one index lookup per
//! buyer key, not a scan of the table; `duplicates` holds each secondary with its primary and the
//! reason in words.
//!
//! The primary is the notice seen first, whatever its source. A secondary is always brand new when
//! it is linked, so it never carries a decision or a note that hiding it would bury, and a record
//! the user has already triaged never disappears under a later arrival. (Preferring Doffin for
//! Norwegian buyers would mean moving decisions from the TED record to the Doffin one when Doffin
//! publishes a day later.) Only notices new to the database are linked: pairs stored before this
//! schema, or whose deadlines converge later, stay separate.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, Transaction, params};

use crate::dedup::{Fingerprint, MergeReason};
use crate::model::{AlsoOn, Notice, NoticeId, NoticeRecord};

/// SQL condition over `n` (notices) that leaves the secondaries out of a list.
/// Up to this many records, [`attach`] looks up each one's merges by index instead of reading all.
const FEW_RECORDS: usize = 2_500;

pub(crate) const NOT_SECONDARY: &str = "NOT EXISTS (SELECT 1 FROM duplicates AS d WHERE d.notice_id = n.id)";

/// Fingerprints of stored candidates already decoded during one fetch's save: a buyer's other
/// notices are candidates for each of its new ones, and decoding their JSON is the main cost.
/// Candidates come from other sources than the fetch, so none changes while the batch is saved.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    decoded: HashMap<String, Option<Fingerprint>>,
}

/// Called in the fetch's transaction right after a notice was written: refiles its keys and, when
/// it is `new`, links it to the same procedure already stored on another source. `fingerprint` is
/// the notice's buyer-level one; `full` gives the notice itself, asked for only when a candidate
/// turns up (its titles are compared). Returns the primary it was linked to and why, if it was.
pub(crate) fn after_upsert<'n>(
    tx: &Transaction<'_>,
    cache: &mut Candidates,
    mut fingerprint: Fingerprint,
    full: impl FnOnce() -> Option<Cow<'n, Notice>>,
    new: bool,
    now: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    let primary = if new {
        link(tx, cache, &mut fingerprint, full, now)?
    } else {
        None
    };
    file_keys(tx, &fingerprint, new)?;
    Ok(primary)
}

/// Finds the best stored twin of `notice` (most alike title; ties: seen first) and records the
/// merge; `fingerprint` is the notice's, its titles filled in when a candidate turns up.
pub(crate) fn link<'n>(
    tx: &Transaction<'_>,
    cache: &mut Candidates,
    fingerprint: &mut Fingerprint,
    full: impl FnOnce() -> Option<Cow<'n, Notice>>,
    now: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    let Some(day) = fingerprint.deadline_day() else {
        return Ok(None);
    };
    // `IN` rather than `BETWEEN`: with STAT4 the bundled SQLite re-plans a range query on every
    // execution (sqlite3Reprepare was a third of the store's ingest time); an IN list is planned once.
    // The other-source test is on the id (`source:native`, so the fetch's own source is the id range
    // [?4, ?6)) rather than on `n.source`: a busy buyer files many same-source notices under one
    // key and day, and testing the id drops them without reading their rows from `notices`.
    let mut candidates = tx.prepare_cached(
        "SELECT k.notice_id FROM dedup_keys AS k JOIN notices AS n ON n.id = k.notice_id
         WHERE k.buyer_key = ?1 AND k.day IN (?2, ?3, ?5) AND (k.notice_id < ?4 OR k.notice_id >= ?6)
           AND NOT EXISTS (SELECT 1 FROM duplicates AS d WHERE d.notice_id = k.notice_id)
         ORDER BY n.first_seen, n.id",
    )?;
    let (own_from, own_to) = (format!("{}:", fingerprint.source), format!("{};", fingerprint.source));
    let mut seen = HashSet::new();
    let mut best: Option<(String, MergeReason)> = None;
    let mut full = Some(full);
    for key in fingerprint.buyer_keys() {
        let rows = candidates.query_map(
            params![key.index_text(), day - 1, day + 1, own_from, day, own_to],
            |row| row.get::<_, String>(0),
        )?;
        let ids: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
        for id in ids {
            if !seen.insert(id.clone()) {
                continue;
            }
            // Most notices have no candidate at all: their titles are never tokenised (nor, for a
            // staged row, decoded).
            if let Some(notice) = full.take().and_then(|full| full()) {
                fingerprint.add_titles(&notice);
            }
            let candidate = match cache.decoded.get(&id) {
                Some(known) => known,
                None => {
                    let json: String = tx
                        .prepare_cached("SELECT notice_json FROM notices WHERE id = ?1")?
                        .query_row([&id], |row| row.get(0))?;
                    // A row that no longer decodes cannot be compared; it simply is no candidate.
                    let decoded = serde_json::from_str::<Notice>(&json).ok().map(|n| Fingerprint::of(&n));
                    cache.decoded.entry(id.clone()).or_insert(decoded)
                }
            };
            let Some(reason) = candidate.as_ref().and_then(|c| c.matches(fingerprint)) else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|(_, b)| reason.title_percent > b.title_percent)
            {
                best = Some((id, reason));
            }
        }
    }
    let Some((primary, reason)) = best else {
        return Ok(None);
    };
    let reason = reason.to_string();
    tx.prepare_cached(
        "INSERT INTO duplicates (notice_id, primary_id, reason, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (notice_id) DO NOTHING",
    )?
    .execute(params![fingerprint.id.as_str(), primary, reason, now])?;
    Ok(Some((primary, reason)))
}

/// Replaces the notice's rows in `dedup_keys` (its buyer or deadline may have changed); a `new`
/// notice has none yet.
fn file_keys(tx: &Transaction<'_>, fingerprint: &Fingerprint, new: bool) -> rusqlite::Result<()> {
    if !new {
        tx.prepare_cached("DELETE FROM dedup_keys WHERE notice_id = ?1")?
            .execute([fingerprint.id.as_str()])?;
    }
    let Some(day) = fingerprint.deadline_day() else {
        return Ok(());
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO dedup_keys (buyer_key, day, notice_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    for key in fingerprint.buyer_keys() {
        insert.execute(params![key.index_text(), day, fingerprint.id.as_str()])?;
    }
    Ok(())
}

/// Fills [`NoticeRecord::also_on`] of the primaries among `records` from the `duplicates` table.
pub(crate) fn attach(conn: &Connection, records: &mut [NoticeRecord]) -> rusqlite::Result<()> {
    // A few records (the dashboard's first screen, a filtered list): ask the index per record rather
    // than read every merge in the database (164,000 of them at a million notices: a second).
    if records.len() <= FEW_RECORDS {
        let mut stmt = conn.prepare_cached(
            "SELECT d.notice_id, n.source, COALESCE(json_extract(n.notice_json, '$.url'), ''), d.reason
             FROM duplicates AS d JOIN notices AS n ON n.id = d.notice_id
             WHERE d.primary_id = ?1
             ORDER BY d.at, d.notice_id",
        )?;
        for record in records {
            let links = stmt.query_map([record.notice.id.as_str()], |row| {
                Ok(AlsoOn {
                    id: NoticeId(row.get(0)?),
                    source: row.get(1)?,
                    url: row.get(2)?,
                    reason: row.get(3)?,
                })
            })?;
            let links = links.collect::<rusqlite::Result<_>>()?;
            record.edit_user(|u| u.also_on = links);
        }
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.primary_id, d.notice_id, n.source, COALESCE(json_extract(n.notice_json, '$.url'), ''), d.reason
         FROM duplicates AS d JOIN notices AS n ON n.id = d.notice_id
         ORDER BY d.at, d.notice_id",
    )?;
    let mut by_primary: HashMap<String, Vec<AlsoOn>> = HashMap::new();
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            AlsoOn {
                id: NoticeId(row.get(1)?),
                source: row.get(2)?,
                url: row.get(3)?,
                reason: row.get(4)?,
            },
        ))
    })?;
    for row in rows {
        let (primary, link) = row?;
        by_primary.entry(primary).or_default().push(link);
    }
    if by_primary.is_empty() {
        return Ok(());
    }
    for record in records {
        if let Some(links) = by_primary.remove(record.notice.id.as_str()) {
            record.edit_user(|u| u.also_on = links);
        }
    }
    Ok(())
}
