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
        let action = || format!("save the tags of {} notices", changes.len());
        let sqlite = |error| StoreError::Sqlite {
            action: action(),
            error,
        };
        let at = at.to_string();
        let tx = self.write_transaction(action)?;
        {
            let mut save = tx
                .prepare_cached(
                    "INSERT INTO triage (notice_id, status, tags, updated_at) VALUES (?1, 'new', ?2, ?3)
                     ON CONFLICT (notice_id) DO UPDATE SET tags = excluded.tags, updated_at = excluded.updated_at",
                )
                .map_err(sqlite)?;
            for (id, tags) in changes {
                let json = serde_json::to_string(tags).map_err(|error| StoreError::Encode {
                    id: id.to_string(),
                    error,
                })?;
                save.execute(params![id.as_str(), json, at]).map_err(sqlite)?;
            }
        }
        tx.commit().map_err(sqlite)
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
        let action = || format!("save the reject reason of {} notices", ids.len());
        let sqlite = |error| StoreError::Sqlite {
            action: action(),
            error,
        };
        let at = at.to_string();
        let tx = self.write_transaction(action)?;
        {
            let mut save = tx
                .prepare_cached(
                    "INSERT INTO triage (notice_id, status, reject_reason, updated_at) VALUES (?1, 'new', ?2, ?3)
                     ON CONFLICT (notice_id) DO UPDATE
                     SET reject_reason = excluded.reject_reason, updated_at = excluded.updated_at",
                )
                .map_err(sqlite)?;
            for id in ids {
                save.execute(params![id.as_str(), reason, at]).map_err(sqlite)?;
            }
        }
        tx.commit().map_err(sqlite)
    }
}

/// Tags as typed: trimmed, lower-cased, without empty ones or duplicates, sorted. Inner spaces
/// become `-` so a tag stays one word in the `t` prompt and on the command line.
pub fn normalize_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = tags
        .into_iter()
        .map(|t| {
            let clean: String = t.chars().filter(|c| !c.is_control()).collect();
            clean
                .trim()
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-")
        })
        .filter(|t| !t.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_folded_sorted_and_unique() {
        assert_eq!(
            normalize_tags([" Kari ", "urgent", "", "KARI", "bid  team"]),
            ["bid-team", "kari", "urgent"]
        );
    }
}
