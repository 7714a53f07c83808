//! Tags (`t`) and reject reasons (`X`): the user's own labels on notices. Like notes, they change
//! on screen only once the store has committed them. Part of `AppState::update`.

use std::collections::HashMap;

use super::msg::{Effect, ReasonPick, TextEdit};
use super::prompts::TagPrompt;
use super::state::AppState;
use super::status::{error, info};
use super::view::Mode;
use crate::model::{NoticeId, NoticeRecord, TagEdit, Triage, normalize_tags};

impl AppState {
    /// `t`: opens the tag prompt for the marked notices (adding), or the selected one (editing its list).
    pub(crate) fn start_tagging(&mut self) {
        let targets: Vec<NoticeId> = self
            .targets()
            .into_iter()
            .map(|i| self.records.rows[i].notice.id.clone())
            .collect();
        let Some(first) = targets.first() else {
            return;
        };
        let bulk = !self.decisions.marked.is_empty();
        let draft = if bulk {
            String::new()
        } else {
            let mut text = self
                .records
                .by_id
                .get(first)
                .map(|&i| self.records.rows[i].tags().join(" "))
                .unwrap_or_default();
            if !text.is_empty() {
                text.push(' ');
            }
            text
        };
        self.prompts.tags = TagPrompt {
            draft,
            targets,
            bulk,
            known: self.known_tags(),
            completing: None,
        };
        self.screen.mode = Mode::Tag;
    }

