//! Which records each tab shows, in what order, and keeping the cursor on the same notice.

use std::cmp::Ordering;

use super::state::{AppState, View, VisibleRow};
use crate::matching::search::fuzzy_filter;
use crate::model::NoticeRecord;

/// Score first (best on top), then the nearest deadline (none last), then id for stability.
pub(crate) fn display_order(a: &NoticeRecord, b: &NoticeRecord) -> Ordering {
    b.relevance
        .score
        .cmp(&a.relevance.score)
        .then_with(|| match (a.notice.deadline, b.notice.deadline) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.notice.id.cmp(&b.notice.id))
}

impl AppState {
    /// Recomputes tab counts and the visible rows, keeping the cursor on its notice when that
    /// notice is still visible, else on the row that took its place.
    pub(crate) fn refresh_view(&mut self) {
        let old_row = self.selected_row();
        let mut counts = [0; 4];
        let mut members = Vec::new();
        for (index, record) in self.records.iter().enumerate() {
            let (triage, _) = self.effective_triage(record);
            for (slot, view) in View::ALL.iter().enumerate() {
                if view.contains(record.relevance.matched, triage) {
                    counts[slot] += 1;
                }
            }
            if self.view.contains(record.relevance.matched, triage) {
                members.push(index);
            }
        }
        self.counts = counts;
        members.sort_by(|&a, &b| display_order(&self.records[a], &self.records[b]));
        self.visible = if self.query.is_empty() {
            members
                .into_iter()
                .map(|index| VisibleRow {
                    index,
                    positions: Vec::new(),
                })
                .collect()
        } else {
            let candidates = members.iter().map(|&i| (i, self.records[i].notice.title.as_str()));
            fuzzy_filter(&self.query, candidates)
                .into_iter()
                .map(|m| VisibleRow {
                    index: m.index,
                    positions: m.positions,
                })
                .collect()
        };
        if self.selected_row().is_none() {
            let row = old_row.unwrap_or(0).min(self.visible.len().saturating_sub(1));
            self.selected = self.visible.get(row).map(|r| self.records[r.index].notice.id.clone());
        }
    }

    /// Moves the cursor to `row` (clamped).
    pub(crate) fn select_row(&mut self, row: usize) {
        let row = row.min(self.visible.len().saturating_sub(1));
        self.selected = self.visible.get(row).map(|r| self.records[r.index].notice.id.clone());
    }
}
