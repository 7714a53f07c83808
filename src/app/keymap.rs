//! Keys to actions, and terminal events to messages. Pure: no terminal access.
//!
//! The help overlay is generated from [`Keymap::bindings`], so it cannot drift from what keys do.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::msg::{Action, Msg, TextEdit};
use super::state::{AppState, Mode};

/// One key binding of the list mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Required modifiers (Shift is ignored for characters, which carry their case).
    pub modifiers: KeyModifiers,
    /// What it does.
    pub action: Action,
}

/// The active key bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use KeyCode as K;
        let none = KeyModifiers::NONE;
        let plain = |code, action| Binding {
            code,
            modifiers: none,
            action,
        };
        Self {
            bindings: vec![
                plain(K::Char('j'), A::SelectNext),
                plain(K::Down, A::SelectNext),
                plain(K::Char('k'), A::SelectPrevious),
                plain(K::Up, A::SelectPrevious),
                plain(K::Char('g'), A::SelectFirst),
                plain(K::Home, A::SelectFirst),
                plain(K::Char('G'), A::SelectLast),
                plain(K::End, A::SelectLast),
                plain(K::PageDown, A::PageDown),
                Binding {
                    code: K::Char('d'),
                    modifiers: KeyModifiers::CONTROL,
                    action: A::PageDown,
                },
                plain(K::PageUp, A::PageUp),
                Binding {
                    code: K::Char('u'),
                    modifiers: KeyModifiers::CONTROL,
                    action: A::PageUp,
                },
                plain(K::Enter, A::ToggleDetail),
                plain(K::Esc, A::Back),
                plain(K::Char('s'), A::Shortlist),
                plain(K::Char('x'), A::Reject),
                plain(K::Char('n'), A::EditNote),
                plain(K::Char('>'), A::NextStage),
                plain(K::Char('<'), A::PreviousStage),
                plain(K::Char('L'), A::MarkLost),
                plain(K::Char(' '), A::ToggleMark),
                plain(K::Char('V'), A::MarkAll),
                plain(K::Char('u'), A::Undo),
                Binding {
                    code: K::Char('r'),
                    modifiers: KeyModifiers::CONTROL,
                    action: A::Redo,
                },
                plain(K::Char('/'), A::StartSearch),
                plain(K::Tab, A::NextView),
                plain(K::BackTab, A::PreviousView),
                plain(K::Char('S'), A::CycleSort),
                plain(K::Char('o'), A::OpenInBrowser),
                plain(K::Char('y'), A::CopyLink),
                plain(K::Char('r'), A::RefreshAll),
                plain(K::Char('e'), A::ExportShortlist),
                plain(K::Char('?'), A::ToggleHelp),
                plain(K::Char('q'), A::Quit),
                Binding {
                    code: K::Char('c'),
                    modifiers: KeyModifiers::CONTROL,
                    action: A::Quit,
                },
            ],
        }
    }
}

impl Keymap {
    /// The defaults with `overrides` applied: each key given takes the new action, replacing what
    /// that key did before; every other default stays.
    pub fn with_overrides(mut self, overrides: &[(crate::config::keys::KeyChord, Action)]) -> Self {
        for (chord, action) in overrides {
            let mods = chord.modifiers - KeyModifiers::SHIFT;
            self.bindings.retain(|b| !(b.code == chord.code && b.modifiers == mods));
            self.bindings.push(Binding {
                code: chord.code,
                modifiers: mods,
                action: *action,
            });
        }
        // Keep the help grouped in the default order of actions.
        let order: Vec<Action> = Keymap::default().bindings.iter().map(|b| b.action).collect();
        self.bindings
            .sort_by_key(|b| order.iter().position(|a| *a == b.action).unwrap_or(usize::MAX));
        self
    }

    /// Every binding, in help order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action bound to a key press in list mode.
    pub fn resolve(&self, key: &KeyEvent) -> Option<Action> {
        // Terminals report Shift with upper-case letters and symbols like '?'; the char already says it.
        let mods = key.modifiers - KeyModifiers::SHIFT;
        self.bindings
            .iter()
            .find(|b| b.code == key.code && b.modifiers == mods)
            .map(|b| b.action)
    }

