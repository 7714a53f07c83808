//! Progressive start-up: the dashboard draws its first frame from the best-scored notices and
//! merges the rest when the store has read them (`StoreEvent::Loaded`). Reading 100,000 notices
//! takes about a second; nobody should stare at a blank terminal meanwhile.
//!
//! Until the rest is in, polls are held back: judged against a partial list, every stored notice
//! would look new (wrong "new" counts, desktop notifications for old notices, duplicates not
//! recognised). They are replayed, in order, once everything is loaded.

use std::collections::HashMap;

use super::msg::Effect;
use super::state::AppState;
use super::update::{error, info};
use crate::feeds::FeedEvent;
use crate::model::NoticeRecord;

/// A re-score batch held back while loading.
pub(crate) type HeldScores = (
    Vec<(crate::model::NoticeId, crate::model::Relevance)>,
    Option<Result<usize, String>>,
);

impl AppState {
    /// Marks the records given to [`AppState::new`] as the first part only: the rest arrive with
    /// `StoreEvent::Loaded`.
    pub fn loading_rest(mut self) -> Self {
        self.loading = Some(Vec::new());
        self.status = Some(info("Loading saved notices…".to_owned()));
        self
    }

    /// Whether the rest of the stored notices is still being read.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Holds a feed event back while loading; hands it back when it may be handled now.
    pub(crate) fn defer_while_loading(&mut self, event: FeedEvent) -> Option<FeedEvent> {
        match (&mut self.loading, event) {
            // Started / failed / inactive carry no notices: show them at once.
            (Some(held), event @ FeedEvent::Fetched { .. }) => {
                held.push(event);
                None
            }
            (_, event) => Some(event),
        }
    }

    /// New scores from the background re-score: applied to the records on screen (held back, like
    /// polls, while the rest is still loading, so the loaded copies do not overwrite them).
    pub(crate) fn on_rescored(
        &mut self,
        batch: Vec<(crate::model::NoticeId, crate::model::Relevance)>,
        done: Option<Result<usize, String>>,
    ) {
        if self.loading.is_some() {
            self.held_scores.push((batch, done));
            return;
        }
        for (id, relevance) in batch {
            if let Some(&i) = self.by_id.get(&id) {
                self.records[i].relevance = relevance;
            }
        }
        if let Some(outcome) = done {
            match outcome {
                // Nothing was stored to re-score (a new database): nothing worth a word.
                Ok(0) => {}
                Ok(n) => {
                    self.status = Some(info(format!(
                        "Re-scored {} with the changed profiles",
                        crate::model::plural::count(n, "saved notice", "saved notices")
                    )));
                }
                Err(why) => {
                    self.status = Some(error(format!(
                        "Re-scoring stopped ({why}); it resumes at the next start"
                    )));
                }
            }
            // Tabs and order follow the new scores once, at the end, not per batch.
            self.refresh_view();
        }
    }

    /// Every stored notice has been read: merges those not on screen yet (the ones shown may have
    /// changed since, and keep their state), then replays the polls held back.
    pub(crate) fn on_loaded(&mut self, loaded: Result<Vec<NoticeRecord>, String>) -> Vec<Effect> {
        let held = self.loading.take().unwrap_or_default();
        match loaded {
            Ok(loaded) => {
                // The loaded Vec becomes the records, and the ones on screen replace their stored
                // copies (they may have changed since): moving 100,000 records into the first
                // screen's Vec held both at once and left the Vec's old buffers behind (60 MB
                // more at the peak, issue #7). Display order does not depend on this order.
                let shown = std::mem::take(&mut self.records);
                let mut by_id = HashMap::with_capacity(loaded.len() + shown.len());
                let mut records = loaded;
                for (i, record) in records.iter().enumerate() {
                    by_id.entry(record.notice.id.clone()).or_insert(i);
                }
                for record in shown {
                    match by_id.get(&record.notice.id) {
                        Some(&i) => records[i] = record,
                        None => {
                            by_id.insert(record.notice.id.clone(), records.len());
                            records.push(record);
                        }
                    }
                }
                self.records = records;
                self.by_id = by_id;
                self.status = Some(info(format!(
                    "{} loaded",
                    crate::model::plural::count(self.records.len(), "saved notice", "saved notices")
                )));
            }
            Err(why) => {
                self.status = Some(error(format!(
                    "Could not read all saved notices ({why}); showing the best {} — restart to retry",
                    self.records.len()
                )));
            }
        }
        for (batch, done) in std::mem::take(&mut self.held_scores) {
            self.on_rescored(batch, done);
        }
        self.recount_sources();
        self.refresh_view();
        held.into_iter().flat_map(|event| self.on_feed(event)).collect()
    }
}
