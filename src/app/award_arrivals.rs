//! Awards reaching the dashboard from a poll: handed to the store after the poll's notices (so
//! they link to the competitions of the same poll), and shown once the store has committed them —
//! on the competition notices they conclude, with a line in the message log.

use jiff::Timestamp;

use super::msg::Effect;
use super::state::AppState;
use super::status::{error, info};
use crate::feeds::awards::FoundAwards;
use crate::model::StoredAward;
use crate::model::plural::count;

impl AppState {
    /// A poll found awards: saved after its notices, shown once committed (`on_awards_saved`).
    pub(crate) fn on_awards_fetched(feed: String, found: FoundAwards, at: Timestamp) -> Vec<Effect> {
        vec![Effect::SaveAwards { feed, found, at }]
    }

    /// The store committed a poll's awards: the new or changed ones are shown and counted.
    pub(crate) fn on_awards_saved(&mut self, fresh: Vec<StoredAward>) {
        if fresh.is_empty() {
            return;
        }
        let linked = fresh.iter().filter(|a| a.link.is_some()).count();
        let mut text = count(fresh.len(), "new award", "new awards");
        if linked > 0 {
            text.push_str(&format!(" ({linked} on stored notices)"));
        }
        self.add_awards(fresh);
        self.status = Some(info(text));
    }

    /// A poll's awards could not be saved; the next poll that reads them tries again.
    pub(crate) fn on_awards_not_saved(&mut self, feed: &str, why: &str) {
        self.status = Some(error(format!(
            "{feed}: fetched awards NOT saved — the next poll fetches them again [{why}]"
        )));
    }

    /// Shows stored awards on the competition notices they are linked to, replacing what was
    /// shown for the same award notices (a re-read notice, a Doffin hit superseded by its XML).
    /// Unlinked awards conclude no notice the dashboard has, and are not kept.
    pub fn add_awards(&mut self, awards: Vec<StoredAward>) {
        let notices: std::collections::HashSet<_> = awards.iter().map(|a| a.award.notice_id.clone()).collect();
        for shown in self.awards.values_mut() {
            shown.retain(|a| !notices.contains(&a.award.notice_id));
        }
        self.awards.retain(|_, shown| !shown.is_empty());
        for award in awards {
            if let Some(link) = &award.link {
                self.awards.entry(link.competition.clone()).or_default().push(award);
            }
        }
    }
}
