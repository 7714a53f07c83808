//! What a feed is doing, in one value for the status line; derived from the feed's log
//! (`sources::FeedLog::status`), never stored beside it.

use jiff::Timestamp;

/// What a feed is doing, for the status line (newsboat's `DlStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    /// Not polled yet.
    Idle,
    /// A poll is running.
    Fetching {
        /// Since when.
        since: Timestamp,
    },
    /// The last poll worked.
    Ok {
        /// When it finished.
        at: Timestamp,
        /// Notices new to the store in that poll.
        new: usize,
        /// Notices in that poll.
        total: usize,
        /// When the next poll is due.
        next_at: Timestamp,
    },
    /// The last poll failed.
    Failed {
        /// When.
        at: Timestamp,
        /// Why, for people.
        message: String,
        /// When the next attempt is due.
        retry_at: Timestamp,
    },
    /// The feed cannot run until the user fixes something.
    Inactive {
        /// What to fix.
        message: String,
    },
}
