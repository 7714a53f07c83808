//! Tags and reject reasons: the user's own words on a notice, stored on its triage row next to the
//! note. Each write is one transaction, so a bulk tag of fifty marked notices lands whole or not at all.

use jiff::Timestamp;
use rusqlite::params;

use super::Store;
use crate::model::NoticeId;
use crate::store::StoreError;

impl Store {
    /// Sets the tags of each notice (the whole list, replacing the old one), keeping its triage
    /// status (`new` if it had none).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when a write fails; then nothing was written.
    pub fn save_tags(&mut self, changes: &[(NoticeId, Vec<String>)], at: Timestamp) -> Result<(), StoreError> {
        let rows = changes
            .iter()
            .map(|(id, tags)| {
                let json = serde_json::to_string(tags).map_err(|error| StoreError::Encode {
                    id: id.to_string(),
                    error,
                })?;
                Ok((id, Some(json)))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.annotate(
            "tags",
            "INSERT INTO triage (notice_id, status, tags, updated_at) VALUES (?1, 'new', ?2, ?3)
             ON CONFLICT (notice_id) DO UPDATE SET tags = excluded.tags, updated_at = excluded.updated_at",
            &rows,
            at,
        )
    }

    /// Records why the user rejected these notices (`None` clears the reason).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when a write fails; then nothing was written.
    pub fn save_reject_reason(
        &mut self,
        ids: &[NoticeId],
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let rows: Vec<(&NoticeId, Option<String>)> = ids.iter().map(|id| (id, reason.map(str::to_owned))).collect();
        self.annotate(
            "reject reason",
            "INSERT INTO triage (notice_id, status, reject_reason, updated_at) VALUES (?1, 'new', ?2, ?3)
             ON CONFLICT (notice_id) DO UPDATE
             SET reject_reason = excluded.reject_reason, updated_at = excluded.updated_at",
            &rows,
            at,
        )
    }

    /// Runs `sql` (parameters: notice id, value, time) for every row in one transaction.
    fn annotate(
        &mut self,
        what: &str,
        sql: &str,
        rows: &[(&NoticeId, Option<String>)],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let action = || format!("save the {what} of {} notices", rows.len());
        let sqlite = |error| StoreError::Sqlite {
            action: action(),
            error,
        };
        let at = at.to_string();
        let tx = self.write_transaction(action)?;
        {
            let mut save = tx.prepare_cached(sql).map_err(sqlite)?;
            for (id, value) in rows {
                save.execute(params![id.as_str(), value, at]).map_err(sqlite)?;
            }
        }
        tx.commit().map_err(sqlite)
    }
}
