//! Messages into the core (`Msg`, `Action`) and work out of it (`Effect`).
//!
//! Actions are imperative user intents, events from outside are past-tense facts, effects are
//! commands for the runtime.

use std::path::PathBuf;

use jiff::Timestamp;
use serde::Deserialize;

use crate::feeds::{FeedEvent, Scored};
use crate::model::{DecisionKind, NoticeRecord, TriageChange};
use crate::store::StoreEvent;

/// Everything the core reacts to.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A user intent resolved from a key or mouse event.
    Action(Action),
    /// Typing into the search field.
    Edit(TextEdit),
    /// From the poller.
    Feed(FeedEvent),
    /// Confirmations and failures from the store thread.
    Store(StoreEvent),
    /// An export finished: the file and row count, or why it failed.
    ExportFinished(Result<(PathBuf, usize), String>),
    /// The only source of "now" for the core.
    ClockTicked(Timestamp),
    /// The answer to a confirmation question (y / n).
    Confirmed(bool),
    /// A key in the suggested-exclusions panel.
    Suggestion(SuggestionKey),
    /// Notices re-scored in the background after the profiles changed (already saved); `done` on
    /// the last message, with how many were re-scored in all.
    Rescored {
        /// New relevance per notice.
        batch: Vec<(crate::model::NoticeId, crate::model::Relevance)>,
        /// Set on the last message: the total re-scored, or why it stopped.
        done: Option<Result<usize, String>>,
    },
    /// The reason picked in the `X` popup.
    ReasonPicked(ReasonPick),
    /// A side task of the runtime finished (browser opened, link copied): what to tell the user.
    ShellDone(Result<String, String>),
    /// The user clicked a row of the list (index into the visible rows).
    ClickRow(usize),
    /// The user clicked a tab.
    ClickView(super::view::View),
    /// A digit on the Market screen picked a section.
    MarketSection(super::market::MarketSection),
    /// The number of list rows on screen changed (for page up/down).
    ViewportChanged {
        /// Visible table rows.
        list_rows: u16,
    },
}

/// A user intent. Config names are the snake_case variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave anbud.
    Quit,
    /// Move the cursor down.
    SelectNext,
    /// Move the cursor up.
    SelectPrevious,
    /// Move a screen down.
    PageDown,
    /// Move a screen up.
    PageUp,
    /// Jump to the first row.
    SelectFirst,
    /// Jump to the last row.
    SelectLast,
    /// Show or hide the detail pane.
    ToggleDetail,
    /// Scroll the detail pane down a line.
    ScrollDetailDown,
    /// Scroll the detail pane up a line.
    ScrollDetailUp,
    /// Close the detail pane, help, or clear the search.
    Back,
    /// Shortlist the selected notice (again: back to undecided).
    Shortlist,
    /// Reject the selected notice (again: back to undecided).
    Reject,
    /// Write or edit the selected notice's note.
    EditNote,
    /// Tag the selected notice, or add tags to the marked ones.
    EditTags,
    /// Reject with a reason picked from a short list.
    RejectWithReason,
    /// Team mode: take the selected notice (again: give it up).
    Assign,
    /// Show exclusions suggested by repeated reject reasons.
    ShowSuggestions,
    /// Move the selected notice to the next pipeline stage.
    NextStage,
    /// Move the selected notice back one stage.
    PreviousStage,
    /// Record that a bid was lost.
    MarkLost,
    /// Mark or unmark the selected notice for a bulk action, and move down.
    ToggleMark,
    /// Mark every notice in the tab (again: clear the marks).
    MarkAll,
    /// Undo the last confirmed decision.
    Undo,
    /// Re-apply the last undone decision.
    Redo,
    /// Start typing a search.
    StartSearch,
    /// Next tab.
    NextView,
    /// Previous tab.
    PreviousView,
    /// Poll every feed now.
    RefreshAll,
    /// Write the shortlist to a CSV file.
    ExportShortlist,
    /// Show or hide the key help.
    ToggleHelp,
    /// Show or hide the sources panel: each feed's health, last error with the fix, staleness.
    ToggleSources,
    /// Show or hide the message log: every status message of the session with its time.
    ToggleMessages,
    /// Next sort order: score, deadline, published, value, buyer.
    CycleSort,
    /// Open the notice's web page in the browser.
    OpenInBrowser,
    /// Show or hide the Market screen: awards in your space, incumbents, expiring contracts, your record.
    ToggleMarket,
    /// The selected notice's buyer: its awards (who won, value, when, ends) and its notices.
    BuyerHistory,
    /// Copy the notice's link to the clipboard (OSC 52, so it works over ssh).
    CopyLink,
}

impl Action {
    /// Whether it moves the list's cursor; in the help and the message log it scrolls them instead.
    pub fn moves_cursor(self) -> bool {
        matches!(
            self,
            Action::SelectNext
                | Action::SelectPrevious
                | Action::PageDown
                | Action::PageUp
                | Action::SelectFirst
                | Action::SelectLast
        )
    }
}

