//! Team mode as the core sees it: whether the shared database answers, the writes in doubt, and
//! the last colleague's change per notice (for "by Kari" in the detail pane). Empty with SQLite.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::model::NoticeId;

/// The core's team-mode state.
#[derive(Debug, Default)]
pub(crate) struct TeamStatus {
    /// Who is connected (team mode); `None` with SQLite.
    pub(crate) member: Option<String>,
    /// Since when the shared database has not answered; `None` while it does.
    pub(crate) offline_since: Option<Timestamp>,
    /// Decisions whose write timed out: shown "not confirmed" until the store finds out by op_id.
    pub(crate) unconfirmed: HashSet<NoticeId>,
    /// The latest colleague's change per notice, in words, with when it happened.
    pub(crate) last_remote: HashMap<NoticeId, (String, Timestamp)>,
}
