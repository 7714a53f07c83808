//! Re-scoring stored notices after the matching profiles changed: the fingerprint of the profiles
//! the scores were computed with, and a job that reads, scores and updates a batch per step (the
//! store thread runs its steps between other commands).

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
    /// from: a re-score reads the table in chunks.
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

/// Notices read and written per transaction (one step of a [`RescoreJob`]): short enough that a
/// triage write queued behind a step never waits long for the store thread.
const RESCORE_BATCH: usize = 2_000;

/// Notices per message to the dashboard: the event loop draws once per message, and applying 2,000
/// new relevances to a million records took up to 21 ms, more than a frame; a quarter of that
/// stays well inside one.
const SENT_CHUNK: usize = 500;

/// A re-score of every stored notice, done a step (a batch of `RESCORE_BATCH`) at a time, so the
/// store thread can serve other commands between steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RescoreJob {
    fingerprint: String,
    /// The last row id re-scored.
    after: i64,
    /// How many were re-scored so far.
    total: usize,
}

/// What one [`RescoreJob::step`] left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RescoreStep {
    /// More notices to re-score.
    More,
    /// Every notice is re-scored and the fingerprint stored: how many in all.
    Done(usize),
    /// `sent` returned false (nobody listens): stopped, the fingerprint not stored.
    Abandoned(usize),
}

impl RescoreJob {
    /// A re-score recording `fingerprint` once every notice is done.
    pub fn new(fingerprint: String) -> Self {
        Self {
            fingerprint,
            after: 0,
            total: 0,
        }
    }

    /// Re-scores with `score` and saves the next batch, handing it to `sent` in chunks of
    /// `SENT_CHUNK` (the dashboard shows them); after the last, stores the fingerprint.
    ///
    /// # Errors
    /// The store error; the batches before it are saved, and the fingerprint is not, so the next
    /// start re-scores again.
    pub fn step(
        &mut self,
        store: &mut Store,
        score: &dyn Fn(&Notice) -> Relevance,
        sent: &mut dyn FnMut(Vec<(NoticeId, Relevance)>) -> bool,
    ) -> Result<RescoreStep, StoreError> {
        let (notices, last) = store.notices_after(self.after, RESCORE_BATCH)?;
        if last == self.after {
            store.set_scored_with(&self.fingerprint)?;
            return Ok(RescoreStep::Done(self.total));
        }
        self.after = last;
        let mut batch: Vec<(NoticeId, Relevance)> = notices.iter().map(|n| (n.id.clone(), score(n))).collect();
        store.save_relevance(&batch)?;
        self.total += batch.len();
        while !batch.is_empty() {
            let rest = batch.split_off(batch.len().min(SENT_CHUNK));
            if !sent(batch) {
                return Ok(RescoreStep::Abandoned(self.total));
            }
            batch = rest;
        }
        Ok(RescoreStep::More)
    }
}

/// Re-scores every notice stored at `path` with `score` on a connection of its own, for tools that
/// run without the store thread (`scale_probe`); the dashboard sends `StoreCommand::Rescore` to the
/// store thread instead, the one writer of its database. Each saved batch goes to `sent` in chunks
/// of `SENT_CHUNK`, then the fingerprint is stored. Returns how many were re-scored. Stops early
/// when `sent` returns false (nobody listens).
///
/// # Errors
/// As [`RescoreJob::step`].
pub fn rescore_all(
    path: &std::path::Path,
    score: &dyn Fn(&Notice) -> Relevance,
    fingerprint: &str,
    sent: &mut dyn FnMut(Vec<(NoticeId, Relevance)>) -> bool,
) -> Result<usize, StoreError> {
    let mut store = Store::open(path)?;
    let mut job = RescoreJob::new(fingerprint.to_owned());
    loop {
        match job.step(&mut store, score, sent)? {
            RescoreStep::More => {}
            RescoreStep::Done(total) | RescoreStep::Abandoned(total) => return Ok(total),
        }
    }
}