    /// Every tag in use, most used first, then A–Z.
    pub fn known_tags(&self) -> Vec<String> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for tag in self.records.rows.iter().flat_map(NoticeRecord::tags) {
            *counts.entry(tag).or_default() += 1;
        }
        let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
        tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        tags.into_iter().map(|(t, _)| t.to_owned()).collect()
    }

    /// The text of the tag prompt while [`Mode::Tag`] is on.
    pub fn tag_draft(&self) -> &str {
        &self.prompts.tags.draft
    }

    /// The tag prompt while [`Mode::Tag`] is on.
    pub(crate) fn tag_prompt(&self) -> &TagPrompt {
        &self.prompts.tags
    }

    /// Typing in the tag prompt; Enter saves through the store, Esc closes without a change.
    pub(crate) fn on_tag_edit(&mut self, edit: TextEdit) -> Vec<Effect> {
        if edit != TextEdit::Complete {
            self.prompts.tags.completing = None;
        }
        match edit {
            TextEdit::Insert(c) => self.prompts.tags.draft.push(c),
            TextEdit::Backspace => {
                self.prompts.tags.draft.pop();
            }
            // Completes in the guard; only a word nothing completes gets here.
            TextEdit::Complete if !self.prompts.tags.complete() => {
                let word = self.prompts.tags.current_word().to_owned();
                self.status = Some(info(format!("No tag in use starts with {word:?}")));
            }
            TextEdit::Cancel => {
                self.screen.mode = Mode::List;
                self.status = Some(info("Tags unchanged".to_owned()));
            }
            TextEdit::Submit | TextEdit::Newline => {
                self.screen.mode = Mode::List;
                return self.submit_tags();
            }
            // A completed word, and cursor keys: the tag prompt types and deletes at its end only.
            _ => {}
        }
        Vec::new()
    }

    fn submit_tags(&mut self) -> Vec<Effect> {
        let prompt = std::mem::take(&mut self.prompts.tags);
        let words: Vec<&str> = prompt.draft.split_whitespace().collect();
        let add = normalize_tags(words.iter().filter(|w| !w.starts_with('-')).copied());
        let remove = normalize_tags(words.iter().filter_map(|w| w.strip_prefix('-')));
        let changes: Vec<TagEdit> = prompt
            .targets
            .into_iter()
            .filter_map(|id| {
                let old = self.records.rows[*self.records.by_id.get(&id)?].tags();
                // Bulk: added to each notice's own tags. One notice: the prompt holds its whole
                // list, which replaces the old one. Either way `-tag` takes a tag out, even one
                // still standing earlier in the prompt.
                let new = if prompt.bulk {
                    let kept = old.iter().filter(|t| !remove.contains(t)).map(String::as_str);
                    normalize_tags(kept.chain(add.iter().map(String::as_str)))
                } else {
                    add.iter().filter(|t| !remove.contains(t)).cloned().collect()
                };
                (new != old).then(|| TagEdit {
                    id,
                    from: old.to_vec(),
                    to: new,
                })
            })
            .collect();
        if changes.is_empty() {
            self.status = Some(info("Tags unchanged".to_owned()));
            return Vec::new();
        }
        self.status = Some(info("Saving tags…".to_owned()));
        vec![Effect::SaveTags(changes)]
    }

    /// The store committed tags: now they show, and search finds them.
    pub(crate) fn on_tags_saved(&mut self, changes: Vec<(NoticeId, Vec<String>)>) {
        let n = changes.len();
        for (id, tags) in changes {
            if let Some(&i) = self.records.by_id.get(&id) {
                self.records.rows[i].edit_user(|u| u.tags = tags);
            }
        }
        if n > 1 {
            self.decisions.marked.clear();
        }
        let noun = if n == 1 { "notice" } else { "notices" };
        self.status = Some(info(format!("Tags saved ({n} {noun})")));
        self.refresh_view();
    }

    /// The store committed a reject reason.
    pub(crate) fn on_reason_saved(&mut self, ids: Vec<NoticeId>, reason: Option<String>) {
        for id in ids {
            if let Some(&i) = self.records.by_id.get(&id) {
                self.records.rows[i].edit_user(|u| u.reject_reason.clone_from(&reason));
            }
        }
    }

    /// Tags or a reason were not written: nothing changes on screen, and the user learns why.
    pub(crate) fn on_annotation_not_saved(&mut self, what: &str, why: &str) {
        self.status = Some(error(format!("The {what} were NOT saved ({why}); try again")));
    }

    /// `X`: asks for a reason (when reasons are configured), then rejects.
    pub(crate) fn start_reject_with_reason(&mut self) -> Vec<Effect> {
        if self.targets().is_empty() {
            return Vec::new();
        }
        if self.prompts.reject_reasons.is_empty() {
            self.status = Some(info(
                "No reject reasons configured (reject_reasons = [...] in the config): rejected without one".to_owned(),
            ));
            return self.reject_because(None);
        }
        self.screen.mode = Mode::Reason;
        Vec::new()
    }

    /// An answer in the reason popup.
    pub(crate) fn on_reason_picked(&mut self, pick: ReasonPick) -> Vec<Effect> {
        self.screen.mode = Mode::List;
        match pick {
            ReasonPick::Cancel => {
                self.status = Some(info("Cancelled: nothing rejected".to_owned()));
                Vec::new()
            }
            ReasonPick::NoReason => self.reject_because(None),
            ReasonPick::Reason(n) => match self.prompts.reject_reasons.get(n).cloned() {
                Some(reason) => self.reject_because(Some(reason)),
                None => {
                    self.screen.mode = Mode::Reason;
                    Vec::new()
                }
            },
        }
    }

    /// Rejects the targets (those not rejected yet) and records the reason on all of them, so a
    /// reason can also be added to notices rejected earlier with `x`.
    fn reject_because(&mut self, reason: Option<String>) -> Vec<Effect> {
        let targets = self.targets();
        if self.refuse_while_pending(&targets) {
            return Vec::new();
        }
        let ids: Vec<NoticeId> = targets
            .iter()
            .map(|&i| self.records.rows[i].notice.id.clone())
            .collect();
        let before = targets
            .iter()
            .map(|&i| self.records.rows[i].reject_reason().map(str::to_owned))
            .collect();
        let changes = self.changes_to(&targets, |t| (t != Triage::Rejected).then_some(Triage::Rejected));
        let save_reason = Effect::SaveRejectReason { ids, reason, before };
        if changes.is_empty() {
            self.decisions.marked.clear();
            self.status = Some(info("Already rejected: reason saved".to_owned()));
            return vec![save_reason];
        }
        let mut effects = self.propose(changes, Triage::Rejected.as_str());
        match self.decisions.confirm.as_mut() {
            // A mass reject waits for y: the reason is saved with it, not before.
            Some(waiting) if self.screen.mode == Mode::Confirm => waiting.then.push(save_reason),
            _ => effects.push(save_reason),
        }
        effects
    }
}
