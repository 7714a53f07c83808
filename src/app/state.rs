//! `AppState`: everything the screen shows, owned and written only by `update`.

use std::collections::HashMap;

use jiff::Timestamp;

use super::feed_status::SourceStatus;
use super::status::StatusMessage;
use super::view::{Mode, SortKey, View, VisibleRow};
use crate::model::{NoticeId, NoticeRecord, Triage};

/// The whole state of the dashboard.
#[derive(Debug)]
pub struct AppState {
    /// The notices held, and where each is (see `records.rs`).
    pub(crate) records: super::records::Records,
    /// Which notices the list shows, in what order, and where the cursor is (see `listing.rs`).
    pub(crate) listing: super::listing::Listing,
    /// Decisions waiting, undoable and marked (see `decisions.rs`).
    pub(crate) decisions: super::decisions::Decisions,
    /// Which screen or prompt is up, the detail pane and scroll positions (see `view.rs`).
    pub(crate) screen: super::view::Screen,
    /// The note, tag, reason and suggestion prompts (see `prompts.rs`).
    pub(crate) prompts: super::prompts::Prompts,
    /// Desktop notifications for new notices scoring at least this; `None`: off.
    pub(crate) notify_min_score: Option<i32>,
    /// Whether the rest of the stored notices is still being read (see `loading.rs`).
    pub(crate) loading: bool,
    /// Stored awards by the competition notice they conclude (read at start-up).
    pub(crate) awards: HashMap<NoticeId, Vec<crate::model::StoredAward>>,
    /// Every stored award and the Market screen's views of them (see `market.rs`).
    pub(crate) market: super::market::MarketState,
    /// What each feed did this session, for the sources panel (see `super::sources`).
    pub(crate) feed_logs: Vec<super::sources::FeedLog>,
    pub(crate) stale_after: std::time::Duration,
    /// Stored records per source, for the sources panel (recounted when records arrive).
    pub(crate) record_stats: super::sources::RecordStats,
    pub(crate) status: Option<StatusMessage>,
    /// Every status message of the session (`M`), and what an export in progress holds.
    pub(crate) log: super::message_log::MessageLog,
    pub(crate) exporting: Option<super::message_log::ExportKind>,
    /// The refresh round `r` started, until every feed has answered.
    pub(crate) refresh: Option<super::refresh_round::RefreshRound>,
    pub(crate) now: Timestamp,
    pub(crate) running: bool,
    /// The changed notice whose diff the user has on screen; marked seen when the cursor leaves it.
    pub(crate) viewing_changes: Option<NoticeId>,
    /// Descriptions asked of the store and not yet arrived (see `description_requests.rs`).
    pub(crate) descriptions: super::description_requests::DescriptionRequests,
    /// Team mode: the server's reachability, writes in doubt, colleagues' latest changes.
    pub(crate) team: super::team_status::TeamStatus,
}

impl AppState {
    /// A state showing `records` (loaded from the store), with the given feed names, at `now`.
    pub fn new(records: Vec<NoticeRecord>, feeds: &[String], now: Timestamp) -> Self {
        let mut state = Self {
            records: super::records::Records::new(records),
            listing: super::listing::Listing::default(),
            decisions: super::decisions::Decisions::default(),
            screen: super::view::Screen::default(),
            prompts: super::prompts::Prompts::default(),
            notify_min_score: None,
            loading: false,
            awards: HashMap::new(),
            market: super::market::MarketState::default(),
            feed_logs: feeds.iter().map(|f| super::sources::FeedLog::new(f, None)).collect(),
            stale_after: super::sources::DEFAULT_STALE_AFTER,
            record_stats: super::sources::RecordStats::default(),
            status: None,
            log: super::message_log::MessageLog::default(),
            exporting: None,
            refresh: None,
            now,
            running: true,
            viewing_changes: None,
            descriptions: super::description_requests::DescriptionRequests::default(),
            team: super::team_status::TeamStatus::default(),
        };
        state.recount_sources();
        state.refresh_view();
        state
    }

    /// Restores the undo and redo stacks saved by an earlier session (batches, most recent last),
    /// and continues its batch numbering.
    pub fn with_history(mut self, history: crate::store::History) -> Self {
        self.decisions.undo = history.undo;
        self.decisions.redo = history.redo;
        self.decisions.next_batch = history.next_batch.max(1);
        self
    }

    /// The reasons `X` offers when rejecting (the config's `reject_reasons`).
    pub fn with_reject_reasons(mut self, reasons: Vec<String>) -> Self {
        self.prompts.reject_reasons = reasons;
        self
    }

    /// The reasons `X` offers.
    pub fn reject_reasons(&self) -> &[String] {
        &self.prompts.reject_reasons
    }

    /// Whether a notice is marked for a bulk action.
    pub fn is_marked(&self, id: &NoticeId) -> bool {
        self.decisions.marked.contains(id)
    }

    /// How many notices are marked.
    pub fn marked_count(&self) -> usize {
        self.decisions.marked.len()
    }

