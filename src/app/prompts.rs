//! The prompts' sub-state: the note being written (`n`), the tag prompt (`t`), the reasons `X`
//! offers and the suggested-exclusions panel (`E`). `update.rs`, `annotate.rs` and
//! `suggestions.rs` drive them.

use super::note_draft::NoteDraft;
use crate::matching::suggest::Suggestion;
use crate::model::NoticeId;

/// Every prompt's state.
#[derive(Debug, Default)]
pub(crate) struct Prompts {
    /// The note being edited (in `Mode::Note`), for the notice in `note_for`.
    pub(crate) note: NoteDraft,
    pub(crate) note_for: Option<NoticeId>,
    /// The tag prompt: its text, the notices it applies to, whether it adds to a marked set (else it
    /// replaces one notice's tags), the known tags for completion and where Tab completion is.
    pub(crate) tags: TagPrompt,
    /// The reasons offered when rejecting with `X` (from the config).
    pub(crate) reject_reasons: Vec<String>,
    /// The profile exclusions are suggested for, and whether it has a file to write them to.
    pub(crate) suggest_profile: Option<(crate::matching::Profile, bool)>,
    pub(crate) suggestions: SuggestionsPanel,
}

/// The `t` prompt.
#[derive(Debug, Clone, Default)]
pub(crate) struct TagPrompt {
    /// What the user typed: tags separated by spaces (`-tag` removes that tag).
    pub(crate) draft: String,
    /// The notices it applies to.
    pub(crate) targets: Vec<NoticeId>,
    /// Adding to (and removing from) several marked notices, rather than editing one notice's list.
    pub(crate) bulk: bool,
    /// Tags already in use, most used first: what Tab completes from.
    pub(crate) known: Vec<String>,
    /// The word Tab is completing and which candidate comes next, while Tab is pressed repeatedly.
    pub(crate) completing: Option<(String, usize)>,
}

impl TagPrompt {
    /// The word being typed (after the last space, without a leading `-`).
    pub(crate) fn current_word(&self) -> &str {
        let word = self.draft.rsplit(' ').next().unwrap_or_default();
        word.strip_prefix('-').unwrap_or(word)
    }

    /// Known tags that complete the word being typed and are not typed already.
    pub(crate) fn candidates(&self) -> Vec<&str> {
        let prefix = match &self.completing {
            Some((prefix, _)) => prefix.as_str(),
            None => self.current_word(),
        };
        let typed: Vec<&str> = self
            .draft
            .split_whitespace()
            .map(|w| w.trim_start_matches('-'))
            .collect();
        self.known
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with(&prefix.to_lowercase()))
            .filter(|t| !typed.contains(t) || Some(*t) == Some(self.current_word()))
            .collect()
    }

    /// Tab: replaces the word being typed with the next known tag that starts like it.
    pub(crate) fn complete(&mut self) -> bool {
        let (prefix, next) = self
            .completing
            .take()
            .unwrap_or_else(|| (self.current_word().to_owned(), 0));
        self.completing = Some((prefix, next));
        let candidates: Vec<String> = self.candidates().into_iter().map(str::to_owned).collect();
        let Some(pick) = candidates.get(next % candidates.len().max(1)) else {
            self.completing = None;
            return false;
        };
        let keep = self.draft.len() - self.draft.rsplit(' ').next().unwrap_or_default().len();
        let sign = if self.draft[keep..].starts_with('-') { "-" } else { "" };
        self.draft.truncate(keep);
        self.draft.push_str(sign);
        self.draft.push_str(pick);
        if let Some((_, n)) = self.completing.as_mut() {
            *n = next + 1;
        }
        true
    }
}

/// What the panel shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct SuggestionsPanel {
    pub(crate) items: Vec<Suggestion>,
    pub(crate) cursor: usize,
    /// Terms accepted this session (their file is written; the running matcher still lacks them).
    pub(crate) accepted: Vec<String>,
}
