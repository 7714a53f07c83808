//! A buyer's history (`b` on a notice): its awards — who won, for how much, when, until when — and
//! its notices in the database, found by organisation number or, without one, by name.

use crate::model::NoticeId;

/// How a buyer is recognised across notices and awards: its organisation numbers (digits), else
/// its name folded with legal forms dropped (as the duplicate detection compares buyers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerKey {
    org_ids: Vec<String>,
    name: Option<String>,
}

impl BuyerKey {
    /// The key of a buyer named `name` with the id `buyer_id`.
    pub fn new(name: &str, buyer_id: Option<&str>) -> Self {
        Self {
            org_ids: buyer_id.map(crate::dedup::org_numbers).unwrap_or_default(),
            name: crate::dedup::normalise_buyer_name(name),
        }
    }

    /// Whether a buyer named `name` with `buyer_id` is this one: a shared organisation number, or
    /// the same name when either side has no number.
    pub fn matches(&self, name: &str, buyer_id: Option<&str>) -> bool {
        let ids = buyer_id.map(crate::dedup::org_numbers).unwrap_or_default();
        if !self.org_ids.is_empty() && !ids.is_empty() {
            return ids.iter().any(|id| self.org_ids.contains(id));
        }
        self.name.is_some() && crate::dedup::normalise_buyer_name(name) == self.name
    }
}

/// What is known of one buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct BuyerHistory {
    /// The buyer's name as the notice gives it.
    pub name: String,
    /// Its organisation number, when the notice gives one.
    pub org_id: Option<String>,
    /// The notice `b` was pressed on.
    pub from: NoticeId,
    /// How it is recognised.
    pub(crate) key: BuyerKey,
    /// Indices into the market's awards, newest first.
    pub(crate) awards: Vec<usize>,
    /// Its notices in the database, newest first.
    pub notices: Vec<NoticeId>,
    /// Its winners, most wins first.
    pub winners: Vec<(String, usize)>,
}
