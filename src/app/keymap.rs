//! Keys to actions, and terminal events to messages. Pure: no terminal access.
//!
//! The help overlay is generated from [`Keymap::bindings`], so it cannot drift from what keys do.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

mod chord;

pub use chord::{KeyChord, parse_key};

use super::msg::{Action, Msg, ReasonPick, SuggestionKey, TextEdit};
use super::state::AppState;
use super::view::Mode;

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

/// One key binding of a text-entry mode (search, note, tags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditBinding {
    /// The key.
    pub code: KeyCode,
    /// Required modifiers (Shift ignored as above).
    pub modifiers: KeyModifiers,
    /// The edit it performs.
    pub edit: TextEdit,
}

/// The modes with a `[keys.<name>]` table of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// Browsing the list: `[keys.list]`.
    List,
    /// The detail pane is open: `[keys.detail]`, looked up before the list's keys.
    Detail,
    /// The `?` overlay: `[keys.help]`.
    Help,
    /// Typing a `/` search: `[keys.search]`.
    Search,
    /// Writing a note: `[keys.note]`.
    Note,
    /// Typing tags: `[keys.tags]`.
    Tags,
}

impl KeyMode {
    /// Its table name in the config.
    pub fn name(self) -> &'static str {
        match self {
            KeyMode::List => "list",
            KeyMode::Detail => "detail",
            KeyMode::Help => "help",
            KeyMode::Search => "search",
            KeyMode::Note => "note",
            KeyMode::Tags => "tags",
        }
    }
}

/// The active key bindings, per mode. Printable characters type themselves in the text modes
/// unless a binding there takes them.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    detail: Vec<Binding>,
    help: Vec<Binding>,
    search: Vec<EditBinding>,
    note: Vec<EditBinding>,
    tags: Vec<EditBinding>,
}

/// A binding without modifiers.
fn plain(code: KeyCode, action: Action) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
    }
}

/// A Ctrl binding.
fn ctrl(c: char, action: Action) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        action,
    }
}

/// Text-mode bindings from (key, modifiers, edit) triples.
fn edits(list: &[(KeyCode, KeyModifiers, TextEdit)]) -> Vec<EditBinding> {
    list.iter()
        .map(|&(code, modifiers, edit)| EditBinding { code, modifiers, edit })
        .collect()
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use KeyCode as K;
        let (none, control) = (KeyModifiers::NONE, KeyModifiers::CONTROL);
        Self {
            detail: vec![
                plain(K::Char('J'), A::ScrollDetailDown),
                ctrl('e', A::ScrollDetailDown),
                plain(K::Char('K'), A::ScrollDetailUp),
                ctrl('y', A::ScrollDetailUp),
            ],
            help: vec![
                plain(K::Char('?'), A::ToggleHelp),
                plain(K::Esc, A::ToggleHelp),
                // q closes, as in the sources panel and a pager: the help is read and left.
                plain(K::Char('q'), A::ToggleHelp),
                ctrl('c', A::Quit),
            ],
            search: edits(&[
                (K::Enter, none, TextEdit::Submit),
                (K::Down, none, TextEdit::Submit),
                (K::Up, none, TextEdit::Submit),
                (K::Tab, none, TextEdit::Submit),
                (K::Esc, none, TextEdit::Cancel),
                (K::Char('c'), control, TextEdit::Cancel),
                (K::Backspace, none, TextEdit::Backspace),
            ]),
            note: edits(&[
                (K::Esc, none, TextEdit::Submit),
                (K::Char('s'), control, TextEdit::Submit),
                (K::Char('c'), control, TextEdit::Cancel),
                (K::Enter, none, TextEdit::Newline),
                (K::Backspace, none, TextEdit::Backspace),
                (K::Delete, none, TextEdit::Delete),
                (K::Left, none, TextEdit::Left),
                (K::Right, none, TextEdit::Right),
                (K::Home, none, TextEdit::Home),
                (K::End, none, TextEdit::End),
                (K::Left, control, TextEdit::WordLeft),
                (K::Right, control, TextEdit::WordRight),
                (K::Char('b'), KeyModifiers::ALT, TextEdit::WordLeft),
                (K::Char('f'), KeyModifiers::ALT, TextEdit::WordRight),
                (K::Up, none, TextEdit::Up),
                (K::Down, none, TextEdit::Down),
            ]),
            tags: edits(&[
                (K::Enter, none, TextEdit::Submit),
                (K::Tab, none, TextEdit::Complete),
                (K::Esc, none, TextEdit::Cancel),
                (K::Char('c'), control, TextEdit::Cancel),
                (K::Backspace, none, TextEdit::Backspace),
            ]),
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
                ctrl('d', A::PageDown),
                plain(K::PageUp, A::PageUp),
                ctrl('u', A::PageUp),
                plain(K::Enter, A::ToggleDetail),
                plain(K::Esc, A::Back),
                plain(K::Char('s'), A::Shortlist),
                plain(K::Char('x'), A::Reject),
                plain(K::Char('n'), A::EditNote),
                // Team mode's word for it: a note there is a comment added to the thread.
                plain(K::Char('c'), A::EditNote),
                plain(K::Char('t'), A::EditTags),
                plain(K::Char('X'), A::RejectWithReason),
                plain(K::Char('a'), A::Assign),
                plain(K::Char('E'), A::ShowSuggestions),
                plain(K::Char('>'), A::NextStage),
                plain(K::Char('<'), A::PreviousStage),
                plain(K::Char('L'), A::MarkLost),
                plain(K::Char(' '), A::ToggleMark),
                plain(K::Char('V'), A::MarkAll),
                plain(K::Char('u'), A::Undo),
                ctrl('r', A::Redo),
                plain(K::Char('/'), A::StartSearch),
                plain(K::Tab, A::NextView),
                plain(K::BackTab, A::PreviousView),
                plain(K::Char('S'), A::CycleSort),
                plain(K::Char('o'), A::OpenInBrowser),
                plain(K::Char('y'), A::CopyLink),
                plain(K::Char('r'), A::RefreshAll),
                plain(K::Char('e'), A::ExportShortlist),
                plain(K::Char('?'), A::ToggleHelp),
                plain(K::Char('F'), A::ToggleSources),
                plain(K::Char('M'), A::ToggleMessages),
                plain(K::Char('m'), A::ToggleMarket),
                plain(K::Char('b'), A::BuyerHistory),
                plain(K::Char('q'), A::Quit),
                ctrl('c', A::Quit),
            ],
        }
    }
}

