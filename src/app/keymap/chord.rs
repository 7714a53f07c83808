//! A key with its modifiers (`KeyChord`) and the key names that spell one (`"j"`, `"ctrl-r"`,
//! `"shift-tab"`). A leaf of the keymap: the config's `[keys.<mode>]` tables parse into it.

use crossterm::event::{KeyCode, KeyModifiers};

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
