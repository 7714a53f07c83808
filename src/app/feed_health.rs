//! The core's side of feed health: each feed's log written from its events, the stored records
//! counted per source, and the health the sources panel (`F`) shows, assessed by `sources`.

use std::time::Duration;

use jiff::Timestamp;

use super::sources::{FeedLog, PollFailure, PollSuccess, RecordStats, SourceHealth, SourceSetting, assess_with};
use super::state::AppState;
use crate::feeds::Scored;

impl AppState {
    /// Tells the core which `source` each feed's notices carry (so stored notices count for their
    /// feed before it has polled), when each last succeeded before this session, and after how long
    /// a quiet or failing feed looks stale.
    pub fn with_source_settings(mut self, settings: &[SourceSetting], stale_after: Duration) -> Self {
        for setting in settings {
            let log = self.feed_log(&setting.feed);
            log.source = Some(setting.source.clone());
            log.saved_success = setting.last_success;
        }
        self.stale_after = stale_after;
        self
    }

    /// Every feed's health now, in config order.
    pub fn source_health(&self) -> Vec<SourceHealth> {
        assess_with(&self.feed_logs, &self.record_stats, self.now, self.stale_after)
    }

    /// Counts the stored records per source from scratch: at start-up and when the rest is loaded
    /// (a fetch's merge updates the counts itself).
    pub(super) fn recount_sources(&mut self) {
        self.record_stats = RecordStats::from_records(&self.records.rows);
    }

    /// Logs a successful poll of `feed` that brought `notices`; how many were new is known once the
    /// store has saved them ([`FeedLog::saved`]).
    pub(super) fn log_success(
        &mut self,
        feed: &str,
        notices: &[Scored],
        (at, next_at): (Timestamp, Timestamp),
        warnings: Vec<String>,
    ) {
        let source = notices.first().map(|(notice, _)| notice.source.clone());
        let success = PollSuccess {
            at,
            new: 0,
            fetched: notices.len(),
        };
        self.feed_log(feed)
            .succeeded(success, next_at, warnings, source.as_deref());
    }

    /// Logs a failed poll of `feed`.
    pub(super) fn log_failure(&mut self, feed: &str, message: &str, at: Timestamp, retry_at: Timestamp) {
        self.feed_log(feed).failed(PollFailure {
            at,
            message: message.to_owned(),
            retry_at,
        });
    }

    /// The log of `feed`, created on first use.
    pub(super) fn feed_log(&mut self, feed: &str) -> &mut FeedLog {
        let at = match self.feed_logs.iter().position(|log| log.name == feed) {
            Some(at) => at,
            None => {
                self.feed_logs.push(FeedLog::new(feed, None));
                self.feed_logs.len() - 1
            }
        };
        &mut self.feed_logs[at]
    }
}