impl Keymap {
    /// The defaults with `overrides` applied, per mode: each key given takes the new action,
    /// replacing what that key did before in that mode; every other default stays.
    pub fn with_overrides(mut self, overrides: &Overrides) -> Self {
        let order: Vec<Action> = Keymap::default().bindings.iter().map(|b| b.action).collect();
        for (mode, table) in [
            (KeyMode::List, &mut self.bindings),
            (KeyMode::Detail, &mut self.detail),
            (KeyMode::Help, &mut self.help),
        ] {
            for (chord, action) in overrides
                .actions
                .iter()
                .filter(|(m, ..)| *m == mode)
                .map(|(_, c, a)| (c, a))
            {
                let mods = chord.modifiers - KeyModifiers::SHIFT;
                table.retain(|b| !(b.code == chord.code && b.modifiers == mods));
                table.push(Binding {
                    code: chord.code,
                    modifiers: mods,
                    action: *action,
                });
            }
            // Keep the help grouped in the default order of actions.
            table.sort_by_key(|b| order.iter().position(|a| *a == b.action).unwrap_or(usize::MAX));
        }
        for (mode, table) in [
            (KeyMode::Search, &mut self.search),
            (KeyMode::Note, &mut self.note),
            (KeyMode::Tags, &mut self.tags),
        ] {
            for (chord, edit) in overrides
                .edits
                .iter()
                .filter(|(m, ..)| *m == mode)
                .map(|(_, c, e)| (c, e))
            {
                let mods = chord.modifiers - KeyModifiers::SHIFT;
                table.retain(|b| !(b.code == chord.code && b.modifiers == mods));
                table.push(EditBinding {
                    code: chord.code,
                    modifiers: mods,
                    edit: *edit,
                });
            }
        }
        self
    }

    /// Every list binding, in help order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The bindings that apply while the detail pane is open (before the list's).
    pub fn detail_bindings(&self) -> &[Binding] {
        &self.detail
    }

    /// The keys of a text mode that perform `edit`, as labels ("Enter", "Ctrl-c").
    pub fn edit_keys(&self, mode: KeyMode, edit: TextEdit) -> Vec<String> {
        let table = match mode {
            KeyMode::Search => &self.search,
            KeyMode::Note => &self.note,
            KeyMode::Tags => &self.tags,
            KeyMode::List | KeyMode::Detail | KeyMode::Help => return Vec::new(),
        };
        table
            .iter()
            .filter(|b| b.edit == edit)
            .map(|b| {
                key_label(&Binding {
                    code: b.code,
                    modifiers: b.modifiers,
                    action: Action::Quit,
                })
            })
            .collect()
    }

