//! What the list shows: its tabs, their order, the key mode and the rows on screen. A leaf: plain
//! values over the model, used by the state and the screens alike.

use std::cmp::Ordering;

use jiff::Timestamp;

use crate::model::{NoticeRecord, Triage};

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
            View::Changed => !record.changes().is_empty(),
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

/// What the screen shows besides the list: the mode (which prompt or screen is up), the detail
/// pane, and where the help and the detail are scrolled.
#[derive(Debug)]
pub(crate) struct Screen {
    pub(crate) mode: Mode,
    pub(crate) detail_open: bool,
    /// Lines the detail pane is scrolled down, for the notice it was scrolled on.
    pub(crate) detail_scroll: (Option<crate::model::NoticeId>, u16),
    pub(crate) help_scroll: u16,
    /// Rows the list had on screen at the last frame (page keys move by it).
    pub(crate) list_rows: u16,
}

impl Default for Screen {
    fn default() -> Self {
        Screen {
            mode: Mode::List,
            detail_open: false,
            detail_scroll: (None, 0),
            help_scroll: 0,
            list_rows: 10,
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
    /// The Market screen (`m`, or `b` for a buyer's history) is open.
    Market,
}

/// One row of the current view, with the search's matched character positions in its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibleRow {
    /// Index into the state's records (`AppState::records`).
    pub index: usize,
    /// Char positions in the title that the search matched (empty without a search).
    pub positions: Vec<usize>,
}

/// The order of `key`, then score, then the nearest deadline, then id, so equal keys stay stable.
pub(crate) fn display_order(a: &NoticeRecord, b: &NoticeRecord, key: SortKey) -> Ordering {
    let (x, y) = (&a.notice, &b.notice);
    let primary = match key {
        SortKey::Score => Ordering::Equal,
        SortKey::Deadline => none_last(x.deadline, y.deadline),
        SortKey::Published => y.published.cmp(&x.published),
        // Largest first, unknown values last.
        SortKey::Value => match (x.value, y.value) {
            (Some(p), Some(q)) => q.total_cmp(&p),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        SortKey::Buyer => x.buyer.to_lowercase().cmp(&y.buyer.to_lowercase()),
    };
    primary
        .then_with(|| b.relevance.score.cmp(&a.relevance.score))
        .then_with(|| none_last(x.deadline, y.deadline))
        .then_with(|| x.id.cmp(&y.id))
}

/// Ascending, with missing values after every present one.
fn none_last<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
