//! `AppState`: everything the screen shows, owned and written only by `update`.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::model::{DecisionKind, NoticeId, NoticeRecord, Triage, TriageChange};

/// The tabs of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Matched, undecided and still open.
    Inbox,
    /// Open, deadline within seven days, matched or already followed (rejected and outcomes excluded).
    ClosingSoon,
    /// Shortlisted.
    Shortlist,
    /// Bids in progress: bidding or submitted.
    Pipeline,
    /// Bids decided: won or lost.
    Outcomes,
    /// Content changed by a re-fetch (deadline moved, title corrected) since you last looked.
    Changed,
    /// Rejected.
    Rejected,
    /// Every stored notice, matched or not.
    All,
}

/// How far ahead "closing soon" looks.
pub(crate) const CLOSING_SOON_SECS: i64 = 7 * 86_400;

impl View {
    /// Tab order.
    pub const ALL: [View; 8] = [
        View::Inbox,
        View::ClosingSoon,
        View::Shortlist,
        View::Pipeline,
        View::Outcomes,
        View::Changed,
        View::Rejected,
        View::All,
    ];

    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            View::Inbox => "Inbox",
            View::ClosingSoon => "Closing soon",
            View::Shortlist => "Shortlist",
            View::Pipeline => "Pipeline",
            View::Outcomes => "Outcomes",
            View::Changed => "Changed",
            View::Rejected => "Rejected",
            View::All => "All",
        }
    }

    /// A short label for narrow terminals.
    pub fn short_label(self) -> &'static str {
        match self {
            View::Inbox => "In",
            View::ClosingSoon => "Soon",
            View::Shortlist => "Short",
            View::Pipeline => "Pipe",
            View::Outcomes => "Out",
            View::Changed => "Chg",
            View::Rejected => "Rej",
            View::All => "All",
        }
    }

    /// Whether a notice belongs in the view, given its (effective) triage and the time.
    ///
    /// Expired notices leave the Inbox by themselves but keep their decision and history.
    pub fn contains(self, record: &NoticeRecord, triage: Triage, now: Timestamp) -> bool {
        let deadline = record.notice.deadline;
        let open = deadline.is_none_or(|d| d > now);
        match self {
            View::Inbox => record.relevance.matched && triage == Triage::New && open,
            View::ClosingSoon => {
                let soon = deadline.is_some_and(|d| d > now && d.as_second() - now.as_second() <= CLOSING_SOON_SECS);
                let followed = record.relevance.matched || triage != Triage::New;
                soon && followed && !matches!(triage, Triage::Rejected | Triage::Won | Triage::Lost)
            }
            View::Shortlist => triage == Triage::Shortlisted,
            View::Pipeline => triage.is_in_pipeline(),
            View::Outcomes => matches!(triage, Triage::Won | Triage::Lost),
            View::Changed => !record.changes.is_empty(),
            View::Rejected => triage == Triage::Rejected,
            View::All => true,
        }
    }
}

/// The order of the list; `S` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    /// Best score first, then nearest deadline.
    #[default]
    Score,
    /// Nearest deadline first (none last), then score.
    Deadline,
    /// Newest first.
    Published,
    /// Largest estimated value first (none last).
    Value,
    /// Buyer name A–Å.
    Buyer,
}

impl SortKey {
    /// The next key in the cycle.
    pub fn next(self) -> Self {
        match self {
            SortKey::Score => SortKey::Deadline,
            SortKey::Deadline => SortKey::Published,
            SortKey::Published => SortKey::Value,
            SortKey::Value => SortKey::Buyer,
            SortKey::Buyer => SortKey::Score,
        }
    }

    /// Shown in the tab line.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Score => "score",
            SortKey::Deadline => "deadline",
            SortKey::Published => "published",
            SortKey::Value => "value",
            SortKey::Buyer => "buyer",
        }
    }
}

