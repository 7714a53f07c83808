//! The core's effects that the store carries out, as the store commands that carry them out, and
//! what the core hears if the store thread cannot take one. One mapping, used by the runtime's
//! [`super::Io`] and by tests that drive the core against a real store.

use jiff::Timestamp;

use crate::app::Effect;
use crate::model::{NoticeId, TriageChange};
use crate::store::{StoreCommand, StoreEvent};

/// The store command for `effect`, stamped `at`; the effect back when the store does not carry
/// it out (a refresh, a notification, an export, …).
///
/// # Errors
/// `Err(effect)` for an effect that is not the store's.
#[allow(
    clippy::result_large_err,
    reason = "the effect goes straight back to the caller's match; boxing it would allocate for every effect"
)]
pub fn store_command(effect: Effect, at: Timestamp) -> Result<StoreCommand, Effect> {
    Ok(match effect {
        Effect::SaveTriage { change, kind, batch } => StoreCommand::SaveTriage {
            change,
            kind,
            batch,
            at,
        },
        Effect::LoadDescriptions(ids) => StoreCommand::LoadDescriptions(ids),
        Effect::MarkSeen(id) => StoreCommand::MarkSeen { id },
        Effect::SaveNote { id, note } => StoreCommand::SaveNote { id, note, at },
        Effect::SaveAssignee { id, from, to_me } => StoreCommand::SaveAssignee { id, from, to_me, at },
        Effect::SaveTags(edits) => StoreCommand::SaveTags { edits, at },
        Effect::SaveRejectReason { ids, reason, before } => StoreCommand::SaveRejectReason {
            ids,
            reason,
            before,
            at,
        },
        Effect::SaveFetch { feed, items, at, state } => StoreCommand::SaveFetch { feed, items, at, state },
        Effect::SaveAwards { feed, found, at } => StoreCommand::SaveAwards {
            feed,
            awards: found.awards,
            keys: found.keys,
            at,
        },
        other => return Err(other),
    })
}

/// What the core is told when a command never reached the store thread (it has stopped): taken
/// from the command before it is sent, so the command itself need not be cloned.
#[derive(Debug)]
pub enum NotSent {
    /// A decision: it keeps its old value.
    Triage(TriageChange),
    /// A note.
    Note(NoticeId),
    /// Tags, a reject reason or an assignee.
    Annotation(&'static str),
    /// Descriptions asked for.
    Descriptions,
    /// A poll's notices; the poller is told too.
    Fetch(String),
    /// A poll's awards.
    Awards(String),
    /// Nothing to tell (a seen mark shows again after a restart; loads and re-scores are sent
    /// by the runtime itself, which reports them).
    Nothing,
}

impl NotSent {
    /// What `cmd` failing to reach the store means to the core.
    pub fn of(cmd: &StoreCommand) -> NotSent {
        match cmd {
            StoreCommand::SaveTriage { change, .. } => NotSent::Triage(change.clone()),
            StoreCommand::SaveNote { id, .. } => NotSent::Note(id.clone()),
            StoreCommand::SaveTags { .. } => NotSent::Annotation("tags"),
            StoreCommand::SaveRejectReason { .. } => NotSent::Annotation("reject reason"),
            StoreCommand::SaveAssignee { .. } => NotSent::Annotation("assignee"),
            StoreCommand::LoadDescriptions(_) => NotSent::Descriptions,
            StoreCommand::SaveFetch { feed, .. } => NotSent::Fetch(feed.clone()),
            StoreCommand::SaveAwards { feed, .. } => NotSent::Awards(feed.clone()),
            StoreCommand::MarkSeen { .. } | StoreCommand::LoadAll | StoreCommand::Rescore { .. } => NotSent::Nothing,
        }
    }

    /// The store event saying so, with `error`.
    pub fn event(self, error: String) -> Option<StoreEvent> {
        Some(match self {
            NotSent::Triage(change) => StoreEvent::TriageNotSaved { change, error },
            NotSent::Note(id) => StoreEvent::NoteNotSaved { id, error },
            NotSent::Annotation(what) => StoreEvent::AnnotationNotSaved { what, error },
            NotSent::Descriptions => StoreEvent::DescriptionsLoaded(Err(error)),
            NotSent::Fetch(feed) => StoreEvent::FetchNotSaved { feed, error },
            NotSent::Awards(feed) => StoreEvent::AwardsNotSaved { feed, error },
            NotSent::Nothing => return None,
        })
    }
}
