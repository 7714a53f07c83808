//! Polls reaching the dashboard: a fetch is handed to the store, and what the store committed —
//! and decided while committing it (new, changed, a duplicate of another source's notice) — is
//! what the list shows. The core never judges a fetch itself: it holds only part of the database
//! (descriptions stay on disk, the first screen is a subset), the store holds all of it, and one
//! decision cannot disagree with itself (issue #16).

use std::collections::HashMap;

use super::msg::Effect;
use super::refresh::RoundStep;
use super::state::AppState;
use super::status::error;
use crate::feeds::FeedEvent;

use crate::model::{AlsoOn, NoticeId, NoticeRecord};
use crate::store::{Arrival, SavedNotice};

impl AppState {
    /// A feed answered: logged as fetched, and saved. Nothing of it is listed until the store has
    /// committed it (`on_fetch_saved`).
    pub(crate) fn on_fetched(&mut self, event: FeedEvent) -> Vec<Effect> {
        let FeedEvent::Fetched {
            feed,
            notices,
            at,
            next_at,
            warnings,
            state,
        } = event
        else {
            return Vec::new();
        };
        self.log_success(&feed, &notices, (at, next_at), warnings);
        self.advance_round(&feed, |step| (step == RoundStep::Polling).then_some(RoundStep::Saving));
        vec![Effect::SaveFetch {
            feed,
            items: notices,
            at,
            state,
        }]
    }

    /// The store committed a fetch: its notices are listed as the store decided, the feed's new
    /// count is known, and a desktop notification goes out for new notices worth one.
    pub(crate) fn on_fetch_saved(&mut self, feed: &str, saved: Vec<SavedNotice>) -> Vec<Effect> {
        let alert = self.alert_for(feed, &saved);
        let new = self.apply_saved(saved);
        self.feed_log(feed).saved(new);
        self.advance_round(feed, |step| {
            (step == RoundStep::Saving).then_some(RoundStep::Done { new })
        });
        self.refresh_view();
        alert.into_iter().collect()
    }

    /// A fetch could not be saved: nothing of it is listed, and the next poll fetches it again.
    pub(crate) fn on_fetch_not_saved(&mut self, feed: &str, why: &str) {
        self.advance_round(feed, |step| (step == RoundStep::Saving).then_some(RoundStep::Failed));
        self.status = Some(error(format!(
            "{feed}: fetched notices NOT saved — the next poll fetches them again [{why}]"
        )));
    }

    /// Lists saved notices, keeping the user's decisions; returns how many became rows of their own.
    fn apply_saved(&mut self, saved: Vec<SavedNotice>) -> usize {
        let mut new = 0;
        let mut arrived = Vec::new();
        let mut links = Links::default();
        for SavedNotice {
            notice,
            relevance,
            arrival,
        } in saved
        {
            match arrival {
                Arrival::Duplicate { primary, reason } => {
                    if let Some(&slot) = self.records.by_id.get(&primary) {
                        let also = AlsoOn {
                            id: notice.id,
                            source: notice.source,
                            url: notice.url,
                            reason,
                        };
                        links.add(&mut self.records.rows[slot], slot, also);
                    }
                }
                Arrival::New if !self.records.by_id.contains_key(&notice.id) => {
                    new += 1;
                    arrived.push((notice.source.clone(), notice.published));
                    self.records.by_id.insert(notice.id.clone(), self.records.rows.len());
                    self.records.rows.push(NoticeRecord::new(notice, relevance));
                }
                arrival => {
                    // A stored notice not on screen yet (the rest is still loading) arrives with
                    // the rest, as saved: listing it now would show it without its decisions.
                    let Some(&i) = self.records.by_id.get(&notice.id) else {
                        continue;
                    };
                    let record = &mut self.records.rows[i];
                    self.record_stats
                        .moved(&notice.source, record.notice.published, notice.published);
                    if let Arrival::Known { unseen: Some(unseen) } = arrival {
                        record.edit_user(|u| u.changes = unseen);
                    }
                    record.notice = notice;
                    record.relevance = relevance;
                    // The fetch brought the whole text: a description still asked for is older.
                    record.description_in_store = false;
                }
            }
        }
        self.record_stats.add(arrived);
        new
    }
}

/// Where each link already on a record is, for the records one fetch links to: a fetch of many
/// twins of one record (20,000 in the hostile-feed test) links each without scanning the links.
#[derive(Default)]
struct Links {
    at: HashMap<usize, HashMap<NoticeId, usize>>,
}

impl Links {
    /// Adds `also` to the links of `record` (at `slot`), or refreshes the one it has to that notice.
    fn add(&mut self, record: &mut NoticeRecord, slot: usize, also: AlsoOn) {
        record.edit_user(|user| {
            let also_on = &mut user.also_on;
            let at = self
                .at
                .entry(slot)
                .or_insert_with(|| also_on.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect());
            match at.get(&also.id).and_then(|&i| also_on.get_mut(i)) {
                Some(existing) => *existing = also,
                None => {
                    at.insert(also.id.clone(), also_on.len());
                    also_on.push(also);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notice, Relevance};

    fn also(n: usize) -> AlsoOn {
        AlsoOn {
            id: NoticeId::new("ted", &format!("{n}-2026")),
            source: "ted".to_owned(),
            url: format!("https://ted.europa.eu/{n}"),
            reason: "same buyer".to_owned(),
        }
    }

    /// Issue #12: a fetch of 20,000 distinct twins of one record (a hostile feed) links each once,
    /// without a scan of the links per twin; a twin fetched again refreshes its link.
    #[test]
    fn many_twins_of_one_record_are_linked_each_once() {
        let mut record = NoticeRecord::new(Notice::blank("doffin", "1", "Renhold"), Relevance::default());
        let mut links = Links::default();
        for n in 0..20_000 {
            links.add(&mut record, 0, also(n));
        }
        let mut again = also(19_999);
        again.url = "https://ted.europa.eu/moved".to_owned();
        links.add(&mut record, 0, again);
        assert_eq!(record.also_on().len(), 20_000);
        assert_eq!(record.also_on()[19_999].url, "https://ted.europa.eu/moved");
        // A later fetch starts from the links the record has.
        Links::default().add(&mut record, 0, also(5));
        assert_eq!(record.also_on().len(), 20_000);
    }
}