/// What keys currently do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Browsing the list (with or without the detail pane).
    List,
    /// Typing into the `/` search.
    Search,
    /// The help overlay is open.
    Help,
    /// Writing the note of the selected notice.
    Note,
    /// A mass action waits for y / n.
    Confirm,
    /// Typing the tags of the selected or marked notices (`t`).
    Tag,
    /// Picking why the selected or marked notices are rejected (`X`).
    Reason,
    /// The suggested exclusions (`E`).
    Suggestions,
    /// The sources panel (`F`) is open.
    Sources,
    /// The message log (`M`) is open.
    Messages,
}

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

/// Severity of a status message (drives its colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    /// Something happened as asked.
    Info,
    /// Something went wrong and the user should know.
    Error,
}

/// A transient message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// The text.
    pub text: String,
    /// How loud.
    pub level: StatusLevel,
}

/// A triage change waiting for the store's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pending {
    pub(crate) to: Triage,
    /// Decides which stack the change lands on once confirmed.
    pub(crate) kind: DecisionKind,
    /// The key press it belongs to.
    pub(crate) batch: i64,
}

/// One row of the current view, with the search's matched character positions in its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibleRow {
    /// Index into [`AppState::records`].
    pub index: usize,
    /// Char positions in the title that the search matched (empty without a search).
    pub positions: Vec<usize>,
}

/// The whole state of the dashboard.
#[derive(Debug)]
pub struct AppState {
    pub(crate) records: Vec<NoticeRecord>,
    pub(crate) by_id: HashMap<NoticeId, usize>,
    pub(crate) pending: HashMap<NoticeId, Pending>,
    pub(crate) undo: Vec<Vec<TriageChange>>,
    pub(crate) redo: Vec<Vec<TriageChange>>,
    pub(crate) next_batch: i64,
    pub(crate) in_flight: super::triage::InFlightMap,
    pub(crate) marked: std::collections::BTreeSet<NoticeId>,
    /// Decided notices kept on screen in the tab they were decided in until the cursor, the tab
    /// or the search moves on, so `s` / `x` pressed again toggle them back (see `triage.rs`).
    pub(crate) lingering: std::collections::HashSet<NoticeId>,
    pub(crate) confirm: Option<super::triage::AwaitingConfirm>,
    /// The current tab's records in display order, before the `/` search.
    pub(crate) members: Vec<usize>,
    pub(crate) search_index: Option<crate::matching::search::FuzzyIndex>,
    /// Which tabs each notice is in, and the search's hits per tab (see `search.rs`).
    pub(crate) search: super::search::SearchTally,
    pub(crate) visible: Vec<VisibleRow>,
    pub(crate) counts: [usize; View::ALL.len()],
    pub(crate) sort: SortKey,
    pub(crate) view: View,
    pub(crate) mode: Mode,
    pub(crate) detail_open: bool,
    /// Lines the detail pane is scrolled down, for the notice it was scrolled on.
    pub(crate) detail_scroll: (Option<NoticeId>, u16),
    pub(crate) query: String,
    /// The note being edited (in [`Mode::Note`]), for the notice in `note_for`.
    pub(crate) note_draft: super::note_draft::NoteDraft,
    pub(crate) note_for: Option<NoticeId>,
    /// The tag prompt: its text, the notices it applies to, whether it adds to a marked set (else it
    /// replaces one notice's tags), the known tags for completion and where Tab completion is.
    pub(crate) tags: super::annotate::TagPrompt,
    /// The reasons offered when rejecting with `X` (from the config).
    pub(crate) reject_reasons: Vec<String>,
    /// Desktop notifications for new notices scoring at least this; `None`: off.
    pub(crate) notify_min_score: Option<i32>,
    /// Whether the rest of the stored notices is still being read (see `loading.rs`).
    pub(crate) loading: bool,
    /// The next moment the passing of time moves a notice between tabs (a deadline passes, or
    /// comes within a week); the minute tick re-sorts the tabs only once it is reached.
    pub(crate) next_time_boundary: Option<Timestamp>,
    /// The profile exclusions are suggested for, and whether it has a file to write them to.
    pub(crate) suggest_profile: Option<(crate::matching::Profile, bool)>,
    pub(crate) suggestions: super::suggestions::SuggestionsPanel,
    pub(crate) selected: Option<NoticeId>,
    /// What each feed did this session, for the sources panel (see `super::sources`).
    pub(crate) feed_logs: Vec<super::sources::FeedLog>,
    pub(crate) stale_after: std::time::Duration,
    /// Stored records per source, for the sources panel (recounted when records arrive).
    pub(crate) record_stats: super::sources::RecordStats,
    pub(crate) status: Option<StatusMessage>,
    /// Every status message of the session (`M`), and what an export in progress holds.
    pub(crate) log: super::messages::MessageLog,
    pub(crate) exporting: Option<super::messages::ExportKind>,
    pub(crate) help_scroll: u16,
    /// The refresh round `r` started, until every feed has answered.
    pub(crate) refresh: Option<super::refresh::RefreshRound>,
    pub(crate) now: Timestamp,
    pub(crate) list_rows: u16,
    pub(crate) running: bool,
    /// The changed notice whose diff the user has on screen; marked seen when the cursor leaves it.
    pub(crate) viewing_changes: Option<NoticeId>,
    /// Notices whose description was asked of the store and has not arrived (see `descriptions.rs`).
    pub(crate) descriptions_asked: std::collections::HashSet<NoticeId>,
    /// `E` waits for the descriptions of the decided notices before it suggests.
    pub(crate) suggestions_waiting: bool,
}

