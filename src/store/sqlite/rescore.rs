//! Re-scoring stored notices after the matching profiles changed: the fingerprint of the profiles
//! the scores were computed with, a chunked reader for a background task, and batch updates.

use super::failed;
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::model::{Notice, NoticeId, Relevance};
use crate::store::StoreError;

impl Store {
    /// The fingerprint of the profiles the stored scores were computed with (`None` before the
    /// first re-score or on a new database).
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the query fails.
    pub fn scored_with(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = 'profiles'", [], |row| row.get(0))
            .optional()
            .map_err(|error| StoreError::Sqlite {
                action: "read which profiles the scores were computed with".to_owned(),
                error,
            })
    }

    /// Records that every stored score now comes from the profiles with this fingerprint.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the write fails.
    pub fn set_scored_with(&mut self, fingerprint: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('profiles', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [fingerprint],
            )
            .map(drop)
            .map_err(|error| StoreError::Sqlite {
                action: "record which profiles the scores were computed with".to_owned(),
                error,
            })
    }

    /// Records `fingerprint` as the profiles of the stored scores when no notice is stored: a new
    /// database has nothing to re-score, and the notices its first polls save are scored with
    /// these profiles already (a re-score started for it raced those saves and reported them).
    /// Returns whether it was recorded.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the write fails.
    pub fn adopt_profiles_if_empty(&mut self, fingerprint: &str) -> Result<bool, StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) SELECT 'profiles', ?1 WHERE NOT EXISTS (SELECT 1 FROM notices)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [fingerprint],
            )
            .map(|rows| rows > 0)
            .map_err(|error| StoreError::Sqlite {
                action: "record which profiles the scores were computed with".to_owned(),
                error,
            })
    }

    /// Up to `limit` stored notices after row `after` (0 to start), with the row id to continue
    /// from: a background re-score reads the table in chunks on its own connection.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the query fails; undecodable rows are skipped.
    pub fn notices_after(&self, after: i64, limit: usize) -> Result<(Vec<Notice>, i64), StoreError> {
        let sqlite = failed("read notices to re-score");
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid, notice_json FROM notices WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")
            .map_err(sqlite)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![after, limit]).map_err(sqlite)?;
        let (mut notices, mut last) = (Vec::new(), after);
        while let Some(row) = rows.next().map_err(sqlite)? {
            last = row.get(0).map_err(sqlite)?;
            let json: String = row.get(1).map_err(sqlite)?;
            if let Ok(notice) = serde_json::from_str(&json) {
                notices.push(notice);
            }
        }
        Ok((notices, last))
    }

    /// Stores new relevance for these notices, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] or [`StoreError::Encode`]; then nothing of the batch was written.
    pub fn save_relevance(&mut self, batch: &[(NoticeId, Relevance)]) -> Result<(), StoreError> {
        let action = || format!("save the new scores of {} notices", batch.len());
        let sqlite = |error| StoreError::Sqlite {
            action: action(),
            error,
        };
        let tx = self.write_transaction(action)?;
        {
            let mut update = tx
                .prepare_cached("UPDATE notices SET score = ?2, matched = ?3, relevance_json = ?4 WHERE id = ?1")
                .map_err(sqlite)?;
            for (id, relevance) in batch {
                let json = serde_json::to_string(relevance).map_err(|error| StoreError::Encode {
                    id: id.to_string(),
                    error,
                })?;
                update
                    .execute(params![id.as_str(), relevance.score, relevance.matched, json])
                    .map_err(sqlite)?;
            }
        }
        tx.commit().map_err(sqlite)
    }
}

/// Notices read and written per transaction by [`rescore_all`]: short enough that the dashboard's
/// own writes never wait long for the lock.
const RESCORE_BATCH: usize = 2_000;

/// Notices per message to the dashboard: the event loop draws once per message, and applying 2,000
/// new relevances to a million records took up to 21 ms, more than a frame; a quarter of that
/// stays well inside one.
const SENT_CHUNK: usize = 500;

/// Re-scores every notice stored at `path` with `score`, on a connection of its own, a batch at a
/// time; each saved batch goes to `sent` in chunks of [`SENT_CHUNK`] (the dashboard shows them),
/// then the fingerprint is stored.
/// Returns how many were re-scored. Stops early when `sent` returns false (nobody listens).
///
/// # Errors
/// The first store error; the batches before it are saved, and the fingerprint is not, so the next
/// start re-scores again.
pub fn rescore_all(
    path: &std::path::Path,
    score: &dyn Fn(&Notice) -> Relevance,
    fingerprint: &str,
    sent: &mut dyn FnMut(Vec<(NoticeId, Relevance)>) -> bool,
) -> Result<usize, StoreError> {
    let mut store = Store::open(path)?;
    let (mut after, mut total) = (0, 0);
    loop {
        let (notices, last) = store.notices_after(after, RESCORE_BATCH)?;
        if last == after {
            break;
        }
        after = last;
        let mut batch: Vec<(NoticeId, Relevance)> = notices.iter().map(|n| (n.id.clone(), score(n))).collect();
        store.save_relevance(&batch)?;
        total += batch.len();
        while !batch.is_empty() {
            let rest = batch.split_off(batch.len().min(SENT_CHUNK));
            if !sent(batch) {
                return Ok(total);
            }
            batch = rest;
        }
    }
    store.set_scored_with(fingerprint)?;
    Ok(total)
}
