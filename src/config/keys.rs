//! Key names in the config (`"j"`, `"ctrl-r"`, `"shift-tab"`, `"space"`) and the `[keys.list]`
//! table that rebinds them, one key at a time, over the defaults.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyModifiers};
use serde::{Deserialize, Deserializer};

use crate::app::keymap::{KeyMode, Overrides};
use crate::app::{Action, TextEdit};

/// A key with its modifiers, as written in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and Alt (Shift is part of the character: write `G`, not `shift-g`).
    pub modifiers: KeyModifiers,
}

/// Parses `j`, `G`, `?`, `ctrl-r`, `alt-x`, `enter`, `esc`, `tab`, `shift-tab`, `space`, `up`,
/// `down`, `left`, `right`, `home`, `end`, `pgup`, `pgdn`, `backspace`, `delete`, `f1`…`f12`.
///
/// # Errors
/// A message naming the key and the accepted forms.
pub fn parse_key(text: &str) -> Result<KeyChord, String> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        if let Some(r) = lower.strip_prefix("ctrl-").map(|_| &rest[5..]) {
            modifiers |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = lower.strip_prefix("alt-").map(|_| &rest[4..]) {
            modifiers |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let named = match rest.to_ascii_lowercase().as_str() {
        "enter" | "return" => Some(KeyCode::Enter),
        "esc" | "escape" => Some(KeyCode::Esc),
        "tab" => Some(KeyCode::Tab),
        "shift-tab" | "backtab" => Some(KeyCode::BackTab),
        "space" => Some(KeyCode::Char(' ')),
        "up" => Some(KeyCode::Up),
        "down" => Some(KeyCode::Down),
        "left" => Some(KeyCode::Left),
        "right" => Some(KeyCode::Right),
        "home" => Some(KeyCode::Home),
        "end" => Some(KeyCode::End),
        "pgup" | "pageup" => Some(KeyCode::PageUp),
        "pgdn" | "pagedown" => Some(KeyCode::PageDown),
        "backspace" => Some(KeyCode::Backspace),
        "delete" | "del" => Some(KeyCode::Delete),
        f if f.len() > 1 && f.starts_with('f') => f[1..].parse().ok().filter(|n| (1..=12).contains(n)).map(KeyCode::F),
        _ => None,
    };
    let mut chars = rest.chars();
    let code = match (named, chars.next(), chars.next()) {
        (Some(code), _, _) => code,
        (None, Some(c), None) => KeyCode::Char(c),
        _ => {
            return Err(format!(
                "unknown key {text:?}: write one character (\"j\", \"G\", \"?\"), a name (\"enter\", \"space\", \
                 \"shift-tab\", \"pgdn\", \"f1\"), or add \"ctrl-\" / \"alt-\""
            ));
        }
    };
    Ok(KeyChord { code, modifiers })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_characters_names_and_modifiers() {
        let key = |code, modifiers| Ok(KeyChord { code, modifiers });
        assert_eq!(parse_key("j"), key(KeyCode::Char('j'), KeyModifiers::NONE));
        assert_eq!(parse_key("G"), key(KeyCode::Char('G'), KeyModifiers::NONE));
        assert_eq!(parse_key("ø"), key(KeyCode::Char('ø'), KeyModifiers::NONE));
        assert_eq!(parse_key("ctrl-r"), key(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(
            parse_key("Ctrl-Alt-x"),
            key(KeyCode::Char('x'), KeyModifiers::CONTROL | KeyModifiers::ALT)
        );
        assert_eq!(parse_key("shift-tab"), key(KeyCode::BackTab, KeyModifiers::NONE));
        assert_eq!(parse_key("space"), key(KeyCode::Char(' '), KeyModifiers::NONE));
        assert_eq!(parse_key("f5"), key(KeyCode::F(5), KeyModifiers::NONE));
        assert_eq!(parse_key("pgdn"), key(KeyCode::PageDown, KeyModifiers::NONE));
        assert!(parse_key("jj").is_err());
        assert!(parse_key("f13").is_err());
        assert!(parse_key("").is_err());
    }
}