impl AppState {
    /// A state showing `records` (loaded from the store), with the given feed names, at `now`.
    pub fn new(records: Vec<NoticeRecord>, feeds: &[String], now: Timestamp) -> Self {
        let mut state = Self {
            records: Vec::new(),
            by_id: HashMap::new(),
            pending: HashMap::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            next_batch: 1,
            in_flight: super::triage::InFlightMap::new(),
            marked: std::collections::BTreeSet::new(),
            lingering: std::collections::HashSet::new(),
            confirm: None,
            members: Vec::new(),
            search_index: None,
            search: super::search::SearchTally::default(),
            visible: Vec::new(),
            counts: [0; View::ALL.len()],
            sort: SortKey::default(),
            view: View::Inbox,
            mode: Mode::List,
            detail_open: false,
            detail_scroll: (None, 0),
            query: String::new(),
            note_draft: super::note_draft::NoteDraft::default(),
            note_for: None,
            tags: super::annotate::TagPrompt::default(),
            reject_reasons: Vec::new(),
            notify_min_score: None,
            loading: false,
            next_time_boundary: None,
            suggest_profile: None,
            suggestions: super::suggestions::SuggestionsPanel::default(),
            selected: None,
            feed_logs: feeds.iter().map(|f| super::sources::FeedLog::new(f, None)).collect(),
            stale_after: super::sources::DEFAULT_STALE_AFTER,
            record_stats: super::sources::RecordStats::default(),
            status: None,
            log: super::messages::MessageLog::default(),
            exporting: None,
            help_scroll: 0,
            refresh: None,
            now,
            list_rows: 10,
            running: true,
            viewing_changes: None,
            descriptions_asked: std::collections::HashSet::new(),
            suggestions_waiting: false,
        };
        // The given Vec is kept as it is: copying 100,000 records into a new one held both.
        state.by_id.reserve(records.len());
        for (i, record) in records.iter().enumerate() {
            state.by_id.insert(record.notice.id.clone(), i);
        }
        state.records = records;
        state.recount_sources();
        state.refresh_view();
        state
    }

    /// Restores the undo and redo stacks saved by an earlier session (batches, most recent last),
    /// and continues its batch numbering.
    pub fn with_history(mut self, history: crate::store::History) -> Self {
        self.undo = history.undo;
        self.redo = history.redo;
        self.next_batch = history.next_batch.max(1);
        self
    }

