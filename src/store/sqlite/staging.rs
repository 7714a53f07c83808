//! A poll saved page by page: each page's notices are encoded and written to a TEMP table as they
//! arrive, and moved into `notices` in one transaction once the poll has read its last page.
//!
//! So `anbud poll --once` holds one page in memory, not the whole poll (100,000 TED notices were
//! 290 MB), and encodes a page while the next one is fetched and parsed, yet a failed poll still
//! writes nothing to the database: the staging table is the connection's own (`temp` schema, gone
//! when it closes), and writing it takes no lock on the database file, so a dashboard's triage
//! writes on the same file are never held up by a poll's network reads.

use jiff::Timestamp;
use rusqlite::{Connection, params};

use super::save::{Body, Prepared, STAGED_COLUMNS, Saver, Written, staged_by_seq, staged_row};
use super::{Decided, StepError, Store, StoreError, bulk, failed, sortable};
use crate::model::{FeedState, Notice, Relevance};

/// The staging tables: `seq` keeps the order the pages came in; `deadline_at` and `published_at`
/// are the `notices` columns' sortable forms (the duplicate check keeps the whole instants);
/// `staged_keys` holds each row's duplicate-check keys, worked out while the next page is fetched,
/// so the commit can look up the new rows' twins in one join and file their keys in one insert;
/// `bulk_seqs` are the rows a commit writes in bulk (`bulk.rs`).
const CREATE: &str = "CREATE TEMP TABLE IF NOT EXISTS staged_notices (
    seq INTEGER PRIMARY KEY, feed TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
    native_id TEXT NOT NULL, title TEXT NOT NULL, buyer TEXT NOT NULL, buyer_id TEXT, deadline TEXT,
    published TEXT, score INTEGER NOT NULL, matched INTEGER NOT NULL, content_hash TEXT NOT NULL,
    deadline_at TEXT, published_at TEXT, notice_json TEXT NOT NULL, relevance_json TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS temp.staged_by_feed ON staged_notices (feed, seq);
    CREATE TEMP TABLE IF NOT EXISTS staged_keys (
        seq INTEGER NOT NULL, buyer_key TEXT NOT NULL, day INTEGER NOT NULL,
        PRIMARY KEY (seq, buyer_key)) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS bulk_seqs (seq INTEGER PRIMARY KEY, new INTEGER NOT NULL);";

