//! The decisions sub-state: what waits for the store, what can be undone and redone, which notices
//! are marked, which decided rows stay in place, and the mass action awaiting a yes. Owned by
//! `AppState::decisions`, written by `triage.rs` (and `annotate.rs` for marks and confirmations).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::msg::Effect;
use crate::model::{DecisionKind, NoticeId, Triage, TriageChange};

/// Decisions in every state between a key press and the disk.
#[derive(Debug)]
pub(crate) struct Decisions {
    /// Changes sent to the store and not confirmed yet, per notice.
    pub(crate) pending: HashMap<NoticeId, Pending>,
    /// Confirmed batches, most recent last.
    pub(crate) undo: Vec<Vec<TriageChange>>,
    /// Undone batches, most recent last.
    pub(crate) redo: Vec<Vec<TriageChange>>,
    /// The number the next key press's batch gets.
    pub(crate) next_batch: i64,
    /// Batches sent and not yet fully answered.
    pub(crate) in_flight: InFlightMap,
    /// The marked notices (Space, `V`).
    pub(crate) marked: BTreeSet<NoticeId>,
    /// Decided notices kept on screen in the tab they were decided in until the cursor, the tab
    /// or the search moves on, so `s` / `x` pressed again toggle them back (see `triage.rs`).
    pub(crate) lingering: HashSet<NoticeId>,
    /// A mass action waiting for y / n.
    pub(crate) confirm: Option<AwaitingConfirm>,
}

impl Default for Decisions {
    fn default() -> Self {
        Self {
            pending: HashMap::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            next_batch: 1,
            in_flight: HashMap::new(),
            marked: BTreeSet::new(),
            lingering: HashSet::new(),
            confirm: None,
        }
    }
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

/// A batch sent to the store and not yet fully answered.
#[derive(Debug, Clone)]
pub(crate) struct InFlight {
    pub(crate) kind: DecisionKind,
    pub(crate) remaining: usize,
    pub(crate) saved: Vec<TriageChange>,
    pub(crate) failed: Vec<TriageChange>,
}

/// A mass action waiting for the user's yes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AwaitingConfirm {
    pub(crate) changes: Vec<TriageChange>,
    pub(crate) question: String,
    /// Sent with the changes once confirmed (e.g. the reason of a mass reject).
    pub(crate) then: Vec<Effect>,
}

/// Batches of decisions in flight, by batch number.
pub(crate) type InFlightMap = HashMap<i64, InFlight>;
