//! What the store decided about each notice of a saved fetch, handed back to the core with
//! `StoreEvent::FetchSaved` so the dashboard shows exactly what was committed.
//!
//! The store is the one place that knows the whole database: whether a notice is new, what changed
//! since it was stored (descriptions included, which the dashboard keeps on disk), and whether it is
//! the same procedure as a notice from another source. Deciding that once, here, means the core
//! never runs a second copy of the decision against a partial list (issue #16).

use crate::model::{FieldChange, Notice, NoticeId, Relevance};

/// The store's decision about one notice of a fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// New to the database: a row of its own.
    New,
    /// Stored before. `unseen` is the notice's whole list of unseen changes when this fetch
    /// changed it, `None` when the unseen list stays as it was.
    Known {
        /// The unseen changes now stored, earlier ones merged in.
        unseen: Option<Vec<FieldChange>>,
    },
    /// The same procedure as `primary` from another source: shown as a link on that record.
    Duplicate {
        /// The record it is linked to.
        primary: NoticeId,
        /// Why, in words.
        reason: String,
    },
}

/// A saved notice with the store's decision about it.
#[derive(Debug, Clone)]
pub struct SavedNotice {
    /// The notice as stored.
    pub notice: Notice,
    /// Its relevance as stored.
    pub relevance: Relevance,
    /// What it is to the dashboard.
    pub arrival: Arrival,
}

/// Pairs fetched items with the decisions made while saving them (one per item, in order).
pub fn pair(items: Vec<(Notice, Relevance)>, arrivals: Vec<Arrival>) -> Vec<SavedNotice> {
    debug_assert_eq!(items.len(), arrivals.len(), "one decision per saved notice");
    items
        .into_iter()
        .zip(arrivals)
        .map(|((notice, relevance), arrival)| SavedNotice {
            notice,
            relevance,
            arrival,
        })
        .collect()
}
