//! Decisions: shortlist, reject, stages, on one notice or on the marked set; confirmation of mass
//! actions; undo and redo by batch; and the store's answers. Part of `AppState::update`.

use super::decisions::{AwaitingConfirm, InFlight, Pending};
use super::msg::Effect;
use super::state::AppState;
use super::status::{StatusLevel, StatusMessage};
use super::status::{error, info, shorten};
use super::view::Mode;
use crate::model::{DecisionKind, NoticeRecord, Triage, TriageChange};

/// A mass action touching more notices than this asks for confirmation first.
pub(crate) const CONFIRM_ABOVE: usize = 5;

impl AppState {
    /// The marked notices (in display order), or the selected one when nothing is marked.
    pub(crate) fn targets(&self) -> Vec<usize> {
        if self.decisions.marked.is_empty() {
            return self
                .listing
                .selected
                .as_ref()
                .and_then(|id| self.records.by_id.get(id).copied())
                .into_iter()
                .collect();
        }
        self.in_display_order(
            self.decisions
                .marked
                .iter()
                .filter_map(|id| self.records.by_id.get(id).copied()),
        )
    }

    /// Shortlist or reject; pressing the same decision on notices that all have it returns them to New.
    pub(crate) fn decide(&mut self, wanted: Triage) -> Vec<Effect> {
        let targets = self.targets();
        if self.refuse_while_pending(&targets) {
            return Vec::new();
        }
        let current: Vec<Triage> = targets.iter().map(|&i| self.records.rows[i].triage).collect();
        if wanted == Triage::Shortlisted {
            // `s` on a bid in progress would silently undo its stage: say how to move it instead.
            if let Some(busy) = current
                .iter()
                .find(|t| !matches!(t, Triage::New | Triage::Shortlisted | Triage::Rejected))
            {
                self.status = Some(info(format!("Already {}: < moves it back a stage", busy.as_str())));
                return Vec::new();
            }
        }
        let to = if !current.is_empty() && current.iter().all(|t| *t == wanted) {
            Triage::New
        } else {
            wanted
        };
        let changes = self.changes_to(&targets, |_| Some(to));
        self.propose(changes, to.as_str())
    }

    /// Moves the target notices along the pipeline with `step`; those without such a stage stay.
    pub(crate) fn move_stage(&mut self, step: fn(Triage) -> Option<Triage>) -> Vec<Effect> {
        let targets = self.targets();
        if self.refuse_while_pending(&targets) {
            return Vec::new();
        }
        let changes = self.changes_to(&targets, step);
        if changes.is_empty() {
            let from = targets
                .first()
                .map_or("nothing", |&i| self.records.rows[i].triage.as_str());
            self.status = Some(info(format!("No stage to move to from {from}")));
            return Vec::new();
        }
        let label = if changes.iter().all(|c| c.to == changes[0].to) {
            changes[0].to.as_str()
        } else {
            "the next stage"
        };
        self.propose(changes, label)
    }

    pub(crate) fn changes_to(&self, targets: &[usize], to: impl Fn(Triage) -> Option<Triage>) -> Vec<TriageChange> {
        targets
            .iter()
            .filter_map(|&i| {
                let record = &self.records.rows[i];
                to(record.triage).filter(|t| *t != record.triage).map(|t| TriageChange {
                    id: record.notice.id.clone(),
                    from: record.triage,
                    to: t,
                })
            })
            .collect()
    }

    pub(crate) fn refuse_while_pending(&mut self, targets: &[usize]) -> bool {
        let busy = targets
            .iter()
            .any(|&i| self.decisions.pending.contains_key(&self.records.rows[i].notice.id));
        if busy {
            self.status = Some(info("Still saving the last decision for this notice…".to_owned()));
        }
        busy
    }

    /// Sends `changes` now, or asks first when they touch more than a handful of notices.
    pub(crate) fn propose(&mut self, changes: Vec<TriageChange>, label: &str) -> Vec<Effect> {
        if changes.len() > CONFIRM_ABOVE {
            let question = format!("Move {} notices to {label}? y confirms, n cancels", changes.len());
            self.status = Some(StatusMessage {
                text: question.clone(),
                level: StatusLevel::Error,
            });
            self.decisions.confirm = Some(AwaitingConfirm {
                changes,
                question,
                then: Vec::new(),
            });
            self.screen.mode = Mode::Confirm;
            return Vec::new();
        }
        self.decisions.marked.clear();
        self.request_batch(changes, DecisionKind::Do)
    }

