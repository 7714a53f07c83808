//! The new notices of a staged poll, moved into `notices` in bulk.
//!
//! Most of a large poll is new to the database (a first poll, a long lookback), and deciding those
//! rows one by one cost five or more statements each (look-up, copy, candidate queries, key
//! inserts): 29 µs a row, half the wall time of a 100,000-notice poll. Here they take one insert,
//! one candidate join and one key insert; only rows with a possible twin go through the duplicate
//! check in Rust. Everything else (rows already stored, an id the poll brings twice) is decided by
//! the [`super::save::Saver`] as before, so both paths decide alike.
//!
//! Moving in bulk is only the same as deciding row by row when no row of the poll can be another
//! row's twin: twins are on different sources, so the bulk path is taken only for a poll of one
//! source (every feed kind brings one); anything else is decided row by row.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::StepError;
use super::save::{NOTICE_COLUMNS, STAGED_COLUMNS, staged_row};
use crate::store::duplicates::{self, Candidates};

/// The rows a commit inserted in bulk (in `temp.fresh_seqs`), and the twins found for them.
pub(super) struct Fresh {
    linked: HashMap<i64, (String, String)>,
}

impl Fresh {
    /// The primary the row staged as `seq` was linked to as a duplicate, and why, if it was.
    pub fn linked(&mut self, seq: i64) -> Option<(String, String)> {
        self.linked.remove(&seq)
    }
}

/// Inserts the staged rows of `feed` that are new to the database (the first of each id), links
/// those with a twin on another source, and files their duplicate-check keys; their seqs are left in
/// `temp.fresh_seqs`. `later_sources` are the sources of the rows the commit saves after the staged
/// ones; with the staged rows' they must be one, or nothing is inserted here.
pub(super) fn save<'s>(
    tx: &Transaction<'_>,
    feed: &str,
    mut later_sources: impl Iterator<Item = &'s str>,
    now: &str,
) -> Result<Fresh, StepError> {
    let mut fresh = Fresh { linked: HashMap::new() };
    tx.execute("DELETE FROM temp.fresh_seqs", [])?;
    let mut sources = tx.prepare_cached("SELECT DISTINCT source FROM temp.staged_notices WHERE feed = ?1 LIMIT 2")?;
    let sources: Vec<String> = sources
        .query_map([feed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let [source] = sources.as_slice() else {
        return Ok(fresh);
    };
    if later_sources.any(|later| later != source) {
        return Ok(fresh);
    }
    tx.prepare_cached(
        "INSERT INTO temp.fresh_seqs (seq)
         SELECT min(seq) FROM temp.staged_notices AS s
         WHERE feed = ?1 AND NOT EXISTS (SELECT 1 FROM main.notices AS n WHERE n.id = s.id)
         GROUP BY id",
    )?
    .execute([feed])?;
    tx.prepare_cached(&format!(
        "INSERT INTO notices ({NOTICE_COLUMNS})
         SELECT s.id, s.source, s.native_id, s.title, s.buyer, s.deadline_at, s.published_at, s.score,
                s.matched, s.notice_json, s.relevance_json, s.content_hash, ?1, ?1
         FROM temp.fresh_seqs AS f JOIN temp.staged_notices AS s ON s.seq = f.seq
         ORDER BY f.seq"
    ))?
    .execute([now])?;
    link_twins(tx, source, now, &mut fresh)?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO dedup_keys (buyer_key, day, notice_id)
         SELECT k.buyer_key, k.day, s.id
         FROM temp.fresh_seqs AS f JOIN temp.staged_keys AS k ON k.seq = f.seq
              JOIN temp.staged_notices AS s ON s.seq = f.seq",
    )?
    .execute([])?;
    Ok(fresh)
}

/// Runs the duplicate check on each inserted row that has a candidate: a stored notice of another
/// source under one of its buyer keys, within a day of its deadline, not itself a secondary (the
/// conditions of `duplicates::link`, which decides). The poll's own keys are not filed yet, and
/// would not count: they are of `source`.
fn link_twins(tx: &Transaction<'_>, source: &str, now: &str, fresh: &mut Fresh) -> Result<(), StepError> {
    let mut candidates = tx.prepare_cached(
        "SELECT DISTINCT sk.seq
         FROM temp.fresh_seqs AS f JOIN temp.staged_keys AS sk ON sk.seq = f.seq
              JOIN dedup_keys AS k ON k.buyer_key = sk.buyer_key AND k.day IN (sk.day - 1, sk.day, sk.day + 1)
         WHERE (k.notice_id < ?1 OR k.notice_id >= ?2)
           AND NOT EXISTS (SELECT 1 FROM duplicates AS d WHERE d.notice_id = k.notice_id)
         ORDER BY sk.seq",
    )?;
    let seqs: Vec<i64> = candidates
        .query_map(params![format!("{source}:"), format!("{source};")], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut read = tx.prepare_cached(&format!(
        "SELECT {STAGED_COLUMNS} FROM temp.staged_notices WHERE seq = ?1"
    ))?;
    let mut cache = Candidates::default();
    for seq in seqs {
        let Some(row) = read.query_row([seq], staged_row).optional()? else {
            continue;
        };
        let mut fingerprint = row.buyer_fingerprint();
        let full = || row.notice(tx, None).ok();
        if let Some(linked) = duplicates::link(tx, &mut cache, &mut fingerprint, full, now)? {
            fresh.linked.insert(seq, linked);
        }
    }
    Ok(())
}