    /// The action bound to a key press in list mode.
    pub fn resolve(&self, key: &KeyEvent) -> Option<Action> {
        find(&self.bindings, key)
    }

    /// Maps a terminal event to a message for the core, or `None` to ignore it.
    pub fn translate(&self, event: &Event, state: &AppState) -> Option<Msg> {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => self.translate_key(key, state),
            Event::Mouse(mouse) => match mouse.kind {
                MouseEventKind::ScrollDown => Some(Msg::Action(Action::SelectNext)),
                MouseEventKind::ScrollUp => Some(Msg::Action(Action::SelectPrevious)),
                _ => None,
            },
            _ => None,
        }
    }

    fn translate_key(&self, key: &KeyEvent, state: &AppState) -> Option<Msg> {
        // Text entry comes before the list's keys, so typing "q" searches instead of quitting.
        let text = |table: &[EditBinding]| {
            let mods = key.modifiers - KeyModifiers::SHIFT;
            let bound = table.iter().find(|b| b.code == key.code && b.modifiers == mods);
            match (bound, key.code) {
                (Some(b), _) => Some(Msg::Edit(b.edit)),
                (None, KeyCode::Char(c)) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                    Some(Msg::Edit(TextEdit::Insert(c)))
                }
                _ => None,
            }
        };
        match state.mode() {
            Mode::Search => text(&self.search),
            Mode::Note => text(&self.note),
            Mode::Tag => text(&self.tags),
            // Only an explicit yes runs a mass action; anything but y / Enter cancels it.
            Mode::Confirm => Some(Msg::Confirmed(matches!(
                key.code,
                KeyCode::Char('y' | 'Y') | KeyCode::Enter
            ))),
            // Digits pick a reason; Enter rejects without one; anything else cancels.
            Mode::Reason => Some(Msg::ReasonPicked(match key.code {
                KeyCode::Char(c @ '1'..='9') => ReasonPick::Reason(usize::from(c as u8 - b'1')),
                KeyCode::Enter => ReasonPick::NoReason,
                _ => ReasonPick::Cancel,
            })),
            // The list's help key closes the help too, so rebinding it works both ways; the list's
            // movement keys scroll it.
            Mode::Help => match find(&self.help, key).or_else(|| self.resolve(key)) {
                Some(action @ (Action::ToggleHelp | Action::Quit)) => Some(Msg::Action(action)),
                Some(action) if action.moves_cursor() => Some(Msg::Action(action)),
                _ => None,
            },
            // The message log: like the sources panel, Esc or q closes it, its own key too; the
            // list's movement keys scroll it.
            Mode::Messages => match (key.code, self.resolve(key)) {
                (KeyCode::Esc | KeyCode::Char('q'), _) => Some(Msg::Action(Action::ToggleMessages)),
                (_, Some(action @ (Action::ToggleMessages | Action::Quit))) => Some(Msg::Action(action)),
                (_, Some(action)) if action.moves_cursor() => Some(Msg::Action(action)),
                _ => None,
            },
            // The sources panel: its own key, Esc or q closes it (q as in a pager: the panel is
            // read and left, so quitting the app there would surprise); Ctrl-c quits, r polls now.
            Mode::Sources => match (key.code, self.resolve(key)) {
                (KeyCode::Esc | KeyCode::Char('q'), _) => Some(Msg::Action(Action::ToggleSources)),
                (_, Some(action @ (Action::ToggleSources | Action::Quit | Action::RefreshAll))) => {
                    Some(Msg::Action(action))
                }
                _ => None,
            },
            // The Market screen: digits pick a section, Tab cycles them, the list's movement keys
            // scroll, its own key, Esc or q closes it; triage keys do nothing here.
            Mode::Market => match (key.code, self.resolve(key)) {
                (KeyCode::Char(c @ '1'..='5'), _) => super::market::MarketSection::ALL
                    .get(usize::from(c as u8 - b'1'))
                    .map(|s| Msg::MarketSection(*s)),
                (KeyCode::Esc | KeyCode::Char('q'), _) => Some(Msg::Action(Action::ToggleMarket)),
                (
                    _,
                    Some(
                        action @ (Action::ToggleMarket
                        | Action::Quit
                        | Action::NextView
                        | Action::PreviousView
                        | Action::ToggleHelp),
                    ),
                ) => Some(Msg::Action(action)),
                (_, Some(action)) if action.moves_cursor() => Some(Msg::Action(action)),
                _ => None,
            },
            // The suggestions panel: j/k or arrows move, Enter or a accepts, anything else closes.
            Mode::Suggestions => Some(Msg::Suggestion(match key.code {
                KeyCode::Char('j') | KeyCode::Down => SuggestionKey::Next,
                KeyCode::Char('k') | KeyCode::Up => SuggestionKey::Previous,
                KeyCode::Enter | KeyCode::Char('a') => SuggestionKey::Accept,
                _ => SuggestionKey::Close,
            })),
            Mode::List => {
                let detail = state.is_detail_open().then(|| find(&self.detail, key)).flatten();
                detail.or_else(|| self.resolve(key)).map(Msg::Action)
            }
        }
    }
}

