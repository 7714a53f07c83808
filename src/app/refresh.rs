//! A refresh round (`r`): which feeds it waits for, what each has answered, and the closing line
//! once every one has (`Refreshed: 3 new (TED 2, Doffin 1), 1 failed (RSS) — F shows why`).
//!
//! Derived from the messages the core already receives — no help from the poller: a feed counts
//! as answered when, after a `Started` in this round, its poll failed, or its fetch was saved (or
//! not) by the store. An answer without a `Started` in the round belongs to a poll that was running
//! before `r`; the poller then polls that feed again, and that poll is the one that counts.

use super::state::AppState;
use super::status::{error, info};

pub use super::refresh_round::{RefreshRound, RoundStep};

impl AppState {
    /// The refresh round in progress, if `r` started one that has not ended.
    pub fn refresh_round(&self) -> Option<&RefreshRound> {
        self.refresh.as_ref()
    }

    /// `r`: every feed that can run is waited for. A round already running keeps going (the
    /// poller folds the second `r` into it).
    pub(crate) fn start_refresh_round(&mut self) {
        if self.refresh.is_none() {
            let feeds: Vec<(String, RoundStep)> = self
                .feed_logs
                .iter()
                .filter(|log| log.inactive.is_none())
                .map(|log| (log.name.clone(), RoundStep::Queued))
                .collect();
            self.status = Some(if feeds.is_empty() {
                error("No feed can be refreshed: every feed is inactive — F shows why".to_owned())
            } else {
                info(format!(
                    "Refreshing {}…",
                    crate::model::plural::count(feeds.len(), "feed", "feeds")
                ))
            });
            self.refresh = (!feeds.is_empty()).then_some(RefreshRound { feeds });
        } else {
            self.status = Some(info("Already refreshing: the feed bar shows each feed".to_owned()));
        }
    }

    /// Moves `feed` to the step `next` gives for its current one (`None`: stays), then ends the
    /// round if every feed has answered.
    pub(crate) fn advance_round(&mut self, feed: &str, next: impl FnOnce(RoundStep) -> Option<RoundStep>) {
        let Some(round) = self.refresh.as_mut() else { return };
        if let Some(step) = round.step(feed)
            && let Some(to) = next(*step)
        {
            *step = to;
        }
        self.end_round_when_answered();
    }

    /// A feed that turned out inactive is no longer waited for.
    pub(crate) fn leave_round(&mut self, feed: &str) {
        if let Some(round) = self.refresh.as_mut() {
            round.feeds.retain(|(name, _)| name != feed);
        }
        self.end_round_when_answered();
    }

    fn end_round_when_answered(&mut self) {
        if let Some((line, failed)) = self.refresh.as_ref().and_then(RefreshRound::closing_line) {
            self.status = Some(if failed { error(line) } else { info(line) });
            self.refresh = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_line_names_new_notices_per_feed_and_the_failures() {
        let round = RefreshRound {
            feeds: vec![
                ("TED".to_owned(), RoundStep::Done { new: 2 }),
                ("Doffin".to_owned(), RoundStep::Done { new: 1 }),
                ("RSS".to_owned(), RoundStep::Failed),
                ("FTS".to_owned(), RoundStep::Done { new: 0 }),
            ],
        };
        assert_eq!(
            round.closing_line(),
            Some((
                "Refreshed: 3 new (TED 2, Doffin 1), 1 failed (RSS) — F shows why".to_owned(),
                true
            ))
        );
        let quiet = RefreshRound {
            feeds: vec![("TED".to_owned(), RoundStep::Done { new: 0 })],
        };
        assert_eq!(
            quiet.closing_line(),
            Some(("Refreshed: no new notices".to_owned(), false))
        );
        let open = RefreshRound {
            feeds: vec![("TED".to_owned(), RoundStep::Saving)],
        };
        assert_eq!(open.closing_line(), None);
    }
}
