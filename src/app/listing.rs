//! The listing sub-state: which notices each tab holds, the tab and order shown, the `/` search and
//! the cursor. Owned by `AppState::listing`; `views.rs` derives it from the records and `search.rs`
//! filters it.

use jiff::Timestamp;

use super::search_tally::SearchTally;
use super::view::{SortKey, View, VisibleRow};
use crate::matching::search::FuzzyIndex;
use crate::model::NoticeId;

/// What the list shows and where the cursor is.
#[derive(Debug)]
pub(crate) struct Listing {
    /// The current tab's records in display order, before the `/` search.
    pub(crate) members: Vec<usize>,
    /// The folded index `/` searches, built when the records change.
    pub(crate) search_index: Option<FuzzyIndex>,
    /// The rows on screen in order: the tab's members the search keeps, with matched positions.
    pub(crate) visible: Vec<VisibleRow>,
    /// How many notices each tab holds, in [`View::ALL`] order.
    pub(crate) counts: [usize; View::ALL.len()],
    /// The list's order.
    pub(crate) sort: SortKey,
    /// The tab shown.
    pub(crate) view: View,
    /// The `/` search text.
    pub(crate) query: String,
    /// The notice under the cursor; kept by id so it stays put when rows move.
    pub(crate) selected: Option<NoticeId>,
    /// Which tabs each notice is in, and the search's hits per tab (see `search.rs`).
    pub(crate) search: SearchTally,
    /// The next moment the passing of time moves a notice between tabs (a deadline passes, or
    /// comes within a week); the minute tick re-sorts the tabs only once it is reached.
    pub(crate) next_time_boundary: Option<Timestamp>,
}

impl Default for Listing {
    fn default() -> Self {
        Self {
            members: Vec::new(),
            search_index: None,
            visible: Vec::new(),
            counts: [0; View::ALL.len()],
            sort: SortKey::default(),
            view: View::Inbox,
            query: String::new(),
            selected: None,
            search: SearchTally::default(),
            next_time_boundary: None,
        }
    }
}
