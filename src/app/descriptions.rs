//! Descriptions read on demand. The dashboard's records come from the store without their
//! descriptions (a quarter of its memory at 100,000 notices, issue #7): a record says so with
//! `description_in_store`. The core asks the store for a description when something needs it —
//! the detail pane shows the notice, `E` suggests from the decided notices — and keeps it once it
//! has arrived (a person reads a few hundred notices a session, not 100,000). A fetch that changes a
//! description is diffed by the store, which has the old text.

use super::msg::Effect;
use super::state::AppState;
use super::status::error;
use crate::model::{NoticeId, NoticeRecord, Triage};

impl AppState {
    /// Whether `record`'s description is still being read from the store (the detail pane says so).
    pub fn is_description_loading(&self, record: &NoticeRecord) -> bool {
        record.description_in_store
    }

    /// After every message: the notice in the open detail pane needs its description.
    pub(crate) fn read_shown_description(&mut self) -> Vec<Effect> {
        if !self.screen.detail_open {
            return Vec::new();
        }
        let Some(id) = self.listing.selected.as_ref() else {
            return Vec::new();
        };
        match self.records.by_id.get(id) {
            Some(&i) if self.records.rows[i].description_in_store => self.ask_descriptions(vec![id.clone()]),
            _ => Vec::new(),
        }
    }

    /// `E`: suggestions read the titles and descriptions of the decided notices, so those still
    /// in the store are read first; the panel opens when they arrive.
    pub(crate) fn show_suggestions(&mut self) -> Vec<Effect> {
        let missing: Vec<NoticeId> = self
            .records
            .rows
            .iter()
            .filter(|r| r.description_in_store && r.triage != Triage::New)
            .map(|r| r.notice.id.clone())
            .collect();
        if missing.is_empty() {
            self.open_suggestions();
            return Vec::new();
        }
        self.descriptions.suggestions_waiting = true;
        self.status = Some(super::status::info("Reading the decided notices…".to_owned()));
        self.ask_descriptions(missing)
    }

    /// Asks the store for the descriptions of `ids` not asked for already.
    fn ask_descriptions(&mut self, ids: Vec<NoticeId>) -> Vec<Effect> {
        let ids: Vec<NoticeId> = ids
            .into_iter()
            .filter(|id| self.descriptions.asked.insert(id.clone()))
            .collect();
        if ids.is_empty() {
            Vec::new()
        } else {
            vec![Effect::LoadDescriptions(ids)]
        }
    }

    /// Descriptions arrived from the store (`StoreEvent::DescriptionsLoaded`).
    pub(crate) fn on_descriptions(&mut self, loaded: Result<Vec<(NoticeId, String)>, String>) {
        let texts = match loaded {
            Ok(texts) => texts,
            Err(why) => {
                // The ones asked for stay marked as asked, so a broken database is not queried
                // again on every key press; a restart retries.
                self.descriptions.suggestions_waiting = false;
                self.status = Some(error(format!("Could not read notice descriptions ({why})")));
                return;
            }
        };
        for (id, text) in texts {
            self.descriptions.asked.remove(&id);
            let Some(&i) = self.records.by_id.get(&id) else {
                continue;
            };
            let record = &mut self.records.rows[i];
            if record.description_in_store {
                record.notice.description = text;
                record.description_in_store = false;
            }
        }
        if self.descriptions.suggestions_waiting
            && !self
                .records
                .rows
                .iter()
                .any(|r| r.description_in_store && r.triage != Triage::New)
        {
            self.descriptions.suggestions_waiting = false;
            self.open_suggestions();
        }
    }
}
