//! Descriptions left in the store: the dashboard holds every record in memory, and notice
//! descriptions (600 characters on average) were a quarter of it at 100,000 notices (issue #7).
//! It loads records without them and reads a description when it is shown.

use super::failed;
use rusqlite::OptionalExtension;

use super::{Descriptions, StatusFilter, Store};
use crate::model::{NoticeId, NoticeRecord};
use crate::store::StoreError;

impl Store {
    /// Every stored notice as [`Store::load_records`] returns it, but with each description left in
    /// the store: `notice.description` is empty and [`NoticeRecord::description_in_store`] set
    /// where there is one. Read them with [`Store::load_descriptions`].
    ///
    /// # Errors
    ///
    /// As [`Store::load_records`].
    pub fn load_records_without_descriptions(&self) -> Result<Vec<NoticeRecord>, StoreError> {
        self.select_records(StatusFilter::All, "", Descriptions::LeaveInStore)
    }

    /// The stored descriptions of `ids`, in that order; an empty text for a notice that has none or
    /// is not stored.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails.
    pub fn load_descriptions(&self, ids: &[NoticeId]) -> Result<Vec<(NoticeId, String)>, StoreError> {
        let sqlite = failed("read notice descriptions");
        let mut stmt = self
            .conn
            .prepare_cached("SELECT json_extract(notice_json, '$.description') FROM notices WHERE id = ?1")
            .map_err(sqlite)?;
        ids.iter()
            .map(|id| {
                let text: Option<Option<String>> = stmt
                    .query_row([id.as_str()], |row| row.get(0))
                    .optional()
                    .map_err(sqlite)?;
                Ok((id.clone(), text.flatten().unwrap_or_default()))
            })
            .collect()
    }
}
