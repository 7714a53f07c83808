//! Progressive start-up: the dashboard draws its first frame from the best-scored notices and
//! merges the rest when the store has read them (`StoreEvent::Loaded`). Reading 100,000 notices
//! takes about a second; nobody should stare at a blank terminal meanwhile.
//!
//! Polls and re-scores need not wait meanwhile: the store decides what a fetch is (new, changed, a
//! duplicate) against the whole database, and it answers in the order it works, so whatever it
//! reports before `Loaded` is already in what it loads, and whatever it reports after is newer.

use super::state::AppState;
use super::status::{error, info};
use crate::model::NoticeRecord;

impl AppState {
    /// Marks the records given to [`AppState::new`] as the first part only: the rest arrive with
    /// `StoreEvent::Loaded`.
    pub fn loading_rest(mut self) -> Self {
        self.loading = true;
        self.status = Some(info("Loading saved notices…".to_owned()));
        self
    }

    /// Whether the rest of the stored notices is still being read.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// New scores from the background re-score, applied to the records on screen.
    pub(crate) fn on_rescored(
        &mut self,
        batch: Vec<(crate::model::NoticeId, crate::model::Relevance)>,
        done: Option<Result<usize, String>>,
    ) {
        for (id, relevance) in batch {
            if let Some(&i) = self.records.by_id.get(&id) {
                self.records.rows[i].relevance = relevance;
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
    /// changed since — a decision still being saved — and keep their state).
    pub(crate) fn on_loaded(&mut self, loaded: Result<Vec<NoticeRecord>, String>) {
        self.loading = false;
        match loaded {
            Ok(loaded) => {
                self.records.merge_loaded(loaded);
                // Bids beyond the first screen may be concluded by awards already held.
                self.market.outcomes_due = true;
                self.status = Some(info(format!(
                    "{} loaded",
                    crate::model::plural::count(self.records.rows.len(), "saved notice", "saved notices")
                )));
            }
            Err(why) => {
                self.status = Some(error(format!(
                    "Could not read all saved notices ({why}); showing the best {} — restart to retry",
                    self.records.rows.len()
                )));
            }
        }
        self.recount_sources();
        self.refresh_view();
    }
}
