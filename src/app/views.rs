//! Which records each tab shows, in what order, and keeping the cursor on the same notice.

use jiff::Timestamp;

use super::search_tally::{IN_LIST, view_bit};
use super::state::AppState;
use super::view::{SortKey, View, VisibleRow, display_order};

impl AppState {
    /// Recomputes tab counts and the tab's members, then the visible rows (see [`Self::apply_filter`]).
    pub(crate) fn refresh_view(&mut self) {
        let mut counts = [0; View::ALL.len()];
        let mut members = Vec::new();
        let mut masks = Vec::with_capacity(self.records.rows.len());
        let mut boundary: Option<Timestamp> = None;
        let now_s = self.now.as_second();
        for (index, record) in self.records.rows.iter().enumerate() {
            if let Some(deadline) = record.notice.deadline.filter(|d| *d > self.now) {
                // It leaves the open tabs at its deadline and enters Closing soon a week before.
                let soon = deadline.as_second() - super::view::CLOSING_SOON_SECS;
                let next = if soon > now_s {
                    Timestamp::from_second(soon).unwrap_or(deadline)
                } else {
                    deadline
                };
                boundary = Some(boundary.map_or(next, |b| b.min(next)));
            }
            // Confirmed decisions only: a pending one shows as a marker on its row, and the row moves
            // once the store has committed it (nothing is shown before it is true).
            let triage = record.triage;
            let mut mask = 0;
            for (slot, view) in View::ALL.iter().enumerate() {
                if view.contains(record, triage, self.now) {
                    counts[slot] += 1;
                    mask |= view_bit(slot);
                }
            }
            // A decided notice stays in the tab it was decided in until the cursor moves on.
            let lingers = !self.decisions.lingering.is_empty() && self.decisions.lingering.contains(&record.notice.id);
            if lingers || self.listing.view.contains(record, triage, self.now) {
                members.push(index);
                mask |= IN_LIST;
            }
            masks.push(mask);
        }
        self.listing.counts = counts;
        // Records or decisions changed: the Market screen's views are derived again when shown.
        self.market.stale = true;
        self.listing.search.masks = masks;
        self.listing.next_time_boundary = boundary;
        if self.listing.sort == SortKey::Buyer {
            // Folding a name per comparison made this sort take 240 ms at 100,000 notices: fold each
            // once, and let a stable sort keep the score order among equal buyers.
            members.sort_by(|&a, &b| display_order(&self.records.rows[a], &self.records.rows[b], SortKey::Score));
            members.sort_by_cached_key(|&i| self.records.rows[i].notice.buyer.to_lowercase());
        } else {
            members.sort_by(|&a, &b| display_order(&self.records.rows[a], &self.records.rows[b], self.listing.sort));
        }
        self.listing.members = members;
        // The members changed: the search index is rebuilt on the next search keystroke.
        self.listing.search_index = None;
        self.apply_filter();
    }

    /// Applies the `/` search to the tab's members, keeping the cursor on its notice when that
    /// notice is still visible, else on the row that took its place. A keystroke only calls this:
    /// the folded index of titles (and notes) is built once per change of the records or tabs.
    pub(crate) fn apply_filter(&mut self) {
        let old_row = self.selected_row();
        self.listing.visible = if self.listing.query.trim().is_empty() {
            self.listing
                .members
                .iter()
                .map(|&index| VisibleRow {
                    index,
                    positions: Vec::new(),
                })
                .collect()
        } else {
            self.search_rows()
        };
        if self.selected_row().is_none() {
            let row = old_row.unwrap_or(0).min(self.listing.visible.len().saturating_sub(1));
            self.listing.selected = self
                .listing
                .visible
                .get(row)
                .map(|r| self.records.rows[r.index].notice.id.clone());
        }
    }

    /// Moves the cursor to `row` (clamped).
    pub(crate) fn select_row(&mut self, row: usize) {
        let row = row.min(self.listing.visible.len().saturating_sub(1));
        self.listing.selected = self
            .listing
            .visible
            .get(row)
            .map(|r| self.records.rows[r.index].notice.id.clone());
    }
}
