//! The day a demo database was made, kept in `meta`: the demo moves its recorded dates towards
//! that day, so opening the same `--db` on a later day serves the same dates instead of moving
//! every deadline again (which showed every demo notice in the Changed tab).

use jiff::civil::Date;
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::store::StoreError;

impl Store {
    /// The demo day recorded in this database, or `today` recorded now if it has none (or an
    /// unreadable one).
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the read or the write fails.
    pub fn demo_day(&mut self, today: Date) -> Result<Date, StoreError> {
        let failed = |error| StoreError::Sqlite {
            action: "keep the demo's day".to_owned(),
            error,
        };
        let kept: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'demo_day'", [], |row| row.get(0))
            .optional()
            .map_err(failed)?;
        if let Some(day) = kept.and_then(|text| text.parse::<Date>().ok()) {
            return Ok(day);
        }
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('demo_day', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![today.to_string()],
            )
            .map_err(failed)?;
        Ok(today)
    }
}
