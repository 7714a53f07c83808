//! Per-feed sync state ([`FeedState`]): saved in the same transaction as the notices a poll
//! produced, so a restart never resumes past notices that were not stored, and a validator (which
//! turns the next request into a 304) never outlives a failed save.

use super::failed;
use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Decided, StepError, Store, upsert_in};
use crate::model::{FeedState, Notice, Relevance, Resume, UrlValidators};
use crate::store::StoreError;

impl Store {
    /// Saves one poll of `feed`: its notices (as [`Store::upsert_notices`]) and its sync state, in one
    /// transaction; either both are written or neither.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] or [`StoreError::Encode`]; nothing of the poll is written then.
    pub fn save_fetch(
        &mut self,
        feed: &str,
        items: &[(Notice, Relevance)],
        state: &FeedState,
        now: Timestamp,
    ) -> Result<Decided, StoreError> {
        self.save_poll(feed, items.len(), state, now, |tx, at| upsert_in(tx, items, at))
    }

    /// Saves one poll of `feed` of about `rows` notices in one transaction: `write_notices` writes
    /// the notices (given the transaction and the time as text), then the sync state is written.
    pub(super) fn save_poll(
        &mut self,
        feed: &str,
        rows: usize,
        state: &FeedState,
        now: Timestamp,
        write_notices: impl FnOnce(&Transaction<'_>, &str) -> Result<Decided, StepError>,
    ) -> Result<Decided, StoreError> {
        // Same words as `upsert_notices`: the status line already names the feed.
        let action = || format!("save {rows} fetched notices");
        let encode = |error| StoreError::Encode {
            id: format!("feed state of {feed}"),
            error,
        };
        let validators = serde_json::to_string(&state.validators).map_err(encode)?;
        let resume = state
            .resume
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(encode)?;
        self.with_cache_for(rows, |store| {
            let tx = store.write_transaction(action)?;
            let at = now.to_string();
            let decided = write_notices(&tx, &at).map_err(|e| e.or_sqlite(action))?;
            tx.execute(
                "INSERT INTO feed_state (feed, high_water, last_success, validators, updated_at, resume)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (feed) DO UPDATE SET high_water = excluded.high_water,
                     last_success = excluded.last_success, validators = excluded.validators,
                     updated_at = excluded.updated_at, resume = excluded.resume",
                params![
                    feed,
                    state.high_water.map(|t| t.to_string()),
                    state.last_success.map(|t| t.to_string()),
                    validators,
                    at,
                    resume
                ],
            )
            .map_err(|error| StoreError::Sqlite {
                action: action(),
                error,
            })?;
            tx.commit().map_err(|error| StoreError::Sqlite {
                action: action(),
                error,
            })?;
            Ok(decided)
        })
    }

    /// The saved state of one feed, if it was ever saved.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails; [`StoreError::Corrupt`] when the row is unreadable.
    pub fn feed_state(&self, feed: &str) -> Result<Option<FeedState>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT high_water, last_success, validators, resume FROM feed_state WHERE feed = ?1",
                [feed],
                |row| {
                    Ok(Row {
                        mark: row.get(0)?,
                        last: row.get(1)?,
                        validators: row.get(2)?,
                        resume: row.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|error| StoreError::Sqlite {
                action: format!("load the sync state of {feed}"),
                error,
            })?;
        row.map(|row| decode(feed, row)).transpose()
    }

    /// The saved state of every feed, by feed name.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails; [`StoreError::Corrupt`] when a row is unreadable.
    pub fn load_feed_states(&self) -> Result<HashMap<String, FeedState>, StoreError> {
        let sqlite = failed("load the feeds' sync state");
        let mut stmt = self
            .conn
            .prepare("SELECT feed, high_water, last_success, validators, resume FROM feed_state")
            .map_err(sqlite)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    Row {
                        mark: row.get(1)?,
                        last: row.get(2)?,
                        validators: row.get(3)?,
                        resume: row.get(4)?,
                    },
                ))
            })
            .map_err(sqlite)?;
        let mut states = HashMap::new();
        for row in rows {
            let (feed, row) = row.map_err(sqlite)?;
            let state = decode(&feed, row)?;
            states.insert(feed, state);
        }
        Ok(states)
    }
}

/// The columns of one `feed_state` row, as stored.
struct Row {
    mark: Option<String>,
    last: Option<String>,
    validators: String,
    resume: Option<String>,
}

/// A `feed_state` row as a [`FeedState`].
fn decode(feed: &str, row: Row) -> Result<FeedState, StoreError> {
    let Row {
        mark,
        last,
        validators,
        resume,
    } = row;
    let corrupt = |reason: String| StoreError::Corrupt {
        id: format!("feed state of {feed}"),
        reason,
    };
    let time = |text: Option<String>| -> Result<Option<Timestamp>, StoreError> {
        text.map(|t| t.parse().map_err(|e| corrupt(format!("bad time {t:?}: {e}"))))
            .transpose()
    };
    let validators: Vec<UrlValidators> =
        serde_json::from_str(&validators).map_err(|e| corrupt(format!("bad validators: {e}")))?;
    let resume: Option<Resume> = resume
        .map(|json| serde_json::from_str(&json).map_err(|e| corrupt(format!("bad resume point: {e}"))))
        .transpose()?;
    Ok(FeedState {
        high_water: time(mark)?,
        last_success: time(last)?,
        validators,
        resume,
    })
}
