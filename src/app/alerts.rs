//! Which fetched notices deserve a desktop notification: new to the store, matched, and scoring at
//! least the configured threshold. One notification per poll, however many qualify, so a first
//! sync of hundreds of notices does not flood the desktop.

use super::msg::Effect;
use super::state::AppState;
use crate::store::{Arrival, SavedNotice};

impl AppState {
    /// Turns on desktop notifications for new notices scoring at least `min_score` (`None`: off).
    pub fn with_notifications(mut self, min_score: Option<i32>) -> Self {
        self.notify_min_score = min_score;
        self
    }

    /// The notification for a saved poll of `feed`: the notices the store found new to it.
    pub(crate) fn alert_for(&self, feed: &str, saved: &[SavedNotice]) -> Option<Effect> {
        let min = self.notify_min_score?;
        let mut fresh: Vec<(&crate::model::Notice, &crate::model::Relevance)> = saved
            .iter()
            .filter(|s| s.arrival == Arrival::New && s.relevance.matched && s.relevance.score >= min)
            .map(|s| (&s.notice, &s.relevance))
            .collect();
        fresh.sort_by_key(|(_, relevance)| std::cmp::Reverse(relevance.score));
        let (best, relevance) = fresh.first()?;
        let summary = match fresh.len() {
            1 => format!("anbud: new {feed} notice, score {}", relevance.score),
            n => format!("anbud: {n} new {feed} notices scoring {min} or more"),
        };
        let mut body = best.title.clone();
        if !best.buyer.is_empty() {
            body.push_str(" — ");
            body.push_str(&best.buyer);
        }
        Some(Effect::Notify { summary, body })
    }
}