/// An answer in the reject-reason popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonPick {
    /// The n-th configured reason (from 0).
    Reason(usize),
    /// Reject without giving a reason.
    NoReason,
    /// Close the popup; nothing is rejected.
    Cancel,
}

/// An edit of the search text, the note or the tags being written. Config names (in
/// `[keys.search]`, `[keys.note]`, `[keys.tags]`) are the snake_case variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEdit {
    /// Type a character.
    #[serde(skip)]
    Insert(char),
    /// Start a new line (notes only).
    Newline,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor (notes).
    Delete,
    /// Cursor one character left (notes).
    Left,
    /// Cursor one character right (notes).
    Right,
    /// Cursor to the start of the line (notes).
    Home,
    /// Cursor to the end of the line (notes).
    End,
    /// Cursor to the start of the word before it (notes).
    WordLeft,
    /// Cursor to the end of the word after it (notes).
    WordRight,
    /// Cursor one line up, same column (notes).
    Up,
    /// Cursor one line down, same column (notes).
    Down,
    /// Complete the word being typed (tags: from the tags already in use; Tab again cycles).
    Complete,
    /// Search: keep the filter. Note: save it. Both return to the list.
    Submit,
    /// Search: clear the filter. Note: discard the edit. Both return to the list.
    Cancel,
}

/// Work the runtime performs for the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Poll every feed now.
    RefreshAll,
    /// Persist a triage change; the store answers with `TriageSaved` / `TriageNotSaved`.
    SaveTriage {
        /// The change.
        change: TriageChange,
        /// New decision, undo or redo (logged, so the stacks survive a restart).
        kind: DecisionKind,
        /// The key press it belongs to: a mass action is one batch, undone as one.
        batch: i64,
    },
    /// Record that the user has seen a notice's changes.
    MarkSeen(crate::model::NoticeId),
    /// Persist a note; the store answers with `NoteSaved` / `NoteNotSaved`.
    SaveNote {
        /// Which notice.
        id: crate::model::NoticeId,
        /// The whole note.
        note: String,
    },
    /// Append an accepted suggested exclusion to the profile's file.
    AcceptExclusion {
        /// The profile's name (its file is known to the runtime).
        profile: String,
        /// The folded term.
        term: String,
        /// Its weight (subtracted).
        weight: i32,
    },
    /// Show a desktop notification (only when `[notify]` is on).
    Notify {
        /// The headline.
        summary: String,
        /// The best new notice: title and buyer.
        body: String,
    },
    /// Team mode: assign a notice to the connected member or to nobody; the store answers with
    /// `AssigneeSaved` / `AssigneeConflict` / `AnnotationNotSaved`.
    SaveAssignee {
        /// Which notice.
        id: crate::model::NoticeId,
        /// The assignee the user saw.
        from: Option<String>,
        /// Take it (else: give it up).
        to_me: bool,
    },
    /// Persist tags; the store answers with `TagsSaved` / `AnnotationNotSaved`.
    SaveTags(Vec<crate::model::TagEdit>),
    /// Persist why notices were rejected; the store answers with `RejectReasonSaved` / `AnnotationNotSaved`.
    SaveRejectReason {
        /// Which notices.
        ids: Vec<crate::model::NoticeId>,
        /// The reason picked.
        reason: Option<String>,
        /// Each notice's reason when the user picked (in `ids` order): a shared store writes only
        /// where it is still that, so a colleague's reason is never overwritten unseen.
        before: Vec<Option<String>>,
    },
    /// Persist fetched notices.
    SaveFetch {
        /// Feed name.
        feed: String,
        /// The scored notices.
        items: Vec<Scored>,
        /// When they were fetched.
        at: Timestamp,
        /// The feed's sync state after this fetch, saved in the same transaction as `items`.
        state: crate::model::FeedState,
    },
    /// Persist the awards a poll found, after its notices; the store answers with `AwardsSaved` /
    /// `AwardsNotSaved`.
    SaveAwards {
        /// Feed name.
        feed: String,
        /// Award rows and competition keys.
        found: crate::feeds::awards::FoundAwards,
        /// When they were fetched.
        at: Timestamp,
    },
    /// Read the full notices of these award notices for the value their search hits lack (Doffin's
    /// XML); the rows come back as a poll's awards.
    FetchAwardValues(Vec<crate::model::NoticeId>),
    /// Write these records to a CSV file in the export directory.
    Export(Vec<NoticeRecord>),
    /// Read these notices' descriptions, left in the store to save memory; the store answers
    /// with `DescriptionsLoaded`.
    LoadDescriptions(Vec<crate::model::NoticeId>),
    /// Open a web page (only `http(s)` links reach this).
    OpenUrl(String),
    /// Put text on the clipboard.
    CopyText(String),
}

/// A key in the suggestions panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionKey {
    /// Cursor down.
    Next,
    /// Cursor up.
    Previous,
    /// Add the selected exclusion to the profile file.
    Accept,
    /// Close the panel.
    Close,
}