    /// The answer to a confirmation question.
    pub(crate) fn on_confirm(&mut self, yes: bool) -> Vec<Effect> {
        self.screen.mode = super::view::Mode::List;
        let Some(waiting) = self.decisions.confirm.take() else {
            return Vec::new();
        };
        if !yes {
            self.status = Some(info("Cancelled: nothing changed".to_owned()));
            return Vec::new();
        }
        self.decisions.marked.clear();
        let mut effects = self.request_batch(waiting.changes, DecisionKind::Do);
        effects.extend(waiting.then);
        effects
    }

    pub(crate) fn undo_last(&mut self) -> Vec<Effect> {
        let Some(batch) = self.decisions.undo.pop() else {
            self.status = Some(info("Nothing to undo".to_owned()));
            return Vec::new();
        };
        // Taken back in reverse order, so a notice changed twice in one batch ends where it began.
        self.request_batch(
            batch.iter().rev().map(TriageChange::reversed).collect(),
            DecisionKind::Undo,
        )
    }

    pub(crate) fn redo_last(&mut self) -> Vec<Effect> {
        let Some(batch) = self.decisions.redo.pop() else {
            self.status = Some(info("Nothing to redo".to_owned()));
            return Vec::new();
        };
        self.request_batch(batch, DecisionKind::Redo)
    }

    pub(crate) fn request_batch(&mut self, changes: Vec<TriageChange>, kind: DecisionKind) -> Vec<Effect> {
        if changes.is_empty() {
            return Vec::new();
        }
        let batch = self.decisions.next_batch;
        self.decisions.next_batch += 1;
        self.decisions.in_flight.insert(
            batch,
            InFlight {
                kind,
                remaining: changes.len(),
                saved: Vec::new(),
                failed: Vec::new(),
            },
        );
        let what = if changes.len() == 1 {
            changes[0].to.as_str().to_owned()
        } else {
            format!("{} notices", changes.len())
        };
        self.status = Some(info(format!("Saving: {what}…")));
        // Rows stay where they are until the store confirms: nothing is shown before it is true.
        // After that they stay too, dimmed, until the cursor moves on: the same key again then
        // toggles the decision back instead of hitting the notice that took its place.
        for change in &changes {
            let belongs = self.records.by_id.get(&change.id).is_some_and(|&i| {
                self.listing
                    .view
                    .contains(&self.records.rows[i], self.records.rows[i].triage, self.now)
            });
            if belongs {
                self.decisions.lingering.insert(change.id.clone());
            }
        }
        changes
            .into_iter()
            .map(|change| {
                self.decisions.pending.insert(
                    change.id.clone(),
                    Pending {
                        to: change.to,
                        kind,
                        batch,
                    },
                );
                Effect::SaveTriage { change, kind, batch }
            })
            .collect()
    }

    /// The store committed one change.
    pub(crate) fn on_triage_saved(&mut self, change: TriageChange) {
        self.team.unconfirmed.remove(&change.id);
        let pending = self.decisions.pending.remove(&change.id);
        // An award dated before this never overrides it (see `award_outcomes.rs`).
        self.market.decided_at.insert(change.id.clone(), self.now);
        if let Some(&i) = self.records.by_id.get(&change.id) {
            self.records.rows[i].triage = change.to;
        }
        if let Some(p) = pending {
            if let Some(flight) = self.decisions.in_flight.get_mut(&p.batch) {
                flight.saved.push(change);
            }
            self.finish_step(p.batch, None);
            self.refresh_when_done(p.batch);
        } else {
            self.refresh_view();
        }
    }

    /// Rows move once per key press, when its whole batch is answered: a mass action of k notices
    /// then costs one pass over the records, not k.
    fn refresh_when_done(&mut self, batch: i64) {
        if !self.decisions.in_flight.contains_key(&batch) {
            self.refresh_view();
        }
    }

    /// The store could not commit one change: it keeps its old value on screen.
    pub(crate) fn on_triage_not_saved(&mut self, change: TriageChange, why: String) {
        self.team.unconfirmed.remove(&change.id);
        if let Some(p) = self.decisions.pending.remove(&change.id) {
            if let Some(flight) = self.decisions.in_flight.get_mut(&p.batch) {
                flight.failed.push(change);
            }
            self.finish_step(p.batch, Some(why));
            self.refresh_when_done(p.batch);
        } else {
            self.status = Some(error(format!(
                "Decision NOT saved ({why}); it is unchanged — try again"
            )));
            self.refresh_view();
        }
    }