    /// Maps a terminal event to a message for the core, or `None` to ignore it.
    pub fn translate(&self, event: &Event, state: &AppState) -> Option<Msg> {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => self.translate_key(key, state.mode()),
            Event::Mouse(mouse) => match mouse.kind {
                MouseEventKind::ScrollDown => Some(Msg::Action(Action::SelectNext)),
                MouseEventKind::ScrollUp => Some(Msg::Action(Action::SelectPrevious)),
                _ => None,
            },
            _ => None,
        }
    }

    fn translate_key(&self, key: &KeyEvent, mode: Mode) -> Option<Msg> {
        match mode {
            // Text entry comes before the keymap, so typing "q" searches instead of quitting.
            Mode::Search => {
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                let edit = match key.code {
                    KeyCode::Char('c') if ctrl => TextEdit::Cancel,
                    KeyCode::Char(c) if !ctrl => TextEdit::Insert(c),
                    KeyCode::Backspace => TextEdit::Backspace,
                    KeyCode::Enter | KeyCode::Down | KeyCode::Up | KeyCode::Tab => TextEdit::Submit,
                    KeyCode::Esc => TextEdit::Cancel,
                    _ => return None,
                };
                Some(Msg::Edit(edit))
            }
            Mode::Note => {
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                let edit = match key.code {
                    KeyCode::Char('c') if ctrl => TextEdit::Cancel,
                    KeyCode::Char('s') if ctrl => TextEdit::Submit,
                    KeyCode::Char(c) if !ctrl => TextEdit::Insert(c),
                    KeyCode::Enter => TextEdit::Newline,
                    KeyCode::Backspace => TextEdit::Backspace,
                    KeyCode::Esc => TextEdit::Submit,
                    _ => return None,
                };
                Some(Msg::Edit(edit))
            }
            // Only an explicit yes runs a mass action; anything but y / Enter cancels it.
            Mode::Confirm => Some(Msg::Confirmed(matches!(
                key.code,
                KeyCode::Char('y' | 'Y') | KeyCode::Enter
            ))),
            Mode::Help => match self.resolve(key) {
                Some(Action::Quit) => Some(Msg::Action(Action::Quit)),
                Some(_) | None if matches!(key.code, KeyCode::Esc | KeyCode::Char('?')) => {
                    Some(Msg::Action(Action::ToggleHelp))
                }
                _ => None,
            },
            Mode::List => self.resolve(key).map(Msg::Action),
        }
    }
}

/// A short label for a key, for the help overlay: `j`, `Enter`, `Ctrl-d`.
pub fn key_label(binding: &Binding) -> String {
    let key = match binding.code {
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "↓".to_owned(),
        KeyCode::Up => "↑".to_owned(),
        KeyCode::PageDown => "PgDn".to_owned(),
        KeyCode::PageUp => "PgUp".to_owned(),
        KeyCode::BackTab => "Shift-Tab".to_owned(),
        other => other.to_string(),
    };
    if binding.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{key}")
    } else {
        key
    }
}

