//! Awards reaching the dashboard from a poll: handed to the store after the poll's notices (so
//! they link to the competitions of the same poll), and shown once the store has committed them —
//! on the competition notices they conclude, with a line in the message log.

use jiff::Timestamp;

use super::msg::Effect;
use super::state::AppState;
use super::status::{error, info};
use crate::feeds::awards::FoundAwards;
use crate::model::plural::count;
use crate::model::{NoticeId, NoticeRecord, StoredAward, Triage};

impl AppState {
    /// A poll found awards: saved after its notices, shown once committed (`on_awards_saved`).
    pub(crate) fn on_awards_fetched(feed: String, found: FoundAwards, at: Timestamp) -> Vec<Effect> {
        vec![Effect::SaveAwards { feed, found, at }]
    }

    /// The store committed a poll's awards: the new or changed ones are shown and counted, and
    /// the Doffin notices among them that conclude a matched or followed competition have their
    /// XML read for the value their search hits lack.
    pub(crate) fn on_awards_saved(&mut self, fresh: Vec<StoredAward>) -> Vec<Effect> {
        if fresh.is_empty() {
            return Vec::new();
        }
        let mut wanted: Vec<NoticeId> = Vec::new();
        for award in fresh.iter().filter(|a| a.wants_notice_xml()) {
            let cares = award
                .link
                .as_ref()
                .and_then(|l| self.records.by_id.get(&l.competition))
                .is_some_and(|&i| is_followed(&self.records.rows[i]));
            if cares && !wanted.contains(&award.award.notice_id) {
                wanted.push(award.award.notice_id.clone());
            }
        }
        let linked = fresh.iter().filter(|a| a.link.is_some()).count();
        let mut text = count(fresh.len(), "new award", "new awards");
        if linked > 0 {
            text.push_str(&format!(" ({linked} on stored notices)"));
        }
        self.add_awards(fresh);
        self.status = Some(info(text));
        if wanted.is_empty() {
            Vec::new()
        } else {
            vec![Effect::FetchAwardValues(wanted)]
        }
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
        for award in &awards {
            if let Some(link) = &award.link {
                self.awards
                    .entry(link.competition.clone())
                    .or_default()
                    .push(award.clone());
            }
        }
        // The Market screen counts every one, and bids they conclude may be settled
        // (`award_outcomes.rs`).
        self.market.add(awards);
    }
}

/// Whether the user cares about a competition: it matches a profile, or they have decided on it
/// (anything but undecided or rejected).
fn is_followed(record: &NoticeRecord) -> bool {
    record.relevance.matched || !matches!(record.triage, Triage::New | Triage::Rejected)
}
