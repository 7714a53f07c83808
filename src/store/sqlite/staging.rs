//! A poll saved page by page: each page's notices are encoded and written to a TEMP table as they
//! arrive, and moved into `notices` in one transaction once the poll has read its last page.
//!
//! So `anbud poll --once` holds one page in memory, not the whole poll (100,000 TED notices were
//! 290 MB), and encodes a page while the next one is fetched and parsed, yet a failed poll still
//! writes nothing to the database: the staging table is the connection's own (`temp` schema, gone
//! when it closes), and writing it takes no lock on the database file, so a dashboard's triage
//! writes on the same file are never held up by a poll's network reads.

use jiff::Timestamp;
use rusqlite::params;

use super::save::{Body, Prepared, STAGED_COLUMNS, Saver, staged_row};
use super::{Decided, StepError, Store, StoreError, failed};
use crate::model::{FeedState, Notice, Relevance};

/// The staging table; `seq` keeps the order the pages came in.
const CREATE: &str = "CREATE TEMP TABLE IF NOT EXISTS staged_notices (
    seq INTEGER PRIMARY KEY, feed TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
    native_id TEXT NOT NULL, title TEXT NOT NULL, buyer TEXT NOT NULL, buyer_id TEXT, deadline TEXT,
    published TEXT, score INTEGER NOT NULL, matched INTEGER NOT NULL, notice_json TEXT NOT NULL,
    relevance_json TEXT NOT NULL, content_hash TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS temp.staged_by_feed ON staged_notices (feed, seq);";

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
                    "INSERT INTO temp.staged_notices (feed, {STAGED_COLUMNS}, notice_json, relevance_json)
                     VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                ))
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
                insert
                    .execute(params![
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
                        notice_json,
                        relevance_json,
                    ])
                    .map_err(sqlite)?;
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
        self.conn
            .execute("DELETE FROM temp.staged_notices WHERE feed = ?1", [feed])
            .map(drop)
            .map_err(sqlite)
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
            let mut select = tx.prepare_cached(&format!(
                "SELECT {STAGED_COLUMNS} FROM temp.staged_notices WHERE feed = ?1 ORDER BY seq"
            ))?;
            let mut cursor = select.query([feed])?;
            while let Some(r) = cursor.next()? {
                saver.save(&staged_row(r)?, None)?;
            }
            for (notice, relevance) in last {
                let row = Prepared::encode(notice, relevance).map_err(StepError::Store)?;
                saver.save(&row, Some(notice))?;
            }
            tx.execute("DELETE FROM temp.staged_notices WHERE feed = ?1", [feed])?;
            Ok(saver.finish())
        })
    }
}