    /// The marked records, in display order.
    pub(crate) fn marked_records(&self) -> Vec<NoticeRecord> {
        self.cloned_in_display_order(
            self.decisions
                .marked
                .iter()
                .filter_map(|id| self.records.by_id.get(id).copied()),
        )
    }

    /// Clones of `indices`' records in the list's current order: what export and bulk actions see.
    pub(crate) fn cloned_in_display_order(&self, indices: impl Iterator<Item = usize>) -> Vec<NoticeRecord> {
        self.in_display_order(indices)
            .into_iter()
            .map(|i| self.records.rows[i].clone())
            .collect()
    }

    /// `indices` sorted the way the list shows them.
    pub(crate) fn in_display_order(&self, indices: impl Iterator<Item = usize>) -> Vec<usize> {
        let mut rows: Vec<usize> = indices.collect();
        rows.sort_by(|&a, &b| {
            super::view::display_order(&self.records.rows[a], &self.records.rows[b], self.listing.sort)
        });
        rows
    }

    /// False once the user has quit.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The current tab.
    pub fn view(&self) -> View {
        self.listing.view
    }

    /// The input mode.
    pub fn mode(&self) -> Mode {
        self.screen.mode
    }

    /// Whether the detail pane is shown.
    pub fn is_detail_open(&self) -> bool {
        self.screen.detail_open
    }

    /// How far the detail pane is scrolled (0 after the cursor moves to another notice).
    pub fn detail_scroll(&self) -> u16 {
        match &self.screen.detail_scroll {
            (Some(id), lines) if self.listing.selected.as_ref() == Some(id) => *lines,
            _ => 0,
        }
    }

    /// The `/` search text.
    pub fn query(&self) -> &str {
        &self.listing.query
    }

    /// The note being written, while in [`Mode::Note`].
    pub fn note_draft(&self) -> &str {
        self.prompts.note.text()
    }

    /// Where the cursor of the note being written is: (line, column) in chars from 0.
    pub fn note_cursor(&self) -> (usize, usize) {
        self.prompts.note.line_col()
    }

    /// The rows of the current view, in display order.
    pub fn visible(&self) -> &[VisibleRow] {
        &self.listing.visible
    }

    /// The record behind a visible row.
    pub fn record(&self, row: &VisibleRow) -> &NoticeRecord {
        &self.records.rows[row.index]
    }

    /// Number of notices in each tab, in [`View::ALL`] order.
    pub fn counts(&self) -> [usize; View::ALL.len()] {
        self.listing.counts
    }

    /// Number of notices in one tab.
    pub fn count(&self, view: View) -> usize {
        View::ALL
            .iter()
            .position(|v| *v == view)
            .map_or(0, |i| self.listing.counts[i])
    }

    /// The list order.
    pub fn sort(&self) -> SortKey {
        self.listing.sort
    }

    /// Position of the cursor in [`AppState::visible`].
    pub fn selected_row(&self) -> Option<usize> {
        let id = self.listing.selected.as_ref()?;
        self.listing
            .visible
            .iter()
            .position(|row| &self.records.rows[row.index].notice.id == id)
    }

    /// The record under the cursor.
    pub fn selected_record(&self) -> Option<&NoticeRecord> {
        let id = self.listing.selected.as_ref()?;
        self.records.get(id)
    }

    /// The triage a notice will have once pending writes land, and whether one is pending.
    pub fn effective_triage(&self, record: &NoticeRecord) -> (Triage, bool) {
        match self.decisions.pending.get(&record.notice.id) {
            Some(p) => (p.to, true),
            None => (record.triage, false),
        }
    }

    /// Whether some decision still waits for the store.
    pub fn has_pending(&self) -> bool {
        !self.decisions.pending.is_empty()
    }

    /// Shows the stored awards on the competition notices they are linked to (the detail pane)
    /// and counts every one of them on the Market screen.
    pub fn with_awards(mut self, awards: Vec<crate::model::StoredAward>) -> Self {
        self.add_awards(awards);
        self
    }

    /// The stored awards concluding the notice `id`.
    pub fn awards_for(&self, id: &NoticeId) -> &[crate::model::StoredAward] {
        self.awards.get(id).map_or(&[], Vec::as_slice)
    }

    /// Feeds and what they are doing, in config order: read off each feed's log, the one record
    /// of what it did.
    pub fn sources(&self) -> Vec<(String, SourceStatus)> {
        self.feed_logs
            .iter()
            .map(|log| (log.name.clone(), log.status()))
            .collect()
    }

    /// The transient status message.
    pub fn status(&self) -> Option<&StatusMessage> {
        self.status.as_ref()
    }

    /// The core's idea of now (from the last clock tick).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Shortlisted records (confirmed), in the list's current order.
    pub fn shortlisted(&self) -> Vec<NoticeRecord> {
        self.cloned_in_display_order(
            (0..self.records.rows.len()).filter(|&i| self.records.rows[i].triage == Triage::Shortlisted),
        )
    }
}
