//! The `/` search of the list: one index over every stored notice, so the current tab shows its
//! hits and the search line can say how many more the other tabs hold. Part of `AppState`.

use super::search_tally::{IN_LIST, TAB_BITS, view_bit};
use super::state::AppState;
use super::view::{View, VisibleRow};
use crate::matching::search::FuzzyIndex;

/// How many of the best search results get highlighted letters (more than any screen shows).
const HIGHLIGHTED_ROWS: usize = 200;

impl AppState {
    /// The current list's rows matching the query, best first, and the hits counted per tab.
    pub(crate) fn search_rows(&mut self) -> Vec<VisibleRow> {
        let records = &self.records.rows;
        let index = self.listing.search_index.get_or_insert_with(|| {
            // Tags and notes are searchable too ("#kari" finds the tag); positions past the title
            // are not highlighted in the list.
            let texts: Vec<String> = records
                .iter()
                .map(|r| {
                    let mut text = r.notice.title.clone();
                    for tag in r.tags() {
                        text.push_str(" #");
                        text.push_str(tag);
                    }
                    if !r.note().is_empty() {
                        text.push(' ');
                        text.push_str(r.note());
                    }
                    text
                })
                .collect();
            FuzzyIndex::new(texts.iter().map(String::as_str).enumerate())
        });
        let masks = &self.listing.search.masks;
        let mask = |i: usize| masks.get(i).copied().unwrap_or(0);
        // Highlight positions cost as much as the match: only for rows a screen of this list shows.
        let found = index.filter_highlighting(&self.listing.query, None, HIGHLIGHTED_ROWS, |i| mask(i) & IN_LIST != 0);
        // One count per distinct mask, spread over the tabs after: 100,000 hits cost one pass.
        let mut by_mask = [0usize; 256];
        let mut rows = Vec::new();
        for m in found {
            let bits = mask(m.index);
            by_mask[usize::from(bits & TAB_BITS)] += 1;
            if bits & IN_LIST != 0 {
                rows.push(VisibleRow {
                    index: m.index,
                    positions: m.positions,
                });
            }
        }
        let mut hits = [0; View::ALL.len()];
        for (bits, n) in by_mask.iter().enumerate().filter(|(_, n)| **n > 0) {
            for (slot, count) in hits.iter_mut().enumerate() {
                if bits & usize::from(view_bit(slot)) != 0 {
                    *count += n;
                }
            }
        }
        self.listing.search.hits = hits;
        rows
    }

    /// What the search line says about the hits: `2 in Inbox · 5 more in All (Tab)`; `None`
    /// without a query.
    pub fn search_summary(&self) -> Option<String> {
        if self.listing.query.trim().is_empty() {
            return None;
        }
        let here = self.listing.visible.len();
        let all = View::ALL
            .iter()
            .position(|v| *v == View::All)
            .map_or(0, |slot| self.listing.search.hits[slot]);
        let label = self.listing.view.label();
        // Rows decided here and kept in place count as shown, not as elsewhere.
        let more = all.saturating_sub(here);
        Some(if self.listing.view == View::All || more == 0 {
            format!("{here} in {label}")
        } else {
            format!("{here} in {label} · {more} more in All (Tab)")
        })
    }
}