impl Store {
    /// Adds a page of a poll of `feed` to the staging table, after what was staged for it before.
    /// Nothing reaches `notices` until [`Store::commit_staged`].
    ///
    /// # Errors
    ///
    /// [`StoreError::Encode`] or [`StoreError::Sqlite`] (a full disk under the temporary files);
    /// the page is then not staged.
    pub fn stage(&mut self, feed: &str, items: &[(Notice, Relevance)]) -> Result<(), StoreError> {
        let sqlite = failed("stage fetched notices");
        // Deferred: it writes only the `temp` schema, so it never takes the database's write lock.
        let tx = self.conn.transaction().map_err(sqlite)?;
        tx.execute_batch(CREATE).map_err(sqlite)?;
        {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO temp.staged_notices
                         (feed, {STAGED_COLUMNS}, deadline_at, published_at, notice_json, relevance_json)
                     VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
                ))
                .map_err(sqlite)?;
            let mut key = tx
                .prepare_cached("INSERT OR IGNORE INTO temp.staged_keys (seq, buyer_key, day) VALUES (?1, ?2, ?3)")
                .map_err(sqlite)?;
            for (notice, relevance) in items {
                let row = Prepared::encode(notice, relevance)?;
                // An encoded notice is in memory (`Staged` would fail the NOT NULL columns).
                let (notice_json, relevance_json) = match &row.body {
                    Body::Json { notice, relevance } => (Some(notice), Some(relevance)),
                    Body::Staged { .. } => (None, None),
                };
                // Whole instants (the columns of `notices` drop fractions, the duplicate check
                // compares deadlines exactly).
                let seq = insert
                    .insert(params![
                        feed,
                        row.id.as_str(),
                        row.source,
                        row.native_id,
                        row.title,
                        row.buyer,
                        row.buyer_id,
                        row.deadline.map(|t| t.to_string()),
                        row.published.map(|t| t.to_string()),
                        row.score,
                        row.matched,
                        row.hash,
                        row.deadline.map(sortable),
                        row.published.map(sortable),
                        notice_json,
                        relevance_json,
                    ])
                    .map_err(sqlite)?;
                let fingerprint = row.buyer_fingerprint();
                if let Some(day) = fingerprint.deadline_day() {
                    for buyer in fingerprint.buyer_keys() {
                        key.execute(params![seq, buyer.index_text(), day]).map_err(sqlite)?;
                    }
                }
            }
        }
        tx.commit().map_err(sqlite)
    }

    /// Forgets what was staged for `feed` (its poll failed, or is read again from the start).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the delete fails.
    pub fn discard_staged(&mut self, feed: &str) -> Result<(), StoreError> {
        let sqlite = failed("discard staged notices");
        self.conn.execute_batch(CREATE).map_err(sqlite)?;
        delete_staged(&self.conn, feed).map_err(sqlite)
    }

    /// Saves the poll of `feed`: what was staged for it, in order, then `last` (its last page,
    /// which a caller need not stage: nothing follows it to overlap with), with its sync state, in
    /// one transaction (as [`Store::save_fetch`], which decides alike), and empties its staging.
    ///
    /// # Errors
    ///
    /// As [`Store::save_fetch`]; nothing of the poll is written then, and it stays staged.
    pub fn commit_staged(
        &mut self,
        feed: &str,
        last: &[(Notice, Relevance)],
        state: &FeedState,
        now: Timestamp,
    ) -> Result<Decided, StoreError> {
        let sqlite = failed("read staged notices");
        self.conn.execute_batch(CREATE).map_err(sqlite)?;
        let staged: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM temp.staged_notices WHERE feed = ?1",
                [feed],
                |r| r.get(0),
            )
            .map_err(sqlite)?;
        let rows = usize::try_from(staged).unwrap_or_default() + last.len();
        self.save_poll(feed, rows, state, now, |tx, at| {
            let mut saver = Saver::new(tx, at, rows)?;
            let mut bulk = bulk::save(tx, feed, last.iter().map(|(n, _)| n.source.as_str()), at)?;
            // Rows written in bulk are only counted (with the twin a new one was linked to, the
            // primary an unchanged one is filed under): their columns are not read back.
            let mut select = tx.prepare_cached(
                "SELECT s.seq, s.matched, b.new, d.primary_id, d.reason
                 FROM temp.staged_notices AS s LEFT JOIN temp.bulk_seqs AS b ON b.seq = s.seq
                      LEFT JOIN duplicates AS d ON d.notice_id = s.id AND NOT b.new
                 WHERE s.feed = ?1 ORDER BY s.seq",
            )?;
            let mut read = tx.prepare_cached(&staged_by_seq())?;
            let mut cursor = select.query([feed])?;
            while let Some(r) = cursor.next()? {
                let (seq, matched): (i64, bool) = (r.get(0)?, r.get(1)?);
                match r.get::<_, Option<bool>>(2)? {
                    Some(true) => saver.saved_in_bulk(matched, Written::New(bulk.linked(seq))),
                    Some(false) => {
                        let primary = r.get::<_, Option<String>>(3)?.zip(r.get::<_, Option<String>>(4)?);
                        saver.saved_in_bulk(matched, Written::Unchanged(primary));
                    }
                    None => saver.save(&read.query_row([seq], staged_row)?, None)?,
                }
            }
            for (notice, relevance) in last {
                let row = Prepared::encode(notice, relevance).map_err(StepError::Store)?;
                saver.save(&row, Some(notice))?;
            }
            delete_staged(tx, feed)?;
            Ok(saver.finish())
        })
    }
}

/// Deletes what is staged for `feed`, keys and all. When no other feed has anything staged, the
/// tables are dropped instead (the next stage creates them again): freeing their pages is a
/// quarter of the time of deleting 100,000 rows one index entry at a time.
fn delete_staged(conn: &Connection, feed: &str) -> rusqlite::Result<()> {
    let others: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM temp.staged_notices WHERE feed <> ?1)",
        [feed],
        |r| r.get(0),
    )?;
    if !others {
        return conn
            .execute_batch("DROP TABLE temp.staged_notices; DROP TABLE temp.staged_keys; DROP TABLE temp.bulk_seqs;");
    }
    conn.execute(
        "DELETE FROM temp.staged_keys WHERE seq IN (SELECT seq FROM temp.staged_notices WHERE feed = ?1)",
        [feed],
    )?;
    conn.execute("DELETE FROM temp.staged_notices WHERE feed = ?1", [feed])?;
    conn.execute("DELETE FROM temp.bulk_seqs", []).map(drop)
}