/// The action of the first binding in `table` for a key press.
fn find(table: &[Binding], key: &KeyEvent) -> Option<Action> {
    // Terminals report Shift with upper-case letters and symbols like '?'; the char already says it.
    let mods = key.modifiers - KeyModifiers::SHIFT;
    table
        .iter()
        .find(|b| b.code == key.code && b.modifiers == mods)
        .map(|b| b.action)
}

/// Rebindings from the config's `[keys.<mode>]` tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// Keys of the list, detail and help modes.
    pub actions: Vec<(KeyMode, KeyChord, Action)>,
    /// Keys of the text modes.
    pub edits: Vec<(KeyMode, KeyChord, TextEdit)>,
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
        Action::EditNote => "note (team: comment)",
        Action::EditTags => "tag (Tab completes)",
        Action::RejectWithReason => "reject with a reason",
        Action::Assign => "take / give up (team)",
        Action::ShowSuggestions => "suggested exclusions",
        Action::ScrollDetailDown => "scroll details down",
        Action::ScrollDetailUp => "scroll details up",
        Action::NextStage => "next stage",
        Action::PreviousStage => "previous stage",
        Action::MarkLost => "mark bid as lost",
        Action::ToggleMark => "mark for a bulk action",
        Action::MarkAll => "mark all in the tab",
        Action::Undo => "undo last decision",
        Action::Redo => "redo",
        Action::StartSearch => "search (words first)",
        Action::NextView => "next tab",
        Action::PreviousView => "previous tab",
        Action::RefreshAll => "refresh feeds now",
        Action::ExportShortlist => "export shortlist (CSV)",
        Action::ToggleHelp => "this help",
        Action::ToggleSources => "feeds: health, errors",
        Action::ToggleMessages => "message log",
        Action::CycleSort => "change sort order",
        Action::OpenInBrowser => "open in browser",
        Action::CopyLink => "copy link (OSC 52)",
        Action::ToggleMarket => "market: awards, rivals",
        Action::BuyerHistory => "buyer's history",
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
    fn help_mode_closes_on_esc_q_or_question_mark_scrolls_and_ignores_the_rest() {
        let keymap = Keymap::default();
        let help = state_in(&[Action::ToggleHelp]);
        let key = |code| keymap.translate(&press(code, KeyModifiers::NONE), &help);
        for close in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('?')] {
            assert!(matches!(key(close), Some(Msg::Action(Action::ToggleHelp))), "{close:?}");
        }
        assert!(key(KeyCode::Char('s')).is_none());
        assert!(matches!(key(KeyCode::Char('j')), Some(Msg::Action(Action::SelectNext))));
        assert!(matches!(key(KeyCode::PageUp), Some(Msg::Action(Action::PageUp))));
        assert!(matches!(
            keymap.translate(&press(KeyCode::Char('c'), KeyModifiers::CONTROL), &help),
            Some(Msg::Action(Action::Quit))
        ));
    }

    #[test]
    fn the_message_log_opens_with_m_scrolls_and_closes_with_esc_q_or_m() {
        let keymap = Keymap::default();
        let list = state_in(&[]);
        let open = keymap.translate(&press(KeyCode::Char('M'), KeyModifiers::SHIFT), &list);
        assert!(matches!(open, Some(Msg::Action(Action::ToggleMessages))));
        let log = state_in(&[Action::ToggleMessages]);
        assert_eq!(log.mode(), Mode::Messages);
        let key = |code| keymap.translate(&press(code, KeyModifiers::NONE), &log);
        for close in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('M')] {
            assert!(
                matches!(key(close), Some(Msg::Action(Action::ToggleMessages))),
                "{close:?}"
            );
        }
        assert!(matches!(key(KeyCode::Down), Some(Msg::Action(Action::SelectNext))));
        assert!(key(KeyCode::Char('s')).is_none(), "no triage from inside the log");
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
