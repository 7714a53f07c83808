//! The `E` panel: exclusions suggested from the reasons the user gave when rejecting (see
//! `matching::suggest`). Offered, never applied silently: accepting one asks the runtime to append
//! it to the profile's file, and it takes effect from the next start.

use super::msg::Effect;
use super::prompts::SuggestionsPanel;
use super::state::AppState;
use super::status::info;
use super::view::Mode;
use crate::matching::Profile;
use crate::matching::suggest::{Suggestion, suggest_exclusions};

pub use super::msg::SuggestionKey;

impl AppState {
    /// The profile suggestions are made for (the first one in use), and whether it has a file the
    /// user's accepted exclusions can be written to.
    pub fn with_suggestions_for(mut self, profile: Profile, writable: bool) -> Self {
        self.prompts.suggest_profile = Some((profile, writable));
        self
    }

    /// The panel's suggestions, its cursor, and whether accepting can write to a profile file.
    pub fn suggestions(&self) -> (&[Suggestion], usize, bool) {
        let writable = self.prompts.suggest_profile.as_ref().is_some_and(|(_, w)| *w);
        (
            &self.prompts.suggestions.items,
            self.prompts.suggestions.cursor,
            writable,
        )
    }

    /// `E`: computes the suggestions from the confirmed decisions and opens the panel.
    pub(crate) fn open_suggestions(&mut self) {
        let Some((profile, _)) = &self.prompts.suggest_profile else {
            self.status = Some(info("No profile to suggest exclusions for".to_owned()));
            return;
        };
        let accepted = std::mem::take(&mut self.prompts.suggestions.accepted);
        let items = suggest_exclusions(&self.records.rows, profile)
            .into_iter()
            .filter(|s| !accepted.contains(&s.term))
            .collect();
        self.prompts.suggestions = SuggestionsPanel {
            items,
            cursor: 0,
            accepted,
        };
        self.screen.mode = Mode::Suggestions;
    }

    /// A key in the panel.
    pub(crate) fn on_suggestion_key(&mut self, key: SuggestionKey) -> Vec<Effect> {
        let panel = &mut self.prompts.suggestions;
        match key {
            SuggestionKey::Next => panel.cursor = (panel.cursor + 1).min(panel.items.len().saturating_sub(1)),
            SuggestionKey::Previous => panel.cursor = panel.cursor.saturating_sub(1),
            SuggestionKey::Close => self.screen.mode = Mode::List,
            SuggestionKey::Accept => {
                let Some((profile, writable)) = &self.prompts.suggest_profile else {
                    return Vec::new();
                };
                if !writable {
                    self.status = Some(info(format!(
                        "Profile {:?} is bundled: copy it to a file listed under profiles = [...] to accept exclusions",
                        profile.name
                    )));
                    return Vec::new();
                }
                if panel.cursor >= panel.items.len() {
                    return Vec::new();
                }
                let chosen = panel.items.remove(panel.cursor);
                panel.cursor = panel.cursor.min(panel.items.len().saturating_sub(1));
                panel.accepted.push(chosen.term.clone());
                self.status = Some(info(format!(
                    "Adding the exclusion {:?} to {}…",
                    chosen.term, profile.name
                )));
                return vec![Effect::AcceptExclusion {
                    profile: profile.name.clone(),
                    term: chosen.term,
                    weight: chosen.weight,
                }];
            }
        }
        Vec::new()
    }
}