    /// The reasons `X` offers when rejecting (the config's `reject_reasons`).
    pub fn with_reject_reasons(mut self, reasons: Vec<String>) -> Self {
        self.reject_reasons = reasons;
        self
    }

    /// The reasons `X` offers.
    pub fn reject_reasons(&self) -> &[String] {
        &self.reject_reasons
    }

    /// Whether a notice is marked for a bulk action.
    pub fn is_marked(&self, id: &NoticeId) -> bool {
        self.marked.contains(id)
    }

    /// How many notices are marked.
    pub fn marked_count(&self) -> usize {
        self.marked.len()
    }

    /// The marked records, in display order.
    pub(crate) fn marked_records(&self) -> Vec<NoticeRecord> {
        self.cloned_in_display_order(self.marked.iter().filter_map(|id| self.by_id.get(id).copied()))
    }

    /// Clones of `indices`' records in the list's current order: what export and bulk actions see.
    pub(crate) fn cloned_in_display_order(&self, indices: impl Iterator<Item = usize>) -> Vec<NoticeRecord> {
        self.in_display_order(indices)
            .into_iter()
            .map(|i| self.records[i].clone())
            .collect()
    }

    /// `indices` sorted the way the list shows them.
    pub(crate) fn in_display_order(&self, indices: impl Iterator<Item = usize>) -> Vec<usize> {
        let mut rows: Vec<usize> = indices.collect();
        rows.sort_by(|&a, &b| super::views::display_order(&self.records[a], &self.records[b], self.sort));
        rows
    }

    /// False once the user has quit.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The current tab.
    pub fn view(&self) -> View {
        self.view
    }

    /// The input mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether the detail pane is shown.
    pub fn is_detail_open(&self) -> bool {
        self.detail_open
    }

    /// How far the detail pane is scrolled (0 after the cursor moves to another notice).
    pub fn detail_scroll(&self) -> u16 {
        match &self.detail_scroll {
            (Some(id), lines) if self.selected.as_ref() == Some(id) => *lines,
            _ => 0,
        }
    }

    /// The `/` search text.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The note being written, while in [`Mode::Note`].
    pub fn note_draft(&self) -> &str {
        self.note_draft.text()
    }

    /// Where the cursor of the note being written is: (line, column) in chars from 0.
    pub fn note_cursor(&self) -> (usize, usize) {
        self.note_draft.line_col()
    }

    /// The rows of the current view, in display order.
    pub fn visible(&self) -> &[VisibleRow] {
        &self.visible
    }

    /// The record behind a visible row.
    pub fn record(&self, row: &VisibleRow) -> &NoticeRecord {
        &self.records[row.index]
    }

    /// Number of notices in each tab, in [`View::ALL`] order.
    pub fn counts(&self) -> [usize; View::ALL.len()] {
        self.counts
    }

    /// Number of notices in one tab.
    pub fn count(&self, view: View) -> usize {
        View::ALL.iter().position(|v| *v == view).map_or(0, |i| self.counts[i])
    }

    /// The list order.
    pub fn sort(&self) -> SortKey {
        self.sort
    }

    /// Position of the cursor in [`AppState::visible`].
    pub fn selected_row(&self) -> Option<usize> {
        let id = self.selected.as_ref()?;
        self.visible
            .iter()
            .position(|row| &self.records[row.index].notice.id == id)
    }

    /// The record under the cursor.
    pub fn selected_record(&self) -> Option<&NoticeRecord> {
        let id = self.selected.as_ref()?;
        self.by_id.get(id).map(|&i| &self.records[i])
    }

    /// The triage a notice will have once pending writes land, and whether one is pending.
    pub fn effective_triage(&self, record: &NoticeRecord) -> (Triage, bool) {
        match self.pending.get(&record.notice.id) {
            Some(p) => (p.to, true),
            None => (record.triage, false),
        }
    }

    /// Whether some decision still waits for the store.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
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
        self.cloned_in_display_order((0..self.records.len()).filter(|&i| self.records[i].triage == Triage::Shortlisted))
    }
}
