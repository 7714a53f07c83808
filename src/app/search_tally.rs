//! Which tabs each notice is in and how many search hits each tab holds: the sub-state `/` keeps
//! so the search line can say what the other tabs hold. A leaf.

use super::view::View;

/// Bit of [`SearchTally::masks`] set for a notice in the current list (its tab, plus decided
/// rows kept in place); the low byte holds a bit per tab of [`View::ALL`] holding the notice.
pub(crate) const IN_LIST: u16 = 1 << 8;

/// The tab bits of a mask: hits are counted per distinct value of these, so they must fit a byte.
pub(crate) const TAB_BITS: u16 = 0xFF;
const _: () = assert!(View::ALL.len() <= 8, "the tab bits of a search mask are one byte");

/// Which tabs each notice is in (set when the tabs are derived), and the last query's hits per tab.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchTally {
    /// Per record: a bit per tab of [`View::ALL`] holding it, and [`IN_LIST`].
    pub(crate) masks: Vec<u16>,
    /// Hits of the current query per tab, in [`View::ALL`] order.
    pub(crate) hits: [usize; View::ALL.len()],
}

/// The [`SearchTally::masks`] bit of the tab at `slot` of [`View::ALL`].
pub(crate) fn view_bit(slot: usize) -> u16 {
    1 << slot
}