/// What an action does, in the words of the help overlay.
pub fn describe(action: Action) -> &'static str {
    // Kept short (≤ 24 characters) so the help fits two columns on an 80-column terminal.
    match action {
        Action::Quit => "quit",
        Action::SelectNext => "next notice",
        Action::SelectPrevious => "previous notice",
        Action::PageDown => "page down",
        Action::PageUp => "page up",
        Action::SelectFirst => "first notice",
        Action::SelectLast => "last notice",
        Action::ToggleDetail => "show / hide details",
        Action::Back => "close pane, clear search",
        Action::Shortlist => "shortlist / undecide",
        Action::Reject => "reject / undecide",
        Action::EditNote => "write a note",
        Action::NextStage => "next stage",
        Action::PreviousStage => "previous stage",
        Action::MarkLost => "mark bid as lost",
        Action::ToggleMark => "mark for a bulk action",
        Action::MarkAll => "mark all in the tab",
        Action::Undo => "undo last decision",
        Action::Redo => "redo",
        Action::StartSearch => "fuzzy search",
        Action::NextView => "next tab",
        Action::PreviousView => "previous tab",
        Action::RefreshAll => "refresh feeds now",
        Action::ExportShortlist => "export shortlist (CSV)",
        Action::ToggleHelp => "this help",
        Action::CycleSort => "change sort order",
        Action::OpenInBrowser => "open in browser",
        Action::CopyLink => "copy link (OSC 52)",
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyEventState, MouseEvent};

    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, modifiers))
    }

    fn state_in(mode_keys: &[Action]) -> AppState {
        let mut state = AppState::new(Vec::new(), &[], jiff::Timestamp::UNIX_EPOCH);
        for action in mode_keys {
            state.update(Msg::Action(*action));
        }
        state
    }

    #[test]
    fn shifted_characters_resolve_by_their_char() {
        let keymap = Keymap::default();
        let list = state_in(&[]);
        let shifted = |c| keymap.translate(&press(KeyCode::Char(c), KeyModifiers::SHIFT), &list);
        assert!(matches!(shifted('G'), Some(Msg::Action(Action::SelectLast))));
        assert!(matches!(shifted('?'), Some(Msg::Action(Action::ToggleHelp))));
        let ctrl_d = keymap.translate(&press(KeyCode::Char('d'), KeyModifiers::CONTROL), &list);
        assert!(matches!(ctrl_d, Some(Msg::Action(Action::PageDown))));
        assert!(
            keymap
                .translate(&press(KeyCode::Char('d'), KeyModifiers::NONE), &list)
                .is_none()
        );
    }

    #[test]
    fn search_mode_types_letters_that_are_keys_elsewhere() {
        let keymap = Keymap::default();
        let search = state_in(&[Action::StartSearch]);
        let msg = keymap.translate(&press(KeyCode::Char('q'), KeyModifiers::NONE), &search);
        assert!(matches!(msg, Some(Msg::Edit(TextEdit::Insert('q')))));
        let msg = keymap.translate(&press(KeyCode::Char('Ø'), KeyModifiers::SHIFT), &search);
        assert!(matches!(msg, Some(Msg::Edit(TextEdit::Insert('Ø')))));
        let msg = keymap.translate(&press(KeyCode::Esc, KeyModifiers::NONE), &search);
        assert!(matches!(msg, Some(Msg::Edit(TextEdit::Cancel))));
        let msg = keymap.translate(&press(KeyCode::Enter, KeyModifiers::NONE), &search);
        assert!(matches!(msg, Some(Msg::Edit(TextEdit::Submit))));
    }

    #[test]
    fn help_mode_closes_on_esc_or_question_mark_and_ignores_the_rest() {
        let keymap = Keymap::default();
        let help = state_in(&[Action::ToggleHelp]);
        assert!(matches!(
            keymap.translate(&press(KeyCode::Esc, KeyModifiers::NONE), &help),
            Some(Msg::Action(Action::ToggleHelp))
        ));
        assert!(
            keymap
                .translate(&press(KeyCode::Char('s'), KeyModifiers::NONE), &help)
                .is_none()
        );
        assert!(matches!(
            keymap.translate(&press(KeyCode::Char('q'), KeyModifiers::NONE), &help),
            Some(Msg::Action(Action::Quit))
        ));
    }

    #[test]
    fn key_release_is_ignored_and_wheel_scrolls() {
        let keymap = Keymap::default();
        let list = state_in(&[]);
        let release = Event::Key(KeyEvent {
            code: KeyCode::Char('s'),
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Release,
            state: KeyEventState::NONE,
        });
        assert!(keymap.translate(&release, &list).is_none());
        let wheel = |kind| {
            Event::Mouse(MouseEvent {
                kind,
                column: 0,
                row: 0,
                modifiers: KeyModifiers::NONE,
            })
        };
        assert!(matches!(
            keymap.translate(&wheel(MouseEventKind::ScrollDown), &list),
            Some(Msg::Action(Action::SelectNext))
        ));
        assert!(matches!(
            keymap.translate(&wheel(MouseEventKind::ScrollUp), &list),
            Some(Msg::Action(Action::SelectPrevious))
        ));
    }

    #[test]
    fn every_action_has_a_key_and_a_description() {
        let keymap = Keymap::default();
        for binding in keymap.bindings() {
            assert!(!describe(binding.action).is_empty());
            assert!(
                describe(binding.action).chars().count() <= 24,
                "{:?} too long for two columns",
                binding.action
            );
            assert!(!key_label(binding).is_empty());
        }
        assert_eq!(key_label(&keymap.bindings()[9]), "Ctrl-d");
    }
}
