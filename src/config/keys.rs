//! The `[keys.<mode>]` tables that rebind keys, one key at a time, over the defaults. Key names
//! (`"j"`, `"ctrl-r"`, `"shift-tab"`) are the keymap's own [`KeyChord`]s.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};

use crate::app::keymap::{KeyChord, KeyMode, Overrides, parse_key};
use crate::app::{Action, TextEdit};

/// The `[keys.<mode>]` tables: `list`, `detail` and `help` map keys to actions, `search`, `note`
/// and `tags` map keys to edits (`submit`, `cancel`, `backspace`, `newline`, `complete`). The
/// confirmation (y / n) and reason-picker (digits) keys are fixed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKeys {
    #[serde(default)]
    list: HashMap<KeyName, Action>,
    #[serde(default)]
    detail: HashMap<KeyName, Action>,
    #[serde(default)]
    help: HashMap<KeyName, Action>,
    #[serde(default)]
    search: HashMap<KeyName, TextEdit>,
    #[serde(default)]
    note: HashMap<KeyName, TextEdit>,
    #[serde(default)]
    tags: HashMap<KeyName, TextEdit>,
}

impl RawKeys {
    /// `user`'s bindings over these, key by key and mode by mode.
    pub(super) fn merged_with(mut self, user: RawKeys) -> RawKeys {
        self.list.extend(user.list);
        self.detail.extend(user.detail);
        self.help.extend(user.help);
        self.search.extend(user.search);
        self.note.extend(user.note);
        self.tags.extend(user.tags);
        self
    }

    /// The rebindings (the keymap sorts them into help order).
    pub(super) fn into_overrides(self) -> Overrides {
        let actions = [
            (KeyMode::List, self.list),
            (KeyMode::Detail, self.detail),
            (KeyMode::Help, self.help),
        ];
        let edits = [
            (KeyMode::Search, self.search),
            (KeyMode::Note, self.note),
            (KeyMode::Tags, self.tags),
        ];
        Overrides {
            actions: actions
                .into_iter()
                .flat_map(|(mode, table)| table.into_iter().map(move |(k, a)| (mode, k.0, a)))
                .collect(),
            edits: edits
                .into_iter()
                .flat_map(|(mode, table)| table.into_iter().map(move |(k, e)| (mode, k.0, e)))
                .collect(),
        }
    }
}

/// A table key parsed as a [`KeyChord`], so a bad key name is reported at its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct KeyName(KeyChord);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_key(&text).map(KeyName).map_err(serde::de::Error::custom)
    }
}
