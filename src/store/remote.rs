//! What a shared store (team mode) reports that no command asked for: a colleague's committed
//! change, and whether the server can be reached. The SQLite store never sends these.

use jiff::Timestamp;

use crate::model::{NoticeId, Triage};

/// A colleague's change to one notice, read from the shared log after their COMMIT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteChange {
    /// Which notice.
    pub id: NoticeId,
    /// Who made it (their display name, else their database role).
    pub by: String,
    /// When it was committed.
    pub at: Timestamp,
    /// The field and its value now.
    pub field: RemoteField,
}

/// One shared field of a notice as a colleague left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteField {
    /// The stage.
    Triage(Triage),
    /// The whole tag list after their change (adds and removals are merged on the server).
    Tags(Vec<String>),
    /// Why it was rejected.
    RejectReason(Option<String>),
    /// The comment thread after a new comment, as the note pane shows it.
    Comments(String),
    /// Who owns the bid now (display name).
    Assignee(Option<String>),
}

impl RemoteChange {
    /// What happened, in words for the status line ("Kari rejected it").
    pub fn in_words(&self) -> String {
        let by = &self.by;
        match &self.field {
            RemoteField::Triage(Triage::New) => format!("{by} put it back to new"),
            RemoteField::Triage(stage) => format!("{by} set it to {}", stage.as_str()),
            RemoteField::Tags(tags) if tags.is_empty() => format!("{by} removed its tags"),
            RemoteField::Tags(tags) => format!("{by} tagged it {}", tags.join(" ")),
            RemoteField::RejectReason(Some(reason)) => format!("{by} gave the reject reason {reason:?}"),
            RemoteField::RejectReason(None) => format!("{by} cleared the reject reason"),
            RemoteField::Comments(_) => format!("{by} commented"),
            RemoteField::Assignee(Some(who)) if *who == self.by => format!("{by} took it"),
            RemoteField::Assignee(Some(who)) => format!("{by} assigned it to {who}"),
            RemoteField::Assignee(None) => format!("{by} unassigned it"),
        }
    }
}

/// Whether the shared database can be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Unreachable since `since`: the dashboard shows the last data read and saves nothing.
    Offline {
        /// When the first failure was seen.
        since: Timestamp,
        /// The driver's message.
        why: String,
    },
    /// Reachable again; whatever colleagues did meanwhile has been read.
    Online,
}
