//! The rows of a staged poll that need no decision row by row, written in bulk: those new to the
//! database and those fetched again unchanged.
//!
//! Those are nearly all of a large poll: a first poll or a long lookback is new, a poll reading a
//! window again is unchanged. Deciding them one by one cost five or more statements each (look-up,
//! copy, candidate queries, key inserts): 29 µs a row, half the wall time of a 100,000-notice
//! poll. Here they take a few set-based statements, and only new rows with a possible twin go
//! through the duplicate check in Rust. The rest (changed notices, an id the poll brings again) is
//! decided by the [`super::save::Saver`] afterwards, as before, so both paths decide alike.
//!
//! Writing in bulk first is only the same as deciding in order when no row of the poll can be
//! another row's twin: twins are on different sources, so the bulk path is taken only for a poll
//! of one source (every feed kind brings one); anything else is decided row by row.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::StepError;
use super::save::{Incoming, NOTICE_COLUMNS, staged_by_seq, staged_row, unchanged_today};
use crate::store::duplicates::{self, Candidates};

/// The rows written in bulk (listed in `temp.bulk_seqs`, `new` or not), and the twins found for
/// the new ones.
pub(super) struct Bulk {
    linked: HashMap<i64, (String, String)>,
}

impl Bulk {
    /// The primary the new row staged as `seq` was linked to as a duplicate, and why, if it was.
    pub fn linked(&mut self, seq: i64) -> Option<(String, String)> {
        self.linked.remove(&seq)
    }
}

/// Writes the staged rows of `feed` that are new to the database or equal to the stored notice
/// (the first of each id): inserts the new ones and links those with a twin on another source,
/// moves the unchanged ones' score and `last_seen`, and files the keys of both. Their seqs are
/// left in `temp.bulk_seqs`. `later_sources` are the sources of the rows the commit saves after
/// the staged ones; with the staged rows' they must be one, or nothing is written here.
pub(super) fn save<'s>(
    tx: &Transaction<'_>,
    feed: &str,
    mut later_sources: impl Iterator<Item = &'s str>,
    now: &str,
) -> Result<Bulk, StepError> {
    let mut bulk = Bulk { linked: HashMap::new() };
    tx.execute("DELETE FROM temp.bulk_seqs", [])?;
    let mut sources = tx.prepare_cached("SELECT DISTINCT source FROM temp.staged_notices WHERE feed = ?1 LIMIT 2")?;
    let sources: Vec<String> = sources
        .query_map([feed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let [source] = sources.as_slice() else {
        return Ok(bulk);
    };
    if later_sources.any(|later| later != source) {
        return Ok(bulk);
    }
    tx.prepare_cached(
        "WITH firsts AS (SELECT min(seq) AS seq FROM temp.staged_notices WHERE feed = ?1 GROUP BY id)
         INSERT INTO temp.bulk_seqs (seq, new)
         SELECT s.seq, n.id IS NULL
         FROM firsts AS f JOIN temp.staged_notices AS s ON s.seq = f.seq
              LEFT JOIN main.notices AS n ON n.id = s.id
         WHERE n.id IS NULL OR n.content_hash = s.content_hash",
    )?
    .execute([feed])?;
    tx.prepare_cached(&format!(
        "INSERT INTO notices ({NOTICE_COLUMNS})
         SELECT s.id, s.source, s.native_id, s.title, s.buyer, s.deadline_at, s.published_at, s.score,
                s.matched, s.notice_json, s.relevance_json, s.content_hash, ?1, ?1
         FROM temp.bulk_seqs AS b JOIN temp.staged_notices AS s ON s.seq = b.seq
         WHERE b.new
         ORDER BY b.seq"
    ))?
    .execute([now])?;
    // Equal content, so the JSON stays; a new profile may score it anew, and the columns derived
    // from the notice are written again as the row-by-row save writes them (an older version may
    // have derived them differently). A row all as stored and already seen today is left alone.
    tx.prepare_cached(&format!(
        "UPDATE notices SET source = s.source, native_id = s.native_id, title = s.title,
                buyer = s.buyer, deadline = s.deadline_at, published = s.published_at,
                score = s.score, matched = s.matched, relevance_json = s.relevance_json,
                last_seen = ?1
         FROM temp.bulk_seqs AS b JOIN temp.staged_notices AS s ON s.seq = b.seq
         WHERE NOT b.new AND notices.id = s.id AND NOT ({})",
        unchanged_today(Incoming::Staged)
    ))?
    .execute([now])?;
    link_twins(tx, source, now, &mut bulk)?;
    // An unchanged notice keeps its keys, unless how a buyer's name is normalised has changed
    // since they were filed (the row-by-row save files them afresh): the stale ones go, the
    // missing ones are added, and the rest are not written again.
    tx.prepare_cached(
        "DELETE FROM dedup_keys WHERE (buyer_key, day, notice_id) IN
             (SELECT k.buyer_key, k.day, k.notice_id
              FROM temp.bulk_seqs AS b JOIN temp.staged_notices AS s ON s.seq = b.seq
                   JOIN dedup_keys AS k ON k.notice_id = s.id
              WHERE NOT b.new AND NOT EXISTS (SELECT 1 FROM temp.staged_keys AS sk
                  WHERE sk.seq = b.seq AND sk.buyer_key = k.buyer_key AND sk.day = k.day))",
    )?
    .execute([])?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO dedup_keys (buyer_key, day, notice_id)
         SELECT k.buyer_key, k.day, s.id
         FROM temp.bulk_seqs AS b JOIN temp.staged_keys AS k ON k.seq = b.seq
              JOIN temp.staged_notices AS s ON s.seq = b.seq",
    )?
    .execute([])?;
    Ok(bulk)
}

/// Runs the duplicate check on each new row that has a candidate: a stored notice of another
/// source under one of its buyer keys, within a day of its deadline, not itself a secondary (the
/// conditions of `duplicates::link`, which decides). The poll's own keys are not filed yet, and
/// would not count: they are of `source`.
fn link_twins(tx: &Transaction<'_>, source: &str, now: &str, bulk: &mut Bulk) -> Result<(), StepError> {
    let mut candidates = tx.prepare_cached(
        "SELECT DISTINCT sk.seq
         FROM temp.bulk_seqs AS b JOIN temp.staged_keys AS sk ON sk.seq = b.seq
              JOIN dedup_keys AS k ON k.buyer_key = sk.buyer_key AND k.day IN (sk.day - 1, sk.day, sk.day + 1)
         WHERE b.new AND (k.notice_id < ?1 OR k.notice_id >= ?2)
           AND NOT EXISTS (SELECT 1 FROM duplicates AS d WHERE d.notice_id = k.notice_id)
         ORDER BY sk.seq",
    )?;
    let seqs: Vec<i64> = candidates
        .query_map(params![format!("{source}:"), format!("{source};")], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut read = tx.prepare_cached(&staged_by_seq())?;
    let mut cache = Candidates::default();
    for seq in seqs {
        let Some(row) = read.query_row([seq], staged_row).optional()? else {
            continue;
        };
        let mut fingerprint = row.buyer_fingerprint();
        let full = || row.notice(tx, None).ok();
        if let Some(linked) = duplicates::link(tx, &mut cache, &mut fingerprint, full, now)? {
            bulk.linked.insert(seq, linked);
        }
    }
    Ok(())
}
