//! The message log's data (`M`): every status message with its time, capped; and the wording of
//! messages whose meaning depends on what was asked. A leaf.

use std::collections::VecDeque;

use jiff::Timestamp;

use super::status::StatusMessage;
use super::view::View;
use crate::model::plural::{count, notices};
use crate::model::{DecisionKind, Triage, TriageChange};

/// How many messages the log keeps (the oldest go first).
const LOG_CAPACITY: usize = 500;

/// Every status message of the session, newest first, and how far the log is scrolled.
#[derive(Debug, Default)]
pub struct MessageLog {
    entries: VecDeque<(Timestamp, StatusMessage)>,
    pub(crate) scroll: usize,
}

impl MessageLog {
    /// Files a message shown at `at`.
    pub(crate) fn push(&mut self, at: Timestamp, message: StatusMessage) {
        self.entries.push_front((at, message));
        self.entries.truncate(LOG_CAPACITY);
    }

    /// The messages, newest first.
    pub fn entries(&self) -> impl Iterator<Item = &(Timestamp, StatusMessage)> {
        self.entries.iter()
    }

    /// How many messages the log holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no message was shown yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Index of the first message on screen.
    pub fn scroll(&self) -> usize {
        self.scroll
    }
}

/// What `e` is exporting, so the answer can say so: the shortlist, or marked notices of a tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExportKind {
    Shortlist,
    /// Marked notices; the tab they were marked in.
    Marked(View),
}

impl ExportKind {
    /// "12 shortlisted notices", "1 marked notice (Inbox)".
    pub(crate) fn describe(self, n: usize) -> String {
        match self {
            ExportKind::Shortlist => count(n, "shortlisted notice", "shortlisted notices"),
            ExportKind::Marked(view) => format!("{} ({})", count(n, "marked notice", "marked notices"), view.label()),
        }
    }
}

/// A stage as the status line says it ("undecided" rather than the stored "new").
fn stage(triage: Triage) -> &'static str {
    match triage {
        Triage::New => "undecided",
        other => other.as_str(),
    }
}

/// The line after a decision, an undo or a redo landed: what happened and where the notices are
/// now. `title` is the notice's (shortened) title when there is one notice.
pub(crate) fn decision_summary(kind: DecisionKind, saved: &[TriageChange], title: Option<&str>) -> String {
    let same_target = saved
        .first()
        .map(|first| first.to)
        .filter(|to| saved.iter().all(|c| c.to == *to));
    let what = match (kind, saved) {
        (DecisionKind::Do, [one]) => format!("Saved: {}", stage(one.to)),
        (DecisionKind::Undo, [one]) => format!("Undone: back to {} (was {})", stage(one.to), stage(one.from)),
        (DecisionKind::Redo, [one]) => format!("Redone: {} again (was {})", stage(one.to), stage(one.from)),
        (DecisionKind::Do, many) => format!("Saved: {}", notices(many.len())),
        (DecisionKind::Undo, many) => match same_target {
            Some(to) => format!("Undone: {} back to {}", notices(many.len()), stage(to)),
            None => format!("Undone: {} back to where they were", notices(many.len())),
        },
        (DecisionKind::Redo, many) => match same_target {
            Some(to) => format!("Redone: {} {} again", notices(many.len()), stage(to)),
            None => format!("Redone: {}", notices(many.len())),
        },
    };
    match title {
        Some(title) if saved.len() == 1 && !title.is_empty() => format!("{what} — {title}"),
        _ => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NoticeId;

    fn change(from: Triage, to: Triage) -> TriageChange {
        TriageChange {
            id: NoticeId::new("ted", "1"),
            from,
            to,
        }
    }

    #[test]
    fn undo_and_redo_of_many_name_the_count_and_the_common_stage() {
        let back = [
            change(Triage::Rejected, Triage::New),
            change(Triage::Rejected, Triage::New),
        ];
        assert_eq!(
            decision_summary(DecisionKind::Undo, &back, None),
            "Undone: 2 notices back to undecided"
        );
        let mixed = [
            change(Triage::Rejected, Triage::New),
            change(Triage::Bidding, Triage::Shortlisted),
        ];
        assert_eq!(
            decision_summary(DecisionKind::Undo, &mixed, None),
            "Undone: 2 notices back to where they were"
        );
        assert_eq!(
            decision_summary(DecisionKind::Redo, &back[..1], Some("EPJ")),
            "Redone: undecided again (was rejected) — EPJ"
        );
    }

    #[test]
    fn exports_say_what_they_held() {
        assert_eq!(ExportKind::Shortlist.describe(1), "1 shortlisted notice");
        assert_eq!(
            ExportKind::Marked(View::Rejected).describe(3),
            "3 marked notices (Rejected)"
        );
    }
}