    /// Counts one answer for `batch`; when all are in, files what was saved on the right stack.
    fn finish_step(&mut self, batch: i64, failure: Option<String>) {
        let Some(flight) = self.decisions.in_flight.get_mut(&batch) else {
            return;
        };
        flight.remaining = flight.remaining.saturating_sub(1);
        if let Some(why) = failure {
            self.status = Some(error(format!(
                "Decision NOT saved ({why}); it is unchanged — try again"
            )));
        }
        if flight.remaining > 0 {
            return;
        }
        let Some(flight) = self.decisions.in_flight.remove(&batch) else {
            return;
        };
        // An undo or redo that did not land goes back on its stack, so it can be retried.
        match flight.kind {
            DecisionKind::Undo if !flight.failed.is_empty() => {
                self.decisions
                    .undo
                    .push(flight.failed.iter().rev().map(TriageChange::reversed).collect());
            }
            DecisionKind::Redo if !flight.failed.is_empty() => self.decisions.redo.push(flight.failed.clone()),
            _ => {}
        }
        if flight.saved.is_empty() {
            return;
        }
        if flight.failed.is_empty() {
            let title = match &flight.saved[..] {
                [one] => self
                    .records
                    .by_id
                    .get(&one.id)
                    .map(|&i| shorten(&self.records.rows[i].notice.title, 60)),
                _ => None,
            };
            let mut summary = super::message_log::decision_summary(flight.kind, &flight.saved, title.as_deref());
            if self.market.auto_batches.remove(&batch) {
                // Settled from an award notice, not by a key press: say so, and how to take it back.
                summary = format!("By anbud from an award notice — {summary} (u undoes)");
            }
            self.status = Some(info(summary));
        }
        // Only what the store committed can be undone or redone.
        match flight.kind {
            DecisionKind::Do => {
                self.decisions.undo.push(flight.saved);
                self.decisions.redo.clear();
            }
            DecisionKind::Undo => self
                .decisions
                .redo
                .push(flight.saved.iter().rev().map(TriageChange::reversed).collect()),
            DecisionKind::Redo => self.decisions.undo.push(flight.saved),
        }
    }

    /// Marks or unmarks the selected notice and moves down, like a file manager.
    pub(crate) fn toggle_mark(&mut self) {
        let Some(id) = self.listing.selected.clone() else {
            return;
        };
        if !self.decisions.marked.remove(&id) {
            self.decisions.marked.insert(id);
        }
        let row = self.selected_row().unwrap_or(0);
        self.move_cursor(row + 1);
    }

    /// Whether `record` is on screen only because it was just decided here: it no longer belongs
    /// in the tab and leaves once the cursor moves (the list draws it dimmed).
    pub fn is_leaving(&self, record: &NoticeRecord) -> bool {
        !self.decisions.lingering.is_empty()
            && self.decisions.lingering.contains(&record.notice.id)
            && !self.listing.view.contains(record, record.triage, self.now)
    }

    /// Moves the cursor to `row` (clamped) of the list as it is on screen; decided rows kept in
    /// place then leave, and the cursor stays on the notice it moved to (or, when that one left,
    /// on the row that took its place).
    pub(crate) fn move_cursor(&mut self, row: usize) {
        self.select_row(row);
        self.release_lingering();
    }

    /// Lets decided rows kept in place leave the list; returns whether there were any (the view
    /// was then rebuilt, search applied).
    pub(crate) fn release_lingering(&mut self) -> bool {
        if self.decisions.lingering.is_empty() {
            return false;
        }
        self.decisions.lingering.clear();
        self.refresh_view();
        true
    }

    /// Marks every notice in the view, or clears the marks when they all are marked already.
    pub(crate) fn mark_all_in_view(&mut self) {
        let ids: Vec<_> = self
            .listing
            .visible
            .iter()
            .map(|r| self.records.rows[r.index].notice.id.clone())
            .collect();
        if !ids.is_empty() && ids.iter().all(|id| self.decisions.marked.contains(id)) {
            self.decisions.marked.clear();
        } else {
            self.decisions.marked.extend(ids);
        }
    }
}
